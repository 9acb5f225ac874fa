/**
 * The honest floor (issue 20 point 1): the fewest, fastest catalog queries that read the facts
 * Evolve's introspection uses — tables, columns (type, nullability, default), primary keys,
 * indexes with their columns, foreign keys with their actions, views — written for the bench
 * only and sharing nothing with the introspector. Each returns the parsed rows, so the floor
 * pays what any tool pays to have the facts in memory (the round trips, the server's work,
 * the driver's row decoding and, on SQLite, one JSON.parse per table).
 */
import type { BenchDialect, RawConn } from './lib.js';

/** SQLite: one query, one row per table, its columns, indexes and foreign keys as JSON arrays. */
export const SQLITE = `
SELECT m.name AS name, m.sql AS sql,
  (SELECT json_group_array(json_array(c.name, c.type, c."notnull", c.dflt_value, c.pk, c.hidden)) FROM pragma_table_xinfo(m.name) c) AS cols,
  (SELECT json_group_array(json_array(i.name, i."unique", i.origin, i.partial,
     (SELECT json_group_array(ic.name) FROM pragma_index_info(i.name) ic))) FROM pragma_index_list(m.name) i) AS idx,
  (SELECT json_group_array(json_array(f.id, f.seq, f."table", f."from", f."to", f.on_update, f.on_delete)) FROM pragma_foreign_key_list(m.name) f) AS fks
FROM sqlite_schema m WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
UNION ALL SELECT name, sql, NULL, NULL, NULL FROM sqlite_schema WHERE type IN ('view', 'trigger')`;

/** PostgreSQL: four pg_catalog queries (relations, columns, constraints, indexes) over one schema. */
export const PG = [
  `SELECT c.oid, c.relname, c.relkind, CASE WHEN c.relkind = 'v' THEN pg_get_viewdef(c.oid) END AS def
   FROM pg_class c WHERE c.relnamespace = $1::regnamespace AND c.relkind IN ('r', 'p', 'v')`,
  `SELECT a.attrelid, a.attname, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull, pg_get_expr(d.adbin, d.adrelid) AS dflt, a.attidentity
   FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
   WHERE c.relnamespace = $1::regnamespace AND c.relkind IN ('r', 'p', 'v') AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attrelid, a.attnum`,
  `SELECT k.conrelid, k.conname, k.contype, k.conkey, k.confrelid, k.confkey, k.confupdtype, k.confdeltype
   FROM pg_constraint k WHERE k.connamespace = $1::regnamespace`,
  `SELECT i.indrelid, c.relname, i.indisunique, i.indisprimary, i.indkey, pg_get_expr(i.indpred, i.indrelid) AS pred
   FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relnamespace = $1::regnamespace`,
];

/**
 * MariaDB / MySQL: five information_schema queries, each filtered by this schema (views come
 * from TABLES; foreign keys and their rules as two reads: information_schema joins are not
 * indexed and cost several times the two reads).
 */
export const MYSQL = [
  `SELECT TABLE_NAME, TABLE_TYPE, ENGINE, TABLE_COLLATION FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()`,
  `SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA, COLLATION_NAME FROM information_schema.COLUMNS
   WHERE TABLE_SCHEMA = DATABASE()`,
  `SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, SEQ_IN_INDEX FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE()`,
  `SELECT TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE
   WHERE TABLE_SCHEMA = DATABASE() AND REFERENCED_TABLE_NAME IS NOT NULL`,
  `SELECT TABLE_NAME, CONSTRAINT_NAME, UPDATE_RULE, DELETE_RULE FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()`,
];

/** The number of queries the fastest read sends on `dialect`. */
export function fastestReadQueries(dialect: BenchDialect): number {
  return dialect === 'sqlite' ? 1 : dialect === 'postgres' ? PG.length : MYSQL.length;
}

/**
 * Read the facts through `raw` (already in the schema under test: search_path / database);
 * returns the number of rows (tables on SQLite, all rows elsewhere) so the work cannot be
 * optimised away and the caller can check it.
 */
export async function fastestRead(dialect: BenchDialect, raw: RawConn, schema: string): Promise<number> {
  if (dialect === 'sqlite') {
    const rows = (await raw.query(SQLITE)) as { cols: string | null; idx: string | null; fks: string | null }[];
    let tables = 0;
    for (const r of rows) {
      if (r.cols === null) continue;
      if ((JSON.parse(r.cols) as unknown[]).length && JSON.parse(r.idx!) && JSON.parse(r.fks!)) tables++;
    }
    return tables;
  }
  let n = 0;
  if (dialect === 'postgres') for (const q of PG) n += (await raw.query(q, [schema])).length;
  else for (const q of MYSQL) n += (await raw.query(q)).length;
  return n;
}
