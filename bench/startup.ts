/**
 * Start-up (issue 8 item 6, issue 19 point 1, issue 20 point 3): cold-process time of `evolve
 * --version`, `evolve fingerprint` and `evolve sql` with a TypeScript models module, beside
 * `node -e 0`; and the time inside `loadModels` of 1,000- and 5,000-table modules as TypeScript
 * and as the same code in JavaScript.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { median, round } from './lib.js';
import { startupBreakdown, type StartupPart } from './startup-breakdown.js';

export interface StartupFigures {
  runs: number; nodeBaselineMs: number; versionMs: number; fingerprintSqliteMs: number;
  /** `evolve sql` on a five-table SQLite database with a TypeScript models module (issue 19 point 1: target node + 250 ms). */
  sqlTsModelsMs?: number;
  /** Where `evolve sql`'s time over node's start-up goes (startup-breakdown.ts). */
  sqlBreakdown?: StartupPart[];
  /** Loading a models module of N tables in a fresh process: as TypeScript, and the same code as JavaScript (issue 20 point 3). */
  modelsLoad?: { tables: number; tsMs: number; jsMs: number; ratio: number }[];
}

/** A models module of `n` tables, 16 columns each, as a person writes it. */
function modelsSource(n: number): string {
  const lines = ["import { table, integer, varchar, text } from 'evolve';"];
  for (let i = 0; i < n; i++) {
    const cols = Array.from({ length: 14 }, (_, j) => `c${j}: varchar(50)`).join(', ');
    lines.push(`export const t${i} = table('t${i}', { id: integer().primaryKey(), ${cols}, note: text() });`);
  }
  return `${lines.join('\n')}\n`;
}

/** Milliseconds a fresh process takes inside `loadModels(path)` (median of `runs`, after one warm-up). */
function loadMs(path: string, runs: number): number {
  const script = `const { loadModels } = await import(${JSON.stringify(resolve('dist/index.js'))});` +
    `const t0 = performance.now(); await loadModels(${JSON.stringify(path)}); console.log(performance.now() - t0);`;
  const xs: number[] = [];
  for (let i = 0; i < runs + 1; i++) {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`loading ${path} failed: ${r.stderr}`);
    if (i > 0) xs.push(Number(r.stdout.trim()));
  }
  return round(median(xs), 1);
}

function coldMs(args: string[], runs: number): number {
  const xs: number[] = [];
  for (let i = 0; i < runs + 1; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
    if (i > 0) xs.push(ms); // the first run warms the OS file cache
  }
  return round(median(xs), 1);
}

export function benchStartup(runs = 10): StartupFigures {
  const bin = resolve('bin/evolve.js');
  const dir = mkdtempSync(join(tmpdir(), 'evolve-bench-start-'));
  try {
    const path = join(dir, 'small.db');
    const db = new Database(path);
    db.exec('CREATE TABLE a (id INTEGER PRIMARY KEY, name TEXT NOT NULL); CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a(id), note TEXT); CREATE INDEX b_a ON b(a_id);');
    db.close();
    const five = join(dir, 'five.ts');
    writeFileSync(five, modelsSource(5));
    const modelsLoad = [1000, 5000].map((tables) => {
      const ts = join(dir, `m${tables}.ts`);
      const js = join(dir, `m${tables}.mjs`);
      writeFileSync(ts, modelsSource(tables));
      writeFileSync(js, modelsSource(tables));
      const tsMs = loadMs(ts, Math.min(runs, 5));
      const jsMs = loadMs(js, Math.min(runs, 5));
      return { tables, tsMs, jsMs, ratio: round(tsMs / jsMs, 2) };
    });
    const sqlArgs = [bin, 'sql', '--db', `sqlite:${path}`, '--models', five];
    const nodeBaselineMs = coldMs(['-e', '0'], runs);
    const sqlTsModelsMs = coldMs(sqlArgs, runs);
    return {
      runs,
      nodeBaselineMs,
      versionMs: coldMs([bin, '--version'], runs),
      fingerprintSqliteMs: coldMs([bin, 'fingerprint', '--db', `sqlite:${path}`], runs),
      sqlTsModelsMs,
      sqlBreakdown: startupBreakdown(sqlArgs, 5, Math.max(0, sqlTsModelsMs - nodeBaselineMs)),
      modelsLoad,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
