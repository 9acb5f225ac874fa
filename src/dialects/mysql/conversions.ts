/**
 * Which values survive a type change on MySQL/MariaDB: an SQL predicate, true for the
 * (non-null) values that would not convert, or would be cut, under strict mode (where MODIFY
 * then fails instead of cutting them). With consent, an UPDATE sets exactly those values to
 * NULL (or cuts them) before the MODIFY, so the predicate must raise no warning for any value:
 * strict mode makes a warning in an UPDATE's WHERE an error (text-values.ts).
 */
import type { ColumnIR, ColumnType } from '../../ir/schema.js';
import { mysqlString } from './sql-builder.js';
import { enumNarrowingPredicate, parseEnumType } from './enum-type.js';
import { badDateText, badDecimalText, badIntegerText, badRealText, whole } from './text-values.js';

const TEXTUAL = new Set(['text', 'varchar', 'uuid', 'json']);
const INTEGRAL = new Set(['integer', 'bigint', 'boolean']);
const NUMERIC = new Set(['integer', 'bigint', 'boolean', 'real', 'decimal']);

const INT_RANGE = { integer: ['-2147483648', '2147483647'], bigint: ['-9223372036854775808', '9223372036854775807'] } as const;
const UUID_RE = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

/** The column as text (for shape tests), trimmed of spaces as MODIFY reads it. */
function asText(col: string, from: ColumnType): string {
  return TEXTUAL.has(from.kind) ? col : `CAST(${col} AS CHAR)`;
}
const trimmed = (col: string, from: ColumnType): string => `TRIM(${asText(col, from)})`;

const or = (...parts: (string | null)[]): string | null => {
  const p = parts.filter((x): x is string => x !== null);
  return p.length === 0 ? null : p.length === 1 ? p[0]! : p.map((x) => `(${x})`).join(' OR ');
};

// Every predicate below is free of warnings for every value (see text-values.ts): it runs in
// the WHERE of the UPDATE that sets the values that do not convert to NULL.

function toInteger(col: string, from: ColumnType, kind: 'integer' | 'bigint'): string | null {
  const [lo, hi] = INT_RANGE[kind];
  if (from.kind === 'boolean' || from.kind === 'integer') return null;
  if (from.kind === 'bigint') return kind === 'bigint' ? null : `${col} NOT BETWEEN ${lo} AND ${hi}`;
  if (from.kind === 'real' || from.kind === 'decimal') return or(`${col} <> ROUND(${col})`, `${col} NOT BETWEEN ${lo} AND ${hi}`);
  return badIntegerText(trimmed(col, from), kind);
}

function toDecimal(col: string, from: ColumnType, precision: number, scale: number): string | null {
  if (from.kind === 'boolean') return precision - scale >= 1 ? null : `${col} <> 0`;
  if (!NUMERIC.has(from.kind)) return badDecimalText(trimmed(col, from), precision, scale);
  const limit = `1${'0'.repeat(precision - scale)}`;
  return or(`ABS(${col}) >= ${limit}`, `ROUND(${col}, ${scale}) <> ${col}`);
}

function toTemporal(col: string, from: ColumnType, to: ColumnType): string | null {
  const dateOnly = to.kind === 'date';
  const instant = to.kind === 'timestamp' && to.withTimeZone;
  // MySQL's TIMESTAMP holds 1970-01-01 00:00:01 to 2038-01-19 03:14:07 UTC; UNIX_TIMESTAMP reads
  // the value in the session's time zone, as MODIFY does, and gives NULL (MariaDB) or 0 (MySQL)
  // outside its range. Only ever applied to a valid date and time.
  const range = (v: string): string | null => (instant ? `COALESCE(UNIX_TIMESTAMP(${v}), 0) NOT BETWEEN 1 AND 2147483647` : null);
  if (from.kind === 'date') return dateOnly ? null : range(col);
  if (from.kind === 'timestamp') return dateOnly ? `TIME(${col}) <> '00:00:00'` : range(col);
  const t = trimmed(col, from);
  const bad = badDateText(t, !dateOnly);
  const outside = range(`CAST(${t} AS DATETIME)`);
  return outside ? `CASE WHEN ${bad} THEN TRUE ELSE ${outside} END` : bad;
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
      if (f.kind === 'integer' || f.kind === 'boolean' || f.kind === 'decimal' || f.kind === 'real') return null;
      // A double holds integers exactly up to 2^53.
      if (f.kind === 'bigint') return `ABS(${col}) > 9007199254740992`;
      return badRealText(trimmed(col, f));
    case 'decimal': return toDecimal(col, f, t.precision, t.scale);
    case 'boolean':
      return INTEGRAL.has(f.kind) || f.kind === 'real' || f.kind === 'decimal' ? `${col} NOT IN (0, 1)` : `TRIM(${asText(col, f)}) NOT IN ('0', '1')`;
    case 'date': case 'timestamp': return toTemporal(col, f, t);
    case 'json': return `JSON_VALID(${asText(col, f)}) = 0`;
    case 'uuid': return `NOT (${whole(asText(col, f), UUID_RE)})`;
  }
}
