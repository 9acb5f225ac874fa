/**
 * Recorded reverts on every dialect: `evolve record` writes the way back with the way forward,
 * and `evolve revert` must reach the old fingerprint from what the forward change really left.
 * Each case began as a counterexample of the property test (test/support/property.ts).
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  table, index, integer, bigint, varchar, applyEvolution, recordEvolution, revertEvolutions, fingerprintDatabase, isEvolveError, type Table,
} from '../../src/index.js';
import { forEachDialect, withDb } from '../support/harness.js';
import { evolveTo, rows } from '../support/evolve.js';
import type { TestDatabase } from '../support/databases.js';

const fp = async (db: TestDatabase): Promise<string> => (await fingerprintDatabase(db.url)).fingerprint;

/** Record A → `b` at A, apply it (stored only), and return the directory and the evolution's text. */
async function recordAndApply(db: TestDatabase, b: Table[]): Promise<{ dir: string; text: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'evolve-revert-'));
  const r = await recordEvolution({ db: db.url, models: b, evolutions: dir, allowDataLoss: true }); // these changes drop data on purpose
  assert.ok(r.file, 'something to record');
  await applyEvolution({ db: db.url, models: b, evolutions: dir, storedOnly: true });
  return { dir, text: readFileSync(join(dir, readdirSync(dir).find((n) => /^0001-.*\.sql$/.test(n))!), 'utf8') };
}

forEachDialect('recorded reverts', (d) => {
  it('bring back a dropped NOT NULL column on a table with rows, filled with a placeholder the file names', (t) => withDb(t, d, async (db) => {
    const a = [table('person', { id: integer().primaryKey(), name: varchar(50).notNull(), age: integer().notNull() })];
    await evolveTo(db, a);
    await db.exec("INSERT INTO person (id, name, age) VALUES (1, 'ann', 41)");
    const fpA = await fp(db);
    const { dir, text } = await recordAndApply(db, [table('person', { id: integer().primaryKey() })]);
    assert.match(text, /-- note: person\.name comes back NOT NULL but its values were dropped: every row gets ""/);
    assert.match(text, /-- note: person\.age comes back NOT NULL but its values were dropped: every row gets 0/);
    const back = await revertEvolutions({ db: db.url, evolutions: dir });
    assert.equal(back.fingerprintAfter, fpA);
    assert.equal(await fp(db), fpA, 'no default is left behind');
    assert.deepEqual(await rows(db, 'SELECT id, name, age FROM person'), [{ id: '1', name: '', age: '0' }]);
  }));

  it('name foreign keys and their indexes as the database has them after a renamed table and a type change', (t) => withDb(t, d, async (db) => {
    // MySQL keeps a key's name when its table is renamed or the key is dropped and re-added
    // around a type change, and serves a key whose index is replaced with a stand-in index.
    const parentA = table('parent', { id: integer().primaryKey() });
    const other = table('other', { id: integer().primaryKey() });
    const childA = table('child', {
      id: integer().primaryKey(),
      parent_id: integer().notNull().references(() => parentA.columns.id, { onDelete: 'cascade' }),
      other_id: integer().references(() => other.columns.id, { onDelete: 'set null' }),
    }, { indexes: [index('child_other_id_idx').on('other_id')] });
    await evolveTo(db, [parentA, other, childA]);
    await db.exec('INSERT INTO parent (id) VALUES (1)');
    await db.exec('INSERT INTO other (id) VALUES (2)');
    await db.exec('INSERT INTO child (id, parent_id, other_id) VALUES (1, 1, 2)');
    const fpA = await fp(db);
    const parentB = table('parent', { id: bigint().primaryKey() });
    const kid = table('kid', {
      id: integer().primaryKey(),
      parent_id: bigint().notNull().references(() => parentB.columns.id, { onDelete: 'cascade' }),
      other_id: integer().references(() => other.columns.id, { onDelete: 'set null' }),
    }, { aka: ['child'], indexes: [index('kid_other_id_idx').on('other_id')] });
    const { dir } = await recordAndApply(db, [parentB, other, kid]);
    assert.deepEqual(await rows(db, 'SELECT id, parent_id, other_id FROM kid'), [{ id: '1', parent_id: '1', other_id: '2' }]);
    const back = await revertEvolutions({ db: db.url, evolutions: dir });
    assert.equal(back.fingerprintAfter, fpA);
    assert.equal(await fp(db), fpA);
    assert.deepEqual(await rows(db, 'SELECT id, parent_id, other_id FROM child'), [{ id: '1', parent_id: '1', other_id: '2' }]);
  }));

  it('refuse to re-add a foreign key to a table the evolution dropped while rows still reference it, and the file says so', (t) => withDb(t, d, async (db) => {
    const parent = table('parent', { id: integer().primaryKey() });
    const child = table('child', { id: integer().primaryKey(), parent_id: integer().references(() => parent.columns.id, { onDelete: 'set null' }) });
    await evolveTo(db, [parent, child]);
    await db.exec('INSERT INTO parent (id) VALUES (7)');
    await db.exec('INSERT INTO child (id, parent_id) VALUES (1, 7)');
    const { dir, text } = await recordAndApply(db, [table('child', { id: integer().primaryKey(), parent_id: integer() })]);
    assert.match(text, /-- note: child\(parent_id\) references parent, which comes back empty .*the revert fails while child\.parent_id hold values/);
    const fpB = await fp(db);
    await assert.rejects(revertEvolutions({ db: db.url, evolutions: dir }),
      (e: unknown) => isEvolveError(e) && ['E_FOREIGN_KEY_VIOLATION', 'E_SQL_FAILED'].includes(e.code) && /foreign key/i.test(e.message));
    if (d !== 'mysql') assert.equal(await fp(db), fpB, 'rolled back: the database is as it was');
    assert.deepEqual(await rows(db, 'SELECT id, parent_id FROM child'), [{ id: '1', parent_id: '7' }], 'the reference is not changed without consent');
    // Once the reference is cleared, the same revert goes through.
    if (d === 'mysql') return; // MySQL kept the statements before the failing one: the database is between states
    await db.exec('UPDATE child SET parent_id = NULL');
    await revertEvolutions({ db: db.url, evolutions: dir });
  }));
});
