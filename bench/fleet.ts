/**
 * Fleets (issue 17, point 4): a fleet of 1,000 SQLite tenants, 200 PostgreSQL schemas and 50
 * MariaDB databases of 20 tables each, evolved by one `applyFleet` (what `evolve apply` over a
 * fleet runs) at concurrency 1, 2, 4 and 8: total time, time per target, and the ratio to
 * applying to one target alone (`applyEvolution` on one database, measured in the same run).
 * Target: per-target cost at concurrency 1 within 1.2× of a single apply; no slower at higher
 * concurrency. Results in bench/results/fleet.{json,md}.
 *
 * Environment: BENCH_DIALECTS, BENCH_FLEET_SIZES (`sqlite=1000,postgres=200,mysql=50`),
 * BENCH_FLEET_CONCURRENCY (`1,2,4,8`), BENCH_FLEET_SINGLE (single applies measured, default 9), BENCH_FLEET_ROUNDS (rounds of every concurrency, default 3),
 * BENCH_OUT_FLEET (results stem, default fleet), BENCH_NOTE.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyEvolution, applyFleet, loadDialect, modelsFingerprint, type Table } from '../dist/index.js';
import { createStatements, generateModels } from './schema.js';
import { modelsSourceTs } from './models-source.js';
import { type BenchDialect, rawSqlite, rawPostgres, rawMysql, pgUrl, mysqlUrl, round, log, median, machine, selectedDialects } from './lib.js';

const TABLES = 20;
const DEFAULT_SIZES: Record<BenchDialect, number> = { sqlite: 1000, postgres: 200, mysql: 50 };

/** One concurrency's figures. */
export interface FleetRun {
  readonly concurrency: number;
  /** Median total over the rounds. */
  readonly totalMs: number;
  /** Each round's total (rounds alternate the order of the concurrencies). */
  readonly totals?: readonly number[];
  /** Total time over the number of targets: what one target costs the fleet. */
  readonly perTargetMs: number;
  /** Median time of one target inside the fleet run (its latency, which concurrency may raise). */
  readonly targetMedianMs: number;
  /** Worker threads the fleet ran its targets in (0: one thread). */
  readonly workers: number;
  /** perTargetMs over the single apply's median. */
  readonly ratio: number;
}

/** One dialect's figures. */
export interface FleetFigures {
  readonly dialect: BenchDialect;
  readonly targets: number;
  readonly tables: number;
  /** Median of applying to one target alone (`applyEvolution`, the same evolution). */
  readonly singleMs: number;
  readonly singleRuns: readonly number[];
  readonly runs: readonly FleetRun[];
}

/** `n` targets at the first models' schema (the dialect's own DDL run through the driver), and how to drop them. */
async function makeTargets(dialect: BenchDialect, tag: string, n: number, statements: readonly string[]): Promise<{ urls: string[]; drop(): Promise<void> }> {
  const names = Array.from({ length: n }, (_, i) => `${tag}_${String(i).padStart(4, '0')}`);
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'evolve-bench-fleet-'));
    const template = join(dir, 'template.sqlite');
    const raw = rawSqlite(template);
    await raw.batch(statements);
    await raw.close();
    for (const name of names) copyFileSync(template, join(dir, `${name}.db`));
    return { urls: names.map((name) => `sqlite:${join(dir, `${name}.db`)}`), drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  if (dialect === 'postgres') {
    const raw = await rawPostgres();
    for (const s of names) await raw.batch([`DROP SCHEMA IF EXISTS "${s}" CASCADE`, `CREATE SCHEMA "${s}"`, `SET search_path TO "${s}"`, ...statements]);
    // Dropping 200 schemas of 20 tables leaves ~100,000 dead catalog rows; unvacuumed, every later
    // introspection scans them (measured: the total at concurrency 1 grew from 36 s to 53 s over three rounds).
    const CATALOGS = ['pg_class', 'pg_attribute', 'pg_type', 'pg_index', 'pg_constraint', 'pg_depend', 'pg_attrdef', 'pg_namespace', 'pg_statistic'];
    return {
      urls: names.map(pgUrl),
      drop: async () => {
        for (const s of names) await raw.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
        for (const c of CATALOGS) await raw.query(`VACUUM pg_catalog.${c}`);
        await raw.close();
      },
    };
  }
  const raw = await rawMysql();
  for (const d of names) await raw.batch([`DROP DATABASE IF EXISTS \`${d}\``, `CREATE DATABASE \`${d}\` CHARACTER SET utf8mb4`, `USE \`${d}\``, ...statements]);
  return { urls: names.map(mysqlUrl), drop: async () => { for (const d of names) await raw.query(`DROP DATABASE IF EXISTS \`${d}\``); await raw.close(); } };
}

/** The fleet figures of `dialect`: `n` targets evolved from the 20-table models to their 5% change, at each concurrency. */
export async function benchFleet(dialect: BenchDialect, n: number, concurrencies: readonly number[], singles = 5, rounds = 1): Promise<FleetFigures> {
  const v1: Table[] = generateModels(TABLES);
  const v2: Table[] = generateModels(TABLES, true);
  const { statements } = createStatements(v1, await loadDialect(dialect));
  const expected = await modelsFingerprint(v2, dialect);
  // The models as `evolve apply --models models.ts` over a fleet gives them: a module path
  // (which lets SQLite's targets run in worker threads: engine/fleet-threads.ts).
  const dir = mkdtempSync(join(tmpdir(), 'evolve-bench-fleet-'));
  const v2File = join(dir, 'models.ts');
  writeFileSync(v2File, modelsSourceTs(TABLES, true));
  const tag = `evolve_bf_${process.pid}`;
  // One target alone, the same evolution, `singles` times (each on a fresh target), measured
  // right before the first fleet runs and after its targets were created (both then run on a
  // server and a disk still busy with the same fresh DDL), and again after the last round.
  // Measured again after the last round, on targets made then (a server slows down or speeds up
  // as a bench goes on: catalogs grow, caches warm), and the median taken over both.
  let one = await makeTargets(dialect, `${tag}_s`, singles + 1, statements);
  const singleRuns: number[] = [];
  const measureSingles = async (): Promise<void> => {
    try {
      await applyEvolution({ db: one.urls[singles]!, models: v2File }); // warm-up: drivers and dialect loaded
      for (const url of one.urls.slice(0, singles)) {
        const t0 = performance.now();
        const r = await applyEvolution({ db: url, models: v2File });
        singleRuns.push(performance.now() - t0);
        if (r.fingerprintAfter !== expected) throw new Error(`${dialect}: a single apply reached ${r.fingerprintAfter}, not ${expected}`);
      }
    } finally { await one.drop(); }
    log(`  ${dialect}: one target alone ${round(median(singleRuns), 1)} ms (${singleRuns.length} so far; median)`);
  };
  // Every concurrency once a round, the order reversed every other round (a machine shared with
  // other work drifts: a concurrency measured only first, or only last, would carry that drift).
  const totals = new Map<number, number[]>(concurrencies.map((c) => [c, []]));
  const targetMs = new Map<number, number[]>(concurrencies.map((c) => [c, []]));
  const workers = new Map<number, number>();
  for (let pass = 0; pass < rounds; pass++) {
    for (const concurrency of pass % 2 === 0 ? concurrencies : [...concurrencies].reverse()) {
      const fleet = await makeTargets(dialect, `${tag}_c${concurrency}`, n, statements);
      try {
        if (!singleRuns.length) await measureSingles();
        const t0 = performance.now();
        const report = await applyFleet(fleet.urls, { models: v2File }, { concurrency });
        const totalMs = performance.now() - t0;
        const wrong = report.targets.filter((t) => t.outcome !== 'evolved' || t.fingerprintAfter !== expected);
        if (wrong.length) throw new Error(`${dialect} at concurrency ${concurrency}: ${report.summaryLine}; first: ${JSON.stringify(wrong[0])}`);
        totals.get(concurrency)!.push(totalMs);
        targetMs.get(concurrency)!.push(...report.targets.map((t) => t.ms));
        workers.set(concurrency, report.workers);
        log(`  ${dialect} concurrency ${concurrency} (round ${pass + 1}): ${n} targets in ${round(totalMs, 0)} ms, ` +
          `${round(totalMs / n, 1)} ms a target (${round(totalMs / n / median(singleRuns))}× one alone)`);
      } finally { await fleet.drop(); }
    }
  }
  one = await makeTargets(dialect, `${tag}_s2`, singles + 1, statements);
  await measureSingles();
  const singleMs = median(singleRuns);
  const runs: FleetRun[] = concurrencies.map((concurrency) => {
    const total = median(totals.get(concurrency)!);
    return {
      concurrency, totalMs: round(total, 0), totals: totals.get(concurrency)!.map((x) => round(x, 0)), perTargetMs: round(total / n, 1),
      targetMedianMs: round(median(targetMs.get(concurrency)!), 1), ratio: round(total / n / singleMs), workers: workers.get(concurrency) ?? 0,
    };
  });
  rmSync(dir, { recursive: true, force: true });
  return { dialect, targets: n, tables: TABLES, singleMs: round(singleMs, 1), singleRuns: singleRuns.map((x) => round(x, 1)), runs };
}

/** The Markdown of the fleet figures, with every missed target named. */
export function fleetMarkdown(figures: readonly FleetFigures[], header: string): string {
  const md = ['# Evolve fleet benchmark (issue 17)', '', header, '',
    'Each target holds 20 tables (15 columns, two indexes and a foreign key each; bench/schema.ts) and is evolved to the 5% change ' +
    '(one table: an added column and a widened varchar). **single** = `applyEvolution` on one target alone (median of the runs before the first fleet, after its targets were created, and after the last); **per target** = ' +
    'the fleet\'s total time (the median of its rounds, each round every concurrency once, the order reversed every other round; ' +
    'the rounds\' totals beside it) over its targets; **ratio** = per target / single. Target: ratio ≤ 1.2 at concurrency 1; total time ' +
    'no higher at higher concurrency.', '',
    '| dialect | targets | single ms | concurrency | worker threads | total ms | rounds ms | per target ms | target median ms | ratio |',
    '|---|---|---|---|---|---|---|---|---|---|'];
  const missed: string[] = [];
  for (const f of figures) {
    const base = f.runs.find((r) => r.concurrency === 1);
    for (const r of f.runs) {
      md.push(`| ${f.dialect} | ${f.targets} | ${f.singleMs} | ${r.concurrency} | ${r.workers ?? 0} | ${r.totalMs} | ${(r.totals ?? [r.totalMs]).join(', ')} | ${r.perTargetMs} | ${r.targetMedianMs} | ${r.ratio}${r.concurrency === 1 && r.ratio > 1.2 ? ' ⚠' : ''} |`);
      if (r.concurrency === 1 && r.ratio > 1.2) missed.push(`${f.dialect}: per-target cost at concurrency 1 is ${r.ratio}× a single apply (target 1.2×).`);
      if (base && r.concurrency > 1 && r.totalMs > base.totalMs * 1.05) {
        missed.push(`${f.dialect}: concurrency ${r.concurrency} took ${r.totalMs} ms, more than concurrency 1 (${base.totalMs} ms).`);
      }
    }
  }
  md.push('', '## Missed targets', '', ...(missed.length ? missed.map((m) => `- ${m}`) : ['None.']), '');
  return md.join('\n');
}

/** Sizes from BENCH_FLEET_SIZES (`sqlite=1000,postgres=200,mysql=50`). */
function fleetSizes(): Record<BenchDialect, number> {
  const sizes = { ...DEFAULT_SIZES };
  for (const part of (process.env.BENCH_FLEET_SIZES ?? '').split(',').filter(Boolean)) {
    const [d, v] = part.split('=');
    if (d && d in sizes && Number(v) > 0) sizes[d as BenchDialect] = Number(v);
  }
  return sizes;
}

/** Run the fleet bench for the selected dialects and write bench/results/<stem>.{json,md}. */
export async function runFleetBench(errors: string[] = []): Promise<FleetFigures[]> {
  const sizes = fleetSizes();
  const concurrencies = (process.env.BENCH_FLEET_CONCURRENCY ?? '1,2,4,8').split(',').map(Number).filter((c) => c >= 1);
  const singles = Number(process.env.BENCH_FLEET_SINGLE ?? 9);
  const rounds = Math.max(1, Number(process.env.BENCH_FLEET_ROUNDS ?? 3));
  const start = { date: new Date().toISOString(), loadavg: loadavg().map((x) => round(x, 1)) };
  const figures: FleetFigures[] = [];
  for (const dialect of selectedDialects()) {
    log(`fleet: ${dialect}, ${sizes[dialect]} targets`);
    try { figures.push(await benchFleet(dialect, sizes[dialect], concurrencies, singles, rounds)); } catch (e) {
      const msg = `fleet ${dialect}: ${(e as Error).message}`;
      log(`FAILED ${msg}`);
      errors.push(msg);
    }
  }
  const mach = await machine();
  const header = `Run ${start.date}; load average at start ${start.loadavg.join(' / ')}; ${String(mach.cpu)}, ${String(mach.cores)} cores; ` +
    `Node ${String(mach.node)}, SQLite ${String(mach.sqlite)}, PostgreSQL ${String(mach.postgres)}, MariaDB ${String(mach.mysql)}. ${process.env.BENCH_NOTE ?? ''}` +
    (errors.length ? `\n\nErrors: ${errors.join('; ')}` : '');
  const stem = process.env.BENCH_OUT_FLEET ?? 'fleet';
  const out = join('bench', 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, `${stem}.json`), `${JSON.stringify({ machine: mach, ...start, note: process.env.BENCH_NOTE ?? '', figures, errors }, null, 2)}\n`);
  writeFileSync(join(out, `${stem}.md`), fleetMarkdown(figures, header));
  log(`wrote bench/results/${stem}.json and ${stem}.md`);
  return figures;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runFleetBench();
  process.stdout.write(`${(await import('node:fs')).readFileSync(join('bench', 'results', `${process.env.BENCH_OUT_FLEET ?? 'fleet'}.md`), 'utf8')}`);
}
