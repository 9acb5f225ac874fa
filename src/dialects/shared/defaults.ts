/** Parsing and normalising column defaults, shared by the dialects. */
import type { ColumnType, DefaultValue } from '../../ir/schema.js';
import { EvolveError, ErrorCode } from '../../errors.js';

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Strip parentheses that wrap the whole expression: `((1+2))` → `1+2`. */
export function stripOuterParens(text: string): string {
  let s = text.trim();
  for (;;) {
    if (!(s.startsWith('(') && s.endsWith(')'))) return s;
    let depth = 0;
    let inStr = false;
    let wraps = true;
    for (let i = 0; i < s.length; i++) {
      const ch = s[i];
      if (inStr) { if (ch === "'") inStr = false; continue; }
      if (ch === "'") inStr = true;
      else if (ch === '(') depth++;
      else if (ch === ')') { depth--; if (depth === 0 && i < s.length - 1) { wraps = false; break; } }
    }
    if (!wraps) return s;
    s = s.slice(1, -1).trim();
  }
}

/**
 * A number from SQL text, when it is one and survives the trip through a JS number.
 * Integers written out in digits (`12345678901234567890`, `…890.0`) beyond JavaScript's exact
 * range are refused, so a caller can keep them as exact text; exponent notation (`1e21`,
 * `1e+21`) is a floating-point value by nature and is accepted.
 */
export function parseNumber(text: string): number | undefined {
  if (!NUMBER.test(text)) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n)) return undefined;
  if (!/[eE]/.test(text) && Number.isInteger(n) && !Number.isSafeInteger(n)) return undefined;
  return n;
}

/** Unquote a standard SQL string literal (`'it''s'`), or undefined when `text` is not one. */
export function parseStringLiteral(text: string): string | undefined {
  const m = /^'((?:[^']|'')*)'$/s.exec(text);
  return m ? m[1]!.replace(/''/g, "'") : undefined;
}

const KEYWORDS = /^(current_timestamp|current_date|current_time|localtime|localtimestamp)$/i;

/** How a dialect reads the parts of default text that differ between databases. */
export interface DefaultSyntax {
  /** Unquote a string literal (standard SQL by default). */
  readonly parseString?: (text: string) => string | undefined;
  /** Normalise an expression (see {@link normaliseExpression} by default). */
  readonly normaliseExpression?: (text: string) => string;
  /** Keep integers beyond JavaScript's exact range as exact text values (e.g. large BIGINT defaults). */
  readonly exactBigIntegers?: boolean;
}

/** Parse default text as the database reports it (SQL); NULL and empty mean "no default". */
export function parseDefaultSql(text: string | null | undefined, syntax: DefaultSyntax = {}): DefaultValue | null {
  if (text === null || text === undefined) return null;
  const s = stripOuterParens(text.trim());
  if (s === '' || /^null$/i.test(s)) return null;
  const n = parseNumber(s);
  if (n !== undefined) return { kind: 'value', value: n };
  if (syntax.exactBigIntegers && /^[+-]?\d+(\.\d*)?$/.test(s)) return { kind: 'value', value: s };
  const str = (syntax.parseString ?? parseStringLiteral)(s);
  if (str !== undefined) return { kind: 'value', value: str };
  if (/^true$/i.test(s)) return { kind: 'value', value: true };
  if (/^false$/i.test(s)) return { kind: 'value', value: false };
  return { kind: 'expression', sql: (syntax.normaliseExpression ?? normaliseExpression)(s) };
}

/** Normalise expression text: trimmed, keyword functions in upper case. */
export function normaliseExpression(sql: string): string {
  const s = stripOuterParens(sql).replace(/\s+/g, ' ').trim();
  return KEYWORDS.test(s) ? s.toUpperCase() : s;
}

const NUMERIC_KINDS = new Set(['integer', 'bigint', 'real', 'decimal']);
const TEXT_KINDS = new Set(['text', 'varchar', 'uuid', 'date', 'timestamp', 'json']);

/**
 * Bring a default into the form the column's type implies, so that `DEFAULT '5'` on an
 * integer column and `.default(5)` compare equal, and booleans stored as 0/1 read as booleans.
 * An expression that is a literal (`sql\`0\``, `sql\`-1\``, `sql\`'active'\``, `sql\`TRUE\``) is
 * that value: the database reports it as one, so it must compare as one.
 */
export function normaliseDefault(type: ColumnType, d: DefaultValue | null): DefaultValue | null {
  if (d === null) return null;
  if (d.kind === 'expression') {
    const parsed = parseDefaultSql(d.sql);
    if (parsed === null || parsed.kind === 'expression') return parsed;
    return normaliseDefault(type, parsed);
  }
  const v = d.value;
  if (type.kind === 'boolean') {
    if (v === 1 || v === '1' || v === 't' || v === 'true' || v === 'TRUE') return { kind: 'value', value: true };
    if (v === 0 || v === '0' || v === 'f' || v === 'false' || v === 'FALSE') return { kind: 'value', value: false };
    return d;
  }
  if (NUMERIC_KINDS.has(type.kind)) {
    if (typeof v === 'string') { const n = parseNumber(v.trim()); if (n !== undefined) return { kind: 'value', value: n }; }
    if (typeof v === 'boolean') return { kind: 'value', value: v ? 1 : 0 };
    return d;
  }
  if (TEXT_KINDS.has(type.kind) && typeof v !== 'string') return { kind: 'value', value: String(v) };
  return d;
}

/**
 * The error for a model column that is `.identity('always')` on a dialect with one kind of
 * auto-increment (SQLite, MySQL/MariaDB), which would otherwise be created as a plain one and
 * then never match the models.
 */
export function identityAlwaysRefused(dialect: string, table: string, column: string): EvolveError {
  return new EvolveError(ErrorCode.Unsupported, `Column '${table}.${column}' is an identity GENERATED ALWAYS column, which ${dialect} does not have.`, {
    hint: `Use .primaryKey({ autoIncrement: true }) (or .identity('byDefault')) for this database.`, details: { table, column },
  });
}
