/**
 * PostgreSQL's transaction rules: every step in ONE transaction, `beforeCommit` (the engine's
 * fingerprint check) inside it, so a failure anywhere leaves the schema as it was — except new
 * enum values (`ALTER TYPE … ADD VALUE`: marked not `inTransaction` by the planner, or
 * recognised in hand-written SQL), which lead the steps and commit before the transaction,
 * because PostgreSQL refuses to use a value in the transaction that added it; adding an
 * unused enum value is harmless. Any other statement that cannot run in a transaction (CREATE
 * INDEX CONCURRENTLY in a hand-written evolution) fails here and rolls back, rather than
 * silently giving up atomicity.
 *
 * No statement waits unbounded for a lock (issue 16): the run sets `lock_timeout` (default 2 s),
 * and when a wait times out the transaction is rolled back and tried again with backoff and
 * jitter (default 10 retries, each reported); when the tries are used up, `E_LOCK_TIMEOUT`
 * names the sessions holding locks on the schema's tables. While Evolve waits, later queries
 * of the application queue behind its request for at most the lock timeout.
 */
import type { Connection } from '../connection.js';
import type { RunOptions, RunStep } from '../dialect.js';
import { EvolveError, ErrorCode, isEvolveError } from '../../errors.js';
import { databaseMessage, isSqlStep, runStep } from '../shared/run-step.js';
import { backoffMs, DEFAULT_LOCK_WAIT, lockWaitError, sleep, type Blocker, type LockWait } from '../shared/lock.js';

/** PostgreSQL's `lock_not_available`: `lock_timeout` ran out. */
const LOCK_NOT_AVAILABLE = '55P03';
const isLockWait = (e: unknown): boolean => (e as { code?: string } | null)?.code === LOCK_NOT_AVAILABLE;

/** Sessions other than this one holding locks on tables of the session's schemas, longest-open transaction first. */
export async function pgBlockers(conn: Connection): Promise<Blocker[]> {
  const rows = await conn.query(`SELECT DISTINCT a.pid, coalesce(a.application_name, '') AS application, coalesce(a.state, '') AS state,
      CASE WHEN a.xact_start IS NULL THEN NULL ELSE floor(extract(epoch FROM now() - a.xact_start))::int END AS xact,
      coalesce(a.query, '') AS query
    FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
    JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE l.granted AND l.pid <> pg_backend_pid() AND n.nspname = ANY (current_schemas(false))
    ORDER BY xact DESC NULLS LAST, a.pid`);
  return rows.map((r) => ({
    pid: Number(r.pid), application: String(r.application), state: String(r.state),
    transactionSeconds: r.xact === null || r.xact === undefined ? null : Number(r.xact), query: String(r.query),
  }));
}

/**
 * Run `attempt` until it succeeds or fails otherwise than by a lock wait timing out; a timed-out
 * try is retried after a backoff (see {@link LockWait}); `what` names what waited.
 */
async function withLockRetries<T>(conn: Connection, wait: LockWait, what: () => string, state: string, attempt: () => Promise<T>): Promise<T> {
  for (let tries = 0; ; tries++) {
    try {
      return await attempt();
    } catch (e) {
      if (!isLockWait(e)) throw e;
      const blockers = await pgBlockers(conn).catch(() => []);
      if (tries >= wait.retries) throw lockWaitError(conn.displayUrl, what(), wait, blockers, state, e);
      const delayMs = backoffMs(tries + 1, wait.waitMs);
      wait.onRetry?.({ attempt: tries + 1, of: wait.retries, what: what(), delayMs, blockers });
      await sleep(delayMs);
    }
  }
}

/** An enum value change, which cannot be used in the transaction that makes it. */
const ENUM_VALUE = /^\s*ALTER TYPE .* (?:ADD|RENAME) VALUE /is;

/** True for a step that runs before the transaction. */
function outsideTransaction(s: RunStep): boolean {
  if (!isSqlStep(s)) return false;
  return s.inTransaction === undefined ? ENUM_VALUE.test(s.sql) : !s.inTransaction;
}

/** The leading steps that commit on their own before the transaction; a failure names what stays. */
async function runLeading(conn: Connection, steps: readonly RunStep[], first: number, options: RunOptions, wait: LockWait): Promise<void> {
  const n = steps.length;
  for (let k = 0; k < first; k++) {
    const s = steps[k] as Extract<RunStep, { sql: string }>;
    options.onStatement?.(k);
    try {
      await withLockRetries(conn, wait, () => `Statement ${k + 1} of ${n}`,
        k ? `The ${k} statement(s) before it (enum value changes, committed on their own) stay; nothing else ran.` : 'Nothing was changed.',
        () => conn.execute(s.sql));
    } catch (e) {
      if (isEvolveError(e)) throw e;
      const kept = k
        ? `The ${k} statement(s) before it (enum value changes, committed before the plan's transaction) stay; nothing else ran.`
        : 'Nothing was changed.';
      throw new EvolveError(ErrorCode.SqlFailed, `Statement ${k + 1} of ${n} failed:\n  ${s.sql}\n${databaseMessage(e)}\n${kept}`, {
        hint: 'Read the statement and the error; fix the models (or the data) and apply again.',
        cause: e,
        details: { statement: s.sql, index: k, comment: s.comment ?? null, error: databaseMessage(e) },
      });
    }
  }
}

/**
 * Run `steps` in one transaction (see {@link Dialect.run}). A missing target schema is created
 * inside it by the connection (see `connection.ts`), so it too is rolled back on failure.
 * @throws EvolveError `E_SQL_FAILED` naming the statement (number and SQL) and the database's
 *   error; anything a function step or `beforeCommit` throws is rethrown as is. Either way
 *   nothing was changed.
 */
export async function runPostgres(conn: Connection, steps: readonly RunStep[], options: RunOptions = {}): Promise<void> {
  const wait = options.lockWait ?? DEFAULT_LOCK_WAIT;
  await conn.execute(`SET lock_timeout = '${Math.max(1, Math.round(wait.waitMs))}ms'`);
  try {
    const n = steps.length;
    let first = 0;
    while (first < n && outsideTransaction(steps[first]!)) first++;
    await runLeading(conn, steps, first, options, wait);
    let at = first;
    const kept = first
      ? ` but for ${first} enum value change(s), made before the transaction (PostgreSQL cannot use a value in the transaction that adds it)`
      : '';
    await withLockRetries(conn, wait, () => (at < n ? `Statement ${at + 1} of ${n}` : 'The plan\'s check before COMMIT'),
      `The transaction was rolled back; the database is as it was${kept}.`, async () => {
        at = first;
        await runTransaction(conn, steps, first, options, (i) => { at = i; }, kept);
      });
  } finally {
    await conn.execute('RESET lock_timeout').catch(() => undefined);
  }
}

/** One try of the transaction; a lock wait that timed out is rethrown as the driver gave it (the caller retries). */
async function runTransaction(conn: Connection, steps: readonly RunStep[], first: number, options: RunOptions,
  reached: (i: number) => void, kept: string): Promise<void> {
  const n = steps.length;
  let i = -1;
  await conn.execute('BEGIN');
  try {
    for (i = first; i < n; i++) {
      reached(i);
      options.onStatement?.(i);
      await runStep(conn, steps[i]!);
    }
    reached(n);
    await options.beforeCommit?.();
    i = n + 1; // past the check: only COMMIT is left
    await conn.execute('COMMIT');
  } catch (e) {
    await conn.execute('ROLLBACK').catch(() => undefined);
    if (isLockWait(e)) throw e;
    const step = i >= 0 && i < n ? steps[i]! : null;
    if (isEvolveError(e) || (step && !isSqlStep(step))) throw e;
    const stmt = isSqlStep(step ?? undefined) ? step as Extract<RunStep, { sql: string }> : null;
    const where = stmt ? `Statement ${i + 1} of ${n} failed:\n  ${stmt.sql}\n` : i === n ? 'The check before COMMIT failed: ' : 'COMMIT failed: ';
    throw new EvolveError(ErrorCode.SqlFailed, `${where}${databaseMessage(e)}\nThe transaction was rolled back; the database is as it was${kept}.`, {
      hint: 'Read the statement and the error; fix the models (or the data) and apply again.',
      cause: e,
      details: { statement: stmt?.sql ?? null, index: stmt ? i : null, comment: stmt?.comment ?? null, error: databaseMessage(e) },
    });
  }
}
