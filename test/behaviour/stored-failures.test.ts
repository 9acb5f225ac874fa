/**
 * A stored evolution that fails part-way, fixed and re-signed, then applied again with
 * `apply --stored-only` (PRODUCT.md B2). SQLite and PostgreSQL roll the failed evolution back
 * whole, so the fixed file applies from its from-fingerprint; MySQL commits every DDL
 * statement, so the steps before the failure stay applied, the history records where it
 * stopped, and apply resumes there (engine/resume.ts).
 */
import { it, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  table, index, integer, text, varchar, applyEvolution, planEvolution, statusOf, hashEvolutions, fingerprintDatabase, modelsFingerprint,
  deploymentHistory, isEvolveError, type Table,
} from '../../src/index.js';
import { evolveDialect, forEachDialect, withDb } from '../support/harness.js';
import { evolveTo, rows } from '../support/evolve.js';
import { selectedDialects, type TestDatabase } from '../support/databases.js';
import { evolve, IMPORTS, writeModels } from '../support/cli.js';

const v1 = (): Table[] => [table('person', { id: integer().primaryKey(), name: varchar(50).notNull() })];
const v2 = (): Table[] => [table('person', { id: integer().primaryKey(), name: varchar(50).notNull(), age: integer(), city: text() })];
const V2_MODULE = IMPORTS + "export const person = table('person', { id: integer().primaryKey(), name: varchar(50).notNull(), age: integer(), city: text() });\n";
const fp = async (db: TestDatabase): Promise<string> => (await fingerprintDatabase(db.url)).fingerprint;

/** An evolutions directory holding one evolution A → B with `steps`, signed. */
function evolutions(a: string, b: string, steps: string[]): { dir: string; write: (steps: string[]) => void } {
  const dir = mkdtempSync(join(tmpdir(), 'evolve-resume-'));
  const write = (s: string[]): void => {
    writeFileSync(join(dir, '0001-age-and-city.sql'), `-- evolve:from ${a}\n-- evolve:to ${b}\n${s.join('\n')}\n`);
    writeFileSync(join(dir, 'fingerprints.txt'), `${a}\n${b}\n`);
    hashEvolutions(dir);
  };
  write(steps);
  return { dir, write };
}

const ADD_AGE = 'ALTER TABLE person ADD COLUMN age integer;';
const BROKEN = 'UPDATE person SET no_such_column = 7;';
const FIXED = 'UPDATE person SET age = 7;';
const ADD_CITY = 'ALTER TABLE person ADD COLUMN city text;';

forEachDialect('a stored evolution that fails part-way', (d) => {
  const transactional = d !== 'mysql';

  it('fixed and re-signed, apply --stored-only reaches its to-fingerprint (rolled back whole, or resumed on MySQL)', (t) => withDb(t, d, async (db) => {
    await evolveTo(db, v1());
    await db.exec("INSERT INTO person (id, name) VALUES (1, 'ann')");
    const [a, b] = [await fp(db), await modelsFingerprint(v2(), evolveDialect(d))];
    const { dir, write } = evolutions(a, b, [ADD_AGE, BROKEN, ADD_CITY]);
    const models = writeModels(V2_MODULE);
    const first = await evolve(['apply', '--stored-only', '--db', db.url, '--models', models, '--evolutions', dir]);
    assert.equal(first.code, 1);
    assert.match(first.stderr, /E_SQL_FAILED: Step 2 of 3 of evolution '0001-age-and-city\.sql' failed/);
    if (transactional) {
      assert.match(first.stderr, /It was rolled back; the database is as it was\./);
      assert.equal(await fp(db), a, 'nothing of the evolution stays');
      assert.equal((await planEvolution({ db: db.url, models: v2(), evolutions: dir })).stored?.resumedAt, undefined);
    } else {
      assert.match(first.stderr, /Step 1 ran and stays applied \(MySQL commits every DDL statement\); step 3 did not run\./);
      assert.match(first.stderr, /apply resumes at step 2/);
      assert.notEqual(await fp(db), a, 'step 1 stays applied');
      const { history } = await deploymentHistory({ db: db.url });
      assert.deepEqual(history.map((h) => [h.name, h.outcome, h.stepsRun]), [['0001-age-and-city.sql', 'partial', 1]],
        'the stop is recorded although the database kept no history before');
      // sql and status say what apply will do: resume at step 2.
      const preview = await planEvolution({ db: db.url, models: v2(), evolutions: dir });
      assert.deepEqual([preview.source, preview.stored?.id, preview.stored?.resumedAt, preview.stored?.steps], ['stored', '0001-age-and-city.sql', 2, [BROKEN.slice(0, -1), ADD_CITY.slice(0, -1)]]);
      assert.deepEqual((await statusOf({ db: db.url, evolutions: dir })).pendingStored.map((p) => [p.id, p.resumedAt]), [['0001-age-and-city.sql', 2]]);
      // Applied again unfixed, it resumes and fails at the same step, the database where it was.
      const again = await evolve(['apply', '--stored-only', '--db', db.url, '--models', models, '--evolutions', dir]);
      assert.match(again.stderr, /Step 2 of 3 of evolution '0001-age-and-city\.sql' failed: .*Step 1 ran and stays applied \(step 1 in an earlier apply\)/s);
    }
    write([ADD_AGE, FIXED, ADD_CITY]);
    const fixed = await evolve(['apply', '--stored-only', '--db', db.url, '--models', models, '--evolutions', dir]);
    assert.equal(fixed.code, 0, fixed.stderr);
    assert.equal(await fp(db), b);
    assert.deepEqual(await rows(db, 'SELECT id, name, age, city FROM person'), [{ id: '1', name: 'ann', age: '7', city: null }]);
    assert.equal((await planEvolution({ db: db.url, models: v2(), evolutions: dir })).inSync, true);
  }));
});

describe('MySQL: resuming a stored evolution that stopped part-way', { skip: selectedDialects().includes('mysql') ? false : 'mysql not selected' }, () => {
  it('refuses a fixed file whose steps that ran were changed, and resumes once they are restored', (t) => withDb(t, 'mysql', async (db) => {
    await evolveTo(db, v1());
    const [a, b] = [await fp(db), await modelsFingerprint(v2(), 'mysql')];
    const { dir, write } = evolutions(a, b, [ADD_AGE, BROKEN, ADD_CITY]);
    await assert.rejects(applyEvolution({ db: db.url, models: v2(), evolutions: dir, storedOnly: true }), (e: unknown) => isEvolveError(e) && e.code === 'E_SQL_FAILED');
    const partial = await fp(db);
    write(['ALTER TABLE person ADD COLUMN age bigint;', FIXED, ADD_CITY]);
    const conflict = (e: unknown): boolean => isEvolveError(e) && e.code === 'E_RESUME_CONFLICT' && /step 1 ran and stays applied/.test(e.message)
      && /no longer begins with that step/.test(e.message) && /Restore step 1 of '0001-age-and-city\.sql' as it ran/.test(e.hint ?? '');
    await assert.rejects(applyEvolution({ db: db.url, models: v2(), evolutions: dir, storedOnly: true }), conflict);
    await assert.rejects(planEvolution({ db: db.url, models: v2(), evolutions: dir }), conflict);
    assert.equal(await fp(db), partial, 'nothing ran');
    write([ADD_AGE, FIXED, ADD_CITY]);
    const r = await applyEvolution({ db: db.url, models: v2(), evolutions: dir, storedOnly: true });
    assert.deepEqual(r.storedApplied.map((s) => [s.id, s.resumedAt, s.steps.length]), [['0001-age-and-city.sql', 2, 2]]);
    assert.equal(await fp(db), b);
    const { history } = await deploymentHistory({ db: db.url });
    assert.deepEqual(history.map((h) => [h.outcome, h.fromFingerprint, h.toFingerprint]), [['partial', a, partial], ['ok', partial, b]]);
  }));

  it('a step that fails after the last one changed the schema the wrong way (a mismatch) resumes after a step is added', (t) => withDb(t, 'mysql', async (db) => {
    await evolveTo(db, v1());
    const [a, b] = [await fp(db), await modelsFingerprint(v2(), 'mysql')];
    const { dir, write } = evolutions(a, b, [ADD_AGE]);
    await assert.rejects(applyEvolution({ db: db.url, models: v2(), evolutions: dir, storedOnly: true }),
      (e: unknown) => isEvolveError(e) && e.code === 'E_EVOLUTION_MISMATCH');
    write([ADD_AGE, ADD_CITY]);
    const r = await applyEvolution({ db: db.url, models: v2(), evolutions: dir, storedOnly: true });
    assert.deepEqual(r.storedApplied.map((s) => [s.resumedAt, s.steps]), [[2, [ADD_CITY.slice(0, -1)]]]);
    assert.equal(await fp(db), b);
  }));

  it('steps that ran but changed nothing the fingerprint sees may be rewritten: the fixed file runs from its start', (t) => withDb(t, 'mysql', async (db) => {
    await evolveTo(db, v1());
    const [a, b] = [await fp(db), await modelsFingerprint(v2(), 'mysql')];
    const { dir, write } = evolutions(a, b, ['SELECT 1;']);
    await assert.rejects(applyEvolution({ db: db.url, models: v2(), evolutions: dir, storedOnly: true }),
      (e: unknown) => isEvolveError(e) && e.code === 'E_EVOLUTION_MISMATCH');
    assert.equal(await fp(db), a);
    write([ADD_AGE, ADD_CITY]);
    const r = await applyEvolution({ db: db.url, models: v2(), evolutions: dir, storedOnly: true });
    assert.deepEqual(r.storedApplied.map((s) => [s.resumedAt, s.steps.length]), [[undefined, 2]]);
    assert.equal(await fp(db), b);
  }));
});

forEachDialect('a stored evolution with a statement that runs only outside a transaction', (d) => {
  if (d !== 'postgres' && d !== 'pglite') return;
  const v3 = (): Table[] => [table('person', { id: integer().primaryKey(), name: varchar(50).notNull(), age: integer() },
    { indexes: [index('person_name_idx').on('name')] })];
  const V3_MODULE = IMPORTS + "export const person = table('person', { id: integer().primaryKey(), name: varchar(50).notNull(), age: integer() },\n" +
    "  { indexes: [index('person_name_idx').on('name')] });\n";
  const BUILD = 'CREATE INDEX CONCURRENTLY person_name_idx ON person (name);';

  it('CREATE INDEX CONCURRENTLY commits on its own; a later failure is recorded as part-way and apply resumes after it', (t) => withDb(t, d, async (db) => {
    await evolveTo(db, v1());
    await db.exec("INSERT INTO person (id, name) VALUES (1, 'ann')");
    const [a, b] = [await fp(db), await modelsFingerprint(v3(), evolveDialect(d))];
    const { dir, write } = evolutions(a, b, [BUILD, BROKEN, ADD_AGE]);
    const models = writeModels(V3_MODULE);
    const first = await evolve(['apply', '--stored-only', '--db', db.url, '--models', models, '--evolutions', dir]);
    assert.equal(first.code, 1);
    assert.match(first.stderr, /E_SQL_FAILED: Step 2 of 3 of evolution '0001-age-and-city\.sql' failed: .*Step 1 committed before it and stays applied/s);
    assert.match(first.stderr, /apply resumes at step 2/);
    assert.deepEqual(await rows(db, "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'person' AND indexname = 'person_name_idx'"),
      [{ indexname: 'person_name_idx' }], 'the concurrent build committed');
    assert.deepEqual(await rows(db, "SELECT count(*) AS n FROM information_schema.columns WHERE table_schema = current_schema() AND column_name = 'age'"), [{ n: '0' }],
      'the steps after it were rolled back');
    const { history } = await deploymentHistory({ db: db.url });
    assert.deepEqual(history.map((h) => [h.name, h.outcome, h.stepsRun]), [['0001-age-and-city.sql', 'partial', 1]]);
    write([BUILD, FIXED.replace('age', 'name').replace('7', "'bob'"), ADD_AGE]);
    const fixed = await evolve(['apply', '--stored-only', '--db', db.url, '--models', models, '--evolutions', dir]);
    assert.equal(fixed.code, 0, fixed.stderr);
    assert.equal(await fp(db), b);
    assert.deepEqual(await rows(db, 'SELECT id, name, age FROM person'), [{ id: '1', name: 'bob', age: null }]);
  }));

  it('a chain holding such a statement runs one evolution at a time and reaches its end', (t) => withDb(t, d, async (db) => {
    await evolveTo(db, v1());
    await db.exec("INSERT INTO person (id, name) VALUES (1, 'ann')");
    const [a, b] = [await fp(db), await modelsFingerprint(v3(), evolveDialect(d))];
    const { dir } = evolutions(a, b, [ADD_AGE, BUILD]);
    const r = await applyEvolution({ db: db.url, models: v3(), evolutions: dir, storedOnly: true });
    assert.equal(r.fingerprintAfter, b);
    assert.equal(await fp(db), b);
  }));
});
