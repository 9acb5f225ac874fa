/**
 * What a SQLite statement costs a live database (`evolve sql` prints it): SQLite has one
 * writer, so every statement of a plan holds the database's write lock until the plan's
 * transaction commits; a table change is a rebuild (a new table, the rows copied, the old one dropped).
 */
import type { StatementLock } from '../../plan/plan.js';
import { bareStatement } from '../shared/sql-clauses.js';

const WRITE_LOCK = 'the database write lock, until the transaction commits';

/** What `sql` costs. */
export function sqliteStatementLock(sql: string): StatementLock | null {
  const s = bareStatement(sql);
  if (/^PRAGMA\b/i.test(s)) return null;
  const base = { lock: WRITE_LOCK, blocks: 'writes' as const, brief: false, note: 'one writer: other connections\' writes wait; readers go on in WAL mode' };
  if (/^INSERT\s+INTO\b[\s\S]*\bSELECT\b/i.test(s)) return { ...base, work: 'rewrite', note: 'a table rebuild copies every row' };
  if (/^CREATE\s+(?:UNIQUE\s+)?INDEX\b/i.test(s) || /^UPDATE\b|^DELETE\b/i.test(s)) return { ...base, work: 'scan' };
  return { ...base, work: 'none' };
}
