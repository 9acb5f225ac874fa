/**
 * SQL files as the desired state (B13) and `evolve diff` between any two sources (B14), on
 * every dialect: parsed by the database itself in a scratch schema/database that is always
 * dropped; aka in SQL comments; round trips.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { splitSql } from '../../src/index.js';
import { scratchName, SCRATCH_STALE_MS } from '../../src/database/sources.js';
import { forEachDialect, withDb } from '../support/harness.js';
import { rows } from '../support/evolve.js';
import { freshDatabase, PG_URL, MYSQL_URL, type TestDatabase } from '../support/databases.js';
import { evolve, writeModels, IMPORTS, runServerCommandsInProcess } from '../support/cli.js';

runServerCommandsInProcess(); // its commands run one at a time

const V1 = `-- A small library, written by hand.
CREATE TABLE author (
  id integer NOT NULL PRIMARY KEY,
  name varchar(80) NOT NULL UNIQUE
);
CREATE TABLE book (
  id integer NOT NULL PRIMARY KEY,
  title varchar(200) NOT NULL, -- the title; a comment with ; inside
  author_id integer,
  FOREIGN KEY (author_id) REFERENCES author (id) ON DELETE CASCADE
);
CREATE INDEX book_title_idx ON book (title);
`;
const V2 = V1.replace('  title varchar(200) NOT NULL, -- the title; a comment with ; inside', '  heading varchar(200) NOT NULL, -- evolve:aka title')
  .replace('ON book (title)', 'ON book (heading)')
  .replace('CREATE TABLE author (', 'CREATE TABLE writer ( -- evolve:aka author')
  .replace('REFERENCES author (id)', 'REFERENCES writer (id)');

function file(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'evolve-sql-')), 'schema.sql');
  writeFileSync(path, text);
  return path;
}

/**
 * Scratch schemas/databases left behind. Other test files running at the same time make
 * short-lived scratches of their own, so a leak is one that never goes away: poll until none
 * is left (a leaked one keeps the count above zero until the deadline).
 */
async function leftovers(db: TestDatabase): Promise<number> {
  let n = await scratchCount(db);
  for (const deadline = Date.now() + 60_000; n > 0 && Date.now() < deadline; n = await scratchCount(db)) await new Promise((r) => setTimeout(r, 200));
  return n;
}

async function scratchCount(db: TestDatabase): Promise<number> {
  if (db.dialect === 'postgres') {
    return Number((await db.query("SELECT (SELECT count(*) FROM pg_database WHERE datname LIKE '\\_evolve\\_scratch%') + " +
      "(SELECT count(*) FROM pg_roles WHERE rolname LIKE '\\_evolve\\_scratch%') AS n"))[0]!.n);
  }
  if (db.dialect === 'mysql') return Number((await db.query("SELECT count(*) AS n FROM information_schema.schemata WHERE schema_name LIKE '\\_evolve\\_scratch%'"))[0]!.n);
  return 0;
}

forEachDialect('SQL files and evolve diff', (d) => {
  it('apply --models schema.sql gives the fingerprint of loading the file; diff is then empty', (t) => withDb(t, d, async (db) => {
    const v1 = file(V1);
    const r = await evolve(['apply', '--db', db.url, '--models', v1]);
    assert.equal(r.code, 0, r.stderr);
    const viaEvolve = (await evolve(['fingerprint', '--db', db.url])).stdout.trim();
    const direct = await freshDatabase(d);
    try {
      for (const s of splitSql(V1)) await direct.exec(s);
      assert.equal((await evolve(['fingerprint', '--db', direct.url])).stdout.trim(), viaEvolve, 'same fingerprint as loading the file');
      const empty = await evolve(['diff', '--exit-code', direct.url, v1]);
      assert.equal(empty.code, 0, empty.stdout + empty.stderr);
      assert.match(empty.stdout, /no differences/);
    } finally { await direct.dispose(); }
    assert.equal(Number(await leftovers(db)), 0, 'scratch schemas are dropped');
  }));

  it('evolves to a later SQL file, renames through -- evolve:aka, keeps data', (t) => withDb(t, d, async (db) => {
    assert.equal((await evolve(['apply', '--db', db.url, '--models', file(V1)])).code, 0);
    await db.exec("INSERT INTO author (id, name) VALUES (1, 'Le Guin')");
    await db.exec("INSERT INTO book (id, title, author_id) VALUES (1, 'Earthsea', 1)");
    const v2 = file(V2);
    const preview = await evolve(['diff', db.url, v2]);
    assert.match(preview.stdout, /rename via aka: table author → writer/);
    assert.match(preview.stdout, /rename via aka: column book\.title → heading/);
    const r = await evolve(['apply', '--db', db.url, '--models', v2]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await rows(db, 'SELECT b.heading, w.name FROM book b JOIN writer w ON w.id = b.author_id'), [{ heading: 'Earthsea', name: 'Le Guin' }]);
    assert.equal((await evolve(['sql', '--exit-code', '--db', db.url, '--models', v2])).code, 0);
  }));

  it('diff between a models module, a SQL file and a database', (t) => withDb(t, d, async (db) => {
    const models = writeModels(IMPORTS + `export const author = table('author', { id: integer().primaryKey(), name: varchar(80).notNull().unique() });\n`);
    assert.equal((await evolve(['apply', '--db', db.url, '--models', models])).code, 0);
    const sameAsDb = await evolve(['diff', '--exit-code', db.url, models]);
    assert.equal(sameAsDb.code, 0, sameAsDb.stdout + sameAsDb.stderr);
    const toFile = await evolve(['diff', '--json', db.url, file(V1)]);
    assert.equal(toFile.code, 0, toFile.stderr);
    const doc = JSON.parse(toFile.stdout) as { changes: { kind: string }[]; statements: { sql: string }[] };
    assert.deepEqual(doc.changes.map((c) => c.kind).filter((k) => k !== 'addForeignKey'), ['createTable']);
    // Two files, no database: parsed in a scratch database of the dialect.
    const scratch = d === 'mysql' ? ['--scratch', MYSQL_URL] : d === 'postgres' ? ['--scratch', PG_URL] : [];
    const dialect = d === 'pglite' ? 'postgres' : d;
    const files = await evolve(['diff', '--dialect', dialect, ...scratch, file(V1), file(V2)]);
    assert.equal(files.code, 0, files.stderr);
    assert.match(files.stdout, /RENAME/i);
    assert.equal(Number(await leftovers(db)), 0);
  }));

  it('what a SQL file holds that Evolve does not manage is reported, not silently skipped', (t) => withDb(t, d, async (db) => {
    // Each dialect's own unmanaged things: never created by apply, so each is named.
    const extra = d === 'sqlite' ? ['CREATE VIRTUAL TABLE search USING fts5(body);']
      : d === 'mysql' ? ['CREATE PROCEDURE touch_author() BEGIN UPDATE author SET name = name; END;']
      : ['ALTER TABLE author ENABLE ROW LEVEL SECURITY;', 'CREATE POLICY author_all ON author USING (true);'];
    const expected = d === 'sqlite' ? ['virtual table search'] : d === 'mysql' ? ['procedure touch_author']
      : ['row level security enabled on table author', 'policy author_all on table author'];
    const path = file(V1 + extra.join('\n') + '\n');
    const plan = await evolve(['sql', '--json', '--db', db.url, '--models', path]);
    assert.equal(plan.code, 0, plan.stderr);
    const unmanaged = (JSON.parse(plan.stdout) as { unmanaged: string[] }).unmanaged;
    for (const u of expected) assert.ok(unmanaged.includes(`${u} (in the SQL file; Evolve does not create it)`), `${u} in ${JSON.stringify(unmanaged)}`);
    const r = await evolve(['apply', '--db', db.url, '--models', path]);
    assert.equal(r.code, 0, r.stderr);
    for (const u of expected) assert.ok(r.stderr.includes(`not managed: ${u} (in the SQL file; Evolve does not create it)`), r.stderr);
    assert.match(r.stdout, /matches the models \(in what Evolve manages/);
  }));

  it('a column default or nullability change leaves the views, triggers and special indexes reading the table alone', (t) => withDb(t, d, async (db) => {
    const v1 = d === 'sqlite'
      ? `CREATE TABLE doc (id integer PRIMARY KEY, body text NOT NULL DEFAULT 'x', n integer DEFAULT 1);
CREATE INDEX doc_lower ON doc (lower(body));
CREATE VIEW doc_v AS SELECT id, body FROM doc;
CREATE TRIGGER doc_t AFTER INSERT ON doc BEGIN UPDATE doc SET n = 2 WHERE id = NEW.id; END;`
      : d === 'mysql'
        ? `CREATE TABLE doc (id integer PRIMARY KEY, body varchar(200) NOT NULL DEFAULT 'x', n integer DEFAULT 1, FULLTEXT KEY doc_fts (body));
CREATE VIEW doc_v AS SELECT id, body FROM doc;
CREATE TRIGGER doc_t BEFORE INSERT ON doc FOR EACH ROW SET NEW.n = 2;`
        : `CREATE TABLE doc (id integer PRIMARY KEY, body text NOT NULL DEFAULT 'x', n integer DEFAULT 1);
CREATE INDEX doc_fts ON doc USING gin (to_tsvector('english', body));
CREATE INDEX doc_lower ON doc (lower(body));
CREATE VIEW doc_v AS SELECT id, body FROM doc;
COMMENT ON TABLE doc IS 'documents';`;
    assert.equal((await evolve(['apply', '--db', db.url, '--models', file(v1)])).code, 0);
    const v2 = v1.replace(`DEFAULT 'x'`, `DEFAULT 'y'`).replace('n integer DEFAULT 1', 'n integer NOT NULL DEFAULT 3');
    const plan = await evolve(['sql', '--json', '--db', db.url, '--models', file(v2)]);
    assert.equal(plan.code, 0, plan.stderr);
    const kinds = (JSON.parse(plan.stdout) as { changes: { kind: string }[] }).changes.map((c) => c.kind);
    assert.ok(kinds.includes('alterColumn'), kinds.join());
    // SQLite cannot alter a column: it rebuilds the table, which takes its triggers with it.
    if (d === 'sqlite') assert.ok(kinds.includes('createObject'), kinds.join());
    else assert.deepEqual(kinds.filter((k) => k !== 'alterColumn'), [], 'no object dropped or recreated');
    const r = await evolve(['apply', '--db', db.url, '--models', file(v2)]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await evolve(['sql', '--exit-code', '--db', db.url, '--models', file(v2)])).code, 0);
  }));

  it('models that drop a table drop the views reading it (transitively); evolve diff DB models.ts keeps what sql/apply keep', (t) => withDb(t, d, async (db) => {
    const pet = `export const pet = table('pet', { id: integer().primaryKey(), name: varchar(50) });\n`;
    const both = writeModels(IMPORTS + pet + `export const person = table('person', { id: integer().primaryKey(), name: varchar(50) });\n`);
    const onlyPet = writeModels(IMPORTS + pet);
    assert.equal((await evolve(['apply', '--db', db.url, '--models', both])).code, 0);
    const objects = [
      'CREATE VIEW person_v AS SELECT id, name FROM person',
      'CREATE VIEW person_vv AS SELECT id FROM person_v',
      'CREATE VIEW pet_v AS SELECT id, name FROM pet',
      ...(d === 'sqlite' ? ['CREATE TRIGGER pet_t AFTER INSERT ON pet BEGIN UPDATE pet SET name = upper(name) WHERE id = NEW.id; END']
        : d === 'mysql' ? ['CREATE TRIGGER pet_t BEFORE INSERT ON pet FOR EACH ROW SET NEW.name = upper(NEW.name)']
          : ['CREATE FUNCTION pet_up() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.name := upper(NEW.name); RETURN NEW; END $$',
            'CREATE TRIGGER pet_t BEFORE INSERT ON pet FOR EACH ROW EXECUTE FUNCTION pet_up()']),
    ];
    for (const s of objects) await db.exec(s);
    // The same adoption as sql/apply: nothing to do between the database and the models.
    const same = await evolve(['diff', '--exit-code', db.url, both]);
    assert.equal(same.code, 0, same.stdout + same.stderr);
    assert.match(same.stdout, /no differences/);
    const toPet = await evolve(['diff', '--json', db.url, onlyPet]);
    assert.equal(toPet.code, 0, toPet.stderr);
    const sqls = (JSON.parse(toPet.stdout) as { statements: { sql: string }[] }).statements.map((s) => s.sql);
    const at = (re: RegExp): number => sqls.findIndex((s) => re.test(s));
    assert.ok(at(/DROP VIEW .person_vv/) >= 0 && at(/DROP VIEW .person_vv/) < at(/DROP VIEW .person_v\W*$/), sqls.join('\n'));
    assert.ok(at(/DROP VIEW .person_v\W*$/) < at(/DROP TABLE .person/), sqls.join('\n'));
    assert.equal(at(/pet_v|pet_t|pet_up/), -1, 'what reads the kept table stays');
    const r = await evolve(['apply', '--db', db.url, '--models', onlyPet]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /not managed: view person_v \(reads table person, which the models drop: dropped\)/);
    assert.match(r.stderr, /not managed: view person_vv \(depends on view person_v, which goes: dropped\)/);
    assert.equal((await evolve(['sql', '--exit-code', '--db', db.url, '--models', onlyPet])).code, 0);
    await db.exec("INSERT INTO pet (id, name) VALUES (1, 'rex')");
    assert.deepEqual(await rows(db, 'SELECT name FROM pet_v'), [{ name: 'REX' }], 'the kept view and trigger work');
  }));

  it('a live index the models cannot express, under the name of a model index, is dropped before the model index is created', (t) => withDb(t, d, async (db) => {
    const base = `export const w = table('w', { id: integer().primaryKey(), name: varchar(80) }`;
    assert.equal((await evolve(['apply', '--db', db.url, '--models', writeModels(IMPORTS + base + ');\n')])).code, 0);
    await db.exec(d === 'mysql' ? 'CREATE INDEX w_name_idx ON w (name(50))' : d === 'sqlite' ? 'CREATE INDEX w_name_idx ON w (lower(name))' : 'CREATE INDEX w_name_idx ON w (name DESC)');
    const models = writeModels(IMPORTS + base + `, { indexes: [index('w_name_idx').on('name')] });\n`);
    const r = await evolve(['apply', '--db', db.url, '--models', models]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /index .*w_name_idx.* \(the models declare an index w_name_idx on table w: replaced by it: dropped\)/);
    assert.equal((await evolve(['sql', '--exit-code', '--db', db.url, '--models', models])).code, 0, 'the plain index is in place');
  }));

  it('stale scratches (databases, and their roles or users) left by a killed client are swept; fresh ones are not', (t) => withDb(t, d, async (db) => {
    // SQLite and PGlite parse files in memory: nothing is ever left on a server.
    if (d === 'sqlite' || d === 'pglite') { assert.equal(await scratchCount(db), 0); return; }
    const stale = scratchName(Date.now() - SCRATCH_STALE_MS - 60_000);
    const fresh = scratchName();
    const make = (n: string): string[] => (d === 'postgres' ? [`CREATE DATABASE "${n}"`, `CREATE ROLE "${n}"`] : [`CREATE DATABASE \`${n}\``, `CREATE USER '${n}'@'localhost'`]);
    const drop = (n: string): string[] => (d === 'postgres' ? [`DROP DATABASE IF EXISTS "${n}"`, `DROP ROLE IF EXISTS "${n}"`]
      : [`DROP DATABASE IF EXISTS \`${n}\``, `DROP USER IF EXISTS '${n}'@'localhost'`]);
    const exists = async (n: string): Promise<[boolean, boolean]> => {
      const [dbs, users] = d === 'postgres'
        ? [`SELECT count(*) AS n FROM pg_database WHERE datname = '${n}'`, `SELECT count(*) AS n FROM pg_roles WHERE rolname = '${n}'`]
        : [`SELECT count(*) AS n FROM information_schema.schemata WHERE schema_name = '${n}'`, `SELECT count(*) AS n FROM mysql.user WHERE User = '${n}'`];
      return [Number((await db.query(dbs))[0]!.n) > 0, Number((await db.query(users))[0]!.n) > 0];
    };
    for (const s of [...make(stale), ...make(fresh)]) await db.exec(s);
    try {
      const r = await evolve(['sql', '--db', db.url, '--models', file(V1)]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /CREATE TABLE/);
      assert.deepEqual(await exists(stale), [false, false], 'the stale scratch database and its login are swept');
      assert.deepEqual(await exists(fresh), [true, true], 'a scratch in use by another client is left alone');
    } finally {
      for (const s of [...drop(stale), ...drop(fresh)]) await db.exec(s);
    }
  }));

  it('a SQL file the database rejects: a clear error, the database untouched, the scratch dropped', (t) => withDb(t, d, async (db) => {
    assert.equal((await evolve(['apply', '--db', db.url, '--models', file(V1)])).code, 0);
    const before = (await evolve(['fingerprint', '--db', db.url])).stdout;
    const bad = file(V1 + '\nCREATE TABLE broken (id integer NOT NULL PRIMARY KEY, x nosuchtype(');
    const r = await evolve(['apply', '--db', db.url, '--models', bad]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /E_SQL_FAILED: Statement 4 of \d+ in '.*schema\.sql' was rejected/);
    assert.equal((await evolve(['fingerprint', '--db', db.url])).stdout, before);
    assert.equal(Number(await leftovers(db)), 0);
    void readFileSync;
  }));

  it('a new CHECK naming a column the same plan renames or adds is checked against the rows as they will be', (t) => withDb(t, d, async (db) => {
    assert.equal((await evolve(['apply', '--db', db.url, '--models', file('CREATE TABLE person (id integer NOT NULL PRIMARY KEY, years integer);\n')])).code, 0);
    await db.exec('INSERT INTO person (id, years) VALUES (1, 5), (2, -1)');
    const v2 = file('CREATE TABLE person (\n  id integer NOT NULL PRIMARY KEY,\n  age integer, -- evolve:aka years\n  n integer DEFAULT 3,\n' +
      '  CHECK (age >= 0),\n  CHECK (n > 1)\n);\n');
    const plan = await evolve(['sql', '--json', '--db', db.url, '--models', v2]);
    assert.equal(plan.code, 0, plan.stdout + plan.stderr);
    const hazards = (JSON.parse(plan.stdout) as { hazards: { code: string; rows: number }[] }).hazards;
    assert.deepEqual(hazards.map((h) => [h.code, h.rows]), [['CHECK_VIOLATED', 1]], 'the renamed column\'s values are checked; the new one is not');
    const refused = await evolve(['apply', '--db', db.url, '--models', v2]);
    assert.match(refused.stderr, /E_DATA_LOSS[\s\S]*CHECK_VIOLATED person/);
    await db.exec('DELETE FROM person WHERE id = 2');
    const r = await evolve(['apply', '--db', db.url, '--models', v2]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(await rows(db, 'SELECT id, age, n FROM person'), [{ id: '1', age: '5', n: '3' }]);
  }));
});
