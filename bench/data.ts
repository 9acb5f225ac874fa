/**
 * Data-preserving type change (issue 8 item 4): integer → bigint on a table of N rows, Evolve's
 * apply against the hand-written SQL, each in its own child process so peak RSS is its own.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { applyEvolution, loadDialect, table, integer, bigint, text, type Table } from '../src/index.js';
import { createStatements } from './schema.js';
import { type BenchDialect, type RawConn, rawSqlite, rawPostgres, rawMysql, pgUrl, mysqlUrl, round, log } from './lib.js';

export interface DataFigures { dialect: BenchDialect; rows: number; change: string; evolveMs: number; handMs: number; ratio: number; evolveRssMiB: number; handRssMiB: number; nodeBaselineRssMiB: number }

const models = (wide: boolean): Table[] => [table('big', { id: integer().primaryKey(), v: wide ? bigint().notNull() : integer().notNull(), note: text() })];

const HAND: Record<BenchDialect, string[]> = {
  postgres: ['ALTER TABLE big ALTER COLUMN v TYPE bigint'],
  mysql: ['ALTER TABLE big MODIFY v BIGINT NOT NULL'],
  // SQLite cannot alter a column's type: the documented rebuild.
  sqlite: ['BEGIN', 'CREATE TABLE big_new (id integer NOT NULL PRIMARY KEY, v bigint NOT NULL, note text)',
    'INSERT INTO big_new (id, v, note) SELECT id, v, note FROM big', 'DROP TABLE big', 'ALTER TABLE big_new RENAME TO big', 'COMMIT'],
};

async function connect(dialect: BenchDialect, where: string): Promise<RawConn> {
  return dialect === 'sqlite' ? rawSqlite(where) : dialect === 'postgres' ? rawPostgres(where) : rawMysql(where);
}

async function fresh(dialect: BenchDialect, tag: string, rows: number): Promise<{ url: string; where: string; drop: () => Promise<void> }> {
  const d = await loadDialect(dialect);
  const { statements } = createStatements(models(false), d);
  const fill = dialect === 'postgres' ? `INSERT INTO big (id, v, note) SELECT g, g, 'row ' || g FROM generate_series(1, ${rows}) g`
    : dialect === 'mysql' ? `INSERT INTO big (id, v, note) SELECT seq, seq, CONCAT('row ', seq) FROM seq_1_to_${rows}`
      : `WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < ${rows}) INSERT INTO big (id, v, note) SELECT g, g, 'row ' || g FROM s`;
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'evolve-bench-data-'));
    const path = join(dir, `${tag}.db`);
    const raw = rawSqlite(path);
    await raw.batch(['PRAGMA journal_mode = WAL', ...statements, fill]);
    await raw.close();
    return { url: `sqlite:${path}`, where: path, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  if (dialect === 'postgres') {
    const admin = await rawPostgres();
    await admin.batch([`DROP SCHEMA IF EXISTS ${tag} CASCADE`, `CREATE SCHEMA ${tag}`]);
    const raw = await rawPostgres(tag);
    await raw.batch([...statements, fill, 'ANALYZE big']);
    await raw.close();
    return { url: pgUrl(tag), where: tag, drop: async () => { await admin.batch([`DROP SCHEMA ${tag} CASCADE`]); await admin.close(); } };
  }
  const admin = await rawMysql();
  await admin.batch([`DROP DATABASE IF EXISTS ${tag}`, `CREATE DATABASE ${tag}`]);
  const raw = await rawMysql(tag);
  await raw.batch([...statements, fill]);
  await raw.close();
  return { url: mysqlUrl(tag), where: tag, drop: async () => { await admin.batch([`DROP DATABASE ${tag}`]); await admin.close(); } };
}

function child(args: string[]): { ms: number; rssMiB: number } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`child ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as { ms: number; rssMiB: number };
}

export async function benchData(dialect: BenchDialect, rows = 1_000_000): Promise<DataFigures> {
  const tag = `evolve_bench_data_${process.pid}`;
  const base = child(['baseline']);
  const a = await fresh(dialect, `${tag}_h`, rows);
  let hand: { ms: number; rssMiB: number };
  try { hand = child(['hand', dialect, a.where]); } finally { await a.drop(); }
  log(`  ${dialect} hand-written: ${hand.ms} ms`);
  const b = await fresh(dialect, `${tag}_e`, rows);
  let evolve: { ms: number; rssMiB: number };
  try { evolve = child(['evolve', dialect, b.url]); } finally { await b.drop(); }
  return {
    dialect, rows, change: 'integer → bigint (NOT NULL)', evolveMs: evolve.ms, handMs: hand.ms, ratio: round(evolve.ms / hand.ms),
    evolveRssMiB: evolve.rssMiB, handRssMiB: hand.rssMiB, nodeBaselineRssMiB: base.rssMiB,
  };
}

// Child process: run one side and print {ms, rssMiB}.
if (import.meta.url === `file://${process.argv[1]}`) {
  const [mode, dialect, where] = process.argv.slice(2) as [string, BenchDialect, string];
  const t0 = performance.now();
  if (mode === 'hand') {
    const raw = await connect(dialect, where);
    for (const s of HAND[dialect]) await raw.query(s);
    await raw.close();
  } else if (mode === 'evolve') {
    const r = await applyEvolution({ db: where, models: models(true) });
    if (!r.applied) throw new Error('nothing applied');
  }
  const ms = round(performance.now() - t0, 0);
  console.log(JSON.stringify({ ms, rssMiB: round(process.resourceUsage().maxRSS / 1024, 1) }));
}
