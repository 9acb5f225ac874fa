/**
 * User mistakes, through the real CLI on every dialect: a clear message naming cause and fix,
 * a stable code, exit 1 (2 for usage), no stack trace, and the database left as it was.
 */
import { it, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forEachDialect, withDb } from '../support/harness.js';
import { evolve, writeModels, IMPORTS, ROOT } from '../support/cli.js';
import type { TestDatabase } from '../support/databases.js';

const V1 = IMPORTS + `export const person = table('person', { id: integer().primaryKey(), name: varchar(50).notNull() });\n`;

async function fp(db: TestDatabase): Promise<string> {
  const r = await evolve(['fingerprint', '--db', db.url]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

function assertUserError(r: { code: number; stdout: string; stderr: string }, code: string, pattern: RegExp, exit = 1): void {
  assert.equal(r.code, exit, `exit code (stderr: ${r.stderr})`);
  assert.match(r.stderr, new RegExp(`error ${code}:`));
  assert.match(r.stderr, pattern);
  assert.match(r.stderr, /\n {2}fix: \S/, 'names the fix');
  assert.doesNotMatch(r.stderr, /\n\s+at .*\(.*:\d+:\d+\)/, 'no stack trace');
}

forEachDialect('user errors', (d) => {
  async function setup(db: TestDatabase): Promise<string> {
    const r = await evolve(['apply', '--db', db.url, '--models', writeModels(V1)]);
    assert.equal(r.code, 0, r.stderr);
    await db.exec("INSERT INTO person (id, name) VALUES (1, 'ann')");
    return fp(db);
  }

  it('a models file that does not load', (t) => withDb(t, d, async (db) => {
    const before = await setup(db);
    const file = writeModels(IMPORTS + 'export const broken = table("x", { id: integer( });\n');
    // The message keeps the place esbuild names (models.ts:2:48: ERROR: …), not just "Transform failed".
    assertUserError(await evolve(['apply', '--db', db.url, '--models', file]), 'E_MODELS_LOAD', /did not load: .*models\.ts:\d+:\d+/);
    assertUserError(await evolve(['apply', '--db', db.url, '--models', 'no/such/models.ts']), 'E_MODELS_LOAD', /does not exist/);
    assert.equal(await fp(db), before);
  }));

  it('an unknown column type', (t) => withDb(t, d, async (db) => {
    const before = await setup(db);
    const file = writeModels(IMPORTS + `export const person = table('person', { id: integer().primaryKey(), name: column('strnig') });\n`);
    assertUserError(await evolve(['apply', '--db', db.url, '--models', file]), 'E_UNKNOWN_TYPE', /"strnig"/);
    assert.equal(await fp(db), before);
  }));

  it('a duplicate column', (t) => withDb(t, d, async (db) => {
    const before = await setup(db);
    const file = writeModels(IMPORTS + `export const person = table('person', { id: integer().primaryKey(), name: text(), name2: text().named('name') });\n`);
    assertUserError(await evolve(['apply', '--db', db.url, '--models', file]), 'E_MODEL_INVALID', /two columns named 'name'/);
    // Names differing only in case are one column on SQLite and MySQL (and a trap on PostgreSQL):
    // refused up front, naming both, instead of failing late with E_SQL_FAILED.
    const cased = writeModels(IMPORTS + `export const person = table('person', { id: integer().primaryKey(), name: text(), Name: text() });\n`);
    assertUserError(await evolve(['apply', '--db', db.url, '--models', cased]), 'E_MODEL_INVALID', /'name' and 'Name'/);
    const tables = writeModels(IMPORTS + `export const a = table('pet', { id: integer().primaryKey() });\nexport const b = table('Pet', { id: integer().primaryKey() });\n`);
    assertUserError(await evolve(['apply', '--db', db.url, '--models', tables]), 'E_MODEL_INVALID', /'pet' and 'Pet'/);
    assert.equal(await fp(db), before);
  }));

  it('an aka whose former name exists beside the new name', (t) => withDb(t, d, async (db) => {
    const before = await setup(db);
    const inModel = writeModels(IMPORTS + `export const person = table('person', { id: integer().primaryKey(), name: text(), full_name: text().aka('name') });\n`);
    assertUserError(await evolve(['apply', '--db', db.url, '--models', inModel]), 'E_MODEL_INVALID', /former name 'name'.*also has a column named 'name'/);
    await db.exec('ALTER TABLE person ADD COLUMN full_name varchar(50)');
    const before2 = await fp(db);
    assert.notEqual(before2, before);
    const inDb = writeModels(IMPORTS + `export const person = table('person', { id: integer().primaryKey(), full_name: varchar(50).aka('name') });\n`);
    assertUserError(await evolve(['apply', '--db', db.url, '--models', inDb, '--allow-data-loss']), 'E_CONFLICT', /has both columns/);
    assert.equal(await fp(db), before2);
  }));

  it('two former names (aka) that both exist', (t) => withDb(t, d, async (db) => {
    await setup(db);
    await db.exec('ALTER TABLE person ADD COLUMN title varchar(50)');
    await db.exec('CREATE TABLE pet (id integer PRIMARY KEY)');
    await db.exec('CREATE TABLE animal (id integer PRIMARY KEY)');
    const before = await fp(db);
    // Regression: the first was renamed and the second dropped, with a misleading hint.
    const cols = writeModels(IMPORTS + `export const person = table('person', { id: integer().primaryKey(), label: varchar(50).aka('name', 'title') });\n`
      + `export const pet = table('pet', { id: integer().primaryKey() });\nexport const animal = table('animal', { id: integer().primaryKey() });\n`);
    assertUserError(await evolve(['apply', '--db', db.url, '--models', cols, '--allow-data-loss']), 'E_CONFLICT', /'person\.label' has former names 'name' and 'title'/);
    const tables = writeModels(IMPORTS + `export const person = table('person', { id: integer().primaryKey(), name: varchar(50).notNull(), title: varchar(50) });\n`
      + `export const creature = table('creature', { id: integer().primaryKey() }, { aka: ['pet', 'animal'] });\n`);
    assertUserError(await evolve(['apply', '--db', db.url, '--models', tables, '--allow-data-loss']), 'E_CONFLICT', /'creature' has former names 'pet' and 'animal'/);
    assert.equal(await fp(db), before);
  }));

  it('a statement that fails leaves the database as it was (or says what ran)', (t) => withDb(t, d, async (db) => {
    const before = await setup(db);
    const file = writeModels(IMPORTS + `export const a = table('a', { id: integer().primaryKey() });\nexport const person = table('person', { id: integer().primaryKey(), name: varchar(50).notNull(), x: integer().default(sql\`(1 +\`) });\n`);
    const r = await evolve(['apply', '--db', db.url, '--models', file]);
    assertUserError(r, 'E_SQL_FAILED', /Statement \d+ of \d+ failed|failed/);
    if (d === 'mysql') assert.match(r.stderr, /ran|not run/i);
    else assert.equal(await fp(db), before, 'rolled back');
    assert.deepEqual((await db.query('SELECT name FROM person')).map((x) => x.name), ['ann']);
  }));

  it('an apply whose result is not the models\' fingerprint is refused loudly (and rolled back)', (t) => withDb(t, d, async (db) => {
    const before = await setup(db);
    // A raw type smuggling a constraint: the database reports the type (and nullability) apart,
    // so what it builds can never be what the models say. (If rawType() ever refuses such text
    // up front, provoke the mismatch another way: this test is about the check after apply.)
    const file = writeModels(V1 + `export const odd = table('odd', { id: integer().primaryKey(), x: rawType('integer not null') });\n`);
    const r = await evolve(['apply', '--db', db.url, '--models', file]);
    assertUserError(r, 'E_FINGERPRINT_MISMATCH', /live fingerprint fv1:\w+ is not the models' fingerprint fv1:\w+.*Still different: alter column odd\.x \(type/);
    if (d !== 'mysql') {
      assert.match(r.stderr, /rolled back/);
      assert.equal(await fp(db), before, 'rolled back');
    }
    assert.deepEqual((await db.query('SELECT name FROM person')).map((x) => x.name), ['ann']);
  }));

  it('--json errors are one JSON document with the code', (t) => withDb(t, d, async (db) => {
    await setup(db);
    const r = await evolve(['apply', '--json', '--db', db.url, '--models', 'missing.ts']);
    assert.equal(r.code, 1);
    const doc = JSON.parse(r.stdout) as { ok: boolean; error: { code: string; hint: string } };
    assert.equal(doc.ok, false);
    assert.equal(doc.error.code, 'E_MODELS_LOAD');
    assert.ok(doc.error.hint.length > 0);
  }));
});

describe('a project without "type": "module" (TypeScript compiled as CommonJS)', () => {
  it('reads evolve.config.ts and a models module with a default export', () => {
    const dir = mkdtempSync(join(tmpdir(), 'evolve-cjs-'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0' }));
    writeFileSync(join(dir, 'evolve.config.ts'), `export default { db: ${JSON.stringify(`sqlite:${join(dir, 'app.db')}`)}, models: './models.ts' };\n`);
    writeFileSync(join(dir, 'models.ts'), `import { table, integer, text } from ${JSON.stringify(join(ROOT, 'dist', 'index.js'))};\n`
      + `const person = table('person', { id: integer().primaryKey(), name: text() });\nexport default [person];\n`);
    // Regression: the config was silently ignored (E_NO_DATABASE) and the models exported no tables.
    const run = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin', 'evolve.js'), ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, EVOLVE_DATABASE_URL: '' } });
    const r = run('apply');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Applied 1 .*app\.db[\s\S]*matches the models/);
    assert.ok(existsSync(join(dir, 'app.db')));
    assert.equal(run('sql', '--exit-code').status, 0, 'nothing left to do');
  });
});

describe('user errors independent of the database', () => {
  it('a bad --db URL', async () => {
    assertUserError(await evolve(['fingerprint', '--db', 'foo://host/db']), 'E_DB_URL', /unknown scheme 'foo'/);
    assertUserError(await evolve(['fingerprint', '--db', 'whatever']), 'E_DB_URL', /neither a URL/);
    assertUserError(await evolve(['fingerprint', '--db', 'mysql://root@localhost']), 'E_DB_URL', /no database name/);
  });

  it('never prints a password', async () => {
    const r = await evolve(['fingerprint', '--db', 'postgres://bob:s3cr3t-pw@127.0.0.1:1/db']);
    assert.equal(r.code, 1);
    assert.doesNotMatch(r.stdout + r.stderr, /s3cr3t-pw/);
    assert.match(r.stderr, /E_DB_CONNECT/);
  });

  it('a file that is not a SQLite database, left untouched', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'evolve-notdb-'));
    const file = join(dir, 'notes.db');
    writeFileSync(file, 'these are my notes, not a database\n'.repeat(20));
    const before = readFileSync(file);
    assertUserError(await evolve(['apply', '--db', file, '--models', writeModels(V1)]), 'E_NOT_A_DATABASE', /not a SQLite database/);
    assertUserError(await evolve(['fingerprint', '--db', `sqlite:${file}`]), 'E_NOT_A_DATABASE', /not a SQLite database/);
    assert.deepEqual(readFileSync(file), before);
    // Shorter than a page, SQLite would take the file over as a new database: the header decides.
    for (const content of ['x', 'SQLite format 2\0'.padEnd(100, ' ')]) {
      const small = join(dir, `small-${content.length}.db`);
      writeFileSync(small, content);
      assertUserError(await evolve(['apply', '--db', small, '--models', writeModels(V1)]), 'E_NOT_A_DATABASE', /not a SQLite database/);
      assert.equal(readFileSync(small, 'latin1'), content, 'left untouched');
    }
    // An empty file is a new database (SQLite's rule).
    const empty = join(dir, 'empty.db');
    writeFileSync(empty, '');
    assert.equal((await evolve(['apply', '--db', empty, '--models', writeModels(V1)])).code, 0);
    assert.ok(readFileSync(empty).length > 0);
  });

  it('a failed apply to a new SQLite path leaves no file behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'evolve-new-'));
    const file = join(dir, 'app.db');
    const bad = writeModels(IMPORTS + "export const a = table('a', { id: integer().primaryKey(), x: integer().default(sql`(1 +`) });\n");
    assertUserError(await evolve(['apply', '--db', file, '--models', bad]), 'E_SQL_FAILED', /failed/);
    assert.equal(existsSync(file), false, 'no database file was created');
    assert.equal((await evolve(['apply', '--db', file, '--models', writeModels(V1)])).code, 0);
    assert.ok(existsSync(file), 'a successful apply creates it');
  });

  it('evolve diff with a bad argument answers about FROM and TO, not about --db or --models', async () => {
    const sql = join(mkdtempSync(join(tmpdir(), 'evolve-diff-')), 'schema.sql');
    writeFileSync(sql, 'CREATE TABLE t (id integer PRIMARY KEY);\n');
    for (const [args, code, what] of [
      [['nonsense', sql], 'E_DB_URL', /evolve diff: FROM is not a models module, a SQL file or a database URL it can use\. Cannot use database URL 'nonsense'/],
      [[sql, 'mysql://u:W%zzrong@127.0.0.1/db'], 'E_DB_URL', /evolve diff: TO is not a models module, a SQL file or a database URL/],
      [['missing-models.ts', sql], 'E_MODELS_LOAD', /evolve diff: FROM 'missing-models\.ts' does not exist/],
      [[sql, 'missing.sql'], 'E_MODELS_LOAD', /evolve diff: TO 'missing\.sql' does not exist/],
    ] as const) {
      const r = await evolve(['diff', ...args]);
      assertUserError(r, code, what);
      assert.match(r.stderr, /fix: .*Give FROM and TO each as a database URL .*, a models module \(\.ts, \.js\) or a SQL file .*`evolve diff FROM TO`/);
      assert.doesNotMatch(r.stderr, /--db|--models|W%zzrong/, 'no hint about other commands\' options; the password never shows');
    }
  });

  it('no database given', async () => {
    assertUserError(await evolve(['fingerprint']), 'E_NO_DATABASE', /No database given/);
  });

  it('bad usage exits 2', async () => {
    const r = await evolve(['apply', '--no-such-flag']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown option/);
    assert.equal((await evolve(['frobnicate'])).code, 2);
    // --json: the one JSON document on stdout even for a usage error.
    for (const args of [['apply', '--json', '--no-such-flag'], ['frobnicate', '--json']]) {
      const j = await evolve(args);
      assert.equal(j.code, 2);
      const doc = JSON.parse(j.stdout) as { ok: boolean; error: { code: string; message: string; hint: string } };
      assert.equal(doc.ok, false);
      assert.equal(doc.error.code, 'E_USAGE');
      assert.match(doc.error.message, /unknown (option|command)/);
    }
  });
});
