/**
 * Fresh databases for tests, one per test, on every dialect.
 *
 * Servers come from the environment (defaults are this project's CI machine):
 *   EVOLVE_TEST_PG_URL     postgres://root@127.0.0.1:5432/test
 *   EVOLVE_TEST_MYSQL_URL  mysql://root@127.0.0.1:3306/test
 *   EVOLVE_TEST_DIALECTS   comma list of dialects to run (sqlite,postgres,mysql,pglite); default all
 *   CI                     when set, a dialect whose server does not answer FAILS instead of skipping
 *   EVOLVE_TEST_PGLITE_DIR where PGlite test databases are made (default /dev/shm, else the temp dir)
 *   EVOLVE_TEST_PGLITE_REUSE=0  a new PGlite directory for every test (default: a disposed one is
 *                          emptied and reused by the next test of the process, its instance kept open)
 */
import { accessSync, constants, cpSync, mkdtempSync, readdirSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { PGlite } from '@electric-sql/pglite';
import { acquirePglite, keepPgliteOpen, releasePglite } from '../../src/dialects/postgres/pglite-pool.js';

/**
 * PGlite: this process keeps its instance of a test database open between Evolve's calls and
 * the direct access below (opening a data directory costs hundreds of milliseconds, and every
 * library call opens its database anew). On PGlite the CLI runs in this process too
 * (`evolve()`, support/cli.ts); a command in another process (`evolveProcess()`) releases the
 * instances before it starts. A disposed PGlite database is emptied and handed to the next
 * test of this process with its instance still open (see `recycle` below), so a test does not
 * pay for opening a new directory. See `keepPgliteOpen` in src/dialects/postgres/pglite-pool.ts.
 */
void keepPgliteOpen();

export type TestDialect = 'sqlite' | 'postgres' | 'mysql' | 'pglite';
export const ALL_DIALECTS: readonly TestDialect[] = ['sqlite', 'postgres', 'mysql', 'pglite'];

export const PG_URL = process.env.EVOLVE_TEST_PG_URL ?? 'postgres://root@127.0.0.1:5432/test';
export const MYSQL_URL = process.env.EVOLVE_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

/** Dialects selected for this run. */
export function selectedDialects(): TestDialect[] {
  const env = process.env.EVOLVE_TEST_DIALECTS;
  if (!env) return [...ALL_DIALECTS];
  return env.split(',').map((s) => s.trim()).filter((s): s is TestDialect => (ALL_DIALECTS as readonly string[]).includes(s));
}

/** A fresh, empty database for one test. */
export interface TestDatabase {
  readonly dialect: TestDialect;
  /** URL to pass as --db. */
  readonly url: string;
  /** Run SQL directly through the driver (not through Evolve). */
  exec(sql: string): Promise<void>;
  /** Query directly through the driver. */
  query(sql: string): Promise<Record<string, unknown>[]>;
  /** Drop everything. */
  dispose(): Promise<void>;
}

const id = (): string => `evolve_t_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;

/** Is the server for `dialect` reachable? (cached) */
const reachable = new Map<TestDialect, Promise<string | null>>();
export function serverProblem(dialect: TestDialect): Promise<string | null> {
  if (!reachable.has(dialect)) {
    reachable.set(dialect, (async () => {
      try {
        if (dialect === 'postgres') {
          const pg = (await import('pg')).default;
          const c = new pg.Client({ connectionString: PG_URL });
          await c.connect(); await c.query('select 1'); await c.end();
        } else if (dialect === 'mysql') {
          const mysql = await import('mysql2/promise');
          const c = await mysql.createConnection(MYSQL_URL);
          await c.query('select 1'); await c.end();
        }
        return null;
      } catch (e) {
        return `${dialect} server not reachable: ${(e as Error).message}`;
      }
    })());
  }
  return reachable.get(dialect)!;
}

/**
 * Where PGlite test databases live: the memory-backed /dev/shm when it is a writable directory
 * (copying the template's ~1000 files there, and deleting them after, takes tens of
 * milliseconds; on this machine's disk most of a second each), else the system's temporary
 * directory. EVOLVE_TEST_PGLITE_DIR overrides it.
 */
const PGLITE_BASE = process.env.EVOLVE_TEST_PGLITE_DIR || (() => {
  try {
    if (!statSync('/dev/shm').isDirectory()) return tmpdir();
    accessSync('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
})();

/**
 * Directories of test processes that died without cleaning up (killed: no exit handler ran) are
 * removed; the name carries the creating process's id. In /dev/shm they would hold memory.
 */
function sweepDeadPgliteDirs(): void {
  let names: string[];
  try { names = readdirSync(PGLITE_BASE); } catch { return; }
  for (const name of names) {
    const pid = Number(/^evolve-pglite-(?:template-)?(\d+)-/.exec(name)?.[1]);
    if (!pid || pid === process.pid) continue;
    try { process.kill(pid, 0); continue; } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'ESRCH') continue; }
    rmSync(join(PGLITE_BASE, name), { recursive: true, force: true });
  }
}

/**
 * What a fresh PGlite database holds besides its (empty) public schema, as one string: every
 * schema with its owner, privileges and comment; roles, databases, extensions; and the number
 * of rows of every catalog an object can leave rows in (tables, types, functions, comments,
 * dependencies, settings, large objects…; of pg_init_privs, all but initdb's entry for the public
 * schema, which a re-created public schema cannot have). Session-local temporary schemas are left out
 * (DISCARD ALL empties them when a connection closes). A recycled database must match the template's.
 */
const CATALOGS = ['pg_class', 'pg_type', 'pg_proc', 'pg_attribute', 'pg_attrdef', 'pg_constraint', 'pg_index', 'pg_inherits',
  'pg_trigger', 'pg_event_trigger', 'pg_rewrite', 'pg_policy', 'pg_sequence', 'pg_statistic', 'pg_statistic_ext', 'pg_enum', 'pg_range',
  'pg_aggregate', 'pg_operator', 'pg_opclass', 'pg_opfamily', 'pg_amop', 'pg_amproc', 'pg_am', 'pg_cast', 'pg_collation',
  'pg_conversion', 'pg_language', 'pg_transform', 'pg_ts_config', 'pg_ts_dict', 'pg_ts_parser', 'pg_ts_template', 'pg_extension',
  'pg_foreign_data_wrapper', 'pg_foreign_server', 'pg_foreign_table', 'pg_user_mapping', 'pg_publication', 'pg_largeobject_metadata',
  'pg_default_acl', 'pg_seclabel', 'pg_shseclabel', 'pg_description', 'pg_shdescription', 'pg_depend', 'pg_shdepend',
  'pg_db_role_setting', 'pg_authid', 'pg_auth_members', 'pg_database', 'pg_tablespace'];
const NOT_TEMP = "nspname !~ '^pg_(toast_)?temp_'";
const SIGNATURE_SQL = `SELECT concat_ws(' | ',
  (SELECT string_agg(nspname || ':' || nspowner::regrole::text || ':' || coalesce(nspacl::text, '') || ':' || coalesce(obj_description(oid, 'pg_namespace'), ''), ',' ORDER BY nspname) FROM pg_namespace WHERE ${NOT_TEMP}),
  (SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles),
  (SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database),
  (SELECT string_agg(extname || ' ' || extversion, ',' ORDER BY extname) FROM pg_extension),
  -- initdb's entry for the public schema is gone with it (only pg_dump reads pg_init_privs).
  'pg_init_privs=' || (SELECT count(*) FROM pg_init_privs WHERE NOT (classoid = 'pg_namespace'::regclass AND objoid = 'public'::regnamespace)),
  ${CATALOGS.map((c) => `'${c}=' || (SELECT count(*) FROM ${c})`).join(',\n  ')}) AS signature`;

/** Drops everything a test made: every schema but the system's, then a public schema as initdb makes it. */
const RESET_SQL = `DO $$ DECLARE s name; BEGIN
  FOR s IN SELECT nspname FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND ${NOT_TEMP} LOOP
    EXECUTE format('DROP SCHEMA %I CASCADE', s);
  END LOOP;
END $$;
CREATE SCHEMA public;
ALTER SCHEMA public OWNER TO pg_database_owner;
GRANT USAGE ON SCHEMA public TO PUBLIC;
COMMENT ON SCHEMA public IS 'standard public schema';`;

async function signature(db: PGlite): Promise<string> {
  return String((await db.query<{ signature: string }>(SIGNATURE_SQL)).rows[0]!.signature);
}

let template: Promise<{ dir: string; signature: string }> | undefined;
/** An initialised, empty PGlite data directory (once per process), and its {@link signature}. */
function pgliteTemplate(): Promise<{ dir: string; signature: string }> {
  template ??= (async () => {
    sweepDeadPgliteDirs();
    const dir = mkdtempSync(join(PGLITE_BASE, `evolve-pglite-template-${process.pid}-`));
    const { PGlite } = await import('@electric-sql/pglite');
    const db = new PGlite(dir);
    const sig = await signature(db);
    await db.close();
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    return { dir, signature: sig };
  })();
  return template;
}

/** Directories of disposed PGlite test databases, emptied back to the template's state, for the next test. */
const recycled: string[] = [];
/** Created by this process and not yet deleted (removed at exit). */
const pgliteDirs = new Set<string>();
process.on('exit', () => { for (const dir of pgliteDirs) rmSync(dir, { recursive: true, force: true }); });

/** Is a connection to `dir` still open in this process (a test that did not close one)? */
function pgliteBusy(dir: string): boolean {
  const pool = (globalThis as { [k: symbol]: { busy?: Map<string, number> } | undefined })[Symbol.for('evolve.pglite.pool')];
  if (!(pool?.busy instanceof Map)) return true; // cannot tell: do not reuse
  let key = dir;
  try { key = realpathSync.native(dir); } catch { /* gone */ }
  return (pool.busy.get(key) ?? 0) > 0;
}

/**
 * Empty a disposed PGlite test database for the next test (`true`), on the instance this
 * process keeps open for it: drop every schema, make public as initdb does, and check that
 * what is left is what the template holds ({@link signature}). Not reused (`false`: deleted
 * instead) when that does not hold, when a connection to it is still open, or on any error.
 */
async function recycle(dir: string): Promise<boolean> {
  if (process.env.EVOLVE_TEST_PGLITE_REUSE === '0' || pgliteBusy(dir)) return false;
  try {
    const expected = (await pgliteTemplate()).signature;
    const lease = await acquirePglite(dir);
    try {
      if (lease.db.isInTransaction()) await lease.db.exec('ROLLBACK');
      await lease.db.exec(RESET_SQL);
      return await signature(lease.db) === expected;
    } finally { await lease.release(); }
  } catch {
    return false;
  }
}

export async function freshDatabase(dialect: TestDialect): Promise<TestDatabase> {
  switch (dialect) {
    case 'sqlite': {
      const dir = mkdtempSync(join(tmpdir(), 'evolve-test-'));
      const file = join(dir, 'test.db');
      const Database = (await import('better-sqlite3')).default;
      const open = () => new Database(file);
      return {
        dialect, url: `sqlite:${file}`,
        async exec(sql) { const db = open(); try { db.exec(sql); } finally { db.close(); } },
        async query(sql) { const db = open(); try { return db.prepare(sql).all() as Record<string, unknown>[]; } finally { db.close(); } },
        async dispose() { rmSync(dir, { recursive: true, force: true }); },
      };
    }
    case 'postgres': {
      const pg = (await import('pg')).default;
      const schema = id();
      const admin = new pg.Client({ connectionString: PG_URL });
      await admin.connect();
      await admin.query(`CREATE SCHEMA "${schema}"`);
      await admin.query(`SET search_path TO "${schema}"`);
      const u = new URL(PG_URL);
      u.searchParams.set('schema', schema);
      return {
        dialect, url: u.toString(),
        async exec(sql) { await admin.query(sql); },
        async query(sql) { return (await admin.query(sql)).rows; },
        async dispose() { try { await admin.query(`DROP SCHEMA "${schema}" CASCADE`); } finally { await admin.end(); } },
      };
    }
    case 'mysql': {
      const mysql = await import('mysql2/promise');
      const name = id();
      const admin = await mysql.createConnection({ uri: MYSQL_URL, multipleStatements: true });
      await admin.query(`CREATE DATABASE \`${name}\``);
      await admin.query(`USE \`${name}\``);
      const u = new URL(MYSQL_URL);
      u.pathname = '/' + name;
      return {
        dialect, url: u.toString(),
        async exec(sql) { await admin.query(sql); },
        async query(sql) { const [rows] = await admin.query(sql); return rows as Record<string, unknown>[]; },
        async dispose() { try { await admin.query(`DROP DATABASE \`${name}\``); } finally { await admin.end(); } },
      };
    }
    case 'pglite': {
      // initdb takes seconds; a fresh database is a copy of one initialised data directory, or
      // one a previous test of this process used, emptied back to that state (`recycle`).
      let dir = recycled.pop();
      if (!dir) {
        dir = mkdtempSync(join(PGLITE_BASE, `evolve-pglite-${process.pid}-`));
        pgliteDirs.add(dir);
        cpSync((await pgliteTemplate()).dir, dir, { recursive: true });
      }
      const here = dir;
      // Direct access borrows the process's PGlite instance for the directory, the one Evolve's
      // connections in this process reuse (keepPgliteOpen above), for the length of one call.
      const withDb = async <T>(fn: (db: PGlite) => Promise<T>): Promise<T> => {
        const lease = await acquirePglite(here);
        try { return await fn(lease.db); } finally { await lease.release(); }
      };
      let disposed = false;
      return {
        dialect, url: `pglite:${here}`,
        async exec(sql) { await withDb((db) => db.exec(sql)); },
        async query(sql) { return withDb(async (db) => (await db.query(sql)).rows as Record<string, unknown>[]); },
        async dispose() {
          if (disposed) return;
          disposed = true;
          if (await recycle(here)) { recycled.push(here); return; }
          await releasePglite(here);
          rmSync(here, { recursive: true, force: true });
          pgliteDirs.delete(here);
        },
      };
    }
  }
}

/**
 * A PostgreSQL database of its own on the test server (not a schema of the shared one): for
 * pg_dump files, which name `public` and set search_path. Its URL, and how to drop it.
 */
export async function ownPostgresDatabase(): Promise<{ url: string; dispose(): Promise<void> }> {
  const pg = (await import('pg')).default;
  const name = id();
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  try { await admin.query(`CREATE DATABASE "${name}"`); } finally { await admin.end(); }
  const u = new URL(PG_URL);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async dispose() {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      try { await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`); } finally { await c.end(); }
    },
  };
}
