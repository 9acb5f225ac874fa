/**
 * SQLite's catalog key (see {@link Dialect.catalogKey}): SQLite keeps a database's whole schema as
 * the text of `sqlite_schema` (each object's type, name, table and CREATE statement) and parses
 * it into everything its pragmas report, so those rows and the build of SQLite that parses them
 * (`sqlite_source_id()`) decide all introspect.ts reads. The rows are written out by SQLite itself
 * as one text, each field prefixed by its length (so no two sets of rows give the same text, in
 * whatever order they come: another order is only another key), and hashed.
 */
import { createHash } from 'node:crypto';
import type { Connection } from '../connection.js';

const KEY_SQL = `SELECT sqlite_source_id() AS build, (SELECT group_concat(
    length(type) || ':' || type || length(name) || ':' || name || length(tbl_name) || ':' || tbl_name
    || CASE WHEN sql IS NULL THEN '-' ELSE length(sql) || ':' || sql END, ';')
  FROM (SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name)) AS rows`;

/** The key of the main database's schema: a hash of its `sqlite_schema` rows and SQLite's build. */
export async function sqliteCatalogKey(conn: Connection): Promise<string> {
  const r = (await conn.query(KEY_SQL))[0] ?? {};
  return createHash('sha256').update(`sqlite\0${String(r.build)}\0`).update(String(r.rows ?? '')).digest('hex');
}
