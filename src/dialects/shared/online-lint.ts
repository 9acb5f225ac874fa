/**
 * What the online-safety lint rules of every dialect share (issue 16 point 4): the statements
 * they read, their findings, and which tables are new in the statements (nothing on a table
 * created earlier in the same run is reported: it has no traffic yet).
 */
import type { OnlineLintContext } from '../dialect.js';
import type { Hazard, HazardCodeValue } from '../../plan/plan.js';
import { NAME, unquoteName } from './sql-clauses.js';

/** One statement as the rules read it. */
export interface LintStatement {
  readonly sql: string;
  /** False: runs outside the run's transaction (a generated plan says so); unset: the dialect decides. */
  readonly inTransaction?: boolean;
}

/** A finding, before the message gets its place (`0003-x.sql step 2`). */
export interface OnlineFinding {
  readonly code: HazardCodeValue;
  readonly severity: 'error' | 'warning';
  readonly table: string;
  readonly column?: string | null;
  readonly message: string;
  readonly fix: string;
}

/** A finding at statement `index` (0-based) as the hazard `evolve lint` lists. */
export function findingHazard(f: OnlineFinding, ctx: OnlineLintContext, index: number | null): Hazard {
  const where = index === null ? ctx.source : ctx.handWritten ? `${ctx.source} step ${index + 1}` : `${ctx.source}, statement ${index + 1}`;
  return {
    code: f.code, severity: f.severity, table: f.table, column: f.column ?? null, message: `${where}: ${f.message}`, fix: f.fix, rows: null, allowable: true,
  };
}

export const CREATE_TABLE = new RegExp(String.raw`^CREATE\s+(?:UNLOGGED\s+|TEMP(?:ORARY)?\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?${NAME}`, 'i');

/** The tables created by statements before `index` (lower case, unqualified and as written). */
export function createdBefore(sqls: readonly string[], index: number): Set<string> {
  const out = new Set<string>();
  for (const s of sqls.slice(0, index)) {
    const m = CREATE_TABLE.exec(s);
    if (m) { const n = unquoteName(m[1]).toLowerCase(); out.add(n); out.add(n.split('.').pop()!); }
  }
  return out;
}

/** Is `table` new in these statements (created before `index`)? */
export const isNewTable = (sqls: readonly string[], index: number, table: string): boolean =>
  createdBefore(sqls, index).has(unquoteName(table).toLowerCase());

