/**
 * SQLite's errors that are the user's to fix: another connection holding the database's write
 * lock longer than the lock timeout, and a database a writing command cannot write.
 */
import { EvolveError, ErrorCode } from '../../errors.js';

export { DEFAULT_LOCK_TIMEOUT as DEFAULT_LOCK_SECONDS } from '../shared/lock.js';

const sqliteCode = (e: unknown): string => String((e as { code?: unknown })?.code ?? '');

/** SQLITE_BUSY (and its extended codes): another connection holds the lock SQLite waited for. */
export const isSqliteBusy = (e: unknown): boolean => /^SQLITE_BUSY/.test(sqliteCode(e));

/** SQLITE_READONLY (and its extended codes): SQLite may not write the file. */
export const isSqliteReadOnly = (e: unknown): boolean => /^SQLITE_READONLY/.test(sqliteCode(e));

/**
 * The error when another connection (an application, a `sqlite3` shell in a transaction,
 * another tool) held `path`'s lock for more than `seconds`: the same code as the deploy lock's timeout.
 */
export function sqliteLockedError(path: string, seconds: number, cause: unknown): EvolveError {
  return new EvolveError(ErrorCode.LockTimeout,
    `SQLite database '${path}' stayed locked by another connection for more than ${seconds} s ` +
    '(a writer in a transaction: an application, a sqlite3 shell, another tool); Evolve stopped waiting.', {
      hint: 'Let the other writer commit or close its transaction and run the command again, or wait longer with --lock-timeout SECONDS.',
      cause, details: { timeoutSeconds: seconds, database: path },
    });
}

/** The error when a writing command is given a database it cannot write; `why` says which part. */
export function readOnlyError(path: string, why: string, cause: unknown): EvolveError {
  return new EvolveError(ErrorCode.DbReadOnly, `Cannot write SQLite database '${path}': ${why}; nothing was changed.`, {
    hint: 'Run commands that change the database where the file and its directory are writable: SQLite writes its journal, and Evolve ' +
      `its lock file '${path}-evolve.lock', beside the file. Reading commands (fingerprint, status, sql) work on a read-only database as it is.`,
    ...(cause === undefined ? {} : { cause }), details: { database: path },
  });
}
