/**
 * MySQL/MariaDB's rules for a run. Every DDL statement commits implicitly, so there is no
 * transaction to roll back: steps run one by one, `beforeCommit` runs after the last, and a
 * failing statement says exactly which statements were applied and which were not, each by
 * number, purpose and SQL.
 */
import type { Connection } from '../connection.js';
import type { RunOptions, RunStep } from '../dialect.js';
import { EvolveError, ErrorCode, isEvolveError } from '../../errors.js';
import { isSqlStep, runStep } from '../shared/run-step.js';

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
export async function runMysql(conn: Connection, steps: readonly RunStep[], options: RunOptions = {}): Promise<void> {
  const total = steps.length;
  for (let i = 0; i < total; i++) {
    const step = steps[i]!;
    options.onStatement?.(i);
    try {
      await runStep(conn, step);
    } catch (e) {
      if (!isSqlStep(step) || isEvolveError(e)) throw e;
      throw failure(steps.map(listed), i, e);
    }
  }
  await options.beforeCommit?.();
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
