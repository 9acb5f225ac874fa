/**
 * One test per kind of change, on every dialect: the change is applied, the data survives,
 * the fingerprint is the models', and a second plan is empty.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import {
  table, index, sql, integer, bigint, decimal, text, varchar, boolean, timestamp,
  applyEvolution, planEvolution, EvolveError, isEvolveError,
} from '../../src/index.js';
import { forEachDialect, withDb } from '../support/harness.js';
import { evolveTo, rows } from '../support/evolve.js';

const person = (extra: Record<string, ReturnType<typeof text>> = {}, opts = {}) =>
  table('person', { id: integer().primaryKey(), name: varchar(50).notNull(), ...extra }, opts);

forEachDialect('each kind of change', (d) => {
  it('creates tables from nothing', (t) => withDb(t, d, async (db) => {
    const r = await evolveTo(db, [person(), table('pet', { id: integer().primaryKey({ autoIncrement: true }), name: text() })]);
    assert.equal(r.applied, true);
    await db.exec("INSERT INTO pet (name) VALUES ('rex')");
    assert.deepEqual(await rows(db, 'SELECT id, name FROM pet'), [{ id: '1', name: 'rex' }]);
  }));

  it('adds a column (with a default filling existing rows)', (t) => withDb(t, d, async (db) => {
    await evolveTo(db, [person()]);
    await db.exec("INSERT INTO person (id, name) VALUES (1, 'ann')");
    await evolveTo(db, [person({ age: integer().notNull().default(7) as never })]);
    assert.deepEqual(await rows(db, 'SELECT id, name, age FROM person'), [{ id: '1', name: 'ann', age: '7' }]);
  }));

  it('refuses a NOT NULL column without default on a table with rows', (t) => withDb(t, d, async (db) => {
    await evolveTo(db, [person()]);
    await db.exec("INSERT INTO person (id, name) VALUES (1, 'ann')");
    await assert.rejects(applyEvolution({ db: db.url, models: [person({ age: integer().notNull() as never })], allowDataLoss: true }),
      (e: unknown) => isEvolveError(e) && e.code === 'E_DATA_LOSS' && /ADD_NOT_NULL_WITHOUT_DEFAULT/.test(e.message));
  }));

  it('drops a column only with consent', (t) => withDb(t, d, async (db) => {
    await evolveTo(db, [person({ nick: text() })]);
    await db.exec("INSERT INTO person (id, name, nick) VALUES (1, 'ann', 'a')");
    await assert.rejects(applyEvolution({ db: db.url, models: [person()] }),
      (e: unknown) => isEvolveError(e) && e.code === 'E_DATA_LOSS' && /DROP_COLUMN person\.nick/.test(e.message));
    assert.deepEqual(await rows(db, 'SELECT nick FROM person'), [{ nick: 'a' }], 'nothing changed after the refusal');
    await evolveTo(db, [person()], { allowDataLoss: true });
    assert.deepEqual(await rows(db, 'SELECT id, name FROM person'), [{ id: '1', name: 'ann' }]);
  }));

  it('drops an empty column without asking', (t) => withDb(t, d, async (db) => {
    await evolveTo(db, [person({ nick: text() })]);
    await db.exec("INSERT INTO person (id, name) VALUES (1, 'ann')");
    await evolveTo(db, [person()]);
  }));

  it('renames a column through aka, keeping its values', (t) => withDb(t, d, async (db) => {
    await evolveTo(db, [person({ nick: text() })]);
    await db.exec("INSERT INTO person (id, name, nick) VALUES (1, 'ann', 'a')");
    const r = await evolveTo(db, [person({ nickname: text().aka('nick') })]);
    assert.deepEqual(r.renames, [{ kind: 'column', table: 'person', from: 'nick', to: 'nickname' }]);
    assert.deepEqual(await rows(db, 'SELECT nickname FROM person'), [{ nickname: 'a' }]);
  }));

  it('renames a table through aka, keeping its rows', (t) => withDb(t, d, async (db) => {
    await evolveTo(db, [person()]);
    await db.exec("INSERT INTO person (id, name) VALUES (1, 'ann')");
    const staff = table('staff', { id: integer().primaryKey(), name: varchar(50).notNull() }, { aka: ['person'] });
    const r = await evolveTo(db, [staff]);
    assert.deepEqual(r.renames, [{ kind: 'table', table: 'staff', from: 'person', to: 'staff' }]);
    assert.deepEqual(await rows(db, 'SELECT id, name FROM staff'), [{ id: '1', name: 'ann' }]);
  }));

  it('drops a table only with consent', (t) => withDb(t, d, async (db) => {
    await evolveTo(db, [person(), table('pet', { id: integer().primaryKey() })]);
    await db.exec('INSERT INTO pet (id) VALUES (1)');
    await assert.rejects(applyEvolution({ db: db.url, models: [person()] }), (e: unknown) => isEvolveError(e) && /DROP_TABLE pet/.test(e.message));
    assert.equal((await rows(db, 'SELECT count(*) AS n FROM pet'))[0]!.n, '1');
    await evolveTo(db, [person()], { allowDataLoss: true });
  }));

  it('widens a type (integer → bigint) keeping values', (t) => withDb(t, d, async (db) => {
    await evolveTo(db, [person({ score: integer() as never })]);
    await db.exec("INSERT INTO person (id, name, score) VALUES (1, 'ann', 2147483647)");
    await evolveTo(db, [person({ score: bigint() as never })]);
    await db.exec("INSERT INTO person (id, name, score) VALUES (2, 'bob', 9007199254740991)");
    assert.deepEqual(await rows(db, 'SELECT score FROM person ORDER BY id'), [{ score: '2147483647' }, { score: '9007199254740991' }]);
  }));

  it('converts text to integer when every value converts, and refuses when one does not', (t) => withDb(t, d, async (db) => {
    await evolveTo(db, [person({ code: varchar(20) })]);
    await db.exec("INSERT INTO person (id, name, code) VALUES (1, 'ann', '42'), (2, 'bob', NULL)");
    await evolveTo(db, [person({ code: integer() as never })]);
    assert.deepEqual(await rows(db, 'SELECT code FROM person ORDER BY id'), [{ code: '42' }, { code: null }]);
    await evolveTo(db, [person({ code: varchar(20) })]);
    await db.exec("INSERT INTO person (id, name, code) VALUES (3, 'cy', 'abc')");
    await assert.rejects(applyEvolution({ db: db.url, models: [person({ code: integer() as never })] }),
      (e: unknown) => isEvolveError(e) && /LOSSY_TYPE_CHANGE person\.code/.test(e.message) && /"abc"/.test(e.message));
  }));

  it('changes a length: widening freely, narrowing only when values fit', (t) => withDb(t, d, async (db) => {
    await evolveTo(db, [person()]);
    await db.exec("INSERT INTO person (id, name) VALUES (1, 'a name of 20 letters')");
    await evolveTo(db, [table('person', { id: integer().primaryKey(), name: varchar(200).notNull() })]);
    await assert.rejects(applyEvolution({ db: db.url, models: [table('person', { id: integer().primaryKey(), name: varchar(10).notNull() })] }),
      (e: unknown) => isEvolveError(e) && /LOSSY_TYPE_CHANGE person\.name/.test(e.message));
    await evolveTo(db, [table('person', { id: integer().primaryKey(), name: varchar(20).notNull() })]);
    assert.deepEqual(await rows(db, 'SELECT name FROM person'), [{ name: 'a name of 20 letters' }]);
  }));

  it('changes nullability both ways', (t) => withDb(t, d, async (db) => {
    await evolveTo(db, [person({ nick: text() })]);
    await db.exec("INSERT INTO person (id, name, nick) VALUES (1, 'ann', 'a')");
    await evolveTo(db, [person({ nick: text().notNull() })]);
    await evolveTo(db, [person({ nick: text() })]);
    await db.exec("INSERT INTO person (id, name) VALUES (2, 'bob')");
    await assert.rejects(applyEvolution({ db: db.url, models: [person({ nick: text().notNull() })], allowDataLoss: true }),
      (e: unknown) => isEvolveError(e) && /NOT_NULL_WITH_NULLS/.test(e.message));
    await evolveTo(db, [person({ nick: varchar(10).notNull().default('none') as never })], { allowDataLoss: true });
    assert.deepEqual(await rows(db, 'SELECT nick FROM person ORDER BY id'), [{ nick: 'a' }, { nick: 'none' }]);
  }));

  it('changes defaults (literal and SQL expression)', (t) => withDb(t, d, async (db) => {
    await evolveTo(db, [person({ status: varchar(10).default('new') as never })]);
    await evolveTo(db, [person({ status: varchar(10).default('old') as never })]);
    await db.exec("INSERT INTO person (id, name) VALUES (1, 'ann')");
    assert.deepEqual(await rows(db, 'SELECT status FROM person'), [{ status: 'old' }]);
    await evolveTo(db, [person({ status: varchar(10) as never, at: timestamp().default(sql`CURRENT_TIMESTAMP`) as never })]);
    await db.exec("INSERT INTO person (id, name) VALUES (2, 'bob')");
    const r = await rows(db, 'SELECT status, at FROM person WHERE id = 2');
    assert.equal(r[0]!.status, null);
    assert.notEqual(r[0]!.at, null);
  }));

  it('adds and drops indexes, unique and composite', (t) => withDb(t, d, async (db) => {
    await evolveTo(db, [person({ email: varchar(100) as never, city: varchar(50) as never }, { indexes: [index('person_name_idx').on('name')] })]);
    await evolveTo(db, [person({ email: varchar(100) as never, city: varchar(50) as never }, { indexes: [index('person_city_name_idx').on('city', 'name'), index('person_email_idx').on('email').unique()] })]);
    await db.exec("INSERT INTO person (id, name, email) VALUES (1, 'ann', 'a@x')");
    await assert.rejects(db.exec("INSERT INTO person (id, name, email) VALUES (2, 'bob', 'a@x')"));
    await evolveTo(db, [person({ email: varchar(100) as never, city: varchar(50) as never })]);
  }));

  it('adds and drops unique constraints; refuses one over duplicates', (t) => withDb(t, d, async (db) => {
    await evolveTo(db, [person({ email: varchar(100) as never })]);
    await db.exec("INSERT INTO person (id, name, email) VALUES (1, 'ann', 'a@x'), (2, 'ann', 'b@x')");
    await evolveTo(db, [person({ email: varchar(100).unique() as never })]);
    await assert.rejects(applyEvolution({ db: db.url, models: [person({ email: varchar(100).unique() as never }, { unique: [['name']] })] }),
      (e: unknown) => isEvolveError(e) && /UNIQUE_WITH_DUPLICATES/.test(e.message));
    await evolveTo(db, [person({ email: varchar(100) as never })]);
    assert.equal((await rows(db, 'SELECT count(*) AS n FROM person'))[0]!.n, '2');
  }));

  it('changes a composite primary key', (t) => withDb(t, d, async (db) => {
    const v1 = table('link', { a: integer().notNull(), b: integer().notNull(), note: text() }, { primaryKey: ['a'] });
    const v2 = table('link', { a: integer().notNull(), b: integer().notNull(), note: text() }, { primaryKey: ['a', 'b'] });
    await evolveTo(db, [v1]);
    await db.exec("INSERT INTO link (a, b, note) VALUES (1, 1, 'x')");
    await evolveTo(db, [v2]);
    await db.exec("INSERT INTO link (a, b, note) VALUES (1, 2, 'y')");
    assert.deepEqual(await rows(db, 'SELECT a, b, note FROM link ORDER BY b'), [{ a: '1', b: '1', note: 'x' }, { a: '1', b: '2', note: 'y' }]);
  }));

  it('keeps decimals, booleans and timestamps through a rebuild-causing change', (t) => withDb(t, d, async (db) => {
    const m = (extra = {}) => table('acct', { id: integer().primaryKey({ autoIncrement: true }), bal: decimal(10, 2).notNull().default(0), ok: boolean().notNull().default(false), at: timestamp(), ...extra });
    await evolveTo(db, [m()]);
    await db.exec("INSERT INTO acct (bal, ok, at) VALUES (12.34, TRUE, '2024-01-02 03:04:05')");
    await evolveTo(db, [m({ memo: text().notNull().default('') })]);
    await evolveTo(db, [table('acct', { id: integer().primaryKey({ autoIncrement: true }), bal: decimal(12, 2).notNull().default(0), ok: boolean().notNull().default(false), at: timestamp(), memo: text().notNull().default('') })]);
    const r = await rows(db, 'SELECT bal, at FROM acct');
    assert.equal(Number(r[0]!.bal), 12.34);
    assert.match(String(r[0]!.at), /2024/);
    await db.exec('INSERT INTO acct (bal) VALUES (1)');
    assert.deepEqual((await rows(db, 'SELECT id FROM acct ORDER BY id')).map((x) => x.id), ['1', '2'], 'auto-increment continues');
  }));

  it('plans without changing anything (sql touches nothing)', (t) => withDb(t, d, async (db) => {
    await evolveTo(db, [person()]);
    const before = await planEvolution({ db: db.url, models: [person({ nick: text() })] });
    assert.equal(before.inSync, false);
    const again = await planEvolution({ db: db.url, models: [person({ nick: text() })] });
    assert.deepEqual(again.statements, before.statements);
    assert.equal(again.liveFingerprint, before.liveFingerprint);
  }));
});

void EvolveError;
