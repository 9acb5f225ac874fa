/**
 * SQLite's deploy lock: an exclusive write lock on a companion file `<database>-evolve.lock`
 * (an OS file lock, released when the process exits), so the database itself stays usable
 * while a second deployer waits. An in-memory database is private to its process: no lock.
 */
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import type { Connection } from '../connection.js';
import type { LockOptions, ReleaseLock } from '../dialect.js';
import { lockTimeoutError } from '../shared/lock.js';
import type { EvolveError } from '../../errors.js';
import { isSqliteBusy, isSqliteReadOnly, readOnlyError } from './errors.js';

const require = createRequire(import.meta.url);

/** Take the deploy lock of the database file `options.url.path`. */
export async function acquireSqliteLock(_conn: Connection, options: LockOptions): Promise<ReleaseLock> {
  const path = options.url.path;
  if (!path || path === ':memory:') return async () => undefined;
  const Database = require('better-sqlite3') as typeof BetterSqlite3;
  const file = `${path}-evolve.lock`;
  const cannotWrite = (e: unknown): EvolveError => readOnlyError(path, `the lock file '${file}' cannot be created or written`, e);
  let lock: BetterSqlite3.Database;
  try {
    lock = new Database(file, { timeout: options.timeoutSeconds * 1000 });
  } catch (e) {
    throw cannotWrite(e);
  }
  try {
    lock.exec('BEGIN EXCLUSIVE');
  } catch (e) {
    lock.close();
    if (isSqliteBusy(e)) throw lockTimeoutError(options.url.display, options.timeoutSeconds);
    if (isSqliteReadOnly(e) || (e as { code?: string }).code === 'SQLITE_CANTOPEN') throw cannotWrite(e);
    throw e;
  }
  return async () => { try { lock.exec('COMMIT'); } finally { lock.close(); } };
}
