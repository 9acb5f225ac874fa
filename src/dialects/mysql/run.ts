/**
 * Running a plan on MySQL/MariaDB. Every DDL statement commits implicitly, so there is no
 * transaction to roll back: statements run one by one, `beforeCommit` runs after the last, and
 * a failure says exactly which statements were applied and which were not.
 */
import type { Connection } from '../connection.js';
import type { Plan } from '../../plan/plan.js';
import type { RunOptions } from '../dialect.js';
import { EvolveError, ErrorCode } from '../../errors.js';

/** `1, 2, 3` / `1–3` style list of statement numbers. */
function numbers(ns: readonly number[]): string {
  if (ns.length === 0) return 'none';
  return ns.length > 2 && ns[ns.length - 1]! - ns[0]! === ns.length - 1 ? `${ns[0]}–${ns[ns.length - 1]}` : ns.join(', ');
}

/**
 * Run a plan's statements in order.
 * @throws EvolveError `E_SQL_FAILED` naming the failing statement, its error, the statements
 * that ran (they stay applied) and those that did not; `details` has `executed`, `failed` and
 * `notRun` (1-based statement numbers).
 */
export async function runMysql(conn: Connection, plan: Plan, options: RunOptions = {}): Promise<void> {
  const total = plan.statements.length;
  for (let i = 0; i < total; i++) {
    const stmt = plan.statements[i]!;
    options.onStatement?.(i);
    try {
      await conn.execute(stmt.sql);
    } catch (e) {
      const executed = Array.from({ length: i }, (_, k) => k + 1);
      const notRun = Array.from({ length: total - i - 1 }, (_, k) => i + k + 2);
      const err = (e as Error).message ?? String(e);
      const ran = executed.length === 0 ? 'no statement ran before it'
        : `statement${executed.length === 1 ? '' : 's'} ${numbers(executed)} ran and stay${executed.length === 1 ? 's' : ''} applied`;
      const rest = notRun.length === 0 ? 'it was the last one'
        : `statement${notRun.length === 1 ? '' : 's'} ${numbers(notRun)} did not run`;
      throw new EvolveError(ErrorCode.SqlFailed,
        `Statement ${i + 1} of ${total} failed: ${err}\n  ${stmt.sql.replace(/\n/g, '\n  ')}\n` +
        `MySQL commits each DDL statement at once, so nothing was rolled back: ${ran}; statement ${i + 1} failed; ${rest}.`, {
          hint: 'Fix the cause (the models or the data), then apply again: the plan is recomputed from what the database now holds.',
          cause: e,
          details: {
            executed, failed: { number: i + 1, sql: stmt.sql, error: err }, notRun,
            statement: stmt.sql, index: i,
          },
        });
    }
  }
  await options.beforeCommit?.();
}
