/**
 * Names that differ only in case (issue 15 point 8), on every dialect: a live schema whose
 * tables, columns and indexes are written `Users`, `ID`, `Idx_Name` and a desired state (a SQL
 * file or a models module) that writes them `users`, `id`, `idx_name` converge — a case-only
 * rename, the rows kept, no --allow-data-loss — and back again. SQLite and MySQL take such names
 * for one name (PostgreSQL only when quoted tells them apart), yet every catalog keeps the case
 * written, and so does the fingerprint: after apply, status is in sync and the fingerprint is the
 * one a native load of the desired file gives.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { splitSql } from '../../src/index.js';
import { forEachDialect, withDb } from '../support/harness.js';
import { rows } from '../support/evolve.js';
import { freshDatabase, type TestDatabase, type TestDialect } from '../support/databases.js';
import { evolve, writeModels, IMPORTS } from '../support/cli.js';

/** The live schema, every name in mixed case (quoted, so PostgreSQL keeps the case too). */
const MIXED = `CREATE TABLE "Users" ("ID" integer NOT NULL PRIMARY KEY, "Name" varchar(50) NOT NULL);
CREATE INDEX "Idx_Name" ON "Users" ("Name");
CREATE TABLE "Posts" ("Id" integer NOT NULL PRIMARY KEY, "User_Id" integer, FOREIGN KEY ("User_Id") REFERENCES "Users" ("ID"));
CREATE INDEX "Idx_Post_User" ON "Posts" ("User_Id");
`;
/** The same schema with every name in lower case. */
const LOWER = MIXED.replace(/"([^"]+)"/g, (_, n: string) => n.toLowerCase());
/** LOWER as a models module. */
const LOWER_MODELS = IMPORTS + `export const users = table('users', { id: integer().primaryKey(), name: varchar(50).notNull() },
  { indexes: [index('idx_name').on('name')] });
export const posts = table('posts', { id: integer().primaryKey(), user_id: integer().references(() => users.columns.id) },
  { indexes: [index('idx_post_user').on('user_id')] });
`;

/** Double quotes as the dialect quotes names (MySQL: backticks). */
const dialectSql = (d: TestDialect, text: string): string => (d === 'mysql' ? text.replace(/"/g, '`') : text);

function sqlFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'evolve-case-')), 'schema.sql');
  writeFileSync(path, text);
  return path;
}

async function load(db: TestDatabase, text: string): Promise<void> {
  for (const s of splitSql(dialectSql(db.dialect, text))) await db.exec(s);
}

async function fp(url: string): Promise<string> {
  const r = await evolve(['fingerprint', '--db', url]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

/** The fingerprint of `text` loaded natively into a fresh database. */
async function nativeFingerprint(d: TestDialect, text: string): Promise<string> {
  const direct = await freshDatabase(d);
  try {
    await load(direct, text);
    return await fp(direct.url);
  } finally { await direct.dispose(); }
}

/** Apply `models` (no --allow-data-loss), then check status says in sync at `expected` and the rows are there. */
async function convergeTo(db: TestDatabase, models: string, expected: string, names: { users: string; id: string; name: string }): Promise<void> {
  const r = await evolve(['apply', '--json', '--db', db.url, '--models', models]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const applied = JSON.parse(r.stdout) as { statements: { sql: string }[]; fingerprintAfter: string };
  assert.doesNotMatch(applied.statements.map((s) => s.sql).join('\n'), /DROP TABLE|DROP COLUMN|ADD COLUMN|CREATE TABLE (?!.*_evolve_new_)/i,
    'renamed, never dropped and re-created');
  assert.equal(applied.fingerprintAfter, expected, 'the fingerprint a native load of the desired state gives');
  const status = await evolve(['status', '--json', '--db', db.url, '--models', models]);
  assert.equal(status.code, 0, status.stderr);
  const s = JSON.parse(status.stdout) as { liveFingerprint: string; modelsFingerprint: string; pendingGenerated: string[] };
  assert.deepEqual(s.pendingGenerated, [], 'status: nothing pending');
  assert.equal(s.liveFingerprint, expected);
  assert.equal(s.modelsFingerprint, expected, 'status: in sync');
  assert.equal((await evolve(['sql', '--exit-code', '--db', db.url, '--models', models])).code, 0, 'sql: nothing to do');
  const q = db.dialect === 'mysql' ? '`' : '"';
  const got = await rows(db, `SELECT ${q}${names.id}${q} AS id, ${q}${names.name}${q} AS name FROM ${q}${names.users}${q} ORDER BY 1`);
  assert.deepEqual(got, [{ id: '1', name: 'ann' }, { id: '2', name: 'bob' }], 'the rows are kept');
}

forEachDialect('names that differ only in case', (d) => {
  it('a SQL file: mixed case → lower case → mixed case, by case-only renames', (t) => withDb(t, d, async (db) => {
    await load(db, `${MIXED}INSERT INTO "Users" ("ID", "Name") VALUES (1, 'ann'), (2, 'bob');\nINSERT INTO "Posts" ("Id", "User_Id") VALUES (1, 2);\n`);
    await convergeTo(db, sqlFile(LOWER), await nativeFingerprint(d, LOWER), { users: 'users', id: 'id', name: 'name' });
    await convergeTo(db, sqlFile(dialectSql(d, MIXED)), await nativeFingerprint(d, MIXED), { users: 'Users', id: 'ID', name: 'Name' });
  }));

  it('a models module: mixed case → lower case, by case-only renames', (t) => withDb(t, d, async (db) => {
    await load(db, `${MIXED}INSERT INTO "Users" ("ID", "Name") VALUES (1, 'ann'), (2, 'bob');\nINSERT INTO "Posts" ("Id", "User_Id") VALUES (1, 2);\n`);
    await convergeTo(db, writeModels(LOWER_MODELS), await nativeFingerprint(d, LOWER), { users: 'users', id: 'id', name: 'name' });
    // The foreign key still holds, and follows the renamed table and column.
    const fkOn = d === 'sqlite' ? 'PRAGMA foreign_keys = ON; ' : '';
    await assert.rejects(db.exec(`${fkOn}INSERT INTO posts (id, user_id) VALUES (2, 99)`), 'the foreign key is still enforced');
  }));
});
