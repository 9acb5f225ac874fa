/**
 * SQLite normalisation: the form in which models and introspected schemas compare.
 * - An auto-increment column is `integer` (SQLite's AUTOINCREMENT needs INTEGER PRIMARY KEY).
 * - An `integer` single-column primary key can never be NULL (it is the rowid).
 * - Defaults take the form their column's type implies.
 * - A raw type is read as introspection reads the declared type (`rawType('int')` is integer).
 * - A collation is lower case; `binary` (the default) is none.
 *
 * The introspector builds its columns and indexes in this form directly, through the same
 * functions (sqliteColumnType, sqliteNullable, sqliteIndexWhere; defaults through
 * normaliseDefault), rather than building them once and copying them here.
 */
import type { ColumnIR, ColumnType, SchemaIR, TableIR } from '../../ir/schema.js';
import { normaliseDefault } from '../shared/defaults.js';
import { parseSqliteType } from './introspect.js';
import { identityAlwaysRefused } from '../shared/defaults.js';

const INTEGER: ColumnType = Object.freeze({ kind: 'integer' });

/** A column's type in this form: integer when auto-increment; a raw type read as its declared text. */
export function sqliteColumnType(type: ColumnType, autoIncrement: boolean): ColumnType {
  return autoIncrement ? INTEGER : type.kind === 'raw' ? parseSqliteType(type.sql) : type;
}

/** A column's nullability in this form: an integer single-column primary key (the rowid) is never NULL. */
export function sqliteNullable(name: string, type: ColumnType, nullable: boolean, pk: readonly string[]): boolean {
  return pk.length === 1 && pk[0] === name && type.kind === 'integer' ? false : nullable;
}

/** A partial index's predicate in this form: single spaces. */
export function sqliteIndexWhere(where: string | null): string | null {
  return where === null ? null : where.replace(/\s+/g, ' ').trim();
}

/** A column's collation in this form: lower case (SQLite's names are case-insensitive); `binary`, the default, is none. */
export function sqliteCollation(collation: string | null | undefined): string | null {
  const c = collation?.toLowerCase();
  return !c || c === 'binary' ? null : c;
}

function normaliseColumn(c: ColumnIR, pk: readonly string[], table: string): ColumnIR {
  if (c.identity === 'always') throw identityAlwaysRefused('SQLite', table, c.name);
  // A raw type reads back as introspection reads the declared type (rawType('int') is integer).
  const type = sqliteColumnType(c.type, c.autoIncrement);
  const { collation: given, ...rest } = c;
  const collation = sqliteCollation(given);
  return {
    ...rest, type, nullable: sqliteNullable(c.name, type, c.nullable, pk), default: normaliseDefault(type, c.default),
    ...(collation ? { collation } : {}),
  };
}

function normaliseTable(t: TableIR): TableIR {
  const pk = t.primaryKey?.columns ?? [];
  return {
    ...t,
    columns: t.columns.map((c) => normaliseColumn(c, pk, t.name)),
    indexes: t.indexes.map((i) => ({ ...i, where: sqliteIndexWhere(i.where) })),
  };
}

export function normaliseSqlite(schema: SchemaIR): SchemaIR {
  return { ...schema, dialect: 'sqlite', tables: schema.tables.map(normaliseTable) };
}
