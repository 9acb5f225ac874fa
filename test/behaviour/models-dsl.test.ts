/**
 * The model DSL states what a SQL file states (issue 18 point 1): for each feature on each
 * dialect that has it, models and the equivalent SQL file give the same fingerprint — the
 * models applied to one empty database, the SQL file run on another — and the models then plan
 * nothing against what they created.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import {
  table, index, check, sql, integer, bigint, real, decimal, text, varchar, date, timestamp, boolean,
  jsonb, inet, array, tinyint, mysqlEnum, mysqlSet, smallint,
  view, materializedView, trigger, sqlFunction, sqlAggregate, sequence, enumType, domain, compositeType, exclusion,
  applyEvolution, planEvolution, fingerprintDatabase, splitSql, type Table, type ModelObject,
} from '../../src/index.js';
import { forEachDialect, withDb, evolveDialect } from '../support/harness.js';
import { freshDatabase, ownPostgresDatabase, type TestDatabase, type TestDialect } from '../support/databases.js';
import { ROOT } from '../support/cli.js';
import { prestashopInstaller } from '../support/fixture-installers.js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type Models = (Table | ModelObject)[];
/**
 * Models (or the path of a models module) and the SQL stating the same schema: its text, or the
 * path of a fixture's SQL file, loaded as Evolve loads a SQL file (its `CREATE DATABASE`/`USE`
 * and what Evolve does not manage, such as procedures, are not part of the schema).
 */
interface Case { readonly models: Models | string; readonly sql: string }

/** Tables with checks, generated columns, identity kinds, collations, enums and dialect types. */
function tableFeatures(d: 'sqlite' | 'postgres' | 'mysql'): Case {
  if (d === 'sqlite') {
    const item = table('item', {
      id: integer().primaryKey(),
      price: real().notNull().check(sql`price >= 0`, 'price_not_negative'),
      lo: integer(), hi: integer(),
      total: real().generatedAs(sql`price * 2`, { stored: false }),
      taxed: real().generatedAs(sql`price * 1.2`, { stored: true }),
      mood: text().check(sql`mood IN ('sad', 'ok')`),
      label: text().collation('nocase'),
    }, { checks: [sql`lo <= hi`, check('item_hi_small', sql`hi < 100`)] });
    return {
      models: [item],
      sql: `CREATE TABLE item (
  id integer NOT NULL PRIMARY KEY,
  price real NOT NULL,
  lo integer, hi integer,
  total real GENERATED ALWAYS AS (price * 2) VIRTUAL,
  taxed real GENERATED ALWAYS AS (price * 1.2) STORED,
  mood text,
  label text COLLATE NOCASE,
  CONSTRAINT price_not_negative CHECK (price >= 0),
  CHECK (mood IN ('sad', 'ok')),
  CHECK (lo <= hi),
  CONSTRAINT item_hi_small CHECK (hi < 100)
);`,
    };
  }
  if (d === 'postgres') {
    const mood = enumType('mood', ['sad', 'ok', 'happy']);
    const year = domain('year', integer(), { check: sql`VALUE >= 1901 AND VALUE <= 2155` });
    const code = domain('code', varchar(10), {
      check: [check('code_len', sql`length(VALUE) > 1`), sql`VALUE <> 'xx'`], notNull: true, default: 'aa', collation: 'C', comment: 'a code',
    });
    const address = compositeType('address', { street: text(), zip: varchar(10).collation('C') }, { comment: 'where' });
    const item = table('item', {
      id: bigint().identity('always'),
      price: decimal(10, 2).notNull().check(sql`price >= 0`, 'price_not_negative'),
      lo: integer(), hi: integer(),
      taxed: decimal(12, 2).generatedAs(sql`price * 1.2`),
      mood: mood.column().notNull().default('ok'),
      label: text().collation('C'),
      doc: jsonb(), host: inet(), tags: array(text()), grid: array(integer()), small: smallint(),
      released: year.column(), code: code.column(), at: address.column(),
    }, { checks: [sql`lo <= hi`, check('item_hi_small', sql`hi < 100`)] });
    const other = table('other', { id: integer().identity('byDefault'), at: timestamp({ withTimeZone: true }) });
    // Serial columns outside the primary key (a sequence OWNED BY the column, as pg_dump writes it), and inside a composite one.
    const job = table('job', { name: text().primaryKey(), seq: integer().autoIncrement(), n: bigint().autoIncrement() });
    const link = table('link', { a: integer(), b: integer().autoIncrement() }, { primaryKey: ['a', 'b'] });
    return {
      models: [mood, year, code, address, item, other, job, link],
      sql: `CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN year AS integer CHECK (VALUE >= 1901 AND VALUE <= 2155);
CREATE DOMAIN code AS varchar(10) COLLATE "C" DEFAULT 'aa' NOT NULL CONSTRAINT code_len CHECK (length(VALUE) > 1) CHECK (VALUE <> 'xx');
COMMENT ON DOMAIN code IS 'a code';
CREATE TYPE address AS (street text, zip varchar(10) COLLATE "C");
COMMENT ON TYPE address IS 'where';
CREATE TABLE item (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  price numeric(10, 2) NOT NULL CONSTRAINT price_not_negative CHECK (price >= 0),
  lo integer, hi integer,
  taxed numeric(12, 2) GENERATED ALWAYS AS (price * 1.2) STORED,
  mood mood NOT NULL DEFAULT 'ok',
  label text COLLATE "C",
  doc jsonb, host inet, tags text[], grid integer[][], small smallint,
  released year, code code, at address,
  CHECK (lo <= hi),
  CONSTRAINT item_hi_small CHECK (hi < 100)
);
CREATE TABLE other (id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, at timestamptz);
CREATE SEQUENCE job_seq_seq AS integer;
CREATE TABLE job (name text PRIMARY KEY, seq integer NOT NULL DEFAULT nextval('job_seq_seq'::regclass), n bigserial);
ALTER SEQUENCE job_seq_seq OWNED BY job.seq;
CREATE TABLE link (a integer, b serial, PRIMARY KEY (a, b));`,
    };
  }
  const item = table('item', {
    id: integer().primaryKey({ autoIncrement: true }),
    price: decimal(10, 2).notNull().check(sql`price >= 0`, 'price_not_negative'),
    lo: integer(), hi: integer(),
    total: decimal(12, 2).generatedAs(sql`price * 2`, { stored: false }),
    taxed: decimal(12, 2).generatedAs(sql`price * 1.2`, { stored: true }),
    size: mysqlEnum('small', 'medium', 'large').notNull().default('medium'),
    perms: mysqlSet('read', 'write'),
    level: tinyint({ unsigned: true }).notNull().default(0),
    label: varchar(20).collation('utf8mb4_bin'),
    touched: timestamp({ withTimeZone: true }).notNull().default(sql`CURRENT_TIMESTAMP`).onUpdate(sql`CURRENT_TIMESTAMP`),
  }, { checks: [sql`lo <= hi`, check('item_hi_small', sql`hi < 100`)], indexes: [index('by_level').on('level')] });
  // Auto-increment on a small unsigned integer; an index name another table's index has (MySQL names them per table).
  const kind = table('kind', { id: smallint({ unsigned: true }).primaryKey({ autoIncrement: true }), level: integer() },
    { indexes: [index('by_level').on('level')] });
  // An auto-increment column leading a composite primary key.
  const link = table('link', { id: integer().autoIncrement(), k: integer().notNull() }, { primaryKey: ['id', 'k'] });
  return {
    models: [item, kind, link],
    sql: `CREATE TABLE kind (id smallint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY, level integer, KEY by_level (level));
CREATE TABLE link (id integer NOT NULL AUTO_INCREMENT, k integer NOT NULL, PRIMARY KEY (id, k));
CREATE TABLE item (
  id integer NOT NULL AUTO_INCREMENT PRIMARY KEY,
  price decimal(10, 2) NOT NULL,
  lo integer, hi integer,
  total decimal(12, 2) GENERATED ALWAYS AS (price * 2) VIRTUAL,
  taxed decimal(12, 2) GENERATED ALWAYS AS (price * 1.2) STORED,
  size enum('small', 'medium', 'large') NOT NULL DEFAULT 'medium',
  perms set('read', 'write'),
  level tinyint unsigned NOT NULL DEFAULT 0,
  label varchar(20) COLLATE utf8mb4_bin,
  touched timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  KEY by_level (level),
  CONSTRAINT price_not_negative CHECK (price >= 0),
  CHECK (lo <= hi),
  CONSTRAINT item_hi_small CHECK (hi < 100)
);`,
  };
}

/**
 * Views, materialized views (with indexes), triggers, functions (PostgreSQL: one reading a table, one returning its rows),
 * aggregates, sequences, expression indexes and index methods, comments (on tables, columns, views, functions).
 */
function objectFeatures(d: 'sqlite' | 'postgres' | 'mysql'): Case {
  const person = table('person', {
    id: integer().primaryKey(),
    name: d === 'postgres' ? varchar(80).notNull().comment("the person's name") : varchar(80).notNull(),
    tags: d === 'postgres' ? array(text()) : text(),
    n: integer().default(0),
  }, {
    ...(d === 'postgres' ? { comment: 'people' } : {}),
    indexes: [
      ...(d === 'mysql'
        ? [index('person_name_prefix').on(sql`name(10)`), index('person_tags_text', { using: 'fulltext' }).on('tags')]
        : [index('person_lower_name').on(sql`lower(name)`)]),
      ...(d === 'postgres' ? [index('person_tags', { using: 'gin' }).on('tags'), index('person_live_lower').on(sql`lower(name)`).unique().where(sql`n > 0`),
        index('person_n_inc').on('n').include('name')] : []),
    ],
  });
  const personView = view('person_names', sql`SELECT id, name FROM person`, { reads: [person], ...(d === 'postgres' ? { comment: 'names' } : {}) });
  const models: Models = [person, personView];
  const stmts: string[] = [];
  const tableSql = `CREATE TABLE person (id integer NOT NULL PRIMARY KEY, name varchar(80) NOT NULL, tags ${d === 'postgres' ? 'text[]' : 'text'}, n integer DEFAULT 0)`;
  if (d === 'sqlite') {
    models.push(trigger('person_touch', { on: person }, sql`CREATE TRIGGER person_touch AFTER INSERT ON person BEGIN UPDATE person SET n = 1 WHERE id = NEW.id; END`));
    stmts.push(tableSql, 'CREATE INDEX person_lower_name ON person (lower(name))', 'CREATE VIEW person_names AS SELECT id, name FROM person',
      'CREATE TRIGGER person_touch AFTER INSERT ON person BEGIN UPDATE person SET n = 1 WHERE id = NEW.id; END');
  } else if (d === 'postgres') {
    models.push(
      materializedView('person_count', sql`SELECT count(*) AS n FROM person`, { reads: [person], indexes: [index('person_count_n').on('n').unique()] }),
      sqlFunction('person_up', sql`CREATE FUNCTION person_up() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.name := upper(NEW.name); RETURN NEW; END $$`,
        { comment: 'upper-cases' }),
      sqlFunction('person_total', sql`CREATE FUNCTION person_total() RETURNS bigint LANGUAGE sql STABLE AS $$ SELECT count(*) FROM person $$`),
      sqlFunction('people', sql`CREATE FUNCTION people() RETURNS SETOF person LANGUAGE sql STABLE AS $$ SELECT * FROM person $$`),
      sqlAggregate('total(integer)', sql`CREATE AGGREGATE total(integer) (SFUNC = int4pl, STYPE = integer)`),
      exclusion('person_n_excl', { on: person }, sql`EXCLUDE USING btree (n WITH =)`),
      trigger('person_touch', { on: person }, sql`CREATE TRIGGER person_touch BEFORE INSERT ON person FOR EACH ROW EXECUTE FUNCTION person_up()`),
      sequence('invoice_no', { start: 1000, increment: 5 }),
    );
    stmts.push(tableSql, 'CREATE INDEX person_lower_name ON person (lower(name))', 'CREATE INDEX person_tags ON person USING gin (tags)',
      'CREATE UNIQUE INDEX person_live_lower ON person (lower(name)) WHERE n > 0', 'CREATE INDEX person_n_inc ON person (n) INCLUDE (name)',
      'CREATE VIEW person_names AS SELECT id, name FROM person', 'CREATE MATERIALIZED VIEW person_count AS SELECT count(*) AS n FROM person',
      'CREATE FUNCTION person_up() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.name := upper(NEW.name); RETURN NEW; END $$',
      'CREATE TRIGGER person_touch BEFORE INSERT ON person FOR EACH ROW EXECUTE FUNCTION person_up()',
      'CREATE SEQUENCE invoice_no INCREMENT BY 5 START WITH 1000', "COMMENT ON TABLE person IS 'people'",
      "COMMENT ON COLUMN person.name IS 'the person''s name'", 'CREATE UNIQUE INDEX person_count_n ON person_count (n)',
      "COMMENT ON VIEW person_names IS 'names'", "COMMENT ON FUNCTION person_up() IS 'upper-cases'",
      'CREATE FUNCTION person_total() RETURNS bigint LANGUAGE sql STABLE AS $$ SELECT count(*) FROM person $$',
      'CREATE FUNCTION people() RETURNS SETOF person LANGUAGE sql STABLE AS $$ SELECT * FROM person $$',
      'CREATE AGGREGATE total(integer) (SFUNC = int4pl, STYPE = integer)', 'ALTER TABLE person ADD CONSTRAINT person_n_excl EXCLUDE USING btree (n WITH =)');
  } else {
    models.push(
      trigger('person_touch', { on: person }, sql`CREATE TRIGGER person_touch BEFORE INSERT ON person FOR EACH ROW SET NEW.n = 2`),
      sqlFunction('twice', sql`CREATE FUNCTION twice(x integer) RETURNS integer DETERMINISTIC RETURN x * 2`),
    );
    stmts.push(tableSql, 'CREATE INDEX person_name_prefix ON person (name(10))', 'CREATE FULLTEXT INDEX person_tags_text ON person (tags)',
      'CREATE VIEW person_names AS SELECT id, name FROM person',
      'CREATE TRIGGER person_touch BEFORE INSERT ON person FOR EACH ROW SET NEW.n = 2',
      'CREATE FUNCTION twice(x integer) RETURNS integer DETERMINISTIC RETURN x * 2');
  }
  return { models, sql: stmts.map((s) => `${s};\n`).join('') };
}

/** Models applied to `a`, the SQL file run on a fresh database: the same fingerprint, and nothing left to plan. */
async function sameAsSql(d: TestDialect, a: TestDatabase, c: Case): Promise<void> {
  const applied = await applyEvolution({ db: a.url, models: c.models });
  const again = await planEvolution({ db: a.url, models: c.models });
  assert.equal(again.inSync, true, `after apply, the models still plan: ${JSON.stringify(again.changes)}`);
  const b = await freshDatabase(d);
  try {
    const file = c.sql.endsWith('.sql');
    if (file) await applyEvolution({ db: b.url, models: c.sql });
    else for (const s of splitSql(c.sql)) await b.exec(s);
    const bySql = await fingerprintDatabase(b.url);
    const live = await fingerprintDatabase(a.url);
    assert.equal(live.fingerprint, bySql.fingerprint, 'the models create what the SQL file creates');
    assert.equal(applied.targetFingerprint, bySql.fingerprint, "the models' own fingerprint is the SQL file's");
    if (!file) assert.deepEqual(live.unmanaged, bySql.unmanaged);
  } finally { await b.dispose(); }
}

forEachDialect('the model DSL states what a SQL file states', (d) => {
  const dialect = evolveDialect(d);
  it('checks (column and table, named), generated columns, identity kinds, collations, enums, domains, dialect types', (t) => withDb(t, d, async (db) => {
    await sameAsSql(d, db, tableFeatures(dialect));
    if (dialect !== 'postgres') {
      // Domains are PostgreSQL's: refused before anything runs, naming the domain and the fix.
      const year = domain('year', integer(), { check: sql`VALUE >= 1901` });
      await assert.rejects(applyEvolution({ db: db.url, models: [year, table('film', { id: integer().primaryKey(), y: year.column() })] }),
        (e: { code?: string; message?: string; hint?: string }) => e.code === 'E_UNSUPPORTED' && /domain 'year'/.test(e.message ?? '') && !!e.hint);
    }
  }));
  it('views, materialized views, triggers, functions, sequences, expression indexes and index methods, comments', (t) => withDb(t, d, async (db) => {
    await sameAsSql(d, db, objectFeatures(dialect));
  }));
  if (dialect === 'sqlite') {
    it('a sample schema of test/fixtures written as TypeScript: chinook-like v1', (t) => withDb(t, d, async (db) => {
      const mod = await import('../fixtures/sqlite/chinook-like/models.js') as Record<string, Table | ModelObject>;
      await sameAsSql(d, db, { models: Object.values(mod), sql: readFileSync(join(ROOT, 'test/fixtures/sqlite/chinook-like/v1.sql'), 'utf8') });
    }));
    // The module `evolve pull` wrote for it (test/behaviour/pull.test.ts keeps it what it writes).
    it('a sample schema of test/fixtures written as TypeScript by evolve pull: sqlite/chinook', (t) => withDb(t, d, async (db) => {
      const dir = join(ROOT, 'test/fixtures/sqlite/chinook');
      await sameAsSql(d, db, { models: join(dir, 'models.ts'), sql: join(dir, 'Chinook_Sqlite.sql') });
    }));
  }
  if (dialect === 'mysql') {
    // The modules `evolve pull` wrote for them (test/behaviour/pull.test.ts keeps them what it writes).
    // `install`: the text its installer loads (PrestaShop's placeholders substituted), as pull.test.ts loads it.
    const fixtures: [string, string, ((sql: string) => string)?][] = [
      ['chinook', 'Chinook_MySql.sql'], ['sakila-like', 'v1.sql'], ['northwind', 'northwind.sql'], ['sakila', 'sakila-schema.sql'],
      ['prestashop', 'db_structure.sql', prestashopInstaller],
    ];
    for (const [name, file, install] of fixtures) {
      it(`a sample schema of test/fixtures written as TypeScript by evolve pull: mysql/${name}`, { timeout: 5 * 60_000 }, (t) => withDb(t, d, async (db) => {
        const dir = join(ROOT, 'test/fixtures/mysql', name);
        let sqlFile = join(dir, file);
        if (install) {
          sqlFile = join(mkdtempSync(join(tmpdir(), 'evolve-models-dsl-')), file);
          writeFileSync(sqlFile, install(readFileSync(join(dir, file), 'utf8')));
        }
        await sameAsSql(d, db, { models: join(dir, 'models.ts'), sql: sqlFile });
      }));
    }
  }
  // On the server: PGlite is the same PostgreSQL, and slow to start the databases this takes.
  if (d === 'postgres') {
    // Written by `evolve pull` from the fixture loaded by its SQL file (see pull.test.ts); pg_dump files need a database of their own.
    for (const [name, sqlFile] of [['pagila', 'v1.sql'], ['pagila-real', 'schema.sql'], ['sakila-jooq', 'schema.sql'], ['sourcegraph', 'schema.sql']] as const) {
      it(`a sample schema of test/fixtures written as TypeScript (pulled): ${name}`, { timeout: 120_000 }, async () => {
        const own = await ownPostgresDatabase();
        try {
          const dir = join(ROOT, 'test', 'fixtures', 'postgres', name);
          const models = await planEvolution({ db: own.url, models: join(dir, 'models.ts') });
          const bySql = await planEvolution({ db: own.url, models: join(dir, sqlFile) });
          assert.equal(models.targetFingerprint, bySql.targetFingerprint, `${name}/models.ts states what ${sqlFile} does`);
        } finally { await own.dispose(); }
      });
    }
    it('an enum value renamed through aka keeps the rows holding it; a new value is added in its place', (t) => withDb(t, d, async (db) => {
      const person = (mood: ReturnType<typeof enumType>): Table => table('person', { id: integer().primaryKey(), mood: mood.column() });
      const v1 = enumType('mood', ['sad', 'ok']);
      await applyEvolution({ db: db.url, models: [v1, person(v1)] });
      await db.exec("INSERT INTO person (id, mood) VALUES (1, 'ok')");
      const v2 = enumType('mood', ['sad', 'fine', 'happy'], { aka: { fine: 'ok' } });
      const plan = await planEvolution({ db: db.url, models: [v2, person(v2)] });
      assert.ok(plan.statements.some((s) => /RENAME VALUE 'ok' TO 'fine'/.test(s.sql)), plan.statements.map((s) => s.sql).join('\n'));
      await applyEvolution({ db: db.url, models: [v2, person(v2)] });
      assert.deepEqual(await db.query('SELECT mood::text AS mood FROM person'), [{ mood: 'fine' }]);
      assert.equal((await planEvolution({ db: db.url, models: [v2, person(v2)] })).inSync, true);
    }));
  }
  void date; void boolean;
});
