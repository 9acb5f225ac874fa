/**
 * The IR: one dialect-neutral description of a schema, shared by introspection (the live
 * schema) and the models (the desired schema). Plain, frozen, JSON-serialisable data.
 *
 * Names of constraints the database generates (primary keys, unique constraints, foreign keys)
 * are kept so plans can address them, but they are not part of the canonical form
 * (see `docs/fingerprint.md`). Index names are part of it: they are chosen by the user.
 */

/** Dialects Evolve speaks. */
export type DialectName = 'sqlite' | 'postgres' | 'mysql';

/** A column type, structured where Evolve understands it and raw text where it does not. */
export type ColumnType =
  | { readonly kind: 'integer' }
  | { readonly kind: 'bigint' }
  | { readonly kind: 'real' }
  | { readonly kind: 'text' }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'date' }
  | { readonly kind: 'json' }
  | { readonly kind: 'bytes' }
  | { readonly kind: 'uuid' }
  | { readonly kind: 'varchar'; readonly length: number }
  | { readonly kind: 'decimal'; readonly precision: number; readonly scale: number }
  | { readonly kind: 'timestamp'; readonly withTimeZone: boolean }
  /** A type Evolve does not model; `sql` is the declared type, normalised (lower case, single spaces). */
  | { readonly kind: 'raw'; readonly sql: string };

export type ColumnTypeKind = ColumnType['kind'];

/** A column default: a literal value, or an SQL expression kept as (normalised) text. */
export type DefaultValue =
  | { readonly kind: 'value'; readonly value: string | number | boolean }
  | { readonly kind: 'expression'; readonly sql: string };

export interface ColumnIR {
  readonly name: string;
  readonly type: ColumnType;
  readonly nullable: boolean;
  readonly default: DefaultValue | null;
  /** Values come from the database: SQLite AUTOINCREMENT, PostgreSQL identity/serial, MySQL AUTO_INCREMENT. */
  readonly autoIncrement: boolean;
  /** Former names (models only; never introspected, never fingerprinted). */
  readonly aka?: readonly string[];
}

export interface PrimaryKeyIR {
  /** Constraint name where the database has one; not fingerprinted. */
  readonly name: string | null;
  readonly columns: readonly string[];
}

export interface UniqueIR {
  /** Constraint (or backing index) name; not fingerprinted. */
  readonly name: string | null;
  readonly columns: readonly string[];
}

export interface IndexIR {
  readonly name: string;
  readonly columns: readonly string[];
  readonly unique: boolean;
  /** Partial-index predicate, normalised SQL text, where the dialect has them. */
  readonly where: string | null;
}

export type ReferentialAction = 'no action' | 'restrict' | 'cascade' | 'set null' | 'set default';

export interface ForeignKeyIR {
  /** Constraint name; not fingerprinted. */
  readonly name: string | null;
  readonly columns: readonly string[];
  readonly refTable: string;
  readonly refColumns: readonly string[];
  readonly onDelete: ReferentialAction;
  readonly onUpdate: ReferentialAction;
}

export interface TableIR {
  readonly name: string;
  readonly columns: readonly ColumnIR[];
  readonly primaryKey: PrimaryKeyIR | null;
  readonly uniques: readonly UniqueIR[];
  readonly indexes: readonly IndexIR[];
  readonly foreignKeys: readonly ForeignKeyIR[];
  /** Former names (models only). */
  readonly aka?: readonly string[];
}

export interface SchemaIR {
  readonly dialect: DialectName;
  readonly tables: readonly TableIR[];
}

/** Deep-freeze plain data (the IR is immutable once built). */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}

/** Find a table by name. */
export function findTable(schema: SchemaIR, name: string): TableIR | undefined {
  return schema.tables.find((t) => t.name === name);
}

/** Find a column by name. */
export function findColumn(table: TableIR, name: string): ColumnIR | undefined {
  return table.columns.find((c) => c.name === name);
}
