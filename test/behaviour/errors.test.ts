/**
 * User mistakes, through the real CLI on every dialect: a clear message naming cause and fix,
 * a stable code, exit 1 (2 for usage), no stack trace, and the database left as it was.
 */
import { it, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forEachDialect, withDb } from '../support/harness.js';
import { evolve, writeModels, IMPORTS } from '../support/cli.js';
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
    assertUserError(await evolve(['apply', '--db', db.url, '--models', file]), 'E_MODELS_LOAD', /did not load/);
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

  it('a statement that fails leaves the database as it was (or says what ran)', (t) => withDb(t, d, async (db) => {
    const before = await setup(db);
    const file = writeModels(IMPORTS + `export const a = table('a', { id: integer().primaryKey() });\nexport const person = table('person', { id: integer().primaryKey(), name: varchar(50).notNull(), x: integer().default(sql\`(1 +\`) });\n`);
    const r = await evolve(['apply', '--db', db.url, '--models', file]);
    assertUserError(r, 'E_SQL_FAILED', /Statement \d+ of \d+ failed|failed/);
    if (d === 'mysql') assert.match(r.stderr, /ran|not run/i);
    else assert.equal(await fp(db), before, 'rolled back');
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
  });

  it('no database given', async () => {
    assertUserError(await evolve(['fingerprint']), 'E_NO_DATABASE', /No database given/);
  });

  it('bad usage exits 2', async () => {
    const r = await evolve(['apply', '--no-such-flag']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown option/);
    assert.equal((await evolve(['frobnicate'])).code, 2);
  });
});
