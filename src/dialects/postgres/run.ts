/**
 * PostgreSQL's transaction rules: every step in ONE transaction, `beforeCommit` (the engine's
 * fingerprint check) inside it, so a failure anywhere leaves the schema as it was — except new
 * enum values (`ALTER TYPE … ADD VALUE`: marked not `inTransaction` by the planner, or
 * recognised in hand-written SQL), which lead the steps and commit before the transaction,
 * because PostgreSQL refuses to use a value in the transaction that added it; adding an
 * unused enum value is harmless. The statements that cannot run in a transaction at all
 * (`CREATE`/`DROP INDEX CONCURRENTLY`, `REINDEX … CONCURRENTLY`: the planner's online steps,
 * marked not `inTransaction`, or recognised in a stored evolution) each run on their own; the
 * steps before such a statement are committed first, and `onCommitted` says how many are, so
 * a stored evolution that fails after one is recorded as stopped part-way and resumed. A
 * backfill (a step with `backfill`: an expand/contract type change) runs outside any transaction
 * in batches, each committed on its own.
 *
 * No statement waits unbounded for a lock (issue 16): the run sets `lock_timeout` (default 2 s),
 * and when a wait times out the transaction is rolled back and tried again with backoff and
 * jitter (default 10 retries, each reported); when the tries are used up, `E_LOCK_TIMEOUT`
 * names the sessions holding locks on the schema's tables. While Evolve waits, later queries
 * of the application queue behind its request for at most the lock timeout.
 */
import type { Connection, Row } from '../connection.js';
import { DEFAULT_BATCHES, type RunOptions, type RunStep } from '../dialect.js';
import type { Backfill } from '../../plan/plan.js';
import { noProgress } from '../../plan/progress.js';
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

/** A statement PostgreSQL refuses inside a transaction block: a concurrent index build, drop or rebuild. */
const CONCURRENT = /^\s*(?:CREATE\s+(?:UNIQUE\s+)?INDEX|DROP\s+INDEX|REINDEX\s+(?:\(\s*\w+\s*\)\s*)?\w+)\s+CONCURRENTLY\b/i;

/** True for a step that runs outside any transaction (see {@link Dialect.runsAlone}). */
export function outsideTransaction(s: RunStep): boolean {
  if (!isSqlStep(s)) return false;
  return s.inTransaction === undefined ? ENUM_VALUE.test(s.sql) || CONCURRENT.test(s.sql) : !s.inTransaction;
}

/** What stays when a step fails after `done` steps committed on their own (`enums` of them enum value changes). */
function keptText(done: number, enums: number): string {
  if (!done) return '';
  if (done === enums) {
    return ` but for ${done} enum value change(s), made before the transaction (PostgreSQL cannot use a value in the transaction that adds it)`;
  }
  return ` but for the ${done} statement(s) before it, committed on their own (online steps): apply again to finish`;
}

/** A statement that runs on its own, outside any transaction (an enum value, `CREATE INDEX CONCURRENTLY`); `undo` cleans a failed try. */
async function runAlone(conn: Connection, steps: readonly RunStep[], k: number, options: RunOptions, wait: LockWait, kept: string): Promise<void> {
  const n = steps.length;
  const s = steps[k] as Extract<RunStep, { sql: string }>;
  options.onStatement?.(k);
  const state = kept ? `The database is as it was${kept}.` : 'Nothing was changed.';
  const undo = async (): Promise<void> => { if (s.undo) await conn.execute(s.undo).catch(() => undefined); };
  try {
    if (s.backfill) await runBackfill(conn, s.backfill, options, wait, () => `Statement ${k + 1} of ${n} (a backfill batch)`, state);
    else {
      await withLockRetries(conn, wait, () => `Statement ${k + 1} of ${n}`, state, async () => {
        try { await conn.execute(s.sql); } catch (e) { await undo(); throw e; }
      });
    }
  } catch (e) {
    if (isEvolveError(e)) throw e;
    throw new EvolveError(ErrorCode.SqlFailed, `Statement ${k + 1} of ${n} failed:\n  ${s.sql}\n${databaseMessage(e)}\n${state}`, {
      hint: 'Read the statement and the error; fix the models (or the data) and apply again.',
      cause: e,
      details: { statement: s.sql, index: k, comment: s.comment ?? null, error: databaseMessage(e) },
    });
  }
}

/**
 * A backfill (expand/contract, expand-contract.ts) in batches of `options.batches` rows, each its
 * own transaction (autocommit), a pause between two; a batch whose row lock wait timed out is
 * tried again as any statement is. Its progress is reported where the run reports progress.
 */
async function runBackfill(conn: Connection, b: Backfill, options: RunOptions, wait: LockWait, what: () => string, state: string): Promise<void> {
  const { size, pauseMs } = options.batches ?? DEFAULT_BATCHES;
  let total: number | undefined;
  if (options.progress) {
    const n = Number((await conn.query(b.estimate, []))[0]?.n ?? 0);
    if (n > 0) total = n;
  }
  const task = (options.progress ?? noProgress).start(`backfill ${b.label}`, total, 'rows');
  try {
    let last: string | null = null;
    for (;;) {
      const from: string | null = last;
      const rows: Row[] = await withLockRetries(conn, wait, what, state,
        (): Promise<Row[]> => (from === null ? conn.query(b.first, [size]) : conn.query(b.next, [size, from])));
      const done = Number(rows[0]?.n ?? 0);
      if (done === 0 || rows[0]?.last === null || rows[0]?.last === undefined) break;
      last = String(rows[0].last);
      task.add(done);
      if (done < size) break;
      if (pauseMs > 0) await sleep(pauseMs);
    }
  } finally { task.end(); }
}

/**
 * The steps as the run takes them: runs of transaction steps (a step marked `ownTransaction`
 * starts a new one) and single steps outside any transaction; the last unit is a transaction,
 * where `beforeCommit` runs (an empty one when the steps end outside).
 */
function units(steps: readonly RunStep[]): { from: number; to: number; alone: boolean }[] {
  const out: { from: number; to: number; alone: boolean }[] = [];
  steps.forEach((s, i) => {
    const alone = outsideTransaction(s);
    const last = out[out.length - 1];
    const own = isSqlStep(s) && s.ownTransaction === true;
    if (!alone && last && !last.alone && !own) last.to = i + 1;
    else out.push({ from: i, to: i + 1, alone });
  });
  const last = out[out.length - 1];
  if (!last || last.alone) out.push({ from: steps.length, to: steps.length, alone: false });
  return out;
}

/**
 * Run `steps` (see {@link Dialect.run}): steps outside a transaction each committed on its own,
 * the rest in transactions — one, unless online strategies split them (see online-plan.ts),
 * the last holding `beforeCommit`. A missing target schema is created inside the first by the
 * connection (see `connection.ts`), so it too is rolled back on failure.
 * @throws EvolveError `E_SQL_FAILED` naming the statement (number and SQL) and the database's
 *   error; anything a function step or `beforeCommit` throws is rethrown as is. Either way the
 *   failing transaction was rolled back; what committed before it is named.
 */
export async function runPostgres(conn: Connection, steps: readonly RunStep[], options: RunOptions = {}): Promise<void> {
  const wait = options.lockWait ?? DEFAULT_LOCK_WAIT;
  await conn.execute(`SET lock_timeout = '${Math.max(1, Math.round(wait.waitMs))}ms'`);
  try {
    const n = steps.length;
    const all = units(steps);
    let enums = 0;
    for (const [u, unit] of all.entries()) {
      const first = unit.from;
      const kept = keptText(first, enums);
      if (unit.alone) {
        await runAlone(conn, steps, first, options, wait, kept);
        if (enums === first && ENUM_VALUE.test((steps[first] as { sql: string }).sql)) enums++;
        options.onCommitted?.(unit.to);
        continue;
      }
      let at = first;
      const isLast = u === all.length - 1;
      await withLockRetries(conn, wait, () => (at < unit.to ? `Statement ${at + 1} of ${n}` : 'The plan\'s check before COMMIT'),
        `The transaction was rolled back; the database is as it was${kept}.`, async () => {
          at = first;
          await runTransaction(conn, steps, unit, isLast ? options : { ...options, beforeCommit: undefined }, (i) => { at = i; }, kept);
        });
      options.onCommitted?.(unit.to);
    }
  } finally {
    await conn.execute('RESET lock_timeout').catch(() => undefined);
  }
}

/** One try of the transaction; a lock wait that timed out is rethrown as the driver gave it (the caller retries). */
async function runTransaction(conn: Connection, steps: readonly RunStep[], unit: { from: number; to: number }, options: RunOptions,
  reached: (i: number) => void, kept: string): Promise<void> {
  const n = steps.length;
  const end = unit.to;
  let i = -1;
  await conn.execute('BEGIN');
  try {
    for (i = unit.from; i < end; i++) {
      reached(i);
      options.onStatement?.(i);
      await runStep(conn, steps[i]!);
    }
    reached(end);
    await options.beforeCommit?.();
    i = n + 1; // past the check: only COMMIT is left
    await conn.execute('COMMIT');
  } catch (e) {
    await conn.execute('ROLLBACK').catch(() => undefined);
    if (isLockWait(e)) throw e;
    const step = i >= 0 && i < end ? steps[i]! : null;
    if (isEvolveError(e) || (step && !isSqlStep(step))) throw e;
    const stmt = isSqlStep(step ?? undefined) ? step as Extract<RunStep, { sql: string }> : null;
    const where = stmt ? `Statement ${i + 1} of ${n} failed:\n  ${stmt.sql}\n` : i === end ? 'The check before COMMIT failed: ' : 'COMMIT failed: ';
    throw new EvolveError(ErrorCode.SqlFailed, `${where}${databaseMessage(e)}\nThe transaction was rolled back; the database is as it was${kept}.`, {
      hint: 'Read the statement and the error; fix the models (or the data) and apply again.',
      cause: e,
      details: { statement: stmt?.sql ?? null, index: stmt ? i : null, comment: stmt?.comment ?? null, error: databaseMessage(e) },
    });
  }
}
