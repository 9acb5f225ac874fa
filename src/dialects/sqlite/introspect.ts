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
import type { Connection, Row } from '../connection.js';
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
  rows: Row[], pk: readonly string[], hasAutoinc: boolean, generatedOf: ReadonlyMap<string, GeneratedIR>,
  collationOf: ReadonlyMap<string, string>, defaultCache: Map<ColumnType, Map<unknown, DefaultValue | null>>,
): ColumnIR[] {
  const columns: ColumnIR[] = [];
  for (const r of rows) {
    const cname = String(r.name);
    const hidden = Number(r.hidden);
    const autoIncrement = hasAutoinc && pk[0] === r.name;
    const type = sqliteColumnType(parseSqliteType(String(r.type ?? '')), autoIncrement);
    const nullable = sqliteNullable(cname, type, Number(r.nn) === 0, pk);
    let byText = defaultCache.get(type);
    if (byText === undefined) defaultCache.set(type, byText = new Map());
    let dflt = byText.get(r.dflt);
    if (dflt === undefined) {
      const d = normaliseDefault(type, parseDefaultSql(r.dflt as string | null));
      dflt = d === null ? null : Object.freeze(d);
      byText.set(r.dflt, dflt);
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
function readIndexes(table: string, rows: Row[], collationOf: ReadonlyMap<string, string>, objects: ObjectIR[]): { uniques: UniqueIR[]; indexes: IndexIR[] } {
  const uniques: UniqueIR[] = [];
  const indexes: IndexIR[] = [];
  const groups = new Map<string, Record<string, unknown>[]>();
  for (const r of rows) { const k = String(r.idx); (groups.get(k) ?? groups.set(k, []).get(k)!).push(r); }
  for (const [iname, rs] of groups) {
    const first = rs[0]!;
    if (first.origin === 'pk') continue;
    // A key takes its column's collation unless the index names another.
    const plain = rs.every((r) => Number(r.cid) >= 0 && Number(r.dsc) === 0
      && String(r.coll).toLowerCase() === (collationOf.get(String(r.col)) ?? 'binary'));
    if (!plain && first.origin !== 'u' && first.sql) {
      // Expression keys, DESC or a collation of its own: kept as the statement that made it.
      const sql = String(first.sql);
      objects.push({ kind: 'index', name: iname, table, definition: squeezeSql(sql), create: [sql], drop: [`DROP INDEX ${sqliteSql.ident(iname)}`] });
      continue;
    }
    const columnsOf = Object.freeze(rs.map((r) => String(r.col)));
    if (first.origin === 'u') uniques.push(Object.freeze({ name: iname, columns: columnsOf }));
    else {
      const where = sqliteIndexWhere(Number(first.partial) === 1 ? partialPredicate(first.sql as string | null) : null);
      indexes.push(Object.freeze({ name: iname, columns: columnsOf, unique: Number(first.uniq) === 1, where }));
    }
  }
  return { uniques, indexes };
}

/**
 * The foreign keys of a table from its pragma_foreign_key_list rows, frozen; a reference without
 * columns to one of `tableNames` gets that table's primary key (`pkColumnsOf`).
 */
function readForeignKeys(rows: Row[], tableNames: ReadonlySet<string>, pkColumnsOf: (table: string) => readonly string[]): ForeignKeyIR[] {
  const fkGroups = new Map<number, Record<string, unknown>[]>();
  for (const r of rows) { const k = Number(r.id); (fkGroups.get(k) ?? fkGroups.set(k, []).get(k)!).push(r); }
  const foreignKeys: ForeignKeyIR[] = [];
  for (const rs of fkGroups.values()) {
    const refTable = String(rs[0]!.ref);
    // An omitted target column list means the referenced table's primary key.
    let refColumns: readonly string[] = rs.map((r) => (r.refcol === null ? '' : String(r.refcol)));
    if (refColumns.some((c) => c === '') && tableNames.has(refTable)) {
      const target = pkColumnsOf(refTable);
      if (target.length) refColumns = target;
    }
    foreignKeys.push(Object.freeze({
      name: null,
      columns: Object.freeze(rs.map((r) => String(r.col))),
      refTable,
      refColumns: Object.isFrozen(refColumns) ? refColumns : Object.freeze(refColumns),
      onDelete: action(rs[0]!.on_delete),
      onUpdate: action(rs[0]!.on_update),
    }));
  }
  return foreignKeys;
}

/** Read the live schema of the main database (normalised, frozen). */
export async function introspectSqlite(conn: Connection): Promise<SchemaIR> {
  // Virtual tables are left out in SQL; their shadow tables (real tables SQLite manages for
  // them) by name, from one read of pragma_table_list — joining it per table would be quadratic.
  const tableFilter = `m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND m.sql NOT LIKE 'CREATE VIRTUAL TABLE%'`;
  const list = await conn.query(`SELECT name, type, strict, wr FROM pragma_table_list WHERE schema = 'main'`);
  const shadow = new Set(list.filter((r) => r.type === 'shadow' || r.type === 'virtual').map((r) => String(r.name)));
  const listed = new Map(list.map((r) => [String(r.name), r]));
  const keep = (rows: Row[], key = 'tbl'): Row[] => (shadow.size ? rows.filter((r) => !shadow.has(String(r[key]))) : rows);
  // One row per table, its columns, index keys and foreign keys as JSON arrays of the rows the
  // pragmas give (in key order): one pass over the catalog instead of a query per pragma.
  const tables = keep(await conn.query(
    `SELECT m.name AS name, m.sql AS sql,
       (SELECT json_group_array(json_object('cid', p.cid, 'name', p.name, 'type', p.type, 'nn', p."notnull", 'dflt', p.dflt_value, 'pk', p.pk,
          'hidden', p.hidden) ORDER BY p.cid) FROM pragma_table_xinfo(m.name) p WHERE p.hidden IN (0, 2, 3)) AS cols,
       (SELECT json_group_array(json_object('idx', il.name, 'uniq', il."unique", 'origin', il.origin, 'partial', il.partial, 'seqno', ii.seqno,
          'cid', ii.cid, 'col', ii.name, 'dsc', ii."desc", 'coll', ii.coll) ORDER BY il.name, ii.seqno)
        FROM pragma_index_list(m.name) il JOIN pragma_index_xinfo(il.name) ii WHERE ii.key = 1) AS idx,
       (SELECT json_group_array(json_object('id', f.id, 'seq', f.seq, 'ref', f."table", 'col', f."from", 'refcol', f."to",
          'on_update', f.on_update, 'on_delete', f.on_delete) ORDER BY f.id, f.seq) FROM pragma_foreign_key_list(m.name) f) AS fks
     FROM sqlite_schema m WHERE ${tableFilter} ORDER BY m.name`), 'name');
  const indexSql = new Map((await conn.query(`SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL`))
    .map((r) => [String(r.name), r.sql]));
  const colsBy = new Map<string, Row[]>();
  const idxBy = new Map<string, Row[]>();
  const fkBy = new Map<string, Row[]>();
  for (const t of tables) {
    const name = String(t.name);
    colsBy.set(name, JSON.parse(String(t.cols)) as Row[]);
    const keys = JSON.parse(String(t.idx)) as Row[];
    for (const k of keys) k.sql = indexSql.get(String(k.idx)) ?? null;
    idxBy.set(name, keys);
    fkBy.set(name, JSON.parse(String(t.fks)) as Row[]);
  }
  const others = await conn.query(
    `SELECT type, name, tbl_name AS tbl, sql FROM sqlite_schema WHERE (type IN ('view', 'trigger') OR (type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'))
     AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY type, name`);
  const objects: ObjectIR[] = [];
  const unmanaged: UnmanagedIR[] = [];
  readOthers(others, objects, unmanaged);

  // Primary-key columns of a table, in key order (also the target of a REFERENCES without columns).
  const pkCache = new Map<string, readonly string[]>();
  const pkColumnsOf = (table: string): readonly string[] => {
    let pk = pkCache.get(table);
    if (pk === undefined) {
      const rows = (colsBy.get(table) ?? []).filter((r) => Number(r.pk) > 0).sort((a, b) => Number(a.pk) - Number(b.pk));
      pk = rows.length ? Object.freeze(rows.map((r) => String(r.name))) : NO_NAMES;
      pkCache.set(table, pk);
    }
    return pk;
  };
  const tableNames = new Set(tables.map((t) => String(t.name)));
  // Defaults repeat too: one frozen value per (column type, default text).
  const defaultCache = new Map<ColumnType, Map<unknown, DefaultValue | null>>();

  // The IR is built here normalised (normaliseSqlite's rules, through its functions: see
  // normalise.ts) and frozen as it is built, bottom-up, so deepFreeze only walks the top.
  const out: TableIR[] = [];
  for (const t of tables) {
    const name = String(t.name);
    const createSql = String(t.sql ?? '');
    const rows = colsBy.get(name) ?? [];
    const pk = pkColumnsOf(name);
    const hasAutoinc = pk.length === 1 && /\bautoincrement\b/i.test(createSql);
    const parsed = parseCreateTable(createSql);
    const columns = readColumns(rows, pk, hasAutoinc, parsed.generated, parsed.collations, defaultCache);
    const { uniques, indexes } = readIndexes(name, idxBy.get(name) ?? [], parsed.collations, objects);
    const foreignKeys = readForeignKeys(fkBy.get(name) ?? [], tableNames, pkColumnsOf);
    const options: Record<string, string> = {};
    const flags = listed.get(name);
    if (Number(flags?.strict) === 1) options.strict = 'true';
    if (Number(flags?.wr) === 1) options.without_rowid = 'true';
    const table: TableIR = {
      name, columns: Object.freeze(columns),
      primaryKey: pk.length ? Object.freeze({ name: null, columns: pk }) : null,
      uniques: Object.freeze(uniques), indexes: Object.freeze(indexes), foreignKeys: Object.freeze(foreignKeys),
      ...(parsed.checks.length ? { checks: parsed.checks } : {}),
      ...(Object.keys(options).length ? { options } : {}),
    };
    out.push(table.checks || table.options ? deepFreeze(table) : Object.freeze(table));
  }
  return deepFreeze({
    dialect: 'sqlite', tables: out,
    ...(objects.length ? { objects } : {}),
    ...(unmanaged.length ? { unmanaged } : {}),
  } satisfies SchemaIR);
}
