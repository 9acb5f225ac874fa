/**
 * PostgreSQL-only behaviour, on a PostgreSQL server and on PGlite: every DSL feature without
 * false diffs, every kind of change keeping data, hand-written tables, atomic failure, schema
 * scoping, read-only connections, golden fingerprints, and the pieces (expression
 * canonicalisation, lossy-value predicates) that make them hold.
 *
 * Each test gets a fresh schema (server) or a fresh directory (PGlite); see test/support/databases.ts.
 */
import { describe, it, type TestContext } from 'node:test';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import {
  table, index, sql, integer, bigint, real, decimal, text, varchar, boolean, date, timestamp, json, bytes, uuid, rawType,
  applyEvolution, planEvolution, recordEvolution, modelsFingerprint, fingerprintDatabase, inspect, parseDatabaseUrl, isEvolveError,
  fingerprint, diffSchemas, HazardCode,
  type Table, type ApplyReport, type ColumnBuilder, type ColumnType,
} from '../../src/index.js';
import { postgresDialect, canonicalExpression } from '../../src/dialects/postgres/index.js';
import type { Connection } from '../../src/dialects/connection.js';
import { parsePgDefault, normaliseColumnDefault } from '../../src/dialects/postgres/normalise.js';
import { parsePgType } from '../../src/dialects/postgres/sql-builder.js';
import { defaultConstraintName } from '../../src/dialects/postgres/planner.js';
import { connectPostgres } from '../../src/dialects/postgres/connection.js';
import { schemaFromSql } from '../../src/database/sources.js';
import { objectDependencies } from '../../src/diff/objects.js';
import { freshDatabase, selectedDialects, serverProblem, PG_URL, type TestDatabase } from '../support/databases.js';

type PgDialect = 'postgres' | 'pglite';
const DIALECTS = (['postgres', 'pglite'] as const).filter((d) => selectedDialects().includes(d));

/** Pinned fingerprint of {@link goldenModels} on PostgreSQL (server and PGlite alike). */
const GOLDEN_POSTGRES = 'fv1:9c23b653b0e2485b935ce21c96ed625273f8cbe4c941772019d32ba3b8a7b59a';

// ---------------------------------------------------------------------------------------------
// Helpers

async function withDb(t: TestContext, dialect: PgDialect, fn: (db: TestDatabase) => Promise<void>): Promise<void> {
  const problem = await serverProblem(dialect);
  if (problem) {
    if (process.env.CI) throw new Error(`${problem} (CI requires every dialect's server)`);
    t.skip(problem);
    return;
  }
  const db = await freshDatabase(dialect);
  try { await fn(db); } finally { await db.dispose(); }
}

/** Apply, then check the fingerprint is the models' own and a second plan is empty. */
async function evolve(db: TestDatabase, models: readonly Table[], options: { allowDataLoss?: boolean; schema?: string } = {}): Promise<ApplyReport> {
  const report = await applyEvolution({ db: db.url, models, ...options });
  const expected = await modelsFingerprint(models, 'postgres');
  assert.equal(report.fingerprintAfter, expected, 'the live fingerprint after apply is the models\' fingerprint');
  const again = await planEvolution({ db: db.url, models, ...(options.schema ? { schema: options.schema } : {}) });
  assert.deepEqual(again.statements.map((s) => s.sql), [], 'a second plan is empty');
  assert.deepEqual(again.changes, [], 'no change left');
  assert.equal(again.inSync, true);
  assert.equal(again.liveFingerprint, expected);
  return report;
}

/** Rows with every value as a string (drivers differ on numbers and dates). */
async function rows(db: TestDatabase, query: string): Promise<Record<string, string | null>[]> {
  return (await db.query(query)).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null ? null : v instanceof Date ? v.toISOString() : String(v)])));
}

async function rejects(p: Promise<unknown>, code: string): Promise<Error> {
  try { await p; } catch (e) {
    assert.ok(isEvolveError(e), `an EvolveError, got ${String(e)}`);
    assert.equal((e as { code: string }).code, code, (e as Error).message);
    return e as Error;
  }
  assert.fail(`expected ${code}`);
}

// ---------------------------------------------------------------------------------------------
// Models

/** Every DSL feature PostgreSQL has. */
function featureModels(): Table[] {
  const dept = table('dept', {
    id: integer().primaryKey({ autoIncrement: true }),
    code: varchar(10).notNull().unique(),
    name: varchar(100).notNull().unique('dept_name_key_custom'),
    budget: decimal(12, 2).notNull().default(0),
  });
  const person: Table = table('person', {
    id: bigint().primaryKey({ autoIncrement: true }),
    name: text().notNull(),
    email: varchar(200),
    nick: varchar(20).default("it's"),
    born: date().default('2000-01-01'),
    salary: decimal(10, 2).notNull().default(1000.5),
    score: decimal(5, 0).default(-3),
    rating: real().default(2.5),
    big: bigint().default(-9000000000),
    count: integer().notNull().default(-1),
    active: boolean().notNull().default(true),
    deleted: boolean().default(false),
    created: timestamp().notNull().default(sql`CURRENT_TIMESTAMP`),
    updated: timestamp({ withTimeZone: true }).default(sql`now()`),
    expires: timestamp().default(sql`now() + interval '1 day'`),
    fixed_at: timestamp().default('2020-01-02 03:04:05'),
    fixed_tz: timestamp({ withTimeZone: true }).default('2020-01-02T03:04:05+02:00'),
    today: date().default(sql`CURRENT_DATE`),
    label: text().default(sql`lower('ABC')`),
    profile: json().default('{"b": [1, 2], "a": {"y": true, "x": null}}'),
    blob: bytes(),
    token: uuid().default(sql`gen_random_uuid()`),
    tiny: rawType('int2').default(7),
    tags: rawType('text[]'),
    ratio: rawType('float4'),
    at: rawType('time'),
    span: rawType('interval').default('1 day'),
    code3: rawType('char(3)'),
    amount: rawType('numeric'),
    plain_json: rawType('json'),
    addr: rawType('inet'),
    dept_id: integer().references(() => dept.columns.id, { onDelete: 'cascade', onUpdate: 'cascade' }),
    mentor_id: bigint().references(() => person.columns.id, { onDelete: 'set null' }),
  }, {
    unique: [['name', 'email'], { name: 'person_nick_born_key', columns: ['nick', 'born'] }],
    indexes: [
      index('person_name_idx').on('name'),
      index('person_dept_born_idx').on('dept_id', 'born'),
      index('person_token_idx').on('token').unique(),
      index('person_live_idx').on('email').where(sql`NOT deleted AND email IS NOT NULL`),
      index('person_nick_idx').on('nick').unique().where(sql`nick IN ('a', 'b') AND count BETWEEN 1 AND 10 AND name LIKE 'x%' AND salary > 2 AND count > -5`),
      index('person_active_idx').on('active', 'created').where(sql`active = true OR rating >= 1.5`),
    ],
  });
  const membership = table('membership', {
    person_id: bigint().notNull(),
    dept_id: integer().notNull(),
    role: varchar(30).notNull().default('member'),
    since: date(),
  }, {
    primaryKey: ['person_id', 'dept_id'],
    foreignKeys: [
      { columns: ['person_id'], references: () => [person.columns.id], onDelete: 'cascade' },
      { columns: ['dept_id'], references: () => [dept.columns.id], onDelete: 'restrict', onUpdate: 'restrict' },
    ],
  });
  const grant = table('grant', {
    person_id: bigint().notNull(),
    dept_id: integer().notNull(),
    level: integer().notNull().default(1),
    note: text(),
  }, {
    foreignKeys: [{ columns: ['person_id', 'dept_id'], references: () => [membership.columns.person_id, membership.columns.dept_id], onDelete: 'set default', name: 'grant_membership_fk' }],
    indexes: [index().on('level')],
  });
  return [dept, person, membership, grant];
}

/** A small fixed schema whose fingerprint is pinned. */
function goldenModels(): Table[] {
  return [
    table('author', { id: integer().primaryKey({ autoIncrement: true }), name: varchar(80).notNull().unique(), born: date() }),
    table('book', {
      id: integer().primaryKey({ autoIncrement: true }),
      title: text().notNull(),
      price: decimal(8, 2).notNull().default(0),
      in_print: boolean().notNull().default(true),
      published: timestamp({ withTimeZone: true }).default(sql`now()`),
      author_id: integer().notNull(),
    }, { indexes: [index('book_title_idx').on('title'), index('book_author_title_idx').on('author_id', 'title').unique(), index('book_cheap_idx').on('price').where(sql`price < 10`)] }),
  ];
}

// ---------------------------------------------------------------------------------------------
// Without a database

describe('PostgreSQL normalisation (no database)', () => {
  it('the golden models have the pinned fingerprint without a database', async () => {
    assert.equal(await modelsFingerprint(goldenModels(), 'postgres'), GOLDEN_POSTGRES);
  });

  it('maps PostgreSQL type spellings to the DSL types, and keeps others raw', () => {
    const cases: [string, string][] = [
      ['integer', 'integer'], ['int4', 'integer'], ['int', 'integer'], ['bigint', 'bigint'], ['int8', 'bigint'],
      ['double precision', 'real'], ['float8', 'real'], ['numeric(10,2)', 'decimal:10,2'], ['decimal(5)', 'decimal:5,0'],
      ['character varying(20)', 'varchar:20'], ['varchar(20)', 'varchar:20'], ['text', 'text'], ['bool', 'boolean'],
      ['date', 'date'], ['timestamp without time zone', 'timestamp'], ['timestamp', 'timestamp'], ['timestamptz', 'timestamptz'],
      ['timestamp with time zone', 'timestamptz'], ['jsonb', 'json'], ['bytea', 'bytes'], ['uuid', 'uuid'],
      ['real', 'raw:real'], ['float4', 'raw:real'], ['smallint', 'raw:smallint'], ['json', 'raw:json'], ['numeric', 'raw:numeric'],
      ['character varying', 'raw:character varying'], ['char(3)', 'raw:character(3)'], ['int[]', 'raw:integer[]'],
      ['timestamp(3)', 'raw:timestamp(3) without time zone'], ['timestamptz(3)', 'raw:timestamp(3) with time zone'],
      ['time', 'raw:time without time zone'], ['inet', 'raw:inet'], ['public.citext', 'raw:public.citext'],
    ];
    const show = (t: ReturnType<typeof parsePgType>): string =>
      t.kind === 'varchar' ? `varchar:${t.length}` : t.kind === 'decimal' ? `decimal:${t.precision},${t.scale}` : t.kind === 'timestamp' ? (t.withTimeZone ? 'timestamptz' : 'timestamp') : t.kind === 'raw' ? `raw:${t.sql}` : t.kind;
    for (const [input, expected] of cases) assert.equal(show(parsePgType(input)), expected, input);
  });

  it('reads defaults as PostgreSQL reports them', () => {
    assert.deepEqual(parsePgDefault("'abc'::text"), { kind: 'value', value: 'abc' });
    assert.deepEqual(parsePgDefault("'it''s'::character varying"), { kind: 'value', value: "it's" });
    assert.deepEqual(parsePgDefault("'-1'::integer"), { kind: 'value', value: -1 });
    assert.deepEqual(parsePgDefault("'0'::numeric"), { kind: 'value', value: 0 });
    assert.deepEqual(parsePgDefault('1.50'), { kind: 'value', value: 1.5 });
    assert.deepEqual(parsePgDefault('true'), { kind: 'value', value: true });
    assert.deepEqual(parsePgDefault('NULL::character varying'), null);
    assert.deepEqual(parsePgDefault('now()'), { kind: 'expression', sql: 'CURRENT_TIMESTAMP' });
    assert.deepEqual(parsePgDefault('CURRENT_TIMESTAMP'), { kind: 'expression', sql: 'CURRENT_TIMESTAMP' });
    assert.deepEqual(parsePgDefault("(now() + '1 day'::interval)"), { kind: 'expression', sql: "CURRENT_TIMESTAMP + '1 day'::interval" });
    assert.deepEqual(parsePgDefault("now() + interval '1 day'"), { kind: 'expression', sql: "CURRENT_TIMESTAMP + '1 day'::interval" });
    assert.deepEqual(parsePgDefault("lower('X'::text)"), { kind: 'expression', sql: "lower('X')" });
  });

  it('brings literal defaults into the form PostgreSQL prints for the column type', () => {
    const ts = { kind: 'timestamp', withTimeZone: false } as const;
    const tz = { kind: 'timestamp', withTimeZone: true } as const;
    assert.deepEqual(normaliseColumnDefault(ts, { kind: 'value', value: '2020-01-01' }), { kind: 'value', value: '2020-01-01 00:00:00' });
    assert.deepEqual(normaliseColumnDefault(tz, { kind: 'value', value: '2020-01-01T10:00:00.500+02:00' }), { kind: 'value', value: '2020-01-01 08:00:00.5+00' });
    assert.deepEqual(normaliseColumnDefault({ kind: 'json' }, { kind: 'value', value: '{"bb":1,"a":[1,2]}' }), { kind: 'value', value: '{"a": [1, 2], "bb": 1}' });
    assert.deepEqual(normaliseColumnDefault({ kind: 'integer' }, { kind: 'expression', sql: '(42)' }), { kind: 'value', value: 42 });
    assert.deepEqual(normaliseColumnDefault({ kind: 'boolean' }, { kind: 'value', value: 't' }), { kind: 'value', value: true });
    assert.deepEqual(normaliseColumnDefault({ kind: 'uuid' }, { kind: 'value', value: '{0B8F3F9A1E2D4C5B9A8B7C6D5E4F3A2B}' }), { kind: 'value', value: '0b8f3f9a-1e2d-4c5b-9a8b-7c6d5e4f3a2b' });
  });

  it('gives a predicate one spelling, whether a user or PostgreSQL wrote it', () => {
    const text = new Map<string, ColumnType>([['d', { kind: 'varchar', length: 10 }], ['c', { kind: 'varchar', length: 10 }], ['b', { kind: 'text' }],
      ['day', { kind: 'date' }], ['ts', { kind: 'timestamp', withTimeZone: false }], ['j', { kind: 'json' }], ['n', { kind: 'decimal', precision: 5, scale: 0 }]]);
    const same: [string, string][] = [
      ["((d)::text = 'x'::text)", "d = 'x'"],
      ["((a > 1) AND ((b < (2)::numeric) OR (c IS NULL)))", 'a > 1 AND (b < 2 OR c IS NULL)'],
      ["(((a >= 1) AND (a <= 5)) AND (b ~~ 'x%'::text))", "a BETWEEN 1 AND 5 AND b LIKE 'x%'"],
      ["((c)::text = ANY ((ARRAY['a'::character varying, 'b'::character varying])::text[]))", "c IN ('a', 'b')"],
      ["(b <> 'x'::text)", "b NOT IN ('x')"],
      ["(NOT (a = 3))", 'not (a = 3)'],
      ['("order" > \'-1\'::integer)', '"order" > -1'],
      ['(deleted_at IS NULL)', 'deleted_at  is   null'],
      ['(COALESCE(a, 0) > 0)', 'coalesce(a, 0) > 0'],
      ["(day = ANY (ARRAY['2020-01-01'::date, '2020-01-02'::date]))", "day IN ('2020-01-01', '2020-01-02')"],
      ["(ts > '2020-01-01 00:00:00'::timestamp without time zone)", "ts > '2020-01-01'"],
      ['(j @> \'{"a": 1}\'::jsonb)', 'j @> \'{"a":1}\''],
      ['(EXTRACT(year FROM day) > (2000)::numeric)', 'extract(year from day) > 2000'],
      ["(now() AT TIME ZONE 'utc'::text)", "now() at time zone 'utc'"],
      ['upper((CURRENT_USER)::text)', 'upper(current_user)'],
      ["(n = ANY (ARRAY[1.5, (2)::numeric]))", 'n IN (1.5, 2)'],
    ];
    for (const [pg, user] of same) {
      assert.equal(canonicalExpression(pg, text), canonicalExpression(user, text), `${pg}  vs  ${user}`);
      const once = canonicalExpression(pg, text);
      assert.equal(canonicalExpression(once, text), once, `idempotent: ${once}`);
    }
    assert.equal(canonicalExpression("((d)::text = 'x'::text)", text), "d = 'x'");
    assert.notEqual(canonicalExpression('a > 1 OR b < 2 AND c', text), canonicalExpression('(a > 1 OR b < 2) AND c', text));
  });

  it('names constraints the way PostgreSQL does when the live side has no name', () => {
    assert.equal(defaultConstraintName('t', [], 'pkey'), 't_pkey');
    assert.equal(defaultConstraintName('person', ['name', 'email'], 'key'), 'person_name_email_key');
    assert.equal(Buffer.byteLength(defaultConstraintName('x'.repeat(60), ['y'.repeat(60)], 'fkey')), 63);
  });
});

// ---------------------------------------------------------------------------------------------
// On PostgreSQL and PGlite

for (const dialect of DIALECTS) {
  describe(`PostgreSQL dialect [${dialect}]`, () => {
    it('applies every DSL feature with no false diff', (t) => withDb(t, dialect, async (db) => {
      const report = await evolve(db, featureModels());
      assert.ok(report.statements.some((s) => /GENERATED BY DEFAULT AS IDENTITY/.test(s.sql)), 'auto-increment is an identity column');
      assert.ok(report.statements.every((s) => !/_evolve/.test(s.sql)), 'no rebuild, no temporary table');
      const live = await inspect(db.url);
      const person = live.tables.find((x) => x.name === 'person')!;
      assert.equal(person.columns.find((c) => c.name === 'id')!.autoIncrement, true);
      assert.equal(person.indexes.find((i) => i.name === 'person_nick_idx')!.unique, true);
      assert.equal(live.tables.find((x) => x.name === 'grant')!.foreignKeys[0]!.onDelete, 'set default');
      // The data goes in as the types say.
      await db.exec(`INSERT INTO dept (code, name) VALUES ('d1', 'One'); INSERT INTO person (name, dept_id) VALUES ('ann', 1);`);
      const [p] = await rows(db, 'SELECT id, nick, salary, rating, count, active, label, profile::text AS profile, span::text AS span, tiny FROM person');
      assert.deepEqual(p, { id: '1', nick: "it's", salary: '1000.50', rating: '2.5', count: '-1', active: 'true', label: 'abc', profile: '{"a": {"x": null, "y": true}, "b": [1, 2]}', span: '1 day', tiny: '7' });
    }));

    it('pins the fingerprint of a fixed schema (golden), whatever the schema is called', (t) => withDb(t, dialect, async (db) => {
      const models = goldenModels();
      const expected = await modelsFingerprint(models, 'postgres');
      await evolve(db, models);
      const live = (await fingerprintDatabase(db.url)).fingerprint;
      assert.equal(live, expected);
      // The same models in a second schema with an awkward name give the same fingerprint.
      const other = 'Other "Schema" ' + dialect;
      await evolve(db, models, { schema: other });
      assert.equal((await fingerprintDatabase(db.url, { schema: other })).fingerprint, expected);
      assert.equal(live, GOLDEN_POSTGRES, 'a change here is a new fingerprint algorithm (fv2), not a new golden value');
      await db.exec(`DROP SCHEMA "${other.replace(/"/g, '""')}" CASCADE`);
    }));

    it('fingerprints do not depend on the session settings, the owner or the search_path', (t) => withDb(t, dialect, async (db) => {
      const models = goldenModels();
      await evolve(db, models);
      const expected = await modelsFingerprint(models, 'postgres');
      // A role owning the tables, a user type and a decoy table elsewhere on the way.
      const role = `evolve_owner_${Math.random().toString(36).slice(2, 8)}`;
      await db.exec(`CREATE ROLE ${role}; ALTER TABLE book OWNER TO ${role}; ALTER TABLE author OWNER TO ${role}`);
      try {
        if (dialect === 'postgres') {
          const u = new URL(db.url);
          u.searchParams.set('options', '-c search_path=public -c TimeZone=America/New_York -c DateStyle=SQL,DMY -c extra_float_digits=-3');
          assert.equal((await fingerprintDatabase(u.toString())).fingerprint, expected);
        }
        assert.equal((await fingerprintDatabase(db.url)).fingerprint, expected);
      } finally {
        await db.exec(`ALTER TABLE book OWNER TO CURRENT_USER; ALTER TABLE author OWNER TO CURRENT_USER; DROP ROLE ${role}`);
      }
    }));

    it('reads hand-written tables (serial, now(), casts, int4, names chosen by the database) with no false diff', (t) => withDb(t, dialect, async (db) => {
      await db.exec(`
        CREATE TABLE region (id serial PRIMARY KEY, name varchar(50) NOT NULL UNIQUE);
        CREATE TABLE shop (
          id bigserial PRIMARY KEY,
          region_id int4 NOT NULL REFERENCES region ON DELETE CASCADE,
          title text NOT NULL DEFAULT 'x'::text,
          kind character varying(10) DEFAULT 'retail'::character varying,
          opened timestamp without time zone DEFAULT now(),
          changed timestamptz DEFAULT CURRENT_TIMESTAMP,
          day date DEFAULT CURRENT_DATE,
          open bool DEFAULT 't',
          price numeric(8,2) DEFAULT '0'::numeric,
          rate float8 DEFAULT 0.5,
          meta jsonb DEFAULT '{}'::jsonb,
          ref uuid,
          deleted_at timestamp,
          CONSTRAINT shop_title_kind UNIQUE (title, kind)
        );
        CREATE INDEX shop_live ON shop (region_id, title) WHERE deleted_at IS NULL AND kind = 'retail';
        CREATE TABLE tag (shop_id int8 NOT NULL, tag text NOT NULL, PRIMARY KEY (shop_id, tag), FOREIGN KEY (shop_id) REFERENCES shop (id));
        CREATE TABLE counter (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, n int4 NOT NULL DEFAULT 0);
      `);
      const region = table('region', { id: integer().primaryKey({ autoIncrement: true }), name: varchar(50).notNull().unique() });
      const shop = table('shop', {
        id: bigint().primaryKey({ autoIncrement: true }),
        region_id: integer().notNull().references(() => region.columns.id, { onDelete: 'cascade' }),
        title: text().notNull().default('x'),
        kind: varchar(10).default('retail'),
        opened: timestamp().default(sql`CURRENT_TIMESTAMP`),
        changed: timestamp({ withTimeZone: true }).default(sql`now()`),
        day: date().default(sql`current_date`),
        open: boolean().default(true),
        price: decimal(8, 2).default(0),
        rate: real().default(0.5),
        meta: json().default('{}'),
        ref: uuid(),
        deleted_at: timestamp(),
      }, { unique: [['title', 'kind']], indexes: [index('shop_live').on('region_id', 'title').where(sql`deleted_at IS NULL AND kind = 'retail'`)] });
      const tag = table('tag', { shop_id: bigint().notNull().references(() => shop.columns.id), tag: text().notNull() }, { primaryKey: ['shop_id', 'tag'] });
      const counter = table('counter', { id: integer().primaryKey({ autoIncrement: true }), n: integer().notNull().default(0) });
      const models = [region, shop, tag, counter];
      const plan = await planEvolution({ db: db.url, models });
      assert.deepEqual(plan.changes, [], 'no false diff');
      assert.equal(plan.inSync, true);
      // GENERATED ALWAYS is more than the models say: kept, reported, and in the fingerprint.
      assert.equal(plan.liveFingerprint, plan.targetFingerprint);
      assert.ok(plan.unmanaged.includes('identity generated always of column counter.id (not in the models: kept as it is)'), plan.unmanaged.join('\n'));
      assert.notEqual(plan.liveFingerprint, await modelsFingerprint(models, 'postgres'));
      await db.exec('ALTER TABLE counter ALTER COLUMN id SET GENERATED BY DEFAULT');
      assert.equal((await planEvolution({ db: db.url, models })).liveFingerprint, await modelsFingerprint(models, 'postgres'));
    }));

    it('adds, renames and drops tables, keeping rows', (t) => withDb(t, dialect, async (db) => {
      const a = table('a', { id: integer().primaryKey(), v: text() });
      await evolve(db, [a]);
      await db.exec("INSERT INTO a VALUES (1, 'one'), (2, 'two')");
      const b = table('b', { id: integer().primaryKey(), v: text() }, { aka: 'a' });
      const c = table('c', { id: integer().primaryKey({ autoIncrement: true }) });
      const r = await evolve(db, [b, c]);
      assert.ok(r.statements.some((s) => s.sql === 'ALTER TABLE "a" RENAME TO "b"'));
      assert.deepEqual(await rows(db, 'SELECT id, v FROM b ORDER BY id'), [{ id: '1', v: 'one' }, { id: '2', v: 'two' }]);
      await rejects(applyEvolution({ db: db.url, models: [c] }), 'E_DATA_LOSS');
      await evolve(db, [c], { allowDataLoss: true });
      assert.deepEqual(await rows(db, "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1"), [{ table_name: 'c' }]);
    }));

    it('adds, renames and drops columns, keeping data', (t) => withDb(t, dialect, async (db) => {
      await evolve(db, [table('t', { id: integer().primaryKey(), old_name: text(), gone: integer() })]);
      await db.exec("INSERT INTO t VALUES (1, 'x', 5), (2, NULL, 6)");
      const next = table('t', {
        id: integer().primaryKey(), new_name: text().aka('old_name'), gone: integer(),
        added: integer(), filled: varchar(5).notNull().default('f'), stamp: timestamp().notNull().default(sql`CURRENT_TIMESTAMP`),
      });
      await evolve(db, [next]);
      assert.deepEqual(await rows(db, 'SELECT id, new_name, gone, added, filled, stamp IS NOT NULL AS s FROM t ORDER BY id'),
        [{ id: '1', new_name: 'x', gone: '5', added: null, filled: 'f', s: 'true' }, { id: '2', new_name: null, gone: '6', added: null, filled: 'f', s: 'true' }]);
      const dropped = table('t', { id: integer().primaryKey(), new_name: text() });
      const e = await rejects(applyEvolution({ db: db.url, models: [dropped] }), 'E_DATA_LOSS');
      assert.match(e.message, /DROP_COLUMN/);
      await evolve(db, [dropped], { allowDataLoss: true });
      assert.deepEqual(await rows(db, 'SELECT * FROM t ORDER BY id'), [{ id: '1', new_name: 'x' }, { id: '2', new_name: null }]);
    }));

    it('changes types in place with ALTER ... USING, keeping data', (t) => withDb(t, dialect, async (db) => {
      const before = table('t', {
        id: integer().primaryKey(), a: integer(), b: text(), c: varchar(10), d: integer(), e: text(), f: decimal(6, 2),
        g: text(), h: integer(), i: timestamp(), j: text(), k: text(),
      });
      await evolve(db, [before]);
      await db.exec(`INSERT INTO t VALUES (1, 2147483647, ' 42', 'abc', 7, '2020-02-29', 1234.56, '{"k": [1]}', 1, '2020-01-02 03:04:05', 'true', '0b8f3f9a-1e2d-4c5b-9a8b-7c6d5e4f3a2b')`);
      const after = table('t', {
        id: integer().primaryKey(), a: bigint(), b: integer(), c: text(), d: text(), e: date(), f: decimal(10, 3),
        g: json(), h: boolean(), i: timestamp({ withTimeZone: true }), j: boolean(), k: uuid(),
      });
      const r = await evolve(db, [after]);
      assert.ok(r.statements.some((s) => /ALTER COLUMN "b" TYPE integer USING/.test(s.sql)), r.statements.map((s) => s.sql).join('\n'));
      assert.deepEqual(await rows(db, "SELECT a, b, c, d, e::text AS e, f, g::text AS g, h, i::text AS i, j, k FROM t"), [{
        a: '2147483647', b: '42', c: 'abc', d: '7', e: '2020-02-29', f: '1234.560', g: '{"k": [1]}', h: 'true', i: '2020-01-02 03:04:05+00', j: 'true', k: '0b8f3f9a-1e2d-4c5b-9a8b-7c6d5e4f3a2b',
      }]);
    }));

    it('refuses conversions that lose values, names examples, and converts with consent', (t) => withDb(t, dialect, async (db) => {
      await evolve(db, [table('t', { id: integer().primaryKey(), n: text(), s: varchar(50), big: bigint(), d: decimal(8, 3) })]);
      await db.exec("INSERT INTO t VALUES (1, '12', 'short', 1, 1.5), (2, 'twelve', 'a rather long value', 99999999999, 12345.678)");
      const narrow = table('t', { id: integer().primaryKey(), n: integer(), s: varchar(10), big: integer(), d: decimal(6, 2) });
      const plan = await planEvolution({ db: db.url, models: [narrow] });
      const lossy = plan.hazards.filter((h) => h.code === 'LOSSY_TYPE_CHANGE');
      assert.deepEqual(lossy.map((h) => [h.column, h.rows]).sort(), [['big', 1], ['d', 1], ['n', 1], ['s', 1]]);
      assert.deepEqual(lossy.find((h) => h.column === 'n')!.examples, ['twelve']);
      await rejects(applyEvolution({ db: db.url, models: [narrow] }), 'E_DATA_LOSS');
      // With consent (README, "No data loss without consent"): text is cut, values that do not convert become NULL.
      await evolve(db, [narrow], { allowDataLoss: true });
      assert.deepEqual(await rows(db, 'SELECT n, s, big, d FROM t ORDER BY id'), [{ n: '12', s: 'short', big: '1', d: '1.50' }, { n: null, s: 'a rather l', big: null, d: null }]);
    }));

    it('changes nullability, defaults and lengths', (t) => withDb(t, dialect, async (db) => {
      await evolve(db, [table('t', { id: integer().primaryKey(), a: text(), b: integer().notNull(), c: varchar(10).default('x'), d: integer() })]);
      await db.exec("INSERT INTO t (id, a, b, c, d) VALUES (1, 'v', 1, 'abcdefghij', NULL), (2, NULL, 2, NULL, 3)");
      const v2 = table('t', { id: integer().primaryKey(), a: text().notNull().default('filled'), b: integer(), c: varchar(40).default('y'), d: integer().default(sql`42`) });
      await rejects(applyEvolution({ db: db.url, models: [v2] }), 'E_DATA_LOSS');
      const r = await evolve(db, [v2], { allowDataLoss: true });
      assert.ok(r.statements.some((s) => /^UPDATE "t" SET "a" = 'filled' WHERE "a" IS NULL$/.test(s.sql)));
      assert.deepEqual(await rows(db, 'SELECT id, a, b, c, d FROM t ORDER BY id'), [{ id: '1', a: 'v', b: '1', c: 'abcdefghij', d: null }, { id: '2', a: 'filled', b: '2', c: null, d: '3' }]);
      await db.exec('INSERT INTO t (id) VALUES (3)');
      assert.deepEqual(await rows(db, 'SELECT a, b, c, d FROM t WHERE id = 3'), [{ a: 'filled', b: null, c: 'y', d: '42' }]);
      const v3 = table('t', { id: integer().primaryKey(), a: text().notNull(), b: integer(), c: varchar(40), d: integer() });
      await evolve(db, [v3]);
      await assert.rejects(db.exec('INSERT INTO t (id) VALUES (4)'), /null value/);
    }));

    it('adds, changes and drops indexes, unique constraints and primary keys', (t) => withDb(t, dialect, async (db) => {
      await evolve(db, [table('t', { id: integer().primaryKey(), a: integer(), b: text(), c: varchar(10) }, { indexes: [index('t_a').on('a')] })]);
      await db.exec("INSERT INTO t VALUES (1, 1, 'x', 'p'), (2, 1, 'y', 'q')");
      const v2 = table('t', { id: integer().primaryKey(), a: integer(), b: text().unique(), c: varchar(10) }, {
        indexes: [index('t_a').on('a', 'b'), index('t_c_live').on('c').unique().where(sql`c <> 'z'`)],
      });
      await evolve(db, [v2]);
      await assert.rejects(db.exec("INSERT INTO t VALUES (3, 3, 'x', 'r')"), /duplicate key/);
      const dupes = table('t', { id: integer().primaryKey(), a: integer().unique(), b: text(), c: varchar(10) });
      const e = await rejects(applyEvolution({ db: db.url, models: [dupes], allowDataLoss: true }), 'E_DATA_LOSS');
      assert.match(e.message, /UNIQUE_WITH_DUPLICATES/);
      // Primary key moves to (a, id); id keeps NOT NULL only because the model says so.
      const v3 = table('t', { id: integer().notNull(), a: integer().notNull(), b: text(), c: varchar(10) }, { primaryKey: ['a', 'id'] });
      await evolve(db, [v3]);
      const v4 = table('t', { id: integer(), a: integer().primaryKey(), b: text(), c: varchar(10) });
      await rejects(applyEvolution({ db: db.url, models: [v4] }), 'E_SQL_FAILED'); // a repeats: the new key fails, nothing changes
      await db.exec('UPDATE t SET a = id');
      await evolve(db, [v4]);
      assert.deepEqual(await rows(db, 'SELECT id, a, b FROM t ORDER BY a'), [{ id: '1', a: '1', b: 'x' }, { id: '2', a: '2', b: 'y' }]);
    }));

    it('turns auto-increment on and off, continuing after the highest id', (t) => withDb(t, dialect, async (db) => {
      await evolve(db, [table('t', { id: integer().primaryKey(), v: text() })]);
      await db.exec("INSERT INTO t VALUES (5, 'a'), (9, 'b')");
      await evolve(db, [table('t', { id: integer().primaryKey({ autoIncrement: true }), v: text() })]);
      await db.exec("INSERT INTO t (v) VALUES ('c')");
      assert.deepEqual(await rows(db, 'SELECT id FROM t ORDER BY id'), [{ id: '5' }, { id: '9' }, { id: '10' }]);
      await evolve(db, [table('t', { id: bigint().primaryKey({ autoIncrement: true }), v: text() })]);
      await evolve(db, [table('t', { id: bigint().primaryKey(), v: text() })]);
      await assert.rejects(db.exec("INSERT INTO t (v) VALUES ('d')"), /null value/);
      // serial columns made by hand turn off the same way.
      await db.exec('CREATE TABLE s (id serial PRIMARY KEY)');
      await evolve(db, [table('t', { id: bigint().primaryKey(), v: text() }), table('s', { id: integer().primaryKey() })]);
    }));

    it('adds, changes and drops foreign keys', (t) => withDb(t, dialect, async (db) => {
      const parent = table('parent', { id: integer().primaryKey() });
      const child = (onDelete: 'cascade' | 'set null' | null) => table('child', {
        id: integer().primaryKey(),
        parent_id: onDelete ? integer().references(() => parent.columns.id, { onDelete }) : integer(),
      });
      await evolve(db, [parent, child(null)]);
      await db.exec('INSERT INTO parent VALUES (1), (2); INSERT INTO child VALUES (10, 1), (20, 2)');
      await evolve(db, [parent, child('cascade')]);
      await db.exec('DELETE FROM parent WHERE id = 1');
      assert.deepEqual(await rows(db, 'SELECT id FROM child'), [{ id: '20' }]);
      await evolve(db, [parent, child('set null')]);
      await db.exec('DELETE FROM parent WHERE id = 2');
      assert.deepEqual(await rows(db, 'SELECT id, parent_id FROM child'), [{ id: '20', parent_id: null }]);
      await evolve(db, [parent, child(null)]);
      // Tables that reference each other (a cycle) are created, then dropped, in one plan.
      const x: Table = table('x', { id: integer().primaryKey(), y_id: integer().references(() => y.columns.id) });
      const y: Table = table('y', { id: integer().primaryKey(), x_id: integer().references(() => x.columns.id) });
      await evolve(db, [parent, child(null), x, y]);
      await evolve(db, [parent, child(null)], { allowDataLoss: true });
    }));

    it('a failing statement leaves the schema exactly as it was', (t) => withDb(t, dialect, async (db) => {
      await evolve(db, [table('t', { id: integer().primaryKey(), v: text() })]);
      await db.exec("INSERT INTO t VALUES (1, 'not a number')");
      const fp = (await fingerprintDatabase(db.url)).fingerprint;
      // A type Evolve cannot check (a warning only): the cast fails in the database.
      const models = [
        table('t', { id: integer().primaryKey(), v: rawType('inet'), extra: text().default('e') }, { indexes: [index('t_extra').on('extra')] }),
        table('newer', { id: integer().primaryKey({ autoIncrement: true }) }),
      ];
      const e = await rejects(applyEvolution({ db: db.url, models, allowDataLoss: true }), 'E_SQL_FAILED');
      assert.match(e.message, /ALTER TABLE "t" ALTER COLUMN "v" TYPE inet/);
      assert.match(e.message, /invalid input syntax/);
      assert.match(e.message, /rolled back/);
      assert.equal((await fingerprintDatabase(db.url)).fingerprint, fp);
      assert.deepEqual(await rows(db, 'SELECT * FROM t'), [{ id: '1', v: 'not a number' }]);
      assert.equal((await inspect(db.url)).tables.length, 1);
    }));

    it('sees only its own schema; other schemas and Evolve\'s own tables are invisible and untouched', (t) => withDb(t, dialect, async (db) => {
      const other = `evolve_other_${Math.random().toString(36).slice(2, 8)}`;
      await db.exec(`CREATE SCHEMA ${other}; CREATE TABLE ${other}.t (id int PRIMARY KEY, secret text); INSERT INTO ${other}.t VALUES (1, 's');
        CREATE TABLE ${other}.only_there (id int); CREATE TABLE _evolve_record (id int)`);
      try {
        assert.deepEqual((await inspect(db.url)).tables.map((x) => x.name), []);
        const models = [table('t', { id: integer().primaryKey(), v: varchar(5) }), table('fresh', { id: integer().primaryKey() })];
        await evolve(db, models);
        assert.deepEqual(await rows(db, `SELECT column_name FROM information_schema.columns WHERE table_schema = '${other}' AND table_name = 't' ORDER BY 1`), [{ column_name: 'id' }, { column_name: 'secret' }]);
        assert.deepEqual(await rows(db, `SELECT * FROM ${other}.t`), [{ id: '1', secret: 's' }]);
        assert.deepEqual(await rows(db, `SELECT table_name FROM information_schema.tables WHERE table_schema = '${other}' ORDER BY 1`), [{ table_name: 'only_there' }, { table_name: 't' }]);
        // The other schema, evolved on its own, is a different scope.
        const inOther = await inspect(db.url, { schema: other });
        assert.deepEqual(inOther.tables.map((x) => x.name).sort(), ['only_there', 't']);
        assert.deepEqual((await inspect(db.url)).tables.map((x) => x.name).sort(), ['fresh', 't']);
      } finally {
        await db.exec(`DROP SCHEMA ${other} CASCADE`);
      }
    }));

    it('a read-only connection changes nothing', (t) => withDb(t, dialect, async (db) => {
      await evolve(db, [table('t', { id: integer().primaryKey() })]);
      const conn = await postgresDialect.connect(parseDatabaseUrl(db.url), { readOnly: true });
      try {
        await assert.rejects(conn.execute('CREATE TABLE sneaky (id int)'), /read-only/);
        await assert.rejects(conn.execute('INSERT INTO t VALUES (1)'), /read-only/);
      } finally { await conn.close(); }
      assert.deepEqual((await inspect(db.url)).tables.map((x) => x.name), ['t']);
      // Planning against a schema that does not exist creates nothing.
      const plan = await planEvolution({ db: db.url, models: [table('t', { id: integer().primaryKey() })], schema: 'evolve_never_created' });
      assert.equal(plan.statements.length, 1);
      assert.deepEqual(await rows(db, "SELECT nspname FROM pg_namespace WHERE nspname = 'evolve_never_created'"), []);
      if (dialect === 'pglite') {
        // A read-only look at a PGlite directory that holds no database creates nothing on disk.
        const missing = join(tmpdir(), `evolve-pglite-missing-${Math.random().toString(36).slice(2, 8)}`);
        const empty = await planEvolution({ db: `pglite:${missing}`, models: [table('t', { id: integer().primaryKey() })] });
        assert.equal(empty.statements.length, 1);
        assert.equal(existsSync(missing), false);
      }
      // The schema can also be given when connecting.
      const scoped = await connectPostgres(parseDatabaseUrl(db.url), { readOnly: true, schema: 'evolve_never_created' });
      try {
        assert.equal(scoped.schema, 'evolve_never_created');
        assert.deepEqual((await postgresDialect.introspect(scoped)).tables, []);
      } finally { await scoped.close(); }
    }));

    it('a writable connection creates a missing schema at its first write, inside the transaction', (t) => withDb(t, dialect, async (db) => {
      const fresh = `evolve_new_${Math.random().toString(36).slice(2, 8)}`;
      const exists = async (): Promise<boolean> => (await db.query(`SELECT 1 FROM pg_namespace WHERE nspname = '${fresh}'`)).length > 0;
      const conn = await connectPostgres(parseDatabaseUrl(db.url), { readOnly: false, schema: fresh });
      try {
        await conn.query('SELECT 1');
        await conn.execute('BEGIN');
        await conn.execute('CREATE TABLE x (id int)');
        await conn.execute('ROLLBACK');
      } finally { await conn.close(); }
      assert.equal(await exists(), false, 'rolled back with the transaction');
      const again = await connectPostgres(parseDatabaseUrl(db.url), { readOnly: false, schema: fresh });
      try {
        await again.execute('CREATE TABLE x (id int)'); // e.g. a stored evolution's first statement
      } finally { await again.close(); }
      try {
        assert.deepEqual((await inspect(db.url, { schema: fresh })).tables.map((x) => x.name), ['x']);
        assert.deepEqual((await inspect(db.url)).tables, [], 'nothing leaked into the test schema');
      } finally { await db.exec(`DROP SCHEMA ${fresh} CASCADE`); }
    }));

    it('introspects in a constant number of queries, whatever the number of tables', (t) => withDb(t, dialect, async (db) => {
      const count = async (): Promise<number> => {
        const conn = await postgresDialect.connect(parseDatabaseUrl(db.url), { readOnly: true });
        let n = 0;
        const counting: Connection = { ...conn, query: (s, p) => { n++; return conn.query(s, p); }, execute: (s) => { n++; return conn.execute(s); } };
        try { await postgresDialect.introspect(counting, {}); } finally { await conn.close(); }
        return n;
      };
      await db.exec('CREATE TABLE one (id int PRIMARY KEY)');
      const few = await count();
      await db.exec(Array.from({ length: 30 }, (_, i) => `CREATE TABLE t${i} (id int PRIMARY KEY, v text UNIQUE, w int REFERENCES one); CREATE INDEX t${i}_w ON t${i} (w);`).join('\n'));
      assert.equal(await count(), few);
      assert.ok(few <= 4, `${few} queries`);
    }));

    it('checks which values a type change would lose, as PostgreSQL would convert them', (t) => withDb(t, dialect, async (db) => {
      type Case = { from: string; to: ColumnBuilder; values: string[]; lossy: string[] };
      const cases: Case[] = [
        { from: 'text', to: integer(), values: ['1', ' -7 ', '2147483647', '2147483648', 'abc', '1.5', ''], lossy: ['2147483648', 'abc', '1.5', ''] },
        { from: 'text', to: bigint(), values: ['9223372036854775807', '9223372036854775808', 'x'], lossy: ['9223372036854775808', 'x'] },
        { from: 'bigint', to: integer(), values: ['5', '-2147483648', '-2147483649'], lossy: ['-2147483649'] },
        { from: 'varchar(50)', to: varchar(10), values: ['short', 'exactly 10', 'eleven chars'], lossy: ['eleven chars'] },
        { from: 'numeric(10,3)', to: decimal(5, 2), values: ['1.5', '1.255', '999.99', '1000'], lossy: ['1.255', '1000.000'] },
        { from: 'text', to: decimal(4, 1), values: ['1.5', '999.94', '999.96', 'nan?', '1e2', '99.9'], lossy: ['999.94', '999.96', 'nan?'] },
        { from: 'text', to: boolean(), values: ['true', 'F', ' yes ', 'on', '0', 'maybe'], lossy: ['maybe'] },
        { from: 'integer', to: boolean(), values: ['0', '1', '2'], lossy: ['2'] },
        { from: 'text', to: date(), values: ['2020-02-29', '2021-02-29', '2020-13-01', 'soon', '2020-1-5'], lossy: ['2021-02-29', '2020-13-01', 'soon'] },
        { from: 'text', to: timestamp(), values: ['2020-01-02 03:04:05', '2020-01-02T23:59:59.5Z', '2020-01-02 24:00:00', 'later'], lossy: ['2020-01-02 24:00:00', 'later'] },
        { from: 'timestamp', to: date(), values: ['2020-01-02 00:00:00', '2020-01-02 10:00:00'], lossy: ['2020-01-02 10:00:00'] },
        { from: 'text', to: json(), values: ['{"a": 1}', '[1, 2]', '"s"', '12', 'null', ' true ', '{"a": [1, {"b": "c\\"d"}], "e": {}}', '[[[]]]', '-0.5e3',
          'nope', "{'a': 1}", '[1, 2,]', '{"a" 1}', '01', '"open', '{"a": [}', '"\\u0000"'],
          lossy: ['nope', "{'a': 1}", '[1, 2,]', '{"a" 1}', '01', '"open', '{"a": [}', '"\\u0000"'] },
        { from: 'text', to: uuid(), values: ['0b8f3f9a-1e2d-4c5b-9a8b-7c6d5e4f3a2b', '0B8F3F9A1E2D4C5B9A8B7C6D5E4F3A2B', '0b8f3f9a', 'zz8f3f9a-1e2d-4c5b-9a8b-7c6d5e4f3a2b'], lossy: ['0b8f3f9a', 'zz8f3f9a-1e2d-4c5b-9a8b-7c6d5e4f3a2b'] },
        { from: 'bigint', to: real(), values: ['5', '9007199254740993'], lossy: ['9007199254740993'] },
      ];
      for (const [i, c] of cases.entries()) {
        const name = `conv${i}`;
        await db.exec(`CREATE TABLE ${name} (v ${c.from}); ${c.values.map((v) => `INSERT INTO ${name} VALUES ('${v.replace(/'/g, "''")}');`).join(' ')}`);
        const live = (await inspect(db.url)).tables.find((x) => x.name === name)!.columns[0]!;
        const target = postgresDialect.normalise({ dialect: 'postgres', tables: [{ name, columns: [{ ...live, type: c.to.definition().type }], primaryKey: null, uniques: [], indexes: [], foreignKeys: [] }] }).tables[0]!.columns[0]!;
        const pred = postgresDialect.lossyValuePredicate('"v"', live, target);
        assert.ok(typeof pred === 'string', `${c.from} → ${target.type.kind} can be checked`);
        const found = (await rows(db, `SELECT v::text AS v FROM ${name} WHERE v IS NOT NULL AND (${pred})`)).map((r) => r.v);
        const expected = (await rows(db, `SELECT v::text AS v FROM ${name} WHERE v::text IN (${c.lossy.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ') || 'NULL'})`)).map((r) => r.v);
        assert.deepEqual(found.sort(), expected.sort(), `${c.from} → ${JSON.stringify(target.type)}`);
      }
    }));
  });
}

describe('PostgreSQL connections', () => {
  it('a connection failure says why and never shows the password', async () => {
    const u = new URL(PG_URL);
    u.password = 'pa55-w0rd-secret';
    u.port = '1';
    const e = await rejects(postgresDialect.connect(parseDatabaseUrl(u.toString()), { readOnly: true }), 'E_DB_CONNECT');
    assert.doesNotMatch(e.message + String((e as { hint?: string }).hint), /pa55-w0rd-secret/);
    assert.match(e.message, /\*\*\*/);
  });

  it('introspection reads beside the session on a catalog reader, never while the session has uncommitted changes', async (t) => {
    if (!DIALECTS.includes('postgres')) { t.skip('PostgreSQL not selected'); return; }
    await withDb(t, 'postgres', async (db) => {
      await evolve(db, featureModels());
      const url = parseDatabaseUrl(db.url);
      const conn = await connectPostgres(url, { readOnly: true });
      let pid = 0;
      try {
        const reader = (await conn.catalogReader!())!;
        pid = Number((await reader.query('SELECT pg_backend_pid() AS p'))[0]!.p);
        assert.notEqual(pid, Number((await conn.query('SELECT pg_backend_pid() AS p'))[0]!.p), 'the reader is a session of its own');
        assert.deepEqual(await reader.query('SHOW search_path'), await conn.query('SHOW search_path'));
        await assert.rejects(reader.query('CREATE TABLE reader_wrote (id int)'), /read-only/);
        const both = await postgresDialect.introspect(conn);
        const alone = await postgresDialect.introspect({ ...conn, catalogReader: undefined } as Connection);
        assert.deepEqual(both, alone);
        assert.ok(both.tables.length > 0 && both.tables.some((x) => x.foreignKeys.length > 0));
        // A reader whose session ends: its queries run on the connection, and the next reader is new.
        await db.query(`SELECT pg_terminate_backend(${pid})`);
        assert.deepEqual(await postgresDialect.introspect(conn), alone);
        const next = (await conn.catalogReader!())!;
        const killed = pid;
        pid = Number((await next.query('SELECT pg_backend_pid() AS p'))[0]!.p);
        assert.notEqual(pid, killed);
        assert.deepEqual(await postgresDialect.introspect(conn), alone);
      } finally { await conn.close(); }
      let open = 1;
      for (let i = 0; i < 50 && open > 0; i++) {
        open = Number((await db.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE pid = ${pid}`))[0]!.n);
        if (open > 0) await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(open, 0, 'the reader is closed with its connection');
      // Inside a transaction that changed the schema, everything is read on the session: the
      // uncommitted table's keys and foreign key are there (a reader would not see them).
      const w = await connectPostgres(url, { readOnly: false });
      try {
        await w.catalogReader!();
        await w.execute('BEGIN');
        await w.execute('CREATE TABLE uncommitted (id int PRIMARY KEY, code text UNIQUE, parent int REFERENCES uncommitted (id))');
        await w.execute('CREATE VIEW uncommitted_v AS SELECT id FROM uncommitted');
        const live = await postgresDialect.introspect(w);
        const u = live.tables.find((x) => x.name === 'uncommitted');
        assert.ok(u, 'the uncommitted table is read');
        assert.deepEqual(u.primaryKey?.columns, ['id']);
        assert.deepEqual(u.uniques.map((x) => x.columns), [['code']]);
        assert.deepEqual(u.foreignKeys.map((x) => x.refTable), ['uncommitted']);
        assert.ok(live.objects?.some((o) => o.name === 'uncommitted_v'), 'the uncommitted view is read');
        await w.execute('ROLLBACK');
      } finally { await w.close(); }
    });
  });

  it('a PGlite connection has no catalog reader', async (t) => {
    if (!DIALECTS.includes('pglite')) { t.skip('PGlite not selected'); return; }
    const conn = await connectPostgres(parseDatabaseUrl('pglite::memory:'), { readOnly: false });
    try { assert.equal(conn.catalogReader, undefined); } finally { await conn.close(); }
  });

  it('plans are independent of the schema name: tables are addressed through search_path', () => {
    const diff = { from: { dialect: 'postgres' as const, tables: [] }, to: postgresDialect.normalise({ dialect: 'postgres', tables: [] }), changes: [], renames: [], liveName: new Map() };
    assert.deepEqual(postgresDialect.plan(diff).statements, []);
    assert.equal(postgresDialect.sql.table('my "t"'), '"my ""t"""');
  });
});

// ---------------------------------------------------------------------------------------------
// Objects beyond tables (issue 7): desired schemas as SQL files, loaded into a scratch schema

const OBJECTS_V1 = `
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN year AS integer CONSTRAINT year_check CHECK (VALUE >= 1901 AND VALUE <= 2155) DEFAULT 2000;
CREATE SEQUENCE ticket_no INCREMENT BY 5 START WITH 100;
CREATE TABLE film (
  id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  title text NOT NULL,
  m mood,
  y year,
  len integer CHECK (len > 0),
  price numeric(6,2) NOT NULL DEFAULT 1,
  total numeric GENERATED ALWAYS AS (price * 2) STORED,
  ticket integer DEFAULT nextval('ticket_no'),
  body tsvector,
  updated timestamp,
  CONSTRAINT film_title_chk CHECK (title <> '')
);
CREATE TABLE actor (id serial PRIMARY KEY, name text NOT NULL);
CREATE INDEX film_lower ON film (lower(title));
CREATE INDEX film_body ON film USING gin (body);
CREATE INDEX film_desc ON film (title DESC NULLS LAST);
CREATE INDEX film_incl ON film (title) INCLUDE (len);
CREATE INDEX film_long ON film (title) WHERE len > 100;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated := now(); RETURN NEW; END $$;
CREATE FUNCTION film_count(mood) RETURNS bigint LANGUAGE sql STABLE AS $$ SELECT count(*) FROM film WHERE m = $1 $$;
CREATE PROCEDURE bump(n integer) LANGUAGE sql AS $$ UPDATE film SET len = len + n $$;
CREATE TRIGGER film_touch BEFORE INSERT OR UPDATE ON film FOR EACH ROW EXECUTE FUNCTION touch();
CREATE VIEW long_film AS SELECT id, title, len FROM film WHERE len > 100;
CREATE MATERIALIZED VIEW mood_count AS SELECT m, count(*) AS n FROM film GROUP BY m;
CREATE UNIQUE INDEX mood_count_m ON mood_count (m);
COMMENT ON TABLE film IS 'Films';
COMMENT ON COLUMN film.title IS 'the film''s title';
COMMENT ON VIEW long_film IS 'long ones';
COMMENT ON FUNCTION touch() IS 'stamps rows';
`;

/** Write SQL text to a temporary .sql file. */
function sqlFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'evolve-pg-objects-'));
  const file = join(dir, 'schema.sql');
  writeFileSync(file, text);
  return file;
}

/** Apply a SQL file's schema, then check a second plan finds nothing and the fingerprints agree. */
async function evolveSql(db: TestDatabase, text: string, options: { allowDataLoss?: boolean } = {}): Promise<ApplyReport> {
  const models = sqlFile(text);
  const report = await applyEvolution({ db: db.url, models, ...options });
  assert.equal(report.fingerprintAfter, report.targetFingerprint, 'the live fingerprint after apply is the SQL file\'s');
  const again = await planEvolution({ db: db.url, models });
  assert.deepEqual(again.statements.map((s) => s.sql), [], 'a second plan is empty');
  assert.deepEqual(again.changes, [], 'no change left');
  assert.equal(again.inSync, true);
  return report;
}

/** The fingerprint of a SQL file's schema on this server (through a scratch schema). */
async function sqlFingerprint(db: TestDatabase, text: string): Promise<string> {
  return fingerprint(await schemaFromSql(postgresDialect, parseDatabaseUrl(db.url), text));
}

const SERVER = DIALECTS.includes('postgres') ? ['postgres' as const] : [];

for (const dialect of DIALECTS) {
  describe(`PostgreSQL objects [${dialect}]`, () => {
    it('introspects every kind of object, applies them and reads them back with no false diff', (t) => withDb(t, dialect, async (db) => {
      await evolveSql(db, OBJECTS_V1);
      const live = await inspect(db.url);
      const keys = (live.objects ?? []).map((o) => `${o.kind}:${o.name}`).sort();
      assert.deepEqual(keys, [
        'comment:column film.title', 'comment:function touch()', 'comment:table film', 'comment:view long_film',
        'domain:year', 'enum:mood',
        'function:bump(IN n integer)', 'function:film_count(mood)', 'function:touch()',
        'index:film_body', 'index:film_desc', 'index:film_incl', 'index:film_lower', 'index:mood_count_m',
        'materializedView:mood_count', 'sequence:ticket_no', 'trigger:film.film_touch', 'view:long_film',
      ]);
      const film = live.tables.find((x) => x.name === 'film')!;
      assert.deepEqual(film.indexes.map((i) => [i.name, i.where]), [['film_long', 'len > 100']], 'plain indexes stay with the table, the others are objects: nothing twice');
      assert.deepEqual(film.checks?.map((c) => [c.name, c.expression]).sort(), [['film_len_check', 'len > 0'], ['film_title_chk', "title <> ''"]]);
      const total = film.columns.find((c) => c.name === 'total')!;
      assert.deepEqual(total.generated, { expression: 'price * 2', stored: true });
      assert.equal(total.default, null);
      assert.deepEqual(film.columns.find((c) => c.name === 'm')!.type, { kind: 'raw', sql: 'mood' });
      assert.deepEqual(film.columns.find((c) => c.name === 'y')!.type, { kind: 'raw', sql: 'year' });
      assert.equal(film.columns.find((c) => c.name === 'id')!.autoIncrement, true);
      assert.ok(!keys.some((k) => /actor_id_seq|film_id_seq/.test(k)), 'sequences of identity and serial columns are not objects');
      const text = JSON.stringify(live);
      assert.doesNotMatch(text, new RegExp(new URL(db.url).searchParams.get('schema') ?? 'public'), 'no definition names the schema');
      // The data goes through the objects.
      await db.exec(`INSERT INTO film (title, m, len, price) VALUES ('Alien', 'happy', 117, 2.5); CALL bump(1); REFRESH MATERIALIZED VIEW mood_count;`);
      assert.deepEqual(await rows(db, 'SELECT title, total, len, updated IS NOT NULL AS stamped, y, ticket FROM film'), [{ title: 'Alien', total: '5.00', len: '118', stamped: 'true', y: '2000', ticket: '100' }]);
      assert.deepEqual(await rows(db, 'SELECT title FROM long_film'), [{ title: 'Alien' }]);
      assert.deepEqual(await rows(db, `SELECT film_count('happy') AS n`), [{ n: '1' }]);
    }));

    it('changes and drops every kind of object in place or by recreating it, keeping rows', (t) => withDb(t, dialect, async (db) => {
      await evolveSql(db, OBJECTS_V1);
      await db.exec(`INSERT INTO film (title, m, len, price) VALUES ('Alien', 'ok', 117, 2.5)`);
      const v2 = OBJECTS_V1
        .replace(`CREATE DOMAIN year AS integer CONSTRAINT year_check CHECK (VALUE >= 1901 AND VALUE <= 2155) DEFAULT 2000`, `CREATE DOMAIN year AS integer CONSTRAINT year_check CHECK (VALUE >= 1900) DEFAULT 1999`)
        .replace('INCREMENT BY 5', 'INCREMENT BY 10')
        .replace('price * 2', 'price * 3')
        .replace(`CONSTRAINT film_title_chk CHECK (title <> '')`, `CONSTRAINT film_title_chk CHECK (length(title) > 1)`)
        .replace('NEW.updated := now()', 'NEW.updated := now() - interval \'1 hour\'')
        .replace('BEFORE INSERT OR UPDATE ON film', 'BEFORE UPDATE ON film')
        .replace('WHERE len > 100;', 'WHERE len > 90;')
        .replace('(lower(title))', '(upper(title))')
        .replace('COMMENT ON TABLE film IS \'Films\'', 'COMMENT ON TABLE film IS \'All films\'')
        .replace(`CREATE INDEX film_desc ON film (title DESC NULLS LAST);`, '')
        .replace(`COMMENT ON FUNCTION touch() IS 'stamps rows';`, `CREATE TABLE extra (id int PRIMARY KEY, label text CHECK (label <> 'x'));`);
      for (const [a, b] of [[OBJECTS_V1, v2]] as const) assert.notEqual(await sqlFingerprint(db, a), await sqlFingerprint(db, b));
      const report = await evolveSql(db, v2);
      const sqls = report.statements.map((s) => s.sql).join('\n');
      assert.match(sqls, /ALTER SEQUENCE "ticket_no"/, 'sequences change in place');
      assert.match(sqls, /ALTER DOMAIN "year" SET DEFAULT 1999/, 'domains change in place');
      assert.match(sqls, /DROP COLUMN "total"[\s\S]*ADD COLUMN "total" numeric GENERATED ALWAYS AS \(price \* 3\) STORED/);
      assert.doesNotMatch(sqls, /DROP TYPE|DROP TABLE/);
      assert.deepEqual(await rows(db, 'SELECT title, total, len FROM film'), [{ title: 'Alien', total: '7.50', len: '117' }]);
      assert.deepEqual(await rows(db, 'SELECT title FROM long_film'), [{ title: 'Alien' }]);
      // Everything goes: objects dropped, dependents first.
      await evolveSql(db, 'CREATE TABLE film (id integer PRIMARY KEY, title text NOT NULL, len integer)', { allowDataLoss: true });
      const live = await inspect(db.url);
      assert.equal(live.objects, undefined);
      assert.deepEqual(await rows(db, 'SELECT title, len FROM film'), [{ title: 'Alien', len: '117' }]);
    }));

    it('adds enum values in place keeping rows, renames one only where declared (-- evolve:aka), and refuses to remove one', (t) => withDb(t, dialect, async (db) => {
      const v1 = `CREATE TYPE mood AS ENUM ('sad', 'happy'); CREATE TABLE person (id int PRIMARY KEY, m mood NOT NULL);`;
      await evolveSql(db, v1);
      await db.exec(`INSERT INTO person VALUES (1, 'sad'), (2, 'happy')`);
      const v2 = v1.replace(`('sad', 'happy')`, `('meh', 'sad', 'ok', 'happy', 'ecstatic')`);
      assert.notEqual(await sqlFingerprint(db, v1), await sqlFingerprint(db, v2));
      const report = await evolveSql(db, v2);
      assert.ok(report.statements.every((s) => /^ALTER TYPE "mood" ADD VALUE/.test(s.sql)), report.statements.map((s) => s.sql).join('\n'));
      assert.deepEqual(await rows(db, `SELECT enum_range(NULL::mood)::text AS r`), [{ r: '{meh,sad,ok,happy,ecstatic}' }]);
      assert.deepEqual(await rows(db, 'SELECT id, m::text AS m FROM person ORDER BY id'), [{ id: '1', m: 'sad' }, { id: '2', m: 'happy' }]);
      // One value replaced at its place: renames are never guessed, so it is a removal, refused, with the way to declare it.
      const guessed = await planEvolution({ db: db.url, models: sqlFile(v1.replace(`('sad', 'happy')`, `('meh', 'sad', 'fine', 'happy', 'ecstatic')`)) });
      assert.deepEqual(guessed.blocking.map((h) => h.code), [HazardCode.EnumValueRemoved]);
      assert.match(guessed.blocking[0]!.fix, /'fine', -- evolve:aka ok/);
      // Declared on the value's line: a rename, and a value added after the renamed one.
      const v3 = v1.replace(`('sad', 'happy')`, `(\n  'meh', 'sad',\n  'fine', -- evolve:aka ok\n  'fine2', 'happy', 'ecstatic')`);
      const renamed = await evolveSql(db, v3);
      assert.deepEqual(renamed.statements.map((s) => s.sql), [`ALTER TYPE "mood" RENAME VALUE 'ok' TO 'fine'`, `ALTER TYPE "mood" ADD VALUE IF NOT EXISTS 'fine2' AFTER 'fine'`]);
      // A value removed: refused, nothing changes.
      const v4 = v1.replace(`('sad', 'happy')`, `('sad', 'fine', 'happy', 'ecstatic')`);
      const plan = await planEvolution({ db: db.url, models: sqlFile(v4) });
      assert.deepEqual(plan.blocking.map((h) => h.code), [HazardCode.EnumValueRemoved]);
      assert.match(plan.blocking[0]!.message, /'meh'/);
      await rejects(applyEvolution({ db: db.url, models: sqlFile(v4), allowDataLoss: true }), 'E_DATA_LOSS');
      assert.deepEqual(await rows(db, `SELECT enum_range(NULL::mood)::text AS r`), [{ r: '{meh,sad,fine,fine2,happy,ecstatic}' }]);
    }));

    it('adds an enum value and uses it in the same plan (a default, an index predicate): the value is committed first', (t) => withDb(t, dialect, async (db) => {
      const v1 = `CREATE TYPE state AS ENUM ('new', 'done'); CREATE TABLE task (id int PRIMARY KEY, s state NOT NULL DEFAULT 'new');`;
      await evolveSql(db, v1);
      await db.exec(`INSERT INTO task VALUES (1, 'done')`);
      const v2 = `CREATE TYPE state AS ENUM ('new', 'doing', 'done'); CREATE TABLE task (id int PRIMARY KEY, s state NOT NULL DEFAULT 'doing');
CREATE INDEX task_doing ON task (id) WHERE s = 'doing';`;
      const report = await evolveSql(db, v2);
      assert.match(report.statements[0]!.sql, /^ALTER TYPE "state" ADD VALUE IF NOT EXISTS 'doing'/);
      assert.equal(report.statements[0]!.inTransaction, false, 'run before the transaction');
      await db.exec('INSERT INTO task (id) VALUES (2)');
      assert.deepEqual(await rows(db, 'SELECT id, s::text AS s FROM task ORDER BY id'), [{ id: '1', s: 'done' }, { id: '2', s: 'doing' }]);
    }));

    it('a recorded evolution that adds an enum value and uses it applies as a stored evolution', (t) => withDb(t, dialect, async (db) => {
      const v1 = `CREATE TYPE state AS ENUM ('new', 'done'); CREATE TABLE task (id int PRIMARY KEY, s state NOT NULL DEFAULT 'new');`;
      await evolveSql(db, v1);
      const models = sqlFile(v1.replace(`('new', 'done')`, `('new', 'doing', 'done')`).replace(`DEFAULT 'new'`, `DEFAULT 'doing'`));
      const evolutions = mkdtempSync(join(tmpdir(), 'evolve-pg-enum-evolutions-'));
      const recorded = await recordEvolution({ db: db.url, models, evolutions });
      assert.ok(recorded.file, 'an evolution was recorded');
      const report = await applyEvolution({ db: db.url, models, evolutions, storedOnly: true });
      assert.equal(report.storedApplied.length, 1);
      assert.equal(report.inSync, true);
      await db.exec('INSERT INTO task (id) VALUES (1)');
      assert.deepEqual(await rows(db, 'SELECT s::text AS s FROM task'), [{ s: 'doing' }]);
    }));

    it('keeps identity GENERATED ALWAYS apart from BY DEFAULT: created as written, fingerprinted, altered both ways keeping rows', (t) => withDb(t, dialect, async (db) => {
      const always = 'CREATE TABLE ticket (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, what text);';
      const byDefault = always.replace('ALWAYS', 'BY DEFAULT');
      assert.notEqual(await sqlFingerprint(db, always), await sqlFingerprint(db, byDefault), 'the fingerprint tells them apart');
      const identity = async (): Promise<string> => (await rows(db, `SELECT attidentity AS i FROM pg_attribute WHERE attrelid = 'ticket'::regclass AND attname = 'id'`))[0]!.i!;
      await evolveSql(db, always);
      assert.equal(await identity(), 'a', 'created GENERATED ALWAYS');
      await db.exec(`INSERT INTO ticket (what) VALUES ('a'), ('b')`);
      await evolveSql(db, byDefault);
      assert.equal(await identity(), 'd');
      await db.exec(`INSERT INTO ticket (id, what) VALUES (10, 'given'); INSERT INTO ticket (what) VALUES ('c')`);
      await evolveSql(db, always);
      assert.equal(await identity(), 'a');
      await db.exec(`INSERT INTO ticket (what) VALUES ('d')`);
      assert.deepEqual((await rows(db, 'SELECT what FROM ticket ORDER BY id')).map((r) => r.what), ['a', 'b', 'c', 'given', 'd']);
      // A models module cannot say ALWAYS: the live column keeps it, and the plan says so.
      const { table: tbl, integer: int, text: txt } = await import('../../src/index.js');
      const models = [tbl('ticket', { id: int().primaryKey({ autoIncrement: true }), what: txt() })];
      const plan = await planEvolution({ db: db.url, models });
      assert.deepEqual(plan.changes, []);
      assert.ok(plan.unmanaged.some((u) => /identity generated always of column ticket\.id/.test(u)), plan.unmanaged.join('\n'));
    }));

    it('recreates a view when a column it reads changes type, and its comment with it', (t) => withDb(t, dialect, async (db) => {
      const v1 = `CREATE TABLE item (id int PRIMARY KEY, qty integer NOT NULL, note text);
CREATE VIEW big_item AS SELECT id, qty FROM item WHERE qty > 10;
CREATE VIEW big_item_ids AS SELECT id FROM big_item;
COMMENT ON VIEW big_item IS 'big';`;
      await evolveSql(db, v1);
      await db.exec('INSERT INTO item VALUES (1, 20, null), (2, 5, null)');
      const report = await evolveSql(db, v1.replace('qty integer', 'qty bigint'));
      const sqls = report.statements.map((s) => s.sql);
      const at = (re: RegExp): number => sqls.findIndex((s) => re.test(s));
      assert.ok(at(/^DROP VIEW "big_item_ids"/) < at(/^DROP VIEW "big_item"$/), 'dependents dropped first');
      assert.ok(at(/^DROP VIEW "big_item"$/) < at(/ALTER COLUMN "qty" TYPE bigint/));
      assert.ok(at(/ALTER COLUMN "qty" TYPE bigint/) < at(/^CREATE VIEW "big_item" AS/));
      assert.ok(at(/^CREATE VIEW "big_item" AS/) < at(/^CREATE VIEW "big_item_ids" AS/));
      assert.ok(at(/^COMMENT ON VIEW "big_item" IS 'big'/) > at(/^CREATE VIEW "big_item" AS/));
      assert.deepEqual(await rows(db, 'SELECT id FROM big_item_ids'), [{ id: '1' }]);
    }));

    it('reports what it does not manage, and never fingerprints or touches it', (t) => withDb(t, dialect, async (db) => {
      await db.exec(`CREATE TABLE doc (id int PRIMARY KEY, owner text);
        CREATE TYPE span AS RANGE (subtype = int4);
        CREATE AGGREGATE pct(float8, float8 ORDER BY float8) (sfunc = float8pl, stype = float8, hypothetical);
        CREATE RULE doc_no_delete AS ON DELETE TO doc DO INSTEAD NOTHING;
        ALTER TABLE doc ENABLE ROW LEVEL SECURITY;
        CREATE POLICY doc_owner ON doc USING (owner = current_user);`);
      const live = await inspect(db.url);
      const seen = (live.unmanaged ?? []).map((u) => `${u.kind} ${u.name}${u.table ? ' on ' + u.table : ''}`).sort();
      assert.deepEqual(seen, ['aggregate pct(double precision, double precision ORDER BY double precision)', 'policy doc_owner on doc',
        'range type span', 'row level security enabled on doc', 'rule doc_no_delete on doc']);
      assert.equal(live.objects, undefined, 'none of them is an object');
      const bare = `CREATE TABLE doc (id int PRIMARY KEY, owner text);`;
      const plan = await planEvolution({ db: db.url, models: sqlFile(bare) });
      assert.deepEqual(plan.changes, [], 'nothing to do: unmanaged objects are left alone');
      assert.equal(plan.liveFingerprint, await sqlFingerprint(db, bare));
    }));
  });
}

for (const dialect of SERVER) {
  describe(`PostgreSQL extensions [${dialect}]`, () => {
    it('lists an extension (not its members), fingerprints it, and creates and drops it', (t) => withDb(t, dialect, async (db) => {
      await db.exec('CREATE TABLE word (id int PRIMARY KEY, w text)');
      const before = await inspect(db.url);
      await db.exec('CREATE EXTENSION IF NOT EXISTS pg_trgm');
      try {
        const live = await inspect(db.url);
        assert.deepEqual(live.objects?.map((o) => [o.kind, o.name, o.definition, o.create]), [['extension', 'pg_trgm', 'pg_trgm', ['CREATE EXTENSION IF NOT EXISTS "pg_trgm"']]], 'its functions, operators and types are not listed');
        assert.notEqual(fingerprint(live), fingerprint(before));
        // Drop it, then create it again, from plans.
        const conn = await postgresDialect.connect(parseDatabaseUrl(db.url), { readOnly: false });
        try {
          for (const [from, to] of [[live, before], [before, live]] as const) {
            const plan = postgresDialect.plan(postgresDialect.diff(from, to));
            assert.equal(plan.statements.length, 1);
            await postgresDialect.run(conn, plan.statements, { foreignKeysOff: plan.foreignKeysOff });
            assert.equal(fingerprint(await postgresDialect.introspect(conn)), fingerprint(to));
          }
        } finally { await conn.close(); }
      } finally { await db.exec('DROP EXTENSION IF EXISTS pg_trgm'); }
    }));
  });
}

describe('PostgreSQL extensions in SQL files', () => {
  // Extensions belong to a database, not a schema: this test gets a database of its own.
  it('a file that creates an extension applies, and once the extension is installed the next plan is empty', async (t) => {
    const problem = await serverProblem('postgres');
    if (problem || !selectedDialects().includes('postgres')) {
      if (process.env.CI && selectedDialects().includes('postgres')) throw new Error(`${problem} (CI requires every dialect's server)`);
      t.skip(problem ?? 'postgres not selected');
      return;
    }
    const pg = (await import('pg')).default;
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    const names = [1, 2].map((i) => `evolve_ext_${Date.now().toString(36)}_${i}_${Math.random().toString(36).slice(2, 6)}`);
    for (const n of names) await admin.query(`CREATE DATABASE "${n}"`);
    const urlOf = (n: string): string => { const u = new URL(PG_URL); u.pathname = `/${n}`; return u.toString(); };
    try {
      const file = join(mkdtempSync(join(tmpdir(), 'evolve-ext-')), 'schema.sql');
      const text = `CREATE EXTENSION IF NOT EXISTS citext;
CREATE TABLE person (id integer PRIMARY KEY, email citext NOT NULL UNIQUE);
CREATE VIEW person_emails AS SELECT email FROM person;`;
      writeFileSync(file, text);
      const [a, b] = names.map(urlOf) as [string, string];
      await applyEvolution({ db: a, models: file });
      const plan = await planEvolution({ db: a, models: file });
      assert.deepEqual(plan.statements.map((s) => s.sql), [], 'the installed extension is not dropped, nothing else differs');
      const live = await inspect(a);
      assert.ok((live.objects ?? []).some((o) => o.kind === 'extension' && o.name === 'citext'), 'the extension is an object of the schema');
      // The same file loaded by hand gives the same fingerprint.
      const c = new pg.Client({ connectionString: b });
      await c.connect();
      try { await c.query(text); } finally { await c.end(); }
      assert.equal((await fingerprintDatabase(b)).fingerprint, (await fingerprintDatabase(a)).fingerprint);
    } finally {
      for (const n of names) await admin.query(`DROP DATABASE IF EXISTS "${n}" WITH (FORCE)`).catch(() => undefined);
      await admin.end();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Extra schemas (issue 7): `?schemas=a,b` / `--schemas` manage schemas beside the primary one

describe('PostgreSQL extra schemas', () => {
  /** Skip (or fail under CI) without the server. */
  async function server(t: TestContext): Promise<boolean> {
    const problem = await serverProblem('postgres');
    if (problem || !selectedDialects().includes('postgres')) {
      if (process.env.CI && selectedDialects().includes('postgres')) throw new Error(`${problem} (CI requires every dialect's server)`);
      t.skip(problem ?? 'postgres not selected');
      return false;
    }
    return true;
  }

  /** A fresh primary schema and the names of extra schemas of its own (`<primary>_<suffix>`), all dropped after. */
  async function withSchemas(t: TestContext, suffixes: string[], fn: (db: TestDatabase, extra: string[], url: (schemas: string[]) => string) => Promise<void>): Promise<void> {
    if (!(await server(t))) return;
    const db = await freshDatabase('postgres');
    const primary = new URL(db.url).searchParams.get('schema')!;
    const extra = suffixes.map((s) => `${primary}_${s}`);
    const url = (schemas: string[]): string => { const u = new URL(db.url); u.searchParams.set('schemas', schemas.join(',')); return u.toString(); };
    try { await fn(db, extra, url); } finally {
      for (const s of extra) await db.exec(`DROP SCHEMA IF EXISTS "${s}" CASCADE`).catch(() => undefined);
      await db.dispose();
    }
  }

  it('reads an opted-in schema as schema.table, fingerprints it, and never sees a schema not opted in', (t) => withSchemas(t, ['billing', 'hidden'], async (db, [billing, hidden], url) => {
    await db.exec(`CREATE TABLE customer (id int PRIMARY KEY, name text);
      CREATE SCHEMA "${billing}"; CREATE TABLE "${billing}".invoice (id int PRIMARY KEY, customer_id int REFERENCES customer, total numeric(10,2) NOT NULL DEFAULT 0);
      CREATE INDEX invoice_total ON "${billing}".invoice (total);
      CREATE INDEX invoice_lower ON "${billing}".invoice ((total * 2));
      CREATE VIEW "${billing}".big AS SELECT id, total FROM "${billing}".invoice WHERE total > 100;
      CREATE VIEW customer_totals AS SELECT c.id, sum(i.total) AS total FROM customer c JOIN "${billing}".invoice i ON i.customer_id = c.id GROUP BY c.id;
      CREATE TYPE "${billing}".state AS ENUM ('open', 'paid');
      ALTER TABLE customer ADD COLUMN state "${billing}".state;
      CREATE SCHEMA "${hidden}"; CREATE TABLE "${hidden}".secret (id int PRIMARY KEY); CREATE VIEW "${hidden}".v AS SELECT 1 AS x`);
    const withExtra = url([billing!]);
    const live = await inspect(withExtra);
    assert.deepEqual(live.tables.map((x) => x.name).sort(), [`${billing}.invoice`, 'customer'].sort());
    const invoice = live.tables.find((x) => x.name === `${billing}.invoice`)!;
    assert.deepEqual(invoice.indexes.map((i) => i.name), ['invoice_total'], 'index names stay unqualified');
    assert.deepEqual(invoice.foreignKeys.map((f) => f.refTable), ['customer']);
    assert.equal(live.tables.find((x) => x.name === 'customer')!.columns.find((c) => c.name === 'state')!.type.kind, 'raw');
    assert.match(JSON.stringify(live.tables.find((x) => x.name === 'customer')!.columns.find((c) => c.name === 'state')!.type), new RegExp(`${billing}\\.state`));
    const keys = (live.objects ?? []).map((o) => `${o.kind}:${o.name}`).sort();
    assert.deepEqual(keys, [`enum:${billing}.state`, `index:${billing}.invoice_lower`, `schema:${billing}`, 'view:customer_totals', `view:${billing}.big`].sort());
    assert.ok(!JSON.stringify(live).includes(hidden!), 'nothing of the schema not opted in');
    // A view reading a table of an extra schema depends on it, whichever schema the view is in.
    for (const v of ['customer_totals', `${billing}.big`]) {
      const o = live.objects!.find((x) => x.name === v)!;
      assert.ok(objectDependencies(live, o).has(`table:${billing}.invoice`), `${v} depends on the extra schema's table`);
    }
    // The same schema through the option, and in a constant number of queries.
    assert.equal(fingerprint(await inspect(db.url, { schemas: [billing!] })), fingerprint(live));
    const fp = await fingerprintDatabase(withExtra);
    assert.equal(fp.fingerprint, fingerprint(live));
    assert.notEqual(fp.fingerprint, (await fingerprintDatabase(db.url)).fingerprint, 'the extra schema is part of the fingerprint');
    const conn = await postgresDialect.connect(parseDatabaseUrl(withExtra), { readOnly: true });
    let n = 0;
    const counting: Connection = { ...conn, query: (s, p) => { n++; return conn.query(s, p); }, execute: (s) => { n++; return conn.execute(s); } };
    try { await postgresDialect.introspect(counting); } finally { await conn.close(); }
    assert.ok(n <= 4, `${n} queries`);
    // The live schema plans to itself with nothing to do, and names the extra schema's objects qualified.
    const plan = postgresDialect.plan(diffSchemas({ dialect: 'postgres', tables: [] }, live));
    const text = plan.statements.map((s) => s.sql).join('\n');
    assert.match(text, new RegExp(`CREATE SCHEMA IF NOT EXISTS "${billing}"`));
    assert.match(text, new RegExp(`CREATE TABLE "${billing}"\\."invoice"`));
    assert.match(text, new RegExp(`CREATE INDEX "invoice_total" ON "${billing}"\\."invoice"`));
    assert.match(text, new RegExp(`CREATE TYPE "${billing}"\\."state"`));
    assert.ok(text.indexOf('CREATE SCHEMA') < text.indexOf('CREATE TYPE'), 'the schema comes first');
    assert.deepEqual(diffSchemas(live, await inspect(withExtra)).changes, []);
  }));

  it('applies models naming schema.table: creates the schema, a foreign key into it, and evolves it', (t) => withSchemas(t, ['billing', 'unlisted'], async (db, [billing, unlisted], url) => {
    const withExtra = url([billing!]);
    const invoice = table(`${billing}.invoice`, {
      id: integer().primaryKey({ autoIncrement: true }),
      total: decimal(10, 2).notNull().default(0),
    }, { indexes: [index('invoice_total').on('total')] });
    const customer = table('customer', { id: integer().primaryKey(), invoice_id: integer().references(() => invoice.columns.id, { onDelete: 'cascade' }) });
    const v1 = [invoice, customer];
    const report = await applyEvolution({ db: withExtra, models: v1 });
    assert.equal(report.fingerprintAfter, report.targetFingerprint);
    assert.equal(report.fingerprintAfter, await modelsFingerprint(v1, 'postgres'), 'the models\' fingerprint without a database');
    assert.match(report.statements.map((s) => s.sql).join('\n'), new RegExp(`REFERENCES "${billing}"\\."invoice"`));
    assert.deepEqual(await rows(db, `SELECT nspname FROM pg_namespace WHERE nspname = '${billing}'`), [{ nspname: billing! }]);
    assert.deepEqual(await rows(db, `SELECT table_name FROM information_schema.tables WHERE table_schema = '${billing}'`), [{ table_name: 'invoice' }]);
    const again = await planEvolution({ db: withExtra, models: v1 });
    assert.deepEqual(again.statements.map((s) => s.sql), [], 'a second plan is empty');
    assert.equal(again.inSync, true);
    await db.exec(`INSERT INTO "${billing}".invoice (total) VALUES (5), (7); INSERT INTO customer VALUES (1, 1)`);
    // Rename within the extra schema, add a column, drop the index: rows are kept.
    const bill = table(`${billing}.bill`, {
      id: integer().primaryKey({ autoIncrement: true }),
      total: decimal(10, 2).notNull().default(0),
      note: text(),
    }, { aka: [`${billing}.invoice`] });
    const customer2 = table('customer', { id: integer().primaryKey(), invoice_id: integer().references(() => bill.columns.id, { onDelete: 'cascade' }) });
    const r2 = await applyEvolution({ db: withExtra, models: [bill, customer2] });
    const sql2 = r2.statements.map((s) => s.sql).join('\n');
    assert.match(sql2, new RegExp(`ALTER TABLE "${billing}"\\."invoice" RENAME TO "bill"`));
    // The table holds rows: the index goes CONCURRENTLY, outside the transaction (issue 16).
    assert.match(sql2, new RegExp(`DROP INDEX (?:CONCURRENTLY IF EXISTS )?"${billing}"\\."invoice_total"`));
    assert.equal(r2.fingerprintAfter, r2.targetFingerprint);
    assert.deepEqual(await rows(db, `SELECT id, total FROM "${billing}".bill ORDER BY id`), [{ id: '1', total: '5.00' }, { id: '2', total: '7.00' }]);
    await db.exec(`INSERT INTO "${billing}".bill (total) VALUES (9)`); // identity continues
    assert.deepEqual((await planEvolution({ db: withExtra, models: [bill, customer2] })).statements, []);
    // Without the extra schema the primary schema is as it always was; its foreign key names the extra table.
    const plain = await inspect(db.url);
    assert.deepEqual(plain.tables.map((x) => x.name), ['customer']);
    assert.deepEqual(plain.tables[0]!.foreignKeys.map((f) => f.refTable), [`${billing}.bill`], 'a schema not opted in: named with its schema');
    // A model in a schema the database is not opened with is refused, naming the fix.
    const stray = table(`${unlisted}.x`, { id: integer().primaryKey() });
    const e = await rejects(planEvolution({ db: withExtra, models: [bill, customer2, stray] }), 'E_USAGE');
    assert.match(e.message, new RegExp(unlisted!));
    assert.match(String((e as { hint?: string }).hint), /--schemas/);
    assert.deepEqual(await rows(db, `SELECT nspname FROM pg_namespace WHERE nspname = '${unlisted}'`), []);
    // Dropping the extra schema's tables from the models drops them (with consent) and the schema stays adopted.
    const r3 = await applyEvolution({ db: withExtra, models: [table('customer', { id: integer().primaryKey(), invoice_id: integer() })], allowDataLoss: true });
    assert.equal(r3.fingerprintAfter, r3.targetFingerprint);
    assert.deepEqual(await rows(db, `SELECT table_name FROM information_schema.tables WHERE table_schema = '${billing}'`), []);
  }));

  it('a SQL file that creates an extra schema is loaded into a scratch database, applied, and matches the file loaded by hand', async (t) => {
    if (!(await server(t))) return;
    const pg = (await import('pg')).default;
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    const base = `evolve_t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
    const names = [`${base}_a`, `${base}_b`];
    const role = `${base}_nocreatedb`;
    const urlOf = (n: string, user?: string): string => {
      const u = new URL(PG_URL); u.pathname = `/${n}`; u.searchParams.set('schemas', 'billing'); if (user) u.username = user; return u.toString();
    };
    const scratch = async (): Promise<string[]> => (await admin.query("SELECT datname FROM pg_database WHERE datname LIKE '\\_evolve\\_scratch\\_%'")).rows.map((r: { datname: string }) => r.datname);
    const before = new Set(await scratch());
    for (const n of names) await admin.query(`CREATE DATABASE "${n}"`);
    try {
      const text = `CREATE SCHEMA billing;
CREATE TYPE billing.state AS ENUM ('open', 'paid');
CREATE TABLE billing.invoice ( -- evolve:aka billing.bill
  id integer PRIMARY KEY,
  total numeric(10,2) NOT NULL DEFAULT 0,
  state billing.state NOT NULL DEFAULT 'open'
);
CREATE INDEX invoice_total ON billing.invoice (total);
CREATE TABLE customer (id integer PRIMARY KEY, invoice_id integer REFERENCES billing.invoice (id));
CREATE VIEW billing.big_invoice AS SELECT id, total FROM billing.invoice WHERE total > 100;
COMMENT ON TABLE billing.invoice IS 'invoices';`;
      const file = sqlFile(text);
      const [a, b] = names.map((n) => urlOf(n)) as [string, string];
      const report = await applyEvolution({ db: a, models: file });
      assert.equal(report.fingerprintAfter, report.targetFingerprint, 'the live fingerprint after apply is the file\'s');
      const again = await planEvolution({ db: a, models: file });
      assert.deepEqual(again.statements.map((s) => s.sql), [], 'a second plan is empty');
      // The file loaded by hand gives the same fingerprint.
      const c = new pg.Client({ connectionString: b.replace(/\?.*$/, '') });
      await c.connect();
      try { await c.query(text); } finally { await c.end(); }
      assert.equal((await fingerprintDatabase(b)).fingerprint, report.fingerprintAfter);
      // Through the option rather than the URL, the same.
      const plainA = urlOf(names[0]!).replace(/\?.*$/, '');
      assert.equal((await fingerprintDatabase(plainA, { schemas: ['billing'] })).fingerprint, report.fingerprintAfter);
      // A rename declared in the file (-- evolve:aka schema.table) keeps the rows.
      const ca = new pg.Client({ connectionString: a.replace(/\?.*$/, '') });
      await ca.connect();
      try { await ca.query("INSERT INTO billing.invoice (id, total) VALUES (1, 150)"); } finally { await ca.end(); }
      const renamed = text.replace('CREATE TABLE billing.invoice ( -- evolve:aka billing.bill', 'CREATE TABLE billing.bill ( -- evolve:aka billing.invoice')
        .replace(/ON billing\.invoice/g, 'ON billing.bill').replace(/FROM billing\.invoice/g, 'FROM billing.bill').replace(/REFERENCES billing\.invoice/g, 'REFERENCES billing.bill')
        .replace('TABLE billing.invoice IS', 'TABLE billing.bill IS');
      const r2 = await applyEvolution({ db: a, models: sqlFile(renamed) });
      assert.deepEqual(r2.renames.map((x) => `${x.from}→${x.to}`), ['billing.invoice→billing.bill']);
      assert.equal(r2.fingerprintAfter, r2.targetFingerprint);
      const cb = new pg.Client({ connectionString: a.replace(/\?.*$/, '') });
      await cb.connect();
      try { assert.deepEqual((await cb.query('SELECT id, total::text FROM billing.bill')).rows, [{ id: 1, total: '150.00' }]); } finally { await cb.end(); }
      // A rejected statement: the error names it, and the scratch database is dropped all the same.
      const bad = sqlFile(`CREATE SCHEMA billing; CREATE TABLE billing.t (id nosuchtype);`);
      const e = await rejects(planEvolution({ db: a, models: bad }), 'E_SQL_FAILED');
      assert.match(e.message, /nosuchtype/);
      // A user who may not make the sandbox (a scratch database and role) is told why and how to fix it.
      await admin.query(`CREATE ROLE "${role}" LOGIN NOCREATEDB NOCREATEROLE`);
      const denied = await rejects(planEvolution({ db: urlOf(names[0]!, role), models: file }), 'E_SCRATCH_DENIED');
      assert.match(denied.message, /sandbox .* refused to create a login role/);
      assert.match(String((denied as { hint?: string }).hint), /CREATEROLE[\s\S]*--scratch/);
      // ... and, given a scratch where it may (PGlite in memory), it parses the file there.
      // (Without the view: PGlite is PostgreSQL 17, whose view definitions print unlike 15's —
      // a scratch should run the target's major version.)
      const noView = sqlFile(text.replace(/CREATE VIEW[^;]*;/, ''));
      const there = await planEvolution({ db: urlOf(names[0]!, role), models: noView, scratch: 'pglite:memory' });
      const here = await planEvolution({ db: a, models: noView });
      assert.deepEqual(there.statements.map((x) => x.sql), here.statements.map((x) => x.sql), 'parsed in PGlite, the file plans as parsed on the server');
      assert.equal(there.targetFingerprint, here.targetFingerprint);
      // Other test files run at once and make scratches of their own, dropped within seconds;
      // one this test left behind would stay.
      let left = (await scratch()).filter((n) => !before.has(n));
      for (let i = 0; i < 40 && left.length; i++) {
        await new Promise((r) => setTimeout(r, 250));
        const now = new Set(await scratch());
        left = left.filter((n) => now.has(n));
      }
      assert.deepEqual(left, [], 'no scratch database is left behind');
    } finally {
      for (const n of names) await admin.query(`DROP DATABASE IF EXISTS "${n}" WITH (FORCE)`).catch(() => undefined);
      await admin.query(`DROP ROLE IF EXISTS "${role}"`).catch(() => undefined);
      await admin.end();
    }
  });

  it('without schemas, behaviour and fingerprints are exactly as before', (t) => withSchemas(t, ['billing', 'absent'], async (db, [billing, absent], url) => {
    const models = goldenModels();
    await evolve(db, models);
    assert.equal((await fingerprintDatabase(db.url)).fingerprint, GOLDEN_POSTGRES);
    await db.exec(`CREATE SCHEMA "${billing}"; CREATE TABLE "${billing}".invoice (id int PRIMARY KEY)`);
    const plain = await inspect(db.url);
    assert.ok(!(plain.objects ?? []).some((o) => o.kind === 'schema'), 'no schema objects');
    assert.ok(!plain.tables.some((x) => x.name.includes('.')), 'no qualified names');
    assert.equal((await fingerprintDatabase(db.url)).fingerprint, GOLDEN_POSTGRES);
    // An opted-in schema that does not exist adds nothing.
    assert.equal((await fingerprintDatabase(url([absent!]))).fingerprint, GOLDEN_POSTGRES);
    // Plans still name tables unqualified.
    const plan = await planEvolution({ db: db.url, models: [...models, table('extra_t', { id: integer().primaryKey() })] });
    assert.deepEqual(plan.statements.map((s) => s.sql), ['CREATE TABLE "extra_t" (\n  "id" integer NOT NULL,\n  PRIMARY KEY ("id")\n)']);
    assert.equal(await modelsFingerprint(models, 'postgres'), GOLDEN_POSTGRES);
  }));

  it('a foreign key to a table of a schema not managed names that schema: never mistaken for the managed table of the same name', (t) => withSchemas(t, ['other'], async (db, [other]) => {
    await db.exec(`CREATE SCHEMA "${other}"; CREATE TABLE "${other}".department (id int PRIMARY KEY);
      CREATE TABLE department (id int PRIMARY KEY);
      CREATE TABLE employee (id int PRIMARY KEY, department_id int REFERENCES "${other}".department (id))`);
    const live = await inspect(db.url);
    assert.deepEqual(live.tables.find((x) => x.name === 'employee')!.foreignKeys.map((f) => f.refTable), [`${other}.department`]);
    const department = table('department', { id: integer().primaryKey() });
    const models = [department, table('employee', { id: integer().primaryKey(), department_id: integer().references(() => department.columns.id) })];
    const plan = await planEvolution({ db: db.url, models });
    assert.equal(plan.inSync, false, 'the live key points elsewhere than the models\' one');
    await evolve(db, models);
    assert.deepEqual(await rows(db, `SELECT confrelid::regclass::text AS ref FROM pg_constraint WHERE conrelid = 'employee'::regclass AND contype = 'f'`), [{ ref: 'department' }]);
    // The same key loaded from a SQL file reads the same way as the live database.
    const file = `CREATE TABLE department (id int PRIMARY KEY);\nCREATE TABLE employee (id int PRIMARY KEY, department_id int REFERENCES "${other}".department (id));`;
    const fromFile = await schemaFromSql(postgresDialect, parseDatabaseUrl(db.url), file);
    assert.deepEqual(fromFile.tables.find((x) => x.name === 'employee')!.foreignKeys.map((f) => f.refTable), [`${other}.department`]);
    // A file's key to a table of the target schema the file does not create reads unqualified, as the target does.
    const partial = await schemaFromSql(postgresDialect, parseDatabaseUrl(db.url), 'CREATE TABLE employee (id int PRIMARY KEY, department_id int REFERENCES department (id));');
    assert.deepEqual(partial.tables.find((x) => x.name === 'employee')!.foreignKeys.map((f) => f.refTable), ['department']);
  }));
});

for (const dialect of DIALECTS) {
  describe(`PostgreSQL partitions, inheritance and objects built from the catalog [${dialect}]`, () => {
    it('creates partitions from their parent, fingerprints them, and changes a column in the parent only', (t) => withDb(t, dialect, async (db) => {
      const v1 = `CREATE TABLE city (id int PRIMARY KEY);
CREATE TABLE measurement (id int NOT NULL, city_id int NOT NULL, logdate date NOT NULL, PRIMARY KEY (logdate, id)) PARTITION BY RANGE (logdate);
CREATE INDEX measurement_city ON measurement (city_id);
CREATE TABLE measurement_y2024 PARTITION OF measurement FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE measurement_rest (id int NOT NULL, city_id int NOT NULL, logdate date NOT NULL);
ALTER TABLE ONLY measurement ATTACH PARTITION measurement_rest DEFAULT;
ALTER TABLE measurement_y2024 ADD CONSTRAINT y2024_city FOREIGN KEY (city_id) REFERENCES city (id);
CREATE INDEX y2024_id ON measurement_y2024 (id);
`;
      const report = await evolveSql(db, v1);
      const creates = report.statements.map((s) => s.sql).filter((s) => /^CREATE TABLE/.test(s));
      assert.ok(creates.findIndex((s) => /"measurement" \(/.test(s)) < creates.findIndex((s) => /PARTITION OF "measurement"/.test(s)), 'parent first');
      assert.ok(creates.some((s) => /"measurement_rest" PARTITION OF "measurement" DEFAULT/.test(s)), creates.join('\n'));
      const live = await inspect(db.url);
      const part = live.tables.find((x) => x.name === 'measurement_y2024')!;
      assert.deepEqual(part.options, { partition_of: 'measurement', partition_bound: "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')" });
      assert.equal(part.primaryKey, null, "the parent's key is the parent's");
      assert.deepEqual(part.foreignKeys.map((f) => f.refTable), ['city'], 'its own foreign key');
      assert.deepEqual(live.tables.find((x) => x.name === 'measurement')!.options, { partition_by: 'RANGE (logdate)' });
      assert.notEqual(await sqlFingerprint(db, v1), await sqlFingerprint(db, v1.replace(/CREATE TABLE measurement_y2024[^;]*;\n/, '').replace(/ALTER TABLE measurement_y2024[^;]*;\n|CREATE INDEX y2024_id[^;]*;\n/g, '')),
        'the fingerprint sees the partition');
      await db.exec("INSERT INTO city VALUES (1); INSERT INTO measurement VALUES (1, 1, '2024-05-01'), (2, 1, '2020-01-01')");
      const v2 = v1.replace('logdate date NOT NULL, PRIMARY KEY', 'logdate date NOT NULL, peak int, PRIMARY KEY')
        .replace('city_id int NOT NULL, logdate date NOT NULL);', 'city_id int NOT NULL, logdate date NOT NULL, peak int);')
        + `CREATE TABLE measurement_y2025 PARTITION OF measurement FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');\n`;
      const next = await evolveSql(db, v2);
      const sqls = next.statements.map((s) => s.sql);
      assert.deepEqual(sqls.filter((s) => /ADD COLUMN/.test(s)), ['ALTER TABLE "measurement" ADD COLUMN "peak" integer'], 'the parent alone: its partitions follow');
      assert.deepEqual(await rows(db, 'SELECT id FROM measurement ORDER BY id'), [{ id: '1' }, { id: '2' }]);
    }));

    it('moves a partition to another bound by DETACH and ATTACH, keeping its rows; refuses a new partition key', (t) => withDb(t, dialect, async (db) => {
      const v1 = `CREATE TABLE ev (id int NOT NULL, at date NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE ev_a PARTITION OF ev FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');`;
      await evolveSql(db, v1);
      await db.exec("INSERT INTO ev VALUES (1, '2020-06-01')");
      const report = await evolveSql(db, v1.replace("TO ('2021-01-01')", "TO ('2022-01-01')"));
      assert.deepEqual(report.statements.map((s) => s.sql), ['ALTER TABLE "ev" DETACH PARTITION "ev_a"',
        `ALTER TABLE "ev" ATTACH PARTITION "ev_a" FOR VALUES FROM ('2020-01-01') TO ('2022-01-01')`]);
      assert.deepEqual(await rows(db, 'SELECT id FROM ev'), [{ id: '1' }]);
      await rejects(applyEvolution({ db: db.url, models: sqlFile(v1.replace('RANGE (at)', 'LIST (id)').replace(/CREATE TABLE ev_a[^;]*;/, '')) }), 'E_UNSUPPORTED');
    }));

    it('creates INHERITS children with only what is their own, and adds a column to the parent only', (t) => withDb(t, dialect, async (db) => {
      const v1 = `CREATE TABLE payment (id int NOT NULL, amount numeric(5,2) NOT NULL, at date NOT NULL, CHECK (amount >= 0));
CREATE TABLE payment_2007 (note text, CHECK (at >= '2007-01-01' AND at < '2008-01-01')) INHERITS (payment);`;
      await evolveSql(db, v1);
      const child = (await inspect(db.url)).tables.find((x) => x.name === 'payment_2007')!;
      assert.deepEqual(child.options, { inherits: 'payment' });
      assert.equal(child.checks?.length, 1, 'the inherited check is the parent\'s');
      assert.deepEqual(child.columns.map((c) => c.name), ['id', 'amount', 'at', 'note']);
      await db.exec("INSERT INTO payment_2007 VALUES (1, 2.5, '2007-03-01', 'x')");
      const report = await evolveSql(db, v1.replace('at date NOT NULL,', 'at date NOT NULL, staff int,'));
      assert.deepEqual(report.statements.map((s) => s.sql), ['ALTER TABLE "payment" ADD COLUMN "staff" integer']);
      assert.deepEqual(await rows(db, 'SELECT id, note FROM payment_2007'), [{ id: '1', note: 'x' }]);
    }));

    it('manages aggregates, composite types, collations and exclusion constraints, and orders objects by what they use', (t) => withDb(t, dialect, async (db) => {
      const v1 = `CREATE COLLATION plain (locale = 'C');
CREATE FUNCTION is_positive(v integer) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT v > 0 $$;
CREATE DOMAIN "PositiveInt" AS integer CHECK (is_positive(VALUE));
CREATE TYPE "UserRole" AS ENUM ('admin', 'member');
CREATE TYPE pair AS (a int, b text COLLATE plain);
CREATE FUNCTION _cat(text, text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT coalesce($1 || ', ', '') || $2 $$;
CREATE AGGREGATE cat(text) (SFUNC = _cat, STYPE = text);
CREATE TABLE "Account" (
  id integer PRIMARY KEY,
  balance "PositiveInt",
  roles "UserRole"[] NOT NULL DEFAULT '{}',
  email text,
  opened date DEFAULT ('now'::text)::date,
  EXCLUDE USING btree (email WITH =) WHERE (email IS NOT NULL)
);
CREATE FUNCTION accounts() RETURNS SETOF "Account" LANGUAGE sql AS $$ SELECT * FROM "Account" $$;
CREATE FUNCTION first_pair() RETURNS pair LANGUAGE sql AS $$ SELECT 1, 'x' $$;
CREATE VIEW emails AS SELECT cat(email) AS all_emails FROM "Account";`;
      const report = await evolveSql(db, v1);
      const sqls = report.statements.map((s) => s.sql);
      const at = (re: RegExp): number => sqls.findIndex((s) => re.test(s));
      assert.ok(at(/FUNCTION is_positive/) < at(/CREATE DOMAIN "PositiveInt"/), 'a domain after the function its check calls');
      assert.ok(at(/^CREATE TABLE "Account"/) < at(/FUNCTION accounts\(\)/), 'a function after the table whose rows it returns');
      assert.ok(at(/^CREATE AGGREGATE "cat"\(text\)/) < at(/^CREATE VIEW "emails"/), 'the aggregate before the view using it');
      assert.ok(at(/^CREATE COLLATION "plain"/) < at(/^CREATE TYPE "pair" AS \("a" integer, "b" text COLLATE "plain"\)/));
      assert.ok(at(/ADD CONSTRAINT "Account_email_excl" EXCLUDE USING btree/) > at(/^CREATE TABLE "Account"/));
      const kinds = new Set((await inspect(db.url)).objects?.map((o) => o.kind));
      for (const k of ['aggregate', 'composite', 'collation', 'exclusion']) assert.ok(kinds.has(k as never), `${k} is an object`);
      assert.deepEqual(await rows(db, `SELECT pg_get_expr(d.adbin, d.adrelid) AS d FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid
        AND a.attnum = d.adnum WHERE a.attname = 'opened' AND d.adrelid = '"Account"'::regclass`), [{ d: "('now'::text)::date" }], 'the date of each insert, not of the CREATE');
      assert.deepEqual(await rows(db, `SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = '"Account"'::regclass AND attname = 'roles'`),
        [{ t: '"UserRole"[]' }]);
    }));

    it('reads a SQL file back as the session started, whatever it SET (pg_dump empties search_path)', (t) => withDb(t, dialect, async (db) => {
      await evolveSql(db, `CREATE OR REPLACE PROCEDURAL LANGUAGE plpgsql;
COMMENT ON SCHEMA public IS 'standard public schema';
CREATE SEQUENCE ticket_seq;
CREATE TABLE ticket (id integer DEFAULT nextval('ticket_seq'::regclass) NOT NULL, at timestamptz DEFAULT '2024-01-01 00:00:00+00');
SET TimeZone = 'Asia/Tokyo';
SELECT pg_catalog.set_config('search_path', '', false);`);
    }));
  });
}
