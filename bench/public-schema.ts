/**
 * `node --import tsx bench/public-schema.ts`: issue 15, point 9's target on a large public
 * application schema (test/fixtures/postgres/sourcegraph/schema.sql, unless BENCH_SCHEMA names
 * another file): `evolve sql --models schema.sql` against a database that holds that schema
 * (loaded natively, by psql) must take at most twice `evolve fingerprint` of that database plus
 * the native load's own time. Each figure is the median of BENCH_RUNS (default 3) runs of the
 * built CLI (`npm run build` first), each command a cold process as a user runs it. Needs psql
 * and the test suite's PostgreSQL server (BENCH_PG_URL). Prints the figures; writes nothing.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';

const ROOT = join(import.meta.dirname, '..');
const file = process.env.BENCH_SCHEMA ?? join(ROOT, 'test', 'fixtures', 'postgres', 'sourcegraph', 'schema.sql');
const server = process.env.BENCH_PG_URL ?? 'postgres://root@127.0.0.1:5432/test';
const runs = Number(process.env.BENCH_RUNS ?? 3);

/** Milliseconds `cmd args` takes; throws when it fails (with `ok` codes allowed). */
function timed(cmd: string, args: string[], ok: readonly number[] = [0]): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: ROOT });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (!ok.includes(r.status ?? -1)) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: server });
  await c.connect();
  try { await c.query(sql); } finally { await c.end(); }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const evolve = join(ROOT, 'bin', 'evolve.js');
const load: number[] = [];
const fp: number[] = [];
const sql: number[] = [];
for (let i = 0; i < runs; i++) {
  const name = `evolve_bench_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE "${name}"`);
  try {
    const u = new URL(server);
    u.pathname = `/${name}`;
    load.push(timed('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', u.toString(), '-f', file]));
    fp.push(timed(process.execPath, [evolve, 'fingerprint', '--db', u.toString()]));
    sql.push(timed(process.execPath, [evolve, 'sql', '--db', u.toString(), '--models', file, '--exit-code']));
  } finally {
    await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}
const budget = 2 * (median(fp) + median(load));
console.log(`${file}: ${runs} run(s), medians`);
console.log(`  psql load            ${median(load).toFixed(0)} ms`);
console.log(`  evolve fingerprint   ${median(fp).toFixed(0)} ms`);
console.log(`  evolve sql (in sync) ${median(sql).toFixed(0)} ms  (target ≤ 2 × (fingerprint + load) = ${budget.toFixed(0)} ms: ${median(sql) <= budget ? 'met' : 'MISSED'})`);
