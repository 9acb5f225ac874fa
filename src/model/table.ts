/**
 * `table()` and `index()`: the model DSL's table-level parts.
 */
import { EvolveError, ErrorCode } from '../errors.js';
import { isSqlExpression, type SqlExpression } from './sql-expression.js';
import { isColumnBuilder, type ColumnBuilder, type ColumnRef, type ReferenceOptions } from './column.js';

const TABLE_BRAND = Symbol.for('evolve.table');
const INDEX_BRAND = Symbol.for('evolve.index');

/** An index in a model. Build with {@link index}. */
export class IndexBuilder {
  readonly [INDEX_BRAND] = true as const;
  readonly #name: string | null;
  #columns: string[] = [];
  #unique = false;
  #where: string | null = null;

  constructor(name: string | null) { this.#name = name; }

  /** The indexed columns, in order (names as in the database). */
  on(...columns: string[]): this { this.#columns = columns.flat(); return this; }
  /** Make it a unique index. */
  unique(): this { this.#unique = true; return this; }
  /** A partial index (dialects that have them): only rows matching `predicate`. */
  where(predicate: SqlExpression): this {
    if (!isSqlExpression(predicate)) {
      throw new EvolveError(ErrorCode.ModelInvalid, 'index().where() takes sql`...`.', { hint: 'Write the predicate as sql`deleted_at IS NULL`.' });
    }
    this.#where = predicate.text;
    return this;
  }
  /** @internal */
  definition(): { name: string | null; columns: string[]; unique: boolean; where: string | null } {
    return { name: this.#name, columns: [...this.#columns], unique: this.#unique, where: this.#where };
  }
}

/**
 * An index. The name is optional; without one, Evolve names it `<table>_<columns>_idx`.
 *
 * @example
 * ```ts
 * indexes: [index('employee_name_idx').on('name'), index().on('a', 'b').unique()]
 * ```
 */
export function index(name?: string): IndexBuilder { return new IndexBuilder(name ?? null); }

/** A unique index (shorthand for `index(name).unique()`). */
export function uniqueIndex(name?: string): IndexBuilder { return new IndexBuilder(name ?? null).unique(); }

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
}

/** A model: what `table()` returns. `columns.x` refers to a column for foreign keys. */
export interface Table<C extends Record<string, ColumnBuilder> = Record<string, ColumnBuilder>> {
  readonly [TABLE_BRAND]: true;
  readonly name: string;
  readonly columns: { readonly [K in keyof C]: ColumnRef };
  /** @internal */
  readonly builders: C;
  /** @internal */
  readonly options: TableOptions;
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
export function table<C extends Record<string, ColumnBuilder>>(name: string, columns: C, options: TableOptions = {}): Table<C> {
  if (typeof name !== 'string' || name.trim() === '') {
    throw new EvolveError(ErrorCode.ModelInvalid, `table() needs a name, got ${JSON.stringify(name)}.`, { hint: "Write table('name', { ...columns })." });
  }
  if (typeof columns !== 'object' || columns === null) {
    throw new EvolveError(ErrorCode.ModelInvalid, `table('${name}') needs an object of columns.`, {
      hint: "Write table('name', { id: integer().primaryKey() }).",
    });
  }
  const refs: Record<string, ColumnRef> = {};
  for (const [key, builder] of Object.entries(columns)) {
    if (!isColumnBuilder(builder)) {
      throw new EvolveError(ErrorCode.ModelInvalid, `Column '${key}' of table '${name}' is not a column (got ${typeof builder}).`, {
        hint: 'Build each column with a type function such as integer(), text() or varchar(100).',
      });
    }
    refs[key] = { tableName: name, columnName: builder.definition().name ?? key };
  }
  return Object.freeze({ [TABLE_BRAND]: true as const, name, columns: Object.freeze(refs) as Table<C>['columns'], builders: columns, options });
}

/** True when `v` was made by {@link table} (works across module instances). */
export function isTable(v: unknown): v is Table {
  return typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[TABLE_BRAND] === true;
}

/** True when `v` was made by {@link index}. */
export function isIndexBuilder(v: unknown): v is IndexBuilder {
  return typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[INDEX_BRAND] === true;
}
