/** Running a generated plan on an open database, through the dialect's one transaction implementation. */
import type { RunOptions } from '../dialects/dialect.js';
import type { Plan } from '../plan/plan.js';
import type { OpenDatabase } from './database.js';

/**
 * Run `plan` on `db`: its statements in one transaction where the dialect allows, with foreign
 * keys switched off around it when the plan rebuilds tables (SQLite), `beforeCommit` inside it.
 */
export function runPlan(db: OpenDatabase, plan: Plan, options: Omit<RunOptions, 'foreignKeysOff'> = {}): Promise<void> {
  return db.dialect.run(db.conn, plan.statements, {
    lockWait: db.lockWait, online: db.online, batches: db.batches, ...(db.progress ? { progress: db.progress } : {}), ...options,
    foreignKeysOff: plan.foreignKeysOff,
  });
}
