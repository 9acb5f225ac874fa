/**
 * Fingerprints on every dialect: the models' fingerprint (computed without a database) equals
 * the fingerprint of the models created in an empty database; every DSL feature round-trips
 * with no false diff; order and Evolve's own tables do not matter.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { table, integer, text, rawType, fingerprintDatabase, modelsFingerprint, planEvolution, inspect } from '../../src/index.js';
import { evolveDialect, forEachDialect, withDb } from '../support/harness.js';
import { evolveTo } from '../support/evolve.js';
import { featureModels, goldenModels } from '../support/feature-models.js';
import { GOLDEN, GOLDEN_ALL_OPTIONS, allOptionsModels } from '../support/golden.js';
import { evolve, writeModels, IMPORTS } from '../support/cli.js';

forEachDialect('fingerprints and no false diffs', (d) => {
  it('every DSL feature: created from nothing, then nothing left to do', (t) => withDb(t, d, async (db) => {
    await evolveTo(db, featureModels(evolveDialect(d)));
  }));

  it('golden fingerprint of a fixed schema', (t) => withDb(t, d, async (db) => {
    await evolveTo(db, goldenModels());
    assert.equal((await fingerprintDatabase(db.url)).fingerprint, GOLDEN[evolveDialect(d)]);
  }));

  it('golden fingerprint of a fixed schema with every column type and option', (t) => withDb(t, d, async (db) => {
    const models = allOptionsModels(evolveDialect(d));
    assert.equal(await modelsFingerprint(models, evolveDialect(d)), GOLDEN_ALL_OPTIONS[evolveDialect(d)], 'computed without a database');
    await evolveTo(db, models);
    assert.equal((await fingerprintDatabase(db.url)).fingerprint, GOLDEN_ALL_OPTIONS[evolveDialect(d)], 'introspected');
  }));

  it('a rawType() naming a type the DSL knows reads back as that type', (t) => withDb(t, d, async (db) => {
    // Regression: on SQLite rawType('int') failed apply with E_FINGERPRINT_MISMATCH (alter column t.x (type)).
    await evolveTo(db, [table('raw_known', { id: integer().primaryKey(), a: rawType('int'), b: rawType('INTEGER'), c: rawType('varchar(10)'), e: rawType('BIGINT') })]);
  }));

  it('ignores table order, column order and Evolve\'s own tables', (t) => withDb(t, d, async (db) => {
    const ab = [table('a', { id: integer().primaryKey(), x: text(), y: text() }), table('b', { id: integer().primaryKey() })];
    const ba = [table('b', { id: integer().primaryKey() }), table('a', { y: text(), x: text(), id: integer().primaryKey() })];
    assert.equal(await modelsFingerprint(ab, evolveDialect(d)), await modelsFingerprint(ba, evolveDialect(d)));
    await db.exec('CREATE TABLE b (id integer NOT NULL, PRIMARY KEY (id))');
    await db.exec('CREATE TABLE a (y text, id integer NOT NULL, x text, PRIMARY KEY (id))');
    const fp = (await fingerprintDatabase(db.url)).fingerprint;
    assert.equal(fp, await modelsFingerprint(ab, evolveDialect(d)));
    await db.exec('CREATE TABLE _evolve_bookkeeping (k text)');
    assert.equal((await fingerprintDatabase(db.url)).fingerprint, fp);
    assert.equal((await planEvolution({ db: db.url, models: ab })).inSync, true, 'Evolve\'s own tables are never dropped');
  }));

  it('reads tables Evolve did not create, and keeps unknown types as raw text', (t) => withDb(t, d, async (db) => {
    const odd = d === 'sqlite' ? 'geometry' : d === 'mysql' ? 'mediumint' : 'inet';
    await db.exec(`CREATE TABLE legacy (id integer NOT NULL PRIMARY KEY, place ${odd}, label varchar(10) DEFAULT 'x')`);
    const live = await inspect(db.url);
    const col = live.tables.find((x) => x.name === 'legacy')!.columns.find((c) => c.name === 'place')!;
    assert.equal(col.type.kind, 'raw');
    const file = writeModels(IMPORTS + `export const legacy = table('legacy', { id: integer().primaryKey(), place: rawType('${odd}'), label: varchar(10).default('x') });\n`);
    const r = await evolve(['sql', '--exit-code', '--db', db.url, '--models', file]);
    assert.equal(r.code, 0, `no false diff: ${r.stdout}${r.stderr}`);
    const fp = await evolve(['fingerprint', '--json', '--db', db.url, '--models', file]);
    const doc = JSON.parse(fp.stdout) as { fingerprint: string; matchesModels: boolean };
    assert.equal(doc.matchesModels, true);
    assert.match(doc.fingerprint, /^fv1:[0-9a-f]{64}$/);
  }));
});
