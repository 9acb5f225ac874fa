/**
 * `table()` and `index()`: the model DSL's table-level parts.
 */
import { EvolveError, ErrorCode } from '../errors.js';
import { isSqlExpression, type SqlExpression } from './sql-expression.js';
import { isColumnBuilder, sqlText, type AnyColumnBuilder, type ColumnRef, type ReferenceOptions } from './column.js';

const TABLE_BRAND = Symbol.for('evolve.table');
const INDEX_BRAND = Symbol.for('evolve.index');
/** The parts of an index not given any (yet): never changed (a modifier replaces it). */
const NO_PARTS: IndexPart[] = Object.freeze([]) as never;

/** One part of an index: a column's name, or an expression (`sql\`lower(name)\``). */
export type IndexPart = string | SqlExpression;

/** What an index builder has collected; read by the model compiler. */
export interface IndexDefinition {
  name: string | null;
  /** Column names, or (for an expression part) `{ expression }`. */
  parts: (string | { expression: string })[];
  /** The column names alone, when every part is a column. */
  columns: string[];
  unique: boolean;
  where: string | null;
  /** Index method (`gin`, `gist`, `hash`, …), null: the database's default. */
  using: string | null;
  /** Columns stored in the index without being keyed (PostgreSQL `INCLUDE (…)`); empty for none. */
  include: string[];
}

/** Options of {@link index}. */
export interface IndexOptions {
  /** Index method: `'gin'`, `'gist'`, `'brin'`, `'hash'` (PostgreSQL), … */
  using?: string;
}

/** An index in a model. Build with {@link index}. */
export class IndexBuilder {
  /** On the prototype, as a column builder's brand (below the class). */
  declare readonly [INDEX_BRAND]: true;
  readonly #name: string | null;
  #parts: IndexPart[] = NO_PARTS;
  #unique = false;
  #where: string | null = null;
  #using: string | null;
  #include: string[] = NO_PARTS as string[];
  /** What {@link definition} gave, until a modifier changes the index. */
  #def: IndexDefinition | null = null;

  constructor(name: string | null, options: IndexOptions = {}) { this.#name = name; this.#using = options.using ?? null; }

  /**
   * The indexed parts, in order: column names (as in the database) or expressions. An index
   * on an expression, or with a method (`using`), is created and compared as the database
   * prints it (its definition is read back from the database the models are checked on).
   *
   * @example
   * ```ts
   * index('person_lower_name').on(sql`lower(name)`)
   * ```
   */
  on(...parts: IndexPart[]): this { this.#parts = parts.some(Array.isArray) ? parts.flat() : parts; this.#def = null; return this; }
  /** The index method (`'gin'`, `'gist'`, `'hash'`, …): `index('doc_tags', { using: 'gin' })` says the same. */
  using(method: string): this { this.#using = method; this.#def = null; return this; }
  /**
   * Columns the index stores without keying them (PostgreSQL `INCLUDE`): an index-only scan
   * reads them too. Such an index is compared as the database prints it, like one on an expression.
   *
   * @example
   * ```ts
   * index('ranks_updated').on('updated_at').include('repository_id')
   * ```
   */
  include(...columns: string[]): this { this.#include = columns.some(Array.isArray) ? columns.flat() : columns; this.#def = null; return this; }
  /** Make it a unique index. */
  unique(): this { this.#unique = true; this.#def = null; return this; }
  /** A partial index (dialects that have them): only rows matching `predicate`. */
  where(predicate: SqlExpression): this {
    if (!isSqlExpression(predicate)) {
      throw new EvolveError(ErrorCode.ModelInvalid, 'index().where() takes sql`...`.', { hint: 'Write the predicate as sql`deleted_at IS NULL`.' });
    }
    this.#where = predicate.text;
    this.#def = null;
    return this;
  }
  /** @internal What the index states, to read and never to change (made once, until a modifier changes the index). */
  definition(): IndexDefinition {
    if (this.#def !== null) return this.#def;
    const src = this.#parts;
    const parts: (string | { expression: string })[] = new Array(src.length);
    const columns: string[] = [];
    for (let i = 0; i < src.length; i++) {
      const p = src[i]!;
      if (typeof p === 'string') { parts[i] = p; columns.push(p); } else parts[i] = isSqlExpression(p) ? { expression: p.text } : p;
    }
    return (this.#def = { name: this.#name, parts, columns, unique: this.#unique, where: this.#where, using: this.#using, include: [...this.#include] });
  }
}
Object.defineProperty(IndexBuilder.prototype, INDEX_BRAND, { value: true });

/**
 * An index. The name is optional; without one, Evolve names it `<table>_<columns>_idx`.
 *
 * @example
 * ```ts
 * indexes: [index('employee_name_idx').on('name'), index().on('a', 'b').unique()]
 * ```
 */
export function index(name?: string, options: IndexOptions = {}): IndexBuilder { return new IndexBuilder(name ?? null, options); }

/** A unique index (shorthand for `index(name).unique()`). */
export function uniqueIndex(name?: string, options: IndexOptions = {}): IndexBuilder { return new IndexBuilder(name ?? null, options).unique(); }

/** A CHECK constraint of a table: `check('name', sql\`…\`)`, or `sql\`…\`` alone for an unnamed one. */
export interface CheckDefinition {
  readonly name: string | null;
  readonly expression: string;
}

/**
 * A table-level CHECK constraint, named (or `null`: the database names it). The expression
 * is SQL of the target dialect, and may name any of the table's columns.
 *
 * @example
 * ```ts
 * table('booking', { starts: date(), ends: date() }, { checks: [check('booking_order', sql`starts <= ends`)] })
 * ```
 */
export function check(name: string | null, expression: SqlExpression): CheckDefinition {
  return { name, expression: sqlText('check()', expression) };
}

/** Table-level foreign key (composite keys). */
export interface ForeignKeyDefinition {
  columns: string[];
  references: () => ColumnRef[];
  onDelete?: ReferenceOptions['onDelete'];
  onUpdate?: ReferenceOptions['onUpdate'];
  name?: string;
}

/** Table-level options. */
export interface TableOptions {
  /** Former name(s) of the table: a rename is planned from the first one found live. */
  aka?: string | string[];
  /** Composite primary key (column names); or mark columns with `.primaryKey()`. */
  primaryKey?: string[];
  /** Unique constraints over several columns: `[['a', 'b']]` or `[{ name, columns }]`. */
  unique?: (string[] | { name?: string; columns: string[] })[];
  /** Indexes. */
  indexes?: IndexBuilder[];
  /** Foreign keys over several columns. */
  foreignKeys?: ForeignKeyDefinition[];
  /** CHECK constraints over the table's columns: `check(name, sql\`…\`)`, or `sql\`…\`` for an unnamed one. */
  checks?: (CheckDefinition | SqlExpression)[];
  /**
   * How the table is stored, as the database names it: SQLite `{ strict: true, without_rowid: true }`;
   * MySQL `{ engine: 'myisam', charset: 'latin1', collation: 'latin1_swedish_ci' }` (where they differ
   * from the database's defaults). A table that states none keeps the live table's (adopted, and reported).
   *
   * @example
   * ```ts
   * table('setting', { key: text().primaryKey(), value: rawType('any') }, { storage: { strict: true } })
   * ```
   */
  storage?: Record<string, string | boolean>;
  /** The table's comment (PostgreSQL `COMMENT ON TABLE`; refused on dialects that keep no managed comments). */
  comment?: string;
}

/** A model: what `table()` returns. `columns.x` refers to a column for foreign keys. */
export interface Table<C extends Record<string, AnyColumnBuilder> = Record<string, AnyColumnBuilder>, Name extends string = string> {
  readonly [TABLE_BRAND]: true;
  readonly name: Name;
  readonly columns: { readonly [K in keyof C]: ColumnRef };
  /** @internal */
  readonly builders: C;
  /** @internal */
  readonly options: TableOptions;
}

/** The column keys of the table() before (see table()). */
let previousKeys: readonly string[] = [];

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Define a table.
 *
 * @example
 * ```ts
 * export const department = table('department', {
 *   id: integer().primaryKey({ autoIncrement: true }),
 *   name: varchar(100).notNull().unique(),
 * });
 * ```
 */
export function table<const Name extends string, C extends Record<string, AnyColumnBuilder>>(
  name: Name, columns: C, options: TableOptions = {},
): Table<C, Name> {
  if (typeof name !== 'string' || name.trim() === '') {
    throw new EvolveError(ErrorCode.ModelInvalid, `table() needs a name, got ${JSON.stringify(name)}.`, { hint: "Write table('name', { ...columns })." });
  }
  if (typeof columns !== 'object' || columns === null) {
    throw new EvolveError(ErrorCode.ModelInvalid, `table('${name}') needs an object of columns.`, {
      hint: "Write table('name', { id: integer().primaryKey() }).",
    });
  }
  const keys = Object.keys(columns);
  // Built name by name, a plain object takes a new hidden class for every name not seen in that
  // position before: in a schema whose tables name their columns differently that cost three
  // times the rest of table() (5,000 tables: ~130 ms against ~40). So the references are a
  // dictionary from the start (an object made without a prototype is one; it is given Object's
  // back), except for a table with the same column keys as the one before (partitions, tenants,
  // generated schemas), whose hidden classes V8 has already.
  const same = sameKeys(keys, previousKeys);
  previousKeys = keys;
  const refs = (same ? {} : Object.setPrototypeOf(Object.create(null), Object.prototype)) as Record<string, ColumnRef>;
  const values: unknown[] = Object.values(columns);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const builder = values[i];
    if (!isColumnBuilder(builder)) {
      throw new EvolveError(ErrorCode.ModelInvalid, `Column '${key}' of table '${name}' is not a column (got ${typeof builder}).`, {
        hint: 'Build each column with a type function such as integer(), text() or varchar(100).',
      });
    }
    refs[key] = { tableName: name, columnName: builder.definition().name ?? key };
  }
  // The brand last: a computed key first in a literal makes every property after it a slow define (own keys list symbols last anyway).
  return Object.freeze({ name, columns: Object.freeze(refs) as Table<C, Name>['columns'], builders: columns, options, [TABLE_BRAND]: true as const });
}

/** True when `v` was made by {@link table} (works across module instances). */
export function isTable(v: unknown): v is Table {
  return typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[TABLE_BRAND] === true;
}

/** True when `v` was made by {@link index}. */
export function isIndexBuilder(v: unknown): v is IndexBuilder {
  return typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[INDEX_BRAND] === true;
}
