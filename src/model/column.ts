/**
 * Column builders of the model DSL: `integer()`, `varchar(100)`, ... with chained modifiers.
 */
import type { ColumnType, DefaultValue, ReferentialAction } from '../ir/schema.js';
import { parseDslTypeName, normaliseTypeText, KNOWN_TYPE_NAMES } from '../ir/types.js';
import { EvolveError, ErrorCode } from '../errors.js';
import { isSqlExpression, type SqlExpression } from './sql-expression.js';

const COLUMN_BRAND = Symbol.for('evolve.column');
/** The empty `aka` and `checks` of every builder that has none: never changed (a modifier replaces the array). */
const NONE: never[] = Object.freeze([]) as never;

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
  /** CHECK constraints written on the column (`.check()`): table checks once compiled. */
  checks: { name: string | null; expression: string }[];
  /** A generated column's expression (`.generatedAs()`). */
  generated: { expression: string; stored: boolean } | null;
  /** Identity kind (`.identity()`): `always` or `byDefault`; null: none stated. */
  identity: 'always' | 'byDefault' | null;
  /** The column's comment (`.comment()`; PostgreSQL). */
  comment: string | null;
  /** MySQL `ON UPDATE` (`.onUpdate()`), as the IR spells it: `CURRENT_TIMESTAMP` or `CURRENT_TIMESTAMP(n)`; null: none. */
  onUpdate: string | null;
}

/**
 * A column in a model. Modifiers return the same builder, so they chain. The type parameters
 * exist for the application's row types only ({@link Row}, {@link NewRow}): `T` is the value a
 * SELECT gives, `N` whether it may be NULL, `D` whether an INSERT may leave it out (a default,
 * a generated or auto-increment value), `K` its name in the database where `.named()` gave one.
 *
 * @example
 * ```ts
 * name: varchar(100).notNull().unique()
 * ```
 */
export class ColumnBuilder<T = any, N extends boolean = boolean, D extends boolean = boolean, K extends string = string> {
  /** On the prototype (one property for every builder, not one per builder): see below the class. */
  declare readonly [COLUMN_BRAND]: true;
  #def: ColumnDefinition;
  /** `#def` was handed out by {@link definition}: the next modifier copies it first (copy on write). */
  #shared = false;
  /** @internal Type-only: never set (see the class's type parameters). */
  declare readonly $types?: { select: T; nullable: N; optional: D; name: K };

  constructor(type: ColumnType) {
    // A column of a shared type starts from that type's shared (frozen) definition: most columns
    // get no modifier, and so no definition of their own.
    const shared = SHARED_DEFINITIONS.get(type);
    if (shared !== undefined) { this.#def = shared; this.#shared = true; } else this.#def = copyDefinition(type, BARE);
  }

  /** The definition to change: `#def`, or a copy of it once {@link definition} has handed it out (or it is a type's shared one). */
  #own(): ColumnDefinition {
    if (!this.#shared) return this.#def;
    this.#shared = false;
    return (this.#def = copyDefinition(this.#def.type, this.#def));
  }

  /** Values may not be NULL. */
  notNull(): ColumnBuilder<T, false, D, K> { this.#own().nullable = false; return this as never; }

  /** Values may be NULL (the default). */
  nullable(): ColumnBuilder<T, true, D, K> { this.#own().nullable = true; return this as never; }

  /**
   * The TypeScript type of its values in {@link Row} and {@link NewRow} (types only: nothing
   * changes in the database).
   *
   * @example
   * ```ts
   * settings: jsonb().$type<{ theme: 'dark' | 'light' }>()
   * ```
   */
  $type<U>(): ColumnBuilder<U, N, D, K> { return this as never; }

  /** A default: a literal (string, number, boolean) or an SQL expression (`sql\`...\``). */
  default(value: string | number | boolean | SqlExpression): ColumnBuilder<T, N, true, K> {
    if (isSqlExpression(value)) this.#own().default = { kind: 'expression', sql: value.text };
    else if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) {
      this.#own().default = { kind: 'value', value };
    }
    else throw new EvolveError(ErrorCode.ModelInvalid, `Unsupported default value ${String(value)}.`, {
      hint: 'Use a string, a finite number, a boolean, or sql`...` for an expression.',
    });
    return this as never;
  }

  /** Part of the primary key; `autoIncrement` lets the database assign values. */
  primaryKey<A extends boolean = false>(options: { autoIncrement?: A } = {}): ColumnBuilder<T, false, A extends true ? true : D, K> {
    const d = this.#own();
    d.primaryKey = true;
    d.nullable = false;
    if (options.autoIncrement) d.autoIncrement = true;
    return this as never;
  }

  /**
   * A CHECK constraint on this column (compiled to a table check; `name` is the constraint's
   * name, else the database names it). Its expression is SQL of the target dialect.
   *
   * @example
   * ```ts
   * price: decimal(10, 2).notNull().check(sql`price >= 0`, 'price_not_negative')
   * ```
   */
  check(expression: SqlExpression, name?: string): this {
    const check = { name: name ?? null, expression: sqlText('check()', expression) };
    const d = this.#own();
    d.checks = [...d.checks, check];
    return this;
  }

  /**
   * A generated (computed) column: its value is `expression`, computed on write
   * (`{ stored: true }`, the default: PostgreSQL has only stored ones) or on read
   * (`{ stored: false }`, SQLite and MySQL). A generated column has no default.
   *
   * @example
   * ```ts
   * full_name: text().generatedAs(sql`first || ' ' || last`, { stored: true })
   * ```
   */
  generatedAs(expression: SqlExpression, options: { stored?: boolean } = {}): ColumnBuilder<T, N, true, K> {
    const generated = { expression: sqlText('generatedAs()', expression), stored: options.stored !== false };
    this.#own().generated = generated;
    return this as never;
  }

  /**
   * An identity column (PostgreSQL `GENERATED ALWAYS AS IDENTITY` or `BY DEFAULT`): an
   * auto-increment primary key whose values come from the database. `always` refuses values
   * given in an INSERT (without `OVERRIDING SYSTEM VALUE`); `byDefault` (what
   * `.primaryKey({ autoIncrement: true })` makes) takes them. Other dialects have only the
   * one kind of auto-increment: `always` is refused there (`E_UNSUPPORTED`).
   *
   * @example
   * ```ts
   * id: bigint().identity('always')
   * ```
   */
  identity(kind: 'always' | 'byDefault' = 'byDefault'): ColumnBuilder<T, false, true, K> {
    const d = this.#own();
    d.identity = kind;
    d.primaryKey = true;
    d.nullable = false;
    d.autoIncrement = true;
    return this as never;
  }


  /**
   * MySQL/MariaDB `ON UPDATE CURRENT_TIMESTAMP`: an UPDATE of the row that does not set this
   * column sets it to the current time. `expression` is `CURRENT_TIMESTAMP` (or `NOW()`,
   * `LOCALTIMESTAMP`), with the column's fractional digits where it has them
   * (`CURRENT_TIMESTAMP(3)` on a `datetime(3)`). On a `timestamp()` or `datetime()` column
   * only (`E_MODEL_INVALID`); refused on other dialects (`E_UNSUPPORTED`), which have no such
   * clause (a trigger does it there). A column that states none keeps the live column's (adopted, and reported).
   *
   * @example
   * ```ts
   * last_update: timestamp().notNull().default(sql`CURRENT_TIMESTAMP`).onUpdate(sql`CURRENT_TIMESTAMP`)
   * ```
   */
  onUpdate(expression: SqlExpression): this {
    const text = sqlText('onUpdate()', expression).trim();
    const m = /^(?:current_timestamp|now|localtimestamp|localtime)(?:\(\s*(\d*)\s*\))?$/i.exec(text);
    if (!m) {
      throw new EvolveError(ErrorCode.ModelInvalid, `onUpdate() takes CURRENT_TIMESTAMP (MySQL's only ON UPDATE value), got ${JSON.stringify(text)}.`, {
        hint: 'Write .onUpdate(sql`CURRENT_TIMESTAMP`), with the column\'s fractional digits where it has them: sql`CURRENT_TIMESTAMP(3)`.',
        details: { expression: text },
      });
    }
    this.#own().onUpdate = `CURRENT_TIMESTAMP${m[1] ? `(${Number(m[1])})` : ''}`;
    return this;
  }

  /**
   * Values come from the database, for a column that is not a one-column primary key: on
   * MySQL/MariaDB one leading a composite primary key (`AUTO_INCREMENT` there must lead an index),
   * on PostgreSQL any column (a serial: an identity column `BY DEFAULT`), outside the key too;
   * refused elsewhere (`E_MODEL_INVALID`). For a one-column key write
   * `.primaryKey({ autoIncrement: true })`. An integer type only (`E_MODEL_INVALID`).
   *
   * @example
   * ```ts
   * table('attachment_lang', { id_attachment: unsignedInt().autoIncrement(), id_lang: unsignedInt().notNull() },
   *   { primaryKey: ['id_attachment', 'id_lang'] })
   * // PostgreSQL: a serial column beside the key
   * table('job', { name: text().primaryKey(), seq: integer().autoIncrement() })
   * ```
   */
  autoIncrement(): ColumnBuilder<T, false, true, K> {
    const d = this.#own();
    d.autoIncrement = true;
    d.nullable = false;
    return this as never;
  }

  /** A unique constraint on this column alone. */
  unique(name?: string): this { const d = this.#own(); d.unique = true; d.uniqueName = name ?? null; return this; }

  /**
   * The column's comment (PostgreSQL `COMMENT ON COLUMN`; refused on dialects that keep no
   * managed comments, `E_UNSUPPORTED`).
   *
   * @example
   * ```ts
   * email: text().comment('where invoices go')
   * ```
   */
  comment(text: string): this { this.#own().comment = text; return this; }

  /** Former name(s) of this column: a rename is planned from the first one found. */
  aka(...names: string[]): this { const d = this.#own(); d.aka = [...d.aka, ...names.flat()]; return this; }

  /** The column's name in the database, when it differs from the property key. */
  named<M extends string>(name: M): ColumnBuilder<T, N, D, M> { this.#own().name = name; return this as never; }

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
  collation(name: string): this { this.#own().collation = name; return this; }

  /** A foreign key to another model's column: `references(() => department.columns.id)`. */
  references(target: () => ColumnRef, options: ReferenceOptions = {}): this {
    this.#own().references = { target, options };
    return this;
  }

  /**
   * @internal The collected definition, to read and never to change: the builder's own, not a
   * copy (a command reads it several times per column); a modifier called later copies it
   * first, so what was handed out stays as it was.
   */
  definition(): ColumnDefinition {
    this.#shared = true;
    return this.#def;
  }
}
// The brand, once on the prototype: `isColumnBuilder` reads it there (a field would be one more property on every builder).
Object.defineProperty(ColumnBuilder.prototype, COLUMN_BRAND, { value: true });

/** The definition of a column with no modifier (its type aside). */
const BARE: Omit<ColumnDefinition, 'type'> = Object.freeze({
  nullable: true, default: null, autoIncrement: false, primaryKey: false, unique: false, uniqueName: null, aka: NONE, name: null,
  collation: null, references: null, checks: NONE, generated: null, identity: null, comment: null, onUpdate: null,
});

/** `d` with type `type`, as a new object (field by field: one shape for every definition, whatever `d`'s). */
function copyDefinition(type: ColumnType, d: Omit<ColumnDefinition, 'type'>): ColumnDefinition {
  return {
    type, nullable: d.nullable, default: d.default, autoIncrement: d.autoIncrement, primaryKey: d.primaryKey, unique: d.unique,
    uniqueName: d.uniqueName, aka: d.aka, name: d.name, collation: d.collation, references: d.references, checks: d.checks,
    generated: d.generated, identity: d.identity, comment: d.comment, onUpdate: d.onUpdate,
  };
}

/** The frozen definition without modifiers of each shared type object (see {@link sharedType}). */
const SHARED_DEFINITIONS = new Map<ColumnType, ColumnDefinition>();

/** `type`, frozen, with a frozen definition for the builders of its columns to share until one is modified. */
function sharedType<C extends ColumnType>(type: C): C {
  Object.freeze(type);
  SHARED_DEFINITIONS.set(type, Object.freeze(copyDefinition(type, BARE)));
  return type;
}

/** The text of `sql\`…\`` given to `what`; anything else is refused. */
export function sqlText(what: string, value: unknown): string {
  if (!isSqlExpression(value)) {
    throw new EvolveError(ErrorCode.ModelInvalid, `${what} takes sql\`...\`, got ${typeof value === 'string' ? JSON.stringify(value) : typeof value}.`, {
      hint: `Write the expression as sql\`...\` (SQL of the target database), e.g. ${what.replace('()', '')}(sql\`price >= 0\`).`,
    });
  }
  return value.text;
}

/** Any column builder, whatever its row types (the constraint of `table()`'s columns). */
export type AnyColumnBuilder = ColumnBuilder;

/** A column builder as a type function makes it: values of type `T`, nullable, no default, named by its key. */
export type NewColumn<T> = ColumnBuilder<T, true, false, never>;

/** A JSON value, as a driver gives a `json()` column's. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

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

/**
 * The types without parameters, one frozen object each for every column of the type (the IR
 * freezes a column's type anyway), and those of `varchar(n)` and `timestamp()` as they are asked for.
 */
const TYPES = Object.freeze({
  integer: sharedType({ kind: 'integer' }), bigint: sharedType({ kind: 'bigint' }), real: sharedType({ kind: 'real' }),
  text: sharedType({ kind: 'text' }), boolean: sharedType({ kind: 'boolean' }), date: sharedType({ kind: 'date' }),
  json: sharedType({ kind: 'json' }), bytes: sharedType({ kind: 'bytes' }), uuid: sharedType({ kind: 'uuid' }),
  timestamp: sharedType({ kind: 'timestamp', withTimeZone: false }), timestampTz: sharedType({ kind: 'timestamp', withTimeZone: true }),
} as const);
/** `varchar(n)`'s types by length (bounded: lengths past it get a type of their own). */
const VARCHARS = new Map<number, ColumnType>();
const MAX_VARCHARS = 256;

function varcharType(length: number): ColumnType {
  const t = VARCHARS.get(length);
  if (t !== undefined) return t;
  if (VARCHARS.size >= MAX_VARCHARS) return { kind: 'varchar', length };
  const shared = sharedType({ kind: 'varchar', length } as const);
  VARCHARS.set(length, shared);
  return shared;
}

/** 32-bit integer. */
export const integer = (): NewColumn<number> => new ColumnBuilder(TYPES.integer);
/** 64-bit integer. */
export const bigint = (): NewColumn<string> => new ColumnBuilder(TYPES.bigint);
/** Floating point (double precision where the dialect has a choice). */
export const real = (): NewColumn<number> => new ColumnBuilder(TYPES.real);
/** Exact decimal with `precision` digits, `scale` of them after the point. */
export const decimal = (precision: number, scale = 0): NewColumn<string> => {
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
export const text = (): NewColumn<string> => new ColumnBuilder(TYPES.text);
/** Text of at most `length` characters. */
export const varchar = (length: number): NewColumn<string> => new ColumnBuilder(varcharType(positiveInt('varchar length', length)));
/** True/false. */
export const boolean = (): NewColumn<boolean> => new ColumnBuilder(TYPES.boolean);
/** Calendar date. */
export const date = (): NewColumn<Date> => new ColumnBuilder(TYPES.date);
/** Date and time; `{ withTimeZone: true }` for an instant. */
export const timestamp = (options: { withTimeZone?: boolean } = {}): NewColumn<Date> =>
  new ColumnBuilder(options.withTimeZone === true ? TYPES.timestampTz : TYPES.timestamp);
/** JSON document. */
export const json = (): NewColumn<JsonValue> => new ColumnBuilder(TYPES.json);
/** Binary data. */
export const bytes = (): NewColumn<Uint8Array> => new ColumnBuilder(TYPES.bytes);
/** UUID. */
export const uuid = (): NewColumn<string> => new ColumnBuilder(TYPES.uuid);

/**
 * A column whose type is given by name: one of the DSL's names (`'varchar(20)'`,
 * `'decimal(10,2)'`, ...). An unknown name is an error; for a dialect-specific type Evolve does
 * not model, use {@link rawType}.
 */
export function column(typeName: string): NewColumn<unknown> {
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
export function rawType<T = unknown>(sqlType: string): NewColumn<T> {
  if (typeof sqlType !== 'string' || sqlType.trim() === '') {
    throw new EvolveError(ErrorCode.UnknownType, `rawType() needs the type's SQL text, got ${JSON.stringify(sqlType)}.`, {
      hint: "Write e.g. rawType('geometry').",
    });
  }
  return new ColumnBuilder({ kind: 'raw', sql: normaliseTypeText(sqlType) });
}
