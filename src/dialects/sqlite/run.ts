/** Running a plan on SQLite: one IMMEDIATE transaction (it takes the write lock). */
import type { Connection } from '../connection.js';
import type { Plan } from '../../plan/plan.js';
import type { RunOptions } from '../dialect.js';
import { EvolveError, ErrorCode } from '../../errors.js';

async function fkViolations(conn: Connection): Promise<number> {
  return (await conn.query('PRAGMA foreign_key_check')).length;
}

export async function runSqlite(conn: Connection, plan: Plan, options: RunOptions = {}): Promise<void> {
  const fkWasOn = Number((await conn.query('PRAGMA foreign_keys'))[0]?.foreign_keys ?? 0) === 1;
  const fkOff = plan.foreignKeysOff && fkWasOn;
  if (fkOff) await conn.execute('PRAGMA foreign_keys = OFF');
  const before = plan.foreignKeysOff ? await fkViolations(conn) : 0;
  let i = -1;
  try {
    await conn.execute('BEGIN IMMEDIATE');
    try {
      for (i = 0; i < plan.statements.length; i++) {
        options.onStatement?.(i);
        await conn.execute(plan.statements[i]!.sql);
      }
      if (plan.foreignKeysOff) {
        const after = await fkViolations(conn);
        if (after > before) {
          throw new EvolveError(ErrorCode.ForeignKeyViolation, `After the plan, ${after - before} row(s) violate a foreign key; nothing was applied.`, {
            hint: 'Run PRAGMA foreign_key_check on a copy after the plan to find them, fix the rows, and apply again.',
          });
        }
      }
      i = plan.statements.length;
      await options.beforeCommit?.();
      await conn.execute('COMMIT');
    } catch (e) {
      await conn.execute('ROLLBACK').catch(() => undefined);
      if (e instanceof EvolveError) throw e;
      const stmt = plan.statements[i];
      throw new EvolveError(ErrorCode.SqlFailed, `Statement ${i + 1} of ${plan.statements.length} failed: ${(e as Error).message}. The transaction was rolled back; the database is as it was.`, {
        hint: 'Read the statement and the error; fix the models (or the data) and apply again.',
        cause: e,
        details: { statement: stmt?.sql ?? null, index: i },
      });
    }
  } finally {
    if (fkOff) await conn.execute('PRAGMA foreign_keys = ON');
  }
}
