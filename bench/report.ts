/**
 * The Markdown report of a bench run (bench/results/latest.md): every figure beside its floor,
 * growth between each pair of sizes, the drizzle-kit comparison, and a Limits section for every
 * missed target (the analysis lives in limits.ts).
 */
import type { PlanFigures } from './plan.js';
import type { StartupFigures } from './startup.js';
import type { ApplyFigures } from './apply.js';
import type { DataFigures } from './data.js';
import type { DrizzleFigures } from './drizzle.js';
import type { PullFigures } from './pull.js';
import { LIMITS } from './limits.js';
import { round } from './lib.js';

/** A figure with the run it comes from (a results file may merge runs: BENCH_MERGE). */
export type FromRun<T> = T & { run?: string };

export interface Results {
  machine: Record<string, unknown>;
  /** Every run whose figures are in this file: date and machine note. */
  runs: { date: string; note: string; parts: string[]; sizes: number[]; dialects: string[]; loadavg?: number[] }[];
  sizes: number[];
  plan: FromRun<PlanFigures>[];
  startup: FromRun<StartupFigures> | null;
  apply: FromRun<ApplyFigures>[];
  data: FromRun<DataFigures>[];
  drizzle: FromRun<DrizzleFigures>[];
  /** `evolve pull` against `evolve fingerprint` (absent in results written before it existed). */
  pull?: FromRun<PullFigures>[];
  errors: string[];
}

const PLAN_TARGET = 2;
const PULL_TARGET = 2;
const APPLY_TARGET = 1.3;
/** The table size the data-change time target is set for. */
const DATA_TARGET_ROWS = 1_000_000;
const GROWTH_FLAG = 1.5;
const ratio = (x: number, floor: number): number => round(x / floor);
const flag = (r: number, limit: number): string => (r > limit ? ` ⚠ >${limit}×` : '');

/** The run a figure comes from, as a short label (R1, R2…) into the runs list. */
function runLabel(results: Results, run: string | undefined): string {
  const i = results.runs.findIndex((r) => r.date === run);
  return i >= 0 ? `R${i + 1}` : '?';
}

interface Missed { key: string; what: string }

export function markdown(results: Results): string {
  const md: string[] = [];
  const missed: Missed[] = [];
  const m = results.machine;
  const multi = results.runs.length > 1;
  const from = (run: string | undefined): string => (multi ? ` | ${runLabel(results, run)}` : '');
  md.push('# Evolve benchmark results', '');
  md.push(`Machine: ${String(m.cpu)}, ${String(m.cores)} cores, ${String(m.memoryGiB)} GiB, ${String(m.os)}, Node ${String(m.node)}; SQLite ${String(m.sqlite)}, PostgreSQL ${String(m.postgres)}, MariaDB/MySQL ${String(m.mysql)}.`, '');
  md.push('Runs whose figures are in this file:', '');
  results.runs.forEach((r, i) => md.push(`- **R${i + 1}** ${r.date}: ${r.parts.join(', ')}${r.parts.some((p) => p === 'plan' || p === 'drizzle') ? `; sizes ${r.sizes.join(', ')}` : ''}; ${r.dialects.join(', ')}${r.loadavg ? `; load average at start ${r.loadavg.map((x) => round(x, 1)).join(' / ')}` : ''}. ${r.note}`));
  md.push('', 'Times are medians in milliseconds. **floor** = the introspector\'s own catalog queries replayed through the raw driver in the same process; every other figure is also shown as a multiple of it (×floor). **plan** = introspect + fingerprint + 5% diff (diff + SQL generation), target ≤ 2× the floor. Ratios are taken within one run, so they hold even when the machine is loaded; absolute times do not compare across runs. See bench/README.md.', '');

  if (results.plan.length) {
    md.push('## Plan time', '');
    md.push(`| dialect | tables | queries | floor | introspect | fingerprint | no-op diff | 5% diff | plan | plan µs/table | compile models${multi ? ' | run' : ''} |`);
    md.push(`|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:${multi ? '|---' : ''}|`);
    for (const f of results.plan) {
      const x = (v: number, r = ratio(v, f.floorMs)): string => `${v} (${r}×)`;
      // plan and introspect: the median of each round's own ratio (paired in time; see plan.ts).
      const planR = f.planRatio;
      if (planR > PLAN_TARGET) missed.push({ key: `plan:${f.dialect}`, what: `${f.dialect} plan at ${f.tables} tables: ${planR}× the floor (target ≤ ${PLAN_TARGET}×)` });
      md.push(`| ${f.dialect} | ${f.tables} | ${f.catalogQueries} | ${f.floorMs} | ${x(f.introspectMs, f.introspectRatio)} | ${x(f.fingerprintMs)} | ${x(f.noopDiffMs)}${f.noopChanges ? ` (${f.noopChanges} changes!)` : ''} | ${x(f.diff5Ms)} | **${f.planMs} (${planR}×${flag(planR, PLAN_TARGET)})** | ${round((f.planMs * 1000) / f.tables, 0)} | ${f.compileModelsMs}${from(f.run)} |`);
    }
    md.push('', `### Scaling: µs per table at each size, and its growth from each size to the next (1.0 = linear; over ${GROWTH_FLAG} flagged ⚠)`, '');
    const sizes = [...new Set(results.plan.map((f) => f.tables))].sort((a, b) => a - b);
    const steps = sizes.slice(1).map((n, i) => `${sizes[i]}→${n}`);
    md.push(`| dialect | figure | ${sizes.join(' | ')} | ${steps.map((s) => `growth ${s}`).join(' | ')} |`);
    md.push(`|---|---|${sizes.map(() => '---:').join('|')}|${steps.map(() => '---:').join('|')}|`);
    for (const dialect of [...new Set(results.plan.map((f) => f.dialect))]) {
      const rows = results.plan.filter((f) => f.dialect === dialect);
      for (const key of ['floorMs', 'introspectMs', 'fingerprintMs', 'noopDiffMs', 'diff5Ms', 'planMs'] as const) {
        const at = sizes.map((n) => rows.find((r) => r.tables === n));
        const per = at.map((f, i) => (f ? (f[key] * 1000) / sizes[i]! : NaN));
        const growth = per.slice(1).map((p, i) => round(p / per[i]!));
        // Growth between figures of two different runs compares two machine states: shown, not judged.
        const mixed = growth.map((_, i) => at[i]?.run !== at[i + 1]?.run);
        for (let i = 0; i < growth.length; i++) {
          if (growth[i]! > GROWTH_FLAG && !mixed[i]) missed.push({ key: `growth:${dialect}:${key}`, what: `${dialect} ${key.replace(/Ms$/, '')} per table grows ${growth[i]}× from ${sizes[i]} to ${sizes[i + 1]} tables` });
        }
        md.push(`| ${dialect} | ${key.replace(/Ms$/, '')} | ${per.map((p) => (Number.isNaN(p) ? '–' : String(round(p, 0)))).join(' | ')} | ${growth.map((g, i) => (Number.isNaN(g) ? '–' : mixed[i] ? `(${g}) †` : `${g}${g > GROWTH_FLAG ? ' ⚠' : ''}`)).join(' | ')} |`);
      }
    }
    if (multi) md.push('', '† the two sizes come from different runs (different machine load): the growth is shown but not judged.');
    md.push('');
  }

  md.push('## Against drizzle-kit (`drizzle-kit pull`, same database)', '');
  if (results.drizzle.length) {
    md.push('Cold processes on the database the plan figures were taken on: `drizzle-kit pull` (reads the catalogs, writes schema.ts; the figure is void unless schema.ts holds every table) against `evolve sql --models` with the 5%-changed models (introspect + fingerprint + diff + SQL: Evolve\'s whole plan). Both pay node\'s start-up and their own module loading (Evolve also loads the TypeScript models through tsx).', '');
    md.push(`| dialect | tables | runs | drizzle-kit pull ms | tables pulled | Evolve plan ms | Evolve ÷ drizzle-kit | note${multi ? ' | run' : ''} |`, `|---|---:|---:|---:|---:|---:|---:|---${multi ? '|---' : ''}|`);
    for (const f of results.drizzle) {
      if (f.ratio !== null && f.ratio >= 1) missed.push({ key: `drizzle:${f.dialect}`, what: `${f.dialect} at ${f.tables} tables: Evolve's plan takes ${f.ratio}× drizzle-kit's pull` });
      // A pull stopped at the time limit: its time is a lower bound, the ratio an upper one.
      const dz = f.drizzleMs ?? (f.timedOutMs ? `> ${f.timedOutMs}` : '–');
      const r = f.ratio ?? (f.timedOutMs && f.evolvePlanMs ? `< ${round(f.evolvePlanMs / f.timedOutMs, 3)}` : '–');
      const note = f.ratio !== null ? '' : f.timedOutMs ? `drizzle-kit pull did not finish in ${f.timedOutMs / 1000} s and was stopped` : f.note;
      md.push(`| ${f.dialect} | ${f.tables} | ${f.runs ?? '–'} | ${dz} | ${f.drizzleTables ?? '–'} | ${f.evolvePlanMs ?? '–'} | ${r}${f.ratio !== null && f.ratio >= 1 ? ' ⚠' : ''} | ${note}${from(f.run)} |`);
    }
  } else md.push('Not run.');
  md.push('');

  md.push('## `evolve pull` against `evolve fingerprint` (same database)', '');
  if (results.pull?.length) {
    md.push('Cold processes, alternated, on the database the plan figures were taken on: `evolve pull --out models.ts` (introspect, emit the models, write them; void unless the module holds every table, pull read the same fingerprint, and `evolve sql --exit-code` with the pulled module says in sync) against `evolve fingerprint`. Target: within 2×.', '');
    md.push(`| dialect | tables | runs | pull ms | fingerprint ms | pull ÷ fingerprint | listed as not expressible${multi ? ' | run' : ''} |`, `|---|---:|---:|---:|---:|---:|---:${multi ? '|---' : ''}|`);
    for (const f of results.pull) {
      if (f.ratio > PULL_TARGET) missed.push({ key: `pull:${f.dialect}`, what: `${f.dialect} at ${f.tables} tables: evolve pull takes ${f.ratio}× evolve fingerprint` });
      md.push(`| ${f.dialect} | ${f.tables} | ${f.runs} | ${f.pullMs} | ${f.fingerprintMs} | ${f.ratio}${flag(f.ratio, PULL_TARGET)} | ${f.notExpressible}${from(f.run)} |`);
    }
  } else md.push('Not run.');
  md.push('');

  if (results.startup) {
    const s = results.startup;
    md.push(`## Start-up (cold process, median of ${s.runs})${multi ? ` — ${runLabel(results, s.run)}` : ''}`, '', '| command | ms |', '|---|---:|',
      `| \`node -e 0\` (baseline) | ${s.nodeBaselineMs} |`, `| \`evolve --version\` | ${s.versionMs} |`, `| \`evolve fingerprint\` (small SQLite) | ${s.fingerprintSqliteMs} |`,
      ...(s.sqlTsModelsMs !== undefined ? [`| \`evolve sql\` (small SQLite, five-table TypeScript models; target node + 250 = ${round(s.nodeBaselineMs + 250, 1)}) | ${s.sqlTsModelsMs}${s.sqlTsModelsMs > s.nodeBaselineMs + 250 ? ' ⚠' : ''} |`] : []), '');
    if (s.sqlTsModelsMs !== undefined && s.sqlTsModelsMs > s.nodeBaselineMs + 250) {
      missed.push({ key: 'startup:sql', what: `evolve sql with TypeScript models: ${s.sqlTsModelsMs} ms cold (target node's ${s.nodeBaselineMs} + 250 ms)` });
    }
    for (const m of s.modelsLoad ?? []) {
      if (m.ratio > 1.5 || m.tsMs > 150) missed.push({ key: `models-load:${m.tables}`, what: `loading ${m.tables} TypeScript models: ${m.tsMs} ms, ${m.ratio}× JavaScript (targets ≤ 150 ms, ≤ 1.5×)` });
    }
    if (s.modelsLoad?.length) {
      md.push('Loading a models module in a fresh process (time inside `loadModels`; target: TypeScript ≤ 1.5× JavaScript and ≤ 150 ms):', '',
        '| tables | TypeScript ms | JavaScript ms | ratio |', '|---:|---:|---:|---:|',
        ...s.modelsLoad.map((m) => `| ${m.tables} | ${m.tsMs}${m.tsMs > 150 ? ' ⚠' : ''} | ${m.jsMs} | ${m.ratio}×${m.ratio > 1.5 ? ' ⚠' : ''} |`), '');
    }
  }
  if (results.apply.length) {
    md.push(`## Apply overhead (stored evolutions through \`applyEvolution\`, the path of \`evolve apply\`; target ≤ ${APPLY_TARGET}×)`, '');
    md.push('**direct**: a new driver connection runs the 500 statements one by one and disconnects. **verify ms**: one verification (introspect + fingerprint of the finished database) — paid once per chain by default — at its end, before the commit on SQLite and PostgreSQL (one transaction); on MySQL (each DDL statement commits) also before every link that is not purely additive, which no link of this chain of ADD COLUMNs is — and per link with `--verify-each-link`. **each link ms**: one run with `--verify-each-link` (not judged against the target: it buys a check per link); on MySQL it is also about what a chain of links that are not purely additive (DROP, MODIFY, RENAME…) costs by default.', '');
    md.push(`| dialect | evolutions | runs | Evolve ms | direct ms | ratio | ms/evolution Evolve | ms/evolution direct | verify ms | each link ms | Evolve runs | direct runs${multi ? ' | run' : ''} |`, `|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---${multi ? '|---' : ''}|`);
    for (const f of results.apply) {
      if (f.ratio > APPLY_TARGET) missed.push({ key: `apply:${f.dialect}`, what: `${f.dialect} apply of ${f.evolutions} stored evolutions: ${f.ratio}× direct SQL (target ≤ ${APPLY_TARGET}×)` });
      md.push(`| ${f.dialect} | ${f.evolutions} | ${f.runs ?? 1} | ${f.evolveMs} | ${f.directMs} | ${f.ratio}×${flag(f.ratio, APPLY_TARGET)} | ${f.perEvolutionEvolveMs} | ${f.perEvolutionDirectMs} | ${f.verifyMs ?? '–'} | ${f.eachLinkMs ?? '–'} | ${f.evolveRuns?.join(', ') ?? '–'} | ${f.directRuns?.join(', ') ?? '–'}${from(f.run)} |`);
    }
    md.push('');
  }
  if (results.data.length) {
    md.push(`## Data-preserving type change (target ≤ ${APPLY_TARGET}× at ${DATA_TARGET_ROWS.toLocaleString('en')} rows, memory flat)`, '');
    md.push(`The time target is judged on the ${DATA_TARGET_ROWS.toLocaleString('en')}-row table (issue 8); smaller tables are there to show memory staying flat as rows grow, and their ratios (where Evolve's fixed costs — open, lock, introspect, plan, verify — weigh more) are shown, not judged.`, '');
    md.push('Peak memory is each child process\'s own high-water mark (VmHWM); "bare node" is a child that loads the same modules and does nothing; "control" one that also holds 64 MiB (it must read about 64 MiB more, or the readings are not the children\'s own).', '');
    md.push(`| dialect | rows | runs | change | Evolve ms | hand-written ms | ratio | Evolve peak MiB | hand-written peak MiB | bare node MiB | control MiB${multi ? ' | run' : ''} |`, `|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:${multi ? '|---' : ''}|`);
    for (const f of results.data) {
      const judged = f.rows >= DATA_TARGET_ROWS;
      if (judged && f.ratio > APPLY_TARGET) missed.push({ key: `data:${f.dialect}`, what: `${f.dialect} type change on ${f.rows} rows: ${f.ratio}× the hand-written SQL (target ≤ ${APPLY_TARGET}×)` });
      md.push(`| ${f.dialect} | ${f.rows} | ${f.runs ?? 1} | ${f.change} | ${f.evolveMs} | ${f.handMs} | ${f.ratio}×${judged ? flag(f.ratio, APPLY_TARGET) : ' (not judged)'} | ${f.evolveRssMiB} | ${f.handRssMiB} | ${f.nodeBaselineRssMiB} | ${f.controlRssMiB ?? '–'}${from(f.run)} |`);
    }
    md.push('');
  }

  md.push('## Limits', '');
  if (missed.length === 0) md.push('Every target is met in this run.');
  else {
    md.push('Each target missed in this file, and why (analysis from profiles: bench/limits.ts).', '');
    const keys = [...new Set(missed.map((x) => x.key.split(':').slice(0, 2).join(':')))];
    for (const key of keys) {
      md.push(`- ${missed.filter((x) => x.key.startsWith(key)).map((x) => x.what).join('; ')}.`);
      md.push(`  ${LIMITS[key] ?? LIMITS[key.split(':')[0]!] ?? 'Not analysed yet.'}`);
    }
  }
  md.push('');
  if (results.errors.length) { md.push('## Errors', ''); for (const e of results.errors) md.push(`- ${e}`); md.push(''); }
  return `${md.join('\n')}\n`;
}

// `node --import tsx bench/report.ts [stem]`: rewrite bench/results/<stem>.md from its .json (after editing limits.ts).
if (import.meta.url === `file://${process.argv[1]}`) {
  const { readFileSync, writeFileSync } = await import('node:fs');
  const stem = process.argv[2] ?? 'latest';
  writeFileSync(`bench/results/${stem}.md`, markdown(JSON.parse(readFileSync(`bench/results/${stem}.json`, 'utf8')) as Results));
}
