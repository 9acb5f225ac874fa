/**
 * `npm run bench`: every benchmark of issue 8, results in bench/results/latest.{json,md}.
 *
 * Environment: BENCH_SIZES (default 100,1000,5000,10000), BENCH_DIALECTS (sqlite,postgres,mysql),
 * BENCH_EVOLUTIONS (default 500), BENCH_ROWS (default 1000000), BENCH_PARTS (plan,startup,apply,data,drizzle,pull,galera,fleet,commands),
 * BENCH_PULL_SIZES (sizes evolve pull is measured at, default 1000),
 * BENCH_COMMAND_SIZES (default 1000,5000,10000), BENCH_APPLY_COMMAND_SIZES (evolve apply as a process, default 1000),
 * BENCH_MYSQL_MAX (largest MariaDB size, default 5000),
 * BENCH_RUNS (runs per side of apply and data, default 3), BENCH_DRIZZLE_SIZES (sizes drizzle-kit
 * fleet (bench/fleet.ts: its own results, bench/results/fleet.{json,md}, and env),
 * pulls, default 100,1000), BENCH_DRIZZLE_RUNS (default 3 below 1,000 tables, 1 from 1,000), BENCH_PG_URL, BENCH_MYSQL_URL,
 * BENCH_OUT (results file stem, default latest), BENCH_NOTE (a note on the machine's state for
 * this run), BENCH_MERGE=1 (keep the figures of the existing results file that this run does not
 * re-measure; each figure says which run it comes from). BENCH_PARTS=live: the live-traffic part (opt-in, see live-traffic.ts).
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { benchPlan } from './plan.js';
import { benchStartup } from './startup.js';
import { benchApply } from './apply.js';
import { benchData } from './data.js';
import { benchDrizzle } from './drizzle.js';
import { benchGalera, writeGaleraResults } from './galera.js';
import { benchPull } from './pull.js';
import { runFleetBench } from './fleet.js';
import { benchCommands } from './commands.js';
import { benchApplyCommands } from './apply-commands.js';
import { markdown, type Results } from './report.js';
import { machine, selectedDialects, log } from './lib.js';

const sizes = (process.env.BENCH_SIZES ?? '100,1000,5000,10000').split(',').map((s) => Number(s.trim())).filter((n) => n > 0);
const parts = (process.env.BENCH_PARTS ?? 'plan,startup,apply,data,drizzle,pull,galera,fleet,commands').split(',').map((s) => s.trim());
const dialects = selectedDialects();
const sideRuns = Number(process.env.BENCH_RUNS ?? 3);
// drizzle-kit's pull sends queries per table on PostgreSQL: 5,000 tables take it far longer than the rest of the bench.
// `evolve pull` against `evolve fingerprint` on the same database (issue 18: 1,000 tables within 2×).
const pullSizes = (process.env.BENCH_PULL_SIZES ?? '1000').split(',').map((s) => Number(s.trim()));
const drizzleSizes = (process.env.BENCH_DRIZZLE_SIZES ?? '100,1000').split(',').map((s) => Number(s.trim()));
// A pull of 1,000 tables takes drizzle-kit minutes on a loaded machine: one run there, three below.
const drizzleRuns = (n: number): number => Number(process.env.BENCH_DRIZZLE_RUNS ?? (n >= 1000 ? 1 : 3));
// Whole commands against the fastest-read process (issue 20 point 4): 1,000 tables for time, 5,000 for memory.
const commandSizes = (process.env.BENCH_COMMAND_SIZES ?? '1000,5000,10000').split(',').map((s) => Number(s.trim()));
// `evolve apply` as a process (nothing to do; a 5% change against the same statements run directly): issue 20 point 4, at 1,000 tables.
const applyCommandSizes = (process.env.BENCH_APPLY_COMMAND_SIZES ?? '1000').split(',').map((s) => Number(s.trim()));
// Issue 20 point 5: 10,000 tables on SQLite and PostgreSQL; MariaDB up to 5,000 (BENCH_MYSQL_MAX).
const mysqlMax = Number(process.env.BENCH_MYSQL_MAX ?? 5000);
const sizesFor = (dialect: string): number[] => (dialect === 'mysql' ? sizes.filter((n) => n <= mysqlMax) : sizes);
const out = join('bench', 'results');
const stem = process.env.BENCH_OUT ?? 'latest';

// The bench measures the built library (dist/), what `evolve` and an application run: a build
// older than the sources would measure old code.
function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) t = Math.max(t, e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs);
  return t;
}
if (!existsSync('dist/index.js')) {
  log('dist/ is missing: run `npm run build` first (the bench measures the built library).');
  process.exit(2);
}
const staleSeconds = Math.round((newest('src') - statSync('dist/index.js').mtimeMs) / 1000);
if (staleSeconds > 0) log(`WARNING: dist/ is ${staleSeconds} s older than src/ (run \`npm run build\`); the results say so.`);

// Live traffic (issue 16): opt-in (a million rows per case), its own results file.
if (parts.includes('live')) {
  const { runLiveTraffic } = await import('./live-traffic.js');
  await runLiveTraffic();
  if (parts.length === 1) process.exit(0);
}

const mach = await machine();
const run = String(mach.date);
const results: Results = {
  machine: mach, sizes,
  runs: [{ date: run, note: `${process.env.BENCH_NOTE ?? ''}${staleSeconds > 0 ? ` dist/ was ${staleSeconds} s older than src/ (edits not yet built).` : ''}`.trim(), parts, sizes, dialects, loadavg: loadavg() }],
  plan: [], startup: null, apply: [], data: [], drizzle: [], pull: [], commands: [], applyCommands: [], errors: [],
};

async function guarded(what: string, fn: () => Promise<void>): Promise<void> {
  try { await fn(); } catch (e) { const msg = `${what}: ${(e as Error).stack ?? String(e)}`; log(`FAILED ${msg}`); results.errors.push(`${msg.split('\n').slice(0, 3).join(' / ')} (${run})`); }
}

if (parts.includes('plan') || parts.includes('drizzle') || parts.includes('pull') || parts.includes('commands')) {
  // drizzle-kit, evolve pull and the whole commands read the database the plan figures are taken on: each size is built once.
  for (const dialect of dialects) for (const n of sizesFor(dialect)) {
    log(`plan: ${dialect} ${n} tables`);
    const withDrizzle = parts.includes('drizzle') && drizzleSizes.includes(n);
    const withPull = parts.includes('pull') && pullSizes.includes(n);
    const withCommands = parts.includes('commands') && commandSizes.includes(n);
    const withApplyCommands = parts.includes('commands') && applyCommandSizes.includes(n);
    await guarded(`plan ${dialect} ${n}`, async () => {
      const f = await benchPlan(dialect, n, withDrizzle || withPull || withCommands || withApplyCommands ? async (url, tag) => {
        if (withCommands) {
          log(`  commands: ${dialect} ${n} tables`);
          await guarded(`commands ${dialect} ${n}`, async () => { const c = benchCommands(dialect, n, url, tag, n >= 5000 ? 1 : 3); results.commands!.push({ ...c, run }); log(`  ${JSON.stringify(c)}`); });
        }
        if (withPull) {
          log(`  evolve pull: ${dialect} ${n} tables`);
          await guarded(`pull ${dialect} ${n}`, async () => { const p = await benchPull(dialect, n, url); (results.pull ??= []).push({ ...p, run }); log(`  ${JSON.stringify(p)}`); });
        }
        if (withDrizzle) {
          log(`  drizzle-kit: ${dialect} ${n} tables`);
          await guarded(`drizzle ${dialect} ${n}`, async () => { const d = await benchDrizzle(dialect, n, url, tag, drizzleRuns(n)); results.drizzle.push({ ...d, run }); log(`  ${JSON.stringify(d)}`); });
        }
        // Last: it applies changes (and creates Evolve's own tables) on the database.
        if (withApplyCommands) {
          log(`  evolve apply: ${dialect} ${n} tables`);
          await guarded(`apply commands ${dialect} ${n}`, async () => { const a = await benchApplyCommands(dialect, n, url, tag, 3); results.applyCommands!.push({ ...a, run }); log(`  ${JSON.stringify(a)}`); });
        }
      } : undefined);
      if (parts.includes('plan')) results.plan.push({ ...f, run });
      log(`  ${JSON.stringify(f)}`);
    });
  }
}
if (parts.includes('startup')) {
  log('startup');
  await guarded('startup', async () => { results.startup = { ...benchStartup(10), run }; log(`  ${JSON.stringify(results.startup)}`); });
}
if (parts.includes('apply')) {
  for (const dialect of dialects) {
    log(`apply: ${dialect}`);
    await guarded(`apply ${dialect}`, async () => { const f = await benchApply(dialect, Number(process.env.BENCH_EVOLUTIONS ?? 500), sideRuns); results.apply.push({ ...f, run }); log(`  ${JSON.stringify(f)}`); });
  }
}
if (parts.includes('data')) {
  for (const dialect of dialects) {
    log(`data: ${dialect}`);
    // Two sizes, a tenth and the whole: memory must not grow with the rows (they never enter Node).
    const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);
    for (const n of [Math.round(rows / 10), rows]) {
      await guarded(`data ${dialect} ${n}`, async () => { const f = await benchData(dialect, n, sideRuns); results.data.push({ ...f, run }); log(`  ${JSON.stringify(f)}`); });
    }
  }
}

if (parts.includes('galera')) {
  // A three-node cluster of its own (about 15 s to start); its figures go to bench/results/galera.*.
  log('galera: one evolution on a three-node cluster vs one MariaDB server');
  await guarded('galera', async () => { const f = await benchGalera(); await writeGaleraResults(f); log(`  ${JSON.stringify(f)}`); });
}
if (parts.includes('fleet')) {
  // Issue 17: its own results file (bench/results/fleet.md); failures are this run's errors too.
  await guarded('fleet', async () => { await runFleetBench(results.errors); });
}

/** BENCH_MERGE=1: keep the previous file's figures that this run did not re-measure. */
function merge(prev: Results): void {
  const prevRun = (x: { run?: string }): string => x.run ?? String(prev.machine.date);
  const keep = <T extends { run?: string }>(old: T[], now: T[], key: (x: T) => string): T[] => {
    const have = new Set(now.map(key));
    return [...old.filter((x) => !have.has(key(x))).map((x) => ({ ...x, run: prevRun(x) })), ...now];
  };
  const ORDER = ['sqlite', 'postgres', 'mysql', 'pglite'];
  const order = (a: { dialect: string; tables?: number; rows?: number }, b: typeof a): number =>
    ORDER.indexOf(a.dialect) - ORDER.indexOf(b.dialect) || (a.tables ?? a.rows ?? 0) - (b.tables ?? b.rows ?? 0);
  // Figures known to be invalid are never carried over: drizzle-kit pulls whose table count was
  // not verified (one pulled no table at all; a pull stopped at the time limit is kept: its time
  // is a lower bound) and memory read with maxRSS (the parent's peak).
  prev.drizzle = prev.drizzle.filter((f) => typeof f.drizzleTables === 'number' || typeof f.timedOutMs === 'number');
  prev.data = prev.data.filter((f) => typeof f.controlRssMiB === 'number');
  results.plan = keep(prev.plan, results.plan, (f) => `${f.dialect}:${f.tables}`).sort(order);
  results.drizzle = keep(prev.drizzle, results.drizzle, (f) => `${f.dialect}:${f.tables}`).sort(order);
  results.pull = keep(prev.pull ?? [], results.pull ?? [], (f) => `${f.dialect}:${f.tables}`).sort(order);
  results.commands = keep(prev.commands ?? [], results.commands ?? [], (f) => `${f.dialect}:${f.tables}`).sort(order);
  results.applyCommands = keep(prev.applyCommands ?? [], results.applyCommands ?? [], (f) => `${f.dialect}:${f.tables}`).sort(order);
  results.apply = keep(prev.apply, results.apply, (f) => f.dialect).sort(order);
  results.data = keep(prev.data, results.data, (f) => `${f.dialect}:${f.rows}`).sort(order);
  if (!results.startup && prev.startup) results.startup = { ...prev.startup, run: prevRun(prev.startup) };
  const used = new Set([...results.plan, ...results.drizzle, ...(results.pull ?? []), ...(results.commands ?? []), ...(results.applyCommands ?? []), ...results.apply, ...results.data, ...(results.startup ? [results.startup] : [])].map((x) => x.run));
  const prevRuns = prev.runs ?? [{ date: String(prev.machine.date), note: 'The previous complete run.', parts: ['plan', 'startup', 'apply'], sizes: prev.sizes, dialects: ['sqlite', 'postgres', 'mysql'] }];
  results.runs = [...prevRuns.filter((r) => used.has(r.date) && r.date !== run), ...results.runs].sort((a, b) => a.date.localeCompare(b.date));
  results.sizes = [...new Set([...prev.sizes, ...sizes])].sort((a, b) => a - b);
  results.errors = [...(prev.errors ?? []).filter((e) => [...used].some((r) => r && e.includes(r))), ...results.errors];
}

const jsonPath = join(out, `${stem}.json`);
if (process.env.BENCH_MERGE === '1' && existsSync(jsonPath)) merge(JSON.parse(readFileSync(jsonPath, 'utf8')) as Results);
const text = markdown(results);
mkdirSync(out, { recursive: true });
writeFileSync(jsonPath, `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(out, `${stem}.md`), text);
log(`wrote ${jsonPath} and ${stem}.md`);
process.stdout.write(text);
