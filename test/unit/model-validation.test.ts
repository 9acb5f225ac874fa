/** Model validation of issue 15 point 14, without a database: foreign keys, literal defaults, name lengths. */
import { it, describe } from 'node:test';
import assert from 'node:assert/strict';
import { table, sql, integer, bigint, real, decimal, text, varchar, boolean, date, timestamp, json, uuid, compileModels, isEvolveError, type ColumnBuilder } from '../../src/index.js';
import { checkIdentifierLengths } from '../../src/model/identifier-length.js';

const refused = (fn: () => unknown, re: RegExp): void => {
  assert.throws(fn, (e: unknown) => isEvolveError(e) && e.code === 'E_MODEL_INVALID' && re.test(e.message) && typeof e.hint === 'string');
};
const compile = (...models: Parameters<typeof compileModels>[0]) => compileModels(models, 'sqlite');

describe('model validation before the database says no', () => {
  it('foreign keys reference a unique column set of their own kind', () => {
    const p = table('p', { id: integer().primaryKey(), a: integer(), b: integer(), u: text().unique() }, { unique: [['a', 'b']] });
    // The primary key, a unique column, a composite unique in another order: accepted.
    compile(p, table('c', { id: integer().primaryKey(), pid: bigint().references(() => p.columns.id), pu: varchar(9).references(() => p.columns.u) }));
    compile(p, table('c', { id: integer().primaryKey(), x: integer(), y: integer() }, { foreignKeys: [{ columns: ['x', 'y'], references: () => [p.columns.b, p.columns.a] }] }));
    refused(() => compile(p, table('c', { id: integer().primaryKey(), x: integer().references(() => p.columns.a) })), /references 'p' \(a\), which is neither the primary key/);
    refused(() => compile(p, table('c', { id: integer().primaryKey(), x: text().references(() => p.columns.id) })), /'c\.x' is text, but .* 'p\.id', is integer/);
  });

  it('a literal default is a value of its column type; expressions are the database\'s to judge', () => {
    const ok = [integer().default(sql`(5)`), integer().default(' 7 '), real().default('NaN'), decimal(4, 1).default(-999.9), boolean().default('yes'),
      date().default('infinity'), timestamp({ withTimeZone: true }).default('2020-01-02T03:04:05.123+02:00'), timestamp().default('2020-01-02 03:04'),
      uuid().default('{123E4567-E89B-12D3-A456-426614174000}'), json().default('[1, {"a": null}]'), varchar(2).default('éé'),
      integer().default(sql`1 + 1`), date().default(sql`CURRENT_DATE`), text().default('anything')];
    for (const c of ok) compile(table('t', { id: integer().primaryKey(), c }));
    const bad: [ColumnBuilder, RegExp][] = [
      [integer().default(sql`'x'`), /a whole number/], [decimal(4, 1).default(1000), /below 10\^3/], [decimal(4, 1).default('1.25'), /at most 1 decimal \(/],
      [date().default('2023-02-29'), /a date/], [timestamp().default('2020-01-02 25:00'), /a timestamp/], [boolean().default(2), /true or false/],
      [uuid().default(sql`'abc'`), /a UUID/], [varchar(2).default('abc'), /at most 2 characters/],
    ];
    for (const [c, re] of bad) refused(() => compile(table('t', { id: integer().primaryKey(), c })), re);
  });

  it('names within the limit: bytes, characters, none; names Evolve makes up are not refused', () => {
    const schema = compile(table('é'.repeat(32), { id: integer().primaryKey(), ['x'.repeat(70)]: integer() }, { indexes: [] }));
    checkIdentifierLengths(schema, undefined, false, 'sqlite');
    refused(() => checkIdentifierLengths(schema, { max: 64, unit: 'characters' }, false, 'mysql'), /Column 'é{32}\.x{70}' is 70 characters long/);
    const short = compile(table('é'.repeat(32), { id: integer().primaryKey() }));
    checkIdentifierLengths(short, { max: 64, unit: 'characters' }, false, 'mysql');
    refused(() => checkIdentifierLengths(short, { max: 63, unit: 'bytes' }, false, 'postgres'), /Table 'é{32}' is 64 bytes long/);
    // A schema-qualified PostgreSQL name is two names.
    checkIdentifierLengths(compileModels([table(`${'s'.repeat(40)}.${'t'.repeat(40)}`, { id: integer().primaryKey() })], 'postgres'), { max: 63, unit: 'bytes' }, true, 'postgres');
  });
});
