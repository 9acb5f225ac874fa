/**
 * What a MySQL/MariaDB statement costs a live database (issue 16; `evolve sql` prints it): read
 * from its text, by the algorithm it states or, when it states none, the one online.ts expects.
 */
import type { StatementLock } from '../../plan/plan.js';
import { bareStatement } from '../shared/sql-clauses.js';
import { alterClauses, parseAlter, statedAlgorithm, textAlgorithm } from './online.js';
import { isOnlineForeignKey } from './online-foreign-key.js';

const INSTANT: StatementLock = { lock: 'exclusive metadata lock', blocks: 'reads and writes', brief: true, work: 'none' };

/** What `sql` costs, or null for a statement that touches no table's definition or rows. */
export function mysqlStatementLock(sql: string): StatementLock | null {
  const s = bareStatement(sql);
  const alter = parseAlter(s);
  if (alter) {
    const a = statedAlgorithm(s) ?? textAlgorithm(alter.body);
    if (a === 'instant') return { ...INSTANT, note: 'ALGORITHM=INSTANT: only the table definition changes' };
    if (a === 'copy') {
      // Unstated, a copy takes the least restrictive lock it can: SHARED.
      const shared = !/\bLOCK\s*=\s*EXCLUSIVE\b/i.test(s);
      return {
        lock: shared ? 'LOCK=SHARED' : 'LOCK=EXCLUSIVE', blocks: shared ? 'writes' : 'reads and writes', brief: false, work: 'rewrite',
        note: 'ALGORITHM=COPY: the rows are copied into a new table',
      };
    }
    if (isOnlineForeignKey(s)) { // online-foreign-key.ts
      return {
        lock: 'LOCK=NONE (exclusive metadata lock at the start and the end)', blocks: 'nothing', brief: false, work: 'scan',
        note: 'ALGORITHM=INPLACE with foreign_key_checks off: the key is added unchecked (an index built where its columns have none), ' +
          'then a query checks the rows while reads and writes go on',
      };
    }
    const indexOnly = alterClauses(alter.body).filter((c) => !/^(?:ALGORITHM|LOCK)\s*=/i.test(c))
      .every((c) => /^(?:ADD|DROP)\s+(?:UNIQUE\s+)?(?:INDEX|KEY)\b|^ADD\s+(?:CONSTRAINT\s+\S+\s+)?UNIQUE\b/i.test(c));
    const drops = indexOnly && /^\s*DROP\b/i.test(alter.body);
    return {
      lock: 'LOCK=NONE (exclusive metadata lock at the start and the end)', blocks: 'nothing', brief: false,
      work: drops ? 'none' : indexOnly ? 'scan' : 'rewrite',
      note: drops ? 'ALGORITHM=INPLACE: the index is dropped while reads and writes go on'
        : indexOnly ? 'ALGORITHM=INPLACE: the index is built from the rows while writes go on'
        : 'ALGORITHM=INPLACE: the table is rebuilt in place while writes go on',
    };
  }
  if (/^CREATE\s+(?:UNIQUE\s+|FULLTEXT\s+|SPATIAL\s+)?INDEX\b/i.test(s)) {
    const a = statedAlgorithm(s);
    return a === 'copy' ? { lock: 'LOCK=SHARED', blocks: 'writes', brief: false, work: 'rewrite' }
      : { lock: 'LOCK=NONE (exclusive metadata lock at the start and the end)', blocks: 'nothing', brief: false, work: 'scan' };
  }
  if (/^(?:DROP\s+TABLE|RENAME\s+TABLE|DROP\s+INDEX|TRUNCATE)\b/i.test(s)) return INSTANT;
  if (/^CREATE\s+(?:TEMPORARY\s+)?TABLE\b/i.test(s)) {
    return /\bREFERENCES\b/i.test(s) ? { ...INSTANT, note: 'a new table; the tables it references are locked for an instant' } : null;
  }
  if (/^(?:UPDATE|DELETE)\b/i.test(s)) {
    return { lock: 'row locks on the rows it changes', blocks: 'writes', brief: false, work: /\bWHERE\b/i.test(s) ? 'scan' : 'rewrite',
      note: 'other rows stay writable; without an index on the WHERE columns every row is read' };
  }
  if (/^INSERT\b[\s\S]*\bSELECT\b/i.test(s)) return { lock: 'row locks', blocks: 'writes', brief: false, work: 'scan', note: 'reads the rows it copies' };
  if (/^(?:CREATE|DROP)\s+(?:OR\s+REPLACE\s+)?(?:TRIGGER|VIEW|FUNCTION|PROCEDURE|EVENT)\b/i.test(s)) return INSTANT;
  return null;
}
