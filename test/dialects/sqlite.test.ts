/** SQLite-only behaviour: table rebuilds done right (B6). */
import { it, describe } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evolve } from '../support/cli.js';
import { createRequire } from 'node:module';
import { table, index, integer, bigint, text, varchar, planEvolution, fingerprintDatabase, applyEvolution, inspect, splitSql, isEvolveError } from '../../src/index.js';
import { freshDatabase } from '../support/databases.js';
import { evolveTo, rows } from '../support/evolve.js';

const require = createRequire(import.meta.url);

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
    const indexed = (nameType: 'text' | 'varchar') => table('parent', { ...parent(nameType).builders }, { indexes: [index('parent_name_idx').on('name'), index('parent_name_id_uq').on('name', 'id').unique()] });
    const kid = table('child', { id: integer().primaryKey(), parent_id: integer().notNull().references(() => indexed('text').columns.id, { onDelete: 'cascade' }) });
    try {
      await evolveTo(db, [indexed('text'), kid]);
      await db.exec("INSERT INTO parent (name) VALUES ('a'), ('b'), ('c'); DELETE FROM parent WHERE id = 3; INSERT INTO child (id, parent_id) VALUES (1, 2); CREATE VIEW parent_names AS SELECT name FROM parent;");
      const plan = await planEvolution({ db: db.url, models: [indexed('varchar'), kid] });
      assert.ok(plan.statements.some((s) => /DROP TABLE "parent"/.test(s.sql)), 'the change needs a rebuild');
      await evolveTo(db, [indexed('varchar'), kid]);
      await db.exec("INSERT INTO parent (name) VALUES ('d')");
      assert.deepEqual((await rows(db, 'SELECT id FROM parent ORDER BY id')).map((r) => r.id), ['1', '2', '4'], 'ids are never reused');
      assert.deepEqual((await rows(db, 'SELECT name FROM parent_names ORDER BY name')).map((r) => r.name), ['a', 'b', 'd']);
      const conn = new Database(db.url.slice('sqlite:'.length));
      try {
        assert.deepEqual(conn.prepare("SELECT name FROM sqlite_schema WHERE name LIKE '_evolve%'").all(), [], 'no temporary table left');
        // Indexes restored on the rebuilt table, with their columns and uniqueness.
        const idx = conn.prepare("SELECT name, \"unique\" AS u FROM pragma_index_list('parent') WHERE origin = 'c' ORDER BY name").all();
        assert.deepEqual(idx, [{ name: 'parent_name_id_uq', u: 1 }, { name: 'parent_name_idx', u: 0 }]);
        assert.deepEqual(conn.prepare("SELECT name FROM pragma_index_info('parent_name_id_uq') ORDER BY seqno").all(), [{ name: 'name' }, { name: 'id' }]);
        // Foreign keys: the child still references the rebuilt table (by its final name), no
        // child row was cascaded away, and enforcement works once a connection turns it on.
        assert.deepEqual(conn.prepare("SELECT \"table\" AS t, on_delete FROM pragma_foreign_key_list('child')").all(), [{ t: 'parent', on_delete: 'CASCADE' }]);
        assert.deepEqual(conn.prepare('SELECT id, parent_id FROM child').all(), [{ id: 1, parent_id: 2 }]);
        assert.deepEqual(conn.prepare('PRAGMA foreign_key_check').all(), []);
        conn.pragma('foreign_keys = ON');
        assert.throws(() => conn.prepare('INSERT INTO child (id, parent_id) VALUES (2, 99)').run(), /FOREIGN KEY constraint failed/);
        conn.prepare('DELETE FROM parent WHERE id = 2').run();
        assert.deepEqual(conn.prepare('SELECT count(*) AS n FROM child').all(), [{ n: 0 }], 'ON DELETE CASCADE still acts');
      } finally { conn.close(); }
    } finally { await db.dispose(); }
  });

  it('a failed rebuild leaves the file as it was', async () => {
    const db = await freshDatabase('sqlite');
    const path = db.url.slice('sqlite:'.length);
    try {
      await evolveTo(db, [table('parent', { id: integer().primaryKey({ autoIncrement: true }), code: text() })]);
      await db.exec("INSERT INTO parent (code) VALUES ('1'), ('1.0')");
      // Distinct as text, equal as integers: the gate finds no duplicates, so the rebuild really
      // runs (text → integer needs one) and fails mid-way, copying the rows under the new UNIQUE.
      const v2 = [table('parent', { id: integer().primaryKey({ autoIncrement: true }), code: integer().unique() })];
      const plan = await planEvolution({ db: db.url, models: v2 });
      assert.ok(plan.statements.some((s) => /DROP TABLE "parent"/.test(s.sql)), 'the change needs a rebuild');
      const before = readFileSync(path);
      await assert.rejects(applyEvolution({ db: db.url, models: v2, allowDataLoss: true }),
        (e: unknown) => isEvolveError(e) && e.code === 'E_SQL_FAILED' && /Statement [2-9] of \d+ failed: UNIQUE constraint failed/.test(e.message) && /rolled back/.test(e.message));
      assert.deepEqual(readFileSync(path), before, 'the file is byte for byte as it was');
      assert.deepEqual(await rows(db, 'SELECT id, code FROM parent ORDER BY id'), [{ id: '1', code: '1' }, { id: '2', code: '1.0' }]);
      const conn = new Database(path);
      try { assert.deepEqual(conn.prepare("SELECT name FROM sqlite_schema WHERE name LIKE '_evolve%'").all(), [], 'no temporary table left'); } finally { conn.close(); }
    } finally { await db.dispose(); }
  });
});

describe('SQLite renames under a rebuild', () => {
  // Regression (CI, chinook fixture): a referenced column renamed in a table that is also
  // rebuilt left the other table's foreign key pointing at the old name ("foreign key mismatch").
  it('a renamed referenced column keeps the referencing foreign keys right when its table is rebuilt', async () => {
    const db = await freshDatabase('sqlite');
    try {
      const p1 = table('parent', { id: integer().primaryKey(), name: text().notNull() });
      const c1 = table('child', { id: integer().primaryKey(), parent_id: integer().notNull().references(() => p1.columns.id) });
      await evolveTo(db, [p1, c1]);
      await db.exec("INSERT INTO parent (id, name) VALUES (1, 'a'); INSERT INTO child (id, parent_id) VALUES (1, 1);");
      const p2 = table('parent', { pid: integer().primaryKey().aka('id'), name: varchar(20).notNull() }); // rename + a rebuild
      const c2 = table('child', { id: integer().primaryKey(), parent_id: integer().notNull().references(() => p2.columns.pid) });
      const plan = await planEvolution({ db: db.url, models: [p2, c2] });
      assert.ok(plan.statements.some((s) => /DROP TABLE "parent"/.test(s.sql)), 'the parent is rebuilt');
      const rename = plan.statements.findIndex((s) => /RENAME COLUMN "id" TO "pid"/.test(s.sql));
      assert.ok(rename >= 0 && rename < plan.statements.findIndex((s) => /DROP TABLE "parent"/.test(s.sql)), 'renamed in place before the rebuild');
      await evolveTo(db, [p2, c2]);
      assert.deepEqual(await db.query('PRAGMA foreign_key_check'), []);
      assert.deepEqual((await db.query("SELECT \"to\" AS t FROM pragma_foreign_key_list('child')")).map((r) => r.t), ['pid']);
      assert.deepEqual(await rows(db, 'SELECT c.id, p.name FROM child c JOIN parent p ON p.pid = c.parent_id'), [{ id: '1', name: 'a' }]);
    } finally { await db.dispose(); }
  });
});

describe('SQLite after a killed writer', () => {
  // Regression (CI, crash test): a deployer killed while SQLite had written pages of an open
  // transaction leaves a hot journal; a read-only open then failed with SQLITE_READONLY_ROLLBACK.
  it('a hot journal is rolled back, and read-only commands see the last committed schema', async () => {
    const db = await freshDatabase('sqlite');
    try {
      await evolveTo(db, [parent()]);
      const before = (await fingerprintDatabase(db.url)).fingerprint;
      const file = db.url.replace(/^sqlite:/, '');
      const writer = `const D = require(${JSON.stringify(require.resolve('better-sqlite3'))});
        const db = new D(${JSON.stringify(file)}); db.pragma('cache_size = 5');
        db.exec("BEGIN; CREATE TABLE junk (x); INSERT INTO junk WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000) SELECT x FROM c;");
        process.kill(process.pid, 'SIGKILL');`;
      spawnSync(process.execPath, ['-e', writer]);
      assert.ok(existsSync(`${file}-journal`), 'the killed writer left a journal behind');
      const ro = new Database(file, { readonly: true });
      assert.throws(() => ro.prepare('SELECT count(*) FROM sqlite_schema').get(), /readonly/, 'the journal is hot: a plain read-only open fails');
      ro.close();
      assert.equal((await fingerprintDatabase(db.url)).fingerprint, before);
      assert.deepEqual(await db.query("SELECT name FROM sqlite_schema WHERE name = 'junk'"), []);
    } finally { await db.dispose(); }
  });
});

describe('SQLite objects beyond tables', () => {
  const BASE = `CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL NOT NULL DEFAULT 0, CHECK (price >= 0));
CREATE TABLE log (id INTEGER PRIMARY KEY, what TEXT);`;
  const variants: Record<string, string> = {
    'a CHECK constraint': 'CREATE TABLE extra (x INTEGER CHECK (x > 0))',
    'a generated column': 'CREATE TABLE extra (x INTEGER, y INTEGER GENERATED ALWAYS AS (x * 2) STORED)',
    'a STRICT table': 'CREATE TABLE extra (x INTEGER) STRICT',
    'a WITHOUT ROWID table': 'CREATE TABLE extra (x INTEGER PRIMARY KEY) WITHOUT ROWID',
    'a view': 'CREATE VIEW extra AS SELECT name FROM item',
    'a trigger': "CREATE TRIGGER extra AFTER INSERT ON item BEGIN INSERT INTO log (what) VALUES ('new ' || NEW.name); END",
    'an expression index': 'CREATE INDEX extra ON item (lower(name))',
    'a partial index': 'CREATE INDEX extra ON item (price) WHERE price > 10',
  };
  for (const [what, sql] of Object.entries(variants)) {
    it(`${what}: introspected, fingerprinted, created by apply with no diff left, and dropped`, async () => {
      const base = await freshDatabase('sqlite');
      const withIt = await freshDatabase('sqlite');
      try {
        for (const s of splitSql(BASE)) await base.exec(s);
        for (const s of splitSql(`${BASE};\n${sql}`)) await withIt.exec(s);
        const a = (await fingerprintDatabase(base.url)).fingerprint;
        const b = (await fingerprintDatabase(withIt.url)).fingerprint;
        assert.notEqual(a, b, `${what} is part of the fingerprint`);
        // Created by apply from a SQL file, then dropped by apply from the base file.
        const file = join(mkdtempSync(join(tmpdir(), 'evolve-obj-')), 'schema.sql');
        writeFileSync(file, `${BASE};\n${sql};\n`);
        await applyEvolution({ db: base.url, models: file });
        assert.equal((await fingerprintDatabase(base.url)).fingerprint, b);
        assert.deepEqual((await planEvolution({ db: base.url, models: file })).statements, [], 'no false diff');
        writeFileSync(file, `${BASE};\n`);
        await applyEvolution({ db: base.url, models: file, allowDataLoss: true });
        assert.equal((await fingerprintDatabase(base.url)).fingerprint, a);
      } finally { await base.dispose(); await withIt.dispose(); }
    });
  }

  it('a trigger survives a rebuild of its table, and a view is recreated when a column it reads is renamed', async () => {
    const db = await freshDatabase('sqlite');
    try {
      const v1 = `${BASE};
CREATE TRIGGER item_log AFTER INSERT ON item BEGIN INSERT INTO log (what) VALUES (NEW.name); END;
CREATE VIEW cheap AS SELECT name FROM item WHERE price < 5;`;
      for (const s of splitSql(v1)) await db.exec(s);
      await db.exec("INSERT INTO item (name, price) VALUES ('pen', 1), ('book', 12)");
      const file = join(mkdtempSync(join(tmpdir(), 'evolve-obj-')), 'schema.sql');
      // price becomes NOT NULL DEFAULT 1 with a new check (a rebuild), name is renamed (the view must follow).
      writeFileSync(file, `CREATE TABLE item (id INTEGER PRIMARY KEY,
  title TEXT NOT NULL, -- evolve:aka name
  price REAL NOT NULL DEFAULT 1, CHECK (price >= 0), CHECK (price < 1000));
CREATE TABLE log (id INTEGER PRIMARY KEY, what TEXT);
CREATE TRIGGER item_log AFTER INSERT ON item BEGIN INSERT INTO log (what) VALUES (NEW.title); END;
CREATE VIEW cheap AS SELECT title FROM item WHERE price < 5;`);
      const plan = await planEvolution({ db: db.url, models: file });
      assert.ok(plan.statements.some((s) => /DROP TABLE "item"/.test(s.sql)), 'the table is rebuilt');
      await applyEvolution({ db: db.url, models: file });
      assert.deepEqual(await rows(db, 'SELECT title FROM cheap'), [{ title: 'pen' }]);
      await db.exec("INSERT INTO item (title, price) VALUES ('ink', 2)");
      assert.deepEqual(await rows(db, 'SELECT what FROM log ORDER BY id'), [{ what: 'pen' }, { what: 'book' }, { what: 'ink' }], 'the trigger fires after the rebuild');
      assert.deepEqual((await planEvolution({ db: db.url, models: file })).statements, []);
    } finally { await db.dispose(); }
  });

  it('a CHECK that existing rows break is refused before anything changes', async () => {
    const db = await freshDatabase('sqlite');
    try {
      for (const s of splitSql(BASE)) await db.exec(s);
      await db.exec("INSERT INTO item (name, price) VALUES ('gold', 5000)");
      const file = join(mkdtempSync(join(tmpdir(), 'evolve-obj-')), 'schema.sql');
      writeFileSync(file, BASE.replace('CHECK (price >= 0)', 'CHECK (price >= 0), CHECK (price < 1000)'));
      const plan = await planEvolution({ db: db.url, models: file });
      assert.deepEqual(plan.blocking.map((h) => [h.code, h.rows]), [['CHECK_VIOLATED', 1]]);
      const before = (await fingerprintDatabase(db.url)).fingerprint;
      await assert.rejects(applyEvolution({ db: db.url, models: file }), /CHECK_VIOLATED|check/i);
      assert.equal((await fingerprintDatabase(db.url)).fingerprint, before);
    } finally { await db.dispose(); }
  });

  it('virtual tables and their shadow tables are reported as not managed, never diffed', async () => {
    const db = await freshDatabase('sqlite');
    try {
      for (const s of splitSql(BASE)) await db.exec(s);
      await db.exec('CREATE VIRTUAL TABLE search USING fts5(body)');
      const schema = await inspect(db.url);
      assert.deepEqual(schema.unmanaged, [{ kind: 'virtual table', name: 'search' }]);
      assert.ok(!schema.tables.some((t) => t.name.startsWith('search')), 'no shadow table is managed');
      const file = join(mkdtempSync(join(tmpdir(), 'evolve-obj-')), 'schema.sql');
      writeFileSync(file, BASE);
      const plan = await planEvolution({ db: db.url, models: file });
      assert.deepEqual(plan.statements, []);
      assert.deepEqual(plan.unmanaged, ['virtual table search']);
      const cli = await evolve(['fingerprint', '--db', db.url]);
      assert.match(cli.stderr, /not managed: virtual table search/);
    } finally { await db.dispose(); }
  });
});

describe('SQLite introspection, row by row', () => {
  const SCHEMA = `
    CREATE TABLE a_parent (id INTEGER PRIMARY KEY, code TEXT COLLATE NOCASE UNIQUE, n INTEGER) STRICT;
    CREATE TABLE b_child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES z_late, other_id INTEGER REFERENCES a_parent (id) ON DELETE CASCADE);
    CREATE TABLE z_late (k1 TEXT, k2 TEXT, PRIMARY KEY (k2, k1)) WITHOUT ROWID;
    CREATE TABLE c_plain (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT NOT NULL DEFAULT 'x', w REAL);
    CREATE INDEX c_plain_v ON c_plain (v);
    CREATE INDEX c_plain_partial ON c_plain (w) WHERE w > 0;
    CREATE INDEX c_plain_expr ON c_plain (lower(v));
    CREATE INDEX c_plain_desc ON c_plain (w DESC);
    CREATE VIEW v_parent AS SELECT id, code FROM a_parent;
    CREATE TRIGGER t_parent AFTER INSERT ON a_parent BEGIN UPDATE a_parent SET n = 1 WHERE id = NEW.id; END;
    CREATE VIRTUAL TABLE docs USING fts5(body);
  `;

  it('builds each table as its catalog row comes, and what needs the whole catalog after: the same schema as reading every row first', async () => {
    const { sqliteDialect } = await import('../../src/dialects/sqlite/index.js');
    const { parseDatabaseUrl } = await import('../../src/index.js');
    const dir = mkdtempSync(join(tmpdir(), 'evolve-sqlite-rows-'));
    const file = join(dir, 'app.db');
    const raw = new Database(file);
    raw.exec(SCHEMA);
    raw.close();
    const conn = await sqliteDialect.connect(parseDatabaseUrl(`sqlite:${file}`), { readOnly: true });
    try {
      const stepped = await sqliteDialect.introspect(conn);
      const whole = await sqliteDialect.introspect({ ...conn, eachRow: undefined } as typeof conn);
      assert.deepEqual(stepped, whole);
      assert.deepEqual(stepped.tables.map((t) => t.name), ['a_parent', 'b_child', 'c_plain', 'z_late'], 'in name order, the virtual table and its shadows left out');
      const child = stepped.tables.find((t) => t.name === 'b_child')!;
      assert.deepEqual(child.foreignKeys.map((f) => [f.refTable, f.refColumns]), [['a_parent', ['id']], ['z_late', ['k2', 'k1']]],
        'a reference without columns gets the primary key of a table read after it');
      const plain = stepped.tables.find((t) => t.name === 'c_plain')!;
      assert.deepEqual(plain.indexes.map((i) => [i.name, i.where]), [['c_plain_partial', 'w > 0'], ['c_plain_v', null]]);
      assert.deepEqual((stepped.objects ?? []).map((o) => `${o.kind}:${o.name}`).sort(),
        ['index:c_plain_desc', 'index:c_plain_expr', 'trigger:t_parent', 'view:v_parent'].sort());
      assert.ok((stepped.unmanaged ?? []).some((u) => u.name === 'docs'), 'the virtual table is listed as not managed');
      // A reader that throws lets the statement go: the connection answers the next query.
      await assert.rejects(conn.eachRow!('SELECT name FROM sqlite_schema', [], () => { throw new Error('stop'); }), /stop/);
      assert.ok((await conn.query('SELECT count(*) AS n FROM sqlite_schema'))[0]!.n as number > 0);
    } finally {
      await conn.close();
    }
  });
});
