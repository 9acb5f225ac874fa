/**
 * MySQL/MariaDB introspection: a constant number of information_schema queries (filtered by
 * `TABLE_SCHEMA = DATABASE()`), whatever the number of tables; never one query per table.
 *
 * Limits (what the IR does not hold, so it is neither read nor compared): character sets and
 * collations, ON UPDATE CURRENT_TIMESTAMP, generated columns' expressions, CHECK constraints
 * other than MariaDB's json_valid, index prefix lengths, FULLTEXT/SPATIAL and functional
 * indexes (left out entirely), views, triggers, table options (engine, AUTO_INCREMENT start).
 * MySQL cannot tell a UNIQUE constraint from a unique index: every unique index is read as a
 * unique constraint (see `normaliseMysql`).
 */
import type { ColumnIR, ForeignKeyIR, IndexIR, ReferentialAction, SchemaIR, TableIR, UniqueIR } from '../../ir/schema.js';
import { deepFreeze } from '../../ir/schema.js';
import { isEvolveTable } from '../../ir/canonical.js';
import type { Connection, Row } from '../connection.js';
import { serverFromVersion, type MysqlConnection, type MysqlServer } from './connection.js';
import { normaliseMysql, parseMysqlDefault, parseMysqlType, unescapeMysql8Expression } from './normalise.js';
import type { ColumnType, DefaultValue } from '../../ir/schema.js';

/** information_schema text may come back as Buffer (binary collations on MySQL 8). */
const str = (v: unknown): string => (v === null || v === undefined ? '' : Buffer.isBuffer(v) ? v.toString('utf8') : String(v));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : str(v));

function groupBy(rows: Row[], key: (r: Row) => string): Map<string, Row[]> {
  const m = new Map<string, Row[]>();
  for (const r of rows) { const k = key(r); (m.get(k) ?? m.set(k, []).get(k)!).push(r); }
  return m;
}

function action(a: unknown): ReferentialAction {
  const s = str(a).toLowerCase();
  return (['no action', 'restrict', 'cascade', 'set null', 'set default'] as const).find((x) => x === s) ?? 'no action';
}

/**
 * A column default as information_schema reports it. MariaDB (10.2.7+) writes SQL: quoted
 * literals (`'abc'`), `NULL` for an explicit NULL default, expressions such as
 * `current_timestamp()`. MySQL 8 writes literals unquoted and marks expressions with
 * DEFAULT_GENERATED in EXTRA (CURRENT_TIMESTAMP on temporal columns too).
 */
export function parseColumnDefault(raw: string | null, extra: string, type: ColumnType, server: MysqlServer): DefaultValue | null {
  if (raw === null) return null;
  if (server.flavour === 'mariadb') return parseMysqlDefault(raw);
  if (/default_generated/i.test(extra)) return parseMysqlDefault(unescapeMysql8Expression(raw));
  if (type.kind === 'timestamp' || (type.kind === 'raw' && /^(datetime|timestamp)/.test(type.sql))) {
    if (/^(current_timestamp|now|localtimestamp|localtime)(\(\d*\))?$/i.test(raw.trim())) return parseMysqlDefault(raw);
  }
  return { kind: 'value', value: raw };
}

async function server(conn: Connection): Promise<MysqlServer> {
  const known = (conn as Partial<MysqlConnection>).server;
  if (known) return known;
  return serverFromVersion(str((await conn.query('SELECT VERSION() AS v'))[0]?.v));
}

/** Read the live schema of the connection's database (normalised, frozen). */
export async function introspectMysql(conn: Connection): Promise<SchemaIR> {
  const srv = await server(conn);
  const tableRows = await conn.query(
    `SELECT TABLE_NAME AS tbl FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME`);
  const colRows = await conn.query(
    `SELECT TABLE_NAME AS tbl, COLUMN_NAME AS name, COLUMN_TYPE AS type, IS_NULLABLE AS nullable, COLUMN_DEFAULT AS dflt, EXTRA AS extra
     FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, ORDINAL_POSITION`);
  const idxRows = await conn.query(
    `SELECT TABLE_NAME AS tbl, INDEX_NAME AS idx, NON_UNIQUE AS non_unique, COLUMN_NAME AS col, INDEX_TYPE AS itype
     FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`);
  // Two queries joined here: information_schema joins are not indexed, and the join costs
  // several times the two reads on a large schema.
  const fkRows = await conn.query(
    `SELECT TABLE_NAME AS tbl, CONSTRAINT_NAME AS name, COLUMN_NAME AS col, REFERENCED_TABLE_NAME AS ref, REFERENCED_COLUMN_NAME AS refcol
     FROM information_schema.KEY_COLUMN_USAGE
     WHERE TABLE_SCHEMA = DATABASE() AND REFERENCED_TABLE_NAME IS NOT NULL
     ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION`);
  const ruleRows = await conn.query(
    `SELECT TABLE_NAME AS tbl, CONSTRAINT_NAME AS name, UPDATE_RULE AS on_update, DELETE_RULE AS on_delete
     FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()`);
  // MariaDB's JSON is LONGTEXT with CHECK (json_valid(`col`)); MySQL 8 has a real JSON type.
  const checkRows = srv.flavour === 'mariadb'
    ? await conn.query(`SELECT TABLE_NAME AS tbl, CHECK_CLAUSE AS clause FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()`)
    : [];

  const colsBy = groupBy(colRows, (r) => str(r.tbl));
  const idxBy = groupBy(idxRows, (r) => str(r.tbl));
  const fkBy = groupBy(fkRows, (r) => str(r.tbl));
  const rules = new Map(ruleRows.map((r) => [`${str(r.tbl)}\u0000${str(r.name)}`, r]));
  const jsonCols = new Set<string>();
  for (const r of checkRows) {
    const m = /^json_valid\(`((?:[^`]|``)+)`\)$/i.exec(str(r.clause).trim());
    if (m) jsonCols.add(`${str(r.tbl)}\u0000${m[1]!.replace(/``/g, '`')}`);
  }

  const tables: TableIR[] = [];
  for (const t of tableRows) {
    const name = str(t.tbl);
    if (isEvolveTable(name)) continue;
    const columns: ColumnIR[] = (colsBy.get(name) ?? []).map((r) => {
      const cname = str(r.name);
      const extra = str(r.extra);
      let type = parseMysqlType(str(r.type));
      if (type.kind === 'raw' && type.sql === 'longtext' && jsonCols.has(`${name}\u0000${cname}`)) type = { kind: 'json' };
      return {
        name: cname, type,
        nullable: str(r.nullable).toUpperCase() === 'YES',
        default: parseColumnDefault(strOrNull(r.dflt), extra, type, srv),
        autoIncrement: /auto_increment/i.test(extra),
      };
    });
    let primaryKey: TableIR['primaryKey'] = null;
    const uniques: UniqueIR[] = [];
    const indexes: IndexIR[] = [];
    for (const [iname, rs] of groupBy(idxBy.get(name) ?? [], (r) => str(r.idx))) {
      // Functional (MySQL 8) and FULLTEXT/SPATIAL indexes are outside the IR: left out.
      if (rs.some((r) => r.col === null) || /^(fulltext|spatial)$/i.test(str(rs[0]!.itype))) continue;
      const cols = rs.map((r) => str(r.col));
      if (iname === 'PRIMARY') primaryKey = { name: 'PRIMARY', columns: cols };
      else if (Number(rs[0]!.non_unique) === 0) uniques.push({ name: iname, columns: cols });
      else indexes.push({ name: iname, columns: cols, unique: false, where: null });
    }
    const foreignKeys: ForeignKeyIR[] = [...groupBy(fkBy.get(name) ?? [], (r) => str(r.name))].map(([fname, rs]) => {
      const rule = rules.get(`${name}\u0000${fname}`);
      return {
        name: fname,
        columns: rs.map((r) => str(r.col)),
        refTable: str(rs[0]!.ref),
        refColumns: rs.map((r) => str(r.refcol)),
        onDelete: action(rule?.on_delete),
        onUpdate: action(rule?.on_update),
      };
    });
    tables.push({ name, columns, primaryKey, uniques, indexes, foreignKeys });
  }
  return deepFreeze(normaliseMysql({ dialect: 'mysql', tables }));
}
