/**
 * Where a desired schema comes from: a models module, tables given as values, or a SQL file
 * of CREATE statements (B13). A SQL file is normalised the way Atlas and Skeema do it: loaded
 * into a scratch database of the target dialect — in-memory SQLite or PGlite, a temporary
 * schema (PostgreSQL) or database (MySQL) on the target server, always dropped afterwards —
 * and introspected, so the database itself parses it. A PostgreSQL connection that manages
 * extra schemas (`--schemas`) loads the file into a scratch database instead: the file creates
 * those schemas, which a scratch schema cannot hold. Former names come from comments:
 * `-- evolve:aka old_name` on a CREATE TABLE line or a column's line.
 */
import { readFileSync, existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { Table } from '../model/table.js';
import { compileModels } from '../model/compile.js';
import { loadModels } from '../model/load.js';
import type { Dialect } from '../dialects/dialect.js';
import type { Connection } from '../dialects/connection.js';
import { parseDatabaseUrl, type DatabaseUrl } from '../dialects/url.js';
import { describeUnmanaged, objectKey, type SchemaIR } from '../ir/schema.js';
import { objectLabel } from '../diff/changes.js';
import { nameIndex, objectDependencies } from '../diff/objects.js';
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

/**
 * Former names declared in SQL comments (`-- evolve:aka a, b`). Tables are keyed by their own
 * name, unless `qualify` names them otherwise (PostgreSQL extra schemas: `billing.invoice`).
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

const SCRATCH_PREFIX = '_evolve_scratch_';
/** Scratch schemas and databases older than this were left by a client that died: swept. */
export const SCRATCH_STALE_MS = 60 * 60 * 1000;

/** A fresh scratch name, carrying its creation time: `_evolve_scratch_<seconds, base 36>_<random>`. */
export function scratchName(now = Date.now()): string {
  return `${SCRATCH_PREFIX}${Math.floor(now / 1000).toString(36)}_${randomBytes(5).toString('hex')}`;
}

/** When a scratch was made (ms since the epoch), from its name; null for a name that does not say. */
export function scratchBorn(name: string): number | null {
  const m = /^_evolve_scratch_([0-9a-z]{1,12})_[0-9a-f]{10}$/.exec(name);
  return m ? parseInt(m[1]!, 36) * 1000 : null;
}

/**
 * Drop the scratch schemas (PostgreSQL) or databases (MySQL; PostgreSQL with extra schemas)
 * of this server older than {@link SCRATCH_STALE_MS}: left by a client killed mid-load
 * (SIGINT, a crash), which never reached its own cleanup. Best effort: a failure is ignored.
 */
export async function sweepScratches(conn: Connection, dialect: Dialect, what: 'schema' | 'database', now = Date.now()): Promise<string[]> {
  const like = `'\\_evolve\\_scratch\\_%'`;
  const list = dialect.name === 'mysql' ? `SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE ${like}`
    : what === 'schema' ? `SELECT nspname AS name FROM pg_namespace WHERE nspname LIKE ${like}`
      : `SELECT datname AS name FROM pg_database WHERE datname LIKE ${like}`;
  const swept: string[] = [];
  try {
    for (const r of await conn.query(list)) {
      const name = String(r.name);
      const born = scratchBorn(name);
      if (born === null || now - born < SCRATCH_STALE_MS) continue;
      const q = dialect.sql.ident(name);
      const drop = what === 'schema' ? `DROP SCHEMA IF EXISTS ${q} CASCADE` : `DROP DATABASE IF EXISTS ${q}`;
      try {
        await (dialect.name === 'postgres' && what === 'database' ? conn.execute(`${drop} WITH (FORCE)`).catch(() => conn.execute(drop)) : conn.execute(drop));
        swept.push(name);
      } catch { /* another deployer swept it, or no privilege: leave it */ }
    }
  } catch { /* no catalog access: nothing to sweep */ }
  return swept;
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
 * What a models module cannot say yet — objects beyond tables (views, triggers, …), CHECK
 * constraints, table options, MySQL ON UPDATE, column collations and PostgreSQL identity
 * GENERATED ALWAYS — is not managed by it: the live database's own are kept as
 * they are (adopted into the desired schema), and reported. A SQL file says everything, so
 * nothing is adopted for one. Two exceptions, reported in `dropped`: a live object that reads
 * a table the models drop (a view, a trigger — transitively) goes with the table, and a live
 * object whose name the models give to something of their own (an index the DSL cannot
 * express, `name DESC` or a prefix index, under the name of a model's index; a view under a
 * model table's name) is replaced by it, dropped before the new one is created.
 */
export function adoptUnmodelled(desired: SchemaIR, live: SchemaIR): { schema: SchemaIR; adopted: string[]; dropped: string[] } {
  const tables = new Map(desired.tables.map((t) => [t.name, t]));
  const aka = new Map<string, string>(); // live name → target name
  for (const t of desired.tables) for (const a of t.aka ?? []) aka.set(a, t.name);
  const liveTables = new Map(live.tables.map((t) => [t.name, t]));
  const adopted: string[] = [];
  const dropped: string[] = [];
  // What the models say themselves (PostgreSQL: the extra schemas their tables live in) stays.
  const own = new Set((desired.objects ?? []).map(objectKey));
  const candidates = (live.objects ?? []).filter((o) => !own.has(objectKey(o)) && (o.table === null || tables.has(o.table) || aka.has(o.table)));
  // Names the models declare: index and unique-constraint names per (target) table, table names.
  const declared = new Map(desired.tables.map((t) => [t.name, new Set([...t.indexes.map((i) => i.name), ...t.uniques.flatMap((u) => (u.name ? [u.name] : []))])]));
  const bare = (name: string): string => name.slice(name.lastIndexOf('.') + 1);
  const gone = new Map<string, string>(); // key → why it goes
  for (const t of live.tables) if (!tables.has(t.name) && !aka.has(t.name)) gone.set(`table:${t.name}`, `reads table ${t.name}, which the models drop`);
  for (const o of candidates) {
    const target = o.table === null ? null : tables.has(o.table) ? o.table : aka.get(o.table)!;
    if (o.kind === 'index' && target !== null && declared.get(target)?.has(bare(o.name))) {
      gone.set(objectKey(o), `the models declare an index ${bare(o.name)} on table ${target}: replaced by it`);
    } else if ((o.kind === 'view' || o.kind === 'materializedView') && tables.has(o.name) && !liveTables.has(o.name)) {
      gone.set(objectKey(o), `the models declare a table ${o.name}: replaced by it`);
    }
  }
  if (gone.size > 0) {
    // Dependents of what goes, transitively: views and triggers by what they name; functions
    // and types only where the catalog says so (bodies are resolved when they run).
    const names = nameIndex(live);
    const deps = new Map(candidates.map((o) => [objectKey(o), o.kind === 'function' || o.kind === 'enum' || o.kind === 'domain' || o.kind === 'sequence'
      ? new Set(o.dependsOn ?? []) : objectDependencies(live, o, names)]));
    for (let grew = true; grew;) {
      grew = false;
      for (const o of candidates) {
        const k = objectKey(o);
        if (gone.has(k)) continue;
        const hit = [...deps.get(k)!].find((x) => gone.has(x));
        if (hit === undefined) continue;
        gone.set(k, hit.startsWith('table:') ? gone.get(hit)! : `depends on ${hit.replace(':', ' ')}, which goes`);
        grew = true;
      }
    }
  }
  const kept = candidates.filter((o) => !gone.has(objectKey(o)));
  for (const o of candidates) if (gone.has(objectKey(o))) dropped.push(`${objectLabel(o)} (${gone.get(objectKey(o))}: dropped)`);
  // A live extra schema the models do not use is kept, and not worth a note.
  for (const o of kept) if (o.kind !== 'schema') adopted.push(objectLabel(o));
  const objects = [...(desired.objects ?? []), ...kept];
  const out: SchemaIR = {
    ...desired,
    tables: desired.tables.map((t) => {
      const l = liveTables.get(t.name) ?? (t.aka ?? []).map((a) => liveTables.get(a)).find((x) => x !== undefined);
      if (!l) return t;
      // Column attributes the DSL cannot state: a MySQL ON UPDATE, a collation.
      const special = l.columns.filter((x) => x.onUpdate || x.collation || x.identity === 'always');
      const columns = special.length === 0 ? t.columns : t.columns.map((c) => {
        const lc = special.find((x) => x.name === c.name) ?? special.find((x) => c.aka?.includes(x.name));
        if (!lc) return c;
        const always = lc.identity === 'always' && c.autoIncrement && !c.identity;
        if (always) adopted.push(`identity generated always of column ${t.name}.${c.name}`);
        const attrs = (lc.onUpdate || lc.collation) && !c.onUpdate && !c.collation;
        if (attrs && lc.onUpdate) adopted.push(`on update ${lc.onUpdate} of column ${t.name}.${c.name}`);
        if (attrs && lc.collation) adopted.push(`collation ${lc.collation} of column ${t.name}.${c.name}`);
        if (!always && !attrs) return c;
        return { ...c, ...(always ? { identity: 'always' as const } : {}), ...(attrs && lc.onUpdate ? { onUpdate: lc.onUpdate } : {}), ...(attrs && lc.collation ? { collation: lc.collation } : {}) };
      });
      if ((t.checks?.length ?? 0) > 0 || Object.keys(t.options ?? {}).length > 0) return { ...t, columns };
      for (const c of l.checks ?? []) adopted.push(`check (${c.expression}) on table ${t.name}`);
      for (const [k, v] of Object.entries(l.options ?? {})) adopted.push(`option ${k}=${v} of table ${t.name}`);
      return { ...t, columns, ...(l.checks?.length ? { checks: l.checks } : {}), ...(l.options && Object.keys(l.options).length ? { options: l.options } : {}) };
    }),
    ...(objects.length ? { objects } : {}),
  };
  return { schema: out, adopted, dropped };
}

/**
 * What a SQL file states that Evolve does not manage and the live database lacks (an FTS5
 * virtual table, a policy, a procedure, a table's partitioning): such things are never created,
 * so each is reported — `virtual table search (in the SQL file; Evolve does not create it)` —
 * rather than letting a plan claim the database now matches the file. What both sides have
 * is already reported as the live database's.
 */
export function unmanagedOnlyInFile(file: SchemaIR, live: SchemaIR): string[] {
  const have = new Set((live.unmanaged ?? []).map(describeUnmanaged));
  return (file.unmanaged ?? []).map(describeUnmanaged).filter((u) => !have.has(u))
    .map((u) => `${u} (in the SQL file; Evolve does not create it)`);
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
