/** Opening a database by URL: the dialect, a connection, the scope options, and the deploy lock. */
import type { ProgressReporter } from '../plan/progress.js';
import {
  DEFAULT_BATCHES, type Batches, type ClusterOptions, type ConnectOptions, type Dialect, type IntrospectOptions, type NodeCheck,
} from '../dialects/dialect.js';
import type { Connection } from '../dialects/connection.js';
import { detectFlavour, loadDialect } from '../dialects/registry.js';
import { fingerprint } from '../ir/fingerprint.js';
import { parseDatabaseUrl, parseSchemaList, type DatabaseUrl } from '../dialects/url.js';
import type { SchemaIR } from '../ir/schema.js';
import { assertNamesPrintable } from '../ir/names.js';
import { EvolveError, ErrorCode } from '../errors.js';
import { DEFAULT_LOCK_TIMEOUT, DEFAULT_LOCK_WAIT, type LockRetry, type LockWait } from '../dialects/shared/lock.js';
import { introspectKept } from './kept-live.js';
import { intersectScopes, scopeSchema, tableScope, type TableFilter, type TableScope } from './scope.js';

export { DEFAULT_LOCK_TIMEOUT };

/** An open database: its dialect, connection and introspection options. */
export interface OpenDatabase {
  readonly url: DatabaseUrl;
  /** Where a SQL file used as models is parsed (a sandbox there): `--scratch`, else the database's own server. */
  readonly scratch: DatabaseUrl;
  /** How long each statement of a run may wait for a table lock, and how often the run is retried (pass to `Dialect.run`). */
  readonly lockWait: LockWait;
  /** `--online`: plans and runs refuse (or hand to an online tool) what would block the application (issue 16). */
  readonly online: boolean;
  /** How backfills run (`--batch-size`, `--batch-pause`; pass to `Dialect.run`). */
  readonly batches: Batches;
  readonly dialect: Dialect;
  readonly conn: Connection;
  readonly introspectOptions: IntrospectOptions;
  /** The tables this command manages (null: all of them); introspection sees only these. */
  readonly scope: TableScope | null;
  /** Where long operations report their progress ({@link DatabaseOptions.progress}); null: nowhere. */
  readonly progress: ProgressReporter | null;
  /** The live schema, limited to {@link scope}. */
  introspect(): Promise<SchemaIR>;
  close(): Promise<void>;
}

/** Options for opening a database. */
export interface DatabaseOptions {
  /** PostgreSQL schema (default `public`, or `?schema=` in the URL). */
  readonly schema?: string;
  /**
   * PostgreSQL schemas managed beside the primary one (default: `?schemas=a,b` in the URL):
   * their tables and objects are named `schema.name`. Only these are ever read or changed.
   */
  readonly schemas?: string | readonly string[];
  /**
   * Where a SQL file used as models is parsed: a server URL of the same dialect (a sandbox — a
   * scratch database and a login of its own — is made there and dropped), or `pglite:memory`
   * for PostgreSQL. Default: the database's own server; SQLite always parses in memory.
   */
  readonly scratch?: string;
  /**
   * Longest wait of one statement for a table lock, in milliseconds (default 2000): past it the
   * run is rolled back where the dialect allows and tried again (issue 16, `--lock-wait`).
   */
  readonly lockWaitMs?: number;
  /**
   * Refuse what cannot run without blocking the application's writes (MySQL: a table copy under a
   * lock), or run it through an online tool (pt-online-schema-change); `--online`. See docs/online.md.
   */
  readonly online?: boolean;
  /** Tries after the first when a lock wait times out (default 10, `--retries`). */
  readonly retries?: number;
  /** Rows per batch of a backfill (PostgreSQL expand/contract type changes, pt-online-schema-change's chunks; default 10000, `--batch-size`). */
  readonly batchSize?: number;
  /** Milliseconds between two batches of a backfill (default 0, `--batch-pause`). */
  readonly batchPauseMs?: number;
  /** Told of each such retry (the CLI prints it on stderr). */
  readonly onLockRetry?: (retry: LockRetry) => void;
  /** Where long operations (data checks, a rebuild's row copies) report their progress (the CLI: on a terminal). */
  readonly progress?: ProgressReporter;
  /**
   * Seconds to wait for another deployer's lock (commands that change the database), and on
   * SQLite for another connection's lock on the database file (every command). Default 120.
   */
  readonly lockTimeout?: number;
  /**
   * Seconds to wait for a database server to answer a new connection (`?connect_timeout=` in
   * the URL wins). Default 10; 0 waits as long as it takes.
   */
  readonly connectTimeout?: number;
  /**
   * Create the database the URL names when it does not exist (`--create-database`; commands
   * that change the database). Without it a missing server database is `E_DB_CONNECT`, never
   * created by mistake. A SQLite file or PGlite directory is created by such commands anyway.
   */
  readonly createDatabase?: boolean;
  /**
   * Tables this command manages, as names or globs (`billing_*`; `!legacy_*` excludes), a list
   * or a comma-separated string. Default: every table. Tables outside — and the objects tied to
   * them — are never read, fingerprinted, diffed or changed; foreign keys to them are kept.
   */
  readonly include?: TableFilter;
  /** Tables this command leaves alone, as names or globs (see {@link include}). */
  readonly exclude?: TableFilter;
  /**
   * A cluster's node URLs (`--nodes`, a list or comma-separated): after a change each is checked
   * to report the same fingerprint. Default: the nodes the cluster reports (Galera).
   */
  readonly nodes?: string | readonly string[];
  /** Change a cluster's nodes one by one (`--rolling`, Galera RSU), with {@link nodes}. */
  readonly rolling?: boolean;
  /** Told of the nodes checked after a change on a cluster (the CLI prints them on stderr). */
  readonly onNodesChecked?: (nodes: readonly NodeCheck[]) => void;
  /**
   * A resolved scope that also applies (a table must be in both): an application's own
   * tables, from `versioned({ tables | prefix })`. The engine sets it from the models module.
   */
  readonly tableScope?: TableScope | null;
}

/** The cluster options of these options (undefined: none given). */
export function clusterOf(options: DatabaseOptions): ClusterOptions | undefined {
  const nodes = typeof options.nodes === 'string' ? options.nodes.split(',') : options.nodes ?? [];
  const list = nodes.map((n) => n.trim()).filter(Boolean);
  if (!list.length && !options.rolling) return undefined;
  return { ...(list.length ? { nodes: list } : {}), ...(options.rolling ? { rolling: true } : {}) };
}

/** The scope of these options: include/exclude, and an application's own tables. */
export function scopeOf(options: DatabaseOptions): TableScope | null {
  return intersectScopes(options.tableScope ?? null, tableScope(options.include, options.exclude));
}

/**
 * Where SQL files are parsed for database `near` (null: none): `scratch` (a URL of the same
 * dialect, given the schemas of `near`), else `near` itself.
 * @throws EvolveError `E_USAGE` for a scratch of another dialect.
 */
export function scratchPlace(dialect: Dialect, near: DatabaseUrl | null, scratch: string | undefined): DatabaseUrl | null {
  if (scratch === undefined) return near;
  const url = parseDatabaseUrl(scratch);
  if (url.dialect !== dialect.name) {
    throw new EvolveError(ErrorCode.Usage,
      `--scratch ${url.display} is a ${url.dialect} database; SQL files for ${dialect.name} must be parsed by ${dialect.name}.`, {
        hint: `Give --scratch a ${dialect.name} URL${dialect.localScratch ? ` (or ${dialect.localScratch})` : ''}.`,
      });
  }
  const { schema: _s, schemas: _ss, ...rest } = url;
  return { ...rest, ...(near?.schema ? { schema: near.schema } : {}), ...(near?.schemas?.length ? { schemas: near.schemas } : {}) };
}

/**
 * Open `url`; the caller closes it (see {@link withDatabase}).
 *
 * @example
 * ```ts
 * const db = await openDatabase('sqlite:app.db', true);
 * try { console.log((await db.introspect()).tables.length); } finally { await db.close(); }
 * ```
 */
export async function openDatabase(url: string, readOnly: boolean, options: DatabaseOptions = {}): Promise<OpenDatabase> {
  const given = parseDatabaseUrl(url);
  const scope = scopeOf(options); // before connecting: a bad filter leaves nothing open
  let dialect = await loadDialect(given.dialect);
  if (options.schema !== undefined && options.schema.trim() === '') {
    throw new EvolveError(ErrorCode.Usage, 'The schema given (--schema, or schema in evolve.config.ts) is empty.', {
      hint: 'Name the PostgreSQL schema (--schema app), or leave the option out for public.',
    });
  }
  const schema = options.schema ?? given.schema;
  const schemas = dialect.capabilities.schemas ? parseSchemaList(options.schemas ?? given.schemas, schema ?? 'public') : [];
  // The URL carries the extra schemas from here on: a SQL file's scratch database copies them.
  let parsed: DatabaseUrl = schemas.length ? { ...given, schemas } : (({ schemas: _, ...rest }) => rest)(given);
  const cluster = clusterOf(options);
  const connectOptions: ConnectOptions = {
    readOnly, ...(schema ? { schema } : {}), ...(schemas.length ? { schemas } : {}),
    createDatabase: !readOnly && options.createDatabase === true,
    lockTimeoutSeconds: options.lockTimeout ?? DEFAULT_LOCK_TIMEOUT,
    ...(options.connectTimeout !== undefined ? { connectTimeoutSeconds: options.connectTimeout } : {}),
    ...(cluster ? { cluster } : {}),
  };
  let conn = await dialect.connect(parsed, connectOptions);
  // A server of a registered flavour (a Galera node behind mysql://) runs on that flavour.
  const flavour = await detectFlavour(given.dialect, conn).catch(async (e: unknown) => { await conn.close(); throw e; });
  if (flavour) {
    await conn.close();
    parsed = { ...parsed, dialect: flavour };
    dialect = await loadDialect(flavour);
    conn = await dialect.connect(parsed, connectOptions);
  }
  const scratch = scratchPlace(dialect, schema ? { ...parsed, schema } : parsed, options.scratch)!;
  const introspectOptions: IntrospectOptions = { ...(schema ? { schema } : {}), ...(schemas.length ? { schemas } : {}) };
  return {
    url: parsed, scratch, dialect, conn, introspectOptions, scope, progress: options.progress ?? null,
    online: options.online === true,
    batches: { size: options.batchSize ?? DEFAULT_BATCHES.size, pauseMs: options.batchPauseMs ?? DEFAULT_BATCHES.pauseMs },
    lockWait: {
      waitMs: options.lockWaitMs ?? DEFAULT_LOCK_WAIT.waitMs, retries: options.retries ?? DEFAULT_LOCK_WAIT.retries,
      ...(options.onLockRetry ? { onRetry: options.onLockRetry } : {}),
    },
    introspect: async () => {
      // (Kept between commands where the catalog has a key: kept-live.ts.)
      const live = scopeSchema(await introspectKept(dialect, conn, introspectOptions), scope);
      assertNamesPrintable(live, `the database ${parsed.display}`); // a name outside the scope is never read, so never refused
      return live;
    },
    close: () => conn.close(),
  };
}

/**
 * Open `url`, run `fn`, always close. A writable open holds the dialect's deploy lock (one
 * deployer at a time, B3) for the whole of `fn`, so everything `fn` reads is current.
 */
export async function withDatabase<T>(url: string, readOnly: boolean, options: DatabaseOptions, fn: (db: OpenDatabase) => Promise<T>): Promise<T> {
  const db = await openDatabase(url, readOnly, options);
  try {
    const release = readOnly ? null : await db.dialect.acquireLock(db.conn, {
      url: db.url, timeoutSeconds: options.lockTimeout ?? DEFAULT_LOCK_TIMEOUT,
      ...(db.introspectOptions.schema ? { schema: db.introspectOptions.schema } : {}),
    });
    try {
      const result = await fn(db);
      if (!readOnly && db.dialect.afterApply) {
        const nodes = await db.dialect.afterApply(db.conn, {
          url: db.url,
          fingerprintOf: async (c) => fingerprint(scopeSchema(await db.dialect.introspect(c, db.introspectOptions), db.scope)),
        });
        options.onNodesChecked?.(nodes);
      }
      return result;
    } finally {
      await release?.().catch(() => undefined);
    }
  } finally {
    await db.close().catch(() => undefined);
  }
}

/**
 * {@link withDatabase} with `prepare` (reading the evolutions, loading the models) and the live
 * schema: `fn` gets the database, what `prepare` returned, and the schema. On a server the
 * database opens first and its catalog queries go out before `prepare` runs, so the server
 * answers them meanwhile; a file database (SQLite, PGlite: nothing to wait for) opens after
 * `prepare`, as without it. Either way nothing is read before the connection and its lock are
 * in place, and an error of `prepare` is the one thrown when it fails.
 */
export async function withLiveSchema<P, T>(
  url: string, readOnly: boolean, options: DatabaseOptions, prepare: () => Promise<P>,
  fn: (db: OpenDatabase, prepared: P, live: SchemaIR) => Promise<T>,
): Promise<T> {
  let server = false;
  try { server = parseDatabaseUrl(url).path === undefined; } catch { /* withDatabase reports a bad URL, after prepare */ }
  if (!server) {
    const prepared = await prepare();
    return withDatabase(url, readOnly, options, async (db) => fn(db, prepared, await db.introspect()));
  }
  return withDatabase(url, readOnly, options, async (db) => {
    const reading = db.introspect();
    reading.catch(() => undefined); // awaited below, once prepare has run
    const prepared = await prepare();
    return fn(db, prepared, await reading);
  });
}
