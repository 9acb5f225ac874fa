/** `evolve status` on every dialect: deployed version, live fingerprint, pending work, recent history. */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  table, integer, text, varchar, versioned, upgradeDeployment, baselineDeployment, modelsFingerprint, fingerprintDatabase, completeEvolution, statusOf, applyEvolution,
} from '../../src/index.js';
import { evolveDialect, forEachDialect, withDb } from '../support/harness.js';
import { freshDatabase } from '../support/databases.js';
import { evolveTo } from '../support/evolve.js';
import { evolve, writeModels, IMPORTS, runServerCommandsInProcess } from '../support/cli.js';

runServerCommandsInProcess(); // its commands run one at a time

forEachDialect('status', (d) => {
  it('shows the deployed version, the fingerprint, what is pending and the last history rows', (t) => withDb(t, d, async (db) => {
    await db.exec('CREATE TABLE person (id integer NOT NULL PRIMARY KEY, name varchar(50) NOT NULL)');
    const steps = versioned({ id: 'app', latest: 1, steps: { 1: async (ops) => { await ops.addColumn('person', 'age', integer()); } } });
    await baselineDeployment({ db: db.url, steps, version: 0 });
    await upgradeDeployment({ db: db.url, steps });
    const file = writeModels(IMPORTS + `export const person = table('person', { id: integer().primaryKey(), name: varchar(50).notNull(), age: integer(), nick: text() });\n`);
    const r = await evolve(['status', '--json', '--db', db.url, '--models', file, '--app', 'app']);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as { deployment: { version: number; stage: number | null; lastHistory: { kind: string; outcome: string }[] }; liveFingerprint: string; pendingGenerated: string[]; modelsFingerprint: string };
    assert.equal(s.deployment.version, 1);
    assert.equal(s.deployment.stage, null);
    assert.deepEqual(s.deployment.lastHistory.map((h) => `${h.kind}:${h.outcome}`), ['baseline:ok', 'upgrade:ok']);
    assert.deepEqual(s.pendingGenerated, ['add column person.nick']);
    const models = [table('person', { id: integer().primaryKey(), name: varchar(50).notNull(), age: integer(), nick: (await import('../../src/index.js')).text() })];
    assert.equal(s.modelsFingerprint, await modelsFingerprint(models, evolveDialect(d)));
    const text = await evolve(['status', '--db', db.url, '--models', file, '--app', 'app']);
    assert.match(text.stdout, /deployed version: 1 of 'app'/);
    assert.match(text.stdout, /pending generated changes:\n\s+add column person\.nick/);
    assert.match(text.stdout, /recent history:[\s\S]*upgrade\s+upgrade_to_1 → v1\s+ok/);
  }));

  it('lists what apply would run, in order: the pending stored evolutions, then what would be generated after them', (t) => withDb(t, d, async (dev) => {
    // Regression: status diffed the live schema against the models as if the stored evolution
    // were not there, listing a `drop column person.name` that apply never runs.
    const prod = await freshDatabase(d);
    try {
      const v1 = [table('person', { id: integer().primaryKey(), name: varchar(50).notNull() })];
      await evolveTo(dev, v1);
      await evolveTo(prod, v1);
      const a = (await fingerprintDatabase(dev.url)).fingerprint;
      const dir = mkdtempSync(join(tmpdir(), 'evolve-status-'));
      writeFileSync(join(dir, '0001-rename.sql'), `-- evolve:from ${a}\n-- evolve:to fv1:xxxxxxxx\nALTER TABLE person RENAME COLUMN name TO full_name;\n`);
      const { to: b } = await completeEvolution({ db: dev.url, evolutions: dir }); // writes B's snapshot
      const file = writeModels(IMPORTS + "export const person = table('person', { id: integer().primaryKey(), full_name: varchar(50).notNull(), city: text() });\n");
      const s = await statusOf({ db: prod.url, models: file, evolutions: dir });
      assert.deepEqual(s.pendingStored.map((p) => [p.id, p.to]), [['0001-rename.sql', b]]);
      assert.deepEqual(s.pendingGenerated, ['add column person.city'], 'what apply generates after the stored evolution, not before it');
      const text = (await evolve(['status', '--db', prod.url, '--models', file, '--evolutions', dir])).stdout;
      assert.match(text, /pending stored evolution: 0001-rename\.sql → \S+ \(distance 1\)\n {2}pending generated changes \(after the stored evolutions\):\n {4}add column person\.city\n/);
      // Without a snapshot of where the stored evolutions lead, what follows them is not known yet, unless it is the models.
      rmSync(join(dir, 'snapshots'), { recursive: true });
      assert.equal((await statusOf({ db: prod.url, models: file, evolutions: dir })).pendingGenerated, null);
      assert.match((await evolve(['status', '--db', prod.url, '--models', file, '--evolutions', dir])).stdout,
        /pending generated changes \(after the stored evolutions\): not known before they run \(no snapshot of fv1:/);
      const atB = [table('person', { id: integer().primaryKey(), full_name: varchar(50).notNull() })];
      assert.deepEqual((await statusOf({ db: prod.url, models: atB, evolutions: dir })).pendingGenerated, []);
      // And apply does what status said.
      await applyEvolution({ db: prod.url, models: file, evolutions: dir });
      assert.deepEqual((await statusOf({ db: prod.url, models: file, evolutions: dir })).pendingGenerated, []);
    } finally { await prod.dispose(); }
  }));

  it('check also compares the live fingerprint with the models', (t) => withDb(t, d, async (db) => {
    const file = writeModels(IMPORTS + `import { versioned } from 'evolve';
export const person = table('person', { id: integer().primaryKey(), name: varchar(50).notNull() });
export const schema = versioned({ id: 'fp', latest: 1, steps: { 1: async () => {} } });
`);
    const up = await evolve(['upgrade', '--db', db.url, '--models', file]);
    assert.equal(up.code, 0, up.stderr);
    const ok = await evolve(['check', '--db', db.url, '--models', file]);
    assert.equal(ok.code, 0, ok.stderr);
    await db.exec('ALTER TABLE person ADD COLUMN hack integer');
    const bad = await evolve(['check', '--db', db.url, '--models', file]);
    assert.equal(bad.code, 3);
    assert.match(bad.stderr, /schema-differs: .*is at version 1, the latest, but its schema .* is not the models'.*drop column person\.hack/);
  }));

  it('status defaults to the versioned() id of the models and lists the pending numbered steps (text and JSON)', (t) => withDb(t, d, async (db) => {
    const steps = (latest: number): string => Array.from({ length: latest }, (_, i) => `${i + 1}: async () => {}`).join(', ');
    const module = (latest: number): string => writeModels(IMPORTS + `import { versioned } from 'evolve';
export const person = table('person', { id: integer().primaryKey(), name: varchar(50).notNull() });
export const schema = versioned({ id: 'shop', latest: ${latest}, steps: { ${steps(latest)} } });
`);
    const v1 = module(1);
    const none = JSON.parse((await evolve(['status', '--json', '--db', db.url, '--models', v1])).stdout) as { application: { id: string; latest: number }; deployment: unknown; pendingSteps: number[] };
    assert.deepEqual(none.application, { id: 'shop', latest: 1, tables: null });
    assert.equal(none.deployment, null);
    assert.match((await evolve(['status', '--db', db.url, '--models', v1])).stdout, /deployed version: none \(no deployment record for 'shop'/);
    assert.equal((await evolve(['upgrade', '--db', db.url, '--models', v1])).code, 0);
    const v3 = module(3);
    const r = await evolve(['status', '--json', '--db', db.url, '--models', v3]); // no --app: the module's id
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as { deployment: { app: string; version: number }; application: { id: string; latest: number }; pendingSteps: number[] };
    assert.equal(s.deployment.app, 'shop');
    assert.equal(s.deployment.version, 1);
    assert.equal(s.application.latest, 3);
    assert.deepEqual(s.pendingSteps, [2, 3]);
    const text = await evolve(['status', '--db', db.url, '--models', v3]);
    assert.match(text.stdout, /application 'shop': latest version 3/);
    assert.match(text.stdout, /deployed version: 1 of 'shop'/);
    assert.match(text.stdout, /pending upgrade steps: 2, 3 \(run evolve upgrade\)/);
    // --steps gives the definition when the models module has none.
    const plain = writeModels(IMPORTS + `export const person = table('person', { id: integer().primaryKey(), name: varchar(50).notNull() });\n`);
    const viaSteps = JSON.parse((await evolve(['status', '--json', '--db', db.url, '--models', plain, '--steps', v3])).stdout) as { pendingSteps: number[] };
    assert.deepEqual(viaSteps.pendingSteps, [2, 3]);
    assert.equal((await evolve(['upgrade', '--db', db.url, '--models', v3])).code, 0);
    assert.match((await evolve(['status', '--db', db.url, '--models', v3])).stdout, /upgrade steps: none pending/);
  }));

  it('check without versioned() compares fingerprints: 0 in sync, 3 when the schema differs', (t) => withDb(t, d, async (db) => {
    const file = writeModels(IMPORTS + `export const person = table('person', { id: integer().primaryKey(), name: varchar(50).notNull() });\n`);
    assert.equal((await evolve(['apply', '--db', db.url, '--models', file])).code, 0);
    const ok = await evolve(['check', '--db', db.url, '--models', file]);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /at the models' fingerprint/);
    const j = JSON.parse((await evolve(['check', '--json', '--db', db.url, '--models', file])).stdout) as { state: string; app: string | null };
    assert.deepEqual([j.state, j.app], ['in-sync', null]);
    await db.exec('ALTER TABLE person ADD COLUMN hack integer');
    const bad = await evolve(['check', '--db', db.url, '--models', file]);
    assert.equal(bad.code, 3, bad.stdout + bad.stderr);
    assert.match(bad.stderr, /schema-differs: The live schema .* is not the models' .*drop column person\.hack/);
  }));

  it('custom record table names (CLI flags and evolve.config.ts) hold the record, and are never fingerprinted', (t) => withDb(t, d, async (db) => {
    const file = writeModels(IMPORTS + `import { versioned } from 'evolve';
export const person = table('person', { id: integer().primaryKey(), name: varchar(50).notNull() });
export const schema = versioned({ id: 'named', latest: 1, steps: { 1: async () => {} } });
`);
    const names = ['--record-table', '_evolve_app_state', '--history-table', '_evolve_app_log'];
    const up = await evolve(['upgrade', '--db', db.url, '--models', file, ...names]);
    assert.equal(up.code, 0, up.stderr);
    const exists = (name: string): Promise<boolean> => db.query(`SELECT 1 AS x FROM ${name} WHERE 1 = 0`).then(() => true, () => false);
    assert.deepEqual((await db.query("SELECT app, version FROM _evolve_app_state")).map((r) => [r.app, Number(r.version)]), [['named', 1]]);
    assert.ok(await exists('_evolve_app_log'), 'the history table has the given name');
    assert.equal(await exists('_evolve_deployment'), false, 'the default names are not used');
    assert.equal(await exists('_evolve_history'), false);
    const models = [table('person', { id: integer().primaryKey(), name: varchar(50).notNull() })];
    assert.equal((await fingerprintDatabase(db.url)).fingerprint, await modelsFingerprint(models, evolveDialect(d)), 'the record tables are not fingerprinted');
    const st = JSON.parse((await evolve(['status', '--json', '--db', db.url, '--models', file, ...names])).stdout) as { deployment: { version: number } | null };
    assert.equal(st.deployment?.version, 1);
    assert.equal((await evolve(['check', '--db', db.url, '--models', file, ...names])).code, 0);
    // Without the names, the record is not found: unversioned.
    assert.equal((await evolve(['check', '--db', db.url, '--models', file])).code, 3);
    const config = writeModels("export default { recordTable: '_evolve_app_state', historyTable: '_evolve_app_log' };\n", 'evolve.config.ts');
    assert.equal((await evolve(['check', '--db', db.url, '--models', file, '--config', config])).code, 0, 'the config file names them too');
    const bad = await evolve(['check', '--db', db.url, '--models', file, '--record-table', 'state']);
    assert.equal(bad.code, 2, 'a name outside _evolve* is a usage error');
    assert.match(bad.stderr, /does not start with '_evolve'/);
  }));
});
