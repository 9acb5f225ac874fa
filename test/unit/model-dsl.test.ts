/** The model DSL's constructs beyond plain tables (issue 18 points 1 and 5), compiled without a database. */
import { it, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  table, index, check, sql, integer, bigint, real, text, varchar, compileModels, isEvolveError,
  view, trigger, enumType, rawType, mysqlEnum, mysqlSet, sequence, array, jsonb, tinyint, smallint, timestamp, desiredSchema, loadDialect, modelsFingerprint, type Table,
  domain, materializedView, compositeType, extension, exclusion,
} from '../../src/index.js';
import { unknownColumnIn } from '../../src/model/compile-checks.js';
import { compileTableModel } from '../../src/model/compile.js';

const refused = (fn: () => unknown, re: RegExp): void => {
  assert.throws(fn, (e: unknown) => isEvolveError(e) && e.code === 'E_MODEL_INVALID' && re.test(e.message) && typeof e.hint === 'string' && e.hint.length > 0,
    `expected E_MODEL_INVALID matching ${re}`);
};

describe('model DSL: checks, generated columns, identity, objects', () => {
  it('compiles checks (column and table, named or not), generated columns and identity kinds to the IR', () => {
    const t = table('item', {
      id: bigint().identity('always'),
      price: real().notNull().check(sql`price >= 0`, 'price_ok'),
      lo: integer(), hi: integer(),
      total: real().generatedAs(sql`price * 2`, { stored: false }),
    }, { checks: [sql`lo <= hi`, check('item_hi', sql`hi < 100`)] });
    const ir = compileModels([t], 'postgres').tables[0]!;
    assert.deepEqual(ir.checks, [{ name: 'price_ok', expression: 'price >= 0' }, { name: null, expression: 'lo <= hi' }, { name: 'item_hi', expression: 'hi < 100' }]);
    assert.deepEqual(ir.columns.find((c) => c.name === 'total')!.generated, { expression: 'price * 2', stored: false });
    const id = ir.columns.find((c) => c.name === 'id')!;
    assert.equal(id.identity, 'always');
    assert.equal(id.autoIncrement, true);
    assert.deepEqual(ir.primaryKey?.columns, ['id']);
    const byDefault = compileModels([table('u', { id: integer().identity('byDefault') })], 'postgres').tables[0]!.columns[0]!;
    assert.equal(byDefault.identity, undefined, 'BY DEFAULT is what an auto-increment key is');
    assert.equal(byDefault.autoIncrement, true);
  });

  it("an index on an expression compiles (it used to be refused as \"names column '[object Object]'\")", () => {
    const t = table('t', { name: text() }, { indexes: [index('t_lower').on(sql`lower(name)`), index('t_name').on('name')] });
    const ir = compileModels([t], 'sqlite').tables[0]!;
    assert.deepEqual(ir.indexes.map((i) => i.name), ['t_name'], 'the expression index is an object, read back from the database');
    refused(() => compileModels([table('t', { name: text() }, { indexes: [index().on(sql`lower(name)`)] })], 'sqlite'), /has no name/);
    refused(() => compileModels([table('t', { name: text() }, { indexes: [index('i', { using: 'gin' }).on('nope')] })], 'sqlite'), /column 'nope'/);
    refused(() => compileTableModel(t), /createTable\('t'\): index t_lower is on an expression/);
  });

  it('dialect type helpers are the database types, as text', () => {
    assert.deepEqual(array(text()).definition().type, { kind: 'raw', sql: 'text[]' });
    assert.deepEqual(jsonb().definition().type, { kind: 'raw', sql: 'jsonb' });
    assert.deepEqual(tinyint({ unsigned: true }).definition().type, { kind: 'raw', sql: 'tinyint unsigned' });
    assert.deepEqual(mysqlEnum('a', "it's").definition().type, { kind: 'raw', sql: "enum('a','it''s')" });
    // Values keep their case and spaces: 'G' and 'g' are two values (found by evolve pull on Sakila).
    assert.deepEqual(mysqlEnum('G', 'PG-13', 'Deleted Scenes').definition().type, { kind: 'raw', sql: "enum('G','PG-13','Deleted Scenes')" });
    assert.deepEqual(mysqlSet('Trailers', 'Behind  It').definition().type, { kind: 'raw', sql: "set('Trailers','Behind  It')" });
    assert.deepEqual(rawType("ENUM ( 'Small' , 'LARGE' )").definition().type, { kind: 'raw', sql: "enum('Small','LARGE')" });
  });

  it('point 5: an enum with duplicate values is refused, naming the value', () => {
    refused(() => enumType('mood', ['sad', 'ok', 'sad']), /enumType\('mood'\) lists the value 'sad' twice/);
    refused(() => mysqlEnum('a', 'b', 'a'), /lists the value 'a' twice/);
    refused(() => mysqlSet('r', 'r'), /lists the value 'r' twice/);
    refused(() => enumType('mood', ['fine'], { aka: { good: ['ok'] } }), /former names of 'good', which is not one of its values/);
    refused(() => enumType('mood', ['fine', 'ok'], { aka: { fine: 'ok' } }), /'ok' is a former name of 'fine' and a value too/);
    assert.deepEqual(enumType('mood', ['fine'], { aka: { fine: 'ok' } }).aka, { fine: ['ok'] });
  });

  it('a domain: checks, NOT NULL, default, collation and comment as options; refused where it cannot be stated; composite types, extensions', async () => {
    const year = domain('year', integer(), { check: sql`VALUE >= 1901`, notNull: true, default: 2000, comment: 'a year' });
    assert.equal(year.kind, 'domain');
    assert.equal(year.comment, 'a year');
    assert.deepEqual(year.column().definition().type, { kind: 'raw', sql: 'year' });
    assert.deepEqual(domain('Big Int', bigint()).column().definition().type, { kind: 'raw', sql: '"Big Int"' });
    const q = { table: (n: string) => `"${n}"`, ident: (n: string) => `"${n}"`, literal: (v: string | number | boolean) => String(v), type: () => 'integer' };
    assert.deepEqual(year.statements(q), ['CREATE DOMAIN year AS integer DEFAULT 2000 NOT NULL CHECK (VALUE >= 1901)']);
    assert.deepEqual(domain('code', text(), { check: [check('code_len', sql`length(VALUE) < 9`), sql`VALUE <> ''`], collation: 'C' }).statements({ ...q, type: () => 'text' }),
      ['CREATE DOMAIN code AS text COLLATE "C" CONSTRAINT "code_len" CHECK (length(VALUE) < 9) CHECK (VALUE <> \'\')']);
    refused(() => domain('year', integer().notNull()), /its base type carries column settings/);
    refused(() => domain('year', 'integer' as never), /needs a base type as a column type/);
    refused(() => domain('year', integer(), { check: 'VALUE > 0' as never }), /check 1 is not sql/);
    refused(() => domain('year', integer(), { nullable: true } as never), /unknown option 'nullable'/);
    refused(() => domain('', integer()), /domain needs a name/);
    assert.throws(() => domain('year', integer(), { aka: ['yr'] } as never),
      (e: unknown) => isEvolveError(e) && e.code === 'E_UNSUPPORTED' && /former name \(aka\) is not supported/.test(e.message));
    for (const d of ['sqlite', 'mysql'] as const) {
      await assert.rejects(modelsFingerprint([year, table('film', { id: integer().primaryKey(), y: year.column() })], d),
        (e: unknown) => isEvolveError(e) && e.code === 'E_UNSUPPORTED' && /domain 'year', which .* does not have/.test(e.message) && !!e.hint, d);
      await assert.rejects(modelsFingerprint([extension('citext'), table('t', { id: integer().primaryKey() })], d),
        (e: unknown) => isEvolveError(e) && e.code === 'E_UNSUPPORTED' && /extension 'citext'/.test(e.message), d);
      const t = table('t', { id: integer().primaryKey() });
      await assert.rejects(modelsFingerprint([t, exclusion('t_x', { on: t }, sql`EXCLUDE USING btree (id WITH =)`)], d),
        (e: unknown) => isEvolveError(e) && e.code === 'E_UNSUPPORTED' && /exclusion constraint 't_x'/.test(e.message), d);
    }
    assert.deepEqual(compositeType('address', { street: text(), zip: varchar(10).collation('C') }).statements(q),
      ['CREATE TYPE address AS ("street" integer, "zip" integer COLLATE "C")']);
    refused(() => compositeType('address', { street: text().notNull() }), /attribute 'street' carries column settings/);
    refused(() => compositeType('address', {}), /needs its attributes/);
    refused(() => exclusion('x', { on: table('t', { id: integer() }) }, sql`CHECK (id > 0)`), /takes its EXCLUDE clause/);
    refused(() => materializedView('m', sql`SELECT 1 AS n`, { indexes: [index().on('n')] }), /index of materialized view 'm' has no name/);
    refused(() => view('v', sql`SELECT 1`, { comment: 5 as never }), /comment must be a string/);
  });

  it('point 5: a check naming a column the table lacks is refused, naming the column and the ones there are', () => {
    refused(() => compileModels([table('t', { price: real().check(sql`prize >= 0`) })], 'sqlite'), /names column 'prize', which table 't' does not have/);
    refused(() => compileModels([table('t', { a: integer() }, { checks: [check('t_ab', sql`a < "b"`)] })], 'sqlite'), /'t_ab' \(a < "b"\) names column 'b'/);
    // SQL words, functions, strings, casts, qualified names and collations are not columns.
    const ok = sql`length(name) > 0 AND name <> 'zzz' AND name::text IS NOT NULL AND CAST(n AS integer) BETWEEN 1 AND 10 AND name COLLATE nocase <> 'x'`;
    compileModels([table('t', { name: text().check(ok), n: integer() })], 'sqlite');
    assert.equal(unknownColumnIn("upper(`Name`) IN ('A', 'B') AND n IS NULL", ['Name', 'n']), undefined);
    assert.equal(unknownColumnIn('e1.x > 0 AND 1e5 > y', ['y']), undefined);
    assert.equal(unknownColumnIn("y ~ E'^a\\n' AND extract(epoch FROM at) > 0 AND trim(both 'x' FROM y) <> '' AND x'ff' <> y", ['y', 'at']), undefined);
    assert.equal(unknownColumnIn('CAST(y AS UNSIGNED) > 0 AND y = ANY (ARRAY[1, 2]) AND z > 0', ['y']), 'z');
    refused(() => compileModels([table('t', { a: integer().check(sql`a > 0`, 'c'), b: integer().check(sql`b > 0`, 'C') })], 'sqlite'), /two checks named 'C'/);
    refused(() => compileModels([table('t', { a: integer() }, { checks: ['a > 0' as never] })], 'sqlite'), /not built with check\(\)/);
    refused(() => integer().check('a > 0' as never), /check\(\) takes sql`...`/);
  });

  it('point 5: a view reading a table the models lack is refused, naming both', () => {
    const a = table('a', { id: integer().primaryKey() });
    const b = table('b', { id: integer().primaryKey() });
    compileModels([a, view('a_v', sql`SELECT id FROM a`, { reads: [a] })], 'sqlite');
    refused(() => compileModels([a, view('b_v', sql`SELECT id FROM b`, { reads: [b] })], 'sqlite'), /view 'b_v' reads table 'b', which is not among the models/);
    refused(() => compileModels([a, trigger('b_t', { on: b }, sql`CREATE TRIGGER b_t …`)], 'sqlite'), /trigger 'b_t' reads table 'b'/);
    refused(() => compileModels([a, sequence('s'), sequence('S')], 'postgres'), /Two sequence models are named 'S'/);
    refused(() => view('v', 'SELECT 1' as never), /view\(\) takes sql`...`/);
  });

  it('point 5: a generated column with a default, or an identity column with one, is refused', () => {
    refused(() => compileModels([table('t', { a: integer(), b: integer().default(1).generatedAs(sql`a + 1`) })], 'sqlite'),
      /'t\.b' is generated \(a \+ 1\) and has a default too/);
    refused(() => compileModels([table('t', { id: integer().identity('always').default(1) })], 'postgres'), /identity column and has a default/);
    refused(() => compileModels([table('t', { id: varchar(5).identity() })], 'postgres'), /auto-increment but of type varchar/);
  });

  it('MySQL: auto-increment on every integer type, ON UPDATE, and index names per table', async () => {
    const mysql = (await loadDialect('mysql')).capabilities;
    const ir = compileModels([
      table('a', { id: smallint({ unsigned: true }).primaryKey({ autoIncrement: true }), at: timestamp().onUpdate(sql`now()`), n: integer() },
        { indexes: [index('by_n').on('n')] }),
      table('b', { id: tinyint().primaryKey({ autoIncrement: true }), n: integer() }, { indexes: [index('BY_N').on('n')] }),
    ], 'mysql', mysql);
    assert.deepEqual(ir.tables[0]!.columns.slice(0, 2).map((c) => [c.type, c.autoIncrement, c.onUpdate ?? null]),
      [[{ kind: 'raw', sql: 'smallint unsigned' }, true, null], [{ kind: 'timestamp', withTimeZone: false }, false, 'CURRENT_TIMESTAMP']]);
    assert.deepEqual(ir.tables.map((t) => t.indexes.map((i) => i.name)), [['by_n'], ['BY_N']]);
    refused(() => compileModels([table('t', { id: rawType('double').primaryKey({ autoIncrement: true }) })], 'mysql'), /auto-increment but of type double/);
    refused(() => timestamp().onUpdate(sql`CURRENT_DATE`), /onUpdate\(\) takes CURRENT_TIMESTAMP/);
    refused(() => compileModels([table('t', { n: integer().onUpdate(sql`CURRENT_TIMESTAMP`) })], 'mysql', mysql), /'t\.n' has \.onUpdate\(CURRENT_TIMESTAMP\) but is of type integer/);
    assert.throws(() => compileModels([table('t', { at: timestamp().onUpdate(sql`CURRENT_TIMESTAMP`) })], 'postgres'),
      (e: unknown) => isEvolveError(e) && e.code === 'E_UNSUPPORTED' && /postgres has no ON UPDATE/.test(e.message));
    const t = table('t', { id: integer().primaryKey() });
    compileModels([t, view('v', sql`SELECT id FROM t`, { sqlSecurity: 'invoker', reads: [t] })], 'mysql', mysql);
    assert.throws(() => compileModels([t, view('v', sql`SELECT id FROM t`, { sqlSecurity: 'invoker' })], 'postgres'),
      (e: unknown) => isEvolveError(e) && e.code === 'E_UNSUPPORTED' && /only MySQL\/MariaDB views/.test(e.message));
    refused(() => view('v', sql`SELECT 1`, { sqlSecurity: 'definer' as never }), /sqlSecurity must be 'invoker'/);
    // An auto-increment column leading a composite key: MySQL only, and only first.
    const link = (first: 'a' | 'b'): Table => table('l', { a: integer().autoIncrement(), b: integer() }, { primaryKey: first === 'a' ? ['a', 'b'] : ['b', 'a'] });
    assert.equal(compileModels([link('a')], 'mysql', mysql).tables[0]!.columns[0]!.autoIncrement, true);
    refused(() => compileModels([link('b')], 'mysql', mysql), /auto-increment column in a composite primary key/);
    refused(() => compileModels([link('a')], 'sqlite', {}), /auto-increment column in a composite primary key/);
  });

  it('PostgreSQL: .autoIncrement() on a column outside the primary key (a serial); refused elsewhere and off integers', async () => {
    const pg = (await loadDialect('postgres')).capabilities;
    const job = table('job', { name: text().primaryKey(), seq: integer().autoIncrement() });
    const [c] = compileModels([job], 'postgres', pg).tables[0]!.columns.filter((x) => x.name === 'seq');
    assert.deepEqual([c!.autoIncrement, c!.nullable, c!.identity ?? null], [true, false, null]);
    for (const [name, rules] of [['sqlite', {}], ['mysql', (await loadDialect('mysql')).capabilities]] as const) {
      refused(() => compileModels([job], name, rules), /auto-increment column is not the primary key/);
    }
    refused(() => compileModels([table('t', { id: integer().primaryKey(), v: varchar(5).autoIncrement() })], 'postgres', pg), /'t\.v' is auto-increment but of type varchar/);
    refused(() => compileModels([table('t', { id: integer().primaryKey(), v: integer().autoIncrement().generatedAs(sql`id + 1`) })], 'postgres', pg),
      /both generated and auto-increment/);
  });

  it('comments are refused where the dialect keeps none as part of the schema', async () => {
    for (const m of [table('t', { a: text().comment('x') }), table('t', { a: text() }, { comment: 'x' })]) {
      await assert.rejects(modelsFingerprint([m], 'sqlite'), (e: unknown) => isEvolveError(e) && e.code === 'E_UNSUPPORTED' && /comments/.test(e.message));
    }
  });

  it("identity 'always' is PostgreSQL's: refused on the dialects with one kind of auto-increment", async () => {
    const t = table('t', { id: bigint().identity('always') });
    assert.equal(desiredSchema([t], await loadDialect('postgres')).tables[0]!.columns[0]!.identity, 'always');
    for (const name of ['sqlite', 'mysql']) {
      const d = await loadDialect(name);
      assert.throws(() => desiredSchema([t], d), (e: unknown) => isEvolveError(e) && e.code === 'E_UNSUPPORTED' && /'t\.id' is an identity GENERATED ALWAYS/.test(e.message));
      desiredSchema([table('t', { id: bigint().identity('byDefault') })], d);
    }
  });
});
