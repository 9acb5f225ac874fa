/** SQLite connections through better-sqlite3 (loaded lazily). */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import type { Connection, Row } from '../connection.js';
import type { DatabaseUrl } from '../url.js';
import { EvolveError, ErrorCode } from '../../errors.js';

const require = createRequire(import.meta.url);

/** An open SQLite connection; `db` is the better-sqlite3 handle for callers that need it. */
export interface SqliteConnection extends Connection {
  readonly db: BetterSqlite3.Database;
}

function notADatabase(path: string, cause: unknown): EvolveError {
  return new EvolveError(ErrorCode.NotADatabase, `'${path}' is not a SQLite database.`, {
    hint: 'Check the --db path: it must name a SQLite database file, or a file that does not exist yet (apply creates it).',
    cause,
  });
}

/** Open a SQLite database. Read-only opens of a missing file see an empty in-memory database. */
export async function connectSqlite(url: DatabaseUrl, options: { readOnly: boolean }): Promise<SqliteConnection> {
  const Database = require('better-sqlite3') as typeof BetterSqlite3;
  const path = url.path ?? ':memory:';
  const missing = path !== ':memory:' && !existsSync(path);
  let db: BetterSqlite3.Database;
  try {
    db = missing && options.readOnly ? new Database(':memory:') : new Database(path, { readonly: options.readOnly && !missing });
  } catch (e) {
    throw new EvolveError(ErrorCode.DbConnect, `Cannot open SQLite database '${path}': ${(e as Error).message}.`, {
      hint: 'Check that the directory exists and is writable.', cause: e,
    });
  }
  try {
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
  } catch (e) {
    db.close();
    if ((e as { code?: string }).code === 'SQLITE_NOTADB') throw notADatabase(path, e);
    throw new EvolveError(ErrorCode.DbConnect, `Cannot read SQLite database '${path}': ${(e as Error).message}.`, { hint: 'Check the file and its permissions.', cause: e });
  }
  db.defaultSafeIntegers(false);
  return {
    dialect: 'sqlite',
    displayUrl: url.display,
    db,
    async query(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
      const stmt = db.prepare(sql);
      if (stmt.reader) return stmt.all(...params) as Row[];
      stmt.run(...params);
      return [];
    },
    async execute(sql: string): Promise<void> {
      db.exec(sql);
    },
    async close(): Promise<void> {
      if (db.open) db.close();
    },
  };
}
