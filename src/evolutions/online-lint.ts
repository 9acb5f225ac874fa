/**
 * Online-safety lint (issue 16 point 4, `evolve lint`): rules that read a run of statements —
 * a generated plan or a stored evolution — and say what would hurt a database serving traffic,
 * each with a stable code, a severity and the fix (docs/online.md lists them). The rules every
 * dialect shares live here (renames and drops that break the application version still
 * running); each dialect adds its own through `Dialect.lintOnline` (src/dialects/<d>/online-lint.ts).
 *
 * A table created earlier in the same statements has no traffic yet: nothing on it is reported.
 */
import type { Dialect, OnlineLintContext } from '../dialects/dialect.js';
import { HazardCode, type Hazard } from '../plan/plan.js';
import { bareStatement, NAME, unquoteName } from '../dialects/shared/sql-clauses.js';
import { findingHazard, isNewTable, type LintStatement, type OnlineFinding } from '../dialects/shared/online-lint.js';

const ALTER = new RegExp(String.raw`^ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?${NAME}\s+([\s\S]*)$`, 'i');
const RENAME_COLUMN = new RegExp(String.raw`\bRENAME\s+(?:COLUMN\s+)?(?!TO\b)${NAME}\s+TO\s+${NAME}`, 'i');
const RENAME_TABLE = new RegExp(String.raw`^(?:RENAME\s+TABLE\s+${NAME}\s+TO\s+${NAME}|` +
  String.raw`ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?${NAME}\s+RENAME\s+TO\s+${NAME})`, 'i');
const DROP_TABLE = new RegExp(String.raw`^DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?${NAME}`, 'i');
const DROP_COLUMN = new RegExp(String.raw`\bDROP\s+(?:COLUMN\s+)?(?!CONSTRAINT|INDEX|KEY|PRIMARY|FOREIGN|DEFAULT|NOT|IDENTITY|CHECK|EXPRESSION)` +
  String.raw`(?:IF\s+EXISTS\s+)?${NAME}`, 'i');
const EXPAND_CONTRACT = 'deploy it in steps: add the new one, let the application write both and read the new one, and only then drop the old one';

/** The shared rules: renames and drops break the application version still running during a deploy. */
export function sharedOnlineFindings(sqls: readonly string[], index: number): OnlineFinding[] {
  const s = sqls[index]!;
  const out: OnlineFinding[] = [];
  const rt = RENAME_TABLE.exec(s);
  if (rt) {
    const [from, to] = rt[1] ? [rt[1], rt[2]!] : [rt[3]!, rt[4]!];
    // SQLite's rebuilds rename the new copy into place: that is no rename the application sees.
    if (!isNewTable(sqls, index, from)) {
      out.push({ code: HazardCode.OnlineRenameBreaksApp, severity: 'warning', table: unquoteName(from),
        message: `renames table ${unquoteName(from)} to ${unquoteName(to)}: the application version still running queries the old name`,
        fix: `${EXPAND_CONTRACT} (or keep the old name for the running version, e.g. a view)` });
    }
    return out;
  }
  const dt = DROP_TABLE.exec(s);
  if (dt && !isNewTable(sqls, index, dt[1]!) && !isRebuildDrop(sqls, index, unquoteName(dt[1]))) {
    out.push({ code: HazardCode.OnlineDropBreaksApp, severity: 'warning', table: unquoteName(dt[1]),
      message: `drops table ${unquoteName(dt[1])}: the application version still running may query it`,
      fix: 'drop it in a later deploy, once no running version uses it' });
  }
  const alter = ALTER.exec(s);
  if (!alter || isNewTable(sqls, index, alter[1]!)) return out;
  const table = unquoteName(alter[1]);
  const rc = RENAME_COLUMN.exec(alter[2]!);
  // A swap (expand/contract: the old column dropped, the new one renamed to its name) leaves the name in place.
  if (rc && !columnSwap(sqls, index, table, unquoteName(rc[2]), 'before')) {
    out.push({ code: HazardCode.OnlineRenameBreaksApp, severity: 'warning', table, column: unquoteName(rc[1]),
      message: `renames column ${table}.${unquoteName(rc[1])} to ${unquoteName(rc[2])}: the application version still running uses the old name`,
      fix: EXPAND_CONTRACT });
  }
  const dc = DROP_COLUMN.exec(alter[2]!);
  if (dc && !/\bADD\s+(?:COLUMN\s+)?[\s\S]*\bAS\s*\(/i.test(alter[2]!.slice(dc.index)) && !columnSwap(sqls, index, table, unquoteName(dc[1]), 'after')) {
    out.push({ code: HazardCode.OnlineDropBreaksApp, severity: 'warning', table, column: unquoteName(dc[1]),
      message: `drops column ${table}.${unquoteName(dc[1])}: the application version still running may select or write it`,
      fix: 'first deploy an application version that no longer uses it, then drop it' });
  }
  return out;
}

/**
 * True when statement `index` is half of a column swap on `table`: a column renamed to `column`
 * in a later statement (`after`: this one drops `column`), or dropped in an earlier one
 * (`before`: this one renames another column to `column`). The application keeps a column of that name.
 */
function columnSwap(sqls: readonly string[], index: number, table: string, column: string, where: 'before' | 'after'): boolean {
  const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
  const others = where === 'after' ? sqls.slice(index + 1) : sqls.slice(0, index);
  return others.some((x) => {
    const alter = ALTER.exec(x);
    if (!alter || !same(unquoteName(alter[1]), table)) return false;
    if (where === 'after') {
      const rc = RENAME_COLUMN.exec(alter[2]!);
      return rc !== null && same(unquoteName(rc[2]), column);
    }
    const dc = DROP_COLUMN.exec(alter[2]!);
    return dc !== null && same(unquoteName(dc[1]), column);
  });
}

/** A DROP TABLE of a rebuild (its rows copied into a new table renamed to its name next): no table goes away. */
function isRebuildDrop(sqls: readonly string[], index: number, table: string): boolean {
  return sqls.slice(index + 1).some((x) => {
    const m = RENAME_TABLE.exec(x);
    return m !== null && unquoteName(m[2] ?? m[4]).toLowerCase() === table.toLowerCase();
  });
}

/**
 * Every online-safety finding of a run of statements on `dialect` (null: only the shared rules,
 * e.g. `evolve lint` without a database), as hazards naming where each statement is.
 */
export function lintOnline(dialect: Dialect | null, statements: readonly LintStatement[], ctx: OnlineLintContext): Hazard[] {
  const sqls = statements.map((s) => bareStatement(s.sql));
  const out: Hazard[] = [];
  for (const i of sqls.keys()) for (const f of sharedOnlineFindings(sqls, i)) out.push(findingHazard(f, ctx, i));
  if (dialect?.lintOnline) out.push(...dialect.lintOnline.call(dialect, statements.map((s, i) => ({ ...s, sql: sqls[i]! })), ctx));
  return out;
}
