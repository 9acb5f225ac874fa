/**
 * Validation before the database has to say no (issue 15 point 14), through the real CLI on
 * every dialect: foreign keys to a non-unique column set or of another type, literal defaults
 * that are not values of their column's type, names longer than the dialect takes — each
 * refused with a coded error naming the fix, the database left as it was; MySQL COMMENTs in a
 * SQL file reported, not dropped silently; a failed stored evolution numbering its steps
 * within their count; an empty schema name refused; non-table exports of a models module named.
 */
import { it, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashEvolutions, fingerprintDatabase, modelsFingerprint, table, integer, varchar, type Table } from '../../src/index.js';
import { evolveDialect, forEachDialect, withDb } from '../support/harness.js';
import { evolveTo } from '../support/evolve.js';
import { PG_URL, type TestDatabase } from '../support/databases.js';
import { evolve, writeModels, IMPORTS, runServerCommandsInProcess } from '../support/cli.js';

runServerCommandsInProcess(); // its commands run one at a time

const PERSON = "export const person = table('person', { id: integer().primaryKey(), email: varchar(80), code: varchar(10).unique() });\n";

async function fp(db: TestDatabase): Promise<string> {
  const r = await evolve(['fingerprint', '--db', db.url]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

function assertRefused(r: { code: number; stdout: string; stderr: string }, code: string, pattern: RegExp, fix: RegExp, exit = 1): void {
  assert.equal(r.code, exit, `exit code (stdout: ${r.stdout} stderr: ${r.stderr})`);
  assert.match(r.stderr, new RegExp(`error ${code}:`));
  assert.match(r.stderr, pattern);
  assert.match(r.stderr, fix, 'names the fix');
  assert.doesNotMatch(r.stderr, /\n\s+at .*\(.*:\d+:\d+\)/, 'no stack trace');
}

function sqlFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'evolve-valid-')), 'schema.sql');
  writeFileSync(path, text);
  return path;
}

forEachDialect('validation before the database says no', (d) => {
  /** The database holds person; returns its fingerprint, which every refusal below must leave as it is. */
  async function setup(db: TestDatabase): Promise<string> {
    const r = await evolve(['apply', '--db', db.url, '--models', writeModels(IMPORTS + PERSON)]);
    assert.equal(r.code, 0, r.stderr);
    return fp(db);
  }

  it('a foreign key to a column set that is not unique, or of another type, is refused before anything is created', (t) => withDb(t, d, async (db) => {
    const before = await setup(db);
    const notUnique = writeModels(IMPORTS + PERSON
      + "export const post = table('post', { id: integer().primaryKey(), author: varchar(80).references(() => person.columns.email) });\n");
    for (const cmd of ['apply', 'sql']) {
      assertRefused(await evolve([cmd, '--db', db.url, '--models', notUnique]), 'E_MODEL_INVALID',
        /foreign key \(author\) of table 'post' references 'person' \(email\), which is neither the primary key of 'person' nor unique there/,
        /fix: Reference the primary key of 'person' \(id\), or make \(email\) unique there/);
    }
    const otherType = writeModels(IMPORTS + PERSON
      + "export const post = table('post', { id: integer().primaryKey(), author: varchar(20).references(() => person.columns.id) });\n");
    assertRefused(await evolve(['apply', '--db', db.url, '--models', otherType]), 'E_MODEL_INVALID',
      /column 'post\.author' is varchar\(20\), but the column it references, 'person\.id', is integer/,
      /fix: Give 'post\.author' the type of 'person\.id' \(integer\)/);
    // A unique column may be referenced; a varchar of another length too.
    const fine = writeModels(IMPORTS + PERSON
      + "export const post = table('post', { id: integer().primaryKey(), code: varchar(10).references(() => person.columns.code) });\n");
    if (d === 'mysql') {
      // InnoDB wants exactly the referenced type: int cannot reference bigint.
      const wider = writeModels(IMPORTS + "export const person = table('person', { id: bigint().primaryKey() });\n"
        + "export const post = table('post', { id: integer().primaryKey(), author: integer().references(() => person.columns.id) });\n");
      assertRefused(await evolve(['apply', '--db', db.url, '--models', wider]), 'E_MODEL_INVALID',
        /column 'post\.author' and the column it references, 'person\.id', differ \(integer, the referenced one bigint\); InnoDB refuses such a key/,
        /fix: Give 'post\.author' exactly the type of 'person\.id' \(bigint\)/);
    }
    assert.equal(await fp(db), before, 'nothing was created');
    assert.equal((await evolve(['apply', '--db', db.url, '--models', fine])).code, 0);
    if (d === 'sqlite') {
      // SQLite takes such a key in a SQL file too, and then fails every insert ("foreign key mismatch").
      const file = sqlFile('CREATE TABLE person (id integer PRIMARY KEY, email text);\nCREATE TABLE post (id integer PRIMARY KEY, author text REFERENCES PERSON (EMAIL));\n');
      assertRefused(await evolve(['apply', '--db', db.url, '--models', file]), 'E_MODEL_INVALID',
        /foreign key \(author\) of table 'post' in SQL file '.*schema\.sql' references 'PERSON' \(EMAIL\), which is neither/,
        /fix: .*UNIQUE \(EMAIL\) in its CREATE TABLE/);
    }
  }));

  it('a literal default that is not a value of its column\'s type is refused, naming what it must be', (t) => withDb(t, d, async (db) => {
    const before = await setup(db);
    const cases: [string, RegExp][] = [
      ["integer().default('not a number')", /'person\.n' \(integer\) has the default "not a number", which is not a value of its type: it must be a whole number/],
      ["integer().default(sql`'abc'`)", /has the default "abc".*a whole number/],
      ['bigint().default(1.5)', /has the default 1\.5.*a whole number/],
      ["real().default('fast')", /it must be a number/],
      ["decimal(5, 2).default('12345.6')", /it must be a number below 10\^3 \(decimal\(5,2\)\)/],
      ['decimal(5, 2).default(1.234)', /it must be a number with at most 2 decimals \(decimal\(5,2\)\)/],
      ["boolean().default('maybe')", /it must be true or false/],
      ["date().default('2024-13-45')", /it must be a date written 'YYYY-MM-DD'/],
      ["timestamp().default('noon')", /it must be a timestamp written 'YYYY-MM-DD HH:MM:SS'/],
      ["uuid().default('not-a-uuid')", /it must be a UUID/],
      ["json().default('{oops')", /it must be JSON text/],
      ["varchar(3).default('toolong')", /it must be at most 3 characters/],
    ];
    for (const [column, message] of cases) {
      const file = writeModels(IMPORTS + `export const person = table('person', { id: integer().primaryKey(), email: varchar(80), code: varchar(10).unique(), n: ${column} });\n`);
      assertRefused(await evolve(['apply', '--db', db.url, '--models', file]), 'E_MODEL_INVALID', message, /fix: Give 'n' a default of its type/);
    }
    assert.equal(await fp(db), before);
    // Values of the type pass, in the spellings the databases take.
    const ok = writeModels(IMPORTS + `export const person = table('person', { id: integer().primaryKey(), email: varchar(80), code: varchar(10).unique(),
  a: integer().default('-5'), b: decimal(5, 2).default(123.45), c: boolean().default('false'), e: date().default('2024-02-29'),
  f: timestamp().default('2024-02-29 23:59:59'), g: uuid().default('123e4567-e89b-12d3-a456-426614174000'), h: varchar(3).default(sql\`'abc'\`) });\n`);
    const r = await evolve(['apply', '--db', db.url, '--models', ok]);
    assert.equal(r.code, 0, r.stderr);
  }));

  it('a name longer than the dialect takes is refused before anything is created (PostgreSQL: 63 bytes, MySQL: 64 characters)', (t) => withDb(t, d, async (db) => {
    const before = await setup(db);
    const models = (tableName: string, column = 'id'): string => writeModels(IMPORTS + `export const t = table(${JSON.stringify(tableName)}, { ${JSON.stringify(column)}: integer().primaryKey() });\n`);
    const ascii64 = 't'.repeat(64); // 64 bytes and characters
    const accented = 'é'.repeat(40); // 40 characters, 80 bytes of UTF-8
    const ascii65 = 'c'.repeat(65);
    if (evolveDialect(d) === 'postgres') {
      assertRefused(await evolve(['apply', '--db', db.url, '--models', models(ascii64)]), 'E_MODEL_INVALID',
        /Table 't{64}' is 64 bytes long; postgres takes names of at most 63 bytes \(of UTF-8\) and cuts longer ones, so two long names can become one/,
        /fix: Give it a name of at most 63 bytes/);
      assertRefused(await evolve(['apply', '--db', db.url, '--models', models('t', accented)]), 'E_MODEL_INVALID',
        /Column 't\.é{40}' is 80 bytes long/, /fix: Give it a name of at most 63 bytes \(\.named\('…'\) keeps the property's name\)/);
      // Index names Evolve makes up are cut as PostgreSQL cuts them; two that become one are refused.
      // (t_ + 62 x's + a/b + _idx: the two differ past byte 63.)
      const long = 'x'.repeat(62);
      const twins = writeModels(IMPORTS + `export const t = table('t', { id: integer().primaryKey(), ${long}a: integer(), ${long}b: integer() },
  { indexes: [index().on('${long}a'), index().on('${long}b')] });\n`);
      assertRefused(await evolve(['apply', '--db', db.url, '--models', twins]), 'E_MODEL_INVALID',
        /Two indexes the models did not name, on tables 't' and 't', are both 't_x{61}' once cut to the 63 bytes PostgreSQL keeps/,
        /fix: Name one of them/);
    } else if (d === 'mysql') {
      assertRefused(await evolve(['apply', '--db', db.url, '--models', models('t', ascii65)]), 'E_MODEL_INVALID',
        /Column 't\.c{65}' is 65 characters long; mysql takes names of at most 64 characters\./, /fix: Give it a name of at most 64 characters/);
    }
    assert.equal(await fp(db), before, 'nothing was created');
    // Within the limit (MySQL counts characters, not bytes); SQLite has none.
    const fits = evolveDialect(d) === 'postgres' ? models('t'.repeat(63)) : models(accented, d === 'sqlite' ? ascii65 : 'id');
    const r = await evolve(['apply', '--db', db.url, '--models', fits]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /matches the models/);
  }));

  it('a stored evolution that fails says which steps ran, within their count', (t) => withDb(t, d, async (db) => {
    const v1: Table[] = [table('person', { id: integer().primaryKey(), name: varchar(50) })];
    const v2: Table[] = [table('person', { id: integer().primaryKey(), name: varchar(50), a: integer(), b: integer() })];
    await evolveTo(db, v1);
    const [from, to] = [(await fingerprintDatabase(db.url)).fingerprint, await modelsFingerprint(v2, evolveDialect(d))];
    const models = writeModels(IMPORTS + "export const person = table('person', { id: integer().primaryKey(), name: varchar(50), a: integer(), b: integer() });\n");
    for (const [failing, expected] of [
      [1, /Step 1 of 3 of evolution '0001-a-b\.sql' failed: .*\. (It was rolled back; the database is as it was\.|No step ran before it: the database is still at fv1:\w+\. Steps 2, 3 did not run\.)/],
      [3, /Step 3 of 3 of evolution '0001-a-b\.sql' failed: .*\. (It was rolled back; the database is as it was|Steps 1, 2 ran and stay applied \(MySQL commits every DDL statement\); it was the last step)\./],
    ] as const) {
      const dir = mkdtempSync(join(tmpdir(), 'evolve-evo-'));
      const steps = ['ALTER TABLE person ADD COLUMN a integer', 'ALTER TABLE person ADD COLUMN b integer', 'ALTER TABLE person ADD COLUMN name integer'];
      if (failing === 1) steps.unshift(steps.pop()!); // the failing statement first
      writeFileSync(join(dir, '0001-a-b.sql'), `-- evolve:from ${from}\n-- evolve:to ${to}\n${steps.join(';\n')};\n`);
      writeFileSync(join(dir, 'fingerprints.txt'), `${from}\n${to}\n`);
      hashEvolutions(dir);
      const r = await evolve(['apply', '--db', db.url, '--models', models, '--evolutions', dir, '--stored-only']);
      assertRefused(r, 'E_SQL_FAILED', expected, /fix: /);
      assert.doesNotMatch(r.stderr, /Steps? \d+ of 3.*Step 4|1–0|4–3/, 'no step number past the count');
      if (d === 'mysql' && failing === 3) await db.exec('ALTER TABLE person DROP COLUMN a, DROP COLUMN b'); // what stayed applied
    }
  }));

  it('MySQL COMMENTs in a SQL file are reported as not created, not dropped silently', { skip: d !== 'mysql' && 'MySQL COMMENTs only' }, (t) => withDb(t, d, async (db) => {
    const file = sqlFile("CREATE TABLE person (\n  id int NOT NULL PRIMARY KEY COMMENT 'the key',\n  name varchar(50) COMMENT 'full name',\n  KEY name_idx (name) COMMENT 'lookups'\n) COMMENT='people we know';\n");
    const sql = await evolve(['sql', '--db', db.url, '--models', file]);
    assert.equal(sql.code, 0, sql.stderr);
    for (const what of ['comment on table person', 'comment on column id on table person', 'comment on column name on table person', 'comment on index name_idx on table person']) {
      assert.match(sql.stderr, new RegExp(`not managed: ${what} \\(in the SQL file; Evolve does not create it\\)`), what);
    }
    const applied = await evolve(['apply', '--db', db.url, '--models', file]);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stderr, /not managed: comment on column name on table person \(in the SQL file; Evolve does not create it\)/);
    // A comment the database holds is listed as not managed, and never fingerprinted.
    const before = await fp(db);
    await db.exec("ALTER TABLE person COMMENT = 'added by hand'");
    const f = await evolve(['fingerprint', '--db', db.url]);
    assert.equal(f.stdout.trim(), before);
    assert.match(f.stderr, /not managed: comment on table person\n/);
  }));
});

describe('validation independent of the dialect', () => {
  it('an empty schema name is refused, not read as public', async () => {
    const u = new URL(PG_URL);
    u.searchParams.set('schema', '');
    const models = writeModels(IMPORTS + PERSON);
    for (const args of [['fingerprint'], ['apply', '--models', models]]) {
      assertRefused(await evolve([...args, '--db', u.toString()]), 'E_DB_URL', /\?schema= names no schema/, /fix: /);
    }
    assertRefused(await evolve(['fingerprint', '--db', PG_URL, '--schema', '']), 'E_USAGE', /The schema given .* is empty/, /fix: Name the PostgreSQL schema/, 2);
  });

  it('what a models module exports beside its tables is named as ignored', async () => {
    const db = `sqlite:${join(mkdtempSync(join(tmpdir(), 'evolve-exports-')), 'app.db')}`;
    const file = writeModels(IMPORTS + `import { versioned } from 'evolve';
export const person = table('person', { id: integer().primaryKey() });
export const models = [table('post', { id: integer().primaryKey() })];
export const makePet = () => table('pet', { id: integer().primaryKey() });
export const schema = versioned({ id: 'app', latest: 0, steps: {} });
`);
    const r = await evolve(['apply', '--db', db, '--models', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /not managed: export 'models' of models\.ts \(not a table\(\): ignored\)/);
    assert.match(r.stderr, /not managed: export 'makePet' of models\.ts \(not a table\(\): ignored\)/);
    assert.doesNotMatch(r.stderr, /export 'person'|export 'schema'/, 'tables and the versioned() definition are not named');
    const json = JSON.parse((await evolve(['sql', '--json', '--db', db, '--models', file])).stdout) as { unmanaged: string[] };
    assert.deepEqual(json.unmanaged, ["export 'makePet' of models.ts (not a table(): ignored)", "export 'models' of models.ts (not a table(): ignored)"]);
  });
});
