/**
 * SQLite introspection: four catalog queries, whatever the number of tables (pragma
 * table-valued functions joined to sqlite_schema).
 */
import type { ColumnIR, ColumnType, ForeignKeyIR, IndexIR, ReferentialAction, SchemaIR, TableIR, UniqueIR } from '../../ir/schema.js';
import { deepFreeze } from '../../ir/schema.js';
import { normaliseTypeText, parseDslTypeName } from '../../ir/types.js';
import type { Connection } from '../connection.js';
import { parseDefaultSql } from '../shared/defaults.js';
import { normaliseSqlite } from './normalise.js';

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
  const tableFilter = `m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'`;
  const tables = await conn.query(`SELECT m.name AS name, m.sql AS sql FROM sqlite_schema m WHERE ${tableFilter} ORDER BY m.name`);
  const cols = await conn.query(
    `SELECT m.name AS tbl, p.cid, p.name, p.type, p."notnull" AS nn, p.dflt_value AS dflt, p.pk FROM sqlite_schema m JOIN pragma_table_info(m.name) p WHERE ${tableFilter} ORDER BY m.name, p.cid`);
  const idx = await conn.query(
    `SELECT m.name AS tbl, il.name AS idx, il."unique" AS uniq, il.origin, il.partial, ii.seqno, ii.name AS col, s.sql AS sql
     FROM sqlite_schema m JOIN pragma_index_list(m.name) il JOIN pragma_index_info(il.name) ii
     LEFT JOIN sqlite_schema s ON s.type = 'index' AND s.name = il.name
     WHERE ${tableFilter} ORDER BY m.name, il.name, ii.seqno`);
  const fks = await conn.query(
    `SELECT m.name AS tbl, f.id, f.seq, f."table" AS ref, f."from" AS col, f."to" AS refcol, f.on_update, f.on_delete
     FROM sqlite_schema m JOIN pragma_foreign_key_list(m.name) f WHERE ${tableFilter} ORDER BY m.name, f.id, f.seq`);

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
    const columns: ColumnIR[] = rows.map((r) => ({
      name: String(r.name),
      type: parseSqliteType(String(r.type ?? '')),
      nullable: Number(r.nn) === 0,
      default: parseDefaultSql(r.dflt as string | null),
      autoIncrement: hasAutoinc && pkRows.length === 1 && pkRows[0]!.name === r.name,
    }));
    const uniques: UniqueIR[] = [];
    const indexes: IndexIR[] = [];
    const groups = new Map<string, Record<string, unknown>[]>();
    for (const r of idxBy.get(name) ?? []) { const k = String(r.idx); (groups.get(k) ?? groups.set(k, []).get(k)!).push(r); }
    for (const [iname, rs] of groups) {
      const first = rs[0]!;
      const columnsOf = rs.map((r) => String(r.col));
      if (first.origin === 'pk') continue;
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
    out.push({
      name, columns,
      primaryKey: pkRows.length ? { name: null, columns: pkRows.map((r) => String(r.name)) } : null,
      uniques, indexes, foreignKeys,
    });
  }
  // Resolve implicit FK targets (REFERENCES t without columns) to the target's primary key.
  const resolved = out.map((t) => ({
    ...t,
    foreignKeys: t.foreignKeys.map((fk) => fk.refColumns.every((c) => c !== '') ? fk
      : { ...fk, refColumns: out.find((x) => x.name === fk.refTable)?.primaryKey?.columns ?? fk.refColumns }),
  }));
  return deepFreeze(normaliseSqlite({ dialect: 'sqlite', tables: resolved }));
}
