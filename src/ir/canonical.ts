/**
 * The canonical form of a (dialect-normalised) schema: what the fingerprint hashes and what
 * the differ compares. Specified in `docs/fingerprint.md`; any change to its output is a new
 * fingerprint algorithm version.
 */
import type { ColumnIR, DefaultValue, ForeignKeyIR, IndexIR, ObjectIR, SchemaIR, TableIR } from './schema.js';
import { typeToString } from './types.js';

/** Tables whose names start with this prefix belong to Evolve and are never fingerprinted. */
export const EVOLVE_TABLE_PREFIX = '_evolve';

/** True for Evolve's own bookkeeping tables. */
export function isEvolveTable(name: string): boolean {
  return name.startsWith(EVOLVE_TABLE_PREFIX);
}

/** Canonical text of a default. */
export function defaultToString(d: DefaultValue | null): string | null {
  if (d === null) return null;
  return d.kind === 'value' ? `value:${JSON.stringify(d.value)}` : `expr:${d.sql}`;
}

export interface CanonicalColumn {
  name: string; type: string; nullable: boolean; default: string | null; autoIncrement: boolean;
  /** Present only for generated columns: `stored:EXPR` or `virtual:EXPR`. */
  generated?: string;
  /** Present only where the column has a non-default collation. */
  collation?: string;
  /** Present only where the column has an `ON UPDATE` expression (MySQL). */
  onUpdate?: string;
  /** Present only for a PostgreSQL `GENERATED ALWAYS AS IDENTITY` column: `always`. */
  identity?: 'always';
}
export interface CanonicalIndex { name: string; columns: string[]; unique: boolean; where: string | null }
export interface CanonicalForeignKey { columns: string[]; refTable: string; refColumns: string[]; onDelete: string; onUpdate: string }
export interface CanonicalTable {
  name: string;
  columns: CanonicalColumn[];
  primaryKey: string[] | null;
  uniques: string[][];
  indexes: CanonicalIndex[];
  foreignKeys: CanonicalForeignKey[];
  /** Present only when the table has CHECK constraints: their expressions, sorted. */
  checks?: string[];
  /** Present only when the table has non-default options. */
  options?: Record<string, string>;
}
export interface CanonicalObject { kind: string; name: string; table: string | null; definition: string }
export interface CanonicalSchema {
  dialect: string;
  tables: CanonicalTable[];
  /** Present only when the schema has objects beyond tables. */
  objects?: CanonicalObject[];
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function canonicalColumn(c: ColumnIR): CanonicalColumn {
  const out: CanonicalColumn = {
    name: c.name, type: typeToString(c.type), nullable: c.nullable, default: defaultToString(c.default), autoIncrement: c.autoIncrement,
  };
  if (c.generated) out.generated = `${c.generated.stored ? 'stored' : 'virtual'}:${c.generated.expression}`;
  if (c.collation) out.collation = c.collation;
  if (c.onUpdate) out.onUpdate = c.onUpdate;
  if (c.identity === 'always') out.identity = 'always';
  return out;
}

export function canonicalObject(o: ObjectIR): CanonicalObject {
  return { kind: o.kind, name: o.name, table: o.table, definition: o.definition };
}

/** Options with sorted keys, or undefined when there are none. */
export function canonicalOptions(o: Readonly<Record<string, string>> | undefined): Record<string, string> | undefined {
  if (o === undefined || o === null) return undefined;
  const keys = Object.keys(o).sort();
  return keys.length ? Object.fromEntries(keys.map((k) => [k, o![k]!])) : undefined;
}

export function canonicalIndex(i: IndexIR): CanonicalIndex {
  return { name: i.name, columns: [...i.columns], unique: i.unique, where: i.where };
}

export function canonicalForeignKey(f: ForeignKeyIR): CanonicalForeignKey {
  return { columns: [...f.columns], refTable: f.refTable, refColumns: [...f.refColumns], onDelete: f.onDelete, onUpdate: f.onUpdate };
}

const byName = (a: { name: string }, b: { name: string }): number => byString(a.name, b.name);
const byJson = (a: unknown, b: unknown): number => byString(JSON.stringify(a), JSON.stringify(b));

export function canonicalTable(t: TableIR): CanonicalTable {
  // Runs for every table on every fingerprint: nothing sorted or de-duplicated that cannot change.
  const out: CanonicalTable = {
    name: t.name,
    columns: t.columns.map(canonicalColumn).sort(byName),
    primaryKey: t.primaryKey ? [...t.primaryKey.columns] : null,
    uniques: t.uniques.length === 0 ? [] : t.uniques.length === 1 ? [[...t.uniques[0]!.columns]] : dedupe(t.uniques.map((u) => [...u.columns])).sort(byJson),
    indexes: t.indexes.map(canonicalIndex).sort(byName),
    foreignKeys: t.foreignKeys.map(canonicalForeignKey).sort(byJson),
  };
  if (t.checks?.length) out.checks = [...new Set(t.checks.map((c) => c.expression))].sort(byString);
  const options = canonicalOptions(t.options);
  if (options) out.options = options;
  return out;
}

function dedupe(lists: string[][]): string[][] {
  const seen = new Set<string>();
  return lists.filter((l) => { const k = JSON.stringify(l); if (seen.has(k)) return false; seen.add(k); return true; });
}

/** The canonical form: sorted, names of generated constraints dropped, Evolve's tables left out. */
export function canonicalSchema(schema: SchemaIR): CanonicalSchema {
  const objects = (schema.objects ?? []).filter((o) => !(o.table && isEvolveTable(o.table))).map(canonicalObject)
    .sort((a, b) => byString(a.kind, b.kind) || byString(a.name, b.name));
  return {
    dialect: schema.dialect,
    tables: schema.tables.filter((t) => !isEvolveTable(t.name)).map(canonicalTable).sort((a, b) => byString(a.name, b.name)),
    ...(objects.length ? { objects } : {}),
  };
}
