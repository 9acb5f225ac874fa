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

/** Hazards of one stored evolution's forward steps, each naming the evolution. */
export function lintStoredEvolution(e: Evolution): Hazard[] {
  const out: Hazard[] = [];
  for (const [i, s] of e.steps.entries()) {
    if (s.kind !== 'sql') continue;
    const sql = s.sql.replace(/--[^\n]*\n/g, '\n').trim();
    for (const r of RULES) {
      const m = r.re.exec(sql);
      if (!m) continue;
      out.push({
        code: r.code, severity: r.severity, table: r.table(m), column: r.column?.(m) ?? null,
        message: `${e.id} step ${i + 1} ${r.message(m)}`, fix: r.fix, rows: null, allowable: true,
      });
      break;
    }
  }
  return out;
}
