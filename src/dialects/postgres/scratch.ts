/**
 * Where PostgreSQL parses a SQL file: a scratch schema on the target's server, loaded in a
 * transaction that is rolled back (a client that dies mid-load leaves nothing behind; a file
 * the server will not run in a transaction is loaded again without one), or — when the
 * connection manages extra schemas, which a file creates and a schema cannot hold — a scratch
 * database on the same server; on PGlite a fresh in-memory database. Scratches are named with
 * their creation time, always dropped, and those a killed client left behind swept after an hour.
 */
import type { SchemaIR } from '../../ir/schema.js';
import { EvolveError, ErrorCode } from '../../errors.js';
import type { Connection } from '../connection.js';
import type { DatabaseUrl } from '../url.js';
import { loadStatements, scratchName, sweepScratches, SCRATCH_LIKE } from '../shared/sql-file.js';
import { withAka } from '../shared/sql-aka.js';
import { connectPostgres, DEFAULT_SCHEMA } from './connection.js';
import { introspectPostgres } from './introspect.js';
import { postgresSql } from './sql-builder.js';
import { parsePostgresUrl } from './url.js';

const SCHEMAS = `SELECT nspname AS name FROM pg_namespace WHERE nspname LIKE ${SCRATCH_LIKE}`;
const DATABASES = `SELECT datname AS name FROM pg_database WHERE datname LIKE ${SCRATCH_LIKE}`;

/** Drop database `name`: WITH (FORCE) (PostgreSQL 13+) ends any session left on it; older servers drop it without. */
async function dropDatabase(admin: Connection, name: string): Promise<void> {
  const drop = `DROP DATABASE IF EXISTS ${postgresSql.ident(name)}`;
  await admin.execute(`${drop} WITH (FORCE)`).catch(() => admin.execute(drop));
}

/** The URL of scratch schema `name` on the server of `near`. */
function schemaUrl(near: DatabaseUrl, name: string): DatabaseUrl {
  const u = new URL(near.raw);
  u.searchParams.set('schema', name);
  return parsePostgresUrl(u.toString())!;
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
function withFileExtensions(schema: SchemaIR, text: string): SchemaIR {
  const have = new Set((schema.objects ?? []).filter((o) => o.kind === 'extension').map((o) => o.name));
  const named = [...text.matchAll(/create\s+extension\s+(?:if\s+not\s+exists\s+)?("(?:[^"]|"")+"|[\w$-]+)/gi)]
    .map((m) => (m[1]!.startsWith('"') ? m[1]!.slice(1, -1).replace(/""/g, '"') : m[1]!.toLowerCase()))
    .filter((x) => x !== 'plpgsql' && !have.has(x));
  if (named.length === 0) return schema;
  const q = postgresSql.ident;
  const extra = [...new Set(named)].map((n) => ({
    kind: 'extension' as const, name: n, table: null, definition: n,
    create: [`CREATE EXTENSION IF NOT EXISTS ${q(n)}`], drop: [`DROP EXTENSION IF EXISTS ${q(n)}`],
  }));
  return { ...schema, objects: [...(schema.objects ?? []), ...extra] };
}

/**
 * Load SQL `text` into a scratch database beside `near` and introspect it.
 * @throws EvolveError `E_SQL_FAILED` naming the statement the database rejected.
 */
export async function postgresSchemaFromSql(near: DatabaseUrl, text: string, file: string): Promise<SchemaIR> {
  const extra = near.schemas ?? [];
  if (extra.length > 0) return pgSchemasFromSql(near, extra, text, file);
  if (!near.pglite) {
    // In a transaction that is rolled back, a client that dies mid-load leaves nothing behind.
    // A file the server will not run in a transaction (CREATE INDEX CONCURRENTLY, …) is
    // loaded again without one.
    try {
      return await loadScratch(near, text, file, true);
    } catch (e) {
      if ((e as { cause?: { code?: string } }).cause?.code !== '25001') throw e;
    }
  }
  return loadScratch(near, text, file, false);
}

/** Load `text` into a fresh scratch schema or database and introspect it; always dropped. */
async function loadScratch(near: DatabaseUrl, text: string, file: string, inTransaction: boolean): Promise<SchemaIR> {
  const name = scratchName();
  const pgServer = !near.pglite;
  const url = pgServer ? schemaUrl(near, name) : parsePostgresUrl('pglite:memory')!;
  const conn = await connectPostgres(url, { readOnly: false, ...(pgServer ? { schema: name } : {}) });
  const q = postgresSql.ident;
  try {
    if (inTransaction) await conn.execute('BEGIN').then(() => conn.execute(`CREATE SCHEMA ${q(name)}`));
    // PostgreSQL extensions are per database: one the target schema already has cannot be
    // created again in the scratch schema. With the target on the search path, the file's
    // CREATE EXTENSION IF NOT EXISTS finds it and its types and functions resolve.
    if (pgServer) await conn.execute(`SET search_path TO ${q(name)}, ${q(near.schema ?? 'public')}`);
    await loadStatements(conn, 'postgres', text, file);
    const schema = await introspectPostgres(conn, pgServer ? { schema: name } : {});
    return withAka(pgServer ? withTargetReferences(withFileExtensions(schema, text), near.schema ?? DEFAULT_SCHEMA) : schema, text);
  } finally {
    if (inTransaction) await conn.execute('ROLLBACK').catch(() => undefined);
    // Stale scratches of dead clients: after the rollback, so the sweep is never undone.
    if (pgServer) await sweepScratches(conn, SCHEMAS, (n) => conn.execute(`DROP SCHEMA IF EXISTS ${q(n)} CASCADE`));
    // Also after a rollback: a file may COMMIT on its own.
    if (pgServer) await conn.execute(`DROP SCHEMA IF EXISTS ${q(name)} CASCADE`).catch(() => undefined);
    await conn.close().catch(() => undefined);
  }
}

/**
 * PostgreSQL with extra schemas: the file creates schemas beside the primary one, so it is
 * loaded into a scratch DATABASE on the same server (PGlite: a fresh in-memory one), opened
 * with the same primary and extra schemas, introspected, and always dropped — also on failure.
 * @throws EvolveError `E_DB_CONNECT` when the server refuses CREATE DATABASE (the fix: CREATEDB).
 */
async function pgSchemasFromSql(near: DatabaseUrl, extra: readonly string[], text: string, file: string): Promise<SchemaIR> {
  const primary = near.schema ?? DEFAULT_SCHEMA;
  const options = { schema: primary, schemas: extra };
  const qualify = (schema: string | null, name: string): string =>
    (schema === null || schema === primary || !extra.includes(schema) ? name : `${schema}.${name}`);
  const load = async (url: DatabaseUrl): Promise<SchemaIR> => {
    const conn = await connectPostgres(url, { readOnly: false, ...options });
    try {
      await loadStatements(conn, 'postgres', text, file);
      return withAka(await introspectPostgres(conn, options), text, qualify);
    } finally {
      await conn.close().catch(() => undefined);
    }
  };
  if (near.pglite) return load(parsePostgresUrl('pglite:memory')!);
  const name = scratchName();
  const q = postgresSql.ident;
  const admin = await connectPostgres(near, { readOnly: false, ...options });
  try {
    await sweepScratches(admin, DATABASES, (n) => dropDatabase(admin, n));
    try {
      // template0: nothing an administrator added to template1 leaks into the desired schema.
      await admin.execute(`CREATE DATABASE ${q(name)} TEMPLATE template0`);
    } catch (e) {
      const denied = (e as { code?: string }).code === '42501';
      throw new EvolveError(ErrorCode.DbConnect,
        `Cannot parse '${file}': with extra schemas (${extra.join(', ')}) a SQL file is loaded into a scratch database, ` +
        `and ${near.display} refused CREATE DATABASE: ${(e as Error).message}.`, {
          hint: denied
            ? 'Let the user create databases (ALTER ROLE <user> CREATEDB), or compare against a TypeScript models module, or leave out --schemas / ?schemas=.'
            : 'Check that the server accepts CREATE DATABASE from this user, or leave out --schemas / ?schemas=.',
          cause: e,
        });
    }
    try {
      const u = new URL(near.raw);
      u.pathname = `/${encodeURIComponent(name)}`;
      const url = parsePostgresUrl(u.toString())!;
      return await load({ ...url, ...(near.schema ? { schema: near.schema } : {}), schemas: extra });
    } finally {
      await dropDatabase(admin, name).catch(() => undefined);
    }
  } finally {
    await admin.close().catch(() => undefined);
  }
}
