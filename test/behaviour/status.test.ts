/** `evolve status` on every dialect: deployed version, live fingerprint, pending work, recent history. */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { table, integer, varchar, versioned, upgradeDeployment, baselineDeployment, modelsFingerprint } from '../../src/index.js';
import { evolveDialect, forEachDialect, withDb } from '../support/harness.js';
import { evolve, writeModels, IMPORTS } from '../support/cli.js';

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
});
