/**
 * Galera (issue 17 point 4): one evolution's time on a three-node MariaDB Galera cluster
 * (test/support/galera-cluster.ts, started here) against the same evolution on one plain MariaDB
 * server, in the same run. The evolution: 20 tables created, then each given a column and an
 * index (40 ALTERs), applied by `applyEvolution`; on Galera it includes the cluster-wide lock
 * and the check of every node's fingerprint after the change. Median of BENCH_RUNS runs
 * (default 3), each on a fresh database. Part `galera` of `npm run bench`, or alone:
 * `node --import tsx bench/galera.ts`; results in bench/results/galera.{json,md}.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { applyEvolution, table, integer, text, varchar, index, type Table } from '../dist/index.js';
import { startGaleraCluster } from '../test/support/galera-cluster.js';
import { MYSQL_URL, machine, median, round, log } from './lib.js';

const TABLES = 20;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

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

async function series(name: string, base: string, admin: (sql: string) => Promise<unknown>): Promise<{ create: number; alter: number; runs: number[] }> {
  const creates: number[] = [];
  const alters: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const { create, alter } = await once(base, `evolve_bench_${name}_${process.pid}_${r}`, admin);
    creates.push(create);
    alters.push(alter);
    log(`galera bench: ${name} run ${r + 1}: create ${round(create)} ms, alter ${round(alter)} ms`);
  }
  return { create: round(median(creates)), alter: round(median(alters)), runs: alters.map((x) => round(x)) };
}

export async function benchGalera(): Promise<Record<string, unknown>> {
  const mysql = await import('mysql2/promise');
  const plainAdmin = await mysql.createConnection({ uri: MYSQL_URL });
  const plain = await series('plain', MYSQL_URL, (sql) => plainAdmin.query(sql));
  await plainAdmin.end();
  const cluster = await startGaleraCluster();
  try {
    const galera = await series('galera', cluster.nodes[0]!.url(), (sql) => cluster.query(1, sql));
    return {
      tables: TABLES, runs: RUNS, clusterStartMs: cluster.startMs,
      plain, galera,
      createRatio: round(galera.create / plain.create), alterRatio: round(galera.alter / plain.alter),
    };
  } finally {
    await cluster.stop();
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

${TABLES} tables; median of ${RUNS} runs; the cluster (three nodes on this machine's loopback) started in ${f.clusterStartMs} ms;
load average at the end ${loadavg().map((x) => x.toFixed(1)).join(', ')} (the machine is shared: a loaded one stretches both sides).

| evolution | plain MariaDB (ms) | 3-node Galera (ms) | ratio |
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
