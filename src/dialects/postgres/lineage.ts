/**
 * Partitioned tables, partitions and INHERITS children: a table's lineage is part of its
 * options (`partition_by`, `partition_of` + `partition_bound`, `inherits`; see
 * docs/fingerprint.md), read by the introspector and created, attached, detached here.
 *
 * A child has what its parents give it (their columns, and for a partition their keys,
 * foreign keys, indexes and triggers) through them: the IR lists its columns (what the table
 * has) but only the constraints of its own. So a child is created from its parent
 * (`PARTITION OF`, `INHERITS`) with only what is its own, and a column added to, dropped from,
 * renamed in or retyped in a parent is changed there alone: PostgreSQL carries it to the children.
 */
import type { Change } from '../../diff/changes.js';
import type { ColumnIR, TableIR } from '../../ir/schema.js';
import { EvolveError, ErrorCode } from '../../errors.js';
import {
  postgresCheckSql, postgresColumnSql, postgresCreateTableSql, postgresDefaultSql, postgresSql, primaryKeySql, qualifiedIdent, uniqueSql,
} from './sql-builder.js';

const q = postgresSql.ident;
const qt = qualifiedIdent;

/** The option keys of a table's lineage; PostgreSQL tables have no other options. */
export const LINEAGE_OPTIONS: readonly string[] = ['partition_by', 'partition_of', 'partition_bound', 'inherits'];

/** The tables `t` inherits its columns from (a partition's parent, an INHERITS child's parents), in order. */
export function parentsOf(t: Pick<TableIR, 'options'>): string[] {
  const o = t.options ?? {};
  if (o.partition_of) return [o.partition_of];
  return o.inherits ? o.inherits.split(', ') : [];
}

const sameDefault = (a: ColumnIR | undefined, b: ColumnIR): boolean => JSON.stringify(a?.default ?? null) === JSON.stringify(b.default ?? null);

/**
 * CREATE TABLE for `t`, and what makes it what the IR says: a plain table as ever; a child
 * from its parents (`table` finds a target table by name), with its own columns, keys and
 * checks, and the defaults and NOT NULLs where its inherited columns differ from its parents'.
 */
export function createTableSql(t: TableIR, table: (name: string) => TableIR | undefined): string[] {
  const o = t.options ?? {};
  const by = o.partition_by ? ` PARTITION BY ${o.partition_by}` : '';
  const parents = parentsOf(t);
  if (parents.length === 0) return [postgresCreateTableSql(t) + by];
  const inherited = new Map<string, ColumnIR>();
  for (const p of parents) for (const c of table(p)?.columns ?? []) if (!inherited.has(c.name)) inherited.set(c.name, c);
  const own = [
    ...(t.primaryKey ? [primaryKeySql(t.primaryKey)] : []),
    ...t.uniques.map(uniqueSql),
    ...(t.checks ?? []).map(postgresCheckSql),
  ];
  const out: string[] = [];
  const alter = (c: ColumnIR): string => `ALTER TABLE ${qt(t.name)} ALTER COLUMN ${q(c.name)}`;
  if (o.partition_of) {
    const keys = own.length ? ` (\n  ${own.join(',\n  ')}\n)` : '';
    out.push(`CREATE TABLE ${qt(t.name)} PARTITION OF ${qt(o.partition_of)}${keys} ${o.partition_bound ?? 'DEFAULT'}${by}`);
  } else {
    const columns = t.columns.filter((c) => !inherited.has(c.name)).map(postgresColumnSql);
    const lines = [...columns, ...own];
    out.push(`CREATE TABLE ${qt(t.name)} (${lines.length ? `\n  ${lines.join(',\n  ')}\n` : ''}) INHERITS (${parents.map(qt).join(', ')})${by}`);
  }
  for (const c of t.columns) {
    const from = inherited.get(c.name);
    if (!from) continue;
    if (!sameDefault(from, c) && !c.generated) out.push(c.default ? `${alter(c)} SET DEFAULT ${postgresDefaultSql(c.default)}` : `${alter(c)} DROP DEFAULT`);
    if (!c.nullable && from.nullable) out.push(`${alter(c)} SET NOT NULL`);
  }
  return out;
}

/**
 * The order to create tables in: a parent before its children (the others as they come).
 */
export function parentsFirst(tables: readonly TableIR[]): TableIR[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const out: TableIR[] = [];
  const seen = new Set<string>();
  const visit = (t: TableIR): void => {
    if (seen.has(t.name)) return;
    seen.add(t.name);
    for (const p of parentsOf(t)) { const pt = byName.get(p); if (pt) visit(pt); }
    out.push(t);
  };
  for (const t of tables) visit(t);
  return out;
}

/** The order to drop tables in: children before their parents. */
export function childrenFirst(tables: readonly TableIR[]): TableIR[] {
  return parentsFirst(tables).reverse();
}

/**
 * Statements taking table `table`'s lineage from `from` to `to` in place: a partition detached
 * from its old parent or attached to its new one (with its bound), INHERITS parents removed
 * and added. A partitioned table's key cannot change in place.
 * @throws EvolveError `E_UNSUPPORTED` for a new partition key, or an option PostgreSQL tables do not have.
 */
export function alterLineageSql(table: string, from: Readonly<Record<string, string>>, to: Readonly<Record<string, string>>): string[] {
  for (const k of [...Object.keys(from), ...Object.keys(to)]) {
    if (!LINEAGE_OPTIONS.includes(k)) {
      throw new EvolveError(ErrorCode.Unsupported, `PostgreSQL tables have no storage options Evolve manages (table ${table}).`, {
        hint: 'Remove the option from the desired schema.',
      });
    }
  }
  if ((from.partition_by ?? null) !== (to.partition_by ?? null)) {
    throw new EvolveError(ErrorCode.Unsupported,
      `Table ${table} would change its partitioning (${from.partition_by ?? 'none'} → ${to.partition_by ?? 'none'}); PostgreSQL cannot do that in place.`, {
        hint: `Create a new table partitioned as wanted, move the rows, and drop ${table} (or keep its partitioning in the desired schema).`,
      });
  }
  const out: string[] = [];
  const moved = from.partition_of !== to.partition_of || from.partition_bound !== to.partition_bound;
  if (from.partition_of && moved) out.push(`ALTER TABLE ${qt(from.partition_of)} DETACH PARTITION ${qt(table)}`);
  const was = parentsOf({ options: { inherits: from.inherits ?? '' } });
  const will = parentsOf({ options: { inherits: to.inherits ?? '' } });
  for (const p of was) if (!will.includes(p)) out.push(`ALTER TABLE ${qt(table)} NO INHERIT ${qt(p)}`);
  for (const p of will) if (!was.includes(p)) out.push(`ALTER TABLE ${qt(table)} INHERIT ${qt(p)}`);
  if (to.partition_of && moved) out.push(`ALTER TABLE ${qt(to.partition_of)} ATTACH PARTITION ${qt(table)} ${to.partition_bound ?? 'DEFAULT'}`);
  return out;
}

/** What a column change is about, for matching a child's change with its parent's. */
function columnOf(c: Change): string | null {
  switch (c.kind) {
    case 'addColumn': case 'dropColumn': return c.column.name;
    case 'renameColumn': return c.to;
    case 'alterColumn': return c.to.name;
    default: return null;
  }
}

/**
 * The column changes of children that their parents' changes carry out (PostgreSQL carries
 * a column added, dropped, renamed or retyped in a parent to its children): left out of the
 * plan. A child's own default or NOT NULL stays its own change. `table` finds a target table.
 */
export function carriedByParent(changes: readonly Change[], table: (name: string) => TableIR | undefined): Set<Change> {
  const keyOf = (c: Change): string | null => {
    const col = columnOf(c);
    if (col === null) return null;
    if (c.kind === 'alterColumn' && !c.changed.type) return null;
    return `${c.kind}\0${'table' in c && typeof c.table === 'string' ? c.table : ''}\0${col}`;
  };
  const keys = new Set(changes.map(keyOf).filter((k): k is string => k !== null));
  const out = new Set<Change>();
  for (const c of changes) {
    const col = columnOf(c);
    if (col === null || !('table' in c) || typeof c.table !== 'string') continue;
    const parents = parentsOf(table(c.table) ?? {});
    if (parents.length === 0) continue;
    if (c.kind === 'alterColumn' && !c.changed.type) continue;
    if (parents.some((p) => keys.has(`${c.kind}\0${p}\0${col}`))) out.add(c);
  }
  return out;
}
