/**
 * A type change that would rewrite a table with rows under ACCESS EXCLUSIVE (INT→BIGINT, to
 * text, date→timestamp, …), done on PostgreSQL as expand/contract (issue 16) — the practice of
 * pgroll and Reshape, in Evolve's own steps:
 *
 * 1. **expand** (its own short transaction): a shadow column `_evolve_new_<col>` of the new type
 *    (with a check `IS NOT NULL` added `NOT VALID` where the column is NOT NULL), and a `BEFORE
 *    INSERT OR UPDATE` trigger that sets it from the column, so every write keeps it in step;
 * 2. **backfill**: the rows written before the trigger, converted in batches by primary key
 *    (`--batch-size`, `--batch-pause`), each batch its own transaction, progress reported;
 * 3. the column's indexes built on the shadow column `CONCURRENTLY`, its NOT NULL check validated;
 * 4. **contract** (in the plan's transaction, with its fingerprint check): `SET NOT NULL` (no
 *    scan: the check proves it), trigger and function dropped, the old column dropped, the
 *    shadow renamed to its name, the default and the indexes' names restated (a comment on the
 *    column is dropped and made again around the change, as for any column change).
 *
 * The database stays at its old fingerprint until the swap: introspection leaves the shadow
 * column, its check and indexes, the trigger and its function out (expand-names.ts). A deployer
 * killed part-way leaves them behind; the next apply finds them ({@link ExpandLeftovers}) and
 * resumes (the backfill skips the rows already converted) — or, when the models changed since,
 * removes them first.
 *
 * Only where every value converts (no data check: a widening, or a conversion that cannot
 * fail), so that no write of the application can fail on the trigger, on a table of the
 * primary schema with a one-column primary key, and where nothing but the column's default
 * and plain indexes depends on it. Otherwise the plain `ALTER COLUMN … TYPE` stays, and the
 * plan says why. The new column is the table's last: column order is not part of the schema
 * (docs/fingerprint.md), but `SELECT *` lists it last.
 */
import type { Change } from '../../diff/changes.js';
import type { Diff } from '../../diff/differ.js';
import type { ColumnIR, IndexIR, TableIR } from '../../ir/schema.js';
import { tableNamed } from '../../ir/schema.js';
import { typeToString } from '../../ir/types.js';
import { isWidening } from '../../plan/hazards.js';
import type { ColumnFacts, OnlineFacts, PlanStatement } from '../../plan/plan.js';
import { postgresLossyPredicate, usingExpression } from './conversions.js';
import { expandNames, type ExpandNames } from './expand-names.js';
import { parsePgType, pgTypeSql, postgresDefaultSql, postgresSql, qualifiedIdent, splitName } from './sql-builder.js';

const q = postgresSql.ident;
const qt = qualifiedIdent;
const lit = postgresSql.literal;

type AlterColumn = Extract<Change, { kind: 'alterColumn' }>;

/** What {@link PostgresExpand.of} decides for a type change. */
export type ExpandDecision =
  | { readonly kind: 'expand'; readonly before: readonly PlanStatement[]; readonly main: readonly string[]; readonly resumed: boolean }
  /** The plain ALTER stays, for this reason (said in the plan). */
  | { readonly kind: 'keep'; readonly why: string };

/** True when PostgreSQL changes `from` → `to` without rewriting the rows (binary-coercible: to text, a longer varchar, more digits). */
function keepsRows(from: ColumnIR, to: ColumnIR): boolean {
  const a = from.type;
  const b = to.type;
  if ((a.kind === 'varchar' || a.kind === 'text') && b.kind === 'text') return true;
  if (a.kind === 'varchar' && b.kind === 'varchar') return b.length >= a.length;
  if (a.kind === 'decimal' && b.kind === 'decimal') return b.scale === a.scale && b.precision >= a.precision;
  return false;
}

/** A dollar-quote tag that `body` does not hold. */
function dollarTag(body: string): string {
  for (let i = 0; ; i++) {
    const tag = i === 0 ? '$evolve$' : `$evolve${i}$`;
    if (!body.includes(tag)) return tag;
  }
}

/** Expand/contract type changes of one plan (see the file's comment). */
export class PostgresExpand {
  private readonly decided = new Map<Change, ExpandDecision | null>();

  /** `steady(table, columns, self)`: the table holds rows and no other change of the plan reshapes the columns (online-plan.ts). */
  constructor(private readonly diff: Diff, private readonly facts: OnlineFacts,
    private readonly steady: (table: string, columns: readonly string[], self: Change) => boolean) {}

  /** The expand/contract of `c`, the reason it keeps the plain ALTER, or null when it is no candidate (no rows, not a rewrite). */
  of(c: AlterColumn): ExpandDecision | null {
    if (!this.decided.has(c)) this.decided.set(c, this.decide(c));
    return this.decided.get(c)!;
  }

  private decide(c: AlterColumn): ExpandDecision | null {
    const { from, to, changed, table } = c;
    const only = changed.type && Object.entries(changed).every(([k, v]) => k === 'type' || k === 'default' || !v);
    if (!only || from.autoIncrement || to.autoIncrement || from.generated || to.generated || from.collation || to.collation) return null;
    if (from.name !== to.name || splitName(table)[0] !== null || keepsRows(from, to)) return null;
    if (!this.steady(table, [to.name], c)) return null;
    const facts = this.facts.columns?.get(table)?.get(from.name);
    const live = tableNamed(this.diff.from, table);
    if (!facts || !live) return null;
    const why = this.obstacle(c, live, facts);
    if (why) return { kind: 'keep', why };
    return this.expand(c, live, facts);
  }

  /** Why `c` cannot be done as expand/contract, or null. */
  private obstacle(c: AlterColumn, live: TableIR, facts: ColumnFacts): string | null {
    const { from, to } = c;
    if (!isWidening(from, to) && postgresLossyPredicate(q(from.name), from, to) !== null) {
      return 'some values may not convert (checked before the change); a trigger converting them would fail the application\'s writes';
    }
    const pk = live.primaryKey?.columns ?? [];
    if (pk.includes(from.name)) return 'the column is part of the primary key';
    if (pk.length !== 1) return `${live.name} has no one-column primary key to backfill by`;
    if (facts.dependents.length) return `${facts.dependents.join(', ')} depend${facts.dependents.length === 1 ? 's' : ''} on the column`;
    if (facts.privileges) return 'the column has privileges of its own (GRANT … (column))';
    if (facts.triggers.length) return `${live.name} has triggers (${facts.triggers.join(', ')}), which the backfill's updates would fire`;
    for (const name of facts.indexes) {
      const index = this.plainIndex(live, name);
      if (!index) return `index ${name} on the column is not a plain index Evolve can build again`;
      const other = index.columns.find((x) => x !== from.name && this.diff.changes.some((o) =>
        o.kind === 'alterColumn' && o.table === live.name && o.from.name === x && o.changed.type));
      if (other) return `index ${name} is also on ${other}, whose type changes too`;
    }
    return null;
  }

  /** The live plain non-unique index `name` of `live`, where the target has it unchanged. */
  private plainIndex(live: TableIR, name: string): IndexIR | null {
    const index = live.indexes.find((i) => i.name === name);
    const target = tableNamed(this.diff.to, live.name)?.indexes.find((i) => i.name === name);
    if (!index || index.unique || index.where !== null || !target) return null;
    if (target.unique || target.where !== null || target.columns.join('\0') !== index.columns.join('\0')) return null;
    return index;
  }

  /** True when an apply that did not finish left this change's shadow column (of the new type) and its trigger. */
  resumes(c: AlterColumn): boolean {
    const left = this.facts.expansions;
    if (!left) return false;
    const names = expandNames(c.table, c.from.name);
    const col = left.columns.find((x) => x.table === c.table && x.name === names.shadow);
    return !!col && typeToString(parsePgType(col.type)) === typeToString(c.to.type) &&
      left.triggers.some((x) => x.table === c.table && x.name === names.trigger) && left.functions.includes(names.fn);
  }

  private expand(c: AlterColumn, live: TableIR, facts: ColumnFacts): ExpandDecision {
    const { from, to, table } = c;
    const n: ExpandNames = expandNames(table, from.name);
    const T = qt(table);
    const col = q(from.name);
    const S = q(n.shadow);
    const fn = q(n.fn);
    const key = q(live.primaryKey!.columns[0]!);
    const conv = (ref: string): string => usingExpression(ref, from.type, to.type);
    const comment = `change column ${table}.${to.name}: ${typeToString(from.type)} → ${typeToString(to.type)} through a new column (expand/contract)`;
    const resumed = this.resumes(c);
    const before: PlanStatement[] = [];
    // The first statement of a transaction starts it, and says why (the others join it).
    const own = (sql: string, online: string, first: boolean): PlanStatement =>
      ({ sql, comment, inTransaction: true, ...(first ? { ownTransaction: true, online } : {}) });
    if (!resumed) {
      const why = `${table} holds rows: the new column, and a trigger that keeps it in step with every write (a moment's lock)`;
      const body = `BEGIN NEW.${S} := ${conv(`NEW.${col}`)}; RETURN NEW; END`;
      const tag = dollarTag(body);
      before.push(
        own(`ALTER TABLE ${T} ADD COLUMN ${S} ${pgTypeSql(to.type)}` +
          (to.nullable ? '' : `, ADD CONSTRAINT ${q(n.check)} CHECK (${S} IS NOT NULL) NOT VALID`), why, true),
        own(`CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS ${tag}${body}${tag}`, why, false),
        own(`CREATE TRIGGER ${q(n.trigger)} BEFORE INSERT OR UPDATE ON ${T} FOR EACH ROW EXECUTE FUNCTION ${fn}()`, why, false),
      );
    }
    const row = q('_evolve_row');
    const batch = q('_evolve_batch');
    const set = `SET ${S} = ${conv(`${row}.${col}`)}`;
    const pending = `${row}.${S} IS DISTINCT FROM ${conv(`${row}.${col}`)}`;
    const batchSql = (where: string): string => `WITH ${batch} AS (SELECT ${key} FROM ${T}${where} ORDER BY ${key} LIMIT $1), ` +
      `${q('_evolve_done')} AS (UPDATE ${T} AS ${row} ${set} FROM ${batch} WHERE ${row}.${key} = ${batch}.${key} AND ${pending} RETURNING 1) ` +
      `SELECT (SELECT max(${key}) FROM ${batch})::text AS last, (SELECT count(*) FROM ${batch})::int AS n`;
    before.push({
      sql: `UPDATE ${T} AS ${row} ${set} WHERE ${pending}`, comment, inTransaction: false,
      online: `${resumed ? 'resumed (an apply that did not finish left the new column and its trigger): ' : ''}` +
        `the rows written before the trigger, converted in batches by ${live.primaryKey!.columns[0]} (--batch-size rows, ` +
        '--batch-pause between), each batch its own transaction (row locks only)',
      backfill: {
        label: `${table}.${to.name}`, first: batchSql(''), next: batchSql(` WHERE ${key} > $2`),
        // The planner's estimate; a table never analysed is counted (a scan that blocks nothing).
        estimate: `SELECT CASE WHEN reltuples > 0 THEN reltuples::bigint ELSE (SELECT count(*) FROM ${T}) END AS n ` +
          `FROM pg_class WHERE oid = ${lit(T)}::regclass`,
      },
    });
    for (const name of facts.indexes) {
      const index = this.plainIndex(live, name)!;
      const shadowIndex = q(n.index(name));
      before.push({
        sql: `CREATE INDEX CONCURRENTLY IF NOT EXISTS ${shadowIndex} ON ${T} (${index.columns.map((x) => (x === from.name ? S : q(x))).join(', ')})`,
        comment, inTransaction: false, online: `index ${name} built again on the new column without blocking reads or writes`,
        undo: `DROP INDEX CONCURRENTLY IF EXISTS ${shadowIndex}`,
      });
    }
    if (!to.nullable) before.push(own(`ALTER TABLE ${T} VALIDATE CONSTRAINT ${q(n.check)}`, 'NOT NULL checked without blocking writes', true));
    const main: string[] = [];
    if (!to.nullable) main.push(`ALTER TABLE ${T} ALTER COLUMN ${S} SET NOT NULL`);
    main.push(`DROP TRIGGER ${q(n.trigger)} ON ${T}`, `DROP FUNCTION ${fn}()`, `ALTER TABLE ${T} DROP COLUMN ${col}`,
      `ALTER TABLE ${T} RENAME COLUMN ${S} TO ${col}`);
    if (!to.nullable) main.push(`ALTER TABLE ${T} DROP CONSTRAINT ${q(n.check)}`);
    if (to.default) main.push(`ALTER TABLE ${T} ALTER COLUMN ${col} SET DEFAULT ${postgresDefaultSql(to.default)}`);
    for (const name of facts.indexes) main.push(`ALTER INDEX ${q(n.index(name))} RENAME TO ${q(name)}`);
    return { kind: 'expand', before, main, resumed };
  }

  /**
   * What unfinished expand/contract changes left that no change of this plan resumes (the
   * models changed since, or a type now different): removed, in one short transaction each.
   */
  cleanups(): PlanStatement[] {
    const left = this.facts.expansions;
    if (!left) return [];
    const resumed = this.diff.changes.filter((c): c is AlterColumn => c.kind === 'alterColumn' && this.of(c)?.kind === 'expand' && this.resumes(c))
      .map((c) => ({ table: c.table, names: expandNames(c.table, c.from.name) }));
    const kept = (table: string, pick: (n: ExpandNames) => string, name: string): boolean =>
      resumed.some((r) => r.table === table && pick(r.names) === name);
    const out: PlanStatement[] = [];
    const why = 'left by an expand/contract type change that did not finish, and not resumed: removed';
    let first = true;
    const add = (sql: string, comment: string): void => {
      out.push({ sql, comment, inTransaction: true, ...(first ? { ownTransaction: true } : {}), online: why });
      first = false;
    };
    for (const t of left.triggers) {
      if (!kept(t.table, (n) => n.trigger, t.name)) add(`DROP TRIGGER IF EXISTS ${q(t.name)} ON ${qt(t.table)}`, `remove trigger ${t.name} on ${t.table}`);
    }
    for (const f of left.functions) if (!resumed.some((r) => r.names.fn === f)) add(`DROP FUNCTION IF EXISTS ${q(f)}()`, `remove function ${f}`);
    for (const x of left.columns) {
      if (!kept(x.table, (n) => n.shadow, x.name)) add(`ALTER TABLE ${qt(x.table)} DROP COLUMN IF EXISTS ${q(x.name)}`, `remove column ${x.table}.${x.name}`);
    }
    return out;
  }
}
