/**
 * The hazard linter (B1) for stored evolutions: what a statement can do to data, read from
 * its text. (The pending generated plan's hazards come from the data checks in hazards.ts,
 * which count the rows at risk.)
 */
import type { Evolution } from './format.js';
import { HazardCode, type Hazard, type HazardCodeValue } from '../plan/plan.js';

interface Rule {
  readonly re: RegExp;
  readonly code: HazardCodeValue;
  readonly severity: 'error' | 'warning';
  readonly message: (m: RegExpExecArray) => string;
  readonly fix: string;
  readonly table: (m: RegExpExecArray) => string;
  readonly column?: (m: RegExpExecArray) => string | null;
}

const NAME = String.raw`("(?:[^"]|"")+"|\x60(?:[^\x60]|\x60\x60)+\x60|[\w$.]+)`;
const unquote = (s: string | undefined): string => (s ?? '').replace(/^["`]|["`]$/g, '').replace(/""/g, '"');

const RULES: readonly Rule[] = [
  { re: new RegExp(String.raw`^\s*DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?${NAME}`, 'i'), code: HazardCode.DropTable, severity: 'error',
    message: (m) => `drops table ${unquote(m[1])} and its rows`, fix: 'make sure the rows are no longer needed, or copy them first',
    table: (m) => unquote(m[1]) },
  { re: new RegExp(String.raw`^\s*ALTER\s+TABLE\s+(?:ONLY\s+)?${NAME}[\s\S]*?\bDROP\s+(?:COLUMN\s+)?` +
      String.raw`(?!CONSTRAINT|INDEX|KEY|PRIMARY|FOREIGN|DEFAULT|NOT|IDENTITY|CHECK)(?:IF\s+EXISTS\s+)?${NAME}`, 'i'),
    code: HazardCode.DropColumn, severity: 'error',
    message: (m) => `drops column ${unquote(m[1])}.${unquote(m[2])} and its values`,
    fix: 'if it was renamed, use RENAME COLUMN; otherwise copy the values first', table: (m) => unquote(m[1]), column: (m) => unquote(m[2]) },
  { re: new RegExp(String.raw`^\s*ALTER\s+TABLE\s+(?:ONLY\s+)?${NAME}[\s\S]*?\b` +
      String.raw`(?:ALTER\s+(?:COLUMN\s+)?${NAME}\s+(?:SET\s+DATA\s+)?TYPE|MODIFY\s+(?:COLUMN\s+)?${NAME}|CHANGE\s+(?:COLUMN\s+)?${NAME})`, 'i'),
    code: HazardCode.LossyTypeChange, severity: 'warning',
    message: (m) => `changes the definition of ${unquote(m[1])}.${unquote(m[2] ?? m[3] ?? m[4])}; values that do not fit the new type fail or are cut`,
    fix: 'check the values convert (evolve sql shows the data checks of a generated change)',
    table: (m) => unquote(m[1]), column: (m) => unquote(m[2] ?? m[3] ?? m[4]) },
  { re: new RegExp(String.raw`^\s*ALTER\s+TABLE\s+(?:ONLY\s+)?${NAME}[\s\S]*?\bALTER\s+(?:COLUMN\s+)?${NAME}\s+SET\s+NOT\s+NULL`, 'i'),
    code: HazardCode.NotNullWithNulls, severity: 'warning',
    message: (m) => `makes ${unquote(m[1])}.${unquote(m[2])} NOT NULL; it fails if NULLs remain`, fix: 'update the NULLs first in the same evolution',
    table: (m) => unquote(m[1]), column: (m) => unquote(m[2]) },
  // ADD COLUMN … NOT NULL with nothing to fill existing rows (no DEFAULT, not generated or auto-numbered).
  { re: new RegExp(String.raw`^\s*ALTER\s+TABLE\s+(?:ONLY\s+)?(?:IF\s+EXISTS\s+)?${NAME}\s+ADD\s+(?:COLUMN\s+)?(?:IF\s+NOT\s+EXISTS\s+)?` +
      String.raw`(?!(?:CONSTRAINT|INDEX|KEY|PRIMARY|UNIQUE|FOREIGN|CHECK|FULLTEXT|SPATIAL)\b)${NAME}\s+` +
      String.raw`(?!(?:\([^)]*\)|[^,(])*?(?:\b(?:DEFAULT|GENERATED|AUTO_INCREMENT|AUTOINCREMENT|SERIAL|BIGSERIAL|SMALLSERIAL)\b|\bAS\s*\())` +
      String.raw`(?:\([^)]*\)|[^,(])*?\bNOT\s+NULL\b`, 'i'),
    code: HazardCode.AddNotNullWithoutDefault, severity: 'error',
    message: (m) => `adds NOT NULL column ${unquote(m[1])}.${unquote(m[2])} without a default: it fails on a table with rows ` +
      '(SQLite: always; MySQL fills in zeros or empty strings)',
    fix: 'give the column a DEFAULT, or add it nullable, fill it, then make it NOT NULL', table: (m) => unquote(m[1]), column: (m) => unquote(m[2]) },
  { re: new RegExp(String.raw`^\s*TRUNCATE\s+(?:TABLE\s+)?${NAME}`, 'i'), code: HazardCode.DeleteRows, severity: 'error',
    message: (m) => `deletes every row of ${unquote(m[1])}`, fix: 'make sure this is intended', table: (m) => unquote(m[1]) },
  { re: new RegExp(String.raw`^\s*DELETE\s+FROM\s+${NAME}\s*$`, 'i'), code: HazardCode.DeleteRows, severity: 'error',
    message: (m) => `deletes every row of ${unquote(m[1])} (no WHERE)`, fix: 'add a WHERE clause, or make sure this is intended', table: (m) => unquote(m[1]) },
];

/** A step's SQL without its `--` comment lines. */
const bare = (sql: string): string => sql.replace(/--[^\n]*\n/g, '\n').trim();
const INSERT_FROM = new RegExp(String.raw`^\s*INSERT\s+INTO\s+${NAME}[\s\S]*?\bSELECT\b[\s\S]*?\bFROM\s+${NAME}\s*$`, 'i');
const RENAME_TO = new RegExp(String.raw`^\s*ALTER\s+TABLE\s+${NAME}\s+RENAME\s+TO\s+${NAME}\s*$`, 'i');
const same = (a: string | undefined, b: string): boolean => unquote(a).toLowerCase() === b.toLowerCase();

/**
 * Is dropping table `name` at step `i` the middle of a rebuild (what SQLite's generated plans
 * do): its rows copied into a new table before (`INSERT INTO new … SELECT … FROM name`) and the
 * new table renamed to `name` after? Then the rows are kept (a column the copy leaves out is
 * another matter, which the data checks of `evolve record` count).
 */
function isRebuild(sqls: readonly string[], i: number, name: string): boolean {
  const copies = new Set<string>();
  for (const s of sqls.slice(0, i)) {
    const m = INSERT_FROM.exec(s);
    if (m && same(m[2], name)) copies.add(unquote(m[1]).toLowerCase());
  }
  return sqls.slice(i + 1).some((s) => {
    const m = RENAME_TO.exec(s);
    return m !== null && copies.has(unquote(m[1]).toLowerCase()) && same(m[2], name);
  });
}

/**
 * Is dropping column `column` at step `i` the first half of re-creating it as a generated
 * column (the same statement or the next one adds it back `GENERATED ALWAYS AS (…)` or
 * `AS (…)`, as PostgreSQL's and MySQL's plans do when an expression changes)? Its values are
 * computed, not lost.
 */
function isGeneratedReAdd(sqls: readonly string[], i: number, column: string): boolean {
  const add = new RegExp(String.raw`\bADD\s+(?:COLUMN\s+)?${NAME}\s[^,]*?\b(?:GENERATED\s+ALWAYS\s+)?AS\s*\(`, 'i');
  return [sqls[i]!.replace(/^[\s\S]*?\bDROP\b/i, ''), sqls[i + 1] ?? ''].some((s) => {
    const m = add.exec(s);
    return m !== null && same(m[1], column);
  });
}

/** Hazards of one stored evolution's forward steps (from step `startAt` on, 0-based), each naming the evolution and step. */
export function lintStoredEvolution(e: Evolution, startAt = 0): Hazard[] {
  const out: Hazard[] = [];
  const sqls = e.steps.map((s) => (s.kind === 'sql' ? bare(s.sql) : ''));
  for (const [i, s] of e.steps.entries()) {
    if (s.kind !== 'sql' || i < startAt) continue;
    for (const r of RULES) {
      const m = r.re.exec(sqls[i]!);
      if (!m) continue;
      const table = r.table(m);
      const column = r.column?.(m) ?? null;
      const kept = r.code === HazardCode.DropTable ? isRebuild(sqls, i, table)
        : r.code === HazardCode.DropColumn && column !== null && isGeneratedReAdd(sqls, i, column);
      out.push({
        code: r.code, severity: kept ? 'warning' : r.severity, table, column,
        message: `${e.id} step ${i + 1} ${kept ? keptMessage(r.code, table, column) : r.message(m)}`,
        fix: kept ? 'nothing to do if this is the rebuild it looks like' : r.fix, rows: null, allowable: true,
      });
      break;
    }
  }
  return out;
}

function keptMessage(code: HazardCodeValue, table: string, column: string | null): string {
  return code === HazardCode.DropTable
    ? `drops table ${table} after copying its rows into the table renamed to ${table} next (a rebuild: the rows are kept)`
    : `drops generated column ${table}.${column} and adds it back (its values are computed again)`;
}

/**
 * The steps of `e` (from `startAt` on) that `evolve lint` rates an error and that apply may
 * not run without consent: none when the file carries its consent (`-- evolve:allow-data-loss`,
 * `allowDataLoss: true`) or the run has it (`allowDataLoss`, `--allow-data-loss`).
 */
export function unconsentedLoss(e: Evolution, allowDataLoss: boolean, startAt = 0): Hazard[] {
  if (allowDataLoss || e.allowDataLoss) return [];
  return lintStoredEvolution(e, startAt).filter((h) => h.severity === 'error');
}
