/**
 * A literal default must be a value of its column's type (issue 15 point 14): `integer()`
 * with `.default('not a number')` is accepted by SQLite, which stores the text, and refused by
 * PostgreSQL and MySQL only when the table is created. A default written as SQL that is a
 * literal (`sql\`'x'\``, `sql\`-1\``, `sql\`TRUE\``) is that value and is checked the same way;
 * any other expression is the database's to judge.
 */
import type { ColumnType, DefaultValue } from '../ir/schema.js';
import { typeToString } from '../ir/types.js';
import { EvolveError, ErrorCode } from '../errors.js';

const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
/** Words PostgreSQL takes for a date or timestamp (SQLite and MySQL store or refuse them as text). */
const DATE_WORDS = /^(infinity|-infinity|epoch|now|today|tomorrow|yesterday)$/i;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?|[A-Za-z_/]+)?$/;
const BOOLEAN = /^(true|false|t|f|yes|no|y|n|on|off|1|0)$/i;
const UUID = /^\{?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\}?$/i;

/** True when the parenthesis opening `s` closes at its end (`(1)`, not `(1) + (2)`). */
function wrapped(s: string): boolean {
  if (!s.startsWith('(') || !s.endsWith(')')) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === "'") inString = !inString;
    else if (!inString && ch === '(') depth++;
    else if (!inString && ch === ')' && --depth === 0 && i < s.length - 1) return false;
  }
  return true;
}

/** A literal written as SQL (`'it''s'`, `-1.5`, `TRUE`, in parentheses or not), or undefined for any other expression. */
function sqlLiteral(sql: string): string | number | boolean | undefined {
  let s = sql.trim();
  while (wrapped(s)) s = s.slice(1, -1).trim();
  if (NUMBER.test(s)) return Number(s);
  const str = /^'((?:[^']|'')*)'$/s.exec(s);
  if (str) return str[1]!.replace(/''/g, "'");
  if (/^true$/i.test(s)) return true;
  if (/^false$/i.test(s)) return false;
  return undefined;
}

function validDate(y: string, m: string, d: string): boolean {
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  return date.getUTCFullYear() === Number(y) && date.getUTCMonth() === Number(m) - 1 && date.getUTCDate() === Number(d);
}

function isDate(v: string): boolean {
  const m = DATE.exec(v);
  return m ? validDate(m[1]!, m[2]!, m[3]!) : false;
}

function isTimestamp(v: string): boolean {
  const m = TIMESTAMP.exec(v);
  if (!m || !isDate(m[1]!)) return false;
  return (m[2] === undefined || Number(m[2]) < 24) && (m[3] === undefined || Number(m[3]) < 60) && (m[4] === undefined || Number(m[4]) < 61);
}

function isJson(v: string): boolean {
  try { JSON.parse(v); return true; } catch { return false; }
}

/** Why `v` cannot be a value of `type` (what it should be), or null when it can. */
function misfit(type: ColumnType, v: string | number | boolean): string | null {
  const text = typeof v === 'string' ? v.trim() : String(v);
  switch (type.kind) {
    case 'integer': case 'bigint':
      return typeof v === 'boolean' || (typeof v === 'number' ? Number.isInteger(v) : INTEGER.test(text)) ? null : 'a whole number';
    case 'real':
      return typeof v === 'boolean' || typeof v === 'number' || NUMBER.test(text) || /^[+-]?(nan|infinity|inf)$/i.test(text) ? null : 'a number';
    case 'decimal': {
      if (typeof v === 'boolean') return null;
      if (!NUMBER.test(text)) return 'a number';
      // Digits as written (no exponent): more before the point than precision − scale do not fit;
      // more after it than the scale are rounded by the database, which then reports another default.
      const m = /^[+-]?0*(\d*)(?:\.(\d*?)0*)?$/.exec(text);
      const digits = m ? m[1]!.length : Math.floor(Math.log10(Math.abs(Number(text)) || 1)) + 1;
      if (digits > type.precision - type.scale) return `a number below 10^${type.precision - type.scale} (decimal(${type.precision},${type.scale}))`;
      const decimals = `${type.scale} decimal${type.scale === 1 ? '' : 's'}`;
      if (m && (m[2] ?? '').length > type.scale) return `a number with at most ${decimals} (decimal(${type.precision},${type.scale}))`;
      return null;
    }
    case 'boolean': return typeof v === 'boolean' || v === 0 || v === 1 || (typeof v === 'string' && BOOLEAN.test(text)) ? null : 'true or false';
    case 'date': return typeof v === 'string' && (isDate(text) || DATE_WORDS.test(text)) ? null : "a date written 'YYYY-MM-DD'";
    case 'timestamp': return typeof v === 'string' && (isTimestamp(text) || DATE_WORDS.test(text)) ? null : "a timestamp written 'YYYY-MM-DD HH:MM:SS'";
    case 'uuid': return typeof v === 'string' && UUID.test(text) ? null : "a UUID written 'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx'";
    case 'json': return typeof v !== 'string' || isJson(v) ? null : 'JSON text';
    case 'varchar': return [...String(v)].length <= type.length ? null : `at most ${type.length} characters`;
    case 'text': case 'bytes': case 'raw': return null;
  }
}

/**
 * Refuse a literal default that cannot be a value of its column's type.
 * @throws EvolveError `E_MODEL_INVALID` naming the column, the default and what it should be.
 */
export function checkDefaultLiteral(table: string, column: string, type: ColumnType, d: DefaultValue | null): void {
  if (d === null) return;
  const value = d.kind === 'value' ? d.value : sqlLiteral(d.sql);
  if (value === undefined) return;
  const want = misfit(type, value);
  if (want === null) return;
  throw new EvolveError(ErrorCode.ModelInvalid,
    `Column '${table}.${column}' (${typeToString(type)}) has the default ${JSON.stringify(value)}, which is not a value of its type: it must be ${want}.`, {
      hint: `Give '${column}' a default of its type (or none), or change the column's type.`,
      details: { table, column, type: typeToString(type), default: value },
    });
}
