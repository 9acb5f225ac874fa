/**
 * Drizzle ORM schemas as models (issue 18 point 4), on every dialect: a module of Drizzle
 * tables given as `--models` creates what the same schema written as SQL and as Evolve models
 * creates (one fingerprint), renames declared beside it with `drizzleModels(schema, { aka })`
 * keep the data, and the data-loss gate refuses a drop.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pgEnum, pgSchema, pgTable, integer as pgInteger, text as pgText, type PgEnum } from 'drizzle-orm/pg-core';
import { applyEvolution, drizzleModels, fingerprintDatabase, planEvolution, splitSql, type Table } from '../../src/index.js';
import { forEachDialect, withDb, evolveDialect } from '../support/harness.js';
import { freshDatabase } from '../support/databases.js';
import { evolve, writeModels, ROOT } from '../support/cli.js';

const FIXTURES = join(ROOT, 'test/fixtures/drizzle');
/** The fixture of each dialect, and the Drizzle import a test module of that dialect starts with. */
const VARIANT = {
  sqlite: { file: 'sqlite', imports: "import { sqliteTable as dtable, integer, text } from 'drizzle-orm/sqlite-core';" },
  postgres: { file: 'pg', imports: "import { pgTable as dtable, integer, text } from 'drizzle-orm/pg-core';" },
  mysql: { file: 'mysql', imports: "import { mysqlTable as dtable, int as integer, text } from 'drizzle-orm/mysql-core';" },
} as const;

forEachDialect('Drizzle schemas as models', (d) => {
  const v = VARIANT[evolveDialect(d)];
  const schema = join(FIXTURES, `${v.file}.ts`);

  // Not on PGlite: the conversion is the PostgreSQL server's, and PGlite would add some 35 s (its first database, scratches for enums).
  if (d === 'pglite') return;
  it('evolve apply --models <Drizzle schema> creates what the schema as SQL and as Evolve models states: one fingerprint', (t) => withDb(t, d, async (db) => {
    const r = await evolve(['apply', '--db', db.url, '--models', schema]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal((await planEvolution({ db: db.url, models: schema })).inSync, true, 'after apply, the Drizzle schema plans nothing');
    const live = await fingerprintDatabase(db.url);
    const bySql = await freshDatabase(d);
    try {
      for (const s of splitSql(readFileSync(join(FIXTURES, `${v.file}.sql`), 'utf8'))) await bySql.exec(s);
      assert.equal((await fingerprintDatabase(bySql.url)).fingerprint, live.fingerprint, 'the SQL file creates what the Drizzle schema creates');
      const evolveModels = Object.values(await import(`../fixtures/drizzle/${v.file}-models.js`) as Record<string, Table>);
      const asModels = await planEvolution({ db: bySql.url, models: evolveModels });
      assert.equal(asModels.inSync, true, `the Evolve models plan changes: ${asModels.statements.map((s) => s.sql).join('; ')}`);
      assert.equal(asModels.targetFingerprint, live.fingerprint, "the Evolve models' fingerprint is the Drizzle schema's");
    } finally { await bySql.dispose(); }
  }));

  it('more column types, modes and literal defaults: the Drizzle schema and the same as SQL have one fingerprint', (t) => withDb(t, d, async (db) => {
    await applyEvolution({ db: db.url, models: join(FIXTURES, `types-${v.file}.ts`) });
    const bySql = await freshDatabase(d);
    try {
      for (const s of splitSql(readFileSync(join(FIXTURES, `types-${v.file}.sql`), 'utf8'))) await bySql.exec(s);
      assert.equal((await fingerprintDatabase(bySql.url)).fingerprint, (await fingerprintDatabase(db.url)).fingerprint);
    } finally { await bySql.dispose(); }
  }));

  it('renames declared with drizzleModels(schema, { aka }) keep the data; the data-loss gate refuses a drop', (t) => withDb(t, d, async (db) => {
    const module = (tables: string, aka = ''): string => writeModels(`import { drizzleModels } from 'evolve';\n${v.imports}\n`
      + `const schema = { ${tables} };\nexport default drizzleModels(schema${aka ? `, { aka: ${aka} }` : ''});\n`);
    const v1 = module("author: dtable('author', { id: integer('id').primaryKey(), name: text('name') })");
    assert.equal((await evolve(['apply', '--db', db.url, '--models', v1])).code, 0);
    await db.exec("INSERT INTO author (id, name) VALUES (1, 'Ada')");
    const v2 = module("writer: dtable('writer', { id: integer('id').primaryKey(), heading: text('heading') })",
      "{ writer: 'author', 'writer.heading': 'name' }");
    const renamed = await evolve(['apply', '--db', db.url, '--models', v2]);
    assert.equal(renamed.code, 0, renamed.stdout + renamed.stderr);
    assert.deepEqual(await db.query('SELECT id, heading FROM writer'), [{ id: 1, heading: 'Ada' }]);
    const v3 = module("writer: dtable('writer', { id: integer('id').primaryKey() })");
    const refused = await evolve(['apply', '--db', db.url, '--models', v3]);
    assert.notEqual(refused.code, 0, 'dropping a column holding data is refused');
    assert.match(refused.stdout + refused.stderr, /E_DATA_LOSS|data loss/i);
    assert.deepEqual(await db.query('SELECT id, heading FROM writer'), [{ id: 1, heading: 'Ada' }]);
  }));

  // On the server: PGlite is the same PostgreSQL.
  if (d === 'postgres') {
    it('a pgEnum value renamed through enumAka keeps the rows holding it', (t) => withDb(t, d, async (db) => {
      const person = <V extends [string, ...string[]]>(mood: PgEnum<V>) => pgTable('person', { id: pgInteger('id').primaryKey(), mood: mood('mood') });
      const v1 = pgEnum('mood', ['sad', 'ok']);
      await applyEvolution({ db: db.url, models: drizzleModels({ v1, person: person(v1) }) });
      await db.exec("INSERT INTO person (id, mood) VALUES (1, 'ok')");
      const v2 = pgEnum('mood', ['sad', 'fine', 'happy']);
      await applyEvolution({ db: db.url, models: drizzleModels({ v2, person: person(v2) }, { enumAka: { mood: { fine: 'ok' } } }) });
      assert.deepEqual(await db.query('SELECT mood::text AS mood FROM person'), [{ mood: 'fine' }]);
    }));

    it('pgSchema() tables are tables of that schema (opted into with ?schemas=), referenced by name', (t) => withDb(t, d, async (db) => {
      const extra = `${new URL(db.url).searchParams.get('schema')}_shop`;
      const url = new URL(db.url);
      url.searchParams.set('schemas', extra);
      try {
        const shop = pgSchema(extra);
        const item = shop.table('item', { id: pgInteger('id').primaryKey(), name: pgText('name') });
        // An enum beside a table of another schema: the scratch reading the models' objects back has that schema too.
        const tier = pgEnum('tier', ['free', 'paid']);
        const owner = pgTable('owner', { id: pgInteger('id').primaryKey(), itemId: pgInteger('item_id').references(() => item.id), tier: tier('tier') });
        const models = drizzleModels({ shop, item, owner, tier });
        await applyEvolution({ db: url.toString(), models });
        assert.equal((await planEvolution({ db: url.toString(), models })).inSync, true);
        await db.exec(`INSERT INTO "${extra}".item (id, name) VALUES (1, 'pen'); INSERT INTO owner (id, item_id) VALUES (1, 1)`);
      } finally { await db.exec(`DROP SCHEMA IF EXISTS "${extra}" CASCADE`); }
    }));
  }
});
