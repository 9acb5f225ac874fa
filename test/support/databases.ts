/**
 * Fresh databases for tests, one per test, on every dialect.
 *
 * Servers come from the environment (defaults are this project's CI machine):
 *   EVOLVE_TEST_PG_URL     postgres://root@127.0.0.1:5432/test
 *   EVOLVE_TEST_MYSQL_URL  mysql://root@127.0.0.1:3306/test
 *   EVOLVE_TEST_DIALECTS   comma list of dialects to run (sqlite,postgres,mysql,pglite); default all
 *   CI                     when set, a dialect whose server does not answer FAILS instead of skipping
 *   EVOLVE_TEST_PGLITE_DIR where PGlite test databases are made (default /dev/shm, else the temp dir)
 */
import { accessSync, constants, cpSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { PGlite } from '@electric-sql/pglite';
import { acquirePglite, keepPgliteOpen, releasePglite } from '../../src/dialects/postgres/pglite-pool.js';

/**
 * PGlite: this process keeps its instance of a test database open between Evolve's calls and
 * the direct access below (opening a data directory costs hundreds of milliseconds, and every
 * library call opens its database anew). The CLI runs in another process: `evolve()`
 * (support/cli.ts) releases the instances before it starts one, and `dispose()` before it
 * deletes the directory. See `keepPgliteOpen` in src/dialects/postgres/pglite-pool.ts.
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

let template: Promise<string> | undefined;
/** An initialised, empty PGlite data directory (once per process). */
function pgliteTemplate(): Promise<string> {
  template ??= (async () => {
    sweepDeadPgliteDirs();
    const dir = mkdtempSync(join(PGLITE_BASE, `evolve-pglite-template-${process.pid}-`));
    const { PGlite } = await import('@electric-sql/pglite');
    const db = new PGlite(dir);
    await db.query('SELECT 1');
    await db.close();
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    return dir;
  })();
  return template;
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
      // initdb takes seconds; a fresh database is a copy of one initialised data directory.
      const dir = mkdtempSync(join(PGLITE_BASE, `evolve-pglite-${process.pid}-`));
      cpSync(await pgliteTemplate(), dir, { recursive: true });
      // Direct access borrows the process's PGlite instance for the directory, the one Evolve's
      // connections in this process reuse (keepPgliteOpen above), for the length of one call.
      const withDb = async <T>(fn: (db: PGlite) => Promise<T>): Promise<T> => {
        const lease = await acquirePglite(dir);
        try { return await fn(lease.db); } finally { await lease.release(); }
      };
      return {
        dialect, url: `pglite:${dir}`,
        async exec(sql) { await withDb((db) => db.exec(sql)); },
        async query(sql) { return withDb(async (db) => (await db.query(sql)).rows as Record<string, unknown>[]); },
        async dispose() { await releasePglite(dir); rmSync(dir, { recursive: true, force: true }); },
      };
    }
  }
}
