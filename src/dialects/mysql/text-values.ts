/**
 * Does this text convert to a number or a date on MySQL/MariaDB? Predicates over a text
 * expression that never cast text that may not convert.
 *
 * Why no CAST: under strict mode (Evolve's sessions always run with STRICT_ALL_TABLES) a
 * warning raised anywhere in an UPDATE, its WHERE clause included, is an error. The values that
 * do not convert are set to NULL by exactly such an UPDATE before the MODIFY (see
 * `convertLossy` in planner.ts), so `CAST('2024-13-45' AS DATE) IS NULL` would fail it with the
 * very error it is there to avoid. So the text is taken apart with string functions alone
 * (REGEXP, SUBSTRING_INDEX, TRIM, CHAR_LENGTH), and cast only where the shape already
 * guarantees that the cast is clean (digit strings of bounded length). CASE guards every
 * branch that needs the shape: the server evaluates only the branch it picks.
 *
 * What counts as converting is what MODIFY under strict mode keeps whole, with the same rules
 * as the other dialects: a real calendar date (no zero year, month or day, no 30 February)
 * written YYYY-M-D, with for a date and time `hh[:mm[:ss[.fraction]]]` after spaces or a `T`;
 * a number without thousands separators, that fits and needs no rounding. MySQL also reads
 * other spellings (`20240102`, `24/1/2`); they count as not converting, as on PostgreSQL.
 * Regular expressions have no backslashes, so they mean the same in every quoting mode.
 */
import { mysqlString } from './sql-builder.js';

/**
 * True (as SQL) when all of `text` has the shape `re` (anchored at both ends). `$` also matches
 * before a final newline (PCRE and ICU alike), so the text gets a `!` that the pattern must
 * end with: `'42\n'` is not an integer.
 */
export function whole(text: string, re: string): string {
  return `CONCAT(${text}, '!') REGEXP ${mysqlString(`^(${re})!$`)}`;
}

const INTEGER_RE = '[+-]?[0-9]+';
/** A number, with an exponent of at most four digits (a longer one is not a value anyone stores). */
const NUMBER_RE = '[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]{1,4})?';
const DATE_RE = '[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}';
/** A date whose month is 1–12 and day 1–28: a real date in any year but 0 (most values; no need to count days). */
const EARLY_DATE_RE = '[0-9]{4}-(0?[1-9]|1[0-2])-(0?[1-9]|1[0-9]|2[0-8])';
/** A time after a date; a `T` separator is first made `~` (REPLACE is case-sensitive, REGEXP may not be: `t` is refused). */
const TIME_RE = '(( +|~)([01]?[0-9]|2[0-3])(:[0-5]?[0-9](:[0-5]?[0-9]([.][0-9]*)?)?)?)?';

const INT_LIMITS = { integer: ['2147483647', '2147483648'], bigint: ['9223372036854775807', '9223372036854775808'] } as const;

/** `t` without its sign. */
const unsigned = (t: string): string => `IF(LEFT(${t}, 1) IN ('+', '-'), SUBSTRING(${t}, 2), ${t})`;

/**
 * True for text (`t`, already trimmed) that is not an integer in range. The digits are
 * compared without a cast where there are too many of them for one.
 */
export function badIntegerText(t: string, kind: 'integer' | 'bigint'): string {
  const [hi, loAbs] = INT_LIMITS[kind];
  const digits = `TRIM(LEADING '0' FROM ${unsigned(t)})`;
  // Fast path, most values: few enough digits to fit whatever they are.
  const fits = whole(t, `[+-]?0*[0-9]{1,${hi.length - 1}}`);
  return `CASE WHEN NOT (${whole(t, INTEGER_RE)}) THEN TRUE WHEN ${fits} THEN FALSE WHEN ${digits} = '' THEN FALSE ` +
    `WHEN CHAR_LENGTH(${digits}) > 19 THEN TRUE ` +
    `ELSE CAST(${digits} AS DECIMAL(20,0)) > IF(LEFT(${t}, 1) = '-', ${loAbs}, ${hi}) END`;
}

/**
 * The parts of a number's text, as SQL over `t` (trimmed, of NUMBER_RE's shape): its digits
 * without sign, point or exponent; where the point falls among them once the exponent is
 * applied (`point`); how many leading zeros they have (`lead`); and the position of their
 * last non-zero digit (`last`, 0 when the number is zero).
 */
function numberParts(t: string): { point: string; lead: string; last: string; digits: string } {
  const u = `LOWER(${unsigned(t)})`;
  const mantissa = `SUBSTRING_INDEX(${u}, 'e', 1)`;
  const exponent = `IF(LOCATE('e', ${u}) > 0, CAST(SUBSTRING_INDEX(${u}, 'e', -1) AS SIGNED), 0)`;
  const whole = `SUBSTRING_INDEX(${mantissa}, '.', 1)`;
  const fraction = `IF(LOCATE('.', ${mantissa}) > 0, SUBSTRING_INDEX(${mantissa}, '.', -1), '')`;
  const digits = `CONCAT(${whole}, ${fraction})`;
  return {
    digits,
    point: `(CHAR_LENGTH(${whole}) + ${exponent})`,
    lead: `(CHAR_LENGTH(${digits}) - CHAR_LENGTH(TRIM(LEADING '0' FROM ${digits})))`,
    last: `CHAR_LENGTH(TRIM(TRAILING '0' FROM ${digits}))`,
  };
}

/**
 * True for text (`t`, trimmed) that `decimal(precision, scale)` cannot hold whole: not a
 * number, more integer digits than precision − scale, or a non-zero digit past the scale
 * (which MODIFY would round away). Exact for any length of text.
 */
export function badDecimalText(t: string, precision: number, scale: number): string {
  const p = numberParts(t);
  // Without an exponent one pattern says it: at most precision − scale integer digits once the
  // leading zeros go, and nothing but zeros past the scale. With one, the parts are counted.
  const upTo = (n: number): string => (n === 0 ? '' : `[0-9]{0,${n}}`); // no `{0,0}`, which not every engine takes
  const fits = whole(t, `[+-]?0*${upTo(precision - scale)}([.]${upTo(scale)}0*)?`);
  return `CASE WHEN NOT (${whole(t, NUMBER_RE)}) THEN TRUE WHEN ${fits} THEN FALSE WHEN LOCATE('e', LOWER(${t})) = 0 THEN TRUE ` +
    `WHEN ${p.last} = 0 THEN FALSE ` +
    `ELSE ${p.point} - ${p.lead} > ${precision - scale} OR ${p.last} - ${p.point} > ${scale} END`;
}

/**
 * True for text (`t`, trimmed) that is not a number a double holds: not a number, beyond
 * ±1.7976931348623157e308 (which MODIFY refuses) or so small that it becomes 0.
 */
export function badRealText(t: string): string {
  const p = numberParts(t);
  // The decimal exponent of the first significant digit.
  const e = `(${p.point} - ${p.lead} - 1)`;
  const leading = `RPAD(SUBSTRING(${p.digits}, ${p.lead} + 1, 17), 17, '0')`;
  // Fast path: no exponent, and too few digits to leave a double's range either way.
  const fits = whole(t, '[+-]?[0-9]{0,300}([.][0-9]{0,300})?');
  return `CASE WHEN NOT (${whole(t, NUMBER_RE)}) THEN TRUE WHEN ${fits} THEN FALSE WHEN ${p.last} = 0 THEN FALSE ` +
    `ELSE ${e} > 308 OR (${e} = 308 AND ${leading} > '17976931348623157') OR ${e} < -323 END`;
}

/**
 * True for text (`t`, trimmed) that is not a real calendar date (`withTime`: optionally
 * followed by a time of day) of the shape in the module comment. The year, month and day are
 * digit strings once the shape holds, so their casts are clean.
 */
export function badDateText(t: string, withTime: boolean): string {
  const text = withTime ? `REPLACE(${t}, 'T', '~')` : t;
  const shape = whole(text, DATE_RE + (withTime ? TIME_RE : ''));
  const early = `LEFT(${t}, 4) <> '0000' AND ${whole(text, EARLY_DATE_RE + (withTime ? TIME_RE : ''))}`;
  const y = `CAST(SUBSTRING_INDEX(${t}, '-', 1) AS UNSIGNED)`;
  const m = `CAST(SUBSTRING_INDEX(SUBSTRING_INDEX(${t}, '-', 2), '-', -1) AS UNSIGNED)`;
  // What follows the second '-': the day, then (with a time) a space or T.
  const rest = `SUBSTRING_INDEX(${t}, '-', -1)`;
  const d = `CAST(IF(SUBSTRING(${rest}, 2, 1) REGEXP '[0-9]', LEFT(${rest}, 2), LEFT(${rest}, 1)) AS UNSIGNED)`;
  const leap = `(${y} % 4 = 0 AND (${y} % 100 <> 0 OR ${y} % 400 = 0))`;
  const days = `CASE WHEN ${m} = 2 THEN IF(${leap}, 29, 28) WHEN ${m} IN (4, 6, 9, 11) THEN 30 ELSE 31 END`;
  return `CASE WHEN ${early} THEN FALSE WHEN NOT (${shape}) THEN TRUE WHEN ${y} = 0 OR ${m} NOT BETWEEN 1 AND 12 THEN TRUE ` +
    `ELSE ${d} NOT BETWEEN 1 AND ${days} END`;
}
