/**
 * Online-safety lint (issue 16 point 4): each rule of `evolve lint` fires on a statement that
 * would block the application and stays quiet on its online form — on stored evolutions' SQL
 * (per dialect: the shared rules everywhere, PostgreSQL's and MySQL's on theirs) and on a
 * generated plan. Stored evolutions are read from their text; only the generated-plan tests
 * need a database.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { table, integer, bigint, varchar, hashEvolutions, lintEvolution } from '../../src/index.js';
import { forEachDialect, withDb, evolveDialect } from '../support/harness.js';
import { MYSQL_URL, PG_URL, type TestDialect } from '../support/databases.js';
import { evolveTo } from '../support/evolve.js';
import { evolve, writeModels, IMPORTS } from '../support/cli.js';

type Family = 'sqlite' | 'postgres' | 'mysql';
interface RuleCase { readonly code: string; readonly on: readonly Family[]; readonly fires: readonly string[]; readonly quiet: readonly string[] }

const ALL: readonly Family[] = ['sqlite', 'postgres', 'mysql'];
const CASES: readonly RuleCase[] = [
  { code: 'ONLINE_RENAME_BREAKS_APP', on: ALL, fires: ['ALTER TABLE person RENAME COLUMN name TO full_name'],
    quiet: ['CREATE TABLE draft (id int)', 'ALTER TABLE draft RENAME TO final'] },
  { code: 'ONLINE_DROP_BREAKS_APP', on: ALL, fires: ['ALTER TABLE person DROP COLUMN nick'], quiet: ['CREATE TABLE scratch (id int)', 'DROP TABLE scratch'] },
  // The swap of an expand/contract: the column keeps its name.
  ...(['ONLINE_RENAME_BREAKS_APP', 'ONLINE_DROP_BREAKS_APP'] as const).map((code) => ({ code, on: ALL,
    fires: ['ALTER TABLE person RENAME COLUMN age TO years', 'ALTER TABLE person DROP COLUMN nick'],
    quiet: ['ALTER TABLE person ADD COLUMN age_new bigint', 'ALTER TABLE person DROP COLUMN age', 'ALTER TABLE person RENAME COLUMN age_new TO age'] })),
  { code: 'ONLINE_INDEX_NOT_CONCURRENT', on: ['postgres'], fires: ['CREATE INDEX person_name_idx ON person (name)'],
    quiet: ['CREATE INDEX CONCURRENTLY person_name_idx ON person (name)'] },
  { code: 'ONLINE_CONCURRENTLY_IN_TRANSACTION', on: ['postgres'],
    fires: ['BEGIN', 'ALTER TABLE person ADD COLUMN x int', 'CREATE INDEX CONCURRENTLY person_x_idx ON person (x)'],
    quiet: ["SET lock_timeout = '2s'", 'ALTER TABLE person ADD COLUMN x int', 'CREATE INDEX CONCURRENTLY person_x_idx ON person (x)'] },
  { code: 'ONLINE_CONSTRAINT_NOT_VALID', on: ['postgres'], fires: ['ALTER TABLE person ADD CONSTRAINT person_age_ck CHECK (age >= 0)'],
    quiet: ['ALTER TABLE person ADD CONSTRAINT person_age_ck CHECK (age >= 0) NOT VALID', 'ALTER TABLE person VALIDATE CONSTRAINT person_age_ck'] },
  { code: 'ONLINE_SET_NOT_NULL', on: ['postgres'], fires: ['ALTER TABLE person ALTER COLUMN name SET NOT NULL'],
    quiet: ['ALTER TABLE person ADD CONSTRAINT person_name_nn CHECK (name IS NOT NULL) NOT VALID', 'ALTER TABLE person VALIDATE CONSTRAINT person_name_nn',
      'ALTER TABLE person ALTER COLUMN name SET NOT NULL'] },
  { code: 'ONLINE_TYPE_REWRITE', on: ['postgres'], fires: ['ALTER TABLE person ALTER COLUMN age TYPE bigint'],
    quiet: ['ALTER TABLE person ALTER COLUMN name TYPE varchar(200)'] },
  { code: 'ONLINE_VOLATILE_DEFAULT', on: ['postgres'], fires: ['ALTER TABLE person ADD COLUMN token uuid DEFAULT gen_random_uuid()'],
    quiet: ['ALTER TABLE person ADD COLUMN flag boolean DEFAULT false'] },
  { code: 'ONLINE_NO_LOCK_TIMEOUT', on: ['postgres'], fires: ['ALTER TABLE person ADD COLUMN x int'],
    quiet: ["SET LOCAL lock_timeout = '2s'", 'ALTER TABLE person ADD COLUMN x int'] },
  { code: 'ONLINE_NO_LOCK_TIMEOUT', on: ['mysql'], fires: ['ALTER TABLE person ADD COLUMN x int, ALGORITHM=INSTANT'],
    quiet: ['SET SESSION lock_wait_timeout = 2', 'ALTER TABLE person ADD COLUMN x int, ALGORITHM=INSTANT'] },
  { code: 'ONLINE_MYSQL_NO_ALGORITHM', on: ['mysql'], fires: ['ALTER TABLE person ADD INDEX person_name_idx (name)'],
    quiet: ['ALTER TABLE person ADD INDEX person_name_idx (name), ALGORITHM=INPLACE, LOCK=NONE'] },
  { code: 'ONLINE_MYSQL_COPY', on: ['mysql'], fires: ['ALTER TABLE person MODIFY COLUMN age bigint NULL, ALGORITHM=COPY, LOCK=SHARED'],
    quiet: ['ALTER TABLE person MODIFY COLUMN age int NULL DEFAULT 3, ALGORITHM=INSTANT'] },
];

/** A URL of the dialect, for lint to pick its rules by (lint of stored evolutions alone never connects). */
function urlOf(d: TestDialect): string {
  if (d === 'postgres') return PG_URL;
  if (d === 'mysql') return MYSQL_URL;
  return d === 'pglite' ? `pglite:${mkdtempSync(join(tmpdir(), 'evolve-lint-pglite-'))}` : `sqlite:${join(tmpdir(), 'evolve-lint-never-opened.db')}`;
}

/** The online codes lint reports for one stored evolution holding `statements`. */
async function codesFor(d: TestDialect, statements: readonly string[]): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'evolve-online-lint-'));
  writeFileSync(join(dir, '0001-change.sql'), `-- evolve:from fv1:aa\n-- evolve:to fv1:bb\n${statements.map((s) => `${s};\n`).join('')}`);
  hashEvolutions(dir);
  const r = await lintEvolution({ db: urlOf(d), evolutions: dir });
  for (const h of r.online) {
    assert.ok(h.fix.length > 0 && h.message.startsWith('0001-change.sql step '), `${h.code}: ${h.message} — ${h.fix}`);
    assert.ok(h.severity === 'error' || h.severity === 'warning');
  }
  return r.online.map((h) => h.code);
}

forEachDialect('online lint', (d) => {
  const family = evolveDialect(d);
  for (const c of CASES.filter((x) => x.on.includes(family))) {
    it(`${c.code}: fires on ${c.fires.at(-1)}; quiet on ${c.quiet.at(-1)}`, async () => {
      assert.ok((await codesFor(d, c.fires)).includes(c.code), `${c.code} fires`);
      assert.ok(!(await codesFor(d, c.quiet)).includes(c.code), `${c.code} stays quiet`);
    });
  }

  // PGlite is the PostgreSQL dialect, whose generated plan is linted on the server above: its ~30 s cold start buys nothing here.
  if (d !== 'pglite') it('a generated plan is linted too: a rename through aka breaks the running version; an added column does not', (t) => withDb(t, d, async (db) => {
    await evolveTo(db, [table('person', { id: integer().primaryKey(), name: varchar(50), age: integer() })]);
    await db.exec("INSERT INTO person (id, name, age) VALUES (1, 'ann', 3)");
    const renamed = writeModels(IMPORTS + "export const person = table('person', { id: integer().primaryKey(), " +
      "full_name: varchar(50).aka('name'), age: integer() });\n");
    const none = mkdtempSync(join(tmpdir(), 'evolve-lint-'));
    const r = await lintEvolution({ db: db.url, models: renamed, evolutions: none });
    assert.deepEqual(r.online.map((h) => `${h.code} ${h.column}`), ['ONLINE_RENAME_BREAKS_APP name']);
    assert.match(r.online[0]!.message, /^the generated plan, statement 1: renames column person\.name to full_name/);
    const text = await evolve(['lint', '--db', db.url, '--models', renamed, '--evolutions', none]);
    assert.match(text.stdout, /online safety \(what would block the application while it runs\):\n {2}~ ONLINE_RENAME_BREAKS_APP person\.name/);
    assert.match(text.stdout, /0 error\(s\), 0 warning\(s\); online safety: 0 error\(s\), 1 warning\(s\)/);
    const added = [table('person', { id: integer().primaryKey(), name: varchar(50), age: integer(), nick: varchar(20) })];
    assert.deepEqual((await lintEvolution({ db: db.url, models: added, evolutions: none })).online, []);
  }));

  if (family === 'mysql') {
    it('a generated INT → BIGINT on MySQL is linted as a copy under a lock', (t) => withDb(t, d, async (db) => {
      await evolveTo(db, [table('person', { id: integer().primaryKey(), age: integer() })]);
      const r = await lintEvolution({ db: db.url, models: [table('person', { id: integer().primaryKey(), age: bigint() })] });
      assert.deepEqual(r.online.map((h) => h.code), ['ONLINE_MYSQL_COPY']);
    }));
  }
});
