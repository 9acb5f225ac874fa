/**
 * Column collations (issue 15 point 5), on every dialect: read, fingerprinted, compared and
 * changed — from SQL files (a column's COLLATE) and from models (`.collation()`): a column
 * goes from one collation to another, to none and back, reaching each time the fingerprint of
 * loading the same file natively, its rows and its index kept; `evolve diff` of two files that
 * differ only by a collation names the change.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fingerprintDatabase, modelsFingerprint, splitSql, table, integer, text, varchar } from '../../src/index.js';
import { evolveDialect, forEachDialect, withDb } from '../support/harness.js';
import { evolveTo, rows } from '../support/evolve.js';
import { freshDatabase, MYSQL_URL, PG_URL, type TestDialect } from '../support/databases.js';
import { evolve, IMPORTS, writeModels } from '../support/cli.js';

/** Two collations of the dialect, each other than the default, as a SQL file spells them and as the IR names them. */
const COLLATIONS: Record<TestDialect, readonly [{ sql: string; name: string }, { sql: string; name: string }]> = {
  sqlite: [{ sql: 'NOCASE', name: 'nocase' }, { sql: 'RTRIM', name: 'rtrim' }],
  postgres: [{ sql: '"C"', name: 'C' }, { sql: '"POSIX"', name: 'POSIX' }],
  pglite: [{ sql: '"C"', name: 'C' }, { sql: '"POSIX"', name: 'POSIX' }],
  mysql: [{ sql: 'utf8mb4_bin', name: 'utf8mb4_bin' }, { sql: 'utf8mb4_unicode_ci', name: 'utf8mb4_unicode_ci' }],
};

/**
 * The schema with column `word.w` under `collate` (a COLLATE clause, or none), an index on it,
 * a generated column and a view reading it (PostgreSQL changes neither a column's type nor its
 * collation under them).
 */
const schemaSql = (collate: string | null): string => `CREATE TABLE word (
  id integer NOT NULL PRIMARY KEY,
  w varchar(40)${collate ? ` COLLATE ${collate}` : ''},
  note varchar(40),
  loud varchar(40) GENERATED ALWAYS AS (upper(w)) STORED
);
CREATE INDEX word_w_idx ON word (w);
CREATE VIEW word_view AS SELECT id, w FROM word;
`;

function file(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'evolve-collation-')), 'schema.sql');
  writeFileSync(path, text);
  return path;
}

const fp = async (url: string): Promise<string> => (await fingerprintDatabase(url)).fingerprint;

forEachDialect('column collations', (d) => {
  const [a, b] = COLLATIONS[d];

  it('a SQL file\'s COLLATE: evolves to another collation, to none and back, each time to the fingerprint of loading the file', (t) => withDb(t, d, async (db) => {
    /** The fingerprint of loading `sql` natively into an empty database. */
    const nativeFingerprint = async (sql: string): Promise<string> => {
      const direct = await freshDatabase(d);
      try {
        for (const s of splitSql(sql)) await direct.exec(s);
        return await fp(direct.url);
      } finally { await direct.dispose(); }
    };
    const states = [a.sql, b.sql, null, a.sql];
    const seen: string[] = [];
    for (const [i, collate] of states.entries()) {
      const sql = schemaSql(collate);
      const r = await evolve(['apply', '--db', db.url, '--models', file(sql)]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      if (i === 0) await db.exec("INSERT INTO word (id, w, note) VALUES (1, 'Apple', 'x'), (2, 'apple', 'y')");
      const live = await fp(db.url);
      assert.equal(live, await nativeFingerprint(sql), `state ${i} (${collate ?? 'no collation'}): the fingerprint of loading the file`);
      const again = await evolve(['diff', '--exit-code', db.url, file(sql)]);
      assert.equal(again.code, 0, `state ${i}: in sync after apply\n${again.stdout}${again.stderr}`);
      seen.push(live);
    }
    assert.equal(new Set(seen.slice(0, 3)).size, 3, 'each collation, and none, has its own fingerprint');
    assert.equal(seen[3], seen[0], 'back to the first collation: its fingerprint again');
    assert.deepEqual(await rows(db, 'SELECT id, w, note FROM word ORDER BY id'), [{ id: '1', w: 'Apple', note: 'x' }, { id: '2', w: 'apple', note: 'y' }]);
  }));

  it('evolve diff of two SQL files that differ only by a collation names the change', (t) => withDb(t, d, async (db) => {
    const none = file(schemaSql(null));
    const withA = file(schemaSql(a.sql));
    const withB = file(schemaSql(b.sql));
    const scratch = d === 'mysql' ? ['--scratch', MYSQL_URL] : d === 'postgres' ? ['--scratch', PG_URL] : [];
    const dialect = evolveDialect(d);
    for (const [from, to] of [[none, withA], [withA, withB], [withB, none]] as const) {
      const r = await evolve(['diff', '--dialect', dialect, ...scratch, from, to]);
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stdout, /no differences/);
      assert.match(r.stdout, /alter column word\.w \(collation\)|rebuild word/);
      const json = await evolve(['diff', '--json', '--dialect', dialect, ...scratch, from, to]);
      const doc = JSON.parse(json.stdout) as { changes: { kind: string; table?: string }[] };
      assert.deepEqual(doc.changes.filter((c) => c.kind === 'alterColumn').map((c) => c.table), ['word'], json.stdout);
    }
    // And against the database: a file with another collation than the live column's.
    assert.equal((await evolve(['apply', '--db', db.url, '--models', withA])).code, 0);
    const live = await evolve(['diff', '--exit-code', db.url, withB]);
    assert.equal(live.code, 3, live.stdout + live.stderr);
    assert.match(live.stdout, /alter column word\.w \(collation\)|rebuild word/);
  }));

  it('models state a collation with .collation(): the same fingerprint as the SQL file; changed, kept when unsaid', (t) => withDb(t, d, async (db) => {
    const ed = evolveDialect(d);
    const models = (collation: string | null) => {
      const w = varchar(40);
      return [table('word', { id: integer().primaryKey(), w: collation ? w.collation(collation) : w, note: text() })];
    };
    // The model and the SQL file say the same thing.
    const sqlDb = await freshDatabase(d);
    try {
      for (const s of splitSql(`CREATE TABLE word (id integer NOT NULL PRIMARY KEY, w varchar(40) COLLATE ${a.sql}, note text);`)) await sqlDb.exec(s);
      assert.equal(await fp(sqlDb.url), await modelsFingerprint(models(a.name), ed), 'a model with .collation() and the SQL file');
    } finally { await sqlDb.dispose(); }
    await evolveTo(db, models(a.name));
    await db.exec("INSERT INTO word (id, w) VALUES (1, 'Apple')");
    await evolveTo(db, models(b.name));
    await evolveTo(db, models(a.name));
    // Unsaid: the live collation is kept, and said so.
    const unsaid = writeModels(IMPORTS + "export const word = table('word', { id: integer().primaryKey(), w: varchar(40), note: text() });\n");
    const r = await evolve(['apply', '--db', db.url, '--models', unsaid]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout + r.stderr, new RegExp(`collation ${a.name} of column word\\.w`));
    assert.doesNotMatch(r.stdout, /alter column/);
    assert.equal(await fp(db.url), await modelsFingerprint(models(a.name), ed));
    assert.deepEqual(await rows(db, 'SELECT id, w FROM word'), [{ id: '1', w: 'Apple' }]);
  }));
});
