/**
 * Galera (issue 17 point 4): one evolution's time on a three-node MariaDB Galera cluster
 * (test/support/galera-cluster.ts, started here) against the same evolution on one plain MariaDB
 * server with a node's settings and no Galera (started here too, port 3410), in the same run.
 * The evolution: 20 tables created, then each given a column and an index (40 ALTERs), applied
 * by `applyEvolution`; on Galera it includes the cluster-wide lock and the check of every node's
 * fingerprint after the change. Median of BENCH_RUNS runs (default 5, after a warm-up), each on a
 * fresh database, the two sides alternating. Part `galera` of `npm run bench`, or alone:
 * `node --import tsx bench/galera.ts`; results in bench/results/galera.{json,md}.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { applyEvolution, table, integer, text, varchar, index, type Table } from '../dist/index.js';
import { startGaleraCluster, startPlainMariadb } from '../test/support/galera-cluster.js';
import { machine, median, round, log } from './lib.js';

const TABLES = 20;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

const v1: Table[] = Array.from({ length: TABLES }, (_, i) => table(`g${i}`, { id: integer().primaryKey(), name: text() }));
const v2: Table[] = Array.from({ length: TABLES }, (_, i) => table(`g${i}`, { id: integer().primaryKey(), name: text(), code: varchar(20) },
  { indexes: [index(`g${i}_code_idx`).on('code')] }));

/** Milliseconds of the create and of the alter, on a fresh database `db` of the server at `base`. */
async function once(base: string, db: string, admin: (sql: string) => Promise<unknown>): Promise<{ create: number; alter: number }> {
  await admin(`CREATE DATABASE \`${db}\``);
  const u = new URL(base);
  u.pathname = `/${db}`;
  try {
    let t = performance.now();
    await applyEvolution({ db: u.toString(), models: v1 });
    const create = performance.now() - t;
    t = performance.now();
    await applyEvolution({ db: u.toString(), models: v2 });
    return { create, alter: performance.now() - t };
  } finally {
    await admin(`DROP DATABASE \`${db}\``);
  }
}

interface Side { name: string; base: string; admin: (sql: string) => Promise<unknown>; creates: number[]; alters: number[] }

const summary = (s: Side): { create: number; alter: number; runs: number[] } =>
  ({ create: round(median(s.creates)), alter: round(median(s.alters)), runs: s.alters.map((x) => round(x)) });

export async function benchGalera(): Promise<Record<string, unknown>> {
  const mysql = await import('mysql2/promise');
  // The baseline is a server of its own with a node's settings (not the shared test server, whose
  // settings and load differ): the difference measured is Galera's. Both run at once and the runs
  // alternate, so a change in the machine's load falls on both sides alike; one warm-up run each.
  const server = await startPlainMariadb();
  const cluster = await startGaleraCluster().catch(async (e: unknown) => { await server.stop(); throw e; });
  const plainAdmin = await mysql.createConnection({ uri: server.url });
  try {
    const sides: Side[] = [
      { name: 'plain', base: `${server.url}x`, admin: (sql) => plainAdmin.query(sql), creates: [], alters: [] },
      { name: 'galera', base: cluster.nodes[0]!.url(), admin: (sql) => cluster.query(1, sql), creates: [], alters: [] },
    ];
    for (let r = 0; r <= RUNS; r++) {
      for (const side of sides) {
        const { create, alter } = await once(side.base, `evolve_bench_${side.name}_${process.pid}_${r}`, side.admin);
        log(`galera bench: ${side.name} ${r === 0 ? 'warm-up' : `run ${r}`}: create ${round(create)} ms, alter ${round(alter)} ms`);
        if (r === 0) continue;
        side.creates.push(create);
        side.alters.push(alter);
      }
    }
    const [plain, galera] = sides.map(summary) as [ReturnType<typeof summary>, ReturnType<typeof summary>];
    return {
      tables: TABLES, runs: RUNS, clusterStartMs: cluster.startMs, loadavg: loadavg(),
      plain, galera,
      createRatio: round(galera.create / plain.create), alterRatio: round(galera.alter / plain.alter),
    };
  } finally {
    await plainAdmin.end();
    await cluster.stop();
    await server.stop();
  }
}

/** Write bench/results/galera.{json,md}. */
export async function writeGaleraResults(figures: Record<string, unknown>): Promise<void> {
  const dir = join('bench', 'results');
  mkdirSync(dir, { recursive: true });
  const result = { date: new Date().toISOString(), machine: await machine(), galera: figures };
  writeFileSync(join(dir, 'galera.json'), JSON.stringify(result, null, 2) + '\n');
  const f = figures as { plain: { create: number; alter: number }; galera: { create: number; alter: number }; createRatio: number; alterRatio: number; clusterStartMs: number };
  writeFileSync(join(dir, 'galera.md'), `# Galera: one evolution on a three-node cluster vs one MariaDB server (${result.date})

${TABLES} tables; median of ${RUNS} runs (after a warm-up, the two sides alternating); the cluster (three nodes on this machine's loopback) started in ${f.clusterStartMs} ms;
load average at the end ${loadavg().map((x) => x.toFixed(1)).join(', ')} (the machine is shared: a loaded one stretches both sides).

| evolution | one MariaDB, a node's settings, no Galera (ms) | 3-node Galera (ms) | ratio |
|---|---|---|---|
| create ${TABLES} tables | ${f.plain.create} | ${f.galera.create} | ${f.createRatio}× |
| add a column and an index to each (${TABLES * 2} ALTERs) | ${f.plain.alter} | ${f.galera.alter} | ${f.alterRatio}× |

Galera's time includes the cluster-wide deploy lock, TOI replication of every statement to all
three nodes, and the check of every node's fingerprint after the change (three introspections).
`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const figures = await benchGalera();
  await writeGaleraResults(figures);
  log(JSON.stringify(figures));
}
