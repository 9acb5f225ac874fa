/**
 * Where PostgreSQL parses a SQL file, as a sandbox: whatever the file says, it can change
 * nothing but its own scratch.
 *
 * - On a server (the target's, or the `--scratch` one): a fresh scratch DATABASE (from
 *   template0, so nothing an administrator added to template1 leaks in) and a fresh login ROLE
 *   that owns nothing else and may do nothing else — no superuser, no CREATEDB / CREATEROLE,
 *   no membership, valid for an hour. The file runs over a connection of that role to that
 *   database, so the server itself refuses whatever reaches beyond it: other databases are not
 *   reachable from SQL at all, other roles, server settings (ALTER SYSTEM), server files (COPY
 *   TO/FROM a file, lo_export) and untrusted languages need privileges the role lacks, and a
 *   COMMIT, a SET search_path or a schema-qualified name land in the scratch database. Database
 *   and role are named with their creation time, always dropped (also on failure), and those a
 *   killed client left behind are swept after an hour.
 * - On PGlite, or with `--scratch pglite:memory`: a fresh in-process in-memory database, which
 *   has no network and no host files to reach.
 *
 * What the role cannot do that schema files commonly hold is done for it or left out:
 * `CREATE EXTENSION` runs first, as the scratch's administrator, in the fresh database before
 * any statement of the file (so nothing the file defines can hijack an extension's script);
 * extensions that open connections to other databases (dblink, postgres_fdw) are refused.
 * Owners (`ALTER … OWNER TO`), privileges (GRANT, REVOKE, ALTER DEFAULT PRIVILEGES), comments
 * on extensions and schemas, and old pg_dump's `CREATE LANGUAGE plpgsql` are not part of the
 * schema Evolve reads: skipped. Settings the file made (`SET search_path`, …) are reset before
 * the scratch is read.
 */
import { randomBytes } from 'node:crypto';
import type { SchemaIR } from '../../ir/schema.js';
import { EvolveError, ErrorCode } from '../../errors.js';
import type { Connection } from '../connection.js';
import { rememberSecret } from '../shared/url-helpers.js';
import type { DatabaseUrl } from '../url.js';
import {
  loadStatements, refuseStatements, scratchName, statementHead, statementWords, sweepScratches, SCRATCH_LIKE, type LoadRules,
} from '../shared/sql-file.js';
import { splitSql } from '../shared/sql-split.js';
import { withAka } from '../shared/sql-aka.js';
import { connectPostgres, DEFAULT_SCHEMA, postgresSessionSql, type PgConnection } from './connection.js';
import { introspectPostgres } from './introspect.js';
import { postgresSql } from './sql-builder.js';
import { parsePostgresUrl } from './url.js';

const q = postgresSql.ident;
const DATABASES = `SELECT datname AS name FROM pg_database WHERE datname LIKE ${SCRATCH_LIKE}`;
const ROLES = `SELECT rolname AS name FROM pg_roles WHERE rolname LIKE ${SCRATCH_LIKE}`;
/** Extensions whose functions open connections to other databases: never in a scratch. */
const CONNECTING_EXTENSIONS = new Set(['dblink', 'postgres_fdw']);

/** A quoted or plain PostgreSQL name as the server folds it. */
const unquote = (name: string): string => (name.startsWith('"') ? name.slice(1, -1).replace(/""/g, '"') : name.toLowerCase());
const NAME = String.raw`("(?:[^"]|"")+"|[\w$-]+)`;

/** A file's `CREATE EXTENSION`: the extension, the schema it names, the options after its name, and where it is. */
interface FileExtension {
  readonly name: string; readonly schema: string | null; readonly options: string; readonly statement?: string; readonly index?: number;
}

/** `CREATE EXTENSION` of a statement: the extension, the schema it names, the options after its name. */
function extensionOf(statement: string): FileExtension | null {
  const m = new RegExp(String.raw`^CREATE\s+EXTENSION\s+(?:IF\s+NOT\s+EXISTS\s+)?${NAME}([\s\S]*)$`, 'i').exec(statementHead(statement));
  if (!m) return null;
  const options = m[2]!.trim();
  const schema = new RegExp(String.raw`\bSCHEMA\s+${NAME}`, 'i').exec(options);
  return { name: unquote(m[1]!), schema: schema ? unquote(schema[1]!) : null, options };
}

/** `CREATE SCHEMA` of a statement: the schema it creates. */
function createdSchema(statement: string): string | null {
  const m = new RegExp(String.raw`^CREATE\s+SCHEMA\s+(?:IF\s+NOT\s+EXISTS\s+)?${NAME}`, 'i').exec(statementHead(statement));
  return m && m[1]!.toUpperCase() !== 'AUTHORIZATION' ? unquote(m[1]!) : null;
}

/** Owners, privileges and comments on extensions: not part of the schema Evolve reads. */
function notSchema(statement: string): boolean {
  const words = statementWords(statement, 3);
  if (words[0] === 'GRANT' || words[0] === 'REVOKE') return true;
  if (words[0] === 'ALTER' && words[1] === 'DEFAULT' && words[2] === 'PRIVILEGES') return true;
  if (words[0] === 'COMMENT' && words[1] === 'ON' && (words[2] === 'EXTENSION' || words[2] === 'SCHEMA')) return true;
  // pg_dump of old servers: plpgsql is in every database already (and only its owner may replace it).
  if (/^CREATE\s+(?:OR\s+REPLACE\s+)?(?:TRUSTED\s+)?(?:PROCEDURAL\s+)?LANGUAGE\s+"?plpgsql"?\s*;?\s*$/i.test(statementHead(statement))) return true;
  return words[0] === 'ALTER' && /\bOWNER\s+TO\s+("(?:[^"]|"")+"|[\w$]+)\s*$/i.test(statementHead(statement));
}

/** The rules of a scratch whose extensions (and the schemas they name, and `primary`) already exist. */
function loadRules(made: ReadonlySet<string>, supply?: LoadRules['supply']): LoadRules {
  return {
    ...(supply ? { supply } : {}),
    refuse: (s) => {
      const ext = extensionOf(s);
      return ext && CONNECTING_EXTENSIONS.has(ext.name)
        ? `extension ${ext.name} opens connections to other databases, which the scratch must not reach` : null;
    },
    skip: (s) => extensionOf(s) !== null || notSchema(s) || made.has(createdSchema(s) ?? '\0'),
    denied: (e) => (e as { code?: string }).code === '42501',
  };
}

/**
 * Stand-ins for the tables a file refers to (a foreign key, a view) but does not create, which
 * the database behind `source` holds: their columns and keys, no rows. The scratch has only
 * what the file makes; a stand-in lets a file of one application's tables name another's
 * (`REFERENCES auth.users (id)`) as the live database does. Stand-ins are left out of the
 * schema read back.
 */
class StandIns {
  /** `schema.name` of each stand-in made. */
  readonly made = new Set<string>();
  constructor(private readonly source: Connection, private readonly primary: string) {}

  /** Given a statement's error, make the table (or schema) it lacked; false when there is none to copy. */
  async supply(conn: Connection, e: unknown): Promise<boolean> {
    const code = (e as { code?: string }).code;
    const msg = String((e as Error).message ?? '');
    if (code === '3F000') {
      const schema = /^schema "(.+)" does not exist$/.exec(msg)?.[1];
      if (!schema || (await this.source.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).length === 0) return false;
      await conn.execute(`CREATE SCHEMA IF NOT EXISTS ${q(schema)}`);
      return true;
    }
    if (code !== '42P01') return false;
    const name = /^relation "(.+)" does not exist$/.exec(msg)?.[1];
    if (!name) return false;
    const dot = name.indexOf('.');
    const [schema, rel] = dot === -1 ? [this.primary, name] : [name.slice(0, dot), name.slice(dot + 1)];
    if (this.made.has(`${schema}.${rel}`)) return false;
    const columns = await this.source.query(
      `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a
         JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attnum`, [schema, rel]);
    if (columns.length === 0) return false;
    const keys = await this.source.query(
      `SELECT pg_get_constraintdef(k.oid) AS def FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2 AND k.contype IN ('p', 'u') ORDER BY k.conname`, [schema, rel]);
    const parts = [...columns.map((c) => `${q(String(c.name))} ${String(c.type)}`), ...keys.map((k) => String(k.def))];
    await conn.execute(`CREATE SCHEMA IF NOT EXISTS ${q(schema)}`);
    await conn.execute(`CREATE TABLE ${q(schema)}.${q(rel)} (${parts.join(', ')})`);
    this.made.add(`${schema}.${rel}`);
    return true;
  }

  /** `schema` without the stand-ins (named as introspection names them: unqualified in the primary schema). */
  without(schema: SchemaIR): SchemaIR {
    if (this.made.size === 0) return schema;
    const irName = (key: string): string => (key.startsWith(`${this.primary}.`) ? key.slice(this.primary.length + 1) : key);
    const gone = new Set([...this.made].map(irName));
    return { ...schema, tables: schema.tables.filter((t) => !gone.has(t.name)) };
  }
}

/** Drop database `name`: WITH (FORCE) (PostgreSQL 13+) ends any session left on it; older servers drop it without. */
async function dropDatabase(admin: Connection, name: string): Promise<void> {
  const drop = `DROP DATABASE IF EXISTS ${q(name)}`;
  await admin.execute(`${drop} WITH (FORCE)`).catch(() => admin.execute(drop));
}

/** `near` with another database, and (when given) another user and password. */
function urlOf(near: DatabaseUrl, database: string, login?: { user: string; password: string }): DatabaseUrl {
  const u = new URL(near.raw);
  u.pathname = `/${encodeURIComponent(database)}`;
  if (login) { u.username = encodeURIComponent(login.user); u.password = encodeURIComponent(login.password); }
  return parsePostgresUrl(u.toString())!;
}

function scratchDenied(near: DatabaseUrl, file: string, what: string, e: unknown, hint: string): EvolveError {
  return new EvolveError(ErrorCode.ScratchDenied,
    `Cannot parse '${file}': a SQL file is loaded into a sandbox (a scratch database and a login role of its own), ` +
    `and ${near.display} refused to ${what}: ${(e as Error).message}.`, {
      hint: `${hint} Or give --scratch URL: a development server where Evolve may create databases and roles, or pglite:memory (in-process).`,
      cause: e,
    });
}

/** SQL texts read on in-memory PGlite in this process (schemas, text) → the schema read; the oldest dropped first. */
const PGLITE_READS = new Map<string, SchemaIR>();
const PGLITE_READS_KEPT = 32;

/**
 * Load SQL `text` into a sandbox beside `near` (see the module comment) and introspect it as a
 * database of `near`'s schemas.
 * @throws EvolveError `E_SQL_REFUSED` for a statement that reaches beyond the scratch,
 * `E_SQL_FAILED` naming the statement the database rejected, `E_SCRATCH_DENIED` when the
 * server will not make the sandbox.
 */
export async function postgresSchemaFromSql(near: DatabaseUrl, text: string, file: string): Promise<SchemaIR> {
  const primary = near.schema ?? DEFAULT_SCHEMA;
  const extra = near.schemas ?? [];
  const options = { schema: primary, schemas: extra };
  const qualify = (schema: string | null, name: string): string =>
    (schema === null || schema === primary || !extra.includes(schema) ? name : `${schema}.${name}`);
  const statements = splitSql(text);
  const extensions = statements.flatMap((statement, index) => {
    const ext = extensionOf(statement);
    return ext ? [{ ...ext, statement, index }] : [];
  });
  // Stand-ins come from the database of `near` (on PGlite: none, the scratch is a fresh instance).
  let source: Connection | null = null;
  const load = async (conn: PgConnection, made: Set<string>): Promise<SchemaIR> => {
    const standIns = source ? new StandIns(source, primary) : null;
    // A scratch need not survive a crash: no WAL flush at each of the file's (autocommitted) statements.
    await conn.execute('SET synchronous_commit TO off');
    await loadStatements(conn, 'postgres', text, file, loadRules(made, standIns ? (e) => standIns.supply(conn, e) : undefined));
    // What the file SET (pg_dump empties search_path, sets standard_conforming_strings…) must
    // not change how the catalog is read back: the session as connectPostgres made it.
    await conn.execute(`RESET ALL; ${postgresSessionSql(primary, false)}`);
    const schema = await introspectPostgres(conn, options);
    return withAka(standIns ? standIns.without(schema) : schema, text, qualify);
  };
  refuseStatements(statements, 'postgres', file, loadRules(new Set()));

  if (near.pglite) {
    // A fresh in-memory instance of the same PGlite build reads the same text the same way:
    // a file read again in this process (evolve diff a b, then b c) is not loaded again.
    const key = JSON.stringify([primary, extra, text]);
    const known = PGLITE_READS.get(key);
    if (known) return known;
    const conn = await connectPostgres(parsePostgresUrl('pglite:memory')!, { readOnly: false, ...options });
    try {
      const made = await createExtensions(conn, extensions, primary, null, file, statements.length, extra);
      const schema = await load(conn, made);
      if (PGLITE_READS.size >= PGLITE_READS_KEPT) PGLITE_READS.delete(PGLITE_READS.keys().next().value!);
      PGLITE_READS.set(key, schema);
      return schema;
    } finally {
      await conn.close().catch(() => undefined);
    }
  }

  const name = scratchName();
  const password = randomBytes(24).toString('hex');
  rememberSecret(password);
  // The target's own connection, only to make and drop the sandbox (its schema is never created here).
  const admin = await connectPostgres(near, { readOnly: false, schema: 'pg_catalog' });
  source = admin;
  try {
    await sweepScratches(admin, DATABASES, (n) => dropDatabase(admin, n));
    await sweepScratches(admin, ROLES, (n) => admin.execute(`DROP ROLE IF EXISTS ${q(n)}`));
    const until = new Date(Date.now() + 60 * 60 * 1000).toISOString();
    try {
      await admin.execute(`CREATE ROLE ${q(name)} LOGIN PASSWORD ${postgresSql.literal(password)} NOSUPERUSER NOCREATEDB NOCREATEROLE ` +
        `NOINHERIT NOREPLICATION NOBYPASSRLS CONNECTION LIMIT 3 VALID UNTIL ${postgresSql.literal(until)}`);
    } catch (e) {
      throw scratchDenied(near, file, 'create a login role', e, 'Let the user create roles (ALTER ROLE <user> CREATEROLE).');
    }
    try {
      try {
        await admin.execute(`CREATE DATABASE ${q(name)} TEMPLATE template0`);
      } catch (e) {
        throw scratchDenied(near, file, 'create a database', e, 'Let the user create databases (ALTER ROLE <user> CREATEDB).');
      }
      try {
        return await loadInto(near, name, password, options, extensions, load, file, statements.length);
      } finally {
        await dropDatabase(admin, name).catch(() => undefined);
      }
    } finally {
      await admin.execute(`DROP ROLE IF EXISTS ${q(name)}`).catch(() => undefined);
    }
  } finally {
    await admin.close().catch(() => undefined);
  }
}

/** Set up scratch database `name` as its administrator (schemas, extensions, privileges), then load the file as the sandbox role. */
async function loadInto(near: DatabaseUrl, name: string, password: string, options: { schema: string; schemas: readonly string[] },
  extensions: readonly FileExtension[], load: (conn: PgConnection, made: Set<string>) => Promise<SchemaIR>, file: string, count: number): Promise<SchemaIR> {
  const setup = await connectPostgres(urlOf(near, name), { readOnly: false, schema: options.schema });
  let made: Set<string>;
  try {
    await setup.execute(`REVOKE ALL ON DATABASE ${q(name)} FROM PUBLIC`);
    await setup.execute(`GRANT CONNECT, CREATE, TEMPORARY ON DATABASE ${q(name)} TO ${q(name)}`);
    made = await createExtensions(setup, extensions, options.schema, name, file, count, options.schemas);
  } finally {
    await setup.close().catch(() => undefined);
  }
  let conn: PgConnection;
  try {
    conn = await connectPostgres(urlOf(near, name, { user: name, password }), { readOnly: false, ...options });
  } catch (e) {
    throw scratchDenied(near, file, 'let the scratch role log in', e,
      'Let roles named _evolve_scratch_* log in to databases of the same name with a password (pg_hba.conf).');
  }
  try {
    return await load(conn, made);
  } finally {
    await conn.close().catch(() => undefined);
  }
}

/**
 * As the scratch's administrator, before any statement of the file: the primary schema, the
 * file's extensions (each in the schema it names, else the primary one) and those schemas,
 * all usable by `role` (null on PGlite: one user). Returns the schemas made, which the file's
 * own CREATE SCHEMA then finds.
 */
async function createExtensions(conn: PgConnection, extensions: readonly FileExtension[],
  primary: string, role: string | null, file: string, count: number, extra: readonly string[] = []): Promise<Set<string>> {
  const made = new Set<string>(['public', primary]);
  await conn.execute(`CREATE SCHEMA IF NOT EXISTS ${q(primary)}`);
  const share = async (schema: string): Promise<void> => {
    if (role !== null) await conn.execute(`GRANT USAGE, CREATE ON SCHEMA ${q(schema)} TO ${q(role)}`);
  };
  await share(primary);
  if (primary !== 'public') await share('public');
  // The other schemas the file is read as a database of (?schemas=): models compiled to SQL
  // name them without creating them, as apply creates them on the database.
  for (const schema of extra) {
    if (made.has(schema)) continue;
    await conn.execute(`CREATE SCHEMA IF NOT EXISTS ${q(schema)}`);
    await share(schema);
    made.add(schema);
  }
  for (const ext of extensions) {
    if (ext.schema !== null && !made.has(ext.schema)) {
      await conn.execute(`CREATE SCHEMA IF NOT EXISTS ${q(ext.schema)}`);
      await share(ext.schema);
      made.add(ext.schema);
    }
    // The options come from one statement of the file (SCHEMA, VERSION, CASCADE): nothing else can follow them.
    try {
      await conn.execute(`CREATE EXTENSION IF NOT EXISTS ${q(ext.name)} ${ext.options}`);
    } catch (e) {
      throw new EvolveError(ErrorCode.SqlFailed, `Statement ${ext.index! + 1} of ${count} in '${file}' was rejected by postgres: ${(e as Error).message}.`, {
        hint: `Install extension ${ext.name} on the server that parses the file (or give --scratch URL to one that has it), ` +
          `or remove the statement from '${file}'.`,
        details: { file, statement: ext.statement, index: ext.index },
        cause: e,
      });
    }
  }
  return made;
}
