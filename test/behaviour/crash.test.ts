/**
 * Crash safety (B2): a deployer killed with SIGKILL at many points of a multi-step upgrade.
 * On SQLite and PostgreSQL the database is always at a step boundary (its fingerprint is one
 * of the versions' and the deployed version says which); on MySQL the recorded stage says
 * where it stopped. In every case a re-run finishes the job and no row of user data is lost.
 * (PGlite runs in the deployer's own process, so there is nothing left to observe after a kill.)
 * Kills during PostgreSQL's online steps (a concurrent index build, an expand/contract backfill)
 * are in online-postgres.test.ts; MySQL's during an online index build and during a
 * pt-online-schema-change row copy in online-mysql.test.ts.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { baselineDeployment, deploymentHistory, fingerprintDatabase, isEvolveError, upgradeDeployment } from '../../src/index.js';
import { forEachDialect, withDb } from '../support/harness.js';
import { ROOT, writeModels, IMPORTS } from '../support/cli.js';
import type { TestDatabase } from '../support/databases.js';

const TRIALS = Number(process.env.EVOLVE_CRASH_TRIALS ?? 12);

// Each step writes a marker (to the file named by EVOLVE_CRASH_MARK) at points inside it and
// then pauses: the test kills the deployer when it sees the marker it aims at, so kills land
// inside steps — not, as timed kills mostly do, during start-up. Steps are written to be
// re-runnable (hasColumn / hasTable), as docs/deployment.md asks for MySQL.
const PRELUDE = `${IMPORTS}import { versioned } from 'evolve';
import { appendFileSync } from 'node:fs';
const mark = (m) => { if (process.env.EVOLVE_CRASH_MARK) appendFileSync(process.env.EVOLVE_CRASH_MARK, m + '\\n'); };
const pause = () => new Promise((r) => setTimeout(r, 150));
`;
const MODULE = `${PRELUDE}
export const schema = versioned({ id: 'crash', latest: 4, steps: {
  1: async (ops) => {
    if (!(await ops.hasColumn('person', 'age'))) await ops.addColumn('person', 'age', integer().notNull().default(0));
    mark('1a'); await pause();
    await ops.sql('UPDATE person SET age = id + 20');
  },
  2: async (ops) => {
    mark('2a'); await pause();
    if (await ops.hasColumn('person', 'name')) await ops.renameColumn('person', 'name', 'full_name');
  },
  3: async (ops) => {
    if (!(await ops.hasTable('city'))) await ops.createTable(table('city', { id: integer().primaryKey(), name: text() }));
    mark('3a'); await pause();
    await ops.sql("DELETE FROM city");
    await ops.sql("INSERT INTO city (id, name) VALUES (1, 'Oslo'), (2, 'Lima')");
  },
  4: async (ops) => {
    mark('4a'); await pause();
    if (!(await ops.hasColumn('person', 'email'))) await ops.addColumn('person', 'email', varchar(100));
    mark('4b'); await pause();
    await ops.sql(ops.dialect === 'mysql' ? "UPDATE person SET email = CONCAT(full_name, '@example.org')" : "UPDATE person SET email = full_name || '@example.org'");
  },
} });
`;
/** The markers, in order: a kill aimed at one lands inside that step. */
const MARKS = ['1a', '2a', '3a', '4a', '4b'];

async function reset(db: TestDatabase, file: string): Promise<void> {
  for (const t of ['city', 'person', '_evolve_history', '_evolve_deployment']) await db.exec(`DROP TABLE IF EXISTS ${t}`);
  await db.exec('CREATE TABLE person (id integer NOT NULL PRIMARY KEY, name varchar(50) NOT NULL)');
  await db.exec("INSERT INTO person (id, name) VALUES (1, 'ann'), (2, 'bob'), (3, 'cy')");
  await baselineDeployment({ db: db.url, steps: file, version: 0 });
}

/**
 * Run a deployer; kill it (SIGKILL) as soon as it writes marker `at` (never, when null).
 * Resolves to whether it was killed.
 */
function killAt(args: string[], at: string | null): Promise<boolean> {
  const markFile = join(mkdtempSync(join(tmpdir(), 'evolve-crash-')), 'marks');
  writeFileSync(markFile, '');
  return new Promise((res) => {
    const p = spawn(process.execPath, [join(ROOT, 'bin', 'evolve.js'), ...args], { stdio: 'ignore', env: { ...process.env, EVOLVE_CRASH_MARK: markFile } });
    let killed = false;
    const poll = setInterval(() => {
      if (at !== null && readFileSync(markFile, 'utf8').split('\n').includes(at)) { killed = true; p.kill('SIGKILL'); clearInterval(poll); }
    }, 2);
    const limit = setTimeout(() => p.kill('SIGKILL'), 10 * 60_000);
    p.on('exit', () => { clearInterval(poll); clearTimeout(limit); res(killed); });
  });
}

forEachDialect('crash safety', (d) => {
  if (d === 'pglite') return;
  it(`SIGKILL inside each step of a 4-step upgrade (${TRIALS} trials): a boundary (or a recorded stage), and a re-run finishes`, { timeout: 20 * 60_000 }, (t) => withDb(t, d, async (db) => {
    const file = writeModels(MODULE);
    // Reference run through the CLI: the fingerprint of every version.
    await reset(db, file);
    const v0 = (await fingerprintDatabase(db.url)).fingerprint;
    assert.equal(await killAt(['upgrade', '--db', db.url, '--steps', file], null), false);
    const boundary = new Map<string, number>([[v0, 0]]);
    for (const h of (await deploymentHistory({ db: db.url, app: 'crash' })).history) if (h.kind === 'upgrade' && h.toFingerprint) boundary.set(h.toFingerprint, h.toVersion!);
    assert.equal(boundary.size, 5, 'five distinct versions');
    const final = [...boundary].find(([, v]) => v === 4)![0];
    const seen = new Set<string>();
    let midStep = 0;
    let partlyApplied = 0;
    for (let i = 0; i < TRIALS; i++) {
      await reset(db, file);
      const at = MARKS[i % MARKS.length]!;
      const killed = await killAt(['upgrade', '--db', db.url, '--steps', file], at);
      assert.ok(killed, `trial ${i}: the deployer reached marker ${at} and was killed there`);
      const fp = (await fingerprintDatabase(db.url)).fingerprint;
      const dep = (await deploymentHistory({ db: db.url, app: 'crash' })).deployed!;
      const step = Number(at[0]);
      assert.equal(dep.version, step - 1, `trial ${i} (killed at ${at}): the step was not completed`);
      assert.equal(dep.stage, step, `trial ${i} (killed at ${at}): the stage records the step in progress`);
      midStep++;
      if (d !== 'mysql') {
        assert.ok(boundary.has(fp), `trial ${i} (killed at ${at}): the schema is at a step boundary`);
        assert.equal(boundary.get(fp), dep.version, `trial ${i}: the schema is the deployed version's (the step was rolled back)`);
      }
      const partial = boundary.get(fp) !== dep.version; // MySQL: DDL the killed step had run stayed applied
      if (partial) partlyApplied++;
      seen.add(`${dep.version}+${dep.stage}${partial ? ' (partly applied)' : ''}`);
      const again = await upgradeDeployment({ db: db.url, steps: file });
      assert.equal(again.to, 4);
      assert.equal(again.resumedStage, step, `trial ${i}: the re-run saw the interrupted stage`);
      assert.equal((await fingerprintDatabase(db.url)).fingerprint, final, `trial ${i}: the re-run finishes the job`);
      const people = await db.query('SELECT id, full_name, age, email FROM person ORDER BY id');
      assert.deepEqual(people.map((r) => [Number(r.id), r.full_name, Number(r.age), r.email]),
        [[1, 'ann', 21, 'ann@example.org'], [2, 'bob', 22, 'bob@example.org'], [3, 'cy', 23, 'cy@example.org']], `trial ${i}: no row lost`);
      assert.equal((await db.query('SELECT count(*) AS n FROM city'))[0]!.n == 2, true);
    }
    t.diagnostic(`states seen at kill time: ${[...seen].sort().join(', ')}`);
    assert.ok(midStep >= 1 && seen.size >= Math.min(TRIALS, 4), `kills landed inside different steps (${[...seen].join(', ')})`);
    // Without transactional DDL some kills must have left a step half done — the case the stage is for.
    if (d === 'mysql') assert.ok(partlyApplied >= 1, 'on MySQL, some kill left a step partly applied (and the re-run still finished it)');
    else assert.equal(partlyApplied, 0);
  }));

  if (d !== 'mysql') return;
  it('MySQL: an unguarded step killed part-way: the re-run fails with E_STEP_FAILED naming the conflict and the stage', (t) => withDb(t, d, async (db) => {
    const file = writeModels(`${PRELUDE}
export const schema = versioned({ id: 'crash', latest: 1, steps: {
  1: async (ops) => {
    await ops.addColumn('person', 'age', integer().notNull().default(0));
    mark('1a'); await pause();
    await ops.addColumn('person', 'email', varchar(100));
  },
} });
`);
    await reset(db, file);
    assert.equal(await killAt(['upgrade', '--db', db.url, '--steps', file], '1a'), true);
    const dep = (await deploymentHistory({ db: db.url, app: 'crash' })).deployed!;
    assert.deepEqual(dep, { version: 0, stage: 1 }, 'MySQL committed the first ALTER; the stage says step 1 was interrupted');
    await assert.rejects(upgradeDeployment({ db: db.url, steps: file }), (e) => {
      assert.ok(isEvolveError(e) && e.code === 'E_STEP_FAILED', String(e));
      assert.match(e.message, /step 1 of 'crash' failed: .*(already has a column 'age'|Duplicate column name 'age')/i, 'names the conflict');
      assert.match(e.message, /interrupted part-way \(stage 1 was recorded\)/, 'says the step was interrupted before');
      assert.match(e.message, /stage 1 recorded/, 'names the stage');
      assert.match(e.hint ?? '', /hasColumn/, 'says how to make the step re-runnable');
      return true;
    });
    assert.equal((await db.query('SELECT count(*) AS n FROM person'))[0]!.n == 3, true, 'no row lost');
  }));
});
