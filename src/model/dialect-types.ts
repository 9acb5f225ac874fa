/**
 * Typed helpers for the column types of one dialect (`jsonb()`, `inet()`, `tinyint({ unsigned: true })`,
 * `array(text())`, `mysqlEnum('a', 'b')`, …): each is the database's own type, kept as its text
 * the way `rawType()` keeps it — each dialect's normaliser reads it as its introspection reports
 * it — with the TypeScript type of its values for the application's row types.
 */
import type { ColumnType } from '../ir/schema.js';
import { typeToString } from '../ir/types.js';
import { EvolveError, ErrorCode } from '../errors.js';
import { rawType, type ColumnBuilder, type JsonValue, type NewColumn } from './column.js';

/**
 * PostgreSQL `jsonb`: JSON stored parsed.
 *
 * @example
 * ```ts
 * settings: jsonb().notNull().default(sql`'{}'::jsonb`)
 * ```
 */
export const jsonb = (): NewColumn<JsonValue> => rawType<JsonValue>('jsonb');
/**
 * PostgreSQL `inet`: an IPv4 or IPv6 host address, with its subnet.
 *
 * @example
 * ```ts
 * last_ip: inet()
 * ```
 */
export const inet = (): NewColumn<string> => rawType<string>('inet');
/** PostgreSQL `cidr`: an IPv4 or IPv6 network. */
export const cidr = (): NewColumn<string> => rawType<string>('cidr');
/**
 * PostgreSQL `citext` (extension `citext`, created in the database beforehand): text compared case-insensitively.
 *
 * @example
 * ```ts
 * email: citext().notNull().unique()
 * ```
 */
export const citext = (): NewColumn<string> => rawType<string>('citext');
/** PostgreSQL `tsvector`: a document for full-text search. */
export const tsvector = (): NewColumn<string> => rawType<string>('tsvector');
/** PostgreSQL `interval`. */
export const interval = (): NewColumn<string> => rawType<string>('interval');
/** `time` (without a date). */
export const time = (): NewColumn<string> => rawType<string>('time');
/** `char(n)`: fixed-length text. */
export const char = (length: number): NewColumn<string> => rawType<string>(`char(${whole('char length', length)})`);

function whole(what: string, n: unknown): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
    throw new EvolveError(ErrorCode.ModelInvalid, `${what} must be an integer ≥ 1, got ${JSON.stringify(n)}.`, { hint: `Give ${what} as a whole number.` });
  }
  return n;
}

/** The SQL text of a column builder's type (for helpers that wrap another type). */
function typeText(t: ColumnType): string {
  return t.kind === 'raw' ? t.sql : typeToString(t);
}

/**
 * A PostgreSQL array of `element`'s type: `array(text())` is `text[]`. (PostgreSQL does not
 * keep an array's number of dimensions: `integer[][]` is `integer[]`, so there is one spelling.)
 *
 * @example
 * ```ts
 * tags: array(text()).notNull().default(sql`'{}'`)
 * ```
 */
export function array<T>(element: ColumnBuilder<T>): NewColumn<T[]> {
  return rawType<T[]>(`${typeText(element.definition().type)}[]`);
}

/** MySQL integer types with their attributes. */
export interface MysqlIntegerOptions {
  /** MySQL/MariaDB `UNSIGNED`: no negative values, twice the positive range. */
  unsigned?: boolean;
}

const mysqlInteger = (name: string) => (options: MysqlIntegerOptions = {}): NewColumn<number> =>
  rawType<number>(`${name}${options.unsigned ? ' unsigned' : ''}`);

/**
 * MySQL `tinyint` (`{ unsigned: true }`: 0–255).
 *
 * @example
 * ```ts
 * level: tinyint({ unsigned: true }).notNull().default(0)
 * ```
 */
export const tinyint = mysqlInteger('tinyint');
/**
 * `smallint`: 16-bit integer (PostgreSQL, MySQL; `{ unsigned: true }`, MySQL only: 0–65535).
 * Like every integer type it can auto-increment.
 *
 * @example
 * ```ts
 * actor_id: smallint({ unsigned: true }).primaryKey({ autoIncrement: true })
 * ```
 */
export const smallint = mysqlInteger('smallint');
/** MySQL `mediumint` (24-bit; `{ unsigned: true }`: 0–16777215). */
export const mediumint = mysqlInteger('mediumint');
/** MySQL `int unsigned` (`bigint unsigned` is `rawType('bigint unsigned')`). */
export const unsignedInt = (): NewColumn<number> => rawType<number>('int unsigned');
/**
 * True when `t` is an integer type, which alone can auto-increment: `integer()`, `bigint()`,
 * and the dialect integer types (`smallint()`, MySQL `tinyint()`, `mediumint()`, signed or
 * unsigned, `unsignedInt()`, `rawType('bigint unsigned')`).
 */
export function isIntegerType(t: ColumnType): boolean {
  return t.kind === 'integer' || t.kind === 'bigint' ||
    (t.kind === 'raw' && /^(tinyint|smallint|mediumint|int|integer|bigint)( unsigned)?$/.test(t.sql));
}

/** MySQL `mediumtext`. */
export const mediumtext = (): NewColumn<string> => rawType<string>('mediumtext');
/** MySQL `longtext`. */
export const longtext = (): NewColumn<string> => rawType<string>('longtext');
/** MySQL `datetime(fsp)` / PostgreSQL-free spelling of a date and time without zone, with `fsp` fractional digits. */
export const datetime = (fsp?: number): NewColumn<Date> => rawType<Date>(fsp === undefined ? 'datetime' : `datetime(${fsp})`);

function valueList(what: string, values: readonly string[]): string {
  if (values.length === 0 || values.some((v) => typeof v !== 'string')) {
    throw new EvolveError(ErrorCode.ModelInvalid, `${what}() needs string values, got ${JSON.stringify(values)}.`, { hint: `Write ${what}('a', 'b').` });
  }
  const twice = values.find((v, i) => values.indexOf(v) !== i);
  if (twice !== undefined) {
    throw new EvolveError(ErrorCode.ModelInvalid, `${what}() lists the value '${twice}' twice.`, {
      hint: 'List each value once.', details: { value: twice },
    });
  }
  return values.map((v) => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`).join(',');
}

/**
 * A MySQL `ENUM` column: one of `values`, in their order.
 *
 * @example
 * ```ts
 * size: mysqlEnum('small', 'medium', 'large').notNull()
 * ```
 */
export function mysqlEnum<const V extends string>(...values: V[]): NewColumn<V> {
  return rawType<V>(`enum(${valueList('mysqlEnum', values)})`);
}

/**
 * A MySQL `SET` column: any subset of `values` (a comma-separated string).
 *
 * @example
 * ```ts
 * perms: mysqlSet('read', 'write')
 * ```
 */
export function mysqlSet(...values: string[]): NewColumn<string> {
  return rawType<string>(`set(${valueList('mysqlSet', values)})`);
}
