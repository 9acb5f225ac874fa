/**
 * Crash safety (B2): a deployer killed with SIGKILL at many points of a multi-step upgrade.
 * On SQLite and PostgreSQL the database is always at a step boundary (its fingerprint is one
 * of the versions' and the deployed version says which); on MySQL the recorded stage says
 * where it stopped. In every case a re-run finishes the job and no row of user data is lost.
 * (PGlite runs in the deployer's own process, so there is nothing left to observe after a kill.)
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { baselineDeployment, deploymentHistory, fingerprintDatabase, upgradeDeployment } from '../../src/index.js';
import { forEachDialect, withDb } from '../support/harness.js';
import { ROOT, writeModels, IMPORTS } from '../support/cli.js';
import type { TestDatabase } from '../support/databases.js';

const TRIALS = Number(process.env.EVOLVE_CRASH_TRIALS ?? 12);

// Each step pauses between operations to widen the window a kill can land in. Steps are
// written to be re-runnable (hasColumn / hasTable), as docs/deployment.md asks for MySQL.
const MODULE = `${IMPORTS}import { versioned } from 'evolve';
const pause = () => new Promise((r) => setTimeout(r, 40));
export const schema = versioned({ id: 'crash', latest: 4, steps: {
  1: async (ops) => {
    if (!(await ops.hasColumn('person', 'age'))) await ops.addColumn('person', 'age', integer().notNull().default(0));
    await pause();
    await ops.sql('UPDATE person SET age = id + 20');
  },
  2: async (ops) => {
    await pause();
    if (await ops.hasColumn('person', 'name')) await ops.renameColumn('person', 'name', 'full_name');
  },
  3: async (ops) => {
    if (!(await ops.hasTable('city'))) await ops.createTable(table('city', { id: integer().primaryKey(), name: text() }));
    await pause();
    await ops.sql("DELETE FROM city");
    await ops.sql("INSERT INTO city (id, name) VALUES (1, 'Oslo'), (2, 'Lima')");
  },
  4: async (ops) => {
    await pause();
    if (!(await ops.hasColumn('person', 'email'))) await ops.addColumn('person', 'email', varchar(100));
    await pause();
    await ops.sql(ops.dialect === 'mysql' ? "UPDATE person SET email = CONCAT(full_name, '@example.org')" : "UPDATE person SET email = full_name || '@example.org'");
  },
} });
`;

async function reset(db: TestDatabase, file: string): Promise<void> {
  for (const t of ['city', 'person', '_evolve_history', '_evolve_deployment']) await db.exec(`DROP TABLE IF EXISTS ${t}`);
  await db.exec('CREATE TABLE person (id integer NOT NULL PRIMARY KEY, name varchar(50) NOT NULL)');
  await db.exec("INSERT INTO person (id, name) VALUES (1, 'ann'), (2, 'bob'), (3, 'cy')");
  await baselineDeployment({ db: db.url, steps: file, version: 0 });
}

function killAfter(args: string[], ms: number): Promise<void> {
  return new Promise((res) => {
    const p = spawn(process.execPath, [join(ROOT, 'bin', 'evolve.js'), ...args], { stdio: 'ignore' });
    const timer = setTimeout(() => p.kill('SIGKILL'), ms);
    p.on('exit', () => { clearTimeout(timer); res(); });
  });
}

forEachDialect('crash safety', (d) => {
  if (d === 'pglite') return;
  it(`SIGKILL at ${TRIALS} points of a 4-step upgrade: a boundary (or a recorded stage), and a re-run finishes`, { timeout: 20 * 60_000 }, (t) => withDb(t, d, async (db) => {
    const file = writeModels(MODULE);
    // Reference run through the CLI: the fingerprint of every version, and how long a whole
    // deployer process takes here (kill times are spread over it, so the test calibrates itself).
    await reset(db, file);
    const v0 = (await fingerprintDatabase(db.url)).fingerprint;
    const t0 = Date.now();
    await killAfter(['upgrade', '--db', db.url, '--steps', file], 10 * 60_000);
    const whole = Date.now() - t0;
    const boundary = new Map<string, number>([[v0, 0]]);
    for (const h of (await deploymentHistory({ db: db.url, app: 'crash' })).history) if (h.kind === 'upgrade' && h.toFingerprint) boundary.set(h.toFingerprint, h.toVersion!);
    assert.equal(boundary.size, 5, 'five distinct versions');
    const final = [...boundary].find(([, v]) => v === 4)![0];
    const seen = new Set<string>();
    for (let i = 0; i < TRIALS; i++) {
      // Re-measured before each kill: a machine that gets busier (CI runs test files side by
      // side) would otherwise land every kill before the first step.
      await reset(db, file);
      const t1 = Date.now();
      await killAfter(['upgrade', '--db', db.url, '--steps', file], 10 * 60_000);
      const now = (whole + (Date.now() - t1)) / 2;
      await reset(db, file);
      const delay = Math.round(now * (0.3 + 0.8 * (i / Math.max(1, TRIALS - 1))));
      await killAfter(['upgrade', '--db', db.url, '--steps', file], delay);
      const fp = (await fingerprintDatabase(db.url)).fingerprint;
      const dep = (await deploymentHistory({ db: db.url, app: 'crash' })).deployed!;
      if (d !== 'mysql') {
        assert.ok(boundary.has(fp), `trial ${i} (kill at ${delay} ms): the schema is at a step boundary`);
        assert.equal(dep.version, boundary.get(fp), `trial ${i}: the deployed version matches the schema`);
      } else if (!boundary.has(fp) || boundary.get(fp) !== dep.version) {
        assert.equal(dep.stage, dep.version + 1, `trial ${i}: between versions, the stage says which step was interrupted`);
      }
      seen.add(`${dep.version}${dep.stage === null ? '' : '+' + dep.stage}`);
      const again = await upgradeDeployment({ db: db.url, steps: file });
      assert.equal(again.to, 4);
      assert.equal((await fingerprintDatabase(db.url)).fingerprint, final, `trial ${i}: the re-run finishes the job`);
      const people = await db.query('SELECT id, full_name, age, email FROM person ORDER BY id');
      assert.deepEqual(people.map((r) => [Number(r.id), r.full_name, Number(r.age), r.email]),
        [[1, 'ann', 21, 'ann@example.org'], [2, 'bob', 22, 'bob@example.org'], [3, 'cy', 23, 'cy@example.org']], `trial ${i}: no row lost`);
      assert.equal((await db.query('SELECT count(*) AS n FROM city'))[0]!.n == 2, true);
    }
    t.diagnostic(`a whole deployer takes ${whole} ms; states seen at kill time: ${[...seen].sort().join(', ')}`);
    assert.ok(seen.size >= 2, `kills landed at different points (${[...seen].join(', ')})`);
  }));
});
