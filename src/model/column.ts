/**
 * Column builders of the model DSL: `integer()`, `varchar(100)`, ... with chained modifiers.
 */
import type { ColumnType, DefaultValue, ReferentialAction } from '../ir/schema.js';
import { parseDslTypeName, normaliseTypeText, KNOWN_TYPE_NAMES } from '../ir/types.js';
import { EvolveError, ErrorCode } from '../errors.js';
import { isSqlExpression, type SqlExpression } from './sql-expression.js';

const COLUMN_BRAND = Symbol.for('evolve.column');

/** Options of a foreign key declared on a column. */
export interface ReferenceOptions {
  onDelete?: ReferentialAction;
  onUpdate?: ReferentialAction;
  /** Constraint name; generated when omitted. */
  name?: string;
}

/** A reference to a column of a table, as `table.columns.x` gives it. */
export interface ColumnRef {
  readonly tableName: string;
  readonly columnName: string;
}

/** What a column builder has collected; read by the model compiler. */
export interface ColumnDefinition {
  type: ColumnType;
  nullable: boolean;
  default: DefaultValue | null;
  autoIncrement: boolean;
  primaryKey: boolean;
  unique: boolean;
  uniqueName: string | null;
  aka: string[];
  name: string | null;
  /** The column's collation, by the database's own name for it; null: not stated. */
  collation: string | null;
  references: { target: () => ColumnRef; options: ReferenceOptions } | null;
}

/**
 * A column in a model. Modifiers return the same builder, so they chain.
 *
 * @example
 * ```ts
 * name: varchar(100).notNull().unique()
 * ```
 */
export class ColumnBuilder {
  readonly [COLUMN_BRAND] = true as const;
  readonly #def: ColumnDefinition;

  constructor(type: ColumnType) {
    this.#def = {
      type, nullable: true, default: null, autoIncrement: false, primaryKey: false,
      unique: false, uniqueName: null, aka: [], name: null, collation: null, references: null,
    };
  }

  /** Values may not be NULL. */
  notNull(): this { this.#def.nullable = false; return this; }

  /** Values may be NULL (the default). */
  nullable(): this { this.#def.nullable = true; return this; }

  /** A default: a literal (string, number, boolean) or an SQL expression (`sql\`...\``). */
  default(value: string | number | boolean | SqlExpression): this {
    if (isSqlExpression(value)) this.#def.default = { kind: 'expression', sql: value.text };
    else if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) {
      this.#def.default = { kind: 'value', value };
    }
    else throw new EvolveError(ErrorCode.ModelInvalid, `Unsupported default value ${String(value)}.`, {
      hint: 'Use a string, a finite number, a boolean, or sql`...` for an expression.',
    });
    return this;
  }

  /** Part of the primary key; `autoIncrement` lets the database assign values. */
  primaryKey(options: { autoIncrement?: boolean } = {}): this {
    this.#def.primaryKey = true;
    this.#def.nullable = false;
    if (options.autoIncrement) this.#def.autoIncrement = true;
    return this;
  }

  /** A unique constraint on this column alone. */
  unique(name?: string): this { this.#def.unique = true; this.#def.uniqueName = name ?? null; return this; }

  /** Former name(s) of this column: a rename is planned from the first one found. */
  aka(...names: string[]): this { this.#def.aka.push(...names.flat()); return this; }

  /** The column's name in the database, when it differs from the property key. */
  named(name: string): this { this.#def.name = name; return this; }

  /**
   * The column's collation, as the database names it: `'C'` or `'en_US.utf8'` on PostgreSQL,
   * `'nocase'` on SQLite, `'utf8mb4_bin'` on MySQL/MariaDB (there one other than its table's:
   * MySQL reports a column under its table's collation as having none). A column that states
   * none keeps the live column's own (it is adopted, and reported).
   *
   * @example
   * ```ts
   * email: text().collation('nocase')
   * ```
   */
  collation(name: string): this { this.#def.collation = name; return this; }

  /** A foreign key to another model's column: `references(() => department.columns.id)`. */
  references(target: () => ColumnRef, options: ReferenceOptions = {}): this {
    this.#def.references = { target, options };
    return this;
  }

  /** @internal The collected definition (a copy). */
  definition(): ColumnDefinition {
    return { ...this.#def, aka: [...this.#def.aka] };
  }
}

/** True when `v` is a column builder (works across module instances). */
export function isColumnBuilder(v: unknown): v is ColumnBuilder {
  return typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[COLUMN_BRAND] === true;
}

function positiveInt(what: string, n: unknown, min = 1): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min) {
    throw new EvolveError(ErrorCode.ModelInvalid, `${what} must be an integer ≥ ${min}, got ${JSON.stringify(n)}.`, {
      hint: `Give ${what} as a whole number, e.g. varchar(100) or decimal(10, 2).`,
    });
  }
  return n;
}

/** 32-bit integer. */
export const integer = (): ColumnBuilder => new ColumnBuilder({ kind: 'integer' });
/** 64-bit integer. */
export const bigint = (): ColumnBuilder => new ColumnBuilder({ kind: 'bigint' });
/** Floating point (double precision where the dialect has a choice). */
export const real = (): ColumnBuilder => new ColumnBuilder({ kind: 'real' });
/** Exact decimal with `precision` digits, `scale` of them after the point. */
export const decimal = (precision: number, scale = 0): ColumnBuilder => {
  const p = positiveInt('decimal precision', precision);
  const s = positiveInt('decimal scale', scale, 0);
  if (s > p) {
    throw new EvolveError(ErrorCode.ModelInvalid, `decimal(${p}, ${s}): scale is larger than precision.`, {
      hint: 'Scale counts the digits after the point; it cannot exceed precision.',
    });
  }
  return new ColumnBuilder({ kind: 'decimal', precision: p, scale: s });
};
/** Unbounded text. */
export const text = (): ColumnBuilder => new ColumnBuilder({ kind: 'text' });
/** Text of at most `length` characters. */
export const varchar = (length: number): ColumnBuilder => new ColumnBuilder({ kind: 'varchar', length: positiveInt('varchar length', length) });
/** True/false. */
export const boolean = (): ColumnBuilder => new ColumnBuilder({ kind: 'boolean' });
/** Calendar date. */
export const date = (): ColumnBuilder => new ColumnBuilder({ kind: 'date' });
/** Date and time; `{ withTimeZone: true }` for an instant. */
export const timestamp = (options: { withTimeZone?: boolean } = {}): ColumnBuilder =>
  new ColumnBuilder({ kind: 'timestamp', withTimeZone: options.withTimeZone === true });
/** JSON document. */
export const json = (): ColumnBuilder => new ColumnBuilder({ kind: 'json' });
/** Binary data. */
export const bytes = (): ColumnBuilder => new ColumnBuilder({ kind: 'bytes' });
/** UUID. */
export const uuid = (): ColumnBuilder => new ColumnBuilder({ kind: 'uuid' });

/**
 * A column whose type is given by name: one of the DSL's names (`'varchar(20)'`,
 * `'decimal(10,2)'`, ...). An unknown name is an error; for a dialect-specific type Evolve does
 * not model, use {@link rawType}.
 */
export function column(typeName: string): ColumnBuilder {
  const t = typeof typeName === 'string' ? parseDslTypeName(typeName) : undefined;
  if (!t) {
    throw new EvolveError(ErrorCode.UnknownType, `Unknown column type ${JSON.stringify(typeName)}.`, {
      hint: `Use one of ${KNOWN_TYPE_NAMES.join(', ')}; for a dialect-specific type use rawType(${JSON.stringify(typeName)}).`,
      details: { type: typeName },
    });
  }
  return new ColumnBuilder(t);
}

/** A column of a dialect-specific type Evolve does not model, kept as text (e.g. `rawType('geometry')`). */
export function rawType(sqlType: string): ColumnBuilder {
  if (typeof sqlType !== 'string' || sqlType.trim() === '') {
    throw new EvolveError(ErrorCode.UnknownType, `rawType() needs the type's SQL text, got ${JSON.stringify(sqlType)}.`, {
      hint: "Write e.g. rawType('geometry').",
    });
  }
  return new ColumnBuilder({ kind: 'raw', sql: normaliseTypeText(sqlType) });
}
