/**
 * The canonical form's JSON text (what `fv1` hashes): the same text as
 * `JSON.stringify(canonicalSchema(schema))`, character for character (test/unit pins it), from
 * the IR's own parts, written out: a column as one template string, the IR's own arrays given to
 * JSON.stringify as they are (the text is all that is kept).
 */
import type { ColumnIR, DefaultValue, SchemaIR, TableIR } from './schema.js';
import { canonicalColumn, canonicalObject, canonicalOptions, defaultToString, isEvolveTable } from './canonical.js';
import { typeToString } from './types.js';

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const byName = (a: { readonly name: string }, b: { readonly name: string }): number => byString(a.name, b.name);
const byJson = (a: unknown, b: unknown): number => byString(JSON.stringify(a), JSON.stringify(b));

const q = JSON.stringify;

// (No memo per type or default object: a WeakMap entry costs its key an identity hash, ~240 bytes
// a column for the models' own types and defaults, more than the text it would save.)
function quotedDefault(d: DefaultValue | null): string {
  return d === null ? 'null' : q(defaultToString(d));
}

/**
 * A column's canonical JSON, written out (what JSON.stringify(canonicalColumn(c)) gives): the
 * fields canonicalColumn adds only when set, or a field not of its type, go through it.
 */
function columnText(c: ColumnIR): string {
  if (c.generated || c.collation || c.onUpdate || c.identity === 'always' || typeof c.name !== 'string'
    || typeof c.nullable !== 'boolean' || typeof c.autoIncrement !== 'boolean') return q(canonicalColumn(c));
  return `{"name":${q(c.name)},"type":${q(typeToString(c.type))},"nullable":${c.nullable},`
    + `"default":${quotedDefault(c.default)},"autoIncrement":${c.autoIncrement}}`;
}

/** An index's canonical JSON, written out (what JSON.stringify of its four fields gives). */
function indexText(i: TableIR['indexes'][number]): string {
  if (typeof i.name !== 'string' || !Array.isArray(i.columns) || typeof i.unique !== 'boolean' || (i.where !== null && typeof i.where !== 'string')) {
    return q({ name: i.name, columns: i.columns, unique: i.unique, where: i.where });
  }
  return `{"name":${q(i.name)},"columns":${q(i.columns)},"unique":${i.unique},"where":${i.where === null ? 'null' : q(i.where)}}`;
}

/** A foreign key's canonical JSON, written out (what JSON.stringify of its five compared fields gives). */
function foreignKeyText(f: TableIR['foreignKeys'][number]): string {
  if (!Array.isArray(f.columns) || typeof f.refTable !== 'string' || !Array.isArray(f.refColumns)
    || typeof f.onDelete !== 'string' || typeof f.onUpdate !== 'string') {
    return q({ columns: f.columns, refTable: f.refTable, refColumns: f.refColumns, onDelete: f.onDelete, onUpdate: f.onUpdate });
  }
  return `{"columns":${q(f.columns)},"refTable":${q(f.refTable)},"refColumns":${q(f.refColumns)},"onDelete":${q(f.onDelete)},"onUpdate":${q(f.onUpdate)}}`;
}

/** Texts sorted as their objects sort by name (`names[k]` is `texts[k]`'s). */
function byNames(names: string[], texts: string[]): string {
  // The names sorted by the default order (UTF-16 code units, as byString compares), which
  // calls no comparator: a command runs this in V8's interpreter, where each call costs more
  // than the comparison. Names are unique within a table; a repeated one takes the general path.
  const sorted = names.slice().sort();
  let out = '';
  for (let k = 0; k < sorted.length; k++) {
    if (k > 0 && sorted[k] === sorted[k - 1]) return byNamesStable(names, texts);
    const text = texts[names.indexOf(sorted[k]!)]!;
    out += k === 0 ? text : `,${text}`;
  }
  return out;
}

function byNamesStable(names: string[], texts: string[]): string {
  const order = names.map((_, k) => k);
  order.sort((a, b) => byString(names[a]!, names[b]!));
  let out = '';
  for (let k = 0; k < order.length; k++) out += k === 0 ? texts[order[k]!]! : `,${texts[order[k]!]!}`;
  return out;
}

function sortedNames<T extends { readonly name: string }>(xs: readonly T[], text: (x: T) => string): string {
  const names: string[] = [];
  const texts: string[] = [];
  let sorted = true;
  for (let k = 0; k < xs.length; k++) {
    names.push(xs[k]!.name);
    texts.push(text(xs[k]!));
    if (k > 0 && names[k - 1]! > names[k]!) sorted = false;
  }
  return sorted ? texts.join(',') : byNames(names, texts);
}

/**
 * Texts known for frozen tables (see {@link rememberCanonicalText}): the text, or where to read
 * it (a function giving it, or undefined when it cannot: then it is written as usual).
 */
const known = new WeakMap<TableIR, string | (() => string | undefined)>();

/**
 * Take `text` as table `t`'s canonical text from now on, without writing it again: for the kept
 * models schema (model/compiled-cache.ts), whose entry holds each table's text as
 * canonicalTableText wrote it when the entry was made (the entry's key holds Evolve's own
 * stamp, so no other algorithm's text is ever read). `text` may be a function that reads it
 * when first asked for (undefined when it cannot), so that no text is held before a fingerprint
 * needs it. `t` must be frozen.
 */
export function rememberCanonicalText(t: TableIR, text: string | (() => string | undefined)): void {
  if (Object.isFrozen(t)) known.set(t, text);
}

function knownText(t: TableIR): string | undefined {
  const k = known.get(t);
  return typeof k === 'function' ? k() : k;
}

/** One table's canonical JSON (its name included): JSON.stringify(canonicalTable(t)), character for character. */
export function canonicalTableText(t: TableIR): string {
  return knownText(t) ?? tableText(t);
}

/**
 * {@link canonicalTableText}, kept for a frozen table once written: for the models' side of a
 * plan, which one process may compare with many databases (a fleet, a library user planning
 * again) while the same tables stay alive. (A live schema's tables are read afresh each time:
 * nothing is kept for them.)
 */
export function keptTableText(t: TableIR): string {
  let text = knownText(t);
  if (text === undefined) {
    text = tableText(t);
    if (Object.isFrozen(t)) known.set(t, text);
  }
  return text;
}

function tableText(t: TableIR): string {
  const pk = t.primaryKey ? q(t.primaryKey.columns) : 'null';
  const uniques = t.uniques.length === 0 ? '[]' : t.uniques.length === 1 ? `[${q(t.uniques[0]!.columns)}]`
    : q(dedupe(t.uniques.map((u) => u.columns)).sort(byJson));
  const fks = t.foreignKeys.length === 0 ? '' : t.foreignKeys.length === 1 ? foreignKeyText(t.foreignKeys[0]!)
    : t.foreignKeys.map(foreignKeyText).sort().join(','); // (strings: the default order is byString's)
  let text = `{"name":${q(t.name)},"columns":[${sortedNames(t.columns, columnText)}],"primaryKey":${pk},"uniques":${uniques},`
    + `"indexes":[${sortedNames(t.indexes, indexText)}],"foreignKeys":[${fks}]`;
  if (t.checks?.length) text += `,"checks":${q([...new Set(t.checks.map((c) => c.expression))].sort(byString))}`;
  const options = canonicalOptions(t.options);
  if (options) text += `,"options":${q(options)}`;
  return `${text}}`;
}

/** Arrays of the same length whose elements are strictly equal (so JSON.stringify writes them alike). */
function sameList(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Two column types whose `typeToString` texts are the same for sure (false: maybe not). */
function sameTypeText(a: ColumnIR['type'], b: ColumnIR['type']): boolean {
  if (a === b) return true;
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'integer': case 'bigint': case 'real': case 'text': case 'boolean': case 'date': case 'json': case 'bytes': case 'uuid':
      return true;
    case 'varchar': return a.length === (b as typeof a).length;
    case 'decimal': return a.precision === (b as typeof a).precision && a.scale === (b as typeof a).scale;
    case 'timestamp': return !a.withTimeZone === !(b as typeof a).withTimeZone;
    case 'raw': return a.sql === (b as typeof a).sql;
    default: return false;
  }
}

/** Two defaults whose `defaultToString` texts are the same for sure. */
function sameDefaultText(a: DefaultValue | null, b: DefaultValue | null): boolean {
  if (a === b) return true;
  if (a === null || b === null || a.kind !== b.kind) return false;
  return a.kind === 'value' ? a.value === (b as typeof a).value : a.sql === (b as typeof a).sql;
}

/**
 * True only when the two tables' canonical texts are the same ({@link canonicalTableText} of
 * each): every field the text holds strictly equal, in the same order. False means "maybe
 * not": the texts are then made and compared. (A plan's two sides are mostly the same tables:
 * this finds them without writing the text twice; test/unit/fingerprint-pair.test.ts pins it.)
 */
export function sameCanonicalTable(a: TableIR, b: TableIR): boolean {
  if (a === b) return true;
  if (a.name !== b.name || a.columns.length !== b.columns.length || a.indexes.length !== b.indexes.length
    || a.uniques.length !== b.uniques.length || a.foreignKeys.length !== b.foreignKeys.length) return false;
  for (let i = 0; i < a.columns.length; i++) {
    const x = a.columns[i]!;
    const y = b.columns[i]!;
    // The attributes set only now and then: their text is compared in full.
    if (x.generated || y.generated || x.collation || y.collation || x.onUpdate || y.onUpdate) return false;
    if (x.identity === 'always' || y.identity === 'always') return false;
    if (x.name !== y.name || x.nullable !== y.nullable || x.autoIncrement !== y.autoIncrement
      || !sameTypeText(x.type, y.type) || !sameDefaultText(x.default, y.default)) return false;
  }
  if ((a.primaryKey === null || a.primaryKey === undefined) !== (b.primaryKey === null || b.primaryKey === undefined)) return false;
  if (a.primaryKey && b.primaryKey && !sameList(a.primaryKey.columns, b.primaryKey.columns)) return false;
  for (let i = 0; i < a.uniques.length; i++) if (!sameList(a.uniques[i]!.columns, b.uniques[i]!.columns)) return false;
  for (let i = 0; i < a.indexes.length; i++) {
    const x = a.indexes[i]!;
    const y = b.indexes[i]!;
    if (x.name !== y.name || x.unique !== y.unique || x.where !== y.where || !sameList(x.columns, y.columns)) return false;
  }
  for (let i = 0; i < a.foreignKeys.length; i++) {
    const x = a.foreignKeys[i]!;
    const y = b.foreignKeys[i]!;
    if (x.refTable !== y.refTable || x.onDelete !== y.onDelete || x.onUpdate !== y.onUpdate
      || !sameList(x.columns, y.columns) || !sameList(x.refColumns, y.refColumns)) return false;
  }
  const ca = a.checks ?? [];
  const cb = b.checks ?? [];
  if (ca.length !== cb.length) return false;
  for (let i = 0; i < ca.length; i++) if (ca[i]!.expression !== cb[i]!.expression) return false;
  if (a.options !== undefined || b.options !== undefined) return q(canonicalOptions(a.options)) === q(canonicalOptions(b.options));
  return true;
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
 * The parts of the canonical text around its tables: the head, the tables in their canonical
 * order (name order; Evolve's own left out), and the tail. The text is the head, each table's
 * {@link canonicalTableText} joined by commas, and the tail.
 */
export function canonicalFrame(schema: SchemaIR): { head: string; tables: readonly TableIR[]; tail: string } {
  const objects = (schema.objects ?? []).filter((o) => !(o.table && isEvolveTable(o.table))).map(canonicalObject)
    .sort((a, b) => byString(a.kind, b.kind) || byString(a.name, b.name));
  // The tables in name order (what sorting their canonical forms by name gives: a form's name is its table's).
  const tables = inNameOrder(schema.tables.filter((t) => !isEvolveTable(t.name)));
  // (As JSON.stringify writes an object: a key whose value is undefined is left out.)
  return {
    head: schema.dialect === undefined ? '{"tables":[' : `{"dialect":${JSON.stringify(schema.dialect)},"tables":[`,
    tables,
    tail: objects.length ? `],"objects":${JSON.stringify(objects)}}` : ']}',
  };
}

/**
 * Tables sorted by name (what `.sort(byName)` gives): as they are when they come so (an
 * introspector's mostly do), else by their names in the default order, which calls no
 * comparator (see byNames); a repeated name takes the general path.
 */
function inNameOrder(tables: TableIR[]): TableIR[] {
  let sorted = true;
  for (let k = 1; k < tables.length && sorted; k++) if (tables[k - 1]!.name > tables[k]!.name) sorted = false;
  if (sorted) return tables;
  const byTableName = new Map<string, TableIR>();
  for (let k = 0; k < tables.length; k++) byTableName.set(tables[k]!.name, tables[k]!);
  if (byTableName.size !== tables.length) return tables.sort(byName);
  const names = [...byTableName.keys()].sort();
  return names.map((n) => byTableName.get(n)!);
}

/**
 * {@link canonicalText} in pieces, in order (their concatenation is the text): the head, each
 * table's canonical JSON, the tail. A fingerprint hashes them as they come, so neither the whole
 * text (8 MB at 5,000 tables) nor every table's canonical form is ever held at once.
 */
export function canonicalPieces(schema: SchemaIR, take: (piece: string) => void): void {
  const { head, tables, tail } = canonicalFrame(schema);
  take(head);
  for (let i = 0; i < tables.length; i++) take(i === 0 ? canonicalTableText(tables[i]!) : `,${canonicalTableText(tables[i]!)}`);
  take(tail);
}
