/**
 * One test per kind of change, on every dialect: the change is applied, the data survives,
 * the fingerprint is the models', and a second plan is empty.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import {
  table, index, sql, integer, bigint, real, decimal, text, varchar, boolean, timestamp, date,
  applyEvolution, planEvolution, modelsFingerprint, EvolveError, isEvolveError, type Table, type Hazard,
  type ColumnBuilder,
} from '../../src/index.js';
import type { TestDatabase } from '../support/databases.js';
import { forEachDialect, withDb, evolveDialect } from '../support/harness.js';
import { evolveTo, rows } from '../support/evolve.js';

const person = (extra: Record<string, ColumnBuilder> = {}, opts = {}) =>
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

  it('says which refused hazards --allow-data-loss would accept and which it cannot', (t) => withDb(t, d, async (db) => {
    await evolveTo(db, [person({ nick: text() })]);
    await db.exec("INSERT INTO person (id, name, nick) VALUES (1, 'ann', 'a')");
    await assert.rejects(applyEvolution({ db: db.url, models: [person({ age: integer().notNull() as never })] }), (e: unknown) => {
      assert.ok(isEvolveError(e) && e.code === 'E_DATA_LOSS');
      assert.match(e.hint!, /for ADD_NOT_NULL_WITHOUT_DEFAULT person\.age \(--allow-data-loss cannot help with it\)/);
      assert.match(e.hint!, /--allow-data-loss would accept DROP_COLUMN person\.nick\./);
      return true;
    });
    assert.deepEqual(await rows(db, 'SELECT nick FROM person'), [{ nick: 'a' }], 'nothing was changed');
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

  it('text → integer: refused with counts and examples; with consent non-numbers become NULL', (t) => withDb(t, d, async (db) => {
    await evolveTo(db, [person({ code: varchar(20) })]);
    await db.exec("INSERT INTO person (id, name, code) VALUES (1, 'ann', '42'), (2, 'bob', 'abc'), (3, 'cy', NULL), (4, 'di', '1.5x')");
    const target = [person({ code: integer() as never })];
    await refusedUnlessAllowed(db, target, { code: 'LOSSY_TYPE_CHANGE', rows: 2, examples: ['1.5x', 'abc'] });
    const shown = (await planEvolution({ db: db.url, models: target, allowDataLoss: true })).statements.map((s) => s.sql).join('\n');
    assert.match(shown, /THEN NULL|SET `code` = NULL WHERE/, 'evolve sql --allow-data-loss shows how the values are converted');
    assert.doesNotMatch((await planEvolution({ db: db.url, models: target })).statements.map((s) => s.sql).join('\n'), /THEN NULL|= NULL WHERE/);
    await evolveTo(db, target, { allowDataLoss: true });
    assert.deepEqual(await rows(db, 'SELECT code FROM person ORDER BY id'), [{ code: '42' }, { code: null }, { code: null }, { code: null }]);
  }));

  it('varchar → date, varchar → integer, text → decimal with consent: bad values become NULL, good ones survive, as counted', (t) => withDb(t, d, async (db) => {
    // Regression (MySQL): '2024-13-45' failed the consented UPDATE under strict mode at
    // statement 1, and a rerun failed the same way.
    const v1 = table('reading', { id: integer().primaryKey(), day: varchar(20), n: varchar(20), amount: text() });
    await evolveTo(db, [v1]);
    await db.exec("INSERT INTO reading (id, day, n, amount) VALUES (1, '2024-01-02', '42', '12.5'), (2, '2024-13-45', 'abc', 'abc'), " +
      "(3, '2024-02-30', '9999999999', '123456789012'), (4, NULL, '-7', '-0.25'), (5, 'soon', '1.5', '1e400')");
    const target = [table('reading', { id: integer().primaryKey(), day: date(), n: integer(), amount: decimal(10, 2) })];
    const p = await planEvolution({ db: db.url, models: target });
    assert.deepEqual(p.hazards.map((h) => [h.code, h.table, h.column, h.rows]),
      [['LOSSY_TYPE_CHANGE', 'reading', 'day', 3], ['LOSSY_TYPE_CHANGE', 'reading', 'n', 3], ['LOSSY_TYPE_CHANGE', 'reading', 'amount', 3]]);
    await evolveTo(db, target, { allowDataLoss: true });
    const ids = async (col: string) => (await rows(db, `SELECT id FROM reading WHERE ${col} IS NOT NULL ORDER BY id`)).map((r) => Number(r.id));
    assert.deepEqual(await ids('day'), [1]);
    assert.deepEqual(await ids('n'), [1, 4]);
    assert.deepEqual(await ids('amount'), [1, 4]);
    const kept = await rows(db, 'SELECT n, amount FROM reading WHERE id IN (1, 4) ORDER BY id');
    assert.deepEqual(kept.map((r) => [Number(r.n), Number(r.amount)]), [[42, 12.5], [-7, -0.25]]);
    assert.equal((await rows(db, "SELECT count(*) AS c FROM reading WHERE day = '2024-01-02'"))[0]!.c, '1', 'the good date kept its value');
  }));

  it('text → NOT NULL integer: values that do not convert are refused even with consent', (t) => withDb(t, d, async (db) => {
    await evolveTo(db, [person({ code: varchar(20).notNull() })]);
    await db.exec("INSERT INTO person (id, name, code) VALUES (1, 'ann', '42'), (2, 'bob', 'abc')");
    const target = [person({ code: integer().notNull().default(0) as never })];
    const p = await refusedUnlessAllowed(db, target, { code: 'LOSSY_TYPE_CHANGE', rows: 1, examples: ['abc'] }, false);
    assert.match(p.fix, /UPDATE person SET code/);
    await assert.rejects(applyEvolution({ db: db.url, models: target, allowDataLoss: true }),
      (e: unknown) => isEvolveError(e) && e.code === 'E_DATA_LOSS' && /LOSSY_TYPE_CHANGE person\.code/.test(e.message) && /cannot help/.test(e.hint ?? ''));
    assert.deepEqual(await rows(db, 'SELECT code FROM person ORDER BY id'), [{ code: '42' }, { code: 'abc' }], 'nothing changed');
    await db.exec("UPDATE person SET code = '7' WHERE id = 2");
    await evolveTo(db, target);
    assert.deepEqual(await rows(db, 'SELECT code FROM person ORDER BY id'), [{ code: '42' }, { code: '7' }]);
  }));

  it('NOT NULL text → nullable integer: with consent the column loses NOT NULL before the values become NULL', (t) => withDb(t, d, async (db) => {
    await evolveTo(db, [person({ code: text().notNull() })]);
    await db.exec("INSERT INTO person (id, name, code) VALUES (1, 'ann', '-5'), (2, 'bob', 'x')");
    await evolveTo(db, [person({ code: integer() as never })], { allowDataLoss: true });
    assert.deepEqual(await rows(db, 'SELECT code FROM person ORDER BY id'), [{ code: '-5' }, { code: null }]);
  }));

  it('varchar(50) → varchar(10): refused with counts and examples; with consent longer values are cut', (t) => withDb(t, d, async (db) => {
    await evolveTo(db, [person({ note: varchar(50) as never })]);
    await db.exec("INSERT INTO person (id, name, note) VALUES (1, 'ann', 'short'), (2, 'bob', 'exactly 10'), (3, 'cy', 'a note that is too long')");
    const target = [person({ note: varchar(10).notNull().default('') as never })];
    await refusedUnlessAllowed(db, target, { code: 'LOSSY_TYPE_CHANGE', rows: 1, examples: ['a note that is too long'] });
    await evolveTo(db, target, { allowDataLoss: true });
    assert.deepEqual(await rows(db, 'SELECT note FROM person ORDER BY id'), [{ note: 'short' }, { note: 'exactly 10' }, { note: 'a note tha' }]);
  }));

  it('bigint → integer: overflow refused with counts and examples; with consent it becomes NULL', (t) => withDb(t, d, async (db) => {
    await evolveTo(db, [person({ score: bigint() as never })]);
    await db.exec("INSERT INTO person (id, name, score) VALUES (1, 'ann', 2147483647), (2, 'bob', 3000000000), (3, 'cy', -3000000000), (4, 'di', -2147483648)");
    const target = [person({ score: integer() as never })];
    await refusedUnlessAllowed(db, target, { code: 'LOSSY_TYPE_CHANGE', rows: 2, examples: ['-3000000000', '3000000000'] });
    await assert.rejects(applyEvolution({ db: db.url, models: target }), (e: unknown) => isEvolveError(e) && e.code === 'E_DATA_LOSS');
    assert.deepEqual(await rows(db, 'SELECT score FROM person ORDER BY id'), [{ score: '2147483647' }, { score: '3000000000' }, { score: '-3000000000' }, { score: '-2147483648' }]);
    await evolveTo(db, target, { allowDataLoss: true });
    assert.deepEqual(await rows(db, 'SELECT score FROM person ORDER BY id'), [{ score: '2147483647' }, { score: null }, { score: null }, { score: '-2147483648' }]);
  }));

  it('nullable → NOT NULL with NULLs: counted; with consent the default fills them, without a default still refused', (t) => withDb(t, d, async (db) => {
    await evolveTo(db, [person({ nick: text() })]);
    await db.exec("INSERT INTO person (id, name, nick) VALUES (1, 'ann', 'a'), (2, 'bob', NULL), (3, 'cy', NULL)");
    await refusedUnlessAllowed(db, [person({ nick: text().notNull() })], { code: 'NOT_NULL_WITH_NULLS', rows: 2 }, false);
    const filled = [person({ nick: text().notNull().default('none') })];
    await refusedUnlessAllowed(db, filled, { code: 'NOT_NULL_WITH_NULLS', rows: 2 });
    await evolveTo(db, filled, { allowDataLoss: true });
    assert.deepEqual(await rows(db, 'SELECT nick FROM person ORDER BY id'), [{ nick: 'a' }, { nick: 'none' }, { nick: 'none' }]);
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
    // Literals written as SQL are values: the database reports them as values (regression: on
    // SQLite these failed apply with E_FINGERPRINT_MISMATCH).
    const literals = {
      zero: integer().default(sql`0`) as never, minus: integer().default(sql`-1`) as never,
      state: text().default(sql`'active'`) as never, flag: boolean().default(sql`TRUE`) as never,
      huge: real().default(1e21) as never,
    };
    const keep = { status: varchar(10) as never, at: timestamp().default(sql`CURRENT_TIMESTAMP`) as never };
    await evolveTo(db, [person({ ...keep, ...literals })]);
    await db.exec("INSERT INTO person (id, name) VALUES (3, 'cy')");
    const l = (await db.query('SELECT zero, minus, state, flag, huge FROM person WHERE id = 3'))[0]!;
    assert.deepEqual([Number(l.zero), Number(l.minus), l.state, Boolean(Number(l.flag) || l.flag === true), Number(l.huge)], [0, -1, 'active', true, 1e21]);
    const plain = { zero: integer().default(0) as never, minus: integer().default(-1) as never, state: text().default('active') as never, flag: boolean().default(true) as never, huge: real().default(1e21) as never };
    assert.equal(await modelsFingerprint([person(literals)], evolveDialect(d)), await modelsFingerprint([person(plain)], evolveDialect(d)), 'sql`0` and .default(0) are the same default');
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

/**
 * The plan for `models` holds exactly one hazard, `code`, over `rows` rows (with those example
 * values): it blocks without consent, and with consent it blocks only when not `allowable`.
 */
async function refusedUnlessAllowed(db: TestDatabase, models: readonly Table[], expect: { code: string; rows: number; examples?: string[] }, allowable = true): Promise<Hazard> {
  const p = await planEvolution({ db: db.url, models });
  assert.deepEqual(p.hazards.map((h) => h.code), [expect.code]);
  const h = p.hazards[0]!;
  assert.equal(h.rows, expect.rows);
  if (expect.examples) assert.deepEqual([...h.examples ?? []].sort(), expect.examples);
  assert.equal(h.allowable, allowable);
  assert.deepEqual(p.blocking.map((x) => x.code), [expect.code]);
  const consented = await planEvolution({ db: db.url, models, allowDataLoss: true });
  assert.deepEqual(consented.blocking.map((x) => x.code), allowable ? [] : [expect.code], 'with consent, only what cannot be allowed blocks');
  return h;
}

void EvolveError;
