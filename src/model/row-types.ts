/**
 * The application's row types, from the models (issue 18 point 3): what a SELECT returns
 * ({@link Row}), what an INSERT needs ({@link NewRow}) and a whole database's tables
 * ({@link Database}), in the shape Kysely takes as its database type — an interface per
 * table name, a property per column (`new Kysely<Database<typeof models>>(…)`). Types only:
 * nothing here exists at run time.
 */
import type { ColumnBuilder } from './column.js';
import type { Table } from './table.js';

/** The column builders of a table model. */
type ColumnsOf<T> = T extends Table<infer C, string> ? C : never;

/** A column's name in the database: its `.named()` name, else its key. */
type NameOf<K, B> = B extends ColumnBuilder<unknown, boolean, boolean, infer N> ? ([N] extends [never] ? K : N) : K;

/** The value a SELECT gives for a column: its type, or null where the column may be NULL. */
type SelectOf<B> = B extends ColumnBuilder<infer T, infer N, boolean, string> ? (N extends false ? T : T | null) : never;

/** True when an INSERT may leave the column out: it has a default, is generated or auto-increment, or may be NULL. */
type Optional<B> = B extends ColumnBuilder<unknown, infer N, infer D, string> ? (D extends false ? (N extends false ? false : true) : true) : true;

/** One flat object type (for readable hover text). */
type Flat<T> = { [K in keyof T]: T[K] } & {};

/**
 * What a SELECT of every column of `T` returns: a property per column (named as in the
 * database), NULL allowed where the model allows it.
 *
 * @example
 * ```ts
 * export const employee = table('employee', { id: integer().primaryKey({ autoIncrement: true }), name: text().notNull(), note: text() });
 * type Employee = Row<typeof employee>; // { id: number; name: string; note: string | null }
 * ```
 */
export type Row<T extends Table> = Flat<{ [K in keyof ColumnsOf<T> as NameOf<K, ColumnsOf<T>[K]>]: SelectOf<ColumnsOf<T>[K]> }>;

/**
 * What an INSERT into `T` needs: every NOT NULL column without a default; columns with a
 * default, generated and auto-increment columns and nullable ones may be left out.
 *
 * @example
 * ```ts
 * const row: NewRow<typeof employee> = { name: 'Ann' }; // id is auto-increment, note nullable
 * ```
 */
export type NewRow<T extends Table> = Flat<
  { [K in keyof ColumnsOf<T> as Optional<ColumnsOf<T>[K]> extends true ? never : NameOf<K, ColumnsOf<T>[K]>]: SelectOf<ColumnsOf<T>[K]> }
  & { [K in keyof ColumnsOf<T> as Optional<ColumnsOf<T>[K]> extends true ? NameOf<K, ColumnsOf<T>[K]> : never]?: SelectOf<ColumnsOf<T>[K]> }
>;

/** The table models among `M`: the values of a module namespace or object, or the items of an array. */
type TablesIn<M> = Extract<M extends readonly (infer E)[] ? E : M[keyof M], Table>;

/**
 * The database of a models module: table name → {@link Row}, the database type Kysely takes.
 *
 * @example
 * ```ts
 * import * as models from './models.js';
 * const db = new Kysely<Database<typeof models>>({ dialect });
 * const rows = await db.selectFrom('employee').select(['id', 'name']).execute();
 * ```
 */
export type Database<M> = { [T in TablesIn<M> as T['name']]: Row<T> };
