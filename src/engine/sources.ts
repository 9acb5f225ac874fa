/**
 * Where a desired schema comes from: a models module, tables given as values, or a SQL file
 * of CREATE statements (B13). A SQL file is normalised the way Atlas and Skeema do it: loaded
 * into a scratch database of the target dialect — in-memory SQLite or PGlite, a temporary
 * schema (PostgreSQL) or database (MySQL) on the target server, always dropped afterwards —
 * and introspected, so the database itself parses it. Former names come from comments:
 * `-- evolve:aka old_name` on a CREATE TABLE line or a column's line.
 */
import { readFileSync, existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { Table } from '../model/table.js';
import { compileModels } from '../model/compile.js';
import { loadModels } from '../model/load.js';
import type { Dialect } from '../dialects/dialect.js';
import { parseDatabaseUrl, type DatabaseUrl } from '../dialects/url.js';
import type { SchemaIR } from '../ir/schema.js';
import { objectLabel } from '../diff/changes.js';
import { splitSql } from '../evolutions/sql-split.js';
import { EvolveError, ErrorCode } from '../errors.js';

/** Models: a path to a models module or a `.sql` file, or the tables themselves. */
export type ModelsInput = string | readonly Table[];

/** A loaded desired-state source. */
export type Desired =
  | { readonly kind: 'models'; readonly tables: readonly Table[] }
  | { readonly kind: 'sql'; readonly path: string; readonly text: string };

/** True for a path that names a SQL file. */
export const isSqlPath = (p: string): boolean => /\.sql$/i.test(p);

/** Load a desired-state source (a SQL file is only read here; it is parsed by a database). */
export async function loadDesired(input: ModelsInput): Promise<Desired> {
  if (typeof input !== 'string') return { kind: 'models', tables: input };
  if (!isSqlPath(input)) return { kind: 'models', tables: await loadModels(input) };
  if (!existsSync(input)) {
    throw new EvolveError(ErrorCode.ModelsLoad, `Schema file '${input}' does not exist.`, { hint: 'Pass --models PATH to a .sql file of CREATE statements, or to a models module.' });
  }
  return { kind: 'sql', path: input, text: readFileSync(input, 'utf8') };
}

/** Former names declared in SQL comments (`-- evolve:aka a, b`). */
export function akaFromSql(text: string): { tables: Map<string, string[]>; columns: Map<string, Map<string, string[]>> } {
  const tables = new Map<string, string[]>();
  const columns = new Map<string, Map<string, string[]>>();
  const unquote = (s: string): string => s.replace(/^["`[]|["`\]]$/g, '');
  let current: string | null = null;
  for (const line of text.split('\n')) {
    const NAME = String.raw`(?:"[^"]+"|\x60[^\x60]+\x60|[\w$]+)`;
    const list = new RegExp(String.raw`--\s*evolve:aka\s+(${NAME}(?:\s*,\s*${NAME})*)`, 'i').exec(line)?.[1];
    const aka = list ? list.split(',').map((x) => unquote(x.trim())).filter(Boolean) : [];
    const create = /create\s+table\s+(?:if\s+not\s+exists\s+)?((?:"[^"]+"|`[^`]+`|[\w$]+)(?:\.(?:"[^"]+"|`[^`]+`|[\w$]+))?)/i.exec(line);
    if (create) {
      current = unquote(create[1]!.split('.').pop()!);
      if (aka.length) tables.set(current, aka);
      continue;
    }
    if (!current || !aka.length) continue;
    const col = /^\s*("[^"]+"|`[^`]+`|[\w$]+)\s/.exec(line);
    if (col) {
      const m = columns.get(current) ?? new Map<string, string[]>();
      m.set(unquote(col[1]!), aka);
      columns.set(current, m);
    }
  }
  return { tables, columns };
}

function withAka(schema: SchemaIR, text: string): SchemaIR {
  const { tables, columns } = akaFromSql(text);
  return {
    ...schema,
    tables: schema.tables.map((t) => ({
      ...t,
      ...(tables.has(t.name) ? { aka: tables.get(t.name)! } : {}),
      columns: t.columns.map((c) => (columns.get(t.name)?.has(c.name) ? { ...c, aka: columns.get(t.name)!.get(c.name)! } : c)),
    })),
  };
}

/**
 * The extensions a PostgreSQL file creates, as objects of the scratch schema's introspection
 * (an extension the target schema already has stays there, so the scratch schema shows none).
 */
function withFileExtensions(schema: SchemaIR, text: string, dialect: Dialect): SchemaIR {
  const have = new Set((schema.objects ?? []).filter((o) => o.kind === 'extension').map((o) => o.name));
  const named = [...text.matchAll(/create\s+extension\s+(?:if\s+not\s+exists\s+)?("(?:[^"]|"")+"|[\w$-]+)/gi)]
    .map((m) => (m[1]!.startsWith('"') ? m[1]!.slice(1, -1).replace(/""/g, '"') : m[1]!.toLowerCase()))
    .filter((x) => x !== 'plpgsql' && !have.has(x));
  if (named.length === 0) return schema;
  const q = dialect.sql.ident;
  const extra = [...new Set(named)].map((n) => ({
    kind: 'extension' as const, name: n, table: null, definition: n,
    create: [`CREATE EXTENSION IF NOT EXISTS ${q(n)}`], drop: [`DROP EXTENSION IF EXISTS ${q(n)}`],
  }));
  return { ...schema, objects: [...(schema.objects ?? []), ...extra] };
}

/** A URL for a scratch database of the same dialect and server as `near`. */
function scratchUrl(near: DatabaseUrl, name: string): DatabaseUrl {
  if (near.dialect === 'sqlite') return parseDatabaseUrl('sqlite::memory:');
  if (near.pglite) return parseDatabaseUrl('pglite:memory');
  const u = new URL(near.raw);
  if (near.dialect === 'postgres') u.searchParams.set('schema', name);
  else u.pathname = `/${name}`;
  return parseDatabaseUrl(u.toString());
}

/**
 * Load SQL `text` into a scratch database beside `near` and introspect it.
 * @throws EvolveError `E_SQL_FAILED` naming the statement the database rejected.
 */
export async function schemaFromSql(dialect: Dialect, near: DatabaseUrl, text: string, file = 'schema.sql'): Promise<SchemaIR> {
  const name = `_evolve_scratch_${randomBytes(5).toString('hex')}`;
  const url = scratchUrl(near, name);
  const conn = await dialect.connect(url, { readOnly: false, ...(dialect.name === 'postgres' && !near.pglite ? { schema: name } : {}) });
  const server = url.path === undefined; // a schema or database on a server: drop it after
  const pgServer = dialect.name === 'postgres' && !near.pglite;
  try {
    // PostgreSQL extensions are per database: one the target schema already has cannot be
    // created again in the scratch schema. With the target on the search path, the file's
    // CREATE EXTENSION IF NOT EXISTS finds it and its types and functions resolve.
    if (pgServer) await conn.execute(`SET search_path TO ${dialect.sql.ident(name)}, ${dialect.sql.ident(near.schema ?? 'public')}`);
    const statements = splitSql(text);
    for (const [i, s] of statements.entries()) {
      try {
        await conn.execute(s);
      } catch (e) {
        throw new EvolveError(ErrorCode.SqlFailed, `Statement ${i + 1} of '${file}' was rejected by ${dialect.name}: ${(e as Error).message}.`, {
          hint: `Fix the statement in '${file}' (it must be valid ${dialect.name} DDL), then try again.`,
          details: { file, statement: s, index: i },
        });
      }
    }
    const schema = await dialect.introspect(conn, pgServer ? { schema: name } : {});
    return withAka(pgServer ? withFileExtensions(schema, text, dialect) : schema, text);
  } finally {
    if (server) {
      await conn.execute(dialect.name === 'postgres' ? `DROP SCHEMA IF EXISTS ${dialect.sql.ident(name)} CASCADE` : `DROP DATABASE IF EXISTS ${dialect.sql.ident(name)}`).catch(() => undefined);
    }
    await conn.close().catch(() => undefined);
  }
}

/**
 * What a models module cannot say yet — objects beyond tables (views, triggers, …), CHECK
 * constraints, table options, MySQL ON UPDATE and column collations — is not managed by it: the live database's own are kept as
 * they are (adopted into the desired schema), never dropped, and reported. A SQL file says
 * everything, so nothing is adopted for one.
 */
export function adoptUnmodelled(desired: SchemaIR, live: SchemaIR): { schema: SchemaIR; adopted: string[] } {
  const tables = new Map(desired.tables.map((t) => [t.name, t]));
  const aka = new Map<string, string>(); // live name → target name
  for (const t of desired.tables) for (const a of t.aka ?? []) aka.set(a, t.name);
  const liveTables = new Map(live.tables.map((t) => [t.name, t]));
  const adopted: string[] = [];
  const objects = (live.objects ?? []).filter((o) => o.table === null || tables.has(o.table) || aka.has(o.table));
  for (const o of objects) adopted.push(objectLabel(o));
  const out: SchemaIR = {
    ...desired,
    tables: desired.tables.map((t) => {
      const l = liveTables.get(t.name) ?? (t.aka ?? []).map((a) => liveTables.get(a)).find((x) => x !== undefined);
      if (!l) return t;
      // Column attributes the DSL cannot state: a MySQL ON UPDATE, a collation.
      const special = l.columns.filter((x) => x.onUpdate || x.collation);
      const columns = special.length === 0 ? t.columns : t.columns.map((c) => {
        const lc = special.find((x) => x.name === c.name) ?? special.find((x) => c.aka?.includes(x.name));
        if (!lc || (!lc.onUpdate && !lc.collation) || c.onUpdate || c.collation) return c;
        if (lc.onUpdate) adopted.push(`on update ${lc.onUpdate} of column ${t.name}.${c.name}`);
        if (lc.collation) adopted.push(`collation ${lc.collation} of column ${t.name}.${c.name}`);
        return { ...c, ...(lc.onUpdate ? { onUpdate: lc.onUpdate } : {}), ...(lc.collation ? { collation: lc.collation } : {}) };
      });
      if ((t.checks?.length ?? 0) > 0 || Object.keys(t.options ?? {}).length > 0) return { ...t, columns };
      for (const c of l.checks ?? []) adopted.push(`check (${c.expression}) on table ${t.name}`);
      for (const [k, v] of Object.entries(l.options ?? {})) adopted.push(`option ${k}=${v} of table ${t.name}`);
      return { ...t, columns, ...(l.checks?.length ? { checks: l.checks } : {}), ...(l.options && Object.keys(l.options).length ? { options: l.options } : {}) };
    }),
    ...(objects.length ? { objects } : {}),
  };
  return { schema: out, adopted };
}

/** The desired schema as `dialect` reports it, using a scratch database near `near` for SQL files. */
export async function desiredOn(dialect: Dialect, near: DatabaseUrl, desired: Desired): Promise<SchemaIR> {
  if (desired.kind === 'models') return dialect.normalise(compileModels(desired.tables, dialect.name));
  return schemaFromSql(dialect, near, desired.text, desired.path);
}
