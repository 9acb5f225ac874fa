/**
 * Galera's deploy lock, cluster-wide. `GET_LOCK` is local to one node (two nodes grant the same
 * lock at once), so the lock is a row of the table `_evolve_lock` in the managed database,
 * replicated by the cluster: a deployer takes it by writing its own token into the row when
 * the row is absent or its lease has run out. Two deployers writing the row at once on
 * different nodes conflict at certification, and only the first in the cluster's order
 * commits. The holder renews the lease from a connection of its own while it works; one that
 * crashes stops renewing, and the next deployer takes the row when the lease ends (default 60 s,
 * `?lock_lease=SECONDS` in the URL). The lease must outlast the longest statement: while a TOI
 * change runs, the cluster commits nothing else, renewals included.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Connection } from '../connection.js';
import type { LockOptions, ReleaseLock } from '../dialect.js';
import { EvolveError, ErrorCode } from '../../errors.js';
import { lockTimeoutError, sleep } from '../shared/lock.js';
import { connectMysql } from '../mysql/connection.js';
import type { GaleraConnection } from './connection.js';

/** The lock table (an Evolve table: never fingerprinted, diffed or dropped). */
export const LOCK_TABLE = '_evolve_lock';
/** The lease of a holder that stops renewing, in seconds. */
export const DEFAULT_LEASE_SECONDS = 60;
const ROW = 'deploy';

/** The lease of `url` (`?lock_lease=SECONDS`). */
export function leaseSeconds(raw: string): number {
  const v = new URL(raw).searchParams.get('lock_lease');
  if (v === null) return DEFAULT_LEASE_SECONDS;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 2) {
    throw new EvolveError(ErrorCode.DbUrl, `lock_lease must be a whole number of seconds of at least 2, got '${v}'.`, {
      hint: 'Write ?lock_lease=60 (how long a crashed deployer keeps the cluster-wide deploy lock).',
    });
  }
  return n;
}

const isConflict = (e: unknown): boolean => [1213, 1205, 1047].includes(Number((e as { errno?: number })?.errno));

async function ensureTable(conn: Connection): Promise<void> {
  const rows = await conn.query('SELECT 1 AS x FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?', [LOCK_TABLE]);
  if (rows.length) return;
  await conn.execute(`CREATE TABLE IF NOT EXISTS ${LOCK_TABLE} (name VARCHAR(64) NOT NULL PRIMARY KEY, holder VARCHAR(128) NOT NULL, ` +
    'taken_at DATETIME(3) NOT NULL, expires_at DATETIME(3) NOT NULL) ENGINE=InnoDB');
}

/** Take the row for `token` when it is free or its lease ran out; true when `token` holds it. */
async function tryTake(conn: Connection, token: string, lease: number): Promise<boolean> {
  try {
    // Assignments run left to right: `holder` is compared with the new one only after it was set.
    await conn.query(`INSERT INTO ${LOCK_TABLE} (name, holder, taken_at, expires_at) VALUES (?, ?, NOW(3), NOW(3) + INTERVAL ? SECOND)
      ON DUPLICATE KEY UPDATE taken_at = IF(expires_at < NOW(3), VALUES(taken_at), taken_at),
        holder = IF(expires_at < NOW(3), VALUES(holder), holder), expires_at = IF(holder = VALUES(holder), VALUES(expires_at), expires_at)`,
    [ROW, token, lease]);
    const rows = await conn.query(`SELECT holder FROM ${LOCK_TABLE} WHERE name = ?`, [ROW]);
    return rows[0]?.holder === token;
  } catch (e) {
    if (isConflict(e)) return false; // another node's deployer wrote the row first
    throw e;
  }
}

/** Take the cluster-wide deploy lock of the connection's database (see the module comment). */
export async function acquireGaleraLock(conn: Connection, options: LockOptions): Promise<ReleaseLock> {
  const g = conn as GaleraConnection;
  const lease = leaseSeconds(g.url.raw);
  await ensureTable(conn);
  const token = `${hostname()}:${process.pid}:${randomBytes(6).toString('hex')}`;
  const deadline = Date.now() + options.timeoutSeconds * 1000;
  for (let attempt = 0; !(await tryTake(conn, token, lease)); attempt++) {
    const left = deadline - Date.now();
    if (left <= 0) throw lockTimeoutError(options.url.display, options.timeoutSeconds);
    await sleep(Math.min(left, Math.round(Math.min(1000, 50 * 2 ** attempt) * (0.5 + Math.random() / 2))));
  }
  // Renewals run on a connection of their own: the deployer's may be busy with a long statement.
  const renewer = await connectMysql(g.url, { readOnly: false }).catch(() => null);
  const renew = (): Promise<unknown> | undefined => renewer?.query(
    `UPDATE ${LOCK_TABLE} SET expires_at = NOW(3) + INTERVAL ? SECOND WHERE name = ? AND holder = ?`, [lease, ROW, token]).catch(() => undefined);
  const timer = setInterval(() => { void renew(); }, Math.max(1000, (lease * 1000) / 4));
  timer.unref();
  return async () => {
    clearInterval(timer);
    const free = `DELETE FROM ${LOCK_TABLE} WHERE name = ? AND holder = ?`;
    try {
      await conn.query(free, [ROW, token]);
    } catch {
      await renewer?.query(free, [ROW, token]).catch(() => undefined); // else the lease runs out
    } finally {
      await renewer?.close();
    }
  };
}
