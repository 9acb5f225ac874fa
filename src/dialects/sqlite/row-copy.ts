/**
 * Progress of a rebuild's row copy (`INSERT INTO _evolve_new_t … SELECT … FROM t`): SQLite runs
 * the copy as one synchronous statement, so the only way to see it advance is a function the
 * statement calls once per row. The planner marks its copy statements here (by identity, so
 * the plan's statements and its JSON stay as they are); with a progress reporter, the run
 * counts the table's rows, then runs the marked statement with `WHERE _evolve_row()`, which
 * is always true and ticks the reporter.
 */
import type { PlanStatement } from '../../plan/plan.js';
import type { ProgressReporter } from '../../plan/progress.js';
import type { RunStep } from '../dialect.js';
import type { SqliteConnection } from './connection.js';
import { sqliteSql } from './sql-builder.js';

interface RowCopy { readonly table: string; readonly countedSql: string }

const copies = new WeakMap<object, RowCopy>();

/** Mark `statement` (an `INSERT … SELECT … FROM table` with no WHERE) as the copy of `table`'s rows. */
export function markRowCopy(statement: PlanStatement, table: string): PlanStatement {
  copies.set(statement, { table, countedSql: `${statement.sql} WHERE _evolve_row()` });
  return statement;
}

/**
 * Run `step` (a marked copy) with progress on `reporter`; false when `step` is not a marked
 * copy (the caller runs it as usual).
 */
export async function runRowCopy(conn: SqliteConnection, step: RunStep, reporter: ProgressReporter): Promise<boolean> {
  const copy = copies.get(step);
  if (!copy) return false;
  const total = Number((await conn.query(`SELECT count(*) AS n FROM ${sqliteSql.ident(copy.table)}`))[0]?.n ?? 0);
  const task = reporter.start(`copy rows of ${copy.table}`, total, 'rows');
  try {
    conn.db.function('_evolve_row', { deterministic: false, directOnly: true }, () => { task.add(1); return 1; });
    await conn.execute(copy.countedSql);
  } finally { task.end(); }
  return true;
}
