/**
 * SQLite's transaction rules: one IMMEDIATE transaction (it takes the write lock at once);
 * for steps that rebuild tables, foreign key enforcement switched off outside it (SQLite
 * ignores the pragma inside a transaction) and `foreign_key_check` run before commit, so a
 * rebuild never cascades deletes and never leaves a dangling key.
 */
import type { Connection } from '../connection.js';
import type { RunOptions, RunStep } from '../dialect.js';
import { EvolveError, ErrorCode, isEvolveError } from '../../errors.js';
import { isSqlStep, runStep } from '../shared/run-step.js';
import type { SqliteConnection } from './connection.js';
import { runRowCopy } from './row-copy.js';

async function fkViolations(conn: Connection): Promise<number> {
  return (await conn.query('PRAGMA foreign_key_check')).length;
}

/** Run `steps` in one transaction (see {@link Dialect.run}). */
export async function runSqlite(conn: Connection, steps: readonly RunStep[], options: RunOptions = {}): Promise<void> {
  const checkKeys = options.foreignKeysOff === true;
  const fkWasOn = Number((await conn.query('PRAGMA foreign_keys'))[0]?.foreign_keys ?? 0) === 1;
  const fkOff = checkKeys && fkWasOn;
  if (fkOff) await conn.execute('PRAGMA foreign_keys = OFF');
  const before = checkKeys ? await fkViolations(conn) : 0;
  let i = -1;
  try {
    await conn.execute('BEGIN IMMEDIATE');
    try {
      for (i = 0; i < steps.length; i++) {
        options.onStatement?.(i);
        const step = steps[i]!;
        if (!options.progress || !(await runRowCopy(conn as SqliteConnection, step, options.progress))) await runStep(conn, step);
      }
      i = steps.length;
      if (checkKeys) {
        const after = await fkViolations(conn);
        if (after > before) {
          throw new EvolveError(ErrorCode.ForeignKeyViolation,
            `After the last statement, ${after - before} row(s) violate a foreign key; the transaction was rolled back and nothing was applied.`, {
              hint: 'Run PRAGMA foreign_key_check on a copy after the change to find them, fix the rows, and apply again.',
              details: { violations: after - before },
            });
        }
      }
      await options.beforeCommit?.();
      await conn.execute('COMMIT');
    } catch (e) {
      await conn.execute('ROLLBACK').catch(() => undefined);
      const step = steps[i];
      if (isEvolveError(e) || (step && !isSqlStep(step))) throw e;
      const error = (e as Error).message;
      const where = isSqlStep(step) ? `Statement ${i + 1} of ${steps.length}` : 'COMMIT';
      throw new EvolveError(ErrorCode.SqlFailed, `${where} failed: ${error}. The transaction was rolled back; the database is as it was.`, {
        hint: 'Read the statement and the error; fix the models (or the data) and apply again.',
        cause: e,
        details: { statement: isSqlStep(step) ? step.sql : null, index: i, error },
      });
    }
  } finally {
    if (fkOff) await conn.execute('PRAGMA foreign_keys = ON');
  }
}
