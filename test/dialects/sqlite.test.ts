/** SQLite-only behaviour: table rebuilds done right (B6). */
import { it, describe } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { table, integer, bigint, text, varchar, planEvolution } from '../../src/index.js';
import { freshDatabase } from '../support/databases.js';
import { evolveTo, rows } from '../support/evolve.js';

const parent = (nameType: 'text' | 'varchar' = 'text') => table('parent', {
  id: integer().primaryKey({ autoIncrement: true }),
  name: nameType === 'text' ? text().notNull() : varchar(50).notNull(),
});
const child = table('child', {
  id: integer().primaryKey(),
  parent_id: integer().notNull().references(() => parent().columns.id, { onDelete: 'cascade' }),
});

describe('SQLite table rebuilds', () => {
  it('rebuilding a referenced table deletes no child row (no cascade) and passes foreign_key_check', async () => {
    const db = await freshDatabase('sqlite');
    try {
      await evolveTo(db, [parent(), child]);
      await db.exec("PRAGMA foreign_keys = ON; INSERT INTO parent (name) VALUES ('a'), ('b'); INSERT INTO child (id, parent_id) VALUES (1, 1), (2, 1), (3, 2);");
      const plan = await planEvolution({ db: db.url, models: [parent('varchar'), child] });
      assert.ok(plan.statements.some((s) => /DROP TABLE "parent"/.test(s.sql)), 'the change needs a rebuild');
      await evolveTo(db, [parent('varchar'), child]);
      assert.deepEqual(await rows(db, 'SELECT id, parent_id FROM child ORDER BY id'), [{ id: '1', parent_id: '1' }, { id: '2', parent_id: '1' }, { id: '3', parent_id: '2' }]);
      assert.deepEqual(await db.query('PRAGMA foreign_key_check'), []);
    } finally { await db.dispose(); }
  });

  it('rebuilding a referencing table keeps its foreign keys and rows', async () => {
    const db = await freshDatabase('sqlite');
    try {
      await evolveTo(db, [parent(), child]);
      await db.exec("INSERT INTO parent (name) VALUES ('a'); INSERT INTO child (id, parent_id) VALUES (1, 1);");
      const child2 = table('child', { id: integer().primaryKey(), parent_id: bigint().notNull().references(() => parent().columns.id, { onDelete: 'cascade' }) });
      await evolveTo(db, [parent(), child2]);
      assert.deepEqual(await rows(db, 'SELECT id, parent_id FROM child'), [{ id: '1', parent_id: '1' }]);
      const fk = await db.query("SELECT * FROM pragma_foreign_key_list('child')");
      assert.equal(fk[0]!.on_delete, 'CASCADE');
    } finally { await db.dispose(); }
  });

  it('keeps the AUTOINCREMENT counter, indexes, views, and the foreign_keys setting', async () => {
    const db = await freshDatabase('sqlite');
    try {
      await evolveTo(db, [parent()]);
      await db.exec("INSERT INTO parent (name) VALUES ('a'), ('b'), ('c'); DELETE FROM parent WHERE id = 3; CREATE VIEW parent_names AS SELECT name FROM parent;");
      await evolveTo(db, [parent('varchar')]);
      await db.exec("INSERT INTO parent (name) VALUES ('d')");
      assert.deepEqual((await rows(db, 'SELECT id FROM parent ORDER BY id')).map((r) => r.id), ['1', '2', '4'], 'ids are never reused');
      assert.deepEqual((await rows(db, 'SELECT name FROM parent_names ORDER BY name')).map((r) => r.name), ['a', 'b', 'd']);
      const conn = new Database(db.url.slice('sqlite:'.length));
      try {
        assert.deepEqual(conn.prepare("SELECT name FROM sqlite_schema WHERE name LIKE '_evolve%'").all(), [], 'no temporary table left');
      } finally { conn.close(); }
    } finally { await db.dispose(); }
  });

  it('a failed rebuild leaves the file as it was', async () => {
    const db = await freshDatabase('sqlite');
    try {
      await evolveTo(db, [parent()]);
      await db.exec("INSERT INTO parent (name) VALUES ('a'), ('a')");
      const uniq = table('parent', { id: integer().primaryKey({ autoIncrement: true }), name: text().notNull() }, { unique: [['name']] });
      await assert.rejects(evolveTo(db, [uniq]), /UNIQUE_WITH_DUPLICATES/);
      assert.deepEqual(await rows(db, 'SELECT count(*) AS n FROM parent'), [{ n: '2' }]);
    } finally { await db.dispose(); }
  });
});
