/**
 * `evolve pull` against `evolve fingerprint` (issue 18 point 2: pulling 1,000 tables within 2×
 * of fingerprinting the same database): on the database the plan benchmark just built, cold
 * processes of each, alternated, medians. Both read the same catalogs; pull also writes the
 * models module. The pull is void unless its module holds every table and its fingerprint is
 * the one `evolve fingerprint` reports; after the runs, `evolve sql --exit-code --models` with the
 * pulled module must say in sync (the models state every table exactly; the views they cannot
 * state are listed and adopted).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type BenchDialect, median, round } from './lib.js';

export interface PullFigures {
  dialect: BenchDialect;
  tables: number;
  runs: number;
  /** Median of cold `evolve pull --out … --force` processes. */
  pullMs: number;
  /** Median of cold `evolve fingerprint` processes on the same database. */
  fingerprintMs: number;
  /** pullMs ÷ fingerprintMs (target ≤ 2). */
  ratio: number;
  /** Tables in the module pull wrote (must equal `tables`). */
  pulledTables: number;
  /** What pull listed as not expressible (the bench schema's views). */
  notExpressible: number;
  /** `evolve sql --exit-code --models <pulled>` said in sync (else the part fails). */
  inSync: boolean;
  note: string;
}

function run(args: string[], cwd: string, ok = [0]): { ms: number; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [resolve('bin/evolve.js'), ...args], { cwd, encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });
  const ms = performance.now() - t0;
  if (!ok.includes(r.status ?? -1)) throw new Error(`evolve ${args[0]} failed (exit ${r.status}): ${(r.stderr || r.stdout).slice(-500)}`);
  return { ms, stdout: r.stdout };
}

/** Measure on an existing database of `n` generated tables at `url`. */
export async function benchPull(dialect: BenchDialect, n: number, url: string, runs = 3): Promise<PullFigures> {
  const work = mkdtempSync(join(tmpdir(), 'evolve-bench-pull-'));
  try {
    const pulls: number[] = [];
    const prints: number[] = [];
    let pulledTables = 0;
    let notExpressible = 0;
    const models = join(work, 'models.ts');
    for (let i = 0; i < runs; i++) {
      const fp = run(['fingerprint', '--json', '--db', url], work);
      prints.push(fp.ms);
      const p = run(['pull', '--json', '--force', '--db', url, '--out', models], work);
      pulls.push(p.ms);
      const summary = JSON.parse(p.stdout) as { fingerprint: string; notExpressible: string[] };
      if (summary.fingerprint !== (JSON.parse(fp.stdout) as { fingerprint: string }).fingerprint) throw new Error('evolve pull read another fingerprint than evolve fingerprint');
      pulledTables = (readFileSync(models, 'utf8').match(/^export const \S+ = table\(/gm) ?? []).length;
      if (pulledTables !== n) throw new Error(`evolve pull wrote ${pulledTables} tables, expected ${n}`);
      notExpressible = summary.notExpressible.length;
    }
    const check = run(['sql', '--exit-code', '--db', url, '--models', models], work, [0, 3]);
    if (!/in sync with the models/.test(check.stdout)) throw new Error(`the pulled models are not in sync with the database:\n${check.stdout.slice(0, 2000)}`);
    const pullMs = round(median(pulls), 0);
    const fingerprintMs = round(median(prints), 0);
    return {
      dialect, tables: n, runs, pullMs, fingerprintMs, ratio: round(pullMs / fingerprintMs), pulledTables, notExpressible, inSync: true,
      note: `cold processes, median of ${runs}, alternated: evolve pull --out (introspect + emit + write) vs evolve fingerprint`,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
