/**
 * PostgreSQL normalisation: the one form in which compiled models and introspected schemas
 * compare, so that what the database reports for a model is exactly what the model says.
 *
 * - Types: `format_type()` spellings map to the DSL's types (`integer`/int4, `double precision`
 *   = DSL real, `numeric(p,s)` = decimal, `jsonb` = DSL json, `bytea` = bytes, ...); anything
 *   else stays raw, in `format_type()` spelling, and round-trips.
 * - Defaults: `'abc'::text` is the value 'abc', `now()` is CURRENT_TIMESTAMP, `'-1'::integer` is -1;
 *   timestamps and jsonb literals take the text PostgreSQL prints for them.
 * - Expressions (defaults, partial-index predicates) are parsed and printed back in one
 *   canonical spelling, undoing what PostgreSQL's deparser adds (parentheses, `::text` casts,
 *   `= ANY (ARRAY[...])`, `~~`, BETWEEN expanded). Text that does not parse keeps its own
 *   spelling, whitespace collapsed.
 * - A column's collation is kept only where it is not its type's own (`"default"`).
 * - Auto-increment columns are NOT NULL with no default; primary key columns are NOT NULL;
 *   identifiers are cut to 63 bytes as PostgreSQL cuts them.
 */
import type { ColumnIR, ColumnType, DefaultValue, ObjectIR, SchemaIR, TableIR } from '../../ir/schema.js';
import { deepFreeze } from '../../ir/schema.js';
import { isEvolveTable } from '../../ir/canonical.js';
import { normaliseDefault, parseNumber, stripOuterParens } from '../shared/defaults.js';
import { parsePgType, splitName, truncateIdentifier as cut } from './sql-builder.js';
import { schemaObject } from './objects.js';

/** A table name cut as PostgreSQL cuts it: each part of `schema.table` on its own. */
function cutName(n: string): string {
  const [schema, bare] = splitName(n);
  return schema === null ? cut(n) : `${cut(schema)}.${cut(bare)}`;
}
import { canonicalLiteral } from './literals.js';
import { canonicalExpression, fallback, NO_CONTEXT, parseExpression, print, type Node } from './expression.js';
export { canonicalExpression };

// ---------------------------------------------------------------------------------------------
// Defaults

/**
 * A default as PostgreSQL reports it (`pg_get_expr(adbin, adrelid)`), or as a model writes it
 * in sql`...`: a literal (possibly cast) is a value, NULL is no default, anything else is a
 * canonical expression.
 */
export function parsePgDefault(text: string | null | undefined): DefaultValue | null {
  if (text === null || text === undefined) return null;
  // Large schemas repeat the same few defaults thousands of times: parse each text once.
  const known = defaultCache.get(text);
  if (known !== undefined) return known;
  const d = parseDefaultUncached(text);
  if (defaultCache.size >= 10_000) defaultCache.clear();
  defaultCache.set(text, d);
  return d;
}

const defaultCache = new Map<string, DefaultValue | null>();

function parseDefaultUncached(text: string): DefaultValue | null {
  const s = stripOuterParens(text);
  if (s === '') return null;
  // `('now'::text)::date` is a text converted when a row is inserted (that day's date), not the
  // literal `'now'::date`, which PostgreSQL converts once, when the default is set: kept as it is.
  if (/^\('(?:[^']|'')*'::(?:text|character varying)\)::[a-z][a-z0-9_ ]*$/.test(s)) return { kind: 'expression', sql: s };
  let node: Node;
  try { node = parseExpression(s, NO_CONTEXT); } catch { return { kind: 'expression', sql: fallback(s) }; }
  let lit = node;
  while (lit.t === 'cast') lit = lit.e;
  if (lit.t === 'kw' && lit.v === 'NULL') return null;
  if (lit.t === 'kw' && (lit.v === 'TRUE' || lit.v === 'FALSE')) return { kind: 'value', value: lit.v === 'TRUE' };
  if (lit.t === 'str') return { kind: 'value', value: lit.v };
  if (lit.t === 'num') {
    const n = parseNumber(lit.v);
    return { kind: 'value', value: n ?? lit.v };
  }
  return { kind: 'expression', sql: print(node) };
}

/** A column's default in the form PostgreSQL reports it for the column's type. */
export function normaliseColumnDefault(type: ColumnType, d: DefaultValue | null): DefaultValue | null {
  if (d === null) return null;
  const parsed = d.kind === 'expression' ? parsePgDefault(d.sql) : d;
  // Expressions are canonical already (the shared helper would collapse spaces inside literals).
  if (parsed === null || parsed.kind === 'expression') return parsed;
  const n = normaliseDefault(type, parsed);
  if (n === null || n.kind === 'expression' || typeof n.value !== 'string') return n;
  const v = n.value;
  if (type.kind === 'real' && /^[+-]?\d+(\.\d*)?([eE][+-]?\d+)?$/.test(v.trim())) return { kind: 'value', value: Number(v) };
  if (type.kind === 'boolean') {
    const b = v.trim().toLowerCase();
    if (['yes', 'on', 'y'].includes(b)) return { kind: 'value', value: true };
    if (['no', 'off', 'n'].includes(b)) return { kind: 'value', value: false };
  }
  return { kind: 'value', value: canonicalLiteral(v, type) };
}

// ---------------------------------------------------------------------------------------------
// Schemas

/** A column type in the form introspection reports it (raw types re-read as PostgreSQL spells them). */
export function normaliseType(t: ColumnType): ColumnType {
  return t.kind === 'raw' ? parsePgType(t.sql) : t;
}

function normaliseColumn(c: ColumnIR, inPk: boolean): ColumnIR {
  const type = normaliseType(c.type);
  // "default" is the type's own collation: what a column without one has.
  if ('collation' in c && (!c.collation || c.collation === 'default')) {
    const { collation: _none, ...rest } = c;
    c = rest;
  }
  return {
    ...c,
    name: cut(c.name),
    type,
    // Identity and serial columns are NOT NULL, and their values come from a sequence, not a default.
    nullable: c.autoIncrement || inPk ? false : c.nullable,
    default: c.autoIncrement ? null : normaliseColumnDefault(type, c.default),
  };
}

function normaliseTable(t: TableIR): TableIR {
  const names = (cols: readonly string[]): string[] => cols.map(cut);
  const pk = new Set(t.primaryKey?.columns ?? []);
  const typed = t.columns.map((c) => normaliseColumn(c, pk.has(c.name)));
  const types = new Map(typed.map((c) => [c.name, c.type]));
  // A generated column's value comes from its expression: it has no default.
  const columns = typed.map((c) => (c.generated
    ? { ...c, default: null, generated: { ...c.generated, expression: canonicalExpression(c.generated.expression, types) } }
    : c));
  const name = (n: string | null): string | null => (n === null ? null : cut(n));
  return {
    ...t,
    name: cutName(t.name),
    columns,
    primaryKey: t.primaryKey ? { name: name(t.primaryKey.name), columns: names(t.primaryKey.columns) } : null,
    uniques: t.uniques.map((u) => ({ name: name(u.name), columns: names(u.columns) })),
    indexes: t.indexes.map((i) => ({
      ...i, name: cut(i.name), columns: names(i.columns), where: i.where === null ? null : canonicalExpression(i.where, types),
    })),
    foreignKeys: t.foreignKeys.map((f) => ({
      ...f, name: name(f.name), columns: names(f.columns), refTable: cutName(f.refTable), refColumns: names(f.refColumns),
    })),
    ...(t.checks ? { checks: t.checks.map((c) => ({ name: name(c.name), expression: canonicalExpression(c.expression, types) })) } : {}),
  };
}

/**
 * Normalise a schema (compiled models or introspected) for PostgreSQL. Idempotent. Objects
 * and unmanaged entries are kept as they are: introspection gives them their one form.
 */
export function normalisePostgres(schema: SchemaIR): SchemaIR {
  return deepFreeze({ ...schema, dialect: 'postgres' as const, tables: schema.tables.map(normaliseTable) });
}

/**
 * Normalise compiled models for PostgreSQL: {@link normalisePostgres}, plus the extra schemas
 * their tables live in (`table('billing.invoice', …)` needs schema `billing`), as `schema`
 * objects — what the database reports once the models are applied. Idempotent.
 */
export function normalisePostgresModels(schema: SchemaIR): SchemaIR {
  const out = normalisePostgres(schema);
  const have = new Set((out.objects ?? []).filter((o) => o.kind === 'schema').map((o) => o.name));
  const needed = [...new Set(out.tables.filter((t) => !isEvolveTable(t.name)).map((t) => splitName(t.name)[0])
    .filter((s): s is string => s !== null && !have.has(s)))].sort();
  if (needed.length === 0) return out;
  const objects: ObjectIR[] = [...(out.objects ?? []), ...needed.map(schemaObject)];
  return deepFreeze({ ...out, objects });
}
