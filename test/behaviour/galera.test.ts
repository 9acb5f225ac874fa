/**
 * MariaDB Galera, for real: a three-node cluster on loopback (support/galera-cluster.ts),
 * started once for the file. Core evolutions on node 1 with every node's fingerprint checked;
 * eight deployers at once spread over the three nodes; a node killed during an apply and
 * rejoined; RSU refused (and a rolling change node by node); tables the cluster cannot
 * replicate refused; the cluster-wide lock's lease; divergence found. Runs when mysql is among
 * the selected dialects; a cluster that cannot start fails under CI=1 and is skipped otherwise.
 */
import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  applyEvolution, baselineDeployment, deploymentHistory, fingerprintDatabase, isEvolveError, modelsFingerprint, table, integer, varchar, text,
  upgradeDeployment, type Table,
} from '../../src/index.js';
import { selectedDialects, MYSQL_URL } from '../support/databases.js';
import { featureModels } from '../support/feature-models.js';
import { evolve, evolveProcess, stepsModuleSource, writeModels, ROOT } from '../support/cli.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { startGaleraCluster, type GaleraCluster } from '../support/galera-cluster.js';

const ROUNDS = Number(process.env.EVOLVE_GALERA_ROUNDS ?? 10);
const DEPLOYERS = 8;

let cluster: GaleraCluster | undefined;
let startError: Error | undefined;

/** The cluster, or (outside CI) a skip when it could not start. */
function running(t: TestContext): GaleraCluster | undefined {
  if (cluster) return cluster;
  const why = `Galera cluster did not start: ${startError?.message ?? 'unknown'}`;
  if (process.env.CI) throw new Error(`${why} (CI requires it)`);
  process.stderr.write(`\n!!! SKIPPED ${t.name}: ${why}\n`);
  t.skip(why);
  return undefined;
}

/**
 * A fresh database on the cluster (created on node 1, replicated): its URL on each node, once
 * every node has it (a node applies what it receives after node 1 returns: one that was a
 * donor for a rejoining node a moment ago can be a little behind).
 */
async function freshDb(c: GaleraCluster): Promise<string[]> {
  const name = `evolve_g_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  await c.query(1, `CREATE DATABASE \`${name}\``);
  for (let i = 1; i <= c.nodes.length; i++) {
    if (!c.nodes[i - 1]!.running) continue;
    for (let k = 0; ; k++) {
      if ((await c.query(i, 'SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [name])).length > 0) break;
      if (k >= 200) throw new Error(`node ${i} has not received database ${name} after 10 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return c.nodes.map((n) => n.url(name));
}

/** Every node's fingerprint. */
const fingerprints = async (urls: readonly string[]): Promise<string[]> =>
  Promise.all(urls.map(async (u) => (await fingerprintDatabase(u)).fingerprint));

const sameOnEveryNode = async (urls: readonly string[], expected: string, what: string): Promise<void> => {
  assert.deepEqual(await fingerprints(urls), urls.map(() => expected), `${what}: every node at the models' fingerprint`);
};

/**
 * Every node at `expected` within `ms`: a node that rejoined reports Synced once its state
 * transfer is received, and may still be applying it (seen on a loaded machine).
 */
const eventuallySameOnEveryNode = async (urls: readonly string[], expected: string, what: string, ms = 30_000): Promise<void> => {
  const deadline = Date.now() + ms;
  let seen = await fingerprints(urls);
  while (seen.some((f) => f !== expected) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    seen = await fingerprints(urls);
  }
  assert.deepEqual(seen, urls.map(() => expected), `${what}: every node at the models' fingerprint within ${ms} ms`);
};

const tableNames = async (c: GaleraCluster, node: number, db: string): Promise<string[]> =>
  (await c.query(node, 'SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY 1', [db])).map((r) => String(r.t));

const dbName = (url: string): string => new URL(url).pathname.slice(1);

/** `evolve ARGS` in a process of its own, to be killed. */
const spawnEvolve = (args: string[]): ChildProcess => spawn(process.execPath, [join(ROOT, 'bin', 'evolve.js'), ...args], { stdio: 'ignore' });

describe('MariaDB Galera cluster (three nodes)', { skip: !selectedDialects().includes('mysql') }, () => {
  before(async () => {
    try {
      cluster = await startGaleraCluster();
      process.stderr.write(`galera: cluster of 3 nodes started in ${cluster.startMs} ms\n`);
    } catch (e) {
      startError = e as Error;
    }
  }, { timeout: 90_000 });
  after(async () => { await cluster?.stop(); }, { timeout: 30_000 });

  it('core evolutions on node 1: every node at the models\' fingerprint after each', { timeout: 120_000 }, async (t) => {
    const c = running(t);
    if (!c) return;
    const urls = await freshDb(c);
    const v1 = featureModels('mysql');
    const v2: Table[] = [
      table('person', { id: integer().primaryKey(), full_name: varchar(80).notNull().aka('name'), age: integer().notNull().default(0) }),
    ];
    const v0: Table[] = [table('person', { id: integer().primaryKey(), name: varchar(50).notNull(), note: text() })];
    for (const [i, models] of [v1, v0, v2].entries()) {
      const checked: string[][] = [];
      const report = await applyEvolution({ db: urls[0]!, models, allowDataLoss: true, onNodesChecked: (n) => checked.push(n.map((x) => x.node)) });
      const expected = await modelsFingerprint(models, 'mysql');
      assert.equal(report.fingerprintAfter || report.liveFingerprint, expected, `step ${i}: node 1 at the models' fingerprint`);
      await sameOnEveryNode(urls, expected, `step ${i}`);
      assert.equal(checked.length, 1, 'the nodes were checked once, after the change');
      assert.equal(checked[0]!.length, 3, `all three nodes checked (${checked[0]!.join(', ')})`);
      if (i === 1) await c.query(1, `INSERT INTO \`${dbName(urls[0]!)}\`.person (id, name) VALUES (1, 'ann')`);
    }
    // The rename kept the row, on every node.
    for (const n of [1, 2, 3]) {
      assert.deepEqual((await c.query(n, `SELECT full_name FROM \`${dbName(urls[0]!)}\`.person`)).map((r) => r.full_name), ['ann']);
    }
    // mysql:// ran as Galera: the cluster-wide lock's table exists (GET_LOCK leaves none).
    assert.ok((await tableNames(c, 3, dbName(urls[0]!))).includes('_evolve_lock'));
    // `--json` says where every node is after the change.
    const file = writeModels("import { table, integer, text } from 'evolve';\nexport const person = table('person', { id: integer().primaryKey(), full_name: text() });");
    const r = await evolve(['apply', '--db', urls[0]!, '--models', file, '--allow-data-loss', '--json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const out = JSON.parse(r.stdout) as { fingerprintAfter: string; nodes: { node: string; fingerprint: string | null }[] };
    assert.equal(out.nodes.length, 3, r.stdout);
    assert.deepEqual(out.nodes.map((n) => n.fingerprint), [out.fingerprintAfter, out.fingerprintAfter, out.fingerprintAfter]);
    assert.deepEqual(out.nodes.map((n) => /:(\d+)/.exec(n.node)?.[1]).sort(), c.nodes.map((n) => String(n.port)).sort());
  });

  it(`${DEPLOYERS} deployers at once over the three nodes, ${ROUNDS} rounds: each step once`, { timeout: 300_000 }, async (t) => {
    const c = running(t);
    if (!c) return;
    const urls = await freshDb(c);
    const db = dbName(urls[0]!);
    const file = writeModels(stepsModuleSource('race'));
    const latest = [
      table('person', { id: integer().primaryKey(), full_name: varchar(50).notNull(), age: integer().notNull().default(0) }),
      table('city', { id: integer().primaryKey(), name: text() }),
    ];
    const expected = await modelsFingerprint(latest, 'mysql');
    for (let round = 1; round <= ROUNDS; round++) {
      for (const tbl of ['city', 'person', '_evolve_history', '_evolve_deployment']) await c.query(1, `DROP TABLE IF EXISTS \`${db}\`.${tbl}`);
      await c.query(1, `CREATE TABLE \`${db}\`.person (id integer NOT NULL PRIMARY KEY, name varchar(50) NOT NULL)`);
      await c.query(1, `INSERT INTO \`${db}\`.person (id, name) VALUES (1, 'ann'), (2, 'bob')`);
      await baselineDeployment({ db: urls[0]!, steps: file, version: 0 });
      // Deployers in this process, each with its own connections and lock token, on nodes 1, 2, 3, 1, 2, …
      const results = await Promise.allSettled(Array.from({ length: DEPLOYERS }, (_, k) =>
        upgradeDeployment({ db: urls[k % 3]!, steps: file, lockTimeout: 120 })));
      const failed = results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason));
      assert.deepEqual(failed, [], `round ${round}: every deployer succeeds`);
      const history = (await deploymentHistory({ db: urls[2]!, app: 'race' })).history.filter((h) => h.kind === 'upgrade');
      assert.deepEqual(history.map((h) => `${h.toVersion}:${h.outcome}`).sort(), ['1:ok', '2:ok', '3:ok'], `round ${round}: each step ran once`);
      await sameOnEveryNode(urls, expected, `round ${round}`);
      for (const n of [1, 2, 3]) {
        assert.deepEqual((await c.query(n, `SELECT full_name FROM \`${db}\`.person ORDER BY id`)).map((r) => r.full_name), ['ann', 'bob']);
      }
    }
  });

  it('a node killed during an apply: the apply ends, the node rejoins with the new schema', { timeout: 180_000 }, async (t) => {
    const c = running(t);
    if (!c) return;
    const urls = await freshDb(c);
    const models = Array.from({ length: 40 }, (_, i) => table(`t${i}`, { id: integer().primaryKey(), name: varchar(40), n: integer().default(i) }));
    const file = writeModels(`import { table, integer, varchar } from 'evolve';\n` +
      models.map((_, i) => `export const t${i} = table('t${i}', { id: integer().primaryKey(), name: varchar(40), n: integer().default(${i}) });`).join('\n'));
    const apply = evolveProcess(['apply', '--db', urls[0]!, '--models', file]);
    // Kill node 3 once the apply has created some of the tables.
    const db = dbName(urls[0]!);
    for (let i = 0; i < 200 && (await tableNames(c, 1, db)).filter((n) => /^t\d+$/.test(n)).length < 5; i++) await new Promise((r) => setTimeout(r, 50));
    const before = (await tableNames(c, 1, db)).filter((n) => /^t\d+$/.test(n)).length;
    await c.kill(3);
    try {
      const r = await apply;
      assert.ok(before < models.length, `node 3 was killed mid-way (${before} of ${models.length} tables created)`);
      assert.equal(r.code, 0, `the apply finished on the two remaining nodes: ${r.stderr}`);
      // The cluster dropped node 3 (its addresses no longer list it), or it is reported as not reached.
      assert.match(r.stderr, /cluster: 2 node\(s\) at fv1:\w+ \([^)]*3401[^)]*3402[^)]*\)(\n|; not reached: [^\n]*3403)/, r.stderr);
      const expected = await modelsFingerprint(models, 'mysql');
      await sameOnEveryNode(urls.slice(0, 2), expected, 'while node 3 is down');
      await c.restart(3);
      await eventuallySameOnEveryNode(urls, expected, 'after node 3 rejoined');
    } finally {
      await c.restart(3);
    }
  });

  it('RSU is refused (nothing changes); --rolling --nodes changes node by node', { timeout: 120_000 }, async (t) => {
    const c = running(t);
    if (!c) return;
    const urls = await freshDb(c);
    const file = writeModels("import { table, integer, text } from 'evolve';\nexport const note = table('note', { id: integer().primaryKey(), body: text() });");
    const empty = (await fingerprints(urls))[0]!;
    await c.query(2, "SET GLOBAL wsrep_OSU_method = 'RSU'");
    try {
      const refused = await evolve(['apply', '--db', urls[1]!, '--models', file, '--json']);
      assert.equal(refused.code, 1);
      assert.equal(JSON.parse(refused.stdout).error.code, 'E_CLUSTER_RSU', refused.stdout);
      assert.deepEqual(await fingerprints(urls), urls.map(() => empty), 'no node changed');
      const partial = await evolve(['apply', '--db', urls[1]!, '--models', file, '--rolling', '--nodes', `127.0.0.1:${c.nodes[0]!.port}`, '--json']);
      assert.equal(JSON.parse(partial.stdout).error?.code, 'E_USAGE', `a rolling change naming 2 of 3 nodes: ${partial.stdout}`);
      assert.match(JSON.parse(partial.stdout).error.message, /names 2 of the cluster's 3 nodes/);
      assert.deepEqual(await fingerprints(urls), urls.map(() => empty), 'no node changed');
      const nodes = c.nodes.map((n) => `127.0.0.1:${n.port}`).join(',');
      const rolled = await evolve(['apply', '--db', urls[1]!, '--models', file, '--rolling', '--nodes', nodes]);
      assert.equal(rolled.code, 0, rolled.stderr);
      await sameOnEveryNode(urls, await modelsFingerprint([table('note', { id: integer().primaryKey(), body: text() })], 'mysql'), 'after the rolling change');
    } finally {
      await c.query(2, "SET GLOBAL wsrep_OSU_method = 'TOI'");
    }
  });

  it('a table without a primary key, or not InnoDB, is refused with a hazard saying why', { timeout: 60_000 }, async (t) => {
    const c = running(t);
    if (!c) return;
    const urls = await freshDb(c);
    const noKey = [table('log', { at: integer().notNull(), line: text() })];
    await assert.rejects(applyEvolution({ db: urls[0]!, models: noKey, allowDataLoss: true }), (e: unknown) => {
      assert.ok(isEvolveError(e) && e.code === 'E_DATA_LOSS');
      const hazards = (e.details?.hazards ?? []) as { code: string; message: string }[];
      assert.deepEqual(hazards.map((h) => h.code), ['NO_PRIMARY_KEY_ON_CLUSTER']);
      assert.match(hazards[0]!.message, /replicates rows by their primary key/);
      return true;
    });
    // `evolve install` (missing tables created, no diff) refuses it too.
    const logModels = writeModels("import { table, integer, text } from 'evolve';\nexport const log = table('log', { at: integer().notNull(), line: text() });");
    const install = await evolve(['install', '--db', urls[0]!, '--models', logModels, '--json']);
    assert.equal(JSON.parse(install.stdout).error?.code, 'E_UNSUPPORTED', install.stdout);
    assert.match(JSON.parse(install.stdout).error.message, /NO_PRIMARY_KEY_ON_CLUSTER|primary key/);
    for (const n of [1, 2, 3]) assert.deepEqual((await tableNames(c, n, dbName(urls[0]!))).filter((x) => x === 'log'), [], `node ${n}: no table created`);
    // A SQL file can ask for another engine (models cannot): refused the same way.
    const sqlFile = writeModels('CREATE TABLE cache (id int NOT NULL PRIMARY KEY) ENGINE=MyISAM;\n', 'models.sql');
    const r = await evolve(['apply', '--db', urls[0]!, '--models', sqlFile, '--json']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const error = JSON.parse(r.stdout).error;
    assert.equal(error.code, 'E_DATA_LOSS');
    assert.deepEqual(error.details.hazards.map((h: { code: string }) => h.code), ['ENGINE_NOT_REPLICATED']);
    assert.deepEqual((await tableNames(c, 1, dbName(urls[0]!))).filter((x) => x === 'cache'), []);
  });

  it('the cluster-wide lock: a live holder on another node excludes; a crashed holder\'s lease runs out', { timeout: 60_000 }, async (t) => {
    const c = running(t);
    if (!c) return;
    const urls = await freshDb(c);
    const db = dbName(urls[0]!);
    const models = [table('item', { id: integer().primaryKey() })];
    await applyEvolution({ db: urls[0]!, models }); // creates _evolve_lock
    await c.query(2, `INSERT INTO \`${db}\`._evolve_lock (name, holder, taken_at, expires_at) VALUES ('deploy', 'other-node', NOW(3), NOW(3) + INTERVAL 1 HOUR)`);
    const file = writeModels("import { table, integer } from 'evolve';\nexport const item = table('item', { id: integer().primaryKey() });");
    const held = await evolve(['apply', '--db', urls[0]!, '--models', file, '--lock-timeout', '1', '--json']);
    assert.equal(JSON.parse(held.stdout).error?.code, 'E_LOCK_TIMEOUT', held.stdout);
    await c.query(3, `UPDATE \`${db}\`._evolve_lock SET expires_at = NOW(3) - INTERVAL 1 SECOND`);
    const report = await applyEvolution({ db: urls[2]!, models: [...models, table('more', { id: integer().primaryKey() })], lockTimeout: 5 });
    assert.equal(report.applied, true, 'the expired lease no longer holds the lock');
    assert.deepEqual(await c.query(1, `SELECT COUNT(*) AS n FROM \`${db}\`._evolve_lock`), [{ n: 0 }], 'released after the apply');
  });

  it('a deployer killed while it holds the lock: the next one, on another node, takes it when the lease ends', { timeout: 120_000 }, async (t) => {
    const c = running(t);
    if (!c) return;
    const urls = (await freshDb(c)).map((u) => `${u}?lock_lease=6`);
    const db = dbName(urls[0]!.replace(/\?.*/, ''));
    const count = 30;
    const file = writeModels(`import { table, integer, varchar } from 'evolve';\n` +
      Array.from({ length: count }, (_, i) => `export const t${i} = table('t${i}', { id: integer().primaryKey(), name: varchar(40) });`).join('\n'));
    const child = spawnEvolve(['apply', '--db', urls[0]!, '--models', file]);
    const made = async (): Promise<number> => (await tableNames(c, 2, db)).filter((n) => /^t\d+$/.test(n)).length;
    for (let i = 0; i < 400 && await made() < 3; i++) await new Promise((r) => setTimeout(r, 25));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const partial = await made();
    assert.ok(partial > 0 && partial < count, `killed mid-way (${partial} of ${count} tables)`);
    const held = await c.query(2, `SELECT expires_at > NOW(3) AS live FROM \`${db}\`._evolve_lock`);
    assert.deepEqual(held.map((h) => Number(h.live)), [1], 'the dead deployer still holds the lock (its lease runs)');
    const r = await evolve(['apply', '--db', urls[1]!, '--models', file, '--lock-timeout', '30']);
    assert.equal(r.code, 0, r.stderr);
    await sameOnEveryNode(urls, await fingerprintDatabase(urls[0]!).then((f) => f.fingerprint), 'after the second deployer');
    assert.equal(await made(), count, 'the second deployer finished what the first began');
  });

  it('a node whose schema differs fails the apply with E_CLUSTER_DIVERGED naming it', { timeout: 60_000 }, async (t) => {
    const c = running(t);
    if (!c) return;
    const urls = await freshDb(c);
    const db = dbName(urls[0]!);
    const models = [table('item', { id: integer().primaryKey() })];
    await applyEvolution({ db: urls[0]!, models });
    const node2 = await import('mysql2/promise').then((m) => m.createConnection({ uri: urls[1]! }));
    await node2.query("SET SESSION wsrep_OSU_method = 'RSU'");
    await node2.query(`ALTER TABLE \`${db}\`.item ADD COLUMN stray int`); // reaches node 2 only
    await node2.end();
    await assert.rejects(applyEvolution({ db: urls[0]!, models }), (e: unknown) => {
      assert.ok(isEvolveError(e) && e.code === 'E_CLUSTER_DIVERGED', String(e));
      assert.match(e.message, /127\.0\.0\.1:3402/);
      return true;
    });
    // galera:// forces the dialect: a plain MariaDB server is refused.
    const plain = MYSQL_URL.replace(/^mysql:/, 'galera:');
    await assert.rejects(fingerprintDatabase(plain), (e: unknown) => isEvolveError(e) && /not a Galera node/.test(e.message));
  });
});
