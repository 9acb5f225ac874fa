/**
 * PostgreSQL planner: native ALTER TABLE for every change, never a table rebuild. The generic
 * differ orders the changes (foreign keys and indexes dropped first, then renames, creates,
 * column changes, new indexes, new foreign keys, drops); this planner adds one refinement: a
 * table's unique and primary key constraints are dropped before its columns change, because a
 * column cannot lose NOT NULL (or its type) while a constraint still needs it; and generated
 * columns that read a column whose type or collation changes are dropped before and added
 * back after (see generated-readers.ts).
 */
import type { Change } from '../../diff/changes.js';
import type { ColumnIR, IndexIR, TableIR } from '../../ir/schema.js';
import { describeChange } from '../../diff/changes.js';
import type { Diff } from '../../diff/differ.js';
import type { Hazard, Plan, PlanOptions, PlanStatement } from '../../plan/plan.js';
import { consentedValue, consentUpdate, lossyRule } from '../../plan/lossy.js';
import { assertNever, EvolveError, ErrorCode } from '../../errors.js';
import { objectStatements } from '../../plan/object-statements.js';
import { postgresLossyPredicate, usingExpression } from './conversions.js';
import { replaceObjectSql } from './object-plan.js';
import { generatedReaders, type GeneratedReaders } from './generated-readers.js';
import { PostgresOnline } from './online-plan.js';
import { alterLineageSql, carriedByParent, childrenFirst, createTableSql, parentsFirst } from './lineage.js';
import {
  MAX_IDENTIFIER_BYTES, postgresCheckSql, postgresCollationSql, postgresColumnSql, postgresCreateIndexSql, postgresCreateTableSql,
  postgresDefaultSql, postgresForeignKeySql,
  pgTypeSql, postgresSql, primaryKeySql, qualifiedIdent, splitName, truncateIdentifier, uniqueSql,
} from './sql-builder.js';

const q = postgresSql.ident;
/**
 * `ALTER TYPE … ADD VALUE` (and the declared `RENAME VALUE`s the added values may be placed
 * after): run before the plan's transaction (see the end of {@link planPostgres}).
 */
const ENUM_ADD_VALUE = /^ALTER TYPE .* (?:ADD|RENAME) VALUE /s;
/** A table (or other schema object) name: unqualified in the primary schema, `"schema"."name"` in an extra one. */
const qt = qualifiedIdent;
const lit = postgresSql.literal;

/**
 * The name PostgreSQL gives a constraint it names itself (`makeObjectName`): table, columns and
 * label, the longer part cut first to fit 63 bytes. Used only when the live side of a diff has
 * no name (a diff between two model files).
 */
export function defaultConstraintName(table: string, columns: readonly string[], label: 'pkey' | 'key' | 'fkey'): string {
  // A constraint lives in its table's schema and is named after the table's own name.
  let a = [...splitName(table)[1]];
  let b = label === 'pkey' ? [] : [...columns.join('_')];
  const avail = MAX_IDENTIFIER_BYTES - label.length - 1 - (b.length ? 1 : 0);
  const bytes = (cs: string[]): number => Buffer.byteLength(cs.join(''), 'utf8');
  while (bytes(a) + bytes(b) > avail) { if (bytes(a) > bytes(b)) a = a.slice(0, -1); else b = b.slice(0, -1); }
  return truncateIdentifier(`${a.join('')}${b.length ? '_' + b.join('') : ''}_${label}`);
}

function dropConstraint(table: string, name: string | null, fallback: () => string): string {
  return `ALTER TABLE ${qt(table)} DROP CONSTRAINT ${q(name ?? fallback())}`;
}

type AlterColumn = Extract<Change, { kind: 'alterColumn' }>;

/**
 * Renaming a table, within its schema or into another managed one: `SET SCHEMA` moves it
 * (into the primary schema: the session's `current_schema()`), `RENAME TO` takes its own name.
 */
function renameTableSql(from: string, to: string): string[] {
  const [fromSchema, fromBare] = splitName(from);
  const [toSchema, toBare] = splitName(to);
  const out: string[] = [];
  let at = from;
  if (fromSchema !== toSchema) {
    if (toSchema !== null) out.push(`ALTER TABLE ${qt(from)} SET SCHEMA ${q(toSchema)}`);
    else out.push(`DO $evolve$ BEGIN EXECUTE format('ALTER TABLE %I.%I SET SCHEMA %I', ${lit(fromSchema!)}, ${lit(fromBare)}, current_schema()); END $evolve$`);
    at = toSchema === null ? fromBare : `${toSchema}.${fromBare}`;
  }
  if (fromBare !== toBare) out.push(`ALTER TABLE ${qt(at)} RENAME TO ${q(toBare)}`);
  return out;
}

/**
 * The `USING` expression of a type change: the plain conversion, or, for a consented lossy
 * change (`convert`), the one that cuts or NULLs the values the data check counted (plan/lossy.ts).
 */
function usingFor(c: AlterColumn, convert: boolean): string {
  const col = q(c.to.name);
  const plain = usingExpression(col, c.from.type, c.to.type);
  const pred = convert ? postgresLossyPredicate(col, c.from, c.to) : null;
  if (!pred || hasSubquery(pred)) return plain;
  return consentedValue(lossyRule(c.from, c.to), col, pred, plain, (x, n) => `left(${x}, ${n})::${pgTypeSql(c.to.type)}`);
}

/** `USING` cannot hold a subquery: such a predicate's values are converted by an UPDATE first. */
const hasSubquery = (pred: string): boolean => /\bSELECT\b/i.test(pred);

/** The UPDATE that converts a consented lossy change's values before the type changes, when `USING` cannot. */
function consentUpdateFor(c: AlterColumn, convert: boolean): string[] {
  const col = q(c.to.name);
  const pred = convert ? postgresLossyPredicate(col, c.from, c.to) : null;
  if (!pred || !hasSubquery(pred)) return [];
  const sql = consentUpdate(lossyRule(c.from, c.to), qt(c.table), col, pred, (x, n) => `left(${x}, ${n})`);
  return sql ? [sql] : [];
}

/** ` COLLATE …` for a column's collation: `"default"` (its type's) when it has none of its own. */
const collateSql = (c: ColumnIR): string => ` COLLATE ${c.collation ? postgresCollationSql(c.collation) : q('default')}`;

/**
 * The statements that take one column from its live definition to its target one, in a safe order.
 * A generated column whose expression or type changes, or a column that becomes generated, is
 * dropped and added again (PostgreSQL 15 has no SET EXPRESSION; its values are derived); one
 * that stops being generated keeps its values (DROP EXPRESSION). `indexes` are the table's
 * target indexes, recreated when a re-added column takes them down.
 */
function alterColumnSql(c: AlterColumn, indexes: readonly IndexIR[], convert: boolean): string[] {
  const { from, changed } = c;
  let to = c.to;
  const col = q(to.name);
  const alter = `ALTER TABLE ${qt(c.table)} ALTER COLUMN ${col}`;
  const out: string[] = [];
  if (to.generated && (changed.generated || changed.type || changed.collation || !from.generated)) {
    return [
      `ALTER TABLE ${qt(c.table)} DROP COLUMN ${col}`,
      `ALTER TABLE ${qt(c.table)} ADD COLUMN ${postgresColumnSql(to)}`,
      ...indexes.filter((i) => i.columns.includes(to.name)).map((i) => postgresCreateIndexSql(c.table, i)),
    ];
  }
  if (from.generated && !to.generated) out.push(`${alter} DROP EXPRESSION`);
  // Nothing but nullability changes on a column that stays generated.
  if (to.generated) to = { ...to, default: null };
  if (changed.autoIncrement && from.autoIncrement) {
    // Identity or serial (the IR does not say which): undo whichever it is. Between identity
    // ALWAYS and BY DEFAULT too: a serial column cannot SET GENERATED, and the new identity
    // continues after the existing values.
    out.push(`${alter} DROP IDENTITY IF EXISTS`, `${alter} DROP DEFAULT`);
  }
  // The old default may not convert to the new type: drop it first, set the new one after.
  if (from.default && !from.generated && (changed.default || changed.type)) out.push(`${alter} DROP DEFAULT`);
  // Before the type: values that do not convert may become NULL (with consent).
  if (changed.nullable && to.nullable) out.push(`${alter} DROP NOT NULL`);
  // A new type takes its own default collation unless it is given one: the column's is restated.
  if (changed.type) {
    const collate = to.collation ? collateSql(to) : '';
    out.push(...consentUpdateFor(c, convert), `${alter} TYPE ${pgTypeSql(to.type)}${collate} USING ${usingFor(c, convert)}`);
  } else if (changed.collation) out.push(`${alter} TYPE ${pgTypeSql(to.type)}${collateSql(to)}`);
  if (to.default && !to.autoIncrement && (changed.default || changed.type)) out.push(`${alter} SET DEFAULT ${postgresDefaultSql(to.default)}`);
  if (changed.nullable && !to.nullable) {
    // Only reached when the NULLs may be replaced (allowDataLoss; see plan/hazards.ts).
    if (to.default && !to.autoIncrement) out.push(`UPDATE ${qt(c.table)} SET ${col} = ${postgresDefaultSql(to.default)} WHERE ${col} IS NULL`);
    out.push(`${alter} SET NOT NULL`);
  }
  if (changed.autoIncrement && to.autoIncrement) {
    out.push(`${alter} ADD GENERATED ${to.identity === 'always' ? 'ALWAYS' : 'BY DEFAULT'} AS IDENTITY`);
    // Existing rows keep their values; new ones must not collide with them.
    out.push(`SELECT setval(pg_get_serial_sequence(${lit(qt(c.table))}, ${lit(to.name)}), coalesce(max(${col}), 0) + 1, false) FROM ${qt(c.table)}`);
  }
  return out;
}

/**
 * A column change's statements (`own`), inside the generated columns that read the table's
 * changing columns (`around`): those dropped before the table's first such change, added back
 * (with their indexes) after its last; a change of one of them is replaced by that.
 */
function aroundGenerated(c: AlterColumn, around: GeneratedReaders | undefined, indexes: readonly IndexIR[], own: () => string[]): string[] {
  if (!around) return own();
  const out = around.first === c ? around.drop.map((g) => `ALTER TABLE ${qt(c.table)} DROP COLUMN ${q(g)}`) : [];
  if (!around.replaced.has(c)) out.push(...own());
  if (around.last === c) {
    for (const g of around.add) {
      out.push(`ALTER TABLE ${qt(c.table)} ADD COLUMN ${postgresColumnSql(g)}`,
        ...indexes.filter((i) => i.columns.includes(g.name)).map((i) => postgresCreateIndexSql(c.table, i)));
    }
  }
  return out;
}

/**
 * Lookups a plan makes per changed table, each built on first use, once per plan: the index
 * names the diff adds to a table, and the target table of a name.
 */
function planLookups(diff: Diff): { addedIndexNames: (table: string) => Set<string>; target: (table: string) => TableIR | undefined } {
  let addedIndexes: Map<string, Set<string>> | null = null;
  let targets: Map<string, TableIR> | null = null;
  const addedIndexNames = (table: string): Set<string> => {
    if (!addedIndexes) {
      addedIndexes = new Map();
      for (const x of diff.changes) {
        if (x.kind !== 'addIndex') continue;
        let names = addedIndexes.get(x.table);
        if (!names) addedIndexes.set(x.table, names = new Set());
        names.add(x.index.name);
      }
    }
    return addedIndexes.get(table) ?? new Set();
  };
  const target = (table: string): TableIR | undefined => {
    if (!targets) {
      targets = new Map();
      for (const t of diff.to.tables) if (!targets.has(t.name)) targets.set(t.name, t);
    }
    return targets.get(table);
  };
  return { addedIndexNames, target };
}

/** A column change's comment; a type change on a table with rows that cannot go through a new column says why it rewrites the table. */
function keptComment(c: AlterColumn, online: PostgresOnline | null): string {
  const kept = online?.keptWhy(c);
  return kept ? `${describeChange(c)} — rewrites the table under its lock: ${kept}` : describeChange(c);
}

/** Each table's unique constraint drops and primary key changes, gathered once (a pass over every change per table is quadratic). */
function keyChangesByTable(changes: readonly Change[]): Map<string, Change[]> {
  const out = new Map<string, Change[]>();
  for (const c of changes) {
    if (c.kind !== 'dropUnique' && c.kind !== 'alterPrimaryKey') continue;
    const list = out.get(c.table);
    if (list) list.push(c); else out.set(c.table, [c]);
  }
  return out;
}

/**
 * Turn a diff into PostgreSQL statements, run in one transaction — except new enum values
 * (`ALTER TYPE … ADD VALUE`), which come first and are committed before it.
 */
export function planPostgres(diff: Diff, options: PlanOptions = {}): Plan {
  const statements: PlanStatement[] = [];
  const hazards: Hazard[] = [];
  const push = (c: Change, ...sql: string[]): void => { for (const s of sql) statements.push({ sql: s, comment: describeChange(c), inTransaction: true }); };
  const live = (table: string): string => diff.liveName.get(table) ?? table;
  const { addedIndexNames, target } = planLookups(diff);
  const readers = generatedReaders(diff);
  const prepared = new Set<string>();
  const dropped = new Set<Change>();
  const keyChanges = keyChangesByTable(diff.changes);
  /** Drop the table's outgoing unique / primary key constraints before its first column change. */
  const prepare = (table: string): void => {
    if (prepared.has(table)) return;
    prepared.add(table);
    for (const c of keyChanges.get(table) ?? []) {
      if (c.kind === 'dropUnique' && c.table === table) {
        push(c, dropConstraint(table, c.unique.name, () => defaultConstraintName(live(table), c.unique.columns, 'key')));
      } else if (c.kind === 'alterPrimaryKey' && c.table === table && c.from) {
        push(c, dropConstraint(table, c.from.name, () => defaultConstraintName(live(table), [], 'pkey')));
      }
    }
  };
  const changes = inLineageOrder(diff.changes, target);
  const online = options.onlineFacts ? new PostgresOnline(diff, options.onlineFacts) : null; // online-plan.ts
  const before: PlanStatement[] = online ? online.repairs() : [];
  for (const c of changes) {
    const o = online?.change(c);
    if (o) {
      before.push(...o.before);
      push(c, ...o.main);
      continue;
    }
    switch (c.kind) {
      case 'createTable':
        push(c, ...createTableSql(c.table, target), ...c.table.indexes.map((i) => postgresCreateIndexSql(c.table.name, i)));
        break;
      case 'dropTable': push(c, `DROP TABLE ${qt(c.table.name)}`); break;
      case 'renameTable': push(c, ...renameTableSql(c.from, c.to)); break;
      case 'addColumn': prepare(c.table); push(c, `ALTER TABLE ${qt(c.table)} ADD COLUMN ${postgresColumnSql(c.column)}`); break;
      case 'dropColumn': {
        prepare(c.table);
        if (dropped.has(c) || readers.get(c.table)?.replaced.has(c)) break;
        // Generated columns first: they read the others.
        for (const g of diff.changes) {
          if (g.kind === 'dropColumn' && g.table === c.table && g.column.generated && !dropped.has(g)) {
            dropped.add(g);
            push(g, `ALTER TABLE ${qt(g.table)} DROP COLUMN ${q(g.column.name)}`);
          }
        }
        if (!dropped.has(c)) push(c, `ALTER TABLE ${qt(c.table)} DROP COLUMN ${q(c.column.name)}`);
        dropped.add(c);
        break;
      }
      case 'renameColumn': prepare(c.table); push(c, `ALTER TABLE ${qt(c.table)} RENAME COLUMN ${q(c.from)} TO ${q(c.to)}`); break;
      case 'alterColumn': {
        prepare(c.table);
        const added = addedIndexNames(c.table);
        const indexes = (target(c.table)?.indexes ?? []).filter((i) => !added.has(i.name));
        const sql = aroundGenerated(c, readers.get(c.table), indexes, () => alterColumnSql(c, indexes, options.convertLossy?.has(c) === true));
        for (const s of sql) statements.push({ sql: s, comment: keptComment(c, online), inTransaction: true });
        break;
      }
      case 'addIndex': push(c, postgresCreateIndexSql(c.table, c.index)); break;
      case 'dropIndex': {
        // An index lives in its table's schema (indexes are dropped before any rename).
        const schema = splitName(live(c.table))[0];
        push(c, `DROP INDEX ${schema === null ? q(c.index.name) : `${q(schema)}.${q(c.index.name)}`}`);
        break;
      }
      case 'addUnique': prepare(c.table); push(c, `ALTER TABLE ${qt(c.table)} ADD ${uniqueSql(c.unique)}`); break;
      case 'dropUnique': prepare(c.table); break; // dropped by prepare()
      case 'alterPrimaryKey':
        prepare(c.table); // the old key is dropped there
        if (c.to) push(c, `ALTER TABLE ${qt(c.table)} ADD ${primaryKeySql(c.to)}`);
        break;
      case 'addForeignKey': push(c, `ALTER TABLE ${qt(c.table)} ADD ${postgresForeignKeySql(c.foreignKey)}`); break;
      case 'dropForeignKey': {
        // Foreign keys are dropped before any rename: the table still has its live name.
        const table = live(c.table);
        push(c, dropConstraint(table, c.foreignKey.name, () => defaultConstraintName(table, c.foreignKey.columns, 'fkey')));
        break;
      }
      case 'addCheck': push(c, `ALTER TABLE ${qt(c.table)} ADD ${postgresCheckSql(c.check)}`); break;
      case 'dropCheck': push(c, dropConstraint(live(c.table), c.check.name, () => `${splitName(live(c.table))[1]}_check`)); break;
      case 'alterTableOptions': push(c, ...alterLineageSql(c.table, c.from, c.to)); break;
      case 'createObject': case 'dropObject': push(c, ...objectStatements(c)); break;
      case 'replaceObject': {
        const r = replaceObjectSql(c);
        for (const s of r.sql) statements.push({ sql: s, comment: describeChange(c), inTransaction: !ENUM_ADD_VALUE.test(s) });
        hazards.push(...r.hazards);
        break;
      }
      default: assertNever(c, 'change');
    }
  }
  return {
    dialect: 'postgres', changes: diff.changes, renames: diff.renames, statements: runOrder(statements, before), hazards, checks: [], foreignKeysOff: false,
  };
}

/**
 * The plan's statements in the order they run. New enum values first, each committed on its
 * own: PostgreSQL refuses to use a value in the transaction that added it ("unsafe use of new
 * value"), and the plan may use it (a default, an index predicate, a check). ADD VALUE IF NOT
 * EXISTS is harmless should the rest fail; a declared value rename (which new values may be
 * placed after) would stay. Then the online steps (`before`), each committed on its own; the
 * plan's transaction comes last, so the fingerprint check before its COMMIT sees the whole change.
 */
function runOrder(statements: readonly PlanStatement[], before: readonly PlanStatement[]): PlanStatement[] {
  const early = statements.filter((s) => !s.inTransaction);
  const rest = statements.filter((s) => s.inTransaction);
  const online = 'the plan\'s transaction, after the online steps, with its fingerprint check';
  if (before.length && rest.length) rest[0] = { ...rest[0]!, ownTransaction: true, online };
  return [...early, ...before, ...rest];
}

/**
 * The changes as the plan runs them, for partitioned and inheriting tables: parents created
 * before their children and dropped after them; a child's column change that its parent's
 * carries out left out (a retyped column keeps the child's own default and NOT NULL change).
 */
function inLineageOrder(changes: readonly Change[], target: (table: string) => TableIR | undefined): readonly Change[] {
  const creates = changes.filter((c): c is Extract<Change, { kind: 'createTable' }> => c.kind === 'createTable');
  const drops = changes.filter((c): c is Extract<Change, { kind: 'dropTable' }> => c.kind === 'dropTable');
  const lineage = (t: TableIR): boolean => Object.keys(t.options ?? {}).length > 0;
  const anyLineage = creates.some((c) => lineage(c.table)) || drops.some((c) => lineage(c.table)) ||
    changes.some((c) => c.kind !== 'createTable' && 'table' in c && typeof c.table === 'string' && lineage(target(c.table) ?? { options: {} } as TableIR));
  if (!anyLineage) return changes;
  const createOrder = parentsFirst(creates.map((c) => c.table));
  const dropOrder = childrenFirst(drops.map((c) => c.table));
  const byCreate = new Map(creates.map((c) => [c.table.name, c]));
  const byDrop = new Map(drops.map((c) => [c.table.name, c]));
  let ci = 0;
  let di = 0;
  const carried = carriedByParent(changes, target);
  const out: Change[] = [];
  for (const c of changes) {
    if (c.kind === 'createTable') { out.push(byCreate.get(createOrder[ci++]!.name)!); continue; }
    if (c.kind === 'dropTable') { out.push(byDrop.get(dropOrder[di++]!.name)!); continue; }
    if (!carried.has(c)) { out.push(c); continue; }
    if (c.kind !== 'alterColumn') continue;
    const changed = { ...c.changed, type: false, generated: false, collation: false };
    if (Object.values(changed).some(Boolean)) out.push({ ...c, changed });
  }
  return out;
}
