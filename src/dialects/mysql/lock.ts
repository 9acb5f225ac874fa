/**
 * MySQL/MariaDB's deploy lock: `GET_LOCK('evolve:<database>')`, waited for in the server up to
 * the timeout and released when the session ends, so a crashed deployer never leaves it stuck.
 */
import { createHash } from 'node:crypto';
import type { Connection } from '../connection.js';
import type { LockOptions, ReleaseLock } from '../dialect.js';
import { lockTimeoutError } from '../shared/lock.js';

/** The lock's name for database `db`: at most 64 characters, as GET_LOCK requires. */
export function mysqlLockName(db: string): string {
  const name = `evolve:${db}`;
  return name.length <= 64 ? name : `evolve:${createHash('sha256').update(db).digest('hex').slice(0, 56)}`;
}

/** Take the deploy lock of the connection's database. */
export async function acquireMysqlLock(conn: Connection, options: LockOptions): Promise<ReleaseLock> {
  const db = String((await conn.query('SELECT DATABASE() AS db'))[0]?.db ?? '');
  const name = mysqlLockName(db);
  const ok = (await conn.query('SELECT GET_LOCK(?, ?) AS ok', [name, options.timeoutSeconds]))[0]?.ok;
  if (Number(ok) !== 1) throw lockTimeoutError(options.url.display, options.timeoutSeconds);
  return async () => { await conn.query('SELECT RELEASE_LOCK(?)', [name]); };
}
