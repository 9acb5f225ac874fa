/**
 * MySQL/MariaDB's online-safety lint rules (issue 16 point 4): an ALTER TABLE or CREATE INDEX
 * that states no ALGORITHM/LOCK lets the server pick a copying, locking plan silently; one that
 * states ALGORITHM=COPY blocks writes for the copy; a MODIFY that changes a type copies the
 * table; a hand-written evolution should bound its lock waits (lock_wait_timeout).
 */
import type { OnlineLintContext } from '../dialect.js';
import { HazardCode, type Hazard } from '../../plan/plan.js';
import { NAME, unquoteName } from '../shared/sql-clauses.js';
import { findingHazard, isNewTable, type LintStatement, type OnlineFinding } from '../shared/online-lint.js';
import { parseAlter, statedAlgorithm, textAlgorithm } from './online.js';

const CREATE_INDEX = new RegExp(String.raw`^CREATE\s+(?:UNIQUE\s+|FULLTEXT\s+|SPATIAL\s+)?INDEX\s+${NAME}\s+ON\s+${NAME}`, 'i');
const LOCK_WAIT = /^SET\s+(?:SESSION\s+|@@(?:SESSION\.)?)?lock_wait_timeout\s*(?:=|TO)\s*(\d+)/i;

/** The findings of statement `index`. */
function statementFindings(sqls: readonly string[], index: number): OnlineFinding[] {
  const s = sqls[index]!;
  const alter = parseAlter(s);
  const ci = CREATE_INDEX.exec(s);
  const table = alter ? unquoteName(alter.table) : ci ? unquoteName(ci[2]) : null;
  if (table === null || isNewTable(sqls, index, table)) return [];
  const stated = statedAlgorithm(s);
  const out: OnlineFinding[] = [];
  if (!stated) {
    const expected = alter ? textAlgorithm(alter.body) : 'inplace';
    out.push({ code: HazardCode.OnlineMysqlNoAlgorithm, severity: 'warning', table,
      message: 'states no ALGORITHM/LOCK: the server silently picks a copying plan that blocks writes when it cannot do better',
      fix: `state the algorithm (${expected === 'instant' ? 'ALGORITHM=INSTANT' : expected === 'inplace' ? 'ALGORITHM=INPLACE, LOCK=NONE'
        : 'it needs ALGORITHM=COPY: use pt-online-schema-change, or accept that writes wait'}) so the server refuses instead of locking` });
  } else if (stated === 'copy') {
    out.push({ code: HazardCode.OnlineMysqlCopy, severity: 'warning', table,
      message: 'runs with ALGORITHM=COPY: the table is copied while writes to it wait',
      fix: 'run it with evolve apply --online (pt-online-schema-change when installed), or when writes may wait for the copy' });
  }
  return out;
}

/** Does a hand-written evolution change an existing table without lock_wait_timeout set before (or set it very high)? */
function missingLockWait(sqls: readonly string[]): { index: number; high: boolean } | null {
  let set = false;
  for (const [i, s] of sqls.entries()) {
    const m = LOCK_WAIT.exec(s);
    if (m) { if (Number(m[1]) > 60) return { index: i, high: true }; set = true; continue; }
    const alter = parseAlter(s);
    const locks = (alter && !isNewTable(sqls, i, unquoteName(alter.table))) || CREATE_INDEX.test(s) || /^(?:DROP|RENAME)\s+TABLE\b/i.test(s);
    if (locks && !set) return { index: i, high: false };
  }
  return null;
}

/** MySQL/MariaDB's online lint (see the module comment and docs/online.md). */
export function mysqlLintOnline(statements: readonly LintStatement[], ctx: OnlineLintContext): Hazard[] {
  const sqls = statements.map((s) => s.sql);
  const out = sqls.flatMap((_, i) => statementFindings(sqls, i).map((f) => findingHazard(f, ctx, i)));
  const lw = ctx.handWritten ? missingLockWait(sqls) : null;
  if (lw) {
    out.push(findingHazard({ code: HazardCode.OnlineNoLockTimeout, severity: 'warning', table: '',
      message: lw.high ? 'sets lock_wait_timeout above a minute: while a statement waits for its metadata lock, the application queues behind it'
        : 'changes an existing table with no lock_wait_timeout set: run by another tool (mysql) it waits up to the server default ' +
          '(a year) for its metadata lock, and the application queues behind it (evolve apply bounds the wait itself: --lock-wait)',
      fix: 'start the evolution with SET SESSION lock_wait_timeout = 2' }, ctx, lw.index));
  }
  return out;
}
