/**
 * PostgreSQL's online strategies (issue 16): for a table that holds rows, the changes that
 * would hold a table lock for a whole scan or build are planned so that the application keeps
 * reading and writing.
 *
 * | change | online plan | lock held while the table is read |
 * |---|---|---|
 * | add index | `CREATE INDEX CONCURRENTLY`, outside any transaction | SHARE UPDATE EXCLUSIVE (reads and writes go on) |
 * | drop index | `DROP INDEX CONCURRENTLY` | the same |
 * | add unique | `CREATE UNIQUE INDEX CONCURRENTLY`, then `ADD CONSTRAINT … UNIQUE USING INDEX` | the same; a moment's ACCESS EXCLUSIVE |
 * | add foreign key / check | `ADD … NOT VALID`, then `VALIDATE CONSTRAINT` in its own transaction | SHARE UPDATE EXCLUSIVE |
 * | set NOT NULL | `CHECK (col IS NOT NULL) NOT VALID`, validated, then `SET NOT NULL` (no scan) and the check dropped | the same |
 * | type change that rewrites | expand/contract (expand-contract.ts): new column, trigger, batched backfill, swap | row locks; a moment's ACCESS EXCLUSIVE |
 *
 * These run before the plan's transaction, each committed on its own, so a deployer killed at
 * any point leaves the database at its old schema plus the online steps that finished (a
 * plan's transaction, with its fingerprint check, always comes last). A step killed half-way
 * is found by the next apply ({@link OnlineFacts}: an invalid index is dropped and built again,
 * a constraint left `NOT VALID` validated). A change whose table (or referenced table) changes
 * shape in the same plan — a column added, renamed or retyped, the table renamed — stays in the
 * transaction as before: its statements need what the transaction makes.
 */
import type { Change } from '../../diff/changes.js';
import { describeChange } from '../../diff/changes.js';
import type { Diff } from '../../diff/differ.js';
import type { IndexIR, TableIR } from '../../ir/schema.js';
import { tableNamed } from '../../ir/schema.js';
import type { OnlineFacts, PlanStatement } from '../../plan/plan.js';
import { defaultConstraintName } from './planner.js';
import { PostgresExpand } from './expand-contract.js';
import { postgresCheckSql, postgresDefaultSql, postgresForeignKeySql, postgresSql, qualifiedIdent, splitName, truncateIdentifier } from './sql-builder.js';

const q = postgresSql.ident;
const qt = qualifiedIdent;

/** The prefix of the temporary check that carries a `SET NOT NULL` (dropped by name with IF EXISTS wherever met). */
export const NOT_NULL_CHECK_PREFIX = 'evolve_nn_';

/** What the online strategies give for one change: statements before the transaction, and its statements in it. */
export interface OnlineChange {
  readonly before: readonly PlanStatement[];
  readonly main: readonly string[];
}

/**
 * True when `c` (another change of the plan) makes or reshapes something an online statement on
 * `table` over `columns` (null: any column, a check's expression) needs: the statement would need
 * what the transaction makes.
 */
function reshapes(c: Change, table: string, columns: readonly string[] | null): boolean {
  const uses = (col: string): boolean => columns === null || columns.includes(col);
  switch (c.kind) {
    case 'addColumn': return c.table === table && uses(c.column.name);
    case 'renameColumn': return c.table === table && (uses(c.to) || uses(c.from));
    case 'alterColumn': return c.table === table && uses(c.to.name) && (c.changed.type || c.changed.collation || c.changed.generated);
    // A constraint the transaction drops may have the name the online step would add (a changed foreign key or check).
    case 'alterTableOptions': case 'alterPrimaryKey': case 'dropUnique': case 'dropForeignKey': case 'dropCheck': return c.table === table;
    default: return false;
  }
}

const WHY_ROWS = (t: string): string => `${t} holds rows`;

/** The online strategies of one plan (null where the plan has no {@link OnlineFacts}). */
export class PostgresOnline {
  private readonly expands: PostgresExpand;

  constructor(private readonly diff: Diff, private readonly facts: OnlineFacts) {
    this.expands = new PostgresExpand(diff, facts, (table, columns, self) => this.steady(table, columns, self));
  }

  /** Why a type change on a table with rows keeps its plain ALTER (rewriting the table under its lock), or null. */
  keptWhy(c: Change): string | null {
    if (c.kind !== 'alterColumn') return null;
    const d = this.expands.of(c);
    return d?.kind === 'keep' ? d.why : null;
  }

  private liveTable(name: string): TableIR | undefined {
    return tableNamed(this.diff.from, name);
  }

  /** True when `table` exists live under the same name, holds rows, and no other change of the plan reshapes what `columns` need. */
  private steady(table: string, columns: readonly string[] | null, self?: Change): boolean {
    const live = this.liveTable(table);
    if (!live || (this.diff.liveName.get(table) ?? table) !== table || Object.keys(live.options ?? {}).length > 0) return false;
    if (!this.facts.tablesWithRows.has(table)) return false;
    return !this.diff.changes.some((c) => c !== self && reshapes(c, table, columns));
  }

  /** The statement that builds `index` concurrently, with the drop that undoes a failed try. */
  private build(table: string, index: IndexIR, why: string, comment: string): PlanStatement {
    const sql = `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX CONCURRENTLY ${q(index.name)} ON ${qt(table)} (${index.columns.map(q).join(', ')})` +
      (index.where ? ` WHERE ${index.where}` : '');
    return { sql, comment, inTransaction: false, online: `${why}: built without blocking reads or writes`, undo: this.dropSql(table, index.name) };
  }

  private dropSql(table: string, name: string): string {
    const schema = splitName(table)[0];
    return `DROP INDEX CONCURRENTLY IF EXISTS ${schema === null ? q(name) : `${q(schema)}.${q(name)}`}`;
  }

  private own(sql: string, comment: string, online: string): PlanStatement {
    return { sql, comment, inTransaction: true, ownTransaction: true, online };
  }

  /** What a killed online step left behind, repaired first: invalid indexes rebuilt, unvalidated constraints validated. */
  repairs(): PlanStatement[] {
    const out: PlanStatement[] = this.expands.cleanups();
    const target = new Map(this.diff.to.tables.map((t) => [t.name, t]));
    for (const bad of this.facts.invalidIndexes) {
      const why = `index ${bad.name} on ${bad.table} was left invalid by a build that did not finish`;
      out.push({ sql: this.dropSql(bad.table, bad.name), comment: why, inTransaction: false, online: 'dropped without blocking writes' });
      const t = target.get(bad.table);
      const redone = this.diff.changes.some((c) =>
        (c.kind === 'addIndex' && c.index.name === bad.name) || (c.kind === 'addUnique' && c.unique.name === bad.name));
      if (!t || redone) continue;
      const index = t.indexes.find((i) => i.name === bad.name);
      const unique = t.uniques.find((u) => u.name === bad.name);
      if (index) out.push(this.build(t.name, index, why, `rebuild index ${bad.name} on ${bad.table}`));
      else if (unique) {
        out.push(this.build(t.name, { name: bad.name, columns: unique.columns, unique: true, where: null }, why, `rebuild unique ${bad.name} on ${bad.table}`));
        out.push(this.own(`ALTER TABLE ${qt(t.name)} ADD CONSTRAINT ${q(bad.name)} UNIQUE USING INDEX ${q(bad.name)}`,
          `rebuild unique ${bad.name} on ${bad.table}`, 'a moment\'s lock: the index is already built'));
      }
    }
    for (const c of this.facts.unvalidated) {
      if (c.name.startsWith(NOT_NULL_CHECK_PREFIX)) continue; // the column change validates (or drops) it
      const t = target.get(c.table);
      const fkName = (f: { name: string | null; columns: readonly string[] }): string => f.name ?? defaultConstraintName(c.table, f.columns, 'fkey');
      const wanted = t && ((t.foreignKeys ?? []).some((f) => fkName(f) === c.name) || (t.checks ?? []).some((k) => k.name === c.name));
      if (!wanted) continue;
      out.push(this.own(`ALTER TABLE ${qt(c.table)} VALIDATE CONSTRAINT ${q(c.name)}`,
        `validate ${c.name} on ${c.table}, added NOT VALID by an apply that did not finish`,
        'validated in its own transaction without blocking writes'));
    }
    return out;
  }

  /** The online plan of `c`, or null to plan it in the transaction as usual. */
  change(c: Change): OnlineChange | null {
    const comment = describeChange(c);
    switch (c.kind) {
      case 'addIndex':
        if (!this.steady(c.table, c.index.columns)) return null;
        return { before: [this.build(c.table, c.index, WHY_ROWS(c.table), comment)], main: [] };
      case 'dropIndex': {
        const table = this.diff.liveName.get(c.table) ?? c.table;
        if (!this.facts.tablesWithRows.has(table) || !tableNamed(this.diff.to, c.table)) return null;
        // A foreign key may use the index; foreign keys are dropped in the transaction.
        if (this.diff.changes.some((x) => x.kind === 'dropForeignKey')) return null;
        const online = `${WHY_ROWS(table)}: dropped without blocking reads or writes`;
        return { before: [{ sql: this.dropSql(table, c.index.name), comment, inTransaction: false, online }], main: [] };
      }
      case 'addUnique': {
        if (!this.steady(c.table, c.unique.columns)) return null;
        const name = c.unique.name ?? defaultConstraintName(c.table, c.unique.columns, 'key');
        return {
          before: [this.build(c.table, { name, columns: c.unique.columns, unique: true, where: null }, WHY_ROWS(c.table), comment)],
          main: [`ALTER TABLE ${qt(c.table)} ADD CONSTRAINT ${q(name)} UNIQUE USING INDEX ${q(name)}`],
        };
      }
      case 'addForeignKey': {
        const ref = this.liveTable(c.foreignKey.refTable);
        if (!this.steady(c.table, c.foreignKey.columns) || !ref || !this.keyed(ref, c.foreignKey.refColumns)) return null;
        if (this.diff.changes.some((x) => reshapes(x, ref.name, c.foreignKey.refColumns))) return null;
        const name = c.foreignKey.name ?? defaultConstraintName(c.table, c.foreignKey.columns, 'fkey');
        return this.notValid(c.table, name, postgresForeignKeySql({ ...c.foreignKey, name }), comment);
      }
      case 'addCheck':
        if (!this.steady(c.table, null) || !c.check.name) return null;
        return this.notValid(c.table, c.check.name, postgresCheckSql(c.check), comment);
      case 'dropCheck':
        if (!c.check.name?.startsWith(NOT_NULL_CHECK_PREFIX)) return null;
        return { before: [], main: [`ALTER TABLE ${qt(this.diff.liveName.get(c.table) ?? c.table)} DROP CONSTRAINT IF EXISTS ${q(c.check.name)}`] };
      case 'alterColumn': {
        const d = this.expands.of(c);
        if (d?.kind === 'expand') return { before: d.before, main: d.main };
        return this.setNotNull(c);
      }
      default: return null;
    }
  }

  /** True when `columns` are exactly the live primary key or a live unique constraint or index of `t`. */
  private keyed(t: TableIR, columns: readonly string[]): boolean {
    const same = (xs: readonly string[]): boolean => xs.length === columns.length && xs.every((x) => columns.includes(x));
    return (t.primaryKey ? same(t.primaryKey.columns) : false) || t.uniques.some((u) => same(u.columns)) ||
      t.indexes.some((i) => i.unique && !i.where && same(i.columns));
  }

  private notValid(table: string, name: string, constraint: string, comment: string): OnlineChange {
    return {
      before: [
        this.own(`ALTER TABLE ${qt(table)} ADD ${constraint} NOT VALID`, comment, `${WHY_ROWS(table)}: added NOT VALID (a moment's lock, no scan)`),
        this.own(`ALTER TABLE ${qt(table)} VALIDATE CONSTRAINT ${q(name)}`, comment, 'validated in its own transaction without blocking writes'),
      ],
      main: [],
    };
  }

  /** `SET NOT NULL` through a validated check: the only change of its column, its NULLs filled first where it has a default. */
  private setNotNull(c: Extract<Change, { kind: 'alterColumn' }>): OnlineChange | null {
    const { changed, to, table } = c;
    const only = changed.nullable && !to.nullable && Object.entries(changed).every(([k, v]) => k === 'nullable' || k === 'default' || !v);
    if (!only || to.generated || !this.steady(table, [to.name], c)) return null;
    const col = q(to.name);
    const check = truncateIdentifier(`${NOT_NULL_CHECK_PREFIX}${splitName(table)[1]}_${to.name}`);
    const alter = `ALTER TABLE ${qt(table)} ALTER COLUMN ${col}`;
    const comment = describeChange(c);
    const before: PlanStatement[] = [];
    if (to.default && !to.autoIncrement) {
      before.push(this.own(`UPDATE ${qt(table)} SET ${col} = ${postgresDefaultSql(to.default)} WHERE ${col} IS NULL`, comment,
        `${WHY_ROWS(table)}: NULLs filled with the default in their own transaction (row locks only)`));
    }
    before.push(
      this.own(`ALTER TABLE ${qt(table)} DROP CONSTRAINT IF EXISTS ${q(check)}, ADD CONSTRAINT ${q(check)} CHECK (${col} IS NOT NULL) NOT VALID`, comment,
        `${WHY_ROWS(table)}: SET NOT NULL goes through a check added NOT VALID (a moment's lock, no scan)`),
      this.own(`ALTER TABLE ${qt(table)} VALIDATE CONSTRAINT ${q(check)}`, comment, 'validated in its own transaction without blocking writes'),
    );
    const main: string[] = [];
    if (changed.default) main.push(to.default ? `${alter} SET DEFAULT ${postgresDefaultSql(to.default)}` : `${alter} DROP DEFAULT`);
    main.push(`${alter} SET NOT NULL`, `ALTER TABLE ${qt(table)} DROP CONSTRAINT IF EXISTS ${q(check)}`);
    return { before, main };
  }
}
