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
import { forEachDialect, withDb } from '../support/harness.js';
import { rows } from '../support/evolve.js';
import { freshDatabase, PG_URL, MYSQL_URL, type TestDatabase } from '../support/databases.js';
import { evolve, writeModels, IMPORTS } from '../support/cli.js';

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
  if (db.dialect === 'postgres') return Number((await db.query("SELECT count(*) AS n FROM pg_namespace WHERE nspname LIKE '\\_evolve\\_scratch%'"))[0]!.n);
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

  it('a SQL file the database rejects: a clear error, the database untouched, the scratch dropped', (t) => withDb(t, d, async (db) => {
    assert.equal((await evolve(['apply', '--db', db.url, '--models', file(V1)])).code, 0);
    const before = (await evolve(['fingerprint', '--db', db.url])).stdout;
    const bad = file(V1 + '\nCREATE TABLE broken (id integer NOT NULL PRIMARY KEY, x nosuchtype(');
    const r = await evolve(['apply', '--db', db.url, '--models', bad]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /E_SQL_FAILED: Statement 4 of '.*schema\.sql' was rejected/);
    assert.equal((await evolve(['fingerprint', '--db', db.url])).stdout, before);
    assert.equal(Number(await leftovers(db)), 0);
    void readFileSync;
  }));
});
