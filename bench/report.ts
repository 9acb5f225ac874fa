/**
 * The Markdown report of a bench run (bench/results/latest.md): every figure beside its floor,
 * growth between each pair of sizes, the drizzle-kit comparison, and a Limits section for every
 * missed target (the analysis lives in limits.ts).
 */
import type { PlanFigures } from './plan.js';
import type { CommandFigures } from './commands.js';
import type { ApplyCommandFigures } from './apply-commands.js';
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
  /** Whole commands against the fastest-read process (absent in files from before issue 20). */
  commands?: FromRun<CommandFigures>[];
  /** `evolve apply` as a process: nothing to do, and a 5% change against the same statements run directly (absent before issue 20 point 4 was measured). */
  applyCommands?: FromRun<ApplyCommandFigures>[];
  errors: string[];
}

/** Issue 20 point 2: plan within 1.5× of the fastest read of the same facts. */
const PLAN_TARGET = 1.5;
const PULL_TARGET = 2;
/** Issue 20 point 4: whole commands within 2× of the fastest-read process (time at 1,000 tables, memory at 5,000); apply of a 5% change within 1.5× of its statements run directly. */
const COMMAND_TARGET = 2;
const APPLY_CHANGE_TARGET = 1.5;
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

/** The plan in a command's steady state (bench/plan.ts keptPlanMs). */
function kept(f: PlanFigures): string {
  if (f.keptPlanMs === undefined || f.keptPlanMs === null || f.keptPlanRatio === undefined || f.keptPlanRatio === null) return '–';
  return `**${f.keptPlanMs} (${f.keptPlanRatio}×${flag(f.keptPlanRatio, PLAN_TARGET)})**, read ${f.keptIntrospectMs}`;
}

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
  md.push('', 'Times are medians in milliseconds. **fastest read** (the floor) = the fewest, fastest catalog queries that read the same facts, written for the bench only (bench/fastest-read.ts: SQLite one JSON query, PostgreSQL 4 pg_catalog queries, MariaDB 5 information_schema queries), rows parsed; every other figure is also shown as a multiple of it (×floor). **replayed** = the introspector\'s own catalog queries replayed through the raw driver (the old floor). **fingerprints** = both fingerprints a plan takes (the live schema, and the 5%-changed models with the live views they keep) in one pass, which also finds the tables that are the same on both sides (ir/fingerprint.ts `fingerprintPair`; in runs from 2026-12-03T17:00Z on; before, the live fingerprint alone). **5% diff** = the diff of the rest + the dialect\'s plan (SQL generation). **plan** = introspect + fingerprints + 5% diff, target ≤ 1.5× the fastest read. **plan, steady state** = the same plan as a command makes it when nothing changed since the command before: the models read from their kept entry (frozen, their canonical texts kept; reading them is the command\'s models step, not counted), the live schema taken by its catalog key where the dialect has one (src/database/kept-live.ts; SQLite, whose schema is the text of sqlite_schema: one query and the kept entry instead of the catalog read), else read afresh, then fingerprints and the 5% diff; **read** = that live read alone (in runs from 2026-12-07 on). Ratios are taken within one run, so they hold even when the machine is loaded; absolute times do not compare across runs. See bench/README.md.', '');

  if (results.plan.length) {
    md.push('## Plan time', '');
    md.push(`| dialect | tables | fastest read (queries) | replayed (queries) | introspect | fingerprints | no-op diff | 5% diff | plan | plan, steady state | plan ×replayed | plan µs/table | compile models${multi ? ' | run' : ''} |`);
    md.push(`|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:${multi ? '|---' : ''}|`);
    for (const f of results.plan) {
      const base = f.fastestMs ?? f.floorMs;
      const x = (v: number, r = ratio(v, base)): string => `${v} (${r}×)`;
      // plan and introspect: the median of each round's own ratio (paired in time; see plan.ts).
      const planR = f.planRatio;
      if (planR > PLAN_TARGET) missed.push({ key: `plan:${f.dialect}`, what: `${f.dialect} plan at ${f.tables} tables: ${planR}× the fastest read (target ≤ ${PLAN_TARGET}×)` });
      md.push(`| ${f.dialect} | ${f.tables} | ${f.fastestMs ?? '–'} (${f.fastestQueries ?? '–'}) | ${x(f.floorMs)} (${f.catalogQueries}) | ${x(f.introspectMs, f.introspectRatio)} | ${x(f.fingerprintMs)} | ${x(f.noopDiffMs)}${f.noopChanges ? ` (${f.noopChanges} changes!)` : ''} | ${x(f.diff5Ms)} | **${f.planMs} (${planR}×${flag(planR, PLAN_TARGET)})** | ${kept(f)} | ${f.planReplayRatio ?? '–'} | ${round((f.planMs * 1000) / f.tables, 0)} | ${f.compileModelsMs}${from(f.run)} |`);
    }
    md.push('', `### Scaling: µs per table at each size, and its growth from each size to the next (1.0 = linear; over ${GROWTH_FLAG} flagged ⚠)`, '');
    const sizes = [...new Set(results.plan.map((f) => f.tables))].sort((a, b) => a - b);
    const steps = sizes.slice(1).map((n, i) => `${sizes[i]}→${n}`);
    md.push(`| dialect | figure | ${sizes.join(' | ')} | ${steps.map((s) => `growth ${s}`).join(' | ')} |`);
    md.push(`|---|---|${sizes.map(() => '---:').join('|')}|${steps.map(() => '---:').join('|')}|`);
    for (const dialect of [...new Set(results.plan.map((f) => f.dialect))]) {
      const rows = results.plan.filter((f) => f.dialect === dialect);
      for (const key of ['fastestMs', 'floorMs', 'introspectMs', 'fingerprintMs', 'noopDiffMs', 'diff5Ms', 'planMs'] as const) {
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
  if (results.commands?.length) {
    md.push('## Whole commands (cold processes, same database as the plan figures)', '',
      '`evolve sql` with a plain TypeScript models module (the 5%-changed models, `import … from \'evolve\'`, one `table()` per table) against a process that only runs the fastest catalog read through the raw driver (node start-up + driver + queries + rows parsed). Peak memory is each process\'s VmHWM. Targets: time ≤ 2× at 1,000 tables, memory ≤ 2× at 5,000. **evolve sql** is the steady state: the models\' schema kept by the command before (model/compiled-cache.ts); **models compiled** is the same command with that entry removed first (the module run and compiled at the command, as the first command after an edit, less the type stripping). The targets are judged on the first.', '',
      `| dialect | tables | runs | fastest-read process ms | evolve sql ms | ×fastest | models compiled: ms | ×fastest | fastest-read MiB | evolve sql MiB | ×fastest | models compiled: MiB${multi ? ' | run' : ''} |`,
      `|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:${multi ? '|---' : ''}|`);
    for (const c of results.commands) {
      if (c.tables <= 1000 && c.ratio > 2) missed.push({ key: `commands:${c.dialect}`, what: `${c.dialect} evolve sql at ${c.tables} tables: ${c.ratio}× the fastest-read process (target ≤ 2×)` });
      if (c.tables >= 5000 && c.memoryRatio > 2) missed.push({ key: `memory:${c.dialect}`, what: `${c.dialect} evolve sql at ${c.tables} tables: ${c.memoryRatio}× the fastest-read process's peak memory (target ≤ 2×)` });
      const compiled = c.sqlCompiledMs === undefined ? '– | –' : `${c.sqlCompiledMs} | ${round(c.sqlCompiledMs / c.fastestProcessMs)}`;
      md.push(`| ${c.dialect} | ${c.tables} | ${c.runs} | ${c.fastestProcessMs} | ${c.sqlMs} | ${c.ratio}${c.tables <= 1000 ? flag(c.ratio, 2) : ''} | ${compiled} | ${c.fastestProcessMiB} | ${c.sqlMiB} | ${c.memoryRatio}${c.tables >= 5000 ? flag(c.memoryRatio, 2) : ''} | ${c.sqlCompiledMiB ?? '–'}${from(c.run)} |`);
    }
    md.push('');
    // Issue 20 point 5: growth of the whole commands too (time and memory per table).
    const csizes = [...new Set(results.commands.map((c) => c.tables))].sort((a, b) => a - b);
    if (csizes.length > 1) {
      const steps = csizes.slice(1).map((n, i) => `${csizes[i]}→${n}`);
      md.push(`Scaling of the whole commands: per table at each size (ms/1,000 tables; MiB/1,000 tables), and growth from each size to the next (1.0 = linear; over ${GROWTH_FLAG} flagged ⚠). A process's fixed part (node, the libraries) weighs less as tables grow, so growth below 1 is expected.`, '',
        `| dialect | figure | ${csizes.join(' | ')} | ${steps.map((x) => `growth ${x}`).join(' | ')} |`,
        `|---|---|${csizes.map(() => '---:').join('|')}|${steps.map(() => '---:').join('|')}|`);
      for (const dialect of [...new Set(results.commands.map((c) => c.dialect))]) {
        for (const key of ['fastestProcessMs', 'sqlMs', 'sqlMiB'] as const) {
          const at = csizes.map((n) => results.commands!.find((c) => c.dialect === dialect && c.tables === n));
          const per = at.map((c, i) => (c ? (c[key] * 1000) / csizes[i]! : NaN));
          const growth = per.slice(1).map((p, i) => round(p / per[i]!));
          const mixed = growth.map((_, i) => at[i]?.run !== at[i + 1]?.run);
          for (let i = 0; i < growth.length; i++) {
            if (growth[i]! > GROWTH_FLAG && !mixed[i]) missed.push({ key: `growth:${dialect}:${key}`, what: `${dialect} ${key} per table grows ${growth[i]}× from ${csizes[i]} to ${csizes[i + 1]} tables` });
          }
          md.push(`| ${dialect} | ${key} | ${per.map((p) => (Number.isNaN(p) ? '–' : String(round(p, 1)))).join(' | ')} | ${growth.map((g, i) => (Number.isNaN(g) ? '–' : mixed[i] ? `(${g}) †` : `${g}${g > GROWTH_FLAG ? ' ⚠' : ''}`)).join(' | ')} |`);
        }
      }
      md.push('');
    }
  }
  if (results.applyCommands?.length) {
    md.push('## `evolve apply` as a whole process (cold processes, same database as the plan figures)', '',
      '**nothing to do**: `evolve apply --models models.ts` with the models the database holds, against the fastest-read process (target ≤ 2× at 1,000 tables). '
      + '**5% change**: `evolve apply` of the 5%-changed models (introspect, plan, apply in one transaction where the dialect allows, verify, record) against a cold process that runs the same statements through the raw driver (node start-up + driver + statements, in the plan\'s transactions; on MariaDB without the ALGORITHM clauses Evolve states, the server choosing); each run starts from the unchanged schema (target ≤ 1.5× at 1,000 tables). See bench/apply-commands.ts.', '',
      `| dialect | tables | runs | fastest-read process ms | apply, nothing to do ms | ×fastest | statements | apply 5% ms | same statements directly ms | ×direct${multi ? ' | run' : ''} |`,
      `|---|---:|---:|---:|---:|---:|---:|---:|---:|---:${multi ? '|---' : ''}|`);
    for (const a of results.applyCommands) {
      const judged = a.tables <= 1000;
      if (judged && a.noopRatio > COMMAND_TARGET) missed.push({ key: `commands-apply:${a.dialect}`, what: `${a.dialect} evolve apply (nothing to do) at ${a.tables} tables: ${a.noopRatio}× the fastest-read process (target ≤ ${COMMAND_TARGET}×)` });
      if (judged && a.applyRatio > APPLY_CHANGE_TARGET) missed.push({ key: `commands-apply:${a.dialect}`, what: `${a.dialect} evolve apply of a 5% change at ${a.tables} tables: ${a.applyRatio}× the same statements run directly (target ≤ ${APPLY_CHANGE_TARGET}×)` });
      md.push(`| ${a.dialect} | ${a.tables} | ${a.runs} | ${a.fastestProcessMs} | ${a.noopMs} | ${a.noopRatio}${judged ? flag(a.noopRatio, COMMAND_TARGET) : ''} | ${a.statements} | ${a.applyMs} | ${a.directMs} | ${a.applyRatio}${judged ? flag(a.applyRatio, APPLY_CHANGE_TARGET) : ''}${from(a.run)} |`);
    }
    md.push('');
  }

  if (results.startup) {
    const s = results.startup;
    md.push(`## Start-up (cold process, median of ${s.runs})${multi ? ` — ${runLabel(results, s.run)}` : ''}`, '', '| command | ms |', '|---|---:|',
      `| \`node -e 0\` (baseline) | ${s.nodeBaselineMs} |`, `| \`evolve --version\` | ${s.versionMs} |`, `| \`evolve fingerprint\` (small SQLite) | ${s.fingerprintSqliteMs} |`,
      ...(s.sqlTsModelsMs !== undefined ? [`| \`evolve sql\` (small SQLite, five-table TypeScript models; target node + 250 = ${round(s.nodeBaselineMs + 250, 1)}) | ${s.sqlTsModelsMs}${s.sqlTsModelsMs > s.nodeBaselineMs + 250 ? ' ⚠' : ''} |`] : []), '');
    if (s.sqlBreakdown?.length) {
      md.push(`Where \`evolve sql\`'s ${round(s.sqlTsModelsMs! - s.nodeBaselineMs, 1)} ms over node's start-up go: shares of 5 CPU profiles (V8's sampling ` +
        'profiler; each sample counted for the first frame of Evolve, a driver or the models on its stack, else for what V8 was doing), ' +
        'as milliseconds of that difference (bench/startup-breakdown.ts):', '', '| part | share | ms |', '|---|---:|---:|',
        ...s.sqlBreakdown.map((b) => `| ${b.part} | ${round(b.share * 100, 1)}% | ${b.ms} |`), '');
    }
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

  md.push(...issue20Targets(results), '');
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

/**
 * Issue 20's targets, each met or missed on this file's figures (points 2, 4 and 5; points 1
 * and 3 are the floor itself and the models' loading, in the start-up section).
 */
function issue20Targets(results: Results): string[] {
  const rows: string[] = [];
  const row = (point: string, what: string, value: string, target: string, met: boolean | null, run?: string): void => {
    rows.push(`| ${point} | ${what} | ${value} | ${target} | ${met === null ? 'not measured' : met ? 'met' : '**missed**'}${results.runs.length > 1 && run ? ` | ${runLabel(results, run)}` : results.runs.length > 1 ? ' | –' : ''} |`);
  };
  const dialects = ['sqlite', 'postgres', 'mysql'];
  for (const d of dialects) for (const n of [1000, 5000]) {
    const f = results.plan.find((x) => x.dialect === d && x.tables === n);
    row('2', `plan, ${d}, ${n} tables`, f ? `${f.planRatio}× the fastest read` : '–', `≤ ${PLAN_TARGET}×`, f ? f.planRatio <= PLAN_TARGET : null, f?.run);
    if (typeof f?.keptPlanRatio === 'number') {
      row('2', `plan, steady state, ${d}, ${n} tables`, `${f.keptPlanRatio}× the fastest read`, `≤ ${PLAN_TARGET}×`, f.keptPlanRatio <= PLAN_TARGET, f.run);
    }
  }
  for (const d of dialects) {
    const c = results.commands?.find((x) => x.dialect === d && x.tables === 1000);
    row('4', `evolve sql (TypeScript models), ${d}, 1000 tables`, c ? `${c.ratio}× the fastest-read process` : '–', `≤ ${COMMAND_TARGET}×`, c ? c.ratio <= COMMAND_TARGET : null, c?.run);
    const a = results.applyCommands?.find((x) => x.dialect === d && x.tables === 1000);
    row('4', `evolve apply (nothing to do), ${d}, 1000 tables`, a ? `${a.noopRatio}× the fastest-read process` : '–', `≤ ${COMMAND_TARGET}×`, a ? a.noopRatio <= COMMAND_TARGET : null, a?.run);
    const m = results.commands?.find((x) => x.dialect === d && x.tables === 5000);
    row('4', `evolve sql peak memory, ${d}, 5000 tables`, m ? `${m.memoryRatio}× the fastest-read process's` : '–', `≤ ${COMMAND_TARGET}×`, m ? m.memoryRatio <= COMMAND_TARGET : null, m?.run);
    row('4', `evolve apply of a 5% change, ${d}, 1000 tables`, a ? `${a.applyRatio}× the same statements run directly` : '–', `≤ ${APPLY_CHANGE_TARGET}×`, a ? a.applyRatio <= APPLY_CHANGE_TARGET : null, a?.run);
  }
  // Point 5: every plan and command figure's growth per table between consecutive sizes, judged where both sizes come from one run.
  for (const d of dialects) {
    const sizes = [...new Set(results.plan.filter((f) => f.dialect === d).map((f) => f.tables))].filter((n) => n >= 1000).sort((a, b) => a - b);
    const worst: { g: number; what: string; mixed: boolean }[] = [];
    for (let i = 1; i < sizes.length; i++) {
      const a = results.plan.find((f) => f.dialect === d && f.tables === sizes[i - 1])!;
      const b = results.plan.find((f) => f.dialect === d && f.tables === sizes[i])!;
      for (const key of ['introspectMs', 'fingerprintMs', 'diff5Ms', 'planMs'] as const) {
        worst.push({ g: round((b[key] / b.tables) / (a[key] / a.tables)), what: `${key.replace(/Ms$/, '')} ${a.tables}→${b.tables}`, mixed: a.run !== b.run });
      }
      const ca = results.commands?.find((c) => c.dialect === d && c.tables === sizes[i - 1]);
      const cb = results.commands?.find((c) => c.dialect === d && c.tables === sizes[i]);
      if (ca && cb) worst.push({ g: round((cb.sqlMs / cb.tables) / (ca.sqlMs / ca.tables)), what: `evolve sql ${ca.tables}→${cb.tables}`, mixed: ca.run !== cb.run });
    }
    const judged = worst.filter((w) => !w.mixed);
    const top = judged.sort((x, y) => y.g - x.g)[0];
    const needed = d === 'mysql' ? 5000 : 10000;
    const reach = sizes.includes(needed);
    row('5', `growth per table, ${d}, 1000 → ${needed} tables`, top ? `largest ${top.g} (${top.what})` : '–', `≤ ${GROWTH_FLAG} at each step, up to ${needed}`,
      top && reach ? top.g <= GROWTH_FLAG : null);
  }
  return ['## Issue 20 targets', '', 'Each target judged on the figures above (ratios taken within one run; growth only between sizes of one run).', '',
    `| point | figure | value | target | met${results.runs.length > 1 ? ' | run' : ''} |`, `|---|---|---|---|---${results.runs.length > 1 ? '|---' : ''}|`, ...rows];
}

// `node --import tsx bench/report.ts [stem]`: rewrite bench/results/<stem>.md from its .json (after editing limits.ts).
if (import.meta.url === `file://${process.argv[1]}`) {
  const { readFileSync, writeFileSync } = await import('node:fs');
  const stem = process.argv[2] ?? 'latest';
  writeFileSync(`bench/results/${stem}.md`, markdown(JSON.parse(readFileSync(`bench/results/${stem}.json`, 'utf8')) as Results));
}
