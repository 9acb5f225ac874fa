/**
 * PostgreSQL's online-safety lint rules (issue 16 point 4; the rules of squawk and
 * strong_migrations that apply): each reads one statement's text, with the statements before
 * it for context, and says what would block the application and how to avoid it.
 */
import type { OnlineLintContext } from '../dialect.js';
import { HazardCode, type Hazard } from '../../plan/plan.js';
import { NAME, topLevelClauses, unquoteName } from '../shared/sql-clauses.js';
import { findingHazard, isNewTable, type LintStatement, type OnlineFinding } from '../shared/online-lint.js';
import { typeChange, VOLATILE_DEFAULT } from './lock-levels.js';

const ALTER = new RegExp(String.raw`^ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?${NAME}\s+([\s\S]*)$`, 'i');
const CREATE_INDEX = new RegExp(String.raw`^CREATE\s+(?:UNIQUE\s+)?INDEX\s+(CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?(?:${NAME}\s+)?` +
  String.raw`ON\s+(?:ONLY\s+)?${NAME}`, 'i');
/** `s` as a regular expression that matches it literally. */
const literally = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const CONCURRENTLY = /^(?:CREATE\s+(?:UNIQUE\s+)?INDEX|DROP\s+INDEX|REINDEX\b[\s\S]*?)\s+CONCURRENTLY\b|^REFRESH\s+MATERIALIZED\s+VIEW\s+CONCURRENTLY\b/i;
const BEGIN = /^(?:BEGIN|START\s+TRANSACTION)\b/i;
/** A statement that ends a transaction. */
const END = /^\s*(?:COMMIT|END|ROLLBACK)\b/i;
const LOCK_TIMEOUT = /^SET\s+(?:LOCAL\s+|SESSION\s+)?lock_timeout\s*(?:=|TO)\s*'?(\d+)\s*(ms|s|min)?'?/i;

/** Is the column guarded by a CHECK (col IS NOT NULL) validated before statement `index`? */
function validatedNotNull(sqls: readonly string[], index: number, column: string): boolean {
  const check = new RegExp(String.raw`ADD\s+CONSTRAINT\s+${NAME}\s+CHECK\s*\(\s*"?${literally(column)}"?\s+IS\s+NOT\s+NULL\s*\)`, 'i');
  return sqls.slice(0, index).some((s, i) => {
    const m = check.exec(s);
    if (!m) return false;
    if (!/\bNOT\s+VALID\b/i.test(s)) return true;
    const name = unquoteName(m[1]);
    return sqls.slice(i + 1, index).some((v) => new RegExp(String.raw`VALIDATE\s+CONSTRAINT\s+"?${literally(name)}"?`, 'i').test(v));
  });
}

/** The findings of one ALTER TABLE action on an existing table. */
function actionFindings(table: string, a: string, sqls: readonly string[], index: number): OnlineFinding[] {
  const out: OnlineFinding[] = [];
  if (/^ADD\s+(?:CONSTRAINT\s+\S+\s+)?(?:FOREIGN\s+KEY|CHECK)\b/i.test(a) && !/\bNOT\s+VALID\b/i.test(a)) {
    out.push({ code: HazardCode.OnlineConstraintNotValid, severity: 'warning', table,
      message: `adds a ${/FOREIGN\s+KEY/i.test(a) ? 'foreign key' : 'check'} that checks every row while it holds its lock ` +
        `(${/FOREIGN\s+KEY/i.test(a) ? 'SHARE ROW EXCLUSIVE: writes wait' : 'ACCESS EXCLUSIVE: reads and writes wait'})`,
      fix: 'add it NOT VALID (new rows are checked at once), then VALIDATE CONSTRAINT in its own statement: that scans under SHARE UPDATE EXCLUSIVE' });
  }
  const nn = new RegExp(String.raw`^ALTER\s+(?:COLUMN\s+)?${NAME}\s+SET\s+NOT\s+NULL\b`, 'i').exec(a);
  if (nn && !validatedNotNull(sqls, index, unquoteName(nn[1]))) {
    out.push({ code: HazardCode.OnlineSetNotNull, severity: 'warning', table, column: unquoteName(nn[1]),
      message: `sets ${table}.${unquoteName(nn[1])} NOT NULL: every row is read under ACCESS EXCLUSIVE (reads and writes wait)`,
      fix: `first ADD CONSTRAINT … CHECK (${unquoteName(nn[1])} IS NOT NULL) NOT VALID and VALIDATE it; SET NOT NULL then needs no scan (PostgreSQL 12+)` });
  }
  const ty = typeChange(a);
  if (ty && !ty.mayKeepRows) {
    out.push({ code: HazardCode.OnlineTypeRewrite, severity: 'warning', table, column: unquoteName(ty.column),
      message: `changes the type of ${table}.${unquoteName(ty.column)}: unless the types are binary-compatible the table is rewritten under ACCESS EXCLUSIVE`,
      fix: 'expand/contract: add a column of the new type, keep it in step with a trigger, backfill it in batches, then swap the columns in one short step ' +
        '(what a generated plan does for a table with rows where every value converts: let `evolve apply` make the change)' });
  }
  if (/^ADD\b/i.test(a) && !/^ADD\s+(?:CONSTRAINT|PRIMARY|UNIQUE|FOREIGN|CHECK|EXCLUDE)\b/i.test(a) && VOLATILE_DEFAULT.test(a)) {
    const col = /^ADD\s+(?:COLUMN\s+)?(?:IF\s+NOT\s+EXISTS\s+)?("(?:[^"]|"")+"|[\w$]+)/i.exec(a)?.[1];
    out.push({ code: HazardCode.OnlineVolatileDefault, severity: 'warning', table, column: col ? unquoteName(col) : null,
      message: 'adds a column whose default is volatile: the value is computed and written into every row under ACCESS EXCLUSIVE',
      fix: 'add the column without a default (or with a constant one), set the default after, and backfill the rows in batches' });
  }
  return out;
}

/** The findings of statement `index`. */
function statementFindings(st: readonly LintStatement[], sqls: readonly string[], index: number, ctx: OnlineLintContext): OnlineFinding[] {
  const s = sqls[index]!;
  const out: OnlineFinding[] = [];
  if (CONCURRENTLY.test(s)) {
    // Evolve runs a stored evolution's CONCURRENTLY statements on their own (what precedes them
    // commits first); only an explicit BEGIN still open puts one in a transaction.
    const before = sqls.slice(0, index);
    const lastBegin = before.reduce((at, x, k) => (BEGIN.test(x) ? k : at), -1);
    const inTx = ctx.handWritten ? lastBegin >= 0 && !before.slice(lastBegin + 1).some((x) => END.test(x))
      : st[index]!.inTransaction !== false;
    if (inTx) {
      const on = CREATE_INDEX.exec(s)?.[3];
      out.push({ code: HazardCode.OnlineConcurrentlyInTransaction, severity: 'error', table: on ? unquoteName(on) : '',
        message: 'runs CONCURRENTLY inside a transaction, where PostgreSQL refuses it',
        fix: 'remove the BEGIN around it: evolve apply runs a CONCURRENTLY statement on its own, committing what precedes it first' });
    }
  }
  const ci = CREATE_INDEX.exec(s);
  if (ci && !ci[1] && !isNewTable(sqls, index, ci[3]!)) {
    out.push({ code: HazardCode.OnlineIndexNotConcurrent, severity: 'warning', table: unquoteName(ci[3]),
      message: `builds an index on ${unquoteName(ci[3])} under a SHARE lock: writes to the table wait until it is built`,
      fix: 'CREATE INDEX CONCURRENTLY (outside a transaction: in an evolution of its own)' });
  }
  const alter = ALTER.exec(s);
  if (alter && !isNewTable(sqls, index, alter[1]!)) {
    for (const a of topLevelClauses(alter[2]!)) out.push(...actionFindings(unquoteName(alter[1]), a, sqls, index));
  }
  return out;
}

/** Does this (hand-written) evolution change an existing table without a lock_timeout set before? */
function missingLockTimeout(sqls: readonly string[]): { index: number; zero: boolean } | null {
  let set = false;
  for (const [i, s] of sqls.entries()) {
    const m = LOCK_TIMEOUT.exec(s);
    if (m) { if (Number(m[1]) === 0) return { index: i, zero: true }; set = true; continue; }
    const alter = ALTER.exec(s);
    const locks = (alter && !isNewTable(sqls, i, alter[1]!)) || /^(?:CREATE\s+(?:UNIQUE\s+)?INDEX(?!\s+CONCURRENTLY)|DROP\s+TABLE)\b/i.test(s);
    if (locks && !set) return { index: i, zero: false };
  }
  return null;
}

/** PostgreSQL's online lint (see the module comment and docs/online.md). */
export function postgresLintOnline(statements: readonly LintStatement[], ctx: OnlineLintContext): Hazard[] {
  const sqls = statements.map((s) => s.sql);
  const out = sqls.flatMap((_, i) => statementFindings(statements, sqls, i, ctx).map((f) => findingHazard(f, ctx, i)));
  const lt = ctx.handWritten ? missingLockTimeout(sqls) : null;
  if (lt) {
    out.push(findingHazard({ code: HazardCode.OnlineNoLockTimeout, severity: 'warning', table: '',
      message: lt.zero ? 'sets lock_timeout to 0: its statements wait for their locks without limit while the application queues behind them'
        : 'changes an existing table with no lock_timeout set: run by another tool (psql) it waits for its lock without limit, ' +
          'and the application queues behind it (evolve apply bounds the wait itself: --lock-wait)',
      fix: "start the evolution with SET LOCAL lock_timeout = '2s'" }, ctx, lt.index));
  }
  return out;
}
