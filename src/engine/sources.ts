/**
 * Where a desired schema comes from: a models module, tables given as values, or a SQL file
 * of CREATE statements (B13). A SQL file is normalised the way Atlas and Skeema do it: loaded
 * into a scratch database of the target dialect — in-memory SQLite or PGlite, a temporary
 * schema (PostgreSQL) or database (MySQL) on the target server, always dropped afterwards —
 * and introspected, so the database itself parses it. A PostgreSQL connection that manages
 * extra schemas (`--schemas`) loads the file into a scratch database instead: the file creates
 * those schemas, which a scratch schema cannot hold. Former names come from comments:
 * `-- evolve:aka old_name` on a CREATE TABLE line, a column's line or (PostgreSQL) an enum
 * value's line. Scratches are named and swept in `scratch.ts`; adoption is in `adopt.ts`.
 */
import { readFileSync, existsSync } from 'node:fs';
import type { Table } from '../model/table.js';
import { compileModels } from '../model/compile.js';
import { loadModels } from '../model/load.js';
import type { Dialect } from '../dialects/dialect.js';
import type { Connection } from '../dialects/connection.js';
import { parseDatabaseUrl, type DatabaseUrl } from '../dialects/url.js';
import type { SchemaIR } from '../ir/schema.js';
import { splitSql } from '../evolutions/sql-split.js';
import { EvolveError, ErrorCode } from '../errors.js';
import { scratchName, sweepScratches } from './scratch.js';
export { adoptUnmodelled, unmanagedOnlyInFile } from './adopt.js';
export { scratchName, scratchBorn, sweepScratches, SCRATCH_STALE_MS } from './scratch.js';

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

/**
 * Former names declared in SQL comments (`-- evolve:aka a, b`) of tables, columns and
 * PostgreSQL enum values (`'fine', -- evolve:aka ok`: enum → value → former values). Tables and
 * enums are keyed by their own name, unless `qualify` names them otherwise (PostgreSQL extra
 * schemas: `billing.invoice`).
 */
export function akaFromSql(text: string, qualify?: (schema: string | null, name: string) => string): {
  tables: Map<string, string[]>; columns: Map<string, Map<string, string[]>>; enumValues: Map<string, Map<string, string[]>>;
} {
  const tables = new Map<string, string[]>();
  const columns = new Map<string, Map<string, string[]>>();
  const enumValues = new Map<string, Map<string, string[]>>();
  const unquote = (s: string): string => s.replace(/^["`[]|["`\]]$/g, '');
  let current: string | null = null;
  let currentEnum: string | null = null;
  for (const line of text.split('\n')) {
    const PART = String.raw`(?:"[^"]+"|\x60[^\x60]+\x60|'[^']+'|[\w$]+)`;
    const NAME = String.raw`${PART}(?:\.${PART})?`;
    const list = new RegExp(String.raw`--\s*evolve:aka\s+(${NAME}(?:\s*,\s*${NAME})*)`, 'i').exec(line)?.[1];
    const aka = list ? list.split(',').map((x) => x.trim().split('.').map(unquote).join('.')).filter(Boolean) : [];
    // PostgreSQL enums: `'fine', -- evolve:aka ok` on a value's line declares a renamed value.
    const type = /create\s+type\s+((?:"[^"]+"|[\w$]+)(?:\.(?:"[^"]+"|[\w$]+))?)\s+as\s+enum/i.exec(line);
    if (type) {
      const parts = type[1]!.split('.').map(unquote);
      const own = parts.pop()!;
      currentEnum = qualify ? qualify(parts[0] ?? null, own) : own;
      current = null;
    }
    if (currentEnum && aka.length) {
      const before = line.slice(0, line.search(/--\s*evolve:aka/i));
      const literals = [...before.matchAll(/'((?:[^']|'')*)'/g)];
      const value = literals[literals.length - 1]?.[1]?.replace(/''/g, "'");
      if (value !== undefined) {
        const m = enumValues.get(currentEnum) ?? new Map<string, string[]>();
        m.set(value, aka.map((a) => a.replace(/^'|'$/g, '')));
        enumValues.set(currentEnum, m);
      }
    }
    if (type) continue;
    const create = /create\s+table\s+(?:if\s+not\s+exists\s+)?((?:"[^"]+"|`[^`]+`|[\w$]+)(?:\.(?:"[^"]+"|`[^`]+`|[\w$]+))?)/i.exec(line);
    if (create) {
      currentEnum = null;
      const parts = create[1]!.split('.').map(unquote);
      const own = parts.pop()!;
      current = qualify ? qualify(parts[0] ?? null, own) : own;
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
  return { tables, columns, enumValues };
}

function withAka(schema: SchemaIR, text: string, qualify?: (schema: string | null, name: string) => string): SchemaIR {
  const { tables, columns, enumValues } = akaFromSql(text, qualify);
  return {
    ...schema,
    ...(enumValues.size && schema.objects ? {
      objects: schema.objects.map((o) => (o.kind === 'enum' && enumValues.has(o.name) ? { ...o, aka: Object.fromEntries(enumValues.get(o.name)!) } : o)),
    } : {}),
    tables: schema.tables.map((t) => ({
      ...t,
      ...(tables.has(t.name) ? { aka: tables.get(t.name)! } : {}),
      columns: t.columns.map((c) => (columns.get(t.name)?.has(c.name) ? { ...c, aka: columns.get(t.name)!.get(c.name)! } : c)),
    })),
  };
}

/**
 * Foreign keys of a file loaded into a scratch schema that reach a table of the target schema
 * (found through `search_path`) name it as the target's introspection does: unqualified.
 */
function withTargetReferences(schema: SchemaIR, target: string): SchemaIR {
  const prefix = `${target}.`;
  if (!schema.tables.some((t) => t.foreignKeys.some((fk) => fk.refTable.startsWith(prefix)))) return schema;
  return {
    ...schema,
    tables: schema.tables.map((t) => ({
      ...t, foreignKeys: t.foreignKeys.map((fk) => (fk.refTable.startsWith(prefix) ? { ...fk, refTable: fk.refTable.slice(prefix.length) } : fk)),
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

/** Run the statements of a SQL file, naming the one the database rejects. */
async function loadStatements(conn: Connection, dialect: Dialect, text: string, file: string): Promise<void> {
  const statements = splitSql(text);
  for (const [i, s] of statements.entries()) {
    try {
      await conn.execute(s);
    } catch (e) {
      throw new EvolveError(ErrorCode.SqlFailed, `Statement ${i + 1} of '${file}' was rejected by ${dialect.name}: ${(e as Error).message}.`, {
        hint: `Fix the statement in '${file}' (it must be valid ${dialect.name} DDL), then try again.`,
        details: { file, statement: s, index: i },
        cause: e,
      });
    }
  }
}

/**
 * Load SQL `text` into a scratch database beside `near` and introspect it.
 * @throws EvolveError `E_SQL_FAILED` naming the statement the database rejected.
 */
export async function schemaFromSql(dialect: Dialect, near: DatabaseUrl, text: string, file = 'schema.sql'): Promise<SchemaIR> {
  const extra = dialect.name === 'postgres' ? near.schemas ?? [] : [];
  if (extra.length > 0) return pgSchemasFromSql(dialect, near, extra, text, file);
  if (dialect.name === 'postgres' && !near.pglite) {
    // In a transaction that is rolled back, a client that dies mid-load leaves nothing behind.
    // A file the server will not run in a transaction (CREATE INDEX CONCURRENTLY, …) is
    // loaded again without one.
    try {
      return await loadScratch(dialect, near, text, file, true);
    } catch (e) {
      if ((e as { cause?: { code?: string } }).cause?.code !== '25001') throw e;
    }
  }
  return loadScratch(dialect, near, text, file, false);
}

/** Load `text` into a fresh scratch schema or database and introspect it; always dropped. */
async function loadScratch(dialect: Dialect, near: DatabaseUrl, text: string, file: string, inTransaction: boolean): Promise<SchemaIR> {
  const name = scratchName();
  const url = scratchUrl(near, name);
  const conn = await dialect.connect(url, { readOnly: false, ...(dialect.name === 'postgres' && !near.pglite ? { schema: name } : {}) });
  const server = url.path === undefined; // a schema or database on a server: drop it after
  const pgServer = dialect.name === 'postgres' && !near.pglite;
  const q = dialect.sql.ident;
  try {
    if (inTransaction) await conn.execute('BEGIN').then(() => conn.execute(`CREATE SCHEMA ${q(name)}`));
    // PostgreSQL extensions are per database: one the target schema already has cannot be
    // created again in the scratch schema. With the target on the search path, the file's
    // CREATE EXTENSION IF NOT EXISTS finds it and its types and functions resolve.
    if (pgServer) await conn.execute(`SET search_path TO ${q(name)}, ${q(near.schema ?? 'public')}`);
    await loadStatements(conn, dialect, text, file);
    const schema = await dialect.introspect(conn, pgServer ? { schema: name } : {});
    return withAka(pgServer ? withTargetReferences(withFileExtensions(schema, text, dialect), near.schema ?? 'public') : schema, text);
  } finally {
    if (inTransaction) await conn.execute('ROLLBACK').catch(() => undefined);
    // Stale scratches of dead clients: after the rollback, so the sweep is never undone.
    if (server) await sweepScratches(conn, dialect, pgServer ? 'schema' : 'database');
    // Also after a rollback: a file may COMMIT on its own.
    if (server) await conn.execute(pgServer ? `DROP SCHEMA IF EXISTS ${q(name)} CASCADE` : `DROP DATABASE IF EXISTS ${q(name)}`).catch(() => undefined);
    await conn.close().catch(() => undefined);
  }
}

/**
 * PostgreSQL with extra schemas: the file creates schemas beside the primary one, so it is
 * loaded into a scratch DATABASE on the same server (PGlite: a fresh in-memory one), opened
 * with the same primary and extra schemas, introspected, and always dropped — also on failure.
 * @throws EvolveError `E_DB_CONNECT` when the server refuses CREATE DATABASE (the fix: CREATEDB).
 */
async function pgSchemasFromSql(dialect: Dialect, near: DatabaseUrl, extra: readonly string[], text: string, file: string): Promise<SchemaIR> {
  const primary = near.schema ?? 'public';
  const options = { schema: primary, schemas: extra };
  const qualify = (schema: string | null, name: string): string => (schema === null || schema === primary || !extra.includes(schema) ? name : `${schema}.${name}`);
  const load = async (url: DatabaseUrl): Promise<SchemaIR> => {
    const conn = await dialect.connect(url, { readOnly: false, ...options });
    try {
      await loadStatements(conn, dialect, text, file);
      return withAka(await dialect.introspect(conn, options), text, qualify);
    } finally {
      await conn.close().catch(() => undefined);
    }
  };
  if (near.pglite) return load(parseDatabaseUrl('pglite:memory'));
  const name = scratchName();
  const q = dialect.sql.ident;
  const admin = await dialect.connect(near, { readOnly: false, ...options });
  try {
    await sweepScratches(admin, dialect, 'database');
    try {
      // template0: nothing an administrator added to template1 leaks into the desired schema.
      await admin.execute(`CREATE DATABASE ${q(name)} TEMPLATE template0`);
    } catch (e) {
      const denied = (e as { code?: string }).code === '42501';
      throw new EvolveError(ErrorCode.DbConnect, `Cannot parse '${file}': with extra schemas (${extra.join(', ')}) a SQL file is loaded into a scratch database, and ${near.display} refused CREATE DATABASE: ${(e as Error).message}.`, {
        hint: denied
          ? 'Let the user create databases (ALTER ROLE <user> CREATEDB), or compare against a TypeScript models module, or leave out --schemas / ?schemas=.'
          : 'Check that the server accepts CREATE DATABASE from this user, or leave out --schemas / ?schemas=.',
        cause: e,
      });
    }
    try {
      const u = new URL(near.raw);
      u.pathname = `/${encodeURIComponent(name)}`;
      const url = parseDatabaseUrl(u.toString());
      return await load({ ...url, ...(near.schema ? { schema: near.schema } : {}), schemas: extra });
    } finally {
      // WITH (FORCE) (PostgreSQL 13+) ends any session left on it; older servers drop it without.
      await admin.execute(`DROP DATABASE IF EXISTS ${q(name)} WITH (FORCE)`)
        .catch(() => admin.execute(`DROP DATABASE IF EXISTS ${q(name)}`))
        .catch(() => undefined);
    }
  } finally {
    await admin.close().catch(() => undefined);
  }
}

/**
 * PostgreSQL models name a table of an extra schema `schema.table`: that schema must be one the
 * database is opened with (`--schemas`), else the table would never be seen there.
 * @throws EvolveError `E_USAGE` naming the table and the fix.
 */
function checkModelSchemas(schema: SchemaIR, near: DatabaseUrl): void {
  // An in-memory PGlite is a scratch database (evolve diff between files): nothing to open.
  if (near.dialect !== 'postgres' || (near.pglite && near.path === ':memory:')) return;
  const primary = near.schema ?? 'public';
  for (const t of schema.tables) {
    const dot = t.name.indexOf('.');
    if (dot <= 0) continue;
    const s = t.name.slice(0, dot);
    if (s === primary) {
      throw new EvolveError(ErrorCode.Usage, `Model table '${t.name}' names the primary schema '${primary}'.`, {
        hint: `Name it '${t.name.slice(dot + 1)}': tables of the primary schema are unqualified.`, details: { table: t.name },
      });
    }
    if (!(near.schemas ?? []).includes(s)) {
      throw new EvolveError(ErrorCode.Usage, `Model table '${t.name}' is in schema '${s}', which ${near.display} is not opened with.`, {
        hint: `Add it to the managed schemas: --schemas ${[...(near.schemas ?? []), s].join(',')} (or ?schemas= in the URL, or schemas in evolve.config.ts).`,
        details: { table: t.name, schema: s },
      });
    }
  }
}

/** The desired schema as `dialect` reports it, using a scratch database near `near` for SQL files. */
export async function desiredOn(dialect: Dialect, near: DatabaseUrl, desired: Desired): Promise<SchemaIR> {
  if (desired.kind === 'models') {
    const schema = dialect.normalise(compileModels(desired.tables, dialect.name));
    checkModelSchemas(schema, near);
    return schema;
  }
  return schemaFromSql(dialect, near, desired.text, desired.path);
}
