/**
 * One deployer at a time (B3). Every command that changes a database holds a deploy lock
 * from before it introspects until it is done, so a second deployer waits and then finds
 * nothing left to do. Each lock dies with its holder, so a crashed deployer never leaves it
 * stuck:
 * - PostgreSQL: a session-level advisory lock (`pg_try_advisory_lock`) keyed by the schema;
 * - MySQL/MariaDB: `GET_LOCK('evolve:<database>')`, released when the session ends;
 * - SQLite: an exclusive write lock on a companion file `<database>-evolve.lock` (an OS file
 *   lock, released when the process exits), so the database itself stays usable while waiting.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import { EvolveError, ErrorCode } from '../errors.js';
import type { OpenDatabase } from './database.js';

/** Default wait for the lock, in seconds. */
export const DEFAULT_LOCK_TIMEOUT = 120;

const require = createRequire(import.meta.url);

function timeoutError(d: OpenDatabase, seconds: number): EvolveError {
  return new EvolveError(ErrorCode.LockTimeout, `Another deployer has held the deploy lock on ${d.url.display} for more than ${seconds} s; nothing was changed.`, {
    hint: 'Wait for the other deployment to finish (a crashed one releases the lock by itself), or raise --lock-timeout.',
    details: { timeoutSeconds: seconds },
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Two 32-bit keys for the advisory lock of a scope. */
function advisoryKeys(scope: string): [number, number] {
  const h = createHash('sha256').update(`evolve:${scope}`).digest();
  return [0x65766f6c | 0, h.readInt32BE(0)]; // 'evol', hash of the scope
}

/** Acquire the deploy lock of `d`; resolves to its release function. */
export async function acquireDeployLock(d: OpenDatabase, timeoutSeconds = DEFAULT_LOCK_TIMEOUT): Promise<() => Promise<void>> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  switch (d.dialect.name) {
    case 'postgres': {
      const scope = `${d.introspectOptions.schema ?? (d.conn as { schema?: string }).schema ?? 'public'}`;
      const [a, b] = advisoryKeys(scope);
      for (let wait = 25; ; wait = Math.min(wait * 2, 250)) {
        const ok = (await d.conn.query('SELECT pg_try_advisory_lock($1::int, $2::int) AS ok', [a, b]))[0]?.ok;
        if (ok === true || ok === 't') break;
        if (Date.now() >= deadline) throw timeoutError(d, timeoutSeconds);
        await sleep(wait);
      }
      return async () => { await d.conn.query('SELECT pg_advisory_unlock($1::int, $2::int)', [a, b]); };
    }
    case 'mysql': {
      const db = String((await d.conn.query('SELECT DATABASE() AS db'))[0]?.db ?? '');
      const name = `evolve:${db}`.length <= 64 ? `evolve:${db}` : `evolve:${createHash('sha256').update(db).digest('hex').slice(0, 56)}`;
      const ok = (await d.conn.query('SELECT GET_LOCK(?, ?) AS ok', [name, timeoutSeconds]))[0]?.ok;
      if (Number(ok) !== 1) throw timeoutError(d, timeoutSeconds);
      return async () => { await d.conn.query('SELECT RELEASE_LOCK(?)', [name]); };
    }
    case 'sqlite': {
      const path = d.url.path;
      if (!path || path === ':memory:') return async () => undefined; // private to this process
      const Database = require('better-sqlite3') as typeof BetterSqlite3;
      const lock = new Database(`${path}-evolve.lock`, { timeout: timeoutSeconds * 1000 });
      try {
        lock.exec('BEGIN EXCLUSIVE');
      } catch (e) {
        lock.close();
        if ((e as { code?: string }).code === 'SQLITE_BUSY') throw timeoutError(d, timeoutSeconds);
        throw e;
      }
      return async () => { try { lock.exec('COMMIT'); } finally { lock.close(); } };
    }
  }
}
