/** The model DSL and its validation (no database). */
import { it, describe } from 'node:test';
import assert from 'node:assert/strict';
import { table, index, sql, integer, text, varchar, decimal, column, rawType, compileModels, isEvolveError, parseDatabaseUrl, redact, loadDialect } from '../../src/index.js';

const rejects = (fn: () => unknown, code: string, re: RegExp): void => {
  assert.throws(fn, (e: unknown) => isEvolveError(e) && e.code === code && re.test(e.message) && typeof e.hint === 'string' && e.hint.length > 0);
};

describe('model DSL', () => {
  it('compiles the contract example to IR', () => {
    const department = table('department', { id: integer().primaryKey({ autoIncrement: true }), name: varchar(100).notNull().unique() });
    const employee = table('employee', {
      id: integer().primaryKey({ autoIncrement: true }),
      start_date: text().aka('hired_on'),
      salary: decimal(10, 2).notNull().default(0),
      created: text().default(sql`CURRENT_TIMESTAMP`),
      department_id: integer().references(() => department.columns.id, { onDelete: 'cascade' }),
    }, { aka: ['staff'], indexes: [index('employee_name_idx').on('start_date')] });
    const ir = compileModels([department, employee], 'sqlite');
    const e = ir.tables[1]!;
    assert.deepEqual(e.aka, ['staff']);
    assert.deepEqual(e.columns.find((c) => c.name === 'start_date')!.aka, ['hired_on']);
    assert.deepEqual(e.columns.find((c) => c.name === 'created')!.default, { kind: 'expression', sql: 'CURRENT_TIMESTAMP' });
    assert.deepEqual(e.foreignKeys[0], { name: null, columns: ['department_id'], refTable: 'department', refColumns: ['id'], onDelete: 'cascade', onUpdate: 'no action' });
    assert.deepEqual(ir.tables[0]!.uniques, [{ name: null, columns: ['name'] }]);
    assert.ok(Object.isFrozen(ir.tables[0]!.columns[0]));
    assert.deepEqual(JSON.parse(JSON.stringify(ir)), ir, 'JSON-serialisable');
  });

  it('knows type names and refuses unknown ones', () => {
    assert.deepEqual(compileModels([table('t', { a: column('varchar(20)'), b: column('decimal(10, 2)') })], 'sqlite').tables[0]!.columns.map((c) => c.type),
      [{ kind: 'varchar', length: 20 }, { kind: 'decimal', precision: 10, scale: 2 }]);
    rejects(() => column('strnig'), 'E_UNKNOWN_TYPE', /"strnig"/);
    assert.deepEqual(rawType('GEOMETRY( 4326 )').definition().type, { kind: 'raw', sql: 'geometry(4326)' });
  });

  it('refuses malformed models with the table and column named', async () => {
    rejects(() => compileModels([table('t', { a: text(), b: text().named('a') })], 'sqlite'), 'E_MODEL_INVALID', /two columns named 'a'/);
    rejects(() => compileModels([table('t', { a: text(), b: text().aka('a') })], 'sqlite'), 'E_MODEL_INVALID', /former name 'a'/);
    rejects(() => compileModels([table('t', { a: text() }), table('u', { a: text() }, { aka: 't' })], 'sqlite'), 'E_MODEL_INVALID', /former name 't'/);
    rejects(() => compileModels([table('t', { a: text() }), table('t', { b: text() })], 'sqlite'), 'E_MODEL_INVALID', /Two models define table 't'/);
    // Names differing only in case are one name (on every dialect: see compileTable).
    for (const dialect of ['sqlite', 'postgres', 'mysql'] as const) {
      rejects(() => compileModels([table('t', { name: text(), Name: text() })], dialect), 'E_MODEL_INVALID', /'name' and 'Name'/);
      rejects(() => compileModels([table('t', { a: text() }), table('T', { b: text() })], dialect), 'E_MODEL_INVALID', /'t' and 'T'/);
      // Index names are the schema's on SQLite and PostgreSQL; MySQL names them per table.
      const twice = [table('t', { a: text() }, { indexes: [index('ix').on('a')] }), table('u', { a: text() }, { indexes: [index('IX').on('a')] })];
      const { capabilities } = await loadDialect(dialect);
      if (capabilities.indexNamesPerTable) compileModels(twice, dialect, capabilities);
      else rejects(() => compileModels(twice, dialect, capabilities), 'E_MODEL_INVALID', /'IX' is used twice/);
      rejects(() => compileModels([table('t', { a: text() }, { indexes: [index('ix').on('a'), index('IX').on('a')] })], dialect), 'E_MODEL_INVALID', /two indexes named 'IX'/);
    }
    rejects(() => compileModels([table('t', { a: text() }, { indexes: [index('i').on('nope')] })], 'sqlite'), 'E_MODEL_INVALID', /column 'nope'/);
    rejects(() => compileModels([table('t', { a: text().primaryKey({ autoIncrement: true }) })], 'sqlite'), 'E_MODEL_INVALID', /auto-increment/);
    rejects(() => compileModels([table('t', {})], 'sqlite'), 'E_MODEL_INVALID', /no columns/);
    rejects(() => varchar(0), 'E_MODEL_INVALID', /varchar length/);
    rejects(() => decimal(2, 5), 'E_MODEL_INVALID', /scale/);
    rejects(() => sql`x ${1 as never}`, 'E_MODEL_INVALID', /interpolates/);
  });
});

describe('database URLs', () => {
  it('parses each form', () => {
    assert.equal(parseDatabaseUrl('sqlite:app.db').path, 'app.db');
    assert.equal(parseDatabaseUrl('data/app.sqlite').dialect, 'sqlite');
    assert.equal(parseDatabaseUrl('postgres://u@h/db?schema=s').schema, 's');
    assert.equal(parseDatabaseUrl('mysql://u@h/db').dialect, 'mysql');
    assert.equal(parseDatabaseUrl('pglite:./pg').pglite, true);
  });
  it('reads ?connect_timeout= (seconds) on server URLs, and refuses what is not a number of seconds', () => {
    assert.equal(parseDatabaseUrl('postgres://u@h/db?connect_timeout=3').connectTimeout, 3);
    assert.equal(parseDatabaseUrl('mysql://u@h/db?connect_timeout=0').connectTimeout, 0, '0: no limit');
    assert.equal(parseDatabaseUrl('mysql://u@h/db').connectTimeout, undefined, 'unset: the default applies');
    for (const bad of ['abc', '-1', '', 'Infinity']) {
      rejects(() => parseDatabaseUrl(`postgres://u:pw@h/db?connect_timeout=${bad}`), 'E_DB_URL', /connect_timeout must be a number of seconds/);
      rejects(() => parseDatabaseUrl(`mysql://u@h/db?connect_timeout=${bad}`), 'E_DB_URL', /connect_timeout/);
    }
  });
  it('hides passwords', () => {
    assert.equal(parseDatabaseUrl('postgres://bob:pw@h/db').display, 'postgres://bob:***@h/db');
    assert.equal(redact('failed for mysql://root:hunter2@db:3306/x'), 'failed for mysql://root:***@db:3306/x');
    rejects(() => parseDatabaseUrl('ftp://bob:pw@h/db'), 'E_DB_URL', /ftp:\/\/bob:\*\*\*@h\/db/);
  });
});
