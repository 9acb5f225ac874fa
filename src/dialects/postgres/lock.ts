/**
 * PostgreSQL's deploy lock: a session-level advisory lock keyed by the schema the command
 * manages, tried without waiting in the server (`pg_try_advisory_lock`) and retried with
 * backoff until the timeout, so a deployer never queues inside the server. It dies with its
 * session, so a crashed deployer never leaves it stuck.
 */
import { createHash } from 'node:crypto';
import type { Connection } from '../connection.js';
import type { LockOptions, ReleaseLock } from '../dialect.js';
import { lockTimeoutError, sleep } from '../shared/lock.js';
import { DEFAULT_SCHEMA } from './connection.js';

/** Two 32-bit keys for the advisory lock of a scope. */
function advisoryKeys(scope: string): [number, number] {
  const h = createHash('sha256').update(`evolve:${scope}`).digest();
  return [0x65766f6c | 0, h.readInt32BE(0)]; // 'evol', hash of the scope
}

/** Take the deploy lock of the schema `options.schema` (default: the connection's, else public). */
export async function acquirePostgresLock(conn: Connection, options: LockOptions): Promise<ReleaseLock> {
  const deadline = Date.now() + options.timeoutSeconds * 1000;
  const scope = options.schema ?? (conn as { schema?: string }).schema ?? DEFAULT_SCHEMA;
  const [a, b] = advisoryKeys(scope);
  for (let wait = 25; ; wait = Math.min(wait * 2, 250)) {
    const ok = (await conn.query('SELECT pg_try_advisory_lock($1::int, $2::int) AS ok', [a, b]))[0]?.ok;
    if (ok === true || ok === 't') break;
    if (Date.now() >= deadline) throw lockTimeoutError(options.url.display, options.timeoutSeconds);
    await sleep(wait);
  }
  return async () => { await conn.query('SELECT pg_advisory_unlock($1::int, $2::int)', [a, b]); };
}
