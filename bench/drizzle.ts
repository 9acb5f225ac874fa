/**
 * drizzle-kit comparison (issue 8 item 1b): `drizzle-kit pull` of the same generated database,
 * a cold process, against a cold `evolve fingerprint` (introspect + fingerprint) of it.
 * drizzle-kit is installed only for the bench, by bench/setup.sh, into bench/drizzle/.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadDialect } from '../src/index.js';
import { generateModels, createStatements } from './schema.js';
import { setup } from './plan.js';
import { type BenchDialect, median, round, MYSQL_URL, PG_URL } from './lib.js';

export interface DrizzleFigures { dialect: BenchDialect; tables: number; drizzleMs: number | null; evolvePlanMs: number | null; ratio: number | null; note: string }

const BIN = resolve('bench/drizzle/node_modules/drizzle-kit/bin.cjs');

function timed(args: string[], cwd: string): { ms: number; ok: boolean; err: string } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', timeout: 600_000 });
  return { ms: performance.now() - t0, ok: r.status === 0, err: `${r.stderr ?? ''}${r.stdout ?? ''}`.slice(-400) };
}

export async function benchDrizzle(dialect: BenchDialect, n: number, runs = 3): Promise<DrizzleFigures> {
  if (!existsSync(BIN)) return { dialect, tables: n, drizzleMs: null, evolvePlanMs: null, ratio: null, note: 'drizzle-kit not installed (run bench/setup.sh)' };
  const d = await loadDialect(dialect);
  const env = await setup(dialect, n, createStatements(generateModels(n), d).statements);
  const out = mkdtempSync(join(tmpdir(), 'evolve-bench-drizzle-'));
  try {
    const tag = `evolve_bench_${n}_${process.pid}`;
    const args = dialect === 'sqlite' ? ['--dialect', 'sqlite', '--url', env.url.replace(/^sqlite:/, '')]
      : dialect === 'postgres' ? ['--dialect', 'postgresql', '--url', PG_URL, '--schemaFilters', tag]
        : ['--dialect', 'mysql', '--url', MYSQL_URL.replace(/\/[^/]*$/, `/${tag}`)];
    const dz: number[] = [];
    const ev: number[] = [];
    for (let i = 0; i < runs; i++) {
      const r = timed([BIN, 'pull', ...args, '--out', join(out, String(i))], out);
      if (!r.ok) return { dialect, tables: n, drizzleMs: null, evolvePlanMs: null, ratio: null, note: `drizzle-kit pull failed: ${r.err.replace(/\s+/g, ' ').replace(/\|/g, '/')}` };
      dz.push(r.ms);
      const e = timed([resolve('bin/evolve.js'), 'fingerprint', '--db', env.url], out);
      if (!e.ok) throw new Error(`evolve fingerprint failed: ${e.err}`);
      ev.push(e.ms);
    }
    const drizzleMs = round(median(dz), 0);
    const evolvePlanMs = round(median(ev), 0);
    return { dialect, tables: n, drizzleMs, evolvePlanMs, ratio: round(evolvePlanMs / drizzleMs), note: `cold processes, median of ${runs}: drizzle-kit pull (writes schema.ts) vs evolve fingerprint (introspect + fingerprint)` };
  } finally {
    rmSync(out, { recursive: true, force: true });
    await env.drop();
  }
}
