/**
 * Whole commands (issue 20 point 4): on the database the plan figures were taken on, cold
 * `evolve sql` with a plain TypeScript models module (the 5%-changed models, `import … from
 * 'evolve'`, one `table()` per table) against a cold process that only runs the fastest catalog
 * read (fastest-read.ts) through the raw driver — node's start-up, the driver, the queries, the
 * rows parsed — with each process's peak memory (VmHWM, read by a preload at exit). Evolve runs
 * with a cache directory of its own: `evolve sql` is measured with the models' schema kept by the
 * command before (what a user sees from the second command on), and again with it removed (the
 * models run and compiled at that command, as at the first command after an edit).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { MYSQL, PG, SQLITE } from './fastest-read.js';
import { type BenchDialect, median, round, mysqlUrl, PG_URL } from './lib.js';
import { modelsSourceTs } from './models-source.js';

export interface CommandFigures {
  dialect: BenchDialect; tables: number; runs: number;
  /** Cold process running only the fastest read: median ms and largest peak MiB. */
  fastestProcessMs: number; fastestProcessMiB: number;
  /** Cold `evolve sql --models models.ts` (plain TypeScript, 5% changed), the models' schema kept by the command before (the steady state). */
  sqlMs: number; sqlMiB: number;
  /** The same with the models compiled at this command (their kept schema removed first: the first command after an edit, less the type stripping). */
  sqlCompiledMs?: number; sqlCompiledMiB?: number;
  /** sqlMs ÷ fastestProcessMs (target ≤ 2), sqlMiB ÷ fastestProcessMiB (target ≤ 2 at 5,000 tables). */
  ratio: number; memoryRatio: number;
}

const PRELOAD = "process.on('exit', () => { const m = /^VmHWM:\\s+(\\d+)\\s+kB/m.exec(require('fs').readFileSync('/proc/self/status', 'utf8'));"
  + " if (m) process.stderr.write(`\\n@@hwm ${m[1]}\\n`); });\n";

/** The fastest-read process's script: the driver, the queries, the rows parsed, nothing else. */
export function fastestScript(dialect: BenchDialect, url: string, tag: string): string {
  const req = createRequire(import.meta.url);
  const mod = (name: string): string => JSON.stringify(pathToFileURL(req.resolve(name)).href);
  if (dialect === 'sqlite') {
    return `import Database from ${mod('better-sqlite3')};\nconst db = new Database(${JSON.stringify(url.replace(/^sqlite:/, ''))}, { readonly: true });\n`
      + `for (const r of db.prepare(${JSON.stringify(SQLITE)}).all()) if (r.cols) { JSON.parse(r.cols); JSON.parse(r.idx); JSON.parse(r.fks); }\ndb.close();\n`;
  }
  if (dialect === 'postgres') {
    return `import pg from ${mod('pg')};\nconst c = new pg.Client({ connectionString: ${JSON.stringify(PG_URL)} });\nawait c.connect();\nawait c.query('SET jit TO off');\n`
      + `for (const q of ${JSON.stringify(PG)}) await c.query(q, [${JSON.stringify(tag)}]);\nawait c.end();\n`;
  }
  const u = new URL(mysqlUrl(tag));
  return `import mysql from ${mod('mysql2/promise')};\nconst c = await mysql.createConnection({ host: ${JSON.stringify(u.hostname)}, port: ${Number(u.port || 3306)},`
    + ` user: ${JSON.stringify(decodeURIComponent(u.username || 'root'))}, password: ${JSON.stringify(decodeURIComponent(u.password))}, database: ${JSON.stringify(tag)} });\n`
    + `for (const q of ${JSON.stringify(MYSQL)}) await c.query(q);\nawait c.end();\n`;
}

function cold(args: string[], cwd: string, preload: string, env: NodeJS.ProcessEnv = process.env): { ms: number; mib: number } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--require', preload, ...args], { cwd, env, encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });
  const ms = performance.now() - t0;
  if (r.status !== 0 && r.status !== 3) throw new Error(`${args.join(' ')} failed (${r.status}): ${r.stderr.slice(-500)}`);
  const m = /@@hwm (\d+)/.exec(r.stderr);
  return { ms, mib: m ? Number(m[1]) / 1024 : NaN };
}

export function benchCommands(dialect: BenchDialect, n: number, url: string, tag: string, runs = 3): CommandFigures {
  const work = mkdtempSync(join(tmpdir(), 'evolve-bench-commands-'));
  try {
    const preload = join(work, 'hwm.cjs');
    writeFileSync(preload, PRELOAD);
    const script = join(work, 'fastest.mjs');
    writeFileSync(script, fastestScript(dialect, url, tag));
    const models = join(work, 'models.ts');
    writeFileSync(models, modelsSourceTs(n, true));
    mkdirSync(join(work, 'evolutions'));
    const sqlArgs = [resolve('bin/evolve.js'), 'sql', '--db', url, '--models', models, '--evolutions', join(work, 'evolutions')];
    // A cache of the bench's own (Evolve's transform cache, and the models' kept schema: model/compiled-cache.ts).
    const cacheDir = join(work, 'cache');
    const env = { ...process.env, EVOLVE_CACHE_DIR: cacheDir };
    const forget = (): void => { for (const n of readdirSync(cacheDir)) if (n.endsWith('.ir')) rmSync(join(cacheDir, n)); };
    cold(sqlArgs, work, preload, env); // warm-up: the OS file cache, and the models' transform cache
    const f: { ms: number; mib: number }[] = [];
    const s: { ms: number; mib: number }[] = [];
    const u: { ms: number; mib: number }[] = [];
    for (let i = 0; i < runs; i++) {
      f.push(cold([script], work, preload));
      forget();
      u.push(cold(sqlArgs, work, preload, env));
      s.push(cold(sqlArgs, work, preload, env));
    }
    const fastestProcessMs = round(median(f.map((x) => x.ms)), 0);
    const sqlMs = round(median(s.map((x) => x.ms)), 0);
    const fastestProcessMiB = round(Math.max(...f.map((x) => x.mib)), 1);
    const sqlMiB = round(Math.max(...s.map((x) => x.mib)), 1);
    const sqlCompiledMs = round(median(u.map((x) => x.ms)), 0);
    const sqlCompiledMiB = round(Math.max(...u.map((x) => x.mib)), 1);
    return {
      dialect, tables: n, runs, fastestProcessMs, fastestProcessMiB, sqlMs, sqlMiB, ratio: round(sqlMs / fastestProcessMs), memoryRatio: round(sqlMiB / fastestProcessMiB),
      sqlCompiledMs, sqlCompiledMiB,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
