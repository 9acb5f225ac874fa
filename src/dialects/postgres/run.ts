/**
 * Running a plan on PostgreSQL: every statement in ONE transaction, `beforeCommit` (the
 * engine's fingerprint check) inside it, so a failure anywhere leaves the schema as it was —
 * except new enum values (`ALTER TYPE … ADD VALUE`, marked not `inTransaction` and placed first
 * by the planner), committed before it because PostgreSQL refuses to use a value in the
 * transaction that added it; adding an unused enum value is harmless. Any other statement
 * that cannot run in a transaction
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
  // Statements outside the transaction (new enum values, see the planner) lead the plan; each
  // commits on its own before the transaction that may use what it made.
  let first = 0;
  while (first < n && !plan.statements[first]!.inTransaction) first++;
  for (let k = 0; k < first; k++) {
    options.onStatement?.(k);
    try {
      await conn.execute(plan.statements[k]!.sql);
    } catch (e) {
      if (isEvolveError(e)) throw e;
      throw new EvolveError(ErrorCode.SqlFailed, `Statement ${k + 1} of ${n} failed:\n  ${plan.statements[k]!.sql}\n${databaseMessage(e)}\n${k ? `The ${k} statement(s) before it (enum value changes, committed before the plan's transaction) stay; nothing else ran.` : 'Nothing was changed.'}`, {
        hint: 'Read the statement and the error; fix the models (or the data) and apply again.',
        cause: e,
        details: { statement: plan.statements[k]!.sql, index: k, comment: plan.statements[k]!.comment, error: databaseMessage(e) },
      });
    }
  }
  let i = -1;
  await conn.execute('BEGIN');
  try {
    for (i = first; i < n; i++) {
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
    const kept = first ? ` but for ${first} enum value change(s), made before the transaction (PostgreSQL cannot use a value in the transaction that adds it)` : '';
    throw new EvolveError(ErrorCode.SqlFailed, `${where}${databaseMessage(e)}\nThe transaction was rolled back; the database is as it was${kept}.`, {
      hint: 'Read the statement and the error; fix the models (or the data) and apply again.',
      cause: e,
      details: { statement: stmt?.sql ?? null, index: stmt ? i : null, comment: stmt?.comment ?? null, error: databaseMessage(e) },
    });
  }
}
