/**
 * The canonical form of a (dialect-normalised) schema: what the fingerprint hashes and what
 * the differ compares. Specified in `docs/fingerprint.md`; any change to its output is a new
 * fingerprint algorithm version.
 */
import type { ColumnIR, DefaultValue, ForeignKeyIR, IndexIR, SchemaIR, TableIR } from './schema.js';
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

export interface CanonicalColumn { name: string; type: string; nullable: boolean; default: string | null; autoIncrement: boolean }
export interface CanonicalIndex { name: string; columns: string[]; unique: boolean; where: string | null }
export interface CanonicalForeignKey { columns: string[]; refTable: string; refColumns: string[]; onDelete: string; onUpdate: string }
export interface CanonicalTable {
  name: string;
  columns: CanonicalColumn[];
  primaryKey: string[] | null;
  uniques: string[][];
  indexes: CanonicalIndex[];
  foreignKeys: CanonicalForeignKey[];
}
export interface CanonicalSchema { dialect: string; tables: CanonicalTable[] }

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function canonicalColumn(c: ColumnIR): CanonicalColumn {
  return { name: c.name, type: typeToString(c.type), nullable: c.nullable, default: defaultToString(c.default), autoIncrement: c.autoIncrement };
}

export function canonicalIndex(i: IndexIR): CanonicalIndex {
  return { name: i.name, columns: [...i.columns], unique: i.unique, where: i.where };
}

export function canonicalForeignKey(f: ForeignKeyIR): CanonicalForeignKey {
  return { columns: [...f.columns], refTable: f.refTable, refColumns: [...f.refColumns], onDelete: f.onDelete, onUpdate: f.onUpdate };
}

export function canonicalTable(t: TableIR): CanonicalTable {
  return {
    name: t.name,
    columns: t.columns.map(canonicalColumn).sort((a, b) => byString(a.name, b.name)),
    primaryKey: t.primaryKey ? [...t.primaryKey.columns] : null,
    uniques: dedupe(t.uniques.map((u) => [...u.columns])).sort((a, b) => byString(JSON.stringify(a), JSON.stringify(b))),
    indexes: t.indexes.map(canonicalIndex).sort((a, b) => byString(a.name, b.name)),
    foreignKeys: t.foreignKeys.map(canonicalForeignKey).sort((a, b) => byString(JSON.stringify(a), JSON.stringify(b))),
  };
}

function dedupe(lists: string[][]): string[][] {
  const seen = new Set<string>();
  return lists.filter((l) => { const k = JSON.stringify(l); if (seen.has(k)) return false; seen.add(k); return true; });
}

/** The canonical form: sorted, names of generated constraints dropped, Evolve's tables left out. */
export function canonicalSchema(schema: SchemaIR): CanonicalSchema {
  return {
    dialect: schema.dialect,
    tables: schema.tables.filter((t) => !isEvolveTable(t.name)).map(canonicalTable).sort((a, b) => byString(a.name, b.name)),
  };
}
