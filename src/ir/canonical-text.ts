/**
 * The canonical form's JSON text (what `fv1` hashes): the same text as
 * `JSON.stringify(canonicalSchema(schema))`, character for character (test/unit pins it), from
 * lean canonical objects: the IR's own arrays shared instead of copied (the text is all that is
 * kept), and each type's and default's canonical text made once per (frozen) type or default
 * object — a fingerprint reads every column of every table, and columns share a few of them.
 */
import type { ColumnIR, ColumnType, DefaultValue, SchemaIR, TableIR } from './schema.js';
import { canonicalColumn, canonicalObject, canonicalOptions, defaultToString, isEvolveTable, type CanonicalColumn } from './canonical.js';
import { typeToString } from './types.js';

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const byName = (a: { readonly name: string }, b: { readonly name: string }): number => byString(a.name, b.name);
const byJson = (a: unknown, b: unknown): number => byString(JSON.stringify(a), JSON.stringify(b));

/** Canonical text of frozen types and defaults (the IR is immutable; a caller's mutable objects are not remembered). */
const typeText = new WeakMap<ColumnType, string>();
const defaultText = new WeakMap<object, string | null>();

function typeString(t: ColumnType): string {
  let s = typeText.get(t);
  if (s === undefined) { s = typeToString(t); if (Object.isFrozen(t)) typeText.set(t, s); }
  return s;
}

function defaultString(d: DefaultValue | null): string | null {
  if (d === null) return null;
  let s = defaultText.get(d);
  if (s === undefined) { s = defaultToString(d); if (Object.isFrozen(d)) defaultText.set(d, s); }
  return s;
}

function column(c: ColumnIR): CanonicalColumn {
  // The fields canonicalColumn adds only when set: a column with any of them goes through it.
  if (c.generated || c.collation || c.onUpdate || c.identity === 'always') return canonicalColumn(c);
  return { name: c.name, type: typeString(c.type), nullable: c.nullable, default: defaultString(c.default), autoIncrement: c.autoIncrement };
}

function table(t: TableIR): unknown {
  const out: Record<string, unknown> = {
    name: t.name,
    columns: t.columns.map(column).sort(byName),
    primaryKey: t.primaryKey ? t.primaryKey.columns : null,
    uniques: t.uniques.length === 0 ? [] : t.uniques.length === 1 ? [t.uniques[0]!.columns] : dedupe(t.uniques.map((u) => u.columns)).sort(byJson),
    indexes: t.indexes.map((i) => ({ name: i.name, columns: i.columns, unique: i.unique, where: i.where })).sort(byName),
    foreignKeys: t.foreignKeys.length === 0 ? [] : t.foreignKeys
      .map((f) => ({ columns: f.columns, refTable: f.refTable, refColumns: f.refColumns, onDelete: f.onDelete, onUpdate: f.onUpdate })).sort(byJson),
  };
  if (t.checks?.length) out.checks = [...new Set(t.checks.map((c) => c.expression))].sort(byString);
  const options = canonicalOptions(t.options);
  if (options) out.options = options;
  return out;
}

function dedupe(lists: readonly (readonly string[])[]): (readonly string[])[] {
  const seen = new Set<string>();
  return lists.filter((l) => { const k = JSON.stringify(l); if (seen.has(k)) return false; seen.add(k); return true; });
}

/** `JSON.stringify(canonicalSchema(schema))`. */
export function canonicalText(schema: SchemaIR): string {
  let text = '';
  canonicalPieces(schema, (piece) => { text += piece; });
  return text;
}

/**
 * {@link canonicalText} in pieces, in order (their concatenation is the text): the head, each
 * table's canonical JSON, the tail. A fingerprint hashes them as they come, so neither the whole
 * text (8 MB at 5,000 tables) nor every table's canonical form is ever held at once.
 */
export function canonicalPieces(schema: SchemaIR, take: (piece: string) => void): void {
  const objects = (schema.objects ?? []).filter((o) => !(o.table && isEvolveTable(o.table))).map(canonicalObject)
    .sort((a, b) => byString(a.kind, b.kind) || byString(a.name, b.name));
  // The tables in name order (what sorting their canonical forms by name gives: a form's name is its table's).
  const tables = schema.tables.filter((t) => !isEvolveTable(t.name)).sort(byName);
  // (As JSON.stringify writes an object: a key whose value is undefined is left out.)
  take(schema.dialect === undefined ? '{"tables":[' : `{"dialect":${JSON.stringify(schema.dialect)},"tables":[`);
  for (let i = 0; i < tables.length; i++) take(i === 0 ? JSON.stringify(table(tables[i]!)) : `,${JSON.stringify(table(tables[i]!))}`);
  take(objects.length ? `],"objects":${JSON.stringify(objects)}}` : ']}');
}
