/**
 * SQLite connections through better-sqlite3 (loaded lazily). Another connection's write lock is
 * waited for up to the lock timeout (SQLite's busy timeout; `--lock-timeout`), then
 * `E_LOCK_TIMEOUT`; a database a writing command cannot write (a read-only file, directory or
 * mount) is `E_DB_READ_ONLY`.
 */
import { accessSync, closeSync, constants, existsSync, openSync, readSync, statSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import type { Connection, Row } from '../connection.js';
import type { DatabaseUrl } from '../url.js';
import type { ConnectOptions } from '../dialect.js';
import { EvolveError, ErrorCode } from '../../errors.js';
import { DEFAULT_LOCK_SECONDS, isSqliteBusy, isSqliteReadOnly, readOnlyError, sqliteLockedError } from './errors.js';

const require = createRequire(import.meta.url);

/** An open SQLite connection; `db` is the better-sqlite3 handle for callers that need it. */
export interface SqliteConnection extends Connection {
  readonly db: BetterSqlite3.Database;
  /** Each row of a read-only query as it is stepped (see {@link Connection.eachRow}). */
  eachRow(sql: string, params: readonly unknown[], take: (row: Row) => void): Promise<void>;
}

function notADatabase(path: string, cause: unknown): EvolveError {
  return new EvolveError(ErrorCode.NotADatabase, `'${path}' is not a SQLite database.`, {
    hint: 'Check the --db path: it must name a SQLite database file, or a file that does not exist yet (apply creates it).',
    cause,
  });
}

const MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * Refuse a non-empty file that does not start with SQLite's header magic. SQLite itself only
 * notices a foreign file when it is at least a page long: a short one it would silently take
 * over (and overwrite) as a new database. An empty file is a new database (SQLite's own rule).
 */
function checkHeader(path: string): void {
  let size: number;
  try { size = statSync(path).size; } catch { return; } // not a plain file we can stat: SQLite says what is wrong
  if (size === 0) return;
  const head = Buffer.alloc(MAGIC.length);
  let n = 0;
  let fd: number | undefined;
  try { fd = openSync(path, 'r'); n = readSync(fd, head, 0, head.length, 0); } catch { return; } finally { if (fd !== undefined) closeSync(fd); }
  if (n < MAGIC.length || !head.equals(MAGIC)) throw notADatabase(path, new Error(`the file (${size} bytes) does not start with the SQLite header`));
}

/** Remove a database file this process created, when nothing was ever written to it. */
function removeIfUnused(path: string): void {
  try { if (statSync(path).size === 0) unlinkSync(path); } catch { /* gone already, or not ours to judge */ }
}

/** Roll back the hot journal a crashed writer left behind, through a short read-write open. */
function recoverHotJournal(Database: typeof BetterSqlite3, path: string, cause: unknown): void {
  try {
    const rw = new Database(path, { fileMustExist: true });
    try { rw.prepare('SELECT count(*) FROM sqlite_schema').get(); } finally { rw.close(); }
  } catch (e) {
    throw new EvolveError(ErrorCode.DbConnect,
      `SQLite database '${path}' holds an unfinished write from a process that stopped (a hot journal), and it cannot be rolled back: ` +
      `${(e as Error).message}.`, {
        hint: 'Open the database once with write access (any SQLite client) so SQLite rolls the unfinished write back, then retry.', cause: cause ?? e,
      });
  }
}

/** Why `file` cannot be written, or null when it can (or does not exist: that is another error's case). */
function unwritable(file: string): string | null {
  try { accessSync(file, constants.W_OK); return null; } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'EROFS' ? 'is on a read-only file system' : code === 'EACCES' || code === 'EPERM' ? 'is not writable' : null;
  }
}

/**
 * A writing command needs the file and its directory writable: SQLite writes its journal and
 * Evolve its lock file `<db>-evolve.lock` beside the database. SQLite itself would open a file
 * it may not write read-only without a word, and fail later.
 * @throws EvolveError `E_DB_READ_ONLY` naming which of the two cannot be written.
 */
function assertWritable(path: string, missing: boolean): void {
  const dir = dirname(path);
  const file = missing ? null : unwritable(path);
  if (file) throw readOnlyError(path, `the file ${file}`, undefined);
  const where = unwritable(dir);
  if (where) throw readOnlyError(path, `its directory '${dir}' ${where}`, undefined);
}

/**
 * Open a SQLite database. Read-only opens of a missing file see an empty in-memory database
 * (no file is created); a writable open of a missing file creates it (`createDatabase` changes nothing).
 */
export async function connectSqlite(url: DatabaseUrl, options: ConnectOptions, recovered = false): Promise<SqliteConnection> {
  const Database = require('better-sqlite3') as typeof BetterSqlite3;
  const path = url.path ?? ':memory:';
  const lockSeconds = options.lockTimeoutSeconds ?? DEFAULT_LOCK_SECONDS;
  const locked = (e: unknown): EvolveError => sqliteLockedError(path, lockSeconds, e);
  const missing = path !== ':memory:' && !existsSync(path);
  if (!missing && path !== ':memory:' && path !== '') checkHeader(path);
  // A writable open of a missing path creates the file; if the command then writes nothing
  // (a failed apply is rolled back), close() removes it again: no file is left that was not
  // there before. (A process that opened the same new, empty file in between would lose it;
  // a race between first deployments that the deploy lock's companion file makes unlikely.)
  const created = missing && !options.readOnly;
  if (!options.readOnly && path !== ':memory:' && path !== '') assertWritable(path, missing);
  let db: BetterSqlite3.Database;
  try {
    const timeout = Math.round(lockSeconds * 1000);
    db = missing && options.readOnly ? new Database(':memory:') : new Database(path, { readonly: options.readOnly && !missing, timeout });
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
    if (isSqliteBusy(e)) throw locked(e);
    if (db.readonly && !recovered && (code === 'SQLITE_READONLY_ROLLBACK' || code === 'SQLITE_READONLY_RECOVERY')) {
      // A process was stopped in the middle of a write (a killed deployer): its hot journal
      // must be rolled back before anyone can read, and a read-only handle may not do that.
      // Rolling back only restores the last committed state, which is what every reader sees.
      recoverHotJournal(Database, path, e);
      return connectSqlite(url, options, true);
    }
    throw new EvolveError(ErrorCode.DbConnect, `Cannot read SQLite database '${path}': ${(e as Error).message}.`, {
      hint: 'Check the file and its permissions.', cause: e,
    });
  }
  db.defaultSafeIntegers(false);
  // Another connection's lock, or a file that turned out not writable, is the user's to fix: a coded error.
  const translate = (e: unknown): unknown =>
    (isSqliteBusy(e) ? locked(e) : !options.readOnly && isSqliteReadOnly(e) ? readOnlyError(path, 'SQLite cannot write it', e) : e);
  return {
    dialect: 'sqlite',
    displayUrl: url.display,
    db,
    async query(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
      try {
        const stmt = db.prepare(sql);
        if (stmt.reader) return stmt.all(...params) as Row[];
        stmt.run(...params);
        return [];
      } catch (e) { throw translate(e); }
    },
    async eachRow(sql: string, params: readonly unknown[], take: (row: Row) => void): Promise<void> {
      let rows: IterableIterator<unknown>;
      try { rows = db.prepare(sql).iterate(...params); } catch (e) { throw translate(e); }
      let done = false;
      try {
        for (;;) {
          let next: IteratorResult<unknown>;
          try { next = rows.next(); } catch (e) { done = true; throw translate(e); }
          if (next.done) { done = true; return; }
          take(next.value as Row);
        }
      } finally {
        // A reader that threw: the statement is let go, so the connection can be used again.
        if (!done) rows.return?.();
      }
    },
    async execute(sql: string): Promise<void> {
      try { db.exec(sql); } catch (e) { throw translate(e); }
    },
    async close(): Promise<void> {
      if (db.open) db.close();
      if (created) removeIfUnused(path);
    },
  };
}
