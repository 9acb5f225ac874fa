/**
 * Which values survive a type change on MySQL/MariaDB: an SQL predicate, true for the
 * (non-null) values that would not convert, or would be cut, under strict mode (where MODIFY
 * then fails instead of cutting them).
 */
import type { ColumnIR, ColumnType } from '../../ir/schema.js';
import { mysqlString } from './sql-builder.js';
import { enumNarrowingPredicate, parseEnumType } from './enum-type.js';

const TEXTUAL = new Set(['text', 'varchar', 'uuid', 'json']);
const INTEGRAL = new Set(['integer', 'bigint', 'boolean']);

const INT_RANGE = { integer: ['-2147483648', '2147483647'], bigint: ['-9223372036854775808', '9223372036854775807'] } as const;
/** Regular expressions without backslashes, so they mean the same whatever the quoting mode. */
const INTEGER_RE = mysqlString('^[+-]?[0-9]+$');
const NUMBER_RE = mysqlString('^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$');
const DATE_RE = mysqlString('^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$');
const UUID_RE = mysqlString('^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$');

/** The column as text (for pattern tests). */
function asText(col: string, from: ColumnType): string {
  return TEXTUAL.has(from.kind) ? col : `CAST(${col} AS CHAR)`;
}

/** True (as SQL) when the value is not a number in the source's terms. */
function notNumeric(col: string, from: ColumnType, integral: boolean): string | null {
  if (INTEGRAL.has(from.kind) || from.kind === 'real' || from.kind === 'decimal') return null;
  return `NOT (TRIM(${asText(col, from)}) REGEXP ${integral ? INTEGER_RE : NUMBER_RE})`;
}

/** The value as an exact number (text is read as DECIMAL, wide enough for any integer). */
function exact(col: string, from: ColumnType): string {
  return from.kind === 'real' || INTEGRAL.has(from.kind) || from.kind === 'decimal' ? col : `CAST(TRIM(${col}) AS DECIMAL(65,30))`;
}

const or = (...parts: (string | null)[]): string | null => {
  const p = parts.filter((x): x is string => x !== null);
  return p.length === 0 ? null : p.length === 1 ? p[0]! : p.map((x) => `(${x})`).join(' OR ');
};

function toInteger(col: string, from: ColumnType, kind: 'integer' | 'bigint'): string | null {
  const [lo, hi] = INT_RANGE[kind];
  if (from.kind === 'boolean' || from.kind === 'integer') return null;
  if (from.kind === 'bigint') return kind === 'bigint' ? null : `${col} NOT BETWEEN ${lo} AND ${hi}`;
  const v = exact(col, from);
  const fraction = from.kind === 'real' || from.kind === 'decimal' ? `${col} <> ROUND(${col})` : null;
  const nonNum = notNumeric(col, from, true);
  const range = `${v} NOT BETWEEN ${lo} AND ${hi}`;
  // CAST of a non-number only warns in a SELECT, so the range test is safe beside the pattern test.
  return or(nonNum, fraction, range);
}

function toDecimal(col: string, from: ColumnType, precision: number, scale: number): string | null {
  if (from.kind === 'boolean' && precision - scale >= 1) return null;
  const v = exact(col, from);
  const limit = `1${'0'.repeat(precision - scale)}`;
  return or(notNumeric(col, from, false), `ABS(${v}) >= ${limit}`, `ROUND(${v}, ${scale}) <> ${v}`);
}

function toTemporal(col: string, from: ColumnType, to: ColumnType): string | null {
  const dateOnly = to.kind === 'date';
  const instant = to.kind === 'timestamp' && to.withTimeZone;
  const cast = `CAST(${col} AS ${dateOnly ? 'DATE' : 'DATETIME'})`;
  // MySQL's TIMESTAMP holds 1970-01-01 00:00:01 to 2038-01-19 03:14:07 (UTC).
  const range = instant ? `${cast} NOT BETWEEN '1970-01-01 00:00:01' AND '2038-01-19 03:14:07'` : null;
  if (from.kind === 'date') return dateOnly ? null : range;
  if (from.kind === 'timestamp') return dateOnly ? `TIME(${col}) <> '00:00:00'` : range;
  if (TEXTUAL.has(from.kind)) {
    const pattern = dateOnly ? `NOT (TRIM(${col}) REGEXP ${DATE_RE})` : null;
    return or(pattern, `${cast} IS NULL`, range);
  }
  return or(`${cast} IS NULL`, range);
}

/**
 * An SQL predicate over `col` (already quoted), true for the non-null values that would not
 * convert from `from` to `to` or would be cut; `null` when every value converts; `undefined`
 * when Evolve cannot tell (raw types, binary data). ENUM/SET narrowing is checked: the values
 * the new list no longer holds (see `enumNarrowingPredicate`).
 */
export function mysqlLossyPredicate(col: string, from: ColumnIR, to: ColumnIR): string | null | undefined {
  const f = from.type;
  const t = to.type;
  const fe = f.kind === 'raw' ? parseEnumType(f.sql) : undefined;
  const te = t.kind === 'raw' ? parseEnumType(t.sql) : undefined;
  if (te) {
    if (fe) {
      // A SET value holding several members does not fit an ENUM.
      const many = fe.kind === 'set' && te.kind === 'enum' ? `LOCATE(',', ${col}) > 0` : null;
      return or(enumNarrowingPredicate(col, fe, te), many);
    }
    const textual = TEXTUAL.has(f.kind) || (f.kind === 'raw' && /^((tiny|medium|long)?text|(var)?char\(\d+\))$/.test(f.sql));
    // Text must be one of the values ('' is not one unless listed); SET members are not checked.
    if (!textual || te.kind === 'set') return undefined;
    return `${col} NOT IN (${te.values.map(mysqlString).join(', ')})`;
  }
  if (fe) {
    if (t.kind === 'varchar') return `CHAR_LENGTH(${col}) > ${t.length}`;
    if (t.kind === 'text') return null;
  }
  if (t.kind === 'text' || t.kind === 'bytes') return f.kind === 'bytes' && t.kind === 'text' ? undefined : null;
  if (f.kind === 'raw' || t.kind === 'raw' || f.kind === 'bytes') return undefined;
  switch (t.kind) {
    case 'varchar': return `CHAR_LENGTH(${col}) > ${t.length}`;
    case 'integer': case 'bigint': return toInteger(col, f, t.kind);
    case 'real':
      if (f.kind === 'integer' || f.kind === 'boolean' || f.kind === 'decimal') return null;
      // A double holds integers exactly up to 2^53.
      if (f.kind === 'bigint') return `ABS(${col}) > 9007199254740992`;
      return notNumeric(col, f, false);
    case 'decimal': return toDecimal(col, f, t.precision, t.scale);
    case 'boolean':
      return INTEGRAL.has(f.kind) || f.kind === 'real' || f.kind === 'decimal' ? `${col} NOT IN (0, 1)` : `TRIM(${asText(col, f)}) NOT IN ('0', '1')`;
    case 'date': case 'timestamp': return toTemporal(col, f, t);
    case 'json': return `JSON_VALID(${asText(col, f)}) = 0`;
    case 'uuid': return `NOT (${asText(col, f)} REGEXP ${UUID_RE})`;
  }
}
