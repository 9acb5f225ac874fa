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

/** Roll back the hot journal a crashed writer left behind, through a short read-write open. */
function recoverHotJournal(Database: typeof BetterSqlite3, path: string, cause: unknown): void {
  try {
    const rw = new Database(path, { fileMustExist: true });
    try { rw.prepare('SELECT count(*) FROM sqlite_schema').get(); } finally { rw.close(); }
  } catch (e) {
    throw new EvolveError(ErrorCode.DbConnect,
      `SQLite database '${path}' holds an unfinished write from a process that stopped (a hot journal), and it cannot be rolled back: ${(e as Error).message}.`, {
        hint: 'Open the database once with write access (any SQLite client) so SQLite rolls the unfinished write back, then retry.', cause: cause ?? e,
      });
  }
}

/** Open a SQLite database. Read-only opens of a missing file see an empty in-memory database. */
export async function connectSqlite(url: DatabaseUrl, options: { readOnly: boolean }, recovered = false): Promise<SqliteConnection> {
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
    const code = (e as { code?: string }).code;
    if (code === 'SQLITE_NOTADB') throw notADatabase(path, e);
    if (db.readonly && !recovered && (code === 'SQLITE_READONLY_ROLLBACK' || code === 'SQLITE_READONLY_RECOVERY')) {
      // A process was stopped in the middle of a write (a killed deployer): its hot journal
      // must be rolled back before anyone can read, and a read-only handle may not do that.
      // Rolling back only restores the last committed state, which is what every reader sees.
      recoverHotJournal(Database, path, e);
      return connectSqlite(url, options, true);
    }
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
