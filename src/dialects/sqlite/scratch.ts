/**
 * Where SQLite parses a SQL file: a fresh in-memory database, private to this process and
 * gone when closed, so there is nothing to drop or sweep.
 */
import type { SchemaIR } from '../../ir/schema.js';
import type { DatabaseUrl } from '../url.js';
import { loadStatements } from '../shared/sql-file.js';
import { withAka } from '../shared/sql-aka.js';
import { connectSqlite } from './connection.js';
import { introspectSqlite } from './introspect.js';
import { parseSqliteUrl } from './url.js';

/** The schema SQL `text` describes, loaded into in-memory SQLite (`near` plays no part). */
export async function sqliteSchemaFromSql(_near: DatabaseUrl, text: string, file: string): Promise<SchemaIR> {
  const conn = await connectSqlite(parseSqliteUrl('sqlite::memory:')!, { readOnly: false });
  try {
    await loadStatements(conn, 'sqlite', text, file);
    return withAka(await introspectSqlite(conn), text);
  } finally {
    await conn.close().catch(() => undefined);
  }
}
