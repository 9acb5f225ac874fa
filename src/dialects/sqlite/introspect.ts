/**
 * SQLite introspection: six catalog queries, whatever the number of tables (pragma
 * table-valued functions joined to sqlite_schema). CHECK constraints and generated-column
 * expressions live only in the CREATE TABLE text (see create-table-parse.ts); views, triggers
 * and indexes that are more than a list of columns are kept as objects with their own SQL.
 */
import type { ColumnIR, ColumnType, ForeignKeyIR, IndexIR, ObjectIR, ReferentialAction, SchemaIR, TableIR, UniqueIR, UnmanagedIR } from '../../ir/schema.js';
import { deepFreeze } from '../../ir/schema.js';
import { normaliseTypeText, parseDslTypeName } from '../../ir/types.js';
import type { Connection, Row } from '../connection.js';
import { parseDefaultSql } from '../shared/defaults.js';
import { normaliseSqlite } from './normalise.js';
import { parseCreateTable, squeezeSql } from './create-table-parse.js';
import { sqliteSql } from './sql-builder.js';

/** A declared SQLite type as a column type: the DSL's names map back; anything else stays raw. */
export function parseSqliteType(declared: string): ColumnType {
  const t = normaliseTypeText(declared);
  if (t === 'blob') return { kind: 'bytes' };
  return parseDslTypeName(t) ?? { kind: 'raw', sql: t };
}

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

export async function introspectSqlite(conn: Connection): Promise<SchemaIR> {
  // Virtual tables are left out in SQL; their shadow tables (real tables SQLite manages for
  // them) by name, from one read of pragma_table_list — joining it per table would be quadratic.
  const tableFilter = `m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND m.sql NOT LIKE 'CREATE VIRTUAL TABLE%'`;
  const list = await conn.query(`SELECT name, type, strict, wr FROM pragma_table_list WHERE schema = 'main'`);
  const shadow = new Set(list.filter((r) => r.type === 'shadow' || r.type === 'virtual').map((r) => String(r.name)));
  const listed = new Map(list.map((r) => [String(r.name), r]));
  const keep = (rows: Row[], key = 'tbl'): Row[] => (shadow.size ? rows.filter((r) => !shadow.has(String(r[key]))) : rows);
  const tables = keep(await conn.query(`SELECT m.name AS name, m.sql AS sql FROM sqlite_schema m WHERE ${tableFilter} ORDER BY m.name`), 'name');
  const cols = keep(await conn.query(
    `SELECT m.name AS tbl, p.cid, p.name, p.type, p."notnull" AS nn, p.dflt_value AS dflt, p.pk, p.hidden FROM sqlite_schema m JOIN pragma_table_xinfo(m.name) p
     WHERE ${tableFilter} AND p.hidden IN (0, 2, 3) ORDER BY m.name, p.cid`));
  const idx = keep(await conn.query(
    `SELECT m.name AS tbl, il.name AS idx, il."unique" AS uniq, il.origin, il.partial, ii.seqno, ii.cid, ii.name AS col, ii."desc" AS dsc, ii.coll, s.sql AS sql
     FROM sqlite_schema m JOIN pragma_index_list(m.name) il JOIN pragma_index_xinfo(il.name) ii
     LEFT JOIN sqlite_schema s ON s.type = 'index' AND s.name = il.name
     WHERE ${tableFilter} AND ii.key = 1 ORDER BY m.name, il.name, ii.seqno`));
  const fks = keep(await conn.query(
    `SELECT m.name AS tbl, f.id, f.seq, f."table" AS ref, f."from" AS col, f."to" AS refcol, f.on_update, f.on_delete
     FROM sqlite_schema m JOIN pragma_foreign_key_list(m.name) f WHERE ${tableFilter} ORDER BY m.name, f.id, f.seq`));
  const others = await conn.query(
    `SELECT type, name, tbl_name AS tbl, sql FROM sqlite_schema WHERE (type IN ('view', 'trigger') OR (type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'))
     AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY type, name`);
  const objects: ObjectIR[] = [];
  const unmanaged: UnmanagedIR[] = [];
  for (const o of others) {
    const name = String(o.name);
    const sql = String(o.sql ?? '');
    if (o.type === 'view') objects.push({ kind: 'view', name, table: null, definition: squeezeSql(sql), create: [sql], drop: [`DROP VIEW ${sqliteSql.ident(name)}`] });
    else if (o.type === 'trigger') objects.push({ kind: 'trigger', name, table: String(o.tbl), definition: squeezeSql(sql), create: [sql], drop: [`DROP TRIGGER ${sqliteSql.ident(name)}`] });
    else unmanaged.push({ kind: 'virtual table', name });
  }

  const byTable = <T extends { tbl?: unknown }>(rows: T[]): Map<string, T[]> => {
    const m = new Map<string, T[]>();
    for (const r of rows) { const k = String(r.tbl); (m.get(k) ?? m.set(k, []).get(k)!).push(r); }
    return m;
  };
  const colsBy = byTable(cols);
  const idxBy = byTable(idx);
  const fkBy = byTable(fks);

  const out: TableIR[] = [];
  for (const t of tables) {
    const name = String(t.name);
    const createSql = String(t.sql ?? '');
    const rows = colsBy.get(name) ?? [];
    const pkRows = rows.filter((r) => Number(r.pk) > 0).sort((a, b) => Number(a.pk) - Number(b.pk));
    const hasAutoinc = /\bautoincrement\b/i.test(createSql);
    const parsed = parseCreateTable(createSql);
    const columns: ColumnIR[] = rows.map((r) => {
      const generated = Number(r.hidden) >= 2 ? parsed.generated.get(String(r.name)) ?? { expression: 'NULL', stored: Number(r.hidden) === 3 } : null;
      return {
        name: String(r.name),
        type: parseSqliteType(String(r.type ?? '')),
        nullable: Number(r.nn) === 0,
        default: parseDefaultSql(r.dflt as string | null),
        autoIncrement: hasAutoinc && pkRows.length === 1 && pkRows[0]!.name === r.name,
        ...(generated ? { generated: { ...generated, stored: Number(r.hidden) === 3 } } : {}),
      };
    });
    const uniques: UniqueIR[] = [];
    const indexes: IndexIR[] = [];
    const groups = new Map<string, Record<string, unknown>[]>();
    for (const r of idxBy.get(name) ?? []) { const k = String(r.idx); (groups.get(k) ?? groups.set(k, []).get(k)!).push(r); }
    for (const [iname, rs] of groups) {
      const first = rs[0]!;
      const columnsOf = rs.map((r) => String(r.col));
      if (first.origin === 'pk') continue;
      const plain = rs.every((r) => Number(r.cid) >= 0 && Number(r.dsc) === 0 && String(r.coll).toUpperCase() === 'BINARY');
      if (!plain && first.origin !== 'u' && first.sql) {
        // Expression keys, DESC or a collation: kept as the statement that made it.
        const sql = String(first.sql);
        objects.push({ kind: 'index', name: iname, table: name, definition: squeezeSql(sql), create: [sql], drop: [`DROP INDEX ${sqliteSql.ident(iname)}`] });
        continue;
      }
      if (first.origin === 'u') uniques.push({ name: iname, columns: columnsOf });
      else indexes.push({ name: iname, columns: columnsOf, unique: Number(first.uniq) === 1, where: Number(first.partial) === 1 ? partialPredicate(first.sql as string | null) : null });
    }
    const fkGroups = new Map<number, Record<string, unknown>[]>();
    for (const r of fkBy.get(name) ?? []) { const k = Number(r.id); (fkGroups.get(k) ?? fkGroups.set(k, []).get(k)!).push(r); }
    const foreignKeys: ForeignKeyIR[] = [...fkGroups.values()].map((rs) => ({
      name: null,
      columns: rs.map((r) => String(r.col)),
      refTable: String(rs[0]!.ref),
      // An omitted target column list means the referenced table's primary key.
      refColumns: rs.map((r) => (r.refcol === null ? '' : String(r.refcol))),
      onDelete: action(rs[0]!.on_delete),
      onUpdate: action(rs[0]!.on_update),
    }));
    const options: Record<string, string> = {};
    const flags = listed.get(name);
    if (Number(flags?.strict) === 1) options.strict = 'true';
    if (Number(flags?.wr) === 1) options.without_rowid = 'true';
    out.push({
      name, columns,
      primaryKey: pkRows.length ? { name: null, columns: pkRows.map((r) => String(r.name)) } : null,
      uniques, indexes, foreignKeys,
      ...(parsed.checks.length ? { checks: parsed.checks } : {}),
      ...(Object.keys(options).length ? { options } : {}),
    });
  }
  // Resolve implicit FK targets (REFERENCES t without columns) to the target's primary key
  // (only the tables that have one are copied; targets found through a map, not a scan).
  const implicit = (fk: ForeignKeyIR): boolean => fk.refColumns.some((c) => c === '');
  const byName = new Map(out.map((t) => [t.name, t]));
  const resolved = out.map((t) => (!t.foreignKeys.some(implicit) ? t : {
    ...t,
    foreignKeys: t.foreignKeys.map((fk) => !implicit(fk) ? fk
      : { ...fk, refColumns: byName.get(fk.refTable)?.primaryKey?.columns ?? fk.refColumns }),
  }));
  return deepFreeze(normaliseSqlite({
    dialect: 'sqlite', tables: resolved,
    ...(objects.length ? { objects } : {}),
    ...(unmanaged.length ? { unmanaged } : {}),
  }));
}
