/**
 * Hazards of a diff, generic over dialects: each becomes a data check (a count query built
 * with the dialect's quoting) that `sql` and `apply` run before anything changes.
 */
import type { Change } from '../diff/changes.js';
import type { Diff } from '../diff/differ.js';
import type { ColumnIR, TableIR } from '../ir/schema.js';
import { tableNamed } from '../ir/schema.js';
import { typeToString } from '../ir/types.js';
import { assertNever } from '../errors.js';
import { HazardCode, type DataCheck } from './plan.js';
import { lossyFix, lossyRule } from './lossy.js';

/**
 * What the data checks need of a dialect (a `Dialect` is one): its quoting, and its predicate
 * for the values of a column that would not survive a type change.
 */
export interface CheckDialect {
  readonly sql: { ident(name: string): string; table(name: string): string };
  lossyValuePredicate(column: string, from: ColumnIR, to: ColumnIR): string | null | undefined;
}

/** True when every value of `from` fits `to` whatever the dialect (a widening). */
export function isWidening(from: ColumnIR, to: ColumnIR): boolean {
  const a = from.type;
  const b = to.type;
  if (typeToString(a) === typeToString(b)) return true;
  if (b.kind === 'text') return a.kind !== 'bytes';
  if (a.kind === 'integer' && (b.kind === 'bigint' || b.kind === 'real')) return true;
  if (a.kind === 'varchar' && b.kind === 'varchar') return b.length >= a.length;
  if (a.kind === 'decimal' && b.kind === 'decimal') return b.scale >= a.scale && b.precision - b.scale >= a.precision - a.scale;
  return false;
}

/** One example row of a data check as text: its one value, or its values in parentheses. */
export function exampleOf(row: Record<string, unknown>): string {
  const values = Object.values(row).map((v) => String(v));
  return values.length === 1 ? values[0]! : `(${values.join(', ')})`;
}

/** Data checks for the hazards of a diff. */
export function dataChecks(diff: Diff, dialect: CheckDialect): DataCheck[] {
  const q = dialect.sql;
  const checks: DataCheck[] = [];
  const live = (table: string): string => diff.liveName.get(table) ?? table;
  for (const c of diff.changes) {
    switch (c.kind) {
      case 'dropTable':
        checks.push({
          hazard: { code: HazardCode.DropTable, severity: 'error', table: c.table.name, column: null, allowable: true,
            message: `dropping table ${c.table.name} deletes its rows`,
            fix: `keep the table in the models, list its old name in aka if it was renamed, or pass --allow-data-loss` },
          countSql: `SELECT count(*) AS n FROM ${q.table(c.table.name)}`, change: c,
        });
        break;
      case 'dropColumn':
        if (c.column.generated) break; // computed from other columns: nothing of its own is lost
        checks.push({
          hazard: { code: HazardCode.DropColumn, severity: 'error', table: c.table, column: c.column.name, allowable: true,
            message: `dropping column ${c.table}.${c.column.name} deletes its values`,
            fix: `if the column was renamed, add .aka('${c.column.name}') to the new column; otherwise pass --allow-data-loss` },
          countSql: `SELECT count(*) AS n FROM ${q.table(live(c.table))} WHERE ${q.ident(c.column.name)} IS NOT NULL`, change: c,
        });
        break;
      case 'addColumn':
        if (!c.column.nullable && c.column.default === null && !c.column.autoIncrement) {
          checks.push({
            hazard: { code: HazardCode.AddNotNullWithoutDefault, severity: 'error', table: c.table, column: c.column.name, allowable: false,
              message: `new NOT NULL column ${c.table}.${c.column.name} has no default, and the table has rows`,
              fix: `give the column a default, or make it nullable, fill it, then make it NOT NULL` },
            countSql: `SELECT count(*) AS n FROM ${q.table(live(c.table))}`, change: c,
          });
        }
        break;
      case 'alterColumn':
        checks.push(...alterColumnChecks(c, dialect, live(c.table)));
        break;
      case 'addUnique': {
        const liveTable = liveTableNamed(diff, live(c.table));
        const liveCols = c.unique.columns.map((x) => liveColumn(diff, c.table, x));
        if (!liveTable || liveCols.some((x) => !liveTable.columns.some((lc) => lc.name === x))) break;
        const cols = liveCols.map((x) => q.ident(x));
        checks.push({
          hazard: { code: HazardCode.UniqueWithDuplicates, severity: 'error', table: c.table, column: c.unique.columns.join(', '), allowable: false,
            message: `unique (${c.unique.columns.join(', ')}) on ${c.table} but some values repeat`,
            fix: 'remove the duplicates first' },
          countSql: `SELECT count(*) AS n FROM (SELECT 1 AS x FROM ${q.table(live(c.table))} WHERE ${cols.map((x) => `${x} IS NOT NULL`).join(' AND ')}` +
            ` GROUP BY ${cols.join(', ')} HAVING count(*) > 1) d`,
          change: c,
        });
        break;
      }
      case 'addCheck': {
        const liveTable = liveTableNamed(diff, live(c.table));
        if (!liveTable) break; // a new table has no rows
        const rows = checkedRows(diff, dialect, c.table, liveTable, c.check.expression);
        if (rows === null) break; // it names a new column: NULL or its default, which the database checks as it adds the check
        checks.push({
          hazard: { code: HazardCode.CheckViolated, severity: 'error', table: c.table, column: null, allowable: false,
            message: `check (${c.check.expression}) on ${c.table} but some rows break it`,
            fix: 'update or delete the rows that break the check first' },
          countSql: `SELECT count(*) AS n FROM ${rows} WHERE NOT (${c.check.expression})`, change: c,
        });
        break;
      }
      case 'addForeignKey': {
        const check = orphanCheck(diff, dialect, c);
        if (check) checks.push(check);
        break;
      }
      case 'createTable': case 'renameTable': case 'renameColumn': case 'addIndex': case 'dropIndex':
      case 'dropUnique': case 'alterPrimaryKey': case 'dropForeignKey':
      case 'dropCheck': case 'alterTableOptions': case 'createObject': case 'dropObject': case 'replaceObject':
        break;
      default: assertNever(c, 'change');
    }
  }
  return checks;
}

/**
 * Data checks of a column change on the live table `liveTable`: NULLs in a column that becomes
 * NOT NULL, values that a narrowing type change would not keep.
 */
function alterColumnChecks(c: Extract<Change, { kind: 'alterColumn' }>, dialect: CheckDialect, liveTable: string): DataCheck[] {
  const q = dialect.sql;
  const checks: DataCheck[] = [];
  const col = q.ident(c.from.name);
  const tbl = q.table(liveTable);
  if (c.changed.nullable && !c.to.nullable) {
    const filled = c.to.default !== null;
    checks.push({
      hazard: { code: HazardCode.NotNullWithNulls, severity: 'error', table: c.table, column: c.to.name, allowable: filled,
        message: `${c.table}.${c.to.name} becomes NOT NULL but holds NULLs`,
        fix: filled
          ? 'update the NULLs first, or pass --allow-data-loss to replace them with the default'
          : 'update the NULLs first, or give the column a default (NULLs are then replaced by it with --allow-data-loss)' },
      countSql: `SELECT count(*) AS n FROM ${tbl} WHERE ${col} IS NULL`, change: c,
    });
  }
  if (c.changed.type && !isWidening(c.from, c.to)) {
    const pred = dialect.lossyValuePredicate(col, c.from, c.to);
    const change = `${typeToString(c.from.type)} → ${typeToString(c.to.type)}`;
    if (pred === undefined) {
      checks.push({
        hazard: { code: HazardCode.LossyTypeChange, table: c.table, column: c.to.name, allowable: true, severity: 'warning',
          message: `${c.table}.${c.to.name} changes type ${change}; Evolve cannot check which values convert`,
          fix: 'check the values convert: the database converts them its own way, or refuses the change' },
        countSql: `SELECT count(*) AS n FROM ${tbl} WHERE ${col} IS NOT NULL`, change: c,
      });
    } else if (pred !== null) {
      const rule = lossyRule(c.from, c.to);
      const what = rule.kind === 'cut' ? `some values are longer than ${rule.length} characters`
        : rule.kind === 'null' ? 'some values would not convert' : 'some values would not convert, and the column becomes NOT NULL';
      checks.push({
        hazard: { code: HazardCode.LossyTypeChange, table: c.table, column: c.to.name, allowable: rule.kind !== 'refuse', severity: 'error',
          message: `${c.table}.${c.to.name} changes type ${change} and ${what}`, fix: lossyFix(rule, c.table, c.to.name) },
        countSql: `SELECT count(*) AS n FROM ${tbl} WHERE ${col} IS NOT NULL AND (${pred})`,
        examplesSql: `SELECT ${col} AS v FROM ${tbl} WHERE ${col} IS NOT NULL AND (${pred}) LIMIT 5`,
        change: c,
      });
    }
  }
  return checks;
}

/** Per diff (not changed once made): live tables by name, column renames by table and new name. */
const indexes = new WeakMap<Diff, { tables: Map<string, TableIR>; renamed: Map<string, string> }>();
function indexOf(diff: Diff): { tables: Map<string, TableIR>; renamed: Map<string, string> } {
  let ix = indexes.get(diff);
  if (!ix) {
    const tables = new Map<string, TableIR>();
    for (const t of diff.from.tables) if (!tables.has(t.name)) tables.set(t.name, t);
    const renamed = new Map<string, string>();
    for (const r of diff.renames) {
      const key = `${r.kind === 'column' ? r.table : ''}\u0000${r.to}`;
      if (r.kind === 'column' && !renamed.has(key)) renamed.set(key, r.from);
    }
    ix = { tables, renamed };
    indexes.set(diff, ix);
  }
  return ix;
}

/** A live table by its live name. */
function liveTableNamed(diff: Diff, name: string): TableIR | undefined {
  return indexOf(diff).tables.get(name);
}

/** The live name of a target column of a target table (through the diff's column renames). */
function liveColumn(diff: Diff, table: string, column: string): string {
  return indexOf(diff).renamed.get(`${table}\u0000${column}`) ?? column;
}

/**
 * The rows a new CHECK on the existing table `table` will judge, as a FROM item: the live table,
 * or — where the plan renames columns of it — the live table with those columns under their new
 * names (the expression names the new ones). Null when the expression names a column the plan
 * adds: that column holds only NULL or its default, so there is nothing of the live rows to count.
 */
function checkedRows(diff: Diff, dialect: CheckDialect, table: string, liveTable: TableIR, expression: string): string | null {
  const q = dialect.sql;
  const target = tableNamed(diff.to, table);
  const liveCols = new Set(liveTable.columns.map((x) => x.name));
  const renamedAway = new Set(diff.renames.filter((r) => r.kind === 'column' && r.table === table && r.from !== r.to).map((r) => r.from));
  const pairs = (target?.columns ?? []).map((col) => ({ to: col.name, from: liveColumn(diff, table, col.name) }));
  const isNew = (p: { to: string; from: string }): boolean => !liveCols.has(p.from) || (p.from === p.to && renamedAway.has(p.from));
  if (pairs.some((p) => isNew(p) && mentions(expression, p.to))) return null;
  const kept = pairs.filter((p) => !isNew(p));
  if (!kept.some((p) => p.from !== p.to)) return q.table(liveTable.name);
  const select = kept.map((p) => (p.from === p.to ? q.ident(p.to) : `${q.ident(p.from)} AS ${q.ident(p.to)}`)).join(', ');
  return `(SELECT ${select} FROM ${q.table(liveTable.name)}) ${q.ident('evolve_rows')}`;
}

/**
 * Might `expression` name the column `name`? A plain name as a whole word (any case); any other
 * name wherever its text, or its text with quotes doubled, appears. Errs towards yes.
 */
function mentions(expression: string, name: string): boolean {
  const text = expression.toLowerCase();
  const n = name.toLowerCase();
  if (/^[a-z_][a-z0-9_$]*$/.test(n)) return new RegExp(`(^|[^a-z0-9_$])${n.replace(/\$/g, '\\$')}([^a-z0-9_$]|$)`).test(text);
  return [n, n.replace(/"/g, '""'), n.replace(/`/g, '``')].some((v) => text.includes(v));
}

/**
 * A new foreign key on an existing table: the rows whose key columns are all set but match no
 * row of the referenced table (a new referenced table has none) make the constraint fail.
 */
function orphanCheck(diff: Diff, dialect: CheckDialect, c: Extract<Change, { kind: 'addForeignKey' }>): DataCheck | null {
  const q = dialect.sql;
  const childLive = diff.liveName.get(c.table);
  const child = childLive === undefined ? undefined : liveTableNamed(diff, childLive);
  if (!child) return null; // a new table has no rows
  const fk = c.foreignKey;
  const cols = fk.columns.map((x) => liveColumn(diff, c.table, x));
  if (cols.some((x) => !child.columns.some((lc) => lc.name === x))) return null; // new columns: nothing set yet
  const parentLive = diff.liveName.get(fk.refTable);
  const parent = parentLive === undefined ? undefined : liveTableNamed(diff, parentLive);
  const refCols = fk.refColumns.map((x) => liveColumn(diff, fk.refTable, x));
  if (parent && refCols.some((x) => !parent.columns.some((lc) => lc.name === x))) return null;
  const ch = q.ident('evolve_child');
  const pa = q.ident('evolve_parent');
  const set = cols.map((x) => `${ch}.${q.ident(x)} IS NOT NULL`).join(' AND ');
  const orphan = parent
    ? `${set} AND NOT EXISTS (SELECT 1 FROM ${q.table(parent.name)} ${pa} WHERE ` +
      `${refCols.map((x, i) => `${pa}.${q.ident(x)} = ${ch}.${q.ident(cols[i]!)}`).join(' AND ')})`
    : set;
  const from = `${q.table(child.name)} ${ch} WHERE ${orphan}`;
  const target = `${fk.refTable} (${fk.refColumns.join(', ')})`;
  return {
    hazard: { code: HazardCode.ForeignKeyViolated, severity: 'error', table: c.table, column: fk.columns.join(', '), allowable: false,
      message: `new foreign key ${c.table} (${fk.columns.join(', ')}) → ${target}, but some rows reference no ${fk.refTable} row`,
      fix: `insert the missing ${fk.refTable} rows, or set those ${c.table}.${fk.columns.join(', ')} values to NULL (or delete the rows) first` },
    countSql: `SELECT count(*) AS n FROM ${from}`,
    examplesSql: `SELECT ${cols.map((x, i) => `${ch}.${q.ident(x)} AS ${q.ident(`v${i}`)}`).join(', ')} FROM ${from} LIMIT 5`,
    change: c,
  };
}
