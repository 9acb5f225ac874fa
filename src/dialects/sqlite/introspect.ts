/**
 * SQLite introspection: four catalog queries, whatever the number of tables (pragma
 * table-valued functions aggregated as JSON per sqlite_schema row). CHECK constraints, generated-column
 * expressions and column collations live only in the CREATE TABLE text (see create-table-parse.ts); views, triggers
 * and indexes that are more than a list of columns are kept as objects with their own SQL.
 */
import type {
  ColumnIR, ColumnType, DefaultValue, ForeignKeyIR, GeneratedIR, IndexIR, ObjectIR, ReferentialAction, SchemaIR, TableIR, UniqueIR, UnmanagedIR,
} from '../../ir/schema.js';
import { deepFreeze } from '../../ir/schema.js';
import { normaliseTypeText, parseDslTypeName } from '../../ir/types.js';
import { eachRow, type Connection, type Row } from '../connection.js';
import { normaliseDefault, parseDefaultSql } from '../shared/defaults.js';
import { parseCreateTable, squeezeSql } from './create-table-parse.js';
import { sqliteSql } from './sql-builder.js';
import { sqliteColumnType, sqliteIndexWhere, sqliteNullable } from './normalise.js';

/** A declared SQLite type as a column type: the DSL's names map back; anything else stays raw. */
export function parseSqliteType(declared: string): ColumnType {
  // Declared types repeat across thousands of columns: one frozen object per spelling.
  let type = sqliteTypeCache.get(declared);
  if (type === undefined) {
    const t = normaliseTypeText(declared);
    type = Object.freeze(t === 'blob' ? { kind: 'bytes' as const } : parseDslTypeName(t) ?? { kind: 'raw' as const, sql: t });
    if (sqliteTypeCache.size > 10_000) sqliteTypeCache.clear();
    sqliteTypeCache.set(declared, type);
  }
  return type;
}
const sqliteTypeCache = new Map<string, ColumnType>();
const NO_NAMES: readonly string[] = Object.freeze([]);

function action(a: unknown): ReferentialAction {
  const s = String(a ?? 'NO ACTION').toLowerCase();
  return (['no action', 'restrict', 'cascade', 'set null', 'set default'] as const).find((x) => x === s) ?? 'no action';
}

/** Text after the top-level WHERE of a CREATE INDEX statement. */
function partialPredicate(sql: string | null): string | null {
  if (!sql) return null;
  const m = /\)\s*where\s+([\s\S]*)$/i.exec(sql);
  return m ? m[1]!.trim().replace(/\s+/g, ' ') : null;
}

/** Views and triggers (as objects) and virtual tables (unmanaged) from their sqlite_schema rows. */
function readOthers(others: Row[], objects: ObjectIR[], unmanaged: UnmanagedIR[]): void {
  for (const o of others) {
    const name = String(o.name);
    const sql = String(o.sql ?? '');
    if (o.type === 'view') {
      objects.push({ kind: 'view', name, table: null, definition: squeezeSql(sql), create: [sql], drop: [`DROP VIEW ${sqliteSql.ident(name)}`] });
    } else if (o.type === 'trigger') {
      objects.push({
        kind: 'trigger', name, table: String(o.tbl), definition: squeezeSql(sql), create: [sql], drop: [`DROP TRIGGER ${sqliteSql.ident(name)}`],
      });
    } else unmanaged.push({ kind: 'virtual table', name });
  }
}

/**
 * The columns of a table from its pragma_table_xinfo rows, normalised and frozen; `defaultCache`
 * holds one frozen default per (column type, default text) across tables.
 */
function readColumns(
  rows: readonly ColRow[], pk: readonly string[], hasAutoinc: boolean, generatedOf: ReadonlyMap<string, GeneratedIR>,
  collationOf: ReadonlyMap<string, string>, defaultCache: Map<ColumnType, Map<unknown, DefaultValue | null>>,
): ColumnIR[] {
  const columns: ColumnIR[] = [];
  // (Indexed loops over the rows here: a command runs them once, in V8's interpreter, where
  // for…of's iterator costs a good part of the work.)
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const cname = String(r[C_NAME]);
    const hidden = Number(r[C_HIDDEN]);
    const autoIncrement = hasAutoinc && pk[0] === cname;
    const type = sqliteColumnType(parseSqliteType(String(r[C_TYPE] ?? '')), autoIncrement);
    const nullable = sqliteNullable(cname, type, Number(r[C_NOTNULL]) === 0, pk);
    let byText = defaultCache.get(type);
    if (byText === undefined) defaultCache.set(type, byText = new Map());
    const text = r[C_DFLT] ?? null;
    let dflt = byText.get(text);
    if (dflt === undefined) {
      const d = normaliseDefault(type, parseDefaultSql(text as string | null));
      dflt = d === null ? null : Object.freeze(d);
      byText.set(text, dflt);
    }
    const collation = collationOf.size ? collationOf.get(cname) : undefined;
    let column: ColumnIR;
    if (hidden >= 2) {
      const g = generatedOf.get(cname);
      const generated = Object.freeze({ ...(g ?? { expression: 'NULL', stored: hidden === 3 }), stored: hidden === 3 });
      column = { name: cname, type, nullable, default: dflt, autoIncrement, generated };
    } else {
      column = { name: cname, type, nullable, default: dflt, autoIncrement };
    }
    columns.push(Object.freeze(collation === undefined ? column : { ...column, collation }));
  }
  return columns;
}

/**
 * The unique constraints and plain indexes of table `table` from its pragma_index_xinfo rows,
 * frozen; indexes that are more than a list of columns go to `objects` as their statement.
 */
function readIndexes(
  table: string, rows: readonly IdxRow[], collationOf: ReadonlyMap<string, string>, indexSql: (name: string) => string | null, objects: ObjectIR[],
): { uniques: UniqueIR[]; indexes: IndexIR[] } {
  const uniques: UniqueIR[] = [];
  const indexes: IndexIR[] = [];
  const groups = new Map<string, IdxRow[]>();
  for (let i = 0; i < rows.length; i++) { const r = rows[i]!; const k = String(r[I_NAME]); (groups.get(k) ?? groups.set(k, []).get(k)!).push(r); }
  // In the order of their names (what ORDER BY name gives: SQLite's BINARY order), keys in key order.
  const names = [...groups.keys()];
  if (names.length > 1) names.sort(binaryOrder);
  for (const iname of names) {
    const rs = groups.get(iname)!;
    if (rs.length > 1) rs.sort((a, b) => Number(a[I_SEQNO]) - Number(b[I_SEQNO]));
    const first = rs[0]!;
    const origin = first[I_ORIGIN];
    if (origin === 'pk') continue;
    // A key takes its column's collation unless the index names another.
    const plain = rs.every((r) => Number(r[I_CID]) >= 0 && Number(r[I_DESC]) === 0
      && String(r[I_COLL]).toLowerCase() === (collationOf.get(String(r[I_COL])) ?? 'binary'));
    const sql = origin === 'u' ? null : indexSql(iname);
    if (!plain && origin !== 'u' && sql) {
      // Expression keys, DESC or a collation of its own: kept as the statement that made it.
      objects.push({ kind: 'index', name: iname, table, definition: squeezeSql(sql), create: [sql], drop: [`DROP INDEX ${sqliteSql.ident(iname)}`] });
      continue;
    }
    const columnsOf = Object.freeze(rs.map((r) => String(r[I_COL])));
    if (origin === 'u') uniques.push(Object.freeze({ name: iname, columns: columnsOf }));
    else {
      const where = sqliteIndexWhere(Number(first[I_PARTIAL]) === 1 ? partialPredicate(sql) : null);
      indexes.push(Object.freeze({ name: iname, columns: columnsOf, unique: Number(first[I_UNIQUE]) === 1, where }));
    }
  }
  return { uniques, indexes };
}

/**
 * SQLite's BINARY order (memcmp of UTF-8) for JavaScript strings: UTF-16 order, but for a
 * surrogate (a character beyond U+FFFF) against U+E000–U+FFFF, which UTF-8 puts the other way.
 */
export function binaryOrder(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

/**
 * The foreign keys of a table from its pragma_foreign_key_list rows, frozen; a reference without
 * columns to one of `tableNames` gets that table's primary key (`pkColumnsOf`).
 */
function readForeignKeys(rows: readonly FkRow[], tableNames: ReadonlySet<string>, pkColumnsOf: (table: string) => readonly string[]): ForeignKeyIR[] {
  const fkGroups = new Map<number, FkRow[]>();
  for (let i = 0; i < rows.length; i++) { const r = rows[i]!; const k = Number(r[F_ID]); (fkGroups.get(k) ?? fkGroups.set(k, []).get(k)!).push(r); }
  // In the order of their ids, each in key order (what ORDER BY id, seq gives).
  const ids = [...fkGroups.keys()];
  if (ids.length > 1) ids.sort((a, b) => a - b);
  const foreignKeys: ForeignKeyIR[] = [];
  for (const id of ids) {
    const rs = fkGroups.get(id)!;
    if (rs.length > 1) rs.sort((a, b) => Number(a[F_SEQ]) - Number(b[F_SEQ]));
    const refTable = String(rs[0]![F_REF]);
    // An omitted target column list means the referenced table's primary key.
    let refColumns: readonly string[] = rs.map((r) => (r[F_REFCOL] === null ? '' : String(r[F_REFCOL])));
    if (refColumns.some((c) => c === '') && tableNames.has(refTable)) {
      const target = pkColumnsOf(refTable);
      if (target.length) refColumns = target;
    }
    foreignKeys.push(Object.freeze({
      name: null,
      columns: Object.freeze(rs.map((r) => String(r[F_COL]))),
      refTable,
      refColumns: Object.isFrozen(refColumns) ? refColumns : Object.freeze(refColumns),
      onDelete: action(rs[0]![F_ON_DELETE]),
      onUpdate: action(rs[0]![F_ON_UPDATE]),
    }));
  }
  return foreignKeys;
}

/** A pragma_table_xinfo row as the catalog query gives it (a JSON array). */
type ColRow = readonly unknown[];
const C_NAME = 0, C_TYPE = 1, C_NOTNULL = 2, C_DFLT = 3, C_PK = 4, C_HIDDEN = 5;
/** A pragma_index_list × pragma_index_xinfo row (key columns only). */
type IdxRow = readonly unknown[];
const I_NAME = 0, I_UNIQUE = 1, I_ORIGIN = 2, I_PARTIAL = 3, I_SEQNO = 4, I_CID = 5, I_COL = 6, I_DESC = 7, I_COLL = 8;
/** A pragma_foreign_key_list row. */
type FkRow = readonly unknown[];
const F_ID = 0, F_SEQ = 1, F_REF = 2, F_COL = 3, F_REFCOL = 4, F_ON_UPDATE = 5, F_ON_DELETE = 6;

/**
 * One row per table, its columns, index keys and foreign keys as JSON arrays of the rows the
 * pragmas give (arrays, not objects: half the text to build and parse; in the pragmas' own
 * order, put in key order by the readers): one pass over the catalog instead of a query per
 * pragma. The views, triggers and virtual tables come in the same query, as rows without the
 * arrays (`others`), all in name order.
 */
function catalogSql(tableFilter: string): string {
  return `SELECT m.type AS type, m.name AS name, m.tbl_name AS tbl, m.sql AS sql,
       (SELECT json_group_array(json_array(p.name, p.type, p."notnull", p.dflt_value, p.pk, p.hidden))
        FROM pragma_table_xinfo(m.name) p WHERE p.hidden IN (0, 2, 3)) AS cols,
       (SELECT json_group_array(json_array(il.name, il."unique", il.origin, il.partial, ii.seqno, ii.cid, ii.name, ii."desc", ii.coll))
        FROM pragma_index_list(m.name) il JOIN pragma_index_xinfo(il.name) ii WHERE ii.key = 1) AS idx,
       (SELECT json_group_array(json_array(f.id, f.seq, f."table", f."from", f."to", f.on_update, f.on_delete))
        FROM pragma_foreign_key_list(m.name) f) AS fks
     FROM sqlite_schema m WHERE ${tableFilter}
     UNION ALL
     SELECT type, name, tbl_name, sql, NULL, NULL, NULL FROM sqlite_schema
     WHERE (type IN ('view', 'trigger') OR (type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%')) AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
     ORDER BY name`;
}

/** A table's catalog row, parsed: what {@link buildTable} makes its IR from. */
interface TableRows {
  readonly name: string;
  readonly createSql: string;
  readonly cols: ColRow[];
  readonly keys: IdxRow[];
  readonly fks: FkRow[];
  readonly pk: readonly string[];
}

/** Primary-key columns of a table, in key order, from its column rows (frozen). */
function pkOf(cols: readonly ColRow[]): readonly string[] {
  const rows = cols.filter((r) => Number(r[C_PK]) > 0).sort((a, b) => Number(a[C_PK]) - Number(b[C_PK]));
  return rows.length ? Object.freeze(rows.map((r) => String(r[C_NAME]))) : NO_NAMES;
}

/** Does a table need its indexes' statements: a partial index, or one that is more than a list of columns (expression keys, DESC, a collation)? */
function needsIndexSql(t: TableRows): boolean {
  const collates = /collate/i.test(t.createSql);
  return t.keys.some((k) => k[I_ORIGIN] === 'c' && (Number(k[I_PARTIAL]) === 1 || Number(k[I_CID]) < 0 || Number(k[I_DESC]) !== 0
    || collates || String(k[I_COLL]).toLowerCase() !== 'binary'));
}

/** What building a table needs beyond its own rows. */
interface TableContext {
  readonly listed: ReadonlyMap<string, Row>;
  readonly indexSql: (name: string) => string | null;
  readonly tableNames: ReadonlySet<string>;
  readonly pkColumnsOf: (table: string) => readonly string[];
  readonly defaultCache: Map<ColumnType, Map<unknown, DefaultValue | null>>;
}

/**
 * One table's IR, built normalised (normaliseSqlite's rules, through its functions: see
 * normalise.ts) and frozen as it is built, bottom-up; the indexes kept as statements go to `objects`.
 */
function buildTable(t: TableRows, ctx: TableContext, objects: ObjectIR[]): TableIR {
  const hasAutoinc = t.pk.length === 1 && /\bautoincrement\b/i.test(t.createSql);
  const parsed = parseCreateTable(t.createSql);
  const columns = readColumns(t.cols, t.pk, hasAutoinc, parsed.generated, parsed.collations, ctx.defaultCache);
  const { uniques, indexes } = readIndexes(t.name, t.keys, parsed.collations, ctx.indexSql, objects);
  const foreignKeys = readForeignKeys(t.fks, ctx.tableNames, ctx.pkColumnsOf);
  const options: Record<string, string> = {};
  const flags = ctx.listed.get(t.name);
  if (Number(flags?.strict) === 1) options.strict = 'true';
  if (Number(flags?.wr) === 1) options.without_rowid = 'true';
  const table: TableIR = {
    name: t.name, columns: Object.freeze(columns),
    primaryKey: t.pk.length ? Object.freeze({ name: null, columns: t.pk }) : null,
    uniques: Object.freeze(uniques), indexes: Object.freeze(indexes), foreignKeys: Object.freeze(foreignKeys),
    ...(parsed.checks.length ? { checks: parsed.checks } : {}),
    ...(Object.keys(options).length ? { options } : {}),
  };
  return table.checks || table.options ? deepFreeze(table) : Object.freeze(table);
}

/**
 * Read the live schema of the main database (normalised, frozen). Each table is built as its
 * catalog row is stepped, and the row dropped (never all rows held at once: they die young);
 * a table that needs what only the whole catalog gives — its indexes' statements, or the
 * primary key of a table it references without naming columns — is built after the rest.
 */
export async function introspectSqlite(conn: Connection): Promise<SchemaIR> {
  // Virtual tables are left out in SQL; their shadow tables (real tables SQLite manages for
  // them) by name, from one read of pragma_table_list — joining it per table would be quadratic.
  const tableFilter = `m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND m.sql NOT LIKE 'CREATE VIRTUAL TABLE%'`;
  const list = await conn.query(`SELECT name, type, strict, wr FROM pragma_table_list WHERE schema = 'main'`);
  const shadow = new Set(list.filter((r) => r.type === 'shadow' || r.type === 'virtual').map((r) => String(r.name)));
  const pks = new Map<string, readonly string[]>();
  const names: string[] = [];
  const ctx: TableContext = {
    listed: new Map(list.map((r) => [String(r.name), r])),
    indexSql: () => null,
    tableNames: new Set(),
    pkColumnsOf: (table) => pks.get(table) ?? NO_NAMES,
    // Defaults repeat: one frozen value per (column type, default text).
    defaultCache: new Map(),
  };
  const out: (TableIR | undefined)[] = [];
  // The objects of each table (its indexes kept as statements), in table order.
  const tableObjects: ObjectIR[][] = [];
  const later: { at: number; rows: TableRows }[] = [];
  const others: Row[] = [];
  await eachRow(conn, catalogSql(tableFilter), [], (r) => {
    if (r.cols === null) { others.push(r); return; }
    const name = String(r.name);
    if (shadow.has(name)) return;
    const cols = JSON.parse(String(r.cols)) as ColRow[];
    const rows: TableRows = {
      name, createSql: String(r.sql ?? ''), cols, keys: JSON.parse(String(r.idx)) as IdxRow[], fks: JSON.parse(String(r.fks)) as FkRow[], pk: pkOf(cols),
    };
    pks.set(name, rows.pk);
    names.push(name);
    const at = out.length;
    out.push(undefined);
    tableObjects.push([]);
    // An omitted target column list means the referenced table's primary key: known once every table is read.
    if (needsIndexSql(rows) || rows.fks.some((f) => f[F_REFCOL] === null)) later.push({ at, rows });
    else out[at] = buildTable(rows, ctx, tableObjects[at]!);
  });
  if (later.length) {
    // Index statements are read only for the indexes that need theirs.
    const indexSqlOf = !later.some((x) => needsIndexSql(x.rows)) ? undefined
      : new Map((await conn.query(`SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL`)).map((r) => [String(r.name), r.sql]));
    const whole: TableContext = {
      ...ctx,
      indexSql: (name) => { const v = indexSqlOf?.get(name); return v === undefined || v === null ? null : String(v); },
      tableNames: new Set(names),
    };
    for (const { at, rows } of later) out[at] = buildTable(rows, whole, tableObjects[at]!);
  }
  // Views, triggers and virtual tables by type, then name (a stable sort of rows in name order), before the tables' own objects.
  others.sort((a, b) => (String(a.type) < String(b.type) ? -1 : String(a.type) > String(b.type) ? 1 : 0));
  const objects: ObjectIR[] = [];
  const unmanaged: UnmanagedIR[] = [];
  readOthers(others, objects, unmanaged);
  for (const o of tableObjects) objects.push(...o);
  return deepFreeze({
    dialect: 'sqlite', tables: out as TableIR[],
    ...(objects.length ? { objects } : {}),
    ...(unmanaged.length ? { unmanaged } : {}),
  } satisfies SchemaIR);
}
