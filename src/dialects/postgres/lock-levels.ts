/**
 * What a PostgreSQL statement costs a live database (issue 16; `evolve sql` prints it): the
 * table lock it takes (the PostgreSQL documentation's "Explicit Locking" names), what that lock
 * blocks, and whether it rewrites or scans the table — read from the statement's text, online
 * forms included (CREATE INDEX CONCURRENTLY, NOT VALID, VALIDATE CONSTRAINT, … USING INDEX).
 * An ALTER TABLE with several actions takes the strongest of their locks.
 */
import type { StatementLock } from '../../plan/plan.js';
import { bareStatement, topLevelClauses } from '../shared/sql-clauses.js';

/** PostgreSQL's table lock modes, weakest first. */
const MODES = ['ACCESS SHARE', 'ROW SHARE', 'ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE',
  'ACCESS EXCLUSIVE'] as const;
type Mode = (typeof MODES)[number];
const WORK = ['none', 'scan', 'rewrite'] as const;

/** What the application's queries wait for under each mode (SELECT takes ACCESS SHARE, INSERT/UPDATE/DELETE ROW EXCLUSIVE). */
const blocksOf = (m: Mode): StatementLock['blocks'] =>
  m === 'ACCESS EXCLUSIVE' ? 'reads and writes' : MODES.indexOf(m) >= MODES.indexOf('SHARE') ? 'writes' : 'nothing';

const lock = (mode: Mode, work: StatementLock['work'], note?: string): StatementLock =>
  ({ lock: mode, blocks: blocksOf(mode), brief: work === 'none', work, ...(note ? { note } : {}) });

/** Functions whose value differs row by row: a column added with one as its default is written into every row. */
export const VOLATILE_DEFAULT = /\bDEFAULT\s+[\s\S]*?\b(?:random|clock_timestamp|timeofday|gen_random_uuid|uuid_generate_v[14]\w*|nextval)\s*\(/i;

const TYPE_CHANGE = /^ALTER\s+(?:COLUMN\s+)?("(?:[^"]|"")+"|[\w$]+)\s+(?:SET\s+DATA\s+)?TYPE\s+([\s\S]*?)(?:\s+USING\s+([\s\S]*))?$/i;

/**
 * A type change's column, new type and whether it may keep the rows as they are: to text or
 * varchar, with no USING or only the cast the planner writes (`"c"::type`, which PostgreSQL reads
 * like no USING). Null for another action.
 */
export function typeChange(action: string): { column: string; type: string; mayKeepRows: boolean } | null {
  const m = TYPE_CHANGE.exec(action);
  if (!m) return null;
  const [, column, type, using] = m as unknown as [string, string, string, string | undefined];
  const plainCast = using === undefined || using.replace(/\s+/g, ' ').trim().toLowerCase() === `${column}::${type}`.replace(/\s+/g, ' ').toLowerCase();
  return { column, type, mayKeepRows: plainCast && /^(?:text|varchar|character\s+varying)\b/i.test(type) };
}

/** What one action of an ALTER TABLE costs. */
function actionLock(a: string): StatementLock {
  if (/^VALIDATE\s+CONSTRAINT\b/i.test(a)) return lock('SHARE UPDATE EXCLUSIVE', 'scan', 'checks the rows while reads and writes go on');
  if (/^ADD\s+(?:CONSTRAINT\s+\S+\s+)?(?:UNIQUE|PRIMARY\s+KEY)\b[\s\S]*\bUSING\s+INDEX\b/i.test(a)) {
    return lock('ACCESS EXCLUSIVE', 'none', 'the index is already built');
  }
  if (/^ADD\s+(?:CONSTRAINT\s+\S+\s+)?FOREIGN\s+KEY\b/i.test(a)) {
    return /\bNOT\s+VALID\b/i.test(a) ? lock('SHARE ROW EXCLUSIVE', 'none', 'on both tables; new rows are checked, old ones by VALIDATE')
      : lock('SHARE ROW EXCLUSIVE', 'scan', 'on both tables, while every row is checked');
  }
  if (/^ADD\s+(?:CONSTRAINT\s+\S+\s+)?CHECK\b/i.test(a)) {
    return /\bNOT\s+VALID\b/i.test(a) ? lock('ACCESS EXCLUSIVE', 'none', 'new rows are checked, old ones by VALIDATE')
      : lock('ACCESS EXCLUSIVE', 'scan', 'while every row is checked');
  }
  if (/^ADD\s+(?:CONSTRAINT\s+\S+\s+)?(?:UNIQUE|PRIMARY\s+KEY|EXCLUDE)\b/i.test(a)) return lock('ACCESS EXCLUSIVE', 'scan', 'builds an index');
  if (/^ADD\b/i.test(a)) {
    if (/\bGENERATED\s+ALWAYS\s+AS\s*\([\s\S]*\)\s*STORED\b/i.test(a) || VOLATILE_DEFAULT.test(a) || /\b(?:BIG|SMALL)?SERIAL\b/i.test(a) ||
      /\bGENERATED\s+(?:ALWAYS|BY\s+DEFAULT)\s+AS\s+IDENTITY\b/i.test(a)) {
      return lock('ACCESS EXCLUSIVE', 'rewrite', 'a value is computed for every row');
    }
    return lock('ACCESS EXCLUSIVE', 'none');
  }
  const tc = typeChange(a);
  if (tc) {
    return lock('ACCESS EXCLUSIVE', 'rewrite', tc.mayKeepRows ? 'none when the old type converts in binary: a widened varchar, or to text'
      : 'unless the new type is binary-compatible with the old');
  }
  if (/^ALTER\s+(?:COLUMN\s+)?\S+\s+SET\s+NOT\s+NULL\b/i.test(a)) {
    return lock('ACCESS EXCLUSIVE', 'scan', 'no scan when a validated CHECK (column IS NOT NULL) exists');
  }
  if (/^ALTER\s+(?:COLUMN\s+)?\S+\s+(?:SET\s+STATISTICS|SET\s*\(|RESET\s*\()/i.test(a)) return lock('SHARE UPDATE EXCLUSIVE', 'none');
  if (/^(?:SET\s+(?:LOGGED|UNLOGGED|TABLESPACE|ACCESS\s+METHOD)|CLUSTER\s+ON)\b/i.test(a)) return lock('ACCESS EXCLUSIVE', 'rewrite');
  if (/^SET\s*\(|^RESET\s*\(/i.test(a)) return lock('SHARE UPDATE EXCLUSIVE', 'none');
  if (/^(?:ENABLE|DISABLE)\s+TRIGGER\b/i.test(a)) return lock('SHARE ROW EXCLUSIVE', 'none');
  return lock('ACCESS EXCLUSIVE', 'none');
}

/** The stronger of two: the stronger mode, the heavier work, notes kept. */
function stronger(a: StatementLock, b: StatementLock): StatementLock {
  const mode = MODES[Math.max(MODES.indexOf(a.lock as Mode), MODES.indexOf(b.lock as Mode))]!;
  const work = WORK[Math.max(WORK.indexOf(a.work), WORK.indexOf(b.work))]!;
  const note = [a.note, b.note].filter(Boolean).join('; ');
  return lock(mode, work, note || undefined);
}

const ALTER_TABLE = /^ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(?:"(?:[^"]|"")+"|[\w$.]+)(?:\."(?:[^"]|"")+")?\s+([\s\S]*)$/i;

/** What `sql` costs, or null for a statement that locks no table (a function, a type, a comment). */
export function postgresStatementLock(sql: string): StatementLock | null {
  const s = bareStatement(sql);
  const alter = ALTER_TABLE.exec(s);
  if (alter) {
    if (/^RENAME\b/i.test(alter[1]!)) return lock('ACCESS EXCLUSIVE', 'none');
    return topLevelClauses(alter[1]!).map(actionLock).reduce(stronger);
  }
  if (/^CREATE\s+(?:UNIQUE\s+)?INDEX\s+CONCURRENTLY\b/i.test(s)) {
    return lock('SHARE UPDATE EXCLUSIVE', 'scan', 'built while reads and writes go on; cannot run inside a transaction');
  }
  if (/^CREATE\s+(?:UNIQUE\s+)?INDEX\b/i.test(s)) return lock('SHARE', 'scan', 'writes wait while the index is built');
  if (/^DROP\s+INDEX\s+CONCURRENTLY\b/i.test(s)) return lock('SHARE UPDATE EXCLUSIVE', 'none', 'waits for the queries using the index');
  if (/^DROP\s+INDEX\b/i.test(s)) return lock('ACCESS EXCLUSIVE', 'none', 'on the index\'s table');
  if (/^REINDEX\b[\s\S]*\bCONCURRENTLY\b/i.test(s)) return lock('SHARE UPDATE EXCLUSIVE', 'scan');
  if (/^REINDEX\b/i.test(s)) return lock('SHARE', 'scan');
  if (/^(?:DROP|TRUNCATE)\s+TABLE\b|^TRUNCATE\b/i.test(s)) return lock('ACCESS EXCLUSIVE', 'none');
  if (/^CREATE\s+(?:UNLOGGED\s+|TEMP(?:ORARY)?\s+)?TABLE\b/i.test(s)) {
    return /\bREFERENCES\b/i.test(s) ? lock('SHARE ROW EXCLUSIVE', 'none', 'a new table; on the tables it references') : null;
  }
  if (/^(?:CREATE(?:\s+OR\s+REPLACE)?|DROP)\s+(?:CONSTRAINT\s+)?TRIGGER\b/i.test(s)) return lock('SHARE ROW EXCLUSIVE', 'none');
  if (/^(?:UPDATE|DELETE)\b/i.test(s)) {
    return { lock: 'ROW EXCLUSIVE', blocks: 'nothing', brief: false, work: /\bWHERE\b/i.test(s) ? 'scan' : 'rewrite',
      note: 'the rows it changes stay locked until the transaction commits' };
  }
  if (/^INSERT\b[\s\S]*\bSELECT\b/i.test(s)) return { lock: 'ROW EXCLUSIVE', blocks: 'nothing', brief: false, work: 'scan' };
  if (/^(?:CREATE|DROP)\s+(?:OR\s+REPLACE\s+)?(?:MATERIALIZED\s+)?VIEW\b/i.test(s)) return null;
  if (/^REFRESH\s+MATERIALIZED\s+VIEW\s+CONCURRENTLY\b/i.test(s)) return lock('EXCLUSIVE', 'rewrite');
  if (/^REFRESH\s+MATERIALIZED\s+VIEW\b/i.test(s)) return lock('ACCESS EXCLUSIVE', 'rewrite');
  return null;
}
