/**
 * PostgreSQL's SQL builder: the only place PostgreSQL identifiers, literals and types are spelled.
 *
 * Tables of the primary schema are written unqualified on purpose: every connection pins
 * `search_path` to that schema (see `connection.ts`), so the same plan — and an evolution
 * recorded from it — applies to a schema of any name. Tables and objects of extra schemas
 * (`--schemas`) are named `schema.name` in the IR and written qualified (`"billing"."invoice"`).
 */
import type { CheckIR, ColumnIR, ColumnType, DefaultValue, ForeignKeyIR, IndexIR, TableIR } from '../../ir/schema.js';
import { normaliseTypeText } from '../../ir/types.js';
import type { SqlBuilder } from '../dialect.js';
import { numberLiteral, quoteString, quoteWith } from '../shared/quote.js';

/** The longest identifier PostgreSQL keeps (NAMEDATALEN - 1 bytes); longer ones are cut. */
export const MAX_IDENTIFIER_BYTES = 63;

/** An identifier as PostgreSQL stores it: cut to 63 bytes without splitting a character. */
export function truncateIdentifier(name: string): string {
  if (Buffer.byteLength(name, 'utf8') <= MAX_IDENTIFIER_BYTES) return name;
  let out = '';
  for (const ch of name) {
    if (Buffer.byteLength(out + ch, 'utf8') > MAX_IDENTIFIER_BYTES) break;
    out += ch;
  }
  return out;
}

/** The spelling `format_type()` uses for a type: what introspection reports. */
export function pgTypeSql(t: ColumnType): string {
  switch (t.kind) {
    case 'integer': return 'integer';
    case 'bigint': return 'bigint';
    case 'real': return 'double precision';
    case 'text': return 'text';
    case 'boolean': return 'boolean';
    case 'date': return 'date';
    // The DSL's json is jsonb: binary, indexable, and what applications almost always want.
    case 'json': return 'jsonb';
    case 'bytes': return 'bytea';
    case 'uuid': return 'uuid';
    case 'varchar': return `character varying(${t.length})`;
    case 'decimal': return `numeric(${t.precision},${t.scale})`;
    case 'timestamp': return t.withTimeZone ? 'timestamp with time zone' : 'timestamp without time zone';
    case 'raw': return t.sql;
  }
}

/** Aliases PostgreSQL accepts for its built-in types, mapped to `format_type()` spelling. */
const ALIASES: Record<string, string> = {
  int: 'integer', int4: 'integer', integer: 'integer',
  int8: 'bigint', bigint: 'bigint',
  int2: 'smallint', smallint: 'smallint',
  float8: 'double precision', float: 'double precision', 'double precision': 'double precision',
  float4: 'real', real: 'real',
  bool: 'boolean', boolean: 'boolean',
  varchar: 'character varying', 'character varying': 'character varying',
  char: 'character', character: 'character',
  decimal: 'numeric', numeric: 'numeric',
  timestamp: 'timestamp without time zone', 'timestamp without time zone': 'timestamp without time zone',
  timestamptz: 'timestamp with time zone', 'timestamp with time zone': 'timestamp with time zone',
  time: 'time without time zone', 'time without time zone': 'time without time zone',
  timetz: 'time with time zone', 'time with time zone': 'time with time zone',
};

/** One (non-array) type in `format_type()` spelling, with its modifiers. */
function canonicalScalar(text: string): string {
  // `timestamp(3) with time zone` carries its modifier in the middle.
  const m = /^([a-z0-9_ ."]+?)(?:\((\d+)(?:,(\d+))?\))?( with(?:out)? time zone)?$/.exec(text);
  if (!m) return text;
  const base = ALIASES[(m[1]! + (m[4] ?? '')).trim()] ?? ALIASES[m[1]!.trim()];
  if (!base) return text;
  const mods = m[2] === undefined ? '' : `(${m[2]}${m[3] === undefined ? '' : ',' + m[3]})`;
  if (base.startsWith('timestamp') || base.startsWith('time ')) {
    const tz = m[4] ? m[4].trim() : base.replace(/^time(stamp)? /, '');
    const kind = base.startsWith('timestamp') ? 'timestamp' : 'time';
    return `${kind}${mods} ${tz}`;
  }
  if (base === 'double precision' && m[2] !== undefined) return Number(m[2]) <= 24 ? 'real' : 'double precision'; // float(p)
  if (base === 'character' && mods === '') return 'character(1)';
  return base + mods;
}

/**
 * A PostgreSQL type name (as `format_type()` reports it, or as a user writes it in `rawType()`)
 * as a column type: the DSL's types where they match exactly, raw `format_type()` text otherwise.
 */
export function parsePgType(text: string): ColumnType {
  const t = normaliseTypeText(text);
  const arr = /((?:\[\d*\])+)$/.exec(t);
  if (arr) return { kind: 'raw', sql: `${canonicalScalar(t.slice(0, -arr[1]!.length).trim())}${arr[1]!.replace(/\d+/g, '')}` };
  const c = canonicalScalar(t);
  let m: RegExpExecArray | null;
  switch (c) {
    case 'integer': return { kind: 'integer' };
    case 'bigint': return { kind: 'bigint' };
    case 'double precision': return { kind: 'real' };
    case 'text': return { kind: 'text' };
    case 'boolean': return { kind: 'boolean' };
    case 'date': return { kind: 'date' };
    case 'jsonb': return { kind: 'json' };
    case 'bytea': case 'bytes': case 'blob': return { kind: 'bytes' };
    case 'uuid': return { kind: 'uuid' };
    case 'timestamp without time zone': return { kind: 'timestamp', withTimeZone: false };
    case 'timestamp with time zone': return { kind: 'timestamp', withTimeZone: true };
  }
  if ((m = /^character varying\((\d+)\)$/.exec(c))) return { kind: 'varchar', length: Number(m[1]) };
  if ((m = /^numeric\((\d+)(?:,(\d+))?\)$/.exec(c))) return { kind: 'decimal', precision: Number(m[1]), scale: Number(m[2] ?? 0) };
  return { kind: 'raw', sql: c };
}

const ident = (name: string): string => quoteWith('"', name);

/**
 * An IR name split into its schema and its own name: `billing.invoice` → `['billing',
 * 'invoice']` (at the first dot: schema names never hold one); `invoice` → `[null, 'invoice']`
 * (the primary schema, addressed through `search_path`).
 */
export function splitName(name: string): [string | null, string] {
  const dot = name.indexOf('.');
  return dot > 0 ? [name.slice(0, dot), name.slice(dot + 1)] : [null, name];
}

/** A table's (or object's) name without its schema: what PostgreSQL names it within its schema. */
export const bareName = (name: string): string => splitName(name)[1];

/** The name of a table or object, quoted: `"invoice"`, or `"billing"."invoice"` for an extra schema's. */
export function qualifiedIdent(name: string): string {
  const [schema, bare] = splitName(name);
  return schema === null ? ident(bare) : `${ident(schema)}.${ident(bare)}`;
}

/**
 * Quoting and types for PostgreSQL. `table()` leaves primary-schema tables unqualified
 * (`search_path` names that schema) and qualifies those of extra schemas (`billing.invoice`).
 */
export const postgresSql: SqlBuilder = {
  ident,
  table: qualifiedIdent,
  literal: (v) => (typeof v === 'string' ? quoteString(v) : typeof v === 'boolean' ? (v ? 'TRUE' : 'FALSE') : numberLiteral(v)),
  type: pgTypeSql,
};

/** A builder whose `table()` is qualified with `schema` (for SQL that must not rely on `search_path`). */
export function qualifiedSql(schema: string): SqlBuilder {
  return { ...postgresSql, table: (name) => (splitName(name)[0] === null ? `${ident(schema)}.${ident(name)}` : qualifiedIdent(name)) };
}

const q = ident;
const qt = qualifiedIdent;

/** The text after `DEFAULT`. Expressions are parenthesised: DEFAULT takes a restricted expression. */
export function postgresDefaultSql(d: DefaultValue): string {
  if (d.kind === 'value') return postgresSql.literal(d.value);
  return /^[A-Z_]+$/.test(d.sql) ? d.sql : `(${d.sql})`;
}

/** A collation as the IR names it (see `collationName` in introspect.ts) in SQL: quoted, unless it is quoted and qualified already. */
export function postgresCollationSql(collation: string): string {
  return /^"(?:[^"]|"")+"\."(?:[^"]|"")+"$/.test(collation) ? collation : q(collation);
}

/**
 * A column definition inside CREATE TABLE / ADD COLUMN. Auto-increment is an identity column
 * (`GENERATED ALWAYS` where the column says so, else `BY DEFAULT`);
 * a generated column is `GENERATED ALWAYS AS (…) STORED` (PostgreSQL has no virtual ones before 18).
 */
export function postgresColumnSql(c: ColumnIR): string {
  const parts = [q(c.name), pgTypeSql(c.type)];
  if (c.collation) parts.push(`COLLATE ${postgresCollationSql(c.collation)}`);
  if (c.generated) parts.push(`GENERATED ALWAYS AS (${c.generated.expression}) STORED`);
  else if (c.autoIncrement) parts.push(`GENERATED ${c.identity === 'always' ? 'ALWAYS' : 'BY DEFAULT'} AS IDENTITY`);
  if (!c.nullable) parts.push('NOT NULL');
  if (c.default && !c.autoIncrement && !c.generated) parts.push('DEFAULT ' + postgresDefaultSql(c.default));
  return parts.join(' ');
}

/** `CHECK (…)`, named when the constraint has a name. */
export function postgresCheckSql(c: CheckIR): string {
  return `${named(c.name)}CHECK (${c.expression})`;
}

const cols = (names: readonly string[]): string => names.map(q).join(', ');
const named = (name: string | null): string => (name ? `CONSTRAINT ${q(name)} ` : '');

/** `PRIMARY KEY (...)`, named when the model names it. */
export function primaryKeySql(pk: { name: string | null; columns: readonly string[] }): string {
  return `${named(pk.name)}PRIMARY KEY (${cols(pk.columns)})`;
}

/** `UNIQUE (...)`, named when the model or the database names it. */
export function uniqueSql(u: { name: string | null; columns: readonly string[] }): string {
  return `${named(u.name)}UNIQUE (${cols(u.columns)})`;
}

/** `FOREIGN KEY ... REFERENCES ...` with its actions (NO ACTION is the default and left out). */
export function postgresForeignKeySql(fk: ForeignKeyIR): string {
  return `${named(fk.name)}FOREIGN KEY (${cols(fk.columns)}) REFERENCES ${qt(fk.refTable)} (${cols(fk.refColumns)})` +
    (fk.onDelete !== 'no action' ? ` ON DELETE ${fk.onDelete.toUpperCase()}` : '') +
    (fk.onUpdate !== 'no action' ? ` ON UPDATE ${fk.onUpdate.toUpperCase()}` : '');
}

/** CREATE TABLE with columns, primary key, unique and check constraints; foreign keys are added after. */
export function postgresCreateTableSql(t: TableIR): string {
  const lines = t.columns.map((c) => '  ' + postgresColumnSql(c));
  if (t.primaryKey) lines.push('  ' + primaryKeySql(t.primaryKey));
  for (const u of t.uniques) lines.push('  ' + uniqueSql(u));
  for (const c of t.checks ?? []) lines.push('  ' + postgresCheckSql(c));
  return `CREATE TABLE ${qt(t.name)} (\n${lines.join(',\n')}\n)`;
}

/** CREATE INDEX (partial when the index has a predicate). */
export function postgresCreateIndexSql(table: string, i: IndexIR): string {
  return `CREATE ${i.unique ? 'UNIQUE ' : ''}INDEX ${q(i.name)} ON ${qt(table)} (${cols(i.columns)})${i.where ? ` WHERE ${i.where}` : ''}`;
}
