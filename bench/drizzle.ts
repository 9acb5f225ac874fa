/**
 * drizzle-kit comparison (issue 8 item 1b): on the database the plan benchmark just built, a cold
 * `drizzle-kit pull` (reads the catalogs, writes schema.ts) against a cold `evolve sql` with the
 * 5%-changed models (introspect + fingerprint + diff + SQL: Evolve's whole plan, the work a user
 * waits for). Both are fresh processes, so both pay node's start-up and their own module loading.
 * drizzle-kit is installed only for the bench, by bench/setup.sh, into bench/drizzle/.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { type BenchDialect, median, round, MYSQL_URL, PG_URL } from './lib.js';

export interface DrizzleFigures {
  dialect: BenchDialect;
  tables: number;
  runs: number;
  /** Median of cold `drizzle-kit pull` processes, or null when it did not run or failed. */
  drizzleMs: number | null;
  /** Tables in the schema.ts drizzle-kit wrote (must equal `tables`, or the figure is void). */
  drizzleTables: number | null;
  /** Median of cold `evolve sql --models` processes (the whole plan). */
  evolvePlanMs: number | null;
  /** Set when drizzle-kit's pull did not finish within this many milliseconds (it was stopped). */
  timedOutMs?: number;
  /** evolvePlanMs ÷ drizzleMs (below 1: Evolve is faster). */
  ratio: number | null;
  note: string;
}

const BIN = resolve('bench/drizzle/node_modules/drizzle-kit/bin.cjs');
const TIMEOUT_MS = 600_000;

// eslint-disable-next-line no-control-regex
const stripAnsi = (s: string): string => s.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '\n');

/** The end of a failed child's output, ANSI stripped and spinner frames dropped, safe in a Markdown cell. */
function tail(text: string, max = 300): string {
  const lines = stripAnsi(text).split('\n').map((l) => l.trim()).filter((l) => l && !/^\[[⣾⣽⣻⢿⡿⣟⣯⣷✓]\]/.test(l));
  return lines.join(' / ').slice(-max).replace(/\|/g, '/');
}

interface Run { ms: number; ok: boolean; why: string; timedOut: boolean }

function timed(args: string[], cwd: string): Run {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', timeout: TIMEOUT_MS, maxBuffer: 256 * 2 ** 20 });
  const ms = performance.now() - t0;
  if (r.status === 0) return { ms, ok: true, why: '', timedOut: false };
  const how = r.error ? `error ${r.error.message}` : r.signal ? `killed by ${r.signal}` : `exit ${r.status}`;
  return { ms, ok: false, timedOut: (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT', why: `${how}; stderr: ${tail(r.stderr ?? '') || '(empty)'}; stdout: ${tail(r.stdout ?? '') || '(empty)'}` };
}

/** Tables declared in a drizzle-kit schema.ts (pgTable / mysqlTable / sqliteTable / pgSchema(…).table). */
export function countDrizzleTables(schemaTs: string): number {
  return (schemaTs.match(/=\s*(?:pgTable|mysqlTable|sqliteTable|[A-Za-z_$][\w$]*\.table)\(/g) ?? []).length;
}

/** drizzle.config.json for one pull: drizzle-kit 0.31 ignores --schemaFilters on the command line, so the filter goes in a config. */
function drizzleConfig(dialect: BenchDialect, url: string, tag: string, out: string): Record<string, unknown> {
  if (dialect === 'sqlite') return { dialect: 'sqlite', out, dbCredentials: { url: url.replace(/^sqlite:/, '') } };
  if (dialect === 'postgres') return { dialect: 'postgresql', out, dbCredentials: { url: PG_URL }, schemaFilter: [tag] };
  return { dialect: 'mysql', out, dbCredentials: { url: MYSQL_URL.replace(/\/[^/]*$/, `/${tag}`) } };
}

/**
 * Compare on an existing database of `n` generated tables (`url`: Evolve's URL; `tag`: the
 * PostgreSQL schema or MariaDB database holding them). Throws only on Evolve's own failure.
 */
export async function benchDrizzle(dialect: BenchDialect, n: number, url: string, tag: string, runs = 3): Promise<DrizzleFigures> {
  const none = (note: string): DrizzleFigures => ({ dialect, tables: n, runs, drizzleMs: null, drizzleTables: null, evolvePlanMs: null, ratio: null, note });
  if (!existsSync(BIN)) return none('drizzle-kit not installed (run bench/setup.sh)');
  const work = mkdtempSync(join(tmpdir(), 'evolve-bench-drizzle-'));
  try {
    // Evolve's side: a models module loaded by the CLI with dist/ (as a user's would be).
    const models = join(work, 'models.mts');
    writeFileSync(models, [
      `import * as lib from ${JSON.stringify(pathToFileURL(resolve('dist/index.js')).href)};`,
      `import { generateModelsWith } from ${JSON.stringify(pathToFileURL(resolve('bench/models.ts')).href)};`,
      `export default generateModelsWith(lib, ${n}, true);`, '',
    ].join('\n'));
    mkdirSync(join(work, 'evolutions'));
    const dz: number[] = [];
    const ev: number[] = [];
    let drizzleTables: number | null = null;
    let drizzleFailure = '';
    let timedOut = false;
    for (let i = 0; i < runs; i++) {
      const out = join(work, `pull-${i}`);
      const config = join(work, `drizzle-${i}.config.json`);
      writeFileSync(config, JSON.stringify(drizzleConfig(dialect, url, tag, out)));
      if (!drizzleFailure) {
        const r = timed([BIN, 'pull', '--config', config], work);
        const schemaTs = join(out, 'schema.ts');
        if (!r.ok && r.timedOut) { timedOut = true; drizzleFailure = `drizzle-kit pull did not finish in ${TIMEOUT_MS / 1000} s (stopped); ${r.why}`; }
        else if (!r.ok) drizzleFailure = `drizzle-kit pull failed (${r.why})`;
        else if (!existsSync(schemaTs)) drizzleFailure = 'drizzle-kit pull wrote no schema.ts';
        else {
          drizzleTables = countDrizzleTables(readFileSync(schemaTs, 'utf8'));
          if (drizzleTables !== n) drizzleFailure = `drizzle-kit pull wrote ${drizzleTables} tables, expected ${n}: figure void`;
          else dz.push(r.ms);
        }
      }
      const e = timed([resolve('bin/evolve.js'), 'sql', '--db', url, '--models', models, '--evolutions', join(work, 'evolutions')], work);
      if (!e.ok) throw new Error(`evolve sql failed: ${e.why}`);
      ev.push(e.ms);
    }
    const evolvePlanMs = round(median(ev), 0);
    const what = `cold processes, median of ${runs}: drizzle-kit pull (reads the catalogs, writes schema.ts) vs evolve sql --models (introspect + fingerprint + 5% diff + SQL)`;
    if (drizzleFailure) return { ...none(drizzleFailure), drizzleTables, evolvePlanMs, ...(timedOut ? { timedOutMs: TIMEOUT_MS } : {}) };
    const drizzleMs = round(median(dz), 0);
    return { dialect, tables: n, runs, drizzleMs, drizzleTables, evolvePlanMs, ratio: round(evolvePlanMs / drizzleMs, evolvePlanMs / drizzleMs < 0.01 ? 4 : 2), note: what };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
