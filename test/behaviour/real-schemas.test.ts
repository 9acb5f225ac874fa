/**
 * Round trips on real-world schemas (issue 7, part 4): sample-database-like fixtures with
 * views, triggers, checks, generated columns, enums, partial and expression indexes, in
 * `test/fixtures/<dialect>/<sample>/` as `v1.sql`, a later `v2.sql` (renames marked with
 * `-- evolve:aka`), and `data.sql` (rows valid for v1); each has at least 24 tables. For each:
 *  (a) `evolve diff DB v1.sql` is empty right after loading v1.sql into DB;
 *  (b) `evolve apply --models v1.sql` on an empty database gives the fingerprint of loading it;
 *  (c) evolving v1 (with data) to v2 gives v2's fingerprint and keeps every row.
 * PGlite is left out: the PostgreSQL fixtures use server extensions; the server covers the dialect.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyEvolution, diffSources, fingerprintDatabase, splitSql } from '../../src/index.js';
import { akaFromSql } from '../../src/database/sources.js';
import { evolveDialect, forEachDialect, withDb } from '../support/harness.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { evolve, ROOT } from '../support/cli.js';

const FIXTURES = join(ROOT, 'test', 'fixtures');

function samples(dialect: string): string[] {
  const dir = join(FIXTURES, dialect);
  return existsSync(dir) ? readdirSync(dir).filter((n) => existsSync(join(dir, n, 'v1.sql'))).sort() : [];
}

async function load(db: TestDatabase, file: string): Promise<void> {
  for (const s of splitSql(readFileSync(file, 'utf8'))) await db.exec(s);
}

/** Row counts of every table named in data.sql's INSERTs. */
async function counts(db: TestDatabase, tables: readonly string[], q: (n: string) => string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const t of tables) out.set(t, Number((await db.query(`SELECT count(*) AS n FROM ${q(t)}`))[0]!.n));
  return out;
}

forEachDialect('real-world schemas', (d) => {
  if (d === 'pglite') return;
  const dialect = evolveDialect(d);
  const q = (n: string): string => (dialect === 'mysql' ? `\`${n}\`` : `"${n}"`);
  const list = samples(dialect);
  it(`there are fixtures for ${dialect}`, () => { assert.ok(list.length > 0, `test/fixtures/${dialect} holds at least one sample schema`); });
  for (const name of list) {
    const dir = join(FIXTURES, dialect, name);
    const v1 = join(dir, 'v1.sql');
    const v2 = join(dir, 'v2.sql');
    const data = join(dir, 'data.sql');

    it(`${name}: diff DB v1.sql is empty after loading v1.sql; apply --models v1.sql on an empty database gives the same fingerprint`, { timeout: 10 * 60_000 }, (t) => withDb(t, d, async (db) => {
      await load(db, v1);
      const loaded = await fingerprintDatabase(db.url);
      assert.ok(loaded.tables >= 24, `a sample of real-world size: ${loaded.tables} tables`);
      const self = await diffSources(db.url, v1);
      assert.deepEqual(self.statements.map((s) => s.sql), [], 'no statement turns the database into the file it was loaded from');
      assert.equal(self.fromFingerprint, self.toFingerprint);
      const cli = await evolve(['diff', db.url, v1]);
      assert.equal(cli.code, 0, cli.stderr);
      assert.match(cli.stdout, /no differences/);

      const empty = await freshDatabase(d);
      try {
        await applyEvolution({ db: empty.url, models: v1 });
        assert.equal((await fingerprintDatabase(empty.url)).fingerprint, loaded.fingerprint, 'apply --models v1.sql gives the fingerprint of loading v1.sql');
        assert.deepEqual((await diffSources(empty.url, v1)).statements, []);
      } finally { await empty.dispose(); }
    }));

    if (!existsSync(v2)) continue;
    it(`${name}: evolving v1 with data to v2 gives v2's fingerprint and keeps every row`, { timeout: 10 * 60_000 }, (t) => withDb(t, d, async (db) => {
      const reference = await freshDatabase(d);
      let expected: string;
      try {
        await load(reference, v2);
        expected = (await fingerprintDatabase(reference.url)).fingerprint;
      } finally { await reference.dispose(); }

      await load(db, v1);
      const dataText = existsSync(data) ? readFileSync(data, 'utf8') : '';
      if (dataText) await load(db, data);
      const tables = [...new Set([...dataText.matchAll(/insert\s+into\s+[`"]?(\w+)/gi)].map((m) => m[1]!))];
      const before = await counts(db, tables, q);
      assert.ok([...before.values()].some((n) => n > 0), 'the fixture has data');

      const r = await evolve(['apply', '--db', db.url, '--models', v2]);
      assert.equal(r.code, 0, `apply v2: ${r.stdout}\n${r.stderr}`);
      assert.equal((await fingerprintDatabase(db.url)).fingerprint, expected, 'the evolved database has the fingerprint of v2 loaded directly');
      assert.deepEqual((await diffSources(db.url, v2)).statements, [], 'nothing left to do');

      const renamed = akaFromSql(readFileSync(v2, 'utf8')).tables;
      const newName = (old: string): string => [...renamed].find(([, akas]) => akas.includes(old))?.[0] ?? old;
      const after = await counts(db, tables.map(newName), q);
      for (const [table, n] of before) assert.equal(after.get(newName(table)), n, `rows of ${table} survive (as ${newName(table)})`);
    }));
  }
});
