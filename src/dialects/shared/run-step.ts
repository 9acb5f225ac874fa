/** Running one step of a {@link RunStep} list: SQL through the connection, a function as it is. */
import type { Connection } from '../connection.js';
import type { RunStep } from '../dialect.js';

/** Run step `s` on `conn`. */
export async function runStep(conn: Connection, s: RunStep): Promise<void> {
  if (s.kind === 'function') await s.run();
  else await conn.execute(s.sql);
}

/** True for an SQL step (whose failure the dialect reports); false for a function step. */
export const isSqlStep = (s: RunStep | undefined): s is Extract<RunStep, { sql: string }> => s !== undefined && s.kind !== 'function';

/** The database's own words for a failure: message, plus DETAIL and HINT where the server gave them. */
export function databaseMessage(e: unknown): string {
  const err = e as { message?: string; detail?: string; hint?: string };
  return [err.message ?? String(e), err.detail ? `DETAIL: ${err.detail}` : '', err.hint ? `HINT: ${err.hint}` : ''].filter(Boolean).join(' ');
}
