/**
 * The deployment record and numbered upgrade steps (M10, M11, B2) on every dialect: fresh
 * installs start at latest; upgrades run exactly the missing steps once and record them;
 * refusal when ahead; check's four answers through the CLI; install; baseline; every
 * operation of the operations API; a failing step rolled back where the dialect allows.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import {
  table, index, integer, text, varchar, versioned, upgradeDeployment, installStorage, baselineDeployment, checkVersion,
  deploymentHistory, applyEvolution, recordEvolution, revertEvolutions, fingerprintDatabase, modelsFingerprint, isEvolveError, type Table, type Operations, type Versioned,
} from '../../src/index.js';
import { evolveDialect, forEachDialect, withDb } from '../support/harness.js';
import { rows } from '../support/evolve.js';
import type { TestDatabase } from '../support/databases.js';
import { evolve, writeModels, stepsModuleSource, IMPORTS, ROOT } from '../support/cli.js';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Version 0 of the application: what existed before any step. */
const v0 = (): Table[] => [table('person', { id: integer().primaryKey(), name: varchar(50).notNull() })];
/** The latest models (version 3). */
const latest = (): Table[] => [
  table('person', { id: integer().primaryKey(), full_name: varchar(50).notNull(), age: integer().notNull().default(0) }),
  table('city', { id: integer().primaryKey(), name: text() }),
];

/** Steps 1..3 from v0 to latest; `calls` records each run. */
function steps(calls: number[] = []): Versioned {
  return versioned({
    id: 'myapp',
    latest: 3,
    steps: {
      1: async (ops) => { calls.push(1); await ops.addColumn('person', 'age', integer().notNull().default(0)); },
      2: async (ops) => { calls.push(2); await ops.renameColumn('person', 'name', 'full_name'); },
      3: async (ops) => { calls.push(3); await ops.createTable(table('city', { id: integer().primaryKey(), name: text() })); },
    },
  });
}

const fp = async (db: TestDatabase): Promise<string> => (await fingerprintDatabase(db.url)).fingerprint;
const code = (c: string) => (e: unknown): boolean => isEvolveError(e) && e.code === c;

/** A CLI models module exporting the latest models and the steps. */
const cliModule = (): string => writeModels(stepsModuleSource('myapp'));

forEachDialect('deployment record and numbered steps', (d) => {
  const ed = evolveDialect(d);
  const tx = d !== 'mysql';

  it('a fresh install starts at latest: no step runs, the models\' tables are created', (t) => withDb(t, d, async (db) => {
    const calls: number[] = [];
    const r = await upgradeDeployment({ db: db.url, models: latest(), steps: steps(calls) });
    assert.equal(r.freshInstall, true);
    assert.deepEqual(r.ran, []);
    assert.deepEqual([...r.created].sort(), ['city', 'person']);
    assert.deepEqual(calls, []);
    assert.equal(await fp(db), await modelsFingerprint(latest(), ed), 'the record tables are not fingerprinted');
    const h = await deploymentHistory({ db: db.url, app: 'myapp' });
    assert.deepEqual(h.deployed, { version: 3, stage: null });
    assert.deepEqual(h.history.map((x) => [x.kind, x.outcome, x.toVersion]), [['install', 'ok', 3]]);
    // Idempotent.
    const again = await upgradeDeployment({ db: db.url, models: latest(), steps: steps(calls) });
    assert.deepEqual([again.freshInstall, again.ran, calls], [false, [], []]);
  }));

  it('upgrade from an older version runs exactly the missing steps once, recorded; again is a no-op', (t) => withDb(t, d, async (db) => {
    await applyEvolution({ db: db.url, models: v0() });
    await db.exec("INSERT INTO person (id, name) VALUES (1, 'ann')");
    await assert.rejects(upgradeDeployment({ db: db.url, models: latest(), steps: steps() }), code('E_UNVERSIONED'), 'tables but no record');
    await baselineDeployment({ db: db.url, steps: steps(), version: 0 });
    const calls: number[] = [];
    const partial = await upgradeDeployment({ db: db.url, steps: steps(calls), to: 1 });
    assert.deepEqual([partial.from, partial.ran], [0, [1]]);
    const r = await upgradeDeployment({ db: db.url, models: latest(), steps: steps(calls) });
    assert.deepEqual([r.from, r.ran, r.freshInstall], [1, [2, 3], false]);
    assert.deepEqual(calls, [1, 2, 3]);
    assert.equal(await fp(db), await modelsFingerprint(latest(), ed), 'the steps reach the latest models exactly');
    assert.deepEqual(await rows(db, 'SELECT id, full_name, age FROM person'), [{ id: '1', full_name: 'ann', age: '0' }]);
    const h = await deploymentHistory({ db: db.url, app: 'myapp' });
    assert.deepEqual(h.deployed, { version: 3, stage: null });
    const ups = h.history.filter((x) => x.kind === 'upgrade');
    assert.deepEqual(ups.map((x) => [x.name, x.fromVersion, x.toVersion, x.outcome]), [['upgrade_to_1', 0, 1, 'ok'], ['upgrade_to_2', 1, 2, 'ok'], ['upgrade_to_3', 2, 3, 'ok']]);
    for (const u of ups) {
      assert.match(u.checksum ?? '', /^[0-9a-f]{64}$/);
      assert.match(u.fromFingerprint ?? '', /^fv1:/);
      assert.notEqual(u.fromFingerprint, u.toFingerprint);
      assert.ok(u.durationMs !== null && u.durationMs >= 0 && u.finished !== null);
    }
    assert.equal(h.history[0]!.kind, 'baseline');
    const again = await upgradeDeployment({ db: db.url, steps: steps(calls) });
    assert.deepEqual([again.ran, calls.length], [[], 3]);
  }));

  it('refuses when the deployed version is above the target; nothing changes', (t) => withDb(t, d, async (db) => {
    await upgradeDeployment({ db: db.url, models: latest(), steps: steps() });
    const before = await fp(db);
    await assert.rejects(upgradeDeployment({ db: db.url, steps: steps(), to: 2 }), (e: unknown) => code('E_VERSION_AHEAD')(e) && /greater than/.test((e as Error).message));
    await baselineDeployment({ db: db.url, app: 'myapp', version: 7 }); // newer code was here
    await assert.rejects(upgradeDeployment({ db: db.url, steps: steps() }), code('E_VERSION_AHEAD'));
    assert.equal(await fp(db), before);
    assert.deepEqual((await deploymentHistory({ db: db.url, app: 'myapp' })).deployed, { version: 7, stage: null });
  }));

  it('check (CLI): unversioned, behind, ahead exit 3 with a clear message; in sync exits 0', (t) => withDb(t, d, async (db) => {
    const mod = cliModule();
    const check = () => evolve(['check', '--db', db.url, '--models', mod]);
    let r = await check();
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /unversioned: .*no deployment record/);
    await applyEvolution({ db: db.url, models: v0() });
    r = await evolve(['baseline', '1', '--db', db.url, '--models', mod]);
    assert.equal(r.code, 0, r.stderr);
    r = await check();
    assert.equal(r.code, 3);
    assert.match(r.stderr, /behind: .*\(1\) is less than the latest version \(3\).*evolve upgrade/);
    await baselineDeployment({ db: db.url, app: 'myapp', version: 5 });
    r = await check();
    assert.equal(r.code, 3);
    assert.match(r.stderr, /ahead: .*\(5\) is greater than this code's latest version \(3\)/);
    await baselineDeployment({ db: db.url, app: 'myapp', version: 0 });
    r = await evolve(['upgrade', '--db', db.url, '--models', mod]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /upgraded from version 0 to 3/);
    r = await check();
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /at version 3, the latest/);
    const json = JSON.parse((await evolve(['check', '--json', '--db', db.url, '--models', mod])).stdout);
    assert.equal(json.state, 'in-sync');
    r = await evolve(['upgrade', '2', '--db', db.url, '--models', mod]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /E_VERSION_AHEAD/);
    assert.equal((await checkVersion({ db: db.url, steps: steps() })).state, 'in-sync');
  }));

  it('install creates the missing tables and leaves existing ones alone', (t) => withDb(t, d, async (db) => {
    await applyEvolution({ db: db.url, models: v0() });
    await db.exec("INSERT INTO person (id, name) VALUES (1, 'ann')");
    const before = await rows(db, 'SELECT * FROM person');
    const r = await installStorage({ db: db.url, models: latest() });
    assert.deepEqual(r.created, ['city']);
    assert.deepEqual(await rows(db, 'SELECT * FROM person'), before, 'person untouched (still has name, no age)');
    assert.equal((await installStorage({ db: db.url, models: latest() })).created.length, 0);
    const mod = cliModule();
    const cli = await evolve(['install', '--db', db.url, '--models', mod]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, /nothing created/);
  }));

  it('install and upgrade take a SQL file as models, as every other command does', (t) => withDb(t, d, async (db) => {
    const sqlFile = join(mkdtempSync(join(tmpdir(), 'evolve-deploy-')), 'schema.sql');
    writeFileSync(sqlFile, 'CREATE TABLE person (id integer NOT NULL PRIMARY KEY, full_name varchar(50) NOT NULL, age integer NOT NULL DEFAULT 0);\n' +
      'CREATE TABLE city (id integer NOT NULL PRIMARY KEY, name text);\nCREATE VIEW adults AS SELECT id FROM person WHERE age >= 18;\n');
    const run = (...args: string[]): ReturnType<typeof evolve> => evolve([...args, '--db', db.url, '--models', sqlFile]);
    const noSteps = await run('upgrade');
    assert.match(noSteps.stderr, /E_STEPS_INVALID[\s\S]*--steps/, 'a SQL file defines no steps: say so, not E_MODELS_LOAD');
    const up = await run('upgrade', '--json', '--steps', cliModule());
    assert.equal(up.code, 0, up.stdout + up.stderr);
    assert.deepEqual([...(JSON.parse(up.stdout) as { created: string[] }).created].sort(), ['city', 'person']);
    assert.equal((await run('sql', '--exit-code')).code, 0, 'a fresh install from the file is in sync with it (view included)');
    await db.exec('DROP VIEW adults');
    await db.exec('DROP TABLE city');
    await db.exec("INSERT INTO person (id, full_name, age) VALUES (1, 'ann', 30)");
    const inst = await run('install');
    assert.equal(inst.code, 0, inst.stdout + inst.stderr);
    assert.match(inst.stdout, /city/);
    assert.deepEqual(await rows(db, 'SELECT id, full_name FROM person'), [{ id: '1', full_name: 'ann' }]);
    assert.equal((await run('sql', '--exit-code')).code, 0);
  }));

  it('every operation of the operations API', (t) => withDb(t, d, async (db) => {
    await applyEvolution({ db: db.url, models: v0() });
    await db.exec("INSERT INTO person (id, name) VALUES (1, 'ann'), (2, 'bob')");
    await baselineDeployment({ db: db.url, app: 'ops', version: 0 });
    const person = table('person', { id: integer().primaryKey() });
    const seen: Record<string, unknown> = {};
    const step = async (ops: Operations): Promise<void> => {
      seen.dialect = ops.dialect;
      seen.has = [await ops.hasTable('person'), await ops.hasTable('nope'), await ops.hasColumn('person', 'name'), await ops.hasColumn('person', 'x')];
      await ops.createTable(table('pet', { id: integer().primaryKey(), owner: integer().references(() => person.columns.id), label: varchar(20) }));
      await ops.addColumn('person', 'age', integer().notNull().default(0));
      await ops.addColumn('person', 'nick', varchar(10));
      await ops.query('UPDATE person SET age = 30 WHERE id = 1');
      await ops.renameColumn('person', 'name', 'full_name');
      await ops.alterColumn('person', 'nick', text());
      await ops.createIndex('person', index('person_age_idx').on('age'));
      await ops.createIndex('pet', index().on('label'));
      await ops.dropIndex('person_age_idx');
      await ops.sql("INSERT INTO pet (id, owner, label) VALUES (1, 1, 'rex')");
      await ops.renameTable('pet', 'animal');
      await ops.dropColumn('person', 'nick');
      await ops.createTable(table('scratch', { id: integer().primaryKey() }));
      await ops.dropTable('scratch');
      seen.rows = (await ops.query('SELECT id, full_name, age FROM person ORDER BY id')).map((r) => [Number(r.id), r.full_name, Number(r.age)]);
    };
    const r = await upgradeDeployment({ db: db.url, app: 'ops', steps: versioned({ id: 'ops', latest: 1, steps: { 1: step } }) });
    assert.deepEqual(r.ran, [1]);
    assert.deepEqual(seen.has, [true, false, true, false]);
    assert.equal(seen.dialect, ed);
    assert.deepEqual(seen.rows, [[1, 'ann', 30], [2, 'bob', 0]]);
    const personAfter = table('person', { id: integer().primaryKey(), full_name: varchar(50).notNull(), age: integer().notNull().default(0) });
    const expected = [
      personAfter,
      table('animal', { id: integer().primaryKey(), owner: integer().references(() => personAfter.columns.id), label: varchar(20) },
        { indexes: [index('pet_label_idx').on('label')] }),
    ];
    assert.equal(await fp(db), await modelsFingerprint(expected, ed), 'the operations leave exactly the expected schema');
    assert.deepEqual(await rows(db, 'SELECT id, owner, label FROM animal'), [{ id: '1', owner: '1', label: 'rex' }]);
  }));

  it(`a step that throws ${tx ? 'is rolled back: version, stage and schema unchanged' : 'leaves the version and records the stage (no transactional DDL)'}`, (t) => withDb(t, d, async (db) => {
    await applyEvolution({ db: db.url, models: v0() });
    await db.exec("INSERT INTO person (id, name) VALUES (1, 'ann')");
    await baselineDeployment({ db: db.url, app: 'myapp', version: 0 });
    const before = await fp(db);
    const failing = versioned({
      id: 'myapp', latest: 2, steps: {
        1: async (ops) => { await ops.addColumn('person', 'age', integer()); },
        2: async (ops) => {
          await ops.createTable(table('city', { id: integer().primaryKey() }));
          await ops.query('UPDATE person SET age = 5');
          throw new Error('boom');
        },
      },
    });
    await assert.rejects(upgradeDeployment({ db: db.url, steps: failing }), (e: unknown) => code('E_STEP_FAILED')(e) && /step 2 .*boom/.test((e as Error).message));
    const h = await deploymentHistory({ db: db.url, app: 'myapp' });
    const last = h.history[h.history.length - 1]!;
    assert.deepEqual([last.name, last.outcome], ['upgrade_to_2', 'failed']);
    assert.match(last.error ?? '', /boom/);
    const afterStep1 = await modelsFingerprint([table('person', { id: integer().primaryKey(), name: varchar(50).notNull(), age: integer() })], ed);
    if (tx) {
      assert.deepEqual(h.deployed, { version: 1, stage: null }, 'step 1 committed, step 2 rolled back');
      assert.equal(await fp(db), afterStep1);
      assert.deepEqual(await rows(db, 'SELECT id, name, age FROM person'), [{ id: '1', name: 'ann', age: null }]);
    } else {
      assert.deepEqual(h.deployed, { version: 1, stage: 2 }, 'the interrupted stage stays recorded');
      assert.notEqual(await fp(db), before);
    }
  }));

  it('apply and revert record generated, stored and revert runs in the history (once a record exists)', (t) => withDb(t, d, async (db) => {
    await applyEvolution({ db: db.url, models: v0() });
    assert.deepEqual((await deploymentHistory({ db: db.url })).history, [], 'no record is created unasked');
    await applyEvolution({ db: db.url, models: latest(), record: { history: true } });
    const dir = mkdtempSync(join(tmpdir(), 'evolve-deploy-'));
    const v4 = (): Table[] => [...latest(), table('road', { id: integer().primaryKey() })];
    const rec = await recordEvolution({ db: db.url, models: v4(), evolutions: dir });
    await applyEvolution({ db: db.url, models: v4(), evolutions: dir, storedOnly: true });
    await revertEvolutions({ db: db.url, evolutions: dir });
    const h = (await deploymentHistory({ db: db.url })).history;
    assert.deepEqual(h.map((x) => [x.kind, x.outcome]), [['generated', 'ok'], ['stored', 'ok'], ['revert', 'ok']]);
    assert.deepEqual([h[1]!.fromFingerprint, h[1]!.toFingerprint], [rec.from, rec.to]);
    assert.deepEqual([h[2]!.fromFingerprint, h[2]!.toFingerprint], [rec.to, rec.from]);
    assert.match(h[1]!.checksum ?? '', /^[0-9a-f]{64}$/);
    assert.equal(h[0]!.toFingerprint, await modelsFingerprint(latest(), ed));
  }));

  it('a history table made before steps_run and steps_checksum existed gets them on first use, its rows kept', (t) => withDb(t, d, async (db) => {
    await applyEvolution({ db: db.url, models: v0(), record: { history: true } });
    await db.exec('ALTER TABLE _evolve_history DROP COLUMN steps_checksum');
    await db.exec('ALTER TABLE _evolve_history DROP COLUMN steps_run');
    await applyEvolution({ db: db.url, models: latest() });
    const h = (await deploymentHistory({ db: db.url })).history;
    assert.deepEqual(h.map((x) => [x.kind, x.outcome, x.stepsRun, x.stepsChecksum]), [['generated', 'ok', null, null], ['generated', 'ok', null, null]]);
    assert.deepEqual(await rows(db, 'SELECT steps_run, steps_checksum FROM _evolve_history WHERE steps_run IS NOT NULL'), [], 'the columns are back');
  }));

  if (d !== 'pglite') {
    // PGlite runs in the deployer's own process: there is no second process to wait or to kill.
    it('a second deployer times out with E_LOCK_TIMEOUT; a killed holder leaves no lock behind', { timeout: 5 * 60_000 }, (t) => withDb(t, d, async (db) => {
      const marks = join(mkdtempSync(join(tmpdir(), 'evolve-lock-')), 'held');
      const file = writeModels(`${IMPORTS}import { versioned } from 'evolve';
import { writeFileSync } from 'node:fs';
export const person = table('person', { id: integer().primaryKey(), name: varchar(50).notNull() });
export const schema = versioned({ id: 'lock', latest: 1, steps: { 1: async () => {
  if (!process.env.EVOLVE_HOLD) return;
  writeFileSync(process.env.EVOLVE_HOLD, 'held');
  await new Promise((r) => setTimeout(r, 10 * 60_000)); // holds the deploy lock until killed
} } });
`);
      await db.exec('CREATE TABLE person (id integer NOT NULL PRIMARY KEY, name varchar(50) NOT NULL)');
      assert.equal((await evolve(['baseline', '0', '--db', db.url, '--models', file])).code, 0);
      const holder = spawn(process.execPath, [join(ROOT, 'bin', 'evolve.js'), 'upgrade', '--db', db.url, '--models', file], { stdio: 'ignore', env: { ...process.env, EVOLVE_HOLD: marks } });
      const exited = new Promise((res) => holder.on('exit', res));
      try {
        for (let i = 0; !existsSync(marks); i++) {
          assert.ok(i < 6000, 'the holder reached its step');
          await new Promise((r) => setTimeout(r, 20));
        }
        const started = Date.now();
        const waited = await evolve(['upgrade', '--json', '--db', db.url, '--models', file, '--lock-timeout', '1']);
        assert.equal(waited.code, 1, waited.stdout + waited.stderr);
        const e = (JSON.parse(waited.stdout) as { error: { code: string; message: string; hint: string } }).error;
        assert.equal(e.code, 'E_LOCK_TIMEOUT');
        assert.match(e.message, /held the deploy lock .* for more than 1 s; nothing was changed/);
        assert.ok(Date.now() - started >= 1000, 'it waited for the timeout');
      } finally {
        holder.kill('SIGKILL');
        await exited;
      }
      // The killed holder's lock is gone (its session or process died): the next deployer gets it at once.
      const started = Date.now();
      const next = await evolve(['upgrade', '--json', '--db', db.url, '--models', file, '--lock-timeout', '30']);
      assert.equal(next.code, 0, next.stdout + next.stderr);
      const r = JSON.parse(next.stdout) as { ran: number[]; resumedStage: number | null };
      assert.deepEqual(r.ran, [1]);
      assert.equal(r.resumedStage, 1, 'the killed holder had recorded its stage');
      assert.ok(Date.now() - started < 25_000, 'it did not wait out a stale lock');
      assert.equal((await checkVersion({ db: db.url, steps: file })).state, 'in-sync');
    }));
  }
});
