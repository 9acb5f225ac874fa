/**
 * Data-preserving type change (issue 8 item 4): integer → bigint on a table of N rows, Evolve's
 * apply against the hand-written SQL, each in its own child process so peak RSS is its own:
 * VmHWM from /proc/self/status, the high-water mark of the child's own address space.
 * (`process.resourceUsage().maxRSS` is not: Linux carries ru_maxrss across exec, so a child
 * reports at least its parent's peak at the time of the spawn.)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { applyEvolution, loadDialect, table, integer, bigint, text, type Table } from '../dist/index.js';
import { createStatements } from './schema.js';
import { type BenchDialect, type RawConn, rawSqlite, rawPostgres, rawMysql, pgUrl, mysqlUrl, round, log, median } from './lib.js';

export interface DataFigures {
  dialect: BenchDialect; rows: number; change: string;
  /** Runs per side; times are medians, memory the largest peak over the runs. */
  runs: number;
  evolveMs: number; handMs: number; ratio: number;
  evolveRuns: number[]; handRuns: number[];
  /**
   * Peak resident memory (VmHWM) of the child that ran each side, and of a child that only
   * loads the same modules. Memory is flat when Evolve's peak does not grow with the rows.
   */
  evolveRssMiB: number; handRssMiB: number; nodeBaselineRssMiB: number;
  /** A child that loads the same modules and holds 64 MiB: proves the readings are each child's own. */
  controlRssMiB: number;
}

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

/** Peak resident set of this process (VmHWM), in MiB; Linux only. */
export function peakRssMiB(): number {
  const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
  if (!m) throw new Error('no VmHWM in /proc/self/status: peak memory needs Linux');
  return round(Number(m[1]) / 1024, 1);
}

const CONTROL_MIB = 64;

/** Run one side in a child process (bench/data.ts itself, under tsx): its time and its own peak memory. */
export function child(args: string[]): { ms: number; rssMiB: number } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`child ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as { ms: number; rssMiB: number };
}

export async function benchData(dialect: BenchDialect, rows = 1_000_000, runs = 3): Promise<DataFigures> {
  const tag = `evolve_bench_data_${process.pid}`;
  const base = child(['baseline']);
  // The readings must be each child's own: a control child that touches CONTROL_MIB more than
  // the bare one must read about that much more (with maxRSS every child read the same).
  const control = child(['control']);
  if (!(control.rssMiB - base.rssMiB >= CONTROL_MIB * 0.8)) {
    throw new Error(`invalid memory readings: a child holding ${CONTROL_MIB} MiB more read ${control.rssMiB} MiB against ${base.rssMiB} MiB for a bare one`);
  }
  const hand: { ms: number; rssMiB: number }[] = [];
  const evolve: { ms: number; rssMiB: number }[] = [];
  for (let i = 0; i < runs; i++) {
    const a = await fresh(dialect, `${tag}_h`, rows);
    try { hand.push(child(['hand', dialect, a.where])); } finally { await a.drop(); }
    const b = await fresh(dialect, `${tag}_e`, rows);
    try { evolve.push(child(['evolve', dialect, b.url])); } finally { await b.drop(); }
    log(`  ${dialect} ${rows} rows run ${i + 1}: hand-written ${hand[i]!.ms} ms, Evolve ${evolve[i]!.ms} ms`);
  }
  const handMs = median(hand.map((r) => r.ms));
  const evolveMs = median(evolve.map((r) => r.ms));
  const handRssMiB = Math.max(...hand.map((r) => r.rssMiB));
  const evolveRssMiB = Math.max(...evolve.map((r) => r.rssMiB));
  return {
    dialect, rows, change: 'integer → bigint (NOT NULL)', runs, evolveMs, handMs, ratio: round(evolveMs / handMs),
    evolveRuns: evolve.map((r) => r.ms), handRuns: hand.map((r) => r.ms),
    evolveRssMiB, handRssMiB, nodeBaselineRssMiB: base.rssMiB, controlRssMiB: control.rssMiB,
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
  } else if (mode === 'control') {
    const b = Buffer.alloc(CONTROL_MIB * 2 ** 20, 1);
    if (b[b.length - 1] !== 1) throw new Error('control buffer');
  } else if (mode === 'evolve') {
    const r = await applyEvolution({ db: where, models: models(true) });
    if (!r.applied) throw new Error('nothing applied');
  }
  const ms = round(performance.now() - t0, 0);
  console.log(JSON.stringify({ ms, rssMiB: peakRssMiB() }));
}
