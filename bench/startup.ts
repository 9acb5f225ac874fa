/** Start-up (issue 8 item 6): cold-process time of `evolve --version` and `evolve fingerprint`. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { median, round } from './lib.js';

export interface StartupFigures { runs: number; nodeBaselineMs: number; versionMs: number; fingerprintSqliteMs: number }

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
    return {
      runs,
      nodeBaselineMs: coldMs(['-e', '0'], runs),
      versionMs: coldMs([bin, '--version'], runs),
      fingerprintSqliteMs: coldMs([bin, 'fingerprint', '--db', `sqlite:${path}`], runs),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
