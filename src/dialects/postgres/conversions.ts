/**
 * Type changes on PostgreSQL: the `USING` expression that converts a column in place, and the
 * predicate that finds the values the conversion would refuse or cut.
 *
 * PostgreSQL 15 has no `pg_input_is_valid`, so "does this text parse" is answered with
 * regular expressions and range checks. They are deliberately strict: a value they reject may
 * still convert (it is then reported, never lost), while a value they accept does convert.
 * Every predicate is written so that no cast can fail while it is evaluated (CASE guards the casts).
 */
import type { ColumnIR, ColumnType } from '../../ir/schema.js';
import { pgTypeSql } from './sql-builder.js';

const TEXTUAL = new Set(['text', 'varchar']);
const NUMERIC = new Set(['integer', 'bigint', 'real', 'decimal']);

/** The column's value as text, the way the conversion reads it. */
function textOf(col: string, from: ColumnType): string {
  if (TEXTUAL.has(from.kind)) return col;
  // A JSON scalar as its text ("5" → 5, "abc" → abc); documents as their JSON text.
  if (from.kind === 'json') return `(${col} #>> '{}')`;
  if (from.kind === 'bytes') return `convert_from(${col}, 'UTF8')`;
  return `${col}::text`;
}

/**
 * The `USING` expression of `ALTER COLUMN ... TYPE` for `col` (quoted) going `from` → `to`:
 * PostgreSQL's own cast where there is one, through text where there is not.
 */
export function usingExpression(col: string, from: ColumnType, to: ColumnType): string {
  const target = pgTypeSql(to);
  const f = from.kind;
  if (f === 'raw' || to.kind === 'raw') return `${col}::${target}`;
  switch (to.kind) {
    case 'text': case 'varchar':
      return f === 'bytes' || f === 'json' ? `${textOf(col, from)}::${target}` : `${col}::${target}`;
    case 'integer': case 'bigint': case 'real': case 'decimal':
      if (NUMERIC.has(f)) return `${col}::${target}`;
      if (f === 'boolean') return `CASE WHEN ${col} THEN 1 ELSE 0 END`;
      return `${textOf(col, from)}::${target}`;
    case 'boolean':
      if (NUMERIC.has(f)) return `(${col} <> 0)`;
      return `${textOf(col, from)}::boolean`;
    case 'date': case 'timestamp':
      if (f === 'date' || f === 'timestamp') return `${col}::${target}`;
      return `${textOf(col, from)}::${target}`;
    case 'json':
      if (TEXTUAL.has(f)) return `${col}::jsonb`;
      return `to_jsonb(${col})`;
    case 'uuid': return `${textOf(col, from)}::uuid`;
    case 'bytes': return `convert_to(${textOf(col, from)}, 'UTF8')`;
  }
}

// Strict spellings of what the type input functions accept.
const INT_RE = String.raw`^\s*[+-]?[0-9]+\s*$`;
const NUM_RE = String.raw`^\s*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?\s*$`;
const DATE_RE = String.raw`^\s*[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}`;
const TIME_RE = String.raw`([ T]([01]?[0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]+)?)?)?\s*(Z|[+-][0-9]{2}(:?[0-9]{2})?)?\s*$`;
const UUID_RE = String.raw`^\{?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\}?$`;
const BOOL_WORDS = `('t', 'true', 'y', 'yes', 'on', '1', 'f', 'false', 'n', 'no', 'off', '0')`;

/**
 * True for text that is not a JSON document. Without a JSON validator in SQL (PostgreSQL 16's
 * IS JSON, pg_input_is_valid), the text is reduced: every valid string becomes `""`, every
 * number and literal `0`, whitespace goes; then arrays and objects made only of such values
 * collapse to `0`, innermost first, until nothing changes. Valid JSON ends as one value.
 */
function notJson(t: string): string {
  const value = '(""|0)';
  const scalars = `regexp_replace(regexp_replace(regexp_replace(${t}, ${lit(JSON_STRING_RE)}, '""', 'g'), ${lit(JSON_SCALAR_RE)}, '0', 'g'), ` +
    `'[ \\t\\n\\r]+', '', 'g')`;
  const arrays = lit(String.raw`\[(${value}(,${value})*)?\]`);
  const objects = lit(String.raw`\{(""\:${value}(,""\:${value})*)?\}`);
  return `NOT EXISTS (WITH RECURSIVE r(s, prev) AS (SELECT ${scalars}, NULL::text ` +
    `UNION ALL SELECT regexp_replace(regexp_replace(s, ${arrays}, '0', 'g'), ${objects}, '0', 'g'), s FROM r WHERE s IS DISTINCT FROM prev) ` +
    `SELECT 1 FROM r WHERE s IN ('0', '""'))` +
    // jsonb cannot hold NUL characters.
    ` OR position('\\u0000' in ${t}) > 0`;
}
const JSON_STRING_RE = String.raw`"([^"\\\x01-\x1f]|\\(["\\/bfnrt]|u[0-9a-fA-F]{4}))*"`;
const JSON_SCALAR_RE = String.raw`-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?|true|false|null`;

const lit = (re: string): string => `'${re.replace(/'/g, "''")}'`;

/** True for text that is not a real calendar date (or date and time) PostgreSQL would read. */
function badDateText(t: string, withTime: boolean): string {
  const y = `split_part(split_part(trim(${t}), ' ', 1), '-', 1)::int`;
  const m = `split_part(split_part(trim(${t}), ' ', 1), '-', 2)::int`;
  const d = `split_part(split_part(split_part(trim(${t}), ' ', 1), 'T', 1), '-', 3)::int`;
  const shape = withTime ? lit(DATE_RE + TIME_RE) : lit(DATE_RE + String.raw`\s*$`);
  return `CASE WHEN NOT (${t} ~ ${shape}) THEN TRUE WHEN ${y} = 0 OR ${m} NOT BETWEEN 1 AND 12 THEN TRUE ` +
    `ELSE ${d} NOT BETWEEN 1 AND extract(day FROM make_date(${y}, ${m}, 1) + interval '1 month - 1 day')::int END`;
}

/** True for numbers outside what `decimal(p, s)` holds once rounded to s places. */
const overflowsDecimal = (n: string, p: number, s: number): string => `abs(round(${n}, ${s})) >= 1e${p - s}`;

function numericLoss(col: string, from: ColumnType, to: ColumnType): string | null | undefined {
  const f = from.kind;
  if (f === 'boolean') return to.kind === 'decimal' && to.precision - to.scale < 1 ? 'TRUE' : null;
  if (!NUMERIC.has(f) && !TEXTUAL.has(f) && f !== 'json') return 'TRUE';
  const t = textOf(col, from);
  // From text: the value must be a number before it can be anything else.
  const num = NUMERIC.has(f) ? `${col}::numeric` : `${t}::numeric`;
  const guard = (cond: string): string =>
    (NUMERIC.has(f) ? cond : `CASE WHEN ${t} ~ ${lit(to.kind === 'real' || to.kind === 'decimal' ? NUM_RE : INT_RE)} THEN ${cond} ELSE TRUE END`);
  const realish = f === 'real' ? `${col}::text IN ('NaN', 'Infinity', '-Infinity') OR ` : '';
  switch (to.kind) {
    case 'integer': return realish + guard(`(${num} <> trunc(${num}) OR ${num} NOT BETWEEN -2147483648 AND 2147483647)`);
    case 'bigint': return realish + guard(`(${num} <> trunc(${num}) OR ${num} NOT BETWEEN -9223372036854775808 AND 9223372036854775807)`);
    case 'real': return f === 'real' ? null : guard(`(abs(${num}) >= 1e308 OR ${num}::double precision::numeric <> ${num})`);
    case 'decimal': return realish + guard(`(round(${num}, ${to.scale}) <> ${num} OR ${overflowsDecimal(num, to.precision, to.scale)})`);
    default: return undefined;
  }
}

/**
 * An SQL predicate, true for the non-null values of `col` (already quoted) that changing
 * `from` → `to` would refuse or cut; `null` when every value converts whole; `undefined` when
 * Evolve cannot tell (types it does not model).
 */
export function postgresLossyPredicate(col: string, from: ColumnIR, to: ColumnIR): string | null | undefined {
  const a = from.type;
  const b = to.type;
  if (a.kind === 'raw' || b.kind === 'raw') return b.kind === 'text' ? null : undefined;
  const t = textOf(col, a);
  switch (b.kind) {
    case 'text': return a.kind === 'bytes' ? undefined : null;
    case 'varchar': return a.kind === 'bytes' ? undefined : `length(${t}) > ${b.length}`;
    case 'integer': case 'bigint': case 'real': case 'decimal': return numericLoss(col, a, b);
    case 'boolean':
      if (NUMERIC.has(a.kind)) return `${col} NOT IN (0, 1)`;
      if (TEXTUAL.has(a.kind) || a.kind === 'json') return `lower(trim(${t})) NOT IN ${BOOL_WORDS}`;
      return 'TRUE';
    case 'date':
      if (a.kind === 'timestamp') return `${col}::time <> '00:00:00'`;
      if (TEXTUAL.has(a.kind) || a.kind === 'json') return badDateText(t, false);
      return 'TRUE';
    case 'timestamp':
      if (a.kind === 'date' || a.kind === 'timestamp') return null;
      if (TEXTUAL.has(a.kind) || a.kind === 'json') return badDateText(t, true);
      return 'TRUE';
    case 'json':
      if (TEXTUAL.has(a.kind)) return notJson(col);
      return null;
    case 'uuid':
      if (TEXTUAL.has(a.kind) || a.kind === 'json') return `NOT (${t} ~* ${lit(UUID_RE)})`;
      return 'TRUE';
    // convert_to(text, 'UTF8') takes any text.
    case 'bytes': return null;
  }
}
