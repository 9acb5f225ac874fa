/**
 * `evolve apply` as a whole process (issue 20 point 4), on the database the plan figures were
 * taken on, with plain TypeScript models modules (models-source.ts):
 *
 * - **nothing to do**: cold `evolve apply --models models.ts` with the models the database
 *   already holds, against the cold fastest-read process (commands.ts; target ≤ 2× at 1,000 tables);
 * - **a 5% change**: cold `evolve apply` of the 5%-changed models against a cold process that runs
 *   the same statements (the plan's, in its transactions) through the raw driver: node's start-up,
 *   the driver, the statements (target ≤ 1.5× at 1,000 tables; on MySQL without the ALGORITHM
 *   clause Evolve states, the server choosing, as a person writes them). Each run starts from the
 *   unchanged schema: after Evolve's run `evolve apply` of the unchanged models puts it back,
 *   after the direct run the reverse statements do (neither timed).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { openDatabase, loadDialect, desiredSchema, type PlanStatement } from '../dist/index.js';
import { adoptUnmodelled } from '../dist/database/sources.js';
import { fastestScript } from './commands.js';
import { generateModels } from './schema.js';
import { modelsSourceTs } from './models-source.js';
import { type BenchDialect, median, round, mysqlUrl, PG_URL } from './lib.js';

export interface ApplyCommandFigures {
  dialect: BenchDialect; tables: number; runs: number;
  /** Cold fastest-read process (as in commands.ts), median ms. */
  fastestProcessMs: number;
  /** Cold `evolve apply` with nothing to do, median ms; ÷ fastestProcessMs (target ≤ 2 at 1,000 tables). */
  noopMs: number; noopRatio: number;
  /** Statements of the 5% change (the plan's). */
  statements: number;
  /** Cold `evolve apply` of the 5% change, and a cold process running the same statements, medians; ratio (target ≤ 1.5 at 1,000 tables). */
  applyMs: number; directMs: number; applyRatio: number;
}

/** The script of a process that runs `file`'s statements (JSON: sql and inTransaction) through the raw driver, in the plan's transactions. */
function directScript(dialect: BenchDialect, url: string, tag: string, file: string): string {
  const req = createRequire(import.meta.url);
  const mod = (name: string): string => JSON.stringify(pathToFileURL(req.resolve(name)).href);
  const load = `import { readFileSync } from 'node:fs';\nconst statements = JSON.parse(readFileSync(${JSON.stringify(file)}, 'utf8'));\n`;
  // BEGIN before the first statement of a transaction, COMMIT after its last (what applying a plan does).
  const loop = (run: string): string => `let open = false;\nfor (const s of statements) {\n  if (s.inTransaction && !open) { ${run.replace('SQL', "'BEGIN'")}; open = true; }\n`
    + `  if (!s.inTransaction && open) { ${run.replace('SQL', "'COMMIT'")}; open = false; }\n  ${run.replace('SQL', 's.sql')};\n}\nif (open) ${run.replace('SQL', "'COMMIT'")};\n`;
  if (dialect === 'sqlite') {
    return `import Database from ${mod('better-sqlite3')};\n${load}const db = new Database(${JSON.stringify(url.replace(/^sqlite:/, ''))});\n`
      + `${loop('db.exec(SQL)')}db.close();\n`;
  }
  if (dialect === 'postgres') {
    return `import pg from ${mod('pg')};\n${load}const c = new pg.Client({ connectionString: ${JSON.stringify(PG_URL)} });\nawait c.connect();\n`
      + `await c.query('SET search_path TO "${tag}"');\n${loop('await c.query(SQL)')}await c.end();\n`;
  }
  const u = new URL(mysqlUrl(tag));
  return `import mysql from ${mod('mysql2/promise')};\n${load}const c = await mysql.createConnection({ host: ${JSON.stringify(u.hostname)}, port: ${Number(u.port || 3306)},`
    + ` user: ${JSON.stringify(decodeURIComponent(u.username || 'root'))}, password: ${JSON.stringify(decodeURIComponent(u.password))}, database: ${JSON.stringify(tag)} });\n`
    + `${loop('await c.query(SQL)')}await c.end();\n`;
}

/** Evolve's cache for this bench (the models' transform and kept schema), set by benchApplyCommands. */
let cacheEnv: NodeJS.ProcessEnv = process.env;

function cold(args: string[], cwd: string): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd, env: cacheEnv, encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed (${r.status}): ${(r.stderr || r.stdout).slice(-800)}`);
  return ms;
}

/** The plan's statements from the database's current schema to `models` (as `evolve apply` would plan them). */
async function planStatements(dialect: BenchDialect, url: string, changed: boolean, n: number): Promise<PlanStatement[]> {
  const d = await loadDialect(dialect);
  const db = await openDatabase(url, true);
  try {
    const live = await d.introspect(db.conn, db.introspectOptions);
    const desired = desiredSchema(generateModels(n, changed), d);
    const statements = d.plan(d.diff(live, adoptUnmodelled(desired, live).schema)).statements; // the dialect's diff, with its hooks, as `evolve apply`
    // MySQL: the statement as a person writes it, the server choosing the algorithm (Evolve states
    // the fastest one and falls back to the next when the server refuses it: online-run.ts).
    return dialect === 'mysql'
      ? statements.map((s) => ({ ...s, sql: s.sql.replace(/,\s*ALGORITHM\s*=\s*\w+(?:\s*,\s*LOCK\s*=\s*\w+)?\s*$/i, '') }))
      : [...statements];
  } finally {
    await db.close();
  }
}

export async function benchApplyCommands(dialect: BenchDialect, n: number, url: string, tag: string, runs = 3): Promise<ApplyCommandFigures> {
  const work = mkdtempSync(join(tmpdir(), 'evolve-bench-apply-'));
  cacheEnv = { ...process.env, EVOLVE_CACHE_DIR: join(work, 'cache') };
  try {
    const fastest = join(work, 'fastest.mjs');
    writeFileSync(fastest, fastestScript(dialect, url, tag));
    const same = join(work, 'models.ts');
    writeFileSync(same, modelsSourceTs(n, false));
    const changed = join(work, 'changed.ts');
    writeFileSync(changed, modelsSourceTs(n, true));
    mkdirSync(join(work, 'evolutions'));
    const apply = (models: string, ...more: string[]): string[] => [resolve('bin/evolve.js'), 'apply', '--db', url, '--models', models, '--evolutions', join(work, 'evolutions'), ...more];
    // Warm-up, and Evolve's own tables (the deployment record) created once, as on any database it has applied to.
    cold(apply(same), work);
    const forward = await planStatements(dialect, url, true, n);
    if (forward.length === 0) throw new Error('the 5% change plans no statement');
    const forwardFile = join(work, 'forward.json');
    writeFileSync(forwardFile, JSON.stringify(forward));
    // The reverse statements: planned from the changed schema (after one Evolve run), back to the models.
    cold(apply(changed), work);
    const reverse = await planStatements(dialect, url, false, n);
    const reverseFile = join(work, 'reverse.json');
    writeFileSync(reverseFile, JSON.stringify(reverse));
    cold(apply(same, '--allow-data-loss'), work);
    const direct = join(work, 'direct.mjs');
    writeFileSync(direct, directScript(dialect, url, tag, forwardFile));
    const undo = join(work, 'undo.mjs');
    writeFileSync(undo, directScript(dialect, url, tag, reverseFile));
    const f: number[] = []; const noop: number[] = []; const ev: number[] = []; const dr: number[] = [];
    for (let i = 0; i < runs; i++) {
      f.push(cold([fastest], work));
      noop.push(cold(apply(same), work));
      ev.push(cold(apply(changed), work));
      cold(apply(same, '--allow-data-loss'), work);
      dr.push(cold([direct], work));
      cold([undo], work);
    }
    const fastestProcessMs = round(median(f), 0);
    const noopMs = round(median(noop), 0);
    const applyMs = round(median(ev), 0);
    const directMs = round(median(dr), 0);
    return {
      dialect, tables: n, runs, fastestProcessMs, noopMs, noopRatio: round(noopMs / fastestProcessMs), statements: forward.length,
      applyMs, directMs, applyRatio: round(applyMs / directMs),
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
