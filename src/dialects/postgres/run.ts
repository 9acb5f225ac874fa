/**
 * PostgreSQL's transaction rules: every step in ONE transaction, `beforeCommit` (the engine's
 * fingerprint check) inside it, so a failure anywhere leaves the schema as it was — except new
 * enum values (`ALTER TYPE … ADD VALUE`: marked not `inTransaction` by the planner, or
 * recognised in hand-written SQL), which lead the steps and commit before the transaction,
 * because PostgreSQL refuses to use a value in the transaction that added it; adding an
 * unused enum value is harmless. Any other statement that cannot run in a transaction (CREATE
 * INDEX CONCURRENTLY in a hand-written evolution) fails here and rolls back, rather than
 * silently giving up atomicity.
 */
import type { Connection } from '../connection.js';
import type { RunOptions, RunStep } from '../dialect.js';
import { EvolveError, ErrorCode, isEvolveError } from '../../errors.js';
import { databaseMessage, isSqlStep, runStep } from '../shared/run-step.js';

/** An enum value change, which cannot be used in the transaction that makes it. */
const ENUM_VALUE = /^\s*ALTER TYPE .* (?:ADD|RENAME) VALUE /is;

/** True for a step that runs before the transaction. */
function outsideTransaction(s: RunStep): boolean {
  if (!isSqlStep(s)) return false;
  return s.inTransaction === undefined ? ENUM_VALUE.test(s.sql) : !s.inTransaction;
}

/** The leading steps that commit on their own before the transaction; a failure names what stays. */
async function runLeading(conn: Connection, steps: readonly RunStep[], first: number, options: RunOptions): Promise<void> {
  const n = steps.length;
  for (let k = 0; k < first; k++) {
    const s = steps[k] as Extract<RunStep, { sql: string }>;
    options.onStatement?.(k);
    try {
      await conn.execute(s.sql);
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
  const n = steps.length;
  let first = 0;
  while (first < n && outsideTransaction(steps[first]!)) first++;
  await runLeading(conn, steps, first, options);
  let i = -1;
  await conn.execute('BEGIN');
  try {
    for (i = first; i < n; i++) {
      options.onStatement?.(i);
      await runStep(conn, steps[i]!);
    }
    await options.beforeCommit?.();
    i = n + 1; // past the check: only COMMIT is left
    await conn.execute('COMMIT');
  } catch (e) {
    await conn.execute('ROLLBACK').catch(() => undefined);
    const step = i >= 0 && i < n ? steps[i]! : null;
    if (isEvolveError(e) || (step && !isSqlStep(step))) throw e;
    const stmt = isSqlStep(step ?? undefined) ? step as Extract<RunStep, { sql: string }> : null;
    const where = stmt ? `Statement ${i + 1} of ${n} failed:\n  ${stmt.sql}\n` : i === n ? 'The check before COMMIT failed: ' : 'COMMIT failed: ';
    const kept = first
      ? ` but for ${first} enum value change(s), made before the transaction (PostgreSQL cannot use a value in the transaction that adds it)`
      : '';
    throw new EvolveError(ErrorCode.SqlFailed, `${where}${databaseMessage(e)}\nThe transaction was rolled back; the database is as it was${kept}.`, {
      hint: 'Read the statement and the error; fix the models (or the data) and apply again.',
      cause: e,
      details: { statement: stmt?.sql ?? null, index: stmt ? i : null, comment: stmt?.comment ?? null, error: databaseMessage(e) },
    });
  }
}
