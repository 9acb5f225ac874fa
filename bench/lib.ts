/** Shared helpers for the benchmarks: timing, machine description, servers, raw drivers. */
import { cpus, totalmem, platform, release } from 'node:os';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import pg from 'pg';
import mysql from 'mysql2/promise';

export const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://root@127.0.0.1:5432/test';
export const MYSQL_URL = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

export type BenchDialect = 'sqlite' | 'postgres' | 'mysql';

export function selectedDialects(): BenchDialect[] {
  const all: BenchDialect[] = ['sqlite', 'postgres', 'mysql'];
  const env = process.env.BENCH_DIALECTS;
  if (!env) return all;
  const want = env.split(',').map((s) => s.trim());
  return all.filter((d) => want.includes(d));
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return NaN;
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

/** Milliseconds taken by `fn`. */
export async function time(fn: () => unknown): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** Median milliseconds of `runs` calls (after one warm-up unless `warmup` is 0). */
export async function medianOf(runs: number, fn: () => unknown, warmup = 1): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) xs.push(await time(fn));
  return median(xs);
}

export const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;

/** A raw driver connection: the floor every tool pays. */
export interface RawConn {
  query(sql: string, params?: readonly unknown[]): Promise<unknown[]>;
  /** Run a batch of statements (several per call where the driver allows). */
  batch(statements: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

export function rawSqlite(path: string): RawConn {
  const db = new Database(path);
  return {
    query: async (sql, params = []) => { const st = db.prepare(sql); if (st.reader) return st.all(...(params as unknown[])); st.run(...(params as unknown[])); return []; },
    batch: async (statements) => { db.exec(statements.map((s) => s.trim().replace(/;\s*$/, '')).join(';\n')); },
    close: async () => { db.close(); },
  };
}

export async function rawPostgres(schema?: string): Promise<RawConn> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  c.on('error', () => undefined);
  // As Evolve's own connections do: JIT compiling a catalog query costs more than running it.
  await c.query('SET jit TO off');
  if (schema) await c.query(`SET search_path TO "${schema}"`);
  return {
    query: async (sql, params = []) => (await c.query(sql, params as unknown[])).rows,
    batch: async (statements) => { await c.query(statements.map((s) => s.trim().replace(/;\s*$/, '')).join(';\n')); },
    close: async () => { await c.end(); },
  };
}

export async function rawMysql(database?: string): Promise<RawConn> {
  const u = new URL(MYSQL_URL);
  const c = await mysql.createConnection({
    host: u.hostname, port: Number(u.port || 3306), user: decodeURIComponent(u.username || 'root'),
    password: decodeURIComponent(u.password), database: database ?? u.pathname.replace(/^\//, ''), multipleStatements: true,
  });
  return {
    query: async (sql, params = []) => (await c.query(sql, params as unknown[]))[0] as unknown[],
    batch: async (statements) => {
      for (let i = 0; i < statements.length; i += 200) {
        await c.query(statements.slice(i, i + 200).map((s) => s.trim().replace(/;\s*$/, '')).join(';\n'));
      }
    },
    close: async () => { await c.end(); },
  };
}

export function mysqlUrl(database: string): string {
  const u = new URL(MYSQL_URL);
  u.pathname = `/${database}`;
  return u.toString();
}

export function pgUrl(schema: string): string {
  const u = new URL(PG_URL);
  u.searchParams.set('schema', schema);
  return u.toString();
}

export async function machine(): Promise<Record<string, unknown>> {
  const c = cpus();
  const out: Record<string, unknown> = {
    date: new Date().toISOString(),
    cpu: c[0]?.model.trim() ?? 'unknown', cores: c.length,
    memoryGiB: round(totalmem() / 2 ** 30, 1), os: `${platform()} ${release()}`, node: process.version,
    sqlite: (new Database(':memory:').prepare('select sqlite_version() v').get() as { v: string }).v,
  };
  try { const p = await rawPostgres(); out.postgres = String(((await p.query('show server_version')) as { server_version: string }[])[0]!.server_version); await p.close(); } catch (e) { out.postgres = `unavailable: ${(e as Error).message}`; }
  try { const m = await rawMysql(); out.mysql = String(((await m.query('select version() v')) as { v: string }[])[0]!.v); await m.close(); } catch (e) { out.mysql = `unavailable: ${(e as Error).message}`; }
  return out;
}

export function log(msg: string): void { process.stderr.write(`${msg}\n`); }
