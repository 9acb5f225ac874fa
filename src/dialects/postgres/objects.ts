/**
 * PostgreSQL objects beyond tables — extensions, enums, domains, sequences, functions and
 * procedures, views, materialized views, indexes Evolve's table IR cannot say, triggers and
 * comments — read in one catalog query ({@link OBJECTS_SQL}, only its parts a probe says can find something) and turned into `ObjectIR`s whose
 * definitions and statements never name the primary schema (so a schema of any name, such as
 * the scratch schema a SQL file is loaded into, compares equal). Objects of extra schemas
 * (`--schemas`) are named `schema.name`, depend on their `schema` object, and are written
 * qualified. What Evolve does not model is reported as unmanaged.
 */
import type { ObjectIR, UnmanagedIR } from '../../ir/schema.js';
import type { Connection, Row } from '../connection.js';
import { objectsSql, PROBE_SQL } from './objects-sql.js';
import { catalogObject } from './objects-catalog.js';
import { postgresSql, qualifiedIdent, splitName } from './sql-builder.js';
import { isSyncName } from './expand-names.js';

const q = postgresSql.ident;
/** A (possibly `schema.`-qualified) object name, quoted. */
const qt = qualifiedIdent;
const lit = postgresSql.literal;

/** Escape a string for use inside a RegExp. */
const reEscape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Remove the qualifier `schema.` (quoted or bare) from SQL text that PostgreSQL printed:
 * `"my schema".film` and `app.film` become `film`.
 */
export function stripSchema(text: string, schema: string): string {
  const quoted = reEscape(`"${schema.replace(/"/g, '""')}".`);
  let out = text.replace(new RegExp(`(?<![\\w$".])${quoted}`, 'g'), '');
  if (/^[a-z_][a-z0-9_$]*$/.test(schema)) out = out.replace(new RegExp(`(?<![\\w$".])${reEscape(schema)}\\.(?=["\\w])`, 'g'), '');
  return out;
}

/** Trailing whitespace (and, for views, the final semicolon) off; lines right-trimmed. */
function tidy(text: string): string {
  return text.split('\n').map((l) => l.trimEnd()).join('\n').trim();
}

/** A quoted function signature: `"f"(integer, text)`. */
const signature = (name: string, args: string): string => `${qt(name)}(${args})`;

/** An extra schema as an object: created before everything in it, dropped after (when empty). */
export function schemaObject(name: string): ObjectIR {
  return { kind: 'schema', name, table: null, definition: name, create: [`CREATE SCHEMA IF NOT EXISTS ${q(name)}`], drop: [`DROP SCHEMA ${q(name)}`] };
}

/** A domain's definition (the JSON of its `definition`). */
export interface DomainData { type: string; notNull: boolean; default: string | null; collation: string | null; checks: [string, string][] }
interface SequenceData { type: string; increment: string; min: string; max: string; start: string; cache: string; cycle: boolean }

/** CREATE DOMAIN for a domain's catalog data. */
export function createDomainSql(name: string, d: DomainData): string {
  return [`CREATE DOMAIN ${qt(name)} AS ${d.type}`,
    ...(d.collation ? [`COLLATE ${q(d.collation)}`] : []),
    ...(d.default !== null ? [`DEFAULT ${d.default}`] : []),
    ...(d.notNull ? ['NOT NULL'] : []),
    ...d.checks.map(([n, c]) => `CONSTRAINT ${q(n)} ${c}`)].join(' ');
}

/**
 * ALTER DOMAIN statements taking domain `name` from `from` (null: unknown) to `to` in place:
 * default, NOT NULL, and checks (the live ones dropped by name, the target ones added).
 * The base type cannot change in place.
 */
export function alterDomainSql(name: string, from: DomainData | null, to: DomainData): string[] {
  const alter = `ALTER DOMAIN ${qt(name)}`;
  const out: string[] = [];
  if (!from || from.default !== to.default) out.push(to.default === null ? `${alter} DROP DEFAULT` : `${alter} SET DEFAULT ${to.default}`);
  if (!from || from.notNull !== to.notNull) out.push(`${alter} ${to.notNull ? 'SET' : 'DROP'} NOT NULL`);
  const key = (c: [string, string]): string => JSON.stringify(c);
  const keep = new Set(from ? from.checks.filter((c) => to.checks.some((t) => key(t) === key(c))).map(key) : []);
  for (const [n] of from ? from.checks.filter((c) => !keep.has(key(c))) : to.checks) out.push(`${alter} DROP CONSTRAINT IF EXISTS ${q(n)}`);
  for (const c of to.checks) if (!keep.has(key(c))) out.push(`${alter} ADD CONSTRAINT ${q(c[0])} ${c[1]}`);
  return out;
}

/** The options of CREATE / ALTER SEQUENCE. */
function sequenceOptions(s: SequenceData): string {
  return `AS ${s.type} INCREMENT BY ${s.increment} MINVALUE ${s.min} MAXVALUE ${s.max} START WITH ${s.start} CACHE ${s.cache} ` +
    (s.cycle ? 'CYCLE' : 'NO CYCLE');
}

/** `ALTER TYPE … ADD VALUE` statements that add `labels` (in order) to enum `name`, skipping those `existing` has. */
export function addEnumValuesSql(name: string, labels: readonly string[], existing: readonly string[] | null): string[] {
  const out: string[] = [];
  const have = new Set(existing ?? []);
  const firstLive = labels.find((l) => have.has(l));
  labels.forEach((l, i) => {
    if (existing && have.has(l)) return;
    const where = i > 0 ? ` AFTER ${lit(labels[i - 1]!)}`
      : existing ? (firstLive !== undefined ? ` BEFORE ${lit(firstLive)}` : '')
      : labels.length > 1 ? ` BEFORE ${lit(labels[1]!)}` : '';
    out.push(`ALTER TYPE ${qt(name)} ADD VALUE IF NOT EXISTS ${lit(l)}${where}`);
  });
  return out;
}

/** The comment target as SQL (`TABLE "t"`, `COLUMN "t"."c"`, `FUNCTION "f"(integer)`) and as an object name. */
function commentTarget(
  what: string, on: string, data: Record<string, unknown> | null, schema: string,
): { sql: string; name: string; table: string | null; deps: string[] } | null {
  const rel: Record<string, [string, string, string | null]> = {
    r: ['TABLE', 'table', 'table'], p: ['TABLE', 'table', 'table'], v: ['VIEW', 'view', 'view'],
    m: ['MATERIALIZED VIEW', 'materialized view', 'materializedView'],
    S: ['SEQUENCE', 'sequence', 'sequence'], i: ['INDEX', 'index', null], f: ['FOREIGN TABLE', 'foreign table', null],
  };
  if (what === 'column') {
    const col = String(data?.column);
    const relkind = String(data?.relkind);
    const dep = rel[relkind]?.[2];
    return { sql: `COLUMN ${qt(on)}.${q(col)}`, name: `column ${on}.${col}`, table: on, deps: dep && dep !== 'table' ? [`${dep}:${on}`] : [] };
  }
  if (rel[what]) {
    const [word, label, key] = rel[what]!;
    return { sql: `${word} ${qt(on)}`, name: `${label} ${on}`, table: key === 'table' ? on : null, deps: key && key !== 'table' ? [`${key}:${on}`] : [] };
  }
  if (what === 'function' || what === 'procedure') {
    const args = stripSchema(String(data?.args ?? ''), schema);
    const name = stripSchema(on, schema);
    return { sql: `${what.toUpperCase()} ${signature(String(data?.name), args)}`, name: `${what} ${name}`, table: null, deps: [`function:${name}`] };
  }
  if (what === 'type' || what === 'domain' || what === 'composite') {
    const word = what === 'domain' ? 'DOMAIN' : 'TYPE';
    return { sql: `${word} ${qt(on)}`, name: `${what === 'composite' ? 'type' : what} ${on}`, table: null,
      deps: [`${what === 'type' ? 'enum' : what}:${on}`] };
  }
  return null;
}

/** One catalog row as an object (null when the row is something Evolve skips). */
function toObject(r: Row, schema: string): ObjectIR | null {
  const kind = String(r.kind);
  const name = stripSchema(String(r.name), schema);
  const table = r.tbl === null || r.tbl === undefined ? null : String(r.tbl);
  const def = typeof r.def === 'string' ? tidy(stripSchema(r.def, schema)) : '';
  const data = (r.data ?? null) as Record<string, unknown> | null;
  // An object of an extra schema is created after the schema and dropped before it.
  const nsp = typeof r.nsp === 'string' && r.nsp !== schema ? r.nsp : null;
  const deps = [
    ...(Array.isArray(r.deps) ? (r.deps as unknown[]).map((d) => stripSchema(String(d), schema)) : []),
    ...(nsp !== null && kind !== 'schema' ? [`schema:${nsp}`] : []),
  ];
  const withDeps = deps.length ? { dependsOn: deps } : {};
  switch (kind) {
    case 'schema':
      return schemaObject(name);
    case 'extension': {
      // Extension names are per database; one in an extra schema is created there.
      const where = nsp !== null ? ` SCHEMA ${q(nsp)}` : '';
      return {
        kind, name, table: null, definition: nsp !== null ? `${name} schema ${nsp}` : name,
        create: [`CREATE EXTENSION IF NOT EXISTS ${q(name)}${where}`], drop: [`DROP EXTENSION IF EXISTS ${q(name)}`], ...withDeps,
      };
    }
    case 'enum': {
      const labels = (r.data as unknown[] | null ?? []).map(String);
      return {
        kind, name, table: null, definition: JSON.stringify(labels),
        create: [`CREATE TYPE ${qt(name)} AS ENUM (${labels.map(lit).join(', ')})`],
        drop: [`DROP TYPE ${qt(name)}`],
        replace: addEnumValuesSql(name, labels, null), ...withDeps,
      };
    }
    case 'domain': {
      const d = data as unknown as DomainData;
      const dom: DomainData = {
        ...d, type: stripSchema(d.type, schema), default: d.default === null ? null : stripSchema(d.default, schema),
        checks: d.checks.map(([n, c]) => [n, stripSchema(c, schema)]),
      };
      return {
        kind, name, table: null, definition: JSON.stringify(dom), create: [createDomainSql(name, dom)], drop: [`DROP DOMAIN ${qt(name)}`],
        replace: alterDomainSql(name, null, dom), ...withDeps,
      };
    }
    case 'sequence': {
      const s = data as unknown as SequenceData;
      const opts = sequenceOptions(s);
      return {
        kind, name, table: null, definition: opts, create: [`CREATE SEQUENCE ${qt(name)} ${opts}`], drop: [`DROP SEQUENCE ${qt(name)}`],
        replace: [`ALTER SEQUENCE ${qt(name)} ${opts}`], ...withDeps,
      };
    }
    case 'function': {
      const args = stripSchema(String(data?.args ?? ''), schema);
      const word = data?.procedure === true ? 'PROCEDURE' : 'FUNCTION';
      // SQL bodies are checked at creation; the tables they read may come later in the plan.
      const create = ['SET LOCAL check_function_bodies TO off', def];
      return { kind, name, table: null, definition: def, create, drop: [`DROP ${word} ${signature(String(data?.name), args)}`], replace: create, ...withDeps };
    }
    case 'composite': case 'exclusion': case 'aggregate': case 'collation':
      return catalogObject(kind, name, table, def, data, (text) => stripSchema(text, schema), withDeps);
    case 'view': case 'materializedView': {
      const body = def.replace(/;$/, '');
      const create = kind === 'view' ? `CREATE VIEW ${qt(name)} AS\n${body}` : `CREATE MATERIALIZED VIEW ${qt(name)} AS\n${body}\nWITH DATA`;
      return {
        kind, name, table: null, definition: body, create: [create], drop: [`DROP ${kind === 'view' ? 'VIEW' : 'MATERIALIZED VIEW'} ${qt(name)}`], ...withDeps,
      };
    }
    case 'index':
      return { kind, name, table, definition: def, create: [def], drop: [`DROP INDEX ${qt(name)}`], ...withDeps };
    case 'trigger':
      return { kind, name, table, definition: def, create: [def], drop: [`DROP TRIGGER ${q(String(data?.name))} ON ${qt(table!)}`], ...withDeps };
    case 'comment': {
      const target = commentTarget(String(r.name), String(r.tbl), data, schema);
      if (!target) return null;
      const text = String(r.def);
      const set = [`COMMENT ON ${target.sql} IS ${lit(text)}`];
      return {
        kind, name: target.name, table: target.table, definition: text, create: set, drop: [`COMMENT ON ${target.sql} IS NULL`], replace: set,
        ...(target.deps.length ? { dependsOn: target.deps } : {}),
      };
    }
    default: return null;
  }
}

/**
 * The trigger and function of an expand/contract type change that has not swapped yet
 * (expand-names.ts): not part of the schema, like the shadow column they fill.
 */
function isExpandLeftover(r: Row): boolean {
  const kind = String(r.kind);
  const data = (r.data ?? null) as Record<string, unknown> | null;
  if ((kind !== 'trigger' && kind !== 'function') || typeof data?.name !== 'string') return false;
  return isSyncName(splitName(data.name)[1]) && (kind === 'trigger' || data.args === '');
}

/**
 * The objects and unmanaged things of the primary schema `schema` and the extra schemas `extra`.
 * Most schemas hold few kinds of object: a cheap probe ({@link PROBE_SQL}; `have`, its answer,
 * when the caller read it already), then one query of only the parts that can find something.
 */
export async function postgresIntrospectObjects(
  conn: Pick<Connection, 'query'>, schema: string, extra: readonly string[] = [], have?: ReadonlySet<string>,
): Promise<{ objects: ObjectIR[]; unmanaged: UnmanagedIR[] }> {
  const schemas = [schema, ...extra];
  const sql = objectsSql(have ?? new Set(((await conn.query(PROBE_SQL, [schemas]))[0]?.have as string[] | undefined) ?? []));
  const rows = sql === null ? [] : await conn.query(sql, [schemas]);
  const objects: ObjectIR[] = [];
  const unmanaged: UnmanagedIR[] = [];
  for (const r of rows) {
    const kind = String(r.kind);
    if (kind.startsWith('unmanaged:')) {
      unmanaged.push({ kind: kind.slice('unmanaged:'.length), name: stripSchema(String(r.name), schema), table: r.tbl === null ? null : String(r.tbl) });
      continue;
    }
    if (isExpandLeftover(r)) continue;
    const o = toObject(r, schema);
    if (o) objects.push(o);
  }
  const byKey = (a: { kind: string; name: string }, b: { kind: string; name: string }): number =>
    a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  return { objects: objects.sort(byKey), unmanaged: unmanaged.sort(byKey) };
}

/**
 * A non-plain table index (expression keys, another method, opclasses, order, INCLUDE,
 * collations) as an object. One on a table of an extra schema is named `schema.index`.
 */
export function postgresIndexObject(name: string, table: string, indexdef: string, schema: string): ObjectIR {
  const def = tidy(stripSchema(indexdef, schema));
  const nsp = splitName(table)[0];
  const full = nsp === null ? name : `${nsp}.${name}`;
  return { kind: 'index', name: full, table, definition: def, create: [def], drop: [`DROP INDEX ${qt(full)}`] };
}
