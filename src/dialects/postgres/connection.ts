/**
 * PostgreSQL connections: a server through `pg`, or PGlite (in-process PostgreSQL), both
 * loaded lazily so that other dialects never load them.
 *
 * Every connection pins its session so that introspection and fingerprints do not depend on
 * the server's or the user's incidental settings:
 * - `search_path` is exactly the target schema: unqualified names in generated SQL reach that
 *   schema and no other, and `format_type()` / `regclass` print its objects unqualified
 *   whatever the schema is called;
 * - TimeZone UTC, DateStyle ISO, IntervalStyle postgres, extra_float_digits 1: how constants
 *   in defaults are printed;
 * - a read-only connection sets `default_transaction_read_only`, so the server refuses any change.
 *
 * Extra schemas (`?schemas=` / `--schemas`) are not on the `search_path`: generated SQL names
 * their tables and objects qualified (`"billing"."invoice"`), and the catalog prints them
 * qualified, the same way on every server.
 *
 * A writable connection creates its schema when it does not exist, just before the first
 * statement that may need it (inside the caller's transaction when there is one): every writer
 * — a plan, a stored evolution, an upgrade step, the deployment record — can start from nothing.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { acquirePglite } from './pglite-pool.js';
import { freshMemoryPglite } from './pglite-template.js';
import type { Client } from 'pg';
import type { PGlite } from '@electric-sql/pglite';
import type { CatalogReader, Connection, Row } from '../connection.js';
import { connectTimeoutMs, parseSchemaList, redact, type DatabaseUrl } from '../url.js';
import type { ConnectOptions } from '../dialect.js';
import { EvolveError, ErrorCode } from '../../errors.js';
import { quoteWith } from '../shared/quote.js';

/** The schema used when neither the URL nor the options name one. */
export const DEFAULT_SCHEMA = 'public';

/** An open PostgreSQL (or PGlite) connection, scoped to one schema (and any extra schemas). */
export interface PgConnection extends Connection {
  readonly dialect: 'postgres';
  /** The schema everything addresses (the session's whole `search_path`). */
  readonly schema: string;
  /** Schemas managed beside it (never the primary one); their names are qualified. */
  readonly schemas: readonly string[];
  readonly readOnly: boolean;
  readonly driver: 'pg' | 'pglite';
  /** Point the connection at another schema (re-pins `search_path`). */
  useSchema(schema: string): Promise<void>;
  /**
   * A second session on the same server (PostgreSQL, never PGlite), for reading catalogs beside
   * this one: introspection sends some of its queries there, so the server reads two at once.
   * Opened on the first call, kept until {@link Connection.close}, set up as this one is (the
   * same settings, read-only when this one is) and on this one's `search_path` at each query.
   * Undefined when it cannot be opened (too many connections, say). A caller uses it only
   * when this session has nothing uncommitted the other could not see.
   */
  catalogReader?(): Promise<CatalogReader | undefined>;
}

/** True for connections made by {@link connectPostgres}. */
export function isPgConnection(c: Connection): c is PgConnection {
  return c.dialect === 'postgres' && typeof (c as Partial<PgConnection>).useSchema === 'function';
}

interface Driver {
  query(sql: string, params: readonly unknown[]): Promise<Row[]>;
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

const searchPathSql = (schema: string): string => `SET search_path TO ${quoteWith('"', schema)}`;

/** Statements that only read or steer the session: they never need the schema to exist. */
const NEEDS_NO_SCHEMA = new RegExp(
  String.raw`^\s*(SELECT|WITH|SHOW|SET|RESET|BEGIN|START|COMMIT|END|ROLLBACK|SAVEPOINT|RELEASE|EXPLAIN|VALUES|TABLE|DISCARD|` +
  String.raw`CREATE\s+SCHEMA|(?:CREATE|DROP)\s+DATABASE)\b`, 'i');

/** The settings every Evolve session starts with (search_path pinned to `schema`). */
export function postgresSessionSql(schema: string, readOnly: boolean): string {
  return [
    searchPathSql(schema),
    "SET TimeZone TO 'UTC'",
    "SET DateStyle TO 'ISO, YMD'",
    "SET IntervalStyle TO 'postgres'",
    'SET extra_float_digits TO 1',
    'SET standard_conforming_strings TO on',
    // DROP ... IF EXISTS and friends raise NOTICEs; they are noise here.
    'SET client_min_messages TO warning',
    // Catalog queries are small; JIT compiling them (on by default when statistics look large)
    // costs more than running them.
    'SET jit TO off',
    // Likewise, starting parallel workers costs more than the catalog scans they would share.
    'SET max_parallel_workers_per_gather TO 0',
    ...(readOnly ? ['SET default_transaction_read_only TO on'] : []),
  ].join('; ');
}

/** A readable message from whatever a driver threw (PGlite throws Emscripten errno objects). */
function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  const o = e as { message?: unknown; name?: unknown; errno?: unknown } | null;
  if (o && typeof o === 'object') {
    if (typeof o.message === 'string') return o.message;
    if (o.errno !== undefined) return `${String(o.name ?? 'error')} (errno ${String(o.errno)}): the path is not a directory PGlite can use`;
  }
  return String(e);
}

/** The hint for a missing database `name` (PostgreSQL's and MySQL's say the same). */
const missingDatabaseHint = (name: string): string =>
  `Check the database name in --db (a misspelling?); to create it, run CREATE DATABASE ${quoteWith('"', name)} (or createdb), ` +
  'or pass --create-database to evolve apply, install or upgrade.';

function connectError(url: DatabaseUrl, e: unknown, timeoutMs = 0): EvolveError {
  let msg = redact(errorText(e));
  // Belt and braces: the password itself never appears, whatever the driver put in its message.
  try {
    const pw = decodeURIComponent(new URL(url.raw).password);
    if (pw) msg = msg.split(pw).join('***');
  } catch { /* not a URL (PGlite) */ }
  const code = (e as { code?: string })?.code;
  const timedOut = timeoutMs > 0 && /timeout/i.test(msg);
  if (timedOut) msg = `no answer within ${timeoutMs / 1000} s (${msg})`;
  const hint = timedOut
    ? `The server accepted the connection but did not answer within ${timeoutMs / 1000} s: check that the host and port in --db name a ` +
      'PostgreSQL server (not another service) and that it is not overloaded, or raise ?connect_timeout=SECONDS in the URL.'
    : code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT'
      ? 'Check that the PostgreSQL server is running and that the host and port in --db are right.'
      : code === '28P01' || code === '28000'
        ? 'Check the user name and password in --db (or the server\'s pg_hba.conf).'
        : code === '3D000'
          ? missingDatabaseHint(databaseName(new URL(url.raw)))
          : url.pglite ? 'Check that the PGlite directory exists, is writable, and holds a PGlite database (or nothing yet).'
            : 'Check the --db URL and that the server accepts connections.';
  return new EvolveError(ErrorCode.DbConnect, `Cannot connect to ${url.display}: ${msg}.`, { hint, cause: e });
}

/** The database a `postgres://` URL names (libpq's default: the user's name). */
function databaseName(u: URL): string {
  const path = decodeURIComponent(u.pathname.replace(/^\//, ''));
  return path || u.searchParams.get('dbname') || decodeURIComponent(u.username) || process.env.USER || 'postgres';
}

let pgModule: typeof import('pg') | undefined;

/** `require` where this module is CommonJS or bundled (scripts/bundle.mjs gives each output file one). */
declare const require: NodeJS.Require | undefined;

/**
 * `pg`, loaded synchronously. In the bundle (scripts/bundle.mjs) the literal `require('pg')` is
 * the driver written into this chunk, which saves resolving, reading and compiling its ~40
 * CommonJS files at every PostgreSQL command; run unbundled, from node_modules.
 */
function requirePg(): typeof import('pg') {
  return (typeof require === 'function' ? require('pg') : createRequire(import.meta.url)('pg')) as typeof import('pg');
}

/**
 * The `pg` package. At load it asks whether it runs in a Cloudflare Worker; where `navigator` is
 * missing (Node 20; Node 21 and later have one) it constructs a fetch `Response` to find out,
 * which loads Node's whole fetch implementation (undici): ~25 ms of every PostgreSQL command.
 * A `navigator` is present for that load alone, which is synchronous (pg is CommonJS), so
 * nothing else runs while it is there.
 */
function loadPg(): typeof import('pg') {
  if (pgModule) return pgModule;
  if ('navigator' in globalThis) return pgModule = requirePg();
  Object.defineProperty(globalThis, 'navigator', { value: { userAgent: 'Node.js' }, configurable: true, writable: true, enumerable: false });
  try {
    return pgModule = requirePg();
  } finally {
    delete (globalThis as { navigator?: unknown }).navigator;
  }
}

/** A `pg` client for `u` (Evolve's own parameters left out), connected; closed again on failure. */
async function pgClient(u: URL, timeoutMs: number): Promise<Client> {
  const pg = loadPg();
  const client: Client = new pg.Client({ connectionString: u.toString(), application_name: 'evolve', connectionTimeoutMillis: timeoutMs });
  // A connection lost while idle must not crash the process; the next query reports it.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => undefined);
    throw e;
  }
  return client;
}

/**
 * Create the database `u` names (`--create-database`), connected to the server's maintenance
 * database (`postgres`, else `template1`) with the same user. One that appeared meanwhile is fine.
 */
async function createPgDatabase(url: DatabaseUrl, u: URL, timeoutMs: number): Promise<void> {
  const name = databaseName(u);
  let admin: Client | undefined;
  for (const maintenance of ['postgres', 'template1']) {
    const m = new URL(u);
    m.pathname = `/${maintenance}`;
    m.searchParams.delete('dbname');
    try { admin = await pgClient(m, timeoutMs); break; } catch (e) {
      if ((e as { code?: string }).code !== '3D000' || maintenance === 'template1') throw connectError(url, e, timeoutMs);
    }
  }
  try {
    await admin!.query(`CREATE DATABASE ${quoteWith('"', name)}`);
  } catch (e) {
    if ((e as { code?: string }).code === '42P04') return; // created by someone else meanwhile
    const denied = (e as { code?: string }).code === '42501';
    throw new EvolveError(ErrorCode.DbConnect, `Cannot create database "${name}" on ${url.display} (--create-database): ${redact(errorText(e))}.`, {
      hint: denied
        ? `Create it as a user who may (createdb ${name}), or let this user create databases (ALTER ROLE <user> CREATEDB).`
        : 'Create the database first (createdb), then run the command again without --create-database.',
      cause: e, details: { database: name },
    });
  } finally {
    await admin!.end().catch(() => undefined);
  }
}

async function openPg(url: DatabaseUrl, options: ConnectOptions): Promise<Driver> {
  const u = new URL(url.raw);
  // `schema`, `schemas` and `connect_timeout` are Evolve's parameters, not node-postgres's: the
  // server would reject the first two as settings, and the timeout is given to the client.
  u.searchParams.delete('schema');
  u.searchParams.delete('schemas');
  u.searchParams.delete('connect_timeout');
  const timeoutMs = connectTimeoutMs(url, options.connectTimeoutSeconds);
  let client: Client;
  try {
    client = await pgClient(u, timeoutMs);
  } catch (e) {
    if ((e as { code?: string }).code !== '3D000' || options.readOnly || !options.createDatabase) throw connectError(url, e, timeoutMs);
    await createPgDatabase(url, u, timeoutMs);
    try { client = await pgClient(u, timeoutMs); } catch (again) { throw connectError(url, again, timeoutMs); }
  }
  // One query at a time on the session: a reader may ask for several at once (the introspector
  // does, inside a transaction where it has no second session), and node-postgres only queues
  // them with a deprecation warning on stderr (pg 9 will refuse). The server runs a session's
  // queries one after another either way, so waiting here costs nothing.
  let last: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(run: () => Promise<T>): Promise<T> => {
    const next = last.then(run);
    last = next.catch(() => undefined);
    return next;
  };
  return {
    query: (sql, params) => inTurn(async () => (await client.query(sql, params as unknown[])).rows as Row[]),
    exec: (sql) => inTurn(async () => { await client.query(sql); }),
    close: () => client.end(), // not in turn: closing ends what is still running
  };
}

async function openPglite(url: DatabaseUrl, readOnly: boolean): Promise<Driver> {
  const path = url.path ?? ':memory:';
  // A read-only look at a directory that holds no database sees an empty one, and creates nothing.
  const memory = path === ':memory:' || (readOnly && !existsSync(join(path, 'PG_VERSION')));
  if (memory) {
    let db: PGlite;
    try {
      const { PGlite: PGliteClass } = await import('@electric-sql/pglite');
      db = await freshMemoryPglite(PGliteClass);
    } catch (e) {
      throw connectError(url, e);
    }
    return {
      query: async (sql, params) => (await db.query<Row>(sql, params as unknown[])).rows,
      exec: async (sql) => { await db.exec(sql); },
      close: () => db.close(),
    };
  }
  let lease: Awaited<ReturnType<typeof acquirePglite>>;
  try {
    lease = await acquirePglite(path);
  } catch (e) {
    throw connectError(url, e);
  }
  const { db } = lease;
  return {
    query: async (sql, params) => (await db.query<Row>(sql, params as unknown[])).rows,
    exec: async (sql) => { await db.exec(sql); },
    close: () => lease.release(),
  };
}

/**
 * Open a PostgreSQL server (`postgres://`, `postgresql://`) or PGlite (`pglite:DIR`) database,
 * scoped to `options.schema`, else `url.schema`, else `public` (introspection options may move it).
 * A server database that does not exist is an error (`E_DB_CONNECT`, saying how to create it),
 * unless `options.createDatabase` on a writable connection: then it is created first. A server
 * that does not answer within the connect timeout (`?connect_timeout=`, else
 * `options.connectTimeoutSeconds`, else 10 s) is an error too.
 * @throws EvolveError `E_DB_CONNECT` naming the cause; the password is never shown.
 */
export async function connectPostgres(url: DatabaseUrl, options: ConnectOptions): Promise<PgConnection> {
  let schema = options.schema ?? url.schema ?? DEFAULT_SCHEMA;
  const extra = parseSchemaList(options.schemas ?? url.schemas, schema);
  const driver = url.pglite ? await openPglite(url, options.readOnly) : await openPg(url, options);
  try {
    await driver.exec(postgresSessionSql(schema, options.readOnly));
  } catch (e) {
    await driver.close().catch(() => undefined);
    throw connectError(url, e);
  }
  // Known to exist (and committed): no need to look again. A schema created here inside a
  // transaction that then rolls back is looked for again next time.
  let schemaExists = false;
  const ensureSchema = async (sql: string): Promise<void> => {
    if (options.readOnly || schemaExists || NEEDS_NO_SCHEMA.test(sql)) return;
    if ((await driver.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).length > 0) { schemaExists = true; return; }
    await driver.exec(`CREATE SCHEMA ${quoteWith('"', schema)}`);
  };
  // The catalog reader: its own session, on the schema this one is on when it reads.
  let reader: Promise<{ driver: Driver; schema: string } | undefined> | undefined;
  const openReader = async (): Promise<{ driver: Driver; schema: string } | undefined> => {
    try {
      const d = await openPg(url, { ...options, createDatabase: false });
      try {
        await d.exec(postgresSessionSql(schema, options.readOnly));
      } catch {
        await d.close().catch(() => undefined);
        return undefined;
      }
      return { driver: d, schema };
    } catch {
      return undefined;
    }
  };
  return {
    dialect: 'postgres',
    displayUrl: url.display,
    readOnly: options.readOnly,
    driver: url.pglite ? 'pglite' : 'pg',
    get schema() { return schema; },
    get schemas() { return extra.filter((x) => x !== schema); },
    async useSchema(next: string): Promise<void> {
      if (next === schema) return;
      await driver.exec(searchPathSql(next));
      schema = next;
      schemaExists = false;
    },
    async query(sql, params = []) { await ensureSchema(sql); return driver.query(sql, params); },
    async execute(sql) { await ensureSchema(sql); await driver.exec(sql); },
    ...(url.pglite ? {} : {
      async catalogReader(): Promise<CatalogReader | undefined> {
        const r = await (reader ??= openReader());
        if (r === undefined) return undefined;
        return {
          query: async (sql: string, params: readonly unknown[] = []): Promise<Row[]> => {
            try {
              if (r.schema !== schema) { const to = schema; await r.driver.exec(searchPathSql(to)); r.schema = to; }
              return await r.driver.query(sql, params);
            } catch (e) {
              // A reader that failed (its session lost, say) is opened again at the next use.
              if (reader !== undefined && await reader === r) { reader = undefined; await r.driver.close().catch(() => undefined); }
              throw e;
            }
          },
        };
      },
    }),
    async close(): Promise<void> {
      const r = reader === undefined ? undefined : await reader;
      reader = undefined;
      await Promise.all([driver.close(), r?.driver.close().catch(() => undefined)]);
    },
  };
}
