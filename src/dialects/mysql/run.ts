/**
 * MySQL/MariaDB's rules for a run. Every DDL statement commits implicitly, so there is no
 * transaction to roll back: steps run one by one, `beforeCommit` runs after the last, and a
 * failing statement says exactly which statements were applied and which were not, each by
 * number, purpose and SQL.
 *
 * No statement waits unbounded for a lock (issue 16): the run sets `lock_wait_timeout` (whole
 * seconds, at least 1; default 2) and retries a statement whose metadata-lock wait timed out
 * with backoff and jitter (default 10 retries, each reported); when the tries are used up,
 * `E_LOCK_TIMEOUT` names the sessions with open transactions on the database.
 */
import type { Connection } from '../connection.js';
import type { RunOptions, RunStep } from '../dialect.js';
import { EvolveError, ErrorCode, isEvolveError } from '../../errors.js';
import { isSqlStep, runStep } from '../shared/run-step.js';
import { backoffMs, DEFAULT_LOCK_WAIT, lockWaitError, sleep, type Blocker } from '../shared/lock.js';
import { runOnline } from './online-run.js';
import type { MysqlConnection } from './connection.js';
import { dropPtOscLeftovers } from './pt-osc-leftovers.js';
import { checkPendingKeys } from './online-foreign-key.js';

/** ER_LOCK_WAIT_TIMEOUT: `lock_wait_timeout` (metadata locks) or `innodb_lock_wait_timeout` (rows) ran out. */
const isLockWait = (e: unknown): boolean => {
  const err = e as { code?: string; errno?: number } | null;
  return err?.code === 'ER_LOCK_WAIT_TIMEOUT' || err?.errno === 1205;
};

/** Sessions other than this one with an open transaction (which holds its metadata locks) on this database. */
export async function mysqlBlockers(conn: Connection): Promise<Blocker[]> {
  const rows = await conn.query(`SELECT p.ID AS pid, CONCAT(p.USER, '@', p.HOST) AS application, p.COMMAND AS command, p.STATE AS state,
      TIMESTAMPDIFF(SECOND, t.trx_started, NOW()) AS xact, p.INFO AS query
    FROM information_schema.PROCESSLIST p LEFT JOIN information_schema.INNODB_TRX t ON t.trx_mysql_thread_id = p.ID
    WHERE p.ID <> CONNECTION_ID() AND p.DB = DATABASE() AND (t.trx_id IS NOT NULL OR p.STATE LIKE '%lock%')
    ORDER BY xact DESC, p.ID`);
  return rows.map((r) => ({
    pid: Number(r.pid), application: String(r.application ?? ''),
    state: [r.command, r.state].filter((x) => x !== null && x !== undefined && String(x) !== '').map(String).join(', ') || 'idle',
    transactionSeconds: r.xact === null || r.xact === undefined ? null : Number(r.xact), query: String(r.query ?? ''),
  }));
}

type Listed = { readonly sql: string; readonly comment?: string };

/** A step as the failure lists show it (a function by its name). */
const listed = (s: RunStep): Listed => (isSqlStep(s) ? s : { sql: `-- function ${s.name}` });

/** One statement of a failed run, as `details` gives it. */
export interface NumberedStatement {
  /** 1-based position in the plan. */
  readonly number: number;
  readonly sql: string;
}

/** Longest SQL shown per statement in the lists of a failure message (the details hold it all). */
const SQL_WIDTH = 160;
/** Lists longer than this show their first and last LIST_END statements only. */
const LIST_MAX = 30;
const LIST_END = 10;

/** `1, 2, 3` / `1–3` style list of statement numbers. */
function numbers(ns: readonly number[]): string {
  if (ns.length === 0) return 'none';
  return ns.length > 2 && ns[ns.length - 1]! - ns[0]! === ns.length - 1 ? `${ns[0]}–${ns[ns.length - 1]}` : ns.join(', ');
}

/** One line per statement: `  3. (add column x to t) ALTER TABLE …`, whitespace collapsed, long SQL cut. */
function line(n: number, s: Listed): string {
  const flat = s.sql.replace(/\s+/g, ' ').trim();
  const sql = flat.length > SQL_WIDTH ? `${flat.slice(0, SQL_WIDTH - 1)}…` : flat;
  return `  ${n}. ${s.comment ? `(${s.comment}) ` : ''}${sql}`;
}

/** The lines of a list of statements; a long list keeps its ends and says how many it leaves out. */
function list(all: readonly Listed[], ns: readonly number[]): string[] {
  const shown = ns.length > LIST_MAX ? [...ns.slice(0, LIST_END), -1, ...ns.slice(-LIST_END)] : ns;
  return shown.map((n) => (n === -1 ? `  … ${ns.length - 2 * LIST_END} more (every statement is in the error's details)` : line(n, all[n - 1]!)));
}

/**
 * Run `steps` in order (see {@link Dialect.run}).
 * @throws EvolveError `E_SQL_FAILED` naming the failing statement and its error, then listing
 * the statements that ran (they stay applied) and those that did not; `details` has `executed`
 * and `notRun` ({@link NumberedStatement} lists, complete), `failed` (`{ number, sql, error }`).
 * What a function step throws is rethrown as it is.
 */
export async function runMysql(conn: Connection | MysqlConnection, steps: readonly RunStep[], options: RunOptions = {}): Promise<void> {
  const total = steps.length;
  const wait = options.lockWait ?? DEFAULT_LOCK_WAIT;
  const before = (await conn.query('SELECT @@SESSION.lock_wait_timeout AS t'))[0]?.t;
  await conn.execute(`SET SESSION lock_wait_timeout = ${Math.max(1, Math.ceil(wait.waitMs / 1000))}`);
  try {
    await dropLeftovers(conn);
    // Foreign keys a killed run added without their row check are checked first (online-foreign-key.ts).
    await checkPendingKeys(conn, steps.filter(isSqlStep).map((s) => s.sql), wait);
    for (let i = 0; i < total; i++) {
      const step = steps[i]!;
      options.onStatement?.(i);
      for (let tries = 0; ; tries++) {
        try {
          if (isSqlStep(step)) await runOnline(conn as MysqlConnection, step.sql, options.online === true, options.batches, wait);
          else await runStep(conn, step);
          break;
        } catch (e) {
          if (isLockWait(e) && isSqlStep(step)) {
            const blockers = await mysqlBlockers(conn).catch(() => []);
            const what = `Statement ${i + 1} of ${total}`;
            if (tries >= wait.retries) {
              const ran = i === 0 ? 'Nothing was changed.' : `Statements 1–${i} ran and stay applied (MySQL commits each DDL statement); the rest did not run.`;
              throw lockWaitError(conn.displayUrl, what, wait, blockers, ran, e);
            }
            const delayMs = backoffMs(tries + 1, wait.waitMs);
            wait.onRetry?.({ attempt: tries + 1, of: wait.retries, what, delayMs, blockers });
            await sleep(delayMs);
            continue;
          }
          if (!isSqlStep(step) || isEvolveError(e)) throw e;
          throw failure(steps.map(listed), i, e);
        }
      }
    }
    await options.beforeCommit?.();
  } finally {
    if (before !== undefined && before !== null) await conn.execute(`SET SESSION lock_wait_timeout = ${Number(before)}`).catch(() => undefined);
  }
}

/**
 * Drop what an interrupted pt-online-schema-change run left (pt-osc-leftovers.ts) before the
 * steps, so that a re-run starts from the table as it was and its own copy can be made.
 */
async function dropLeftovers(conn: Connection): Promise<void> {
  try {
    await dropPtOscLeftovers(conn); // the plan's report listed them (introspection: unmanaged)
  } catch (e) {
    if (isEvolveError(e)) throw e;
    throw new EvolveError(ErrorCode.SqlFailed,
      'Could not drop what an interrupted pt-online-schema-change run left (its pt_osc_ triggers, its _evolve_osc_ copy): ' +
        `${(e as Error)?.message ?? String(e)}`, {
        hint: 'Drop them by hand (DROP TRIGGER …, DROP TABLE …; evolve status lists them), then apply again. Nothing of the plan ran.',
        cause: e,
      });
  }
}

/** The error for statement `i` (0-based) failing with `e`. */
function failure(all: readonly Listed[], i: number, e: unknown): EvolveError {
  const total = all.length;
  const executed = Array.from({ length: i }, (_, k) => k + 1);
  const notRun = Array.from({ length: total - i - 1 }, (_, k) => i + k + 2);
  const stmt = all[i]!;
  const err = (e as Error)?.message ?? String(e);
  const ran = executed.length === 0 ? 'no statement ran before it'
    : `statement${executed.length === 1 ? '' : 's'} ${numbers(executed)} ran and stay${executed.length === 1 ? 's' : ''} applied`;
  const rest = notRun.length === 0 ? 'it was the last one'
    : `statement${notRun.length === 1 ? '' : 's'} ${numbers(notRun)} did not run`;
  const lines = [
    `Statement ${i + 1} of ${total} failed: ${err}`,
    `  ${stmt.comment ? `(${stmt.comment}) ` : ''}${stmt.sql.replace(/\n/g, '\n  ')}`,
    `MySQL commits each DDL statement at once, so nothing was rolled back: ${ran}; statement ${i + 1} failed; ${rest}.`,
  ];
  if (executed.length) lines.push('Ran (still applied):', ...list(all, executed));
  if (notRun.length) lines.push('Did not run:', ...list(all, notRun));
  const numbered = (n: number): NumberedStatement => ({ number: n, sql: all[n - 1]!.sql });
  return new EvolveError(ErrorCode.SqlFailed, lines.join('\n'), {
    hint: 'Fix the cause (the models or the data), then apply again: the plan is recomputed from what the database now holds.',
    cause: e,
    details: {
      executed: executed.map(numbered), failed: { number: i + 1, sql: stmt.sql, error: err }, notRun: notRun.map(numbered),
      statement: stmt.sql, index: i, error: err,
    },
  });
}
