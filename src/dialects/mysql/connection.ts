/**
 * MySQL/MariaDB connections through mysql2/promise (loaded lazily, so other dialects never
 * load it). A connection works on the database named in the URL.
 */
import type { Connection as Mysql2Connection, ConnectionOptions } from 'mysql2/promise';
import type { CatalogReader, Connection, Row } from '../connection.js';
import { connectTimeoutMs, redact, type DatabaseUrl } from '../url.js';
import type { ConnectOptions } from '../dialect.js';
import { EvolveError, ErrorCode, isEvolveError } from '../../errors.js';
import { MODEL_CHARSET, mysqlSql } from './sql-builder.js';

/** Which server answers: the two differ in how information_schema reports defaults and types. */
export interface MysqlServer {
  readonly flavour: 'mysql' | 'mariadb';
  /** `VERSION()` as the server reports it. */
  readonly version: string;
}

/** An open MySQL/MariaDB connection. */
export interface MysqlConnection extends Connection {
  readonly server: MysqlServer;
  /** Where the connection goes, password included: only for an online tool run beside it (pt-osc.ts), never printed. */
  credentials(): { host: string; port: number; user: string; password: string; database: string };
  /**
   * A second connection to the same server, for reading information_schema beside this one
   * (introspection splits its queries between the two, so the server reads on two threads
   * while rows are parsed here): opened on the first call, kept until {@link Connection.close},
   * read-only when this connection is. Undefined when it cannot be opened (too many
   * connections, say): the caller reads on this connection alone. Its queries name the
   * database they read (never `DATABASE()`), so they read the one this connection is on.
   */
  catalogReader?(): Promise<CatalogReader | undefined>;
}

/** The server behind `version` text (`10.11.6-MariaDB-…` or `8.0.36`). */
export function serverFromVersion(version: string): MysqlServer {
  return { flavour: /mariadb/i.test(version) ? 'mariadb' : 'mysql', version };
}

/** Connection options from the URL (user, password, host, port, database, `?ssl=`, `?connect_timeout=`). */
function optionsFromUrl(url: DatabaseUrl, connectTimeoutSeconds: number | undefined): { options: ConnectionOptions; database: string; password: string } {
  const u = new URL(url.raw);
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  const password = decodeURIComponent(u.password);
  const ssl = u.searchParams.get('ssl') ?? u.searchParams.get('sslmode');
  const options: ConnectionOptions = {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username),
    password,
    database,
    // DDL is not allowed in prepared statements everywhere, and one statement per call is what
    // makes failures precise: plain queries, no multi-statement strings.
    multipleStatements: false,
    supportBigNumbers: true,
    dateStrings: true,
    // mysql2 reads 0 as "no limit" too.
    connectTimeout: connectTimeoutMs(url, connectTimeoutSeconds),
    ...(ssl && !/^(false|0|disable|disabled)$/i.test(ssl) ? { ssl: {} } : {}),
  };
  return { options, database, password };
}

function connectError(url: DatabaseUrl, password: string, e: unknown, timeoutMs: number): EvolveError {
  let msg = redact(String((e as Error)?.message ?? e));
  if (password.length >= 3) msg = msg.split(password).join('***');
  const code = (e as { code?: string })?.code;
  if (code === 'ETIMEDOUT' && timeoutMs > 0) msg = `no answer within ${timeoutMs / 1000} s (${msg})`;
  const hint = code === 'ETIMEDOUT'
    ? `The server did not answer in time: check that the host and port in --db name a MySQL/MariaDB server ` +
      '(not another service) and that it is not overloaded, or raise ?connect_timeout=SECONDS in the URL.'
    : code === 'ECONNREFUSED' || code === 'ENOTFOUND'
      ? 'Check that the MySQL/MariaDB server is running and that the host and port in --db are right.'
      : code === 'ER_DBACCESS_DENIED_ERROR'
        ? 'The user may not use this database (or it does not exist): check the database name in --db, or GRANT the user access to it.'
        : 'Check that the server is running and reachable, and that the user, password and database in the URL are right.';
  return new EvolveError(ErrorCode.DbConnect, `Cannot connect to MySQL database ${url.display}: ${msg}${code && !msg.includes(code) ? ` (${code})` : ''}.`, {
    hint,
    // The driver's error is not attached: only its (redacted) message leaves this module.
  });
}

/** The error for a database the URL names that the server does not have (the same code and fix as PostgreSQL's). */
function missingDatabase(url: DatabaseUrl, database: string): EvolveError {
  return new EvolveError(ErrorCode.DbConnect, `Cannot connect to MySQL database ${url.display}: database '${database}' does not exist.`, {
    hint: `Check the database name in --db (a misspelling?); to create it, run CREATE DATABASE ${mysqlSql.ident(database)}, ` +
      'or pass --create-database to evolve apply, install or upgrade.',
    details: { database },
  });
}

/** The error for a missing database the server refused to create (`denied`: its error). */
function cannotCreate(url: DatabaseUrl, database: string, password: string, denied: unknown): EvolveError {
  let msg = redact(String((denied as Error)?.message ?? denied));
  if (password.length >= 3) msg = msg.split(password).join('***');
  return new EvolveError(ErrorCode.DbConnect,
    `Cannot create MySQL database '${database}' on ${url.display} (--create-database): ${msg}.`, {
      hint: `Create it as a user who may (CREATE DATABASE ${mysqlSql.ident(database)}), or GRANT CREATE ON ${mysqlSql.ident(database)}.* to this user.`,
      details: { database },
    });
}

/**
 * The session's sql_mode with STRICT_ALL_TABLES (so that narrowing a column fails instead of
 * silently cutting values) and without NO_BACKSLASH_ESCAPES / ANSI_QUOTES (so that the
 * builder's quoting of literals means what it says).
 */
export function sessionSqlMode(current: string): string {
  const modes = current.split(',').map((m) => m.trim()).filter((m) => m !== '' && m !== 'NO_BACKSLASH_ESCAPES' && m !== 'ANSI_QUOTES' && m !== 'ANSI');
  if (!modes.includes('STRICT_ALL_TABLES')) modes.push('STRICT_ALL_TABLES');
  return modes.join(',');
}

/**
 * The driver's promise API. (Bundled by scripts/bundle.mjs, the CommonJS module's exports are the
 * namespace's default; loaded by Node from node_modules, they are also named exports.)
 */
async function mysql2(): Promise<typeof import('mysql2/promise')> {
  const m = await import('mysql2/promise') as typeof import('mysql2/promise') & { default?: typeof import('mysql2/promise') };
  return m.default ?? m;
}

/**
 * Open a connection to the database named in `url`. A read-only connection runs every
 * statement in READ ONLY transactions (the server refuses changes). A database that does not
 * exist is an error, unless `createDatabase` and the connection is writable: then it is created.
 * (A SQL file's scratch database is created by the scratch itself, never through this option.)
 * Whatever fails, no connection is left open (the process can exit).
 * @throws EvolveError `E_DB_CONNECT` (the password never appears in the message).
 */
export async function connectMysql(url: DatabaseUrl, options: ConnectOptions): Promise<MysqlConnection> {
  const { options: connOptions, database, password } = optionsFromUrl(url, options.connectTimeoutSeconds);
  const create = options.createDatabase === true && !options.readOnly;
  let c: Mysql2Connection | undefined;
  try {
    const mysql = await mysql2();
    try {
      c = await mysql.createConnection(connOptions);
    } catch (e) {
      if ((e as { code?: string }).code !== 'ER_BAD_DB_ERROR' || !create) throw e;
      // The database does not exist and creating it was asked for: connect to the server alone.
      c = await mysql.createConnection({ ...connOptions, database: undefined });
      try {
        await c.query(`CREATE DATABASE IF NOT EXISTS ${mysqlSql.ident(database)} CHARACTER SET ${MODEL_CHARSET}`);
      } catch (denied) {
        throw cannotCreate(url, database, password, denied);
      }
      await c.query(`USE ${mysqlSql.ident(database)}`);
    }
  } catch (e) {
    c?.destroy();
    if (isEvolveError(e)) throw e;
    if ((e as { code?: string }).code === 'ER_BAD_DB_ERROR') throw missingDatabase(url, database);
    throw connectError(url, password, e, Number(connOptions.connectTimeout));
  }
  try {
    const [rows] = await c.query('SELECT VERSION() AS v, @@SESSION.sql_mode AS m, @@SESSION.explicit_defaults_for_timestamp AS e');
    const info = (rows as Row[])[0] ?? {};
    // Tables are created InnoDB whatever the server's default engine: another engine is part
    // of the schema (a table option), which the models did not ask for.
    await c.query('SET SESSION sql_mode = ?, SESSION default_storage_engine = InnoDB', [sessionSqlMode(String(info.m ?? ''))]);
    // Older servers give the first TIMESTAMP column a hidden default and ON UPDATE; never do that.
    if (Number(info.e) === 0) await c.query('SET SESSION explicit_defaults_for_timestamp = ON').catch(() => undefined);
    if (options.readOnly) await c.query('SET SESSION TRANSACTION READ ONLY');
    const server = serverFromVersion(String(info.v ?? ''));
    const mysql = await mysql2();
    let reader: Promise<Mysql2Connection | undefined> | undefined;
    const openReader = (): Promise<Mysql2Connection | undefined> => mysql.createConnection(connOptions).then(async (r) => {
      // Only SELECTs on information_schema run here; read-only all the same when this connection is.
      if (options.readOnly) await r.query('SET SESSION TRANSACTION READ ONLY');
      // A reader that dies (the server's wait_timeout, say) is opened again at the next use.
      r.on('error', () => { reader = undefined; });
      return r;
    }, () => undefined);
    return {
      dialect: 'mysql',
      displayUrl: url.display,
      server,
      credentials: () => ({
        host: String(connOptions.host), port: Number(connOptions.port), user: String(connOptions.user ?? ''), password, database,
      }),
      async query(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
        const [result] = await c.query(sql, params as unknown[]);
        return Array.isArray(result) ? (result as Row[]) : [];
      },
      async execute(sql: string): Promise<void> {
        await c.query(sql);
      },
      // Rows as mysql2 parses them, queued behind this connection's other queries.
      eachRow(sql: string, params: readonly unknown[], take: (row: Row) => void): Promise<void> {
        return new Promise((done, fail) => {
          let failed = false;
          // (The promise connection's own callback connection: its query emits each row as parsed.)
          const q = (c as unknown as { connection: { query(sql: string, values: unknown[]): NodeJS.EventEmitter } }).connection.query(sql, params as unknown[]);
          // A reader that throws fails the call; the rest of the rows are read and dropped.
          q.on('result', (row: unknown) => { if (!failed) try { take(row as Row); } catch (e) { failed = true; fail(e); } });
          q.on('error', (e: unknown) => { if (!failed) { failed = true; fail(e); } });
          q.on('end', () => { if (!failed) done(); });
        });
      },
      async catalogReader(): Promise<CatalogReader | undefined> {
        const r = await (reader ??= openReader());
        if (r === undefined) return undefined;
        return {
          query: async (sql, params = []) => {
            const [result] = await r.query(sql, params as unknown[]);
            return Array.isArray(result) ? (result as Row[]) : [];
          },
        };
      },
      async close(): Promise<void> {
        const r = reader === undefined ? undefined : await reader;
        reader = undefined;
        await Promise.all([
          (async () => { try { await c.end(); } catch { c.destroy(); } })(),
          (async () => { if (r) try { await r.end(); } catch { r.destroy(); } })(),
        ]);
      },
    };
  } catch (e) {
    c.destroy();
    throw connectError(url, password, e, Number(connOptions.connectTimeout));
  }
}
