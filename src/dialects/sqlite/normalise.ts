/**
 * SQLite normalisation: the form in which models and introspected schemas compare.
 * - An auto-increment column is `integer` (SQLite's AUTOINCREMENT needs INTEGER PRIMARY KEY).
 * - An `integer` single-column primary key can never be NULL (it is the rowid).
 * - Defaults take the form their column's type implies.
 * - A raw type is read as introspection reads the declared type (`rawType('int')` is integer).
 */
import type { SchemaIR, TableIR } from '../../ir/schema.js';
import { normaliseDefault } from '../shared/defaults.js';
import { parseSqliteType } from './introspect.js';

function normaliseTable(t: TableIR): TableIR {
  const pk = t.primaryKey?.columns ?? [];
  return {
    ...t,
    columns: t.columns.map((c) => {
      // A raw type reads back as introspection reads the declared type (rawType('int') is integer).
      const type = c.autoIncrement ? { kind: 'integer' as const } : c.type.kind === 'raw' ? parseSqliteType(c.type.sql) : c.type;
      const rowid = pk.length === 1 && pk[0] === c.name && type.kind === 'integer';
      return { ...c, type, nullable: rowid || pk.includes(c.name) ? (rowid ? false : c.nullable) : c.nullable, default: normaliseDefault(type, c.default) };
    }),
    indexes: t.indexes.map((i) => ({ ...i, where: i.where === null ? null : i.where.replace(/\s+/g, ' ').trim() })),
  };
}

export function normaliseSqlite(schema: SchemaIR): SchemaIR {
  return { ...schema, dialect: 'sqlite', tables: schema.tables.map(normaliseTable) };
}
