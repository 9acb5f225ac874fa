/**
 * Running a plan on PostgreSQL: every statement in ONE transaction, `beforeCommit` (the
 * engine's fingerprint check) inside it, so a failure anywhere leaves the schema as it was.
 * The planner marks every statement `inTransaction`; one that cannot run in a transaction
 * (CREATE INDEX CONCURRENTLY in a hand-written plan) fails here and rolls back, rather than
 * silently giving up atomicity.
 */
import type { Connection } from '../connection.js';
import type { Plan } from '../../plan/plan.js';
import type { RunOptions } from '../dialect.js';
import { EvolveError, ErrorCode, isEvolveError } from '../../errors.js';

/** The database's own words for a failure: message, plus DETAIL and HINT where the server gave them. */
function databaseMessage(e: unknown): string {
  const err = e as { message?: string; detail?: string; hint?: string };
  return [err.message ?? String(e), err.detail ? `DETAIL: ${err.detail}` : '', err.hint ? `HINT: ${err.hint}` : ''].filter(Boolean).join(' ');
}

/**
 * Run `plan` in one transaction. A missing target schema is created inside it by the connection
 * (see `connection.ts`), so it too is rolled back on failure.
 * @throws EvolveError `E_SQL_FAILED` naming the statement (number and SQL) and the database's
 *   error; anything `beforeCommit` throws is rethrown as is. Either way nothing was changed.
 */
export async function runPostgres(conn: Connection, plan: Plan, options: RunOptions = {}): Promise<void> {
  const n = plan.statements.length;
  let i = -1;
  await conn.execute('BEGIN');
  try {
    for (i = 0; i < n; i++) {
      options.onStatement?.(i);
      await conn.execute(plan.statements[i]!.sql);
    }
    await options.beforeCommit?.();
    i = n + 1; // past the check: only COMMIT is left
    await conn.execute('COMMIT');
  } catch (e) {
    await conn.execute('ROLLBACK').catch(() => undefined);
    if (isEvolveError(e)) throw e;
    const stmt = i >= 0 && i < n ? plan.statements[i]! : null;
    const where = stmt ? `Statement ${i + 1} of ${n} failed:\n  ${stmt.sql}\n`
      : i === n ? 'The check before COMMIT failed: ' : 'COMMIT failed: ';
    throw new EvolveError(ErrorCode.SqlFailed, `${where}${databaseMessage(e)}\nThe transaction was rolled back; the database is as it was.`, {
      hint: 'Read the statement and the error; fix the models (or the data) and apply again.',
      cause: e,
      details: { statement: stmt?.sql ?? null, index: stmt ? i : null, comment: stmt?.comment ?? null, error: databaseMessage(e) },
    });
  }
}
