/**
 * `npm run bench`: every benchmark of issue 8, results in bench/results/latest.{json,md}.
 *
 * Environment: BENCH_SIZES (default 100,1000,5000), BENCH_DIALECTS (sqlite,postgres,mysql),
 * BENCH_EVOLUTIONS (default 500), BENCH_ROWS (default 1000000), BENCH_PARTS (plan,startup,apply,data,drizzle),
 * BENCH_PG_URL, BENCH_MYSQL_URL, BENCH_OUT (results file stem, default latest).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchPlan, type PlanFigures } from './plan.js';
import { benchStartup, type StartupFigures } from './startup.js';
import { benchApply, type ApplyFigures } from './apply.js';
import { benchData, type DataFigures } from './data.js';
import { benchDrizzle, type DrizzleFigures } from './drizzle.js';
import { machine, selectedDialects, log, round } from './lib.js';

const sizes = (process.env.BENCH_SIZES ?? '100,1000,5000').split(',').map((s) => Number(s.trim())).filter((n) => n > 0);
const parts = (process.env.BENCH_PARTS ?? 'plan,startup,apply,data,drizzle').split(',').map((s) => s.trim());
const dialects = selectedDialects();

const results: {
  machine: Record<string, unknown>; sizes: number[];
  plan: PlanFigures[]; startup: StartupFigures | null; apply: ApplyFigures[]; data: DataFigures[]; drizzle: DrizzleFigures[];
  errors: string[];
} = { machine: await machine(), sizes, plan: [], startup: null, apply: [], data: [], drizzle: [], errors: [] };

async function guarded(what: string, fn: () => Promise<void>): Promise<void> {
  try { await fn(); } catch (e) { const msg = `${what}: ${(e as Error).stack ?? String(e)}`; log(`FAILED ${msg}`); results.errors.push(msg.split('\n').slice(0, 3).join(' | ')); }
}

if (parts.includes('plan')) {
  for (const dialect of dialects) for (const n of sizes) {
    log(`plan: ${dialect} ${n} tables`);
    await guarded(`plan ${dialect} ${n}`, async () => { const f = await benchPlan(dialect, n); results.plan.push(f); log(`  ${JSON.stringify(f)}`); });
  }
}
if (parts.includes('drizzle')) {
  for (const dialect of dialects) {
    const n = sizes.includes(1000) ? 1000 : sizes[0]!;
    log(`drizzle-kit: ${dialect} ${n} tables`);
    await guarded(`drizzle ${dialect}`, async () => { const f = await benchDrizzle(dialect, n); results.drizzle.push(f); log(`  ${JSON.stringify(f)}`); });
  }
}
if (parts.includes('startup')) {
  log('startup');
  await guarded('startup', async () => { results.startup = benchStartup(10); log(`  ${JSON.stringify(results.startup)}`); });
}
if (parts.includes('apply')) {
  for (const dialect of dialects) {
    log(`apply: ${dialect}`);
    await guarded(`apply ${dialect}`, async () => { const f = await benchApply(dialect, Number(process.env.BENCH_EVOLUTIONS ?? 500)); results.apply.push(f); log(`  ${JSON.stringify(f)}`); });
  }
}
if (parts.includes('data')) {
  for (const dialect of dialects) {
    log(`data: ${dialect}`);
    // Two sizes, a tenth and the whole: memory must not grow with the rows (they never enter Node).
    const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);
    for (const n of [Math.round(rows / 10), rows]) {
      await guarded(`data ${dialect} ${n}`, async () => { const f = await benchData(dialect, n); results.data.push(f); log(`  ${JSON.stringify(f)}`); });
    }
  }
}

// ---- Markdown ----
const flag = (ratio: number, limit: number): string => (ratio > limit ? ` ⚠ >${limit}×` : '');
const md: string[] = [];
md.push('# Evolve benchmark results', '');
const m = results.machine;
md.push(`Run ${String(m.date)} on ${String(m.cpu)}, ${String(m.cores)} cores, ${String(m.memoryGiB)} GiB, ${String(m.os)}, Node ${String(m.node)}; SQLite ${String(m.sqlite)}, PostgreSQL ${String(m.postgres)}, MariaDB/MySQL ${String(m.mysql)}.`, '');
md.push('Times are medians in milliseconds. **floor** = the introspector\'s own catalog queries replayed through the raw driver in the same process. **plan** = introspect + fingerprint + 5% diff (diff + SQL generation). Ratios over 2× the floor are flagged ⚠. See bench/README.md.', '');
if (results.plan.length) {
  md.push('## Plan time', '');
  md.push('| dialect | tables | views | catalog queries | floor | introspect (×floor) | fingerprint | no-op diff | 5% diff | plan (×floor) | plan µs/table | compile models |');
  md.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const f of results.plan) {
    md.push(`| ${f.dialect} | ${f.tables} | ${f.views} | ${f.catalogQueries} | ${f.floorMs} | ${f.introspectMs} (${f.introspectRatio}×${flag(f.introspectRatio, 2)}) | ${f.fingerprintMs} | ${f.noopDiffMs}${f.noopChanges ? ` (${f.noopChanges} changes!)` : ''} | ${f.diff5Ms} | ${f.planMs} (${f.planRatio}×${flag(f.planRatio, 2)}) | ${round((f.planMs * 1000) / f.tables, 0)} | ${f.compileModelsMs} |`);
  }
  md.push('', '### Scaling (µs per table; growth factor from the smallest to the largest size, 1.0 = linear)', '');
  md.push('| dialect | figure | ' + sizes.map((n) => `${n}`).join(' | ') + ' | growth |');
  md.push('|---|---|' + sizes.map(() => '---:').join('|') + '|---:|');
  for (const dialect of dialects) {
    const rows = results.plan.filter((f) => f.dialect === dialect).sort((a, b) => a.tables - b.tables);
    if (rows.length < 1) continue;
    for (const key of ['floorMs', 'introspectMs', 'fingerprintMs', 'noopDiffMs', 'diff5Ms', 'planMs'] as const) {
      const per = rows.map((f) => (f[key] * 1000) / f.tables);
      const growth = per.length > 1 ? round(per[per.length - 1]! / per[0]!) : 1;
      md.push(`| ${dialect} | ${key.replace(/Ms$/, '')} | ${sizes.map((n) => { const i = rows.findIndex((f) => f.tables === n); return i >= 0 ? String(round(per[i]!, 0)) : '–'; }).join(' | ')} | ${growth}${growth > 2 ? ' ⚠' : ''} |`);
    }
  }
  md.push('');
}
md.push('## drizzle-kit introspection (`drizzle-kit pull`)', '');
if (results.drizzle.length) {
  md.push('| dialect | tables | drizzle-kit pull | Evolve plan | Evolve ÷ drizzle-kit | note |', '|---|---:|---:|---:|---:|---|');
  for (const f of results.drizzle) md.push(`| ${f.dialect} | ${f.tables} | ${f.drizzleMs ?? '–'} | ${f.evolvePlanMs ?? '–'} | ${f.ratio ?? '–'} | ${f.note} |`);
} else md.push('Not run.');
md.push('');
if (results.startup) {
  const s = results.startup;
  md.push('## Start-up (cold process, median of 10)', '', '| command | ms |', '|---|---:|',
    `| \`node -e 0\` (baseline) | ${s.nodeBaselineMs} |`, `| \`evolve --version\` | ${s.versionMs} |`, `| \`evolve fingerprint\` (small SQLite) | ${s.fingerprintSqliteMs} |`, '');
}
if (results.apply.length) {
  md.push('## Apply overhead (stored evolutions, target ≤ 1.3×)', '', '| dialect | evolutions | Evolve ms | direct ms | ratio | ms/evolution Evolve | ms/evolution direct |', '|---|---:|---:|---:|---:|---:|---:|');
  for (const f of results.apply) md.push(`| ${f.dialect} | ${f.evolutions} | ${f.evolveMs} | ${f.directMs} | ${f.ratio}×${flag(f.ratio, 1.3)} | ${f.perEvolutionEvolveMs} | ${f.perEvolutionDirectMs} |`);
  md.push('');
}
if (results.data.length) {
  md.push('## Data-preserving type change (target ≤ 1.3×, memory flat)', '', '| dialect | rows | change | Evolve ms | hand-written ms | ratio | Evolve peak RSS MiB | hand-written peak RSS MiB | bare node RSS MiB |', '|---|---:|---|---:|---:|---:|---:|---:|---:|');
  for (const f of results.data) md.push(`| ${f.dialect} | ${f.rows} | ${f.change} | ${f.evolveMs} | ${f.handMs} | ${f.ratio}×${flag(f.ratio, 1.3)} | ${f.evolveRssMiB} | ${f.handRssMiB} | ${f.nodeBaselineRssMiB} |`);
  md.push('');
}
if (results.errors.length) { md.push('## Errors', ''); for (const e of results.errors) md.push(`- ${e}`); md.push(''); }

const out = join('bench', 'results');
mkdirSync(out, { recursive: true });
const stem = process.env.BENCH_OUT ?? 'latest';
writeFileSync(join(out, `${stem}.json`), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(out, `${stem}.md`), `${md.join('\n')}\n`);
log(`wrote ${join(out, `${stem}.json`)} and ${stem}.md`);
process.stdout.write(`${md.join('\n')}\n`);
