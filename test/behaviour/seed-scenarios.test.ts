/**
 * The Django seed's introspection examples, as a user runs them through the CLI on every
 * dialect: edit the models, preview with `evolve sql`, apply, check the data and that
 * `sql --exit-code` then finds nothing to do.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDialect, withDb } from '../support/harness.js';
import { evolve, writeModels, IMPORTS, runServerCommandsInProcess } from '../support/cli.js';
import { rows } from '../support/evolve.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';

runServerCommandsInProcess(); // its commands run one at a time

/** Preview, apply, and check the preview showed `expect` and that the result is in sync. */
async function step(db: TestDatabase, models: string, expect: RegExp[], extra: string[] = []): Promise<string> {
  const file = writeModels(IMPORTS + models);
  const preview = await evolve(['sql', '--exit-code', '--db', db.url, '--models', file, ...extra]);
  assert.equal(preview.code, 3, `sql --exit-code reports pending changes (stderr: ${preview.stderr})`);
  for (const e of expect) assert.match(preview.stdout, e);
  const applied = await evolve(['apply', '--db', db.url, '--models', file, ...extra]);
  assert.equal(applied.code, 0, applied.stderr);
  assert.match(applied.stdout, /matches the models/);
  const after = await evolve(['sql', '--exit-code', '--db', db.url, '--models', file]);
  assert.equal(after.code, 0, `in sync after apply: ${after.stdout}`);
  return preview.stdout;
}

const poll = (cols: string, opts = '') => `export const poll = table('poll', { id: integer().primaryKey({ autoIncrement: true }), ${cols} }${opts ? ', ' + opts : ''});\n`;

forEachDialect('seed scenarios (CLI)', (d) => {
  it('adding and removing fields', (t) => withDb(t, d, async (db) => {
    await step(db, poll(`question: varchar(200).notNull(), pub_date: timestamp()`), [/CREATE TABLE/]);
    await db.exec("INSERT INTO poll (question) VALUES ('why?')");
    await step(db, poll(`question: varchar(200).notNull(), pub_date: timestamp(), author: varchar(100)`), [/ADD COLUMN?.*author/i]);
    await db.exec("UPDATE poll SET author = 'me'");
    // Removing a field that holds data needs consent.
    const file = writeModels(IMPORTS + poll(`question: varchar(200).notNull(), pub_date: timestamp()`));
    const refused = await evolve(['apply', '--db', db.url, '--models', file]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /E_DATA_LOSS[\s\S]*DROP_COLUMN poll\.author:.*\(1 row\)/);
    const shown = await evolve(['sql', '--db', db.url, '--models', file]);
    assert.match(shown.stdout, /! DROP_COLUMN poll\.author/);
    await step(db, poll(`question: varchar(200).notNull(), pub_date: timestamp()`), [/DROP|author/i], ['--allow-data-loss']);
    assert.deepEqual(await rows(db, 'SELECT question FROM poll'), [{ question: 'why?' }]);
  }));

  it('renaming a field (aka)', (t) => withDb(t, d, async (db) => {
    await step(db, poll(`question: varchar(200).notNull()`), [/CREATE TABLE/]);
    await db.exec("INSERT INTO poll (question) VALUES ('why?')");
    const out = await step(db, poll(`text: varchar(200).notNull().aka('question')`), [/rename via aka: column poll\.question → text/]);
    assert.doesNotMatch(out, /DROP COLUMN/i);
    assert.deepEqual(await rows(db, 'SELECT text FROM poll'), [{ text: 'why?' }]);
    // Several former names: the one found live is used.
    await step(db, poll(`body: varchar(200).notNull().aka('question', 'text')`), [/text → body/]);
    assert.deepEqual(await rows(db, 'SELECT body FROM poll'), [{ body: 'why?' }]);
  }));

  it('changing attributes (length, null, default)', (t) => withDb(t, d, async (db) => {
    await step(db, poll(`question: varchar(200).notNull(), votes: integer()`), [/CREATE TABLE/]);
    await db.exec("INSERT INTO poll (question, votes) VALUES ('why?', 3)");
    await step(db, poll(`question: varchar(300).notNull(), votes: integer()`), [/question/]);
    await step(db, poll(`question: varchar(300), votes: integer().notNull().default(0)`), [/votes/]);
    await db.exec("INSERT INTO poll (question) VALUES ('how?')");
    assert.deepEqual(await rows(db, 'SELECT question, votes FROM poll ORDER BY id'), [{ question: 'why?', votes: '3' }, { question: 'how?', votes: '0' }]);
  }));

  it('adding, removing and renaming tables', (t) => withDb(t, d, async (db) => {
    await step(db, poll(`question: varchar(200).notNull()`), [/CREATE TABLE/]);
    await db.exec("INSERT INTO poll (question) VALUES ('why?')");
    const choice = `export const choice = table('choice', { id: integer().primaryKey({ autoIncrement: true }), label: text() });\n`;
    await step(db, poll(`question: varchar(200).notNull()`) + choice, [/CREATE TABLE.*choice/]);
    const renamed = `export const question = table('question', { id: integer().primaryKey({ autoIncrement: true }), question: varchar(200).notNull() }, { aka: 'poll' });\n`;
    await step(db, renamed + choice, [/rename via aka: table poll → question/]);
    assert.deepEqual(await rows(db, 'SELECT question FROM question'), [{ question: 'why?' }]);
    await step(db, renamed, [/DROP TABLE/i]); // empty table: no consent needed
  }));

  it('skipping versions: v1 straight to v3, as the seed\'s t1:{A} → t2:{B,C} → t2:{A,B}', (t) => withDb(t, d, async (db) => {
    const v1 = `export const t1 = table('t1', { id: integer().primaryKey(), a: text() });\n`;
    const v2 = `export const t2 = table('t2', { id: integer().primaryKey(), b: text(), c: text() }, { aka: 't1' });\n`;
    const v3 = `export const t2 = table('t2', { id: integer().primaryKey(), a: text(), b: text() }, { aka: 't1' });\n`;
    // v1 => v3 directly: rename the table, add B; A and its data stay (no consent needed).
    await step(db, v1, [/CREATE TABLE/]);
    await db.exec("INSERT INTO t1 (id, a) VALUES (1, 'kept')");
    const out = await step(db, v3, [/rename via aka: table t1 → t2/, /ADD (COLUMN )?["`]?b["`]?/i]);
    assert.doesNotMatch(out, /DROP/i);
    assert.deepEqual(await rows(db, 'SELECT id, a, b FROM t2'), [{ id: '1', a: 'kept', b: null }]);
    // v1 => v2 => v3 on a second database: the same end schema, but A was dropped on the way.
    const other = await freshDatabase(d);
    try {
      await step(other, v1, [/CREATE TABLE/]);
      await other.exec("INSERT INTO t1 (id, a) VALUES (1, 'lost')");
      await step(other, v2, [/rename via aka: table t1 → t2/, /DROP_COLUMN t2?1?\.a/], ['--allow-data-loss']);
      await other.exec("UPDATE t2 SET c = 'x'");
      await step(other, v3, [/DROP_COLUMN t2\.c/], ['--allow-data-loss']);
      assert.deepEqual(await rows(other, 'SELECT id, a, b FROM t2'), [{ id: '1', a: null, b: null }]);
      const fp = async (x: TestDatabase): Promise<string> => (await evolve(['fingerprint', '--db', x.url])).stdout.trim();
      assert.equal(await fp(other), await fp(db), 'both ways end at the same schema');
      assert.match(await fp(db), /^fv1:[0-9a-f]{64}$/);
    } finally { await other.dispose(); }
  }));
});
