/**
 * The column and index builders share what they can (a type's definition, a definition already
 * handed out) and copy it before a modifier changes it: what was read stays as it was, and no
 * builder sees another's modifiers (issue 20 point 3, branch h-dsl).
 */
import { it, describe } from 'node:test';
import assert from 'node:assert/strict';
import { table, index, integer, varchar, text, timestamp, sql, compileModels, ColumnBuilder, type AnyColumnBuilder, type Table } from '../../src/index.js';
import { isColumnBuilder } from '../../src/model/column.js';
import { isIndexBuilder, isTable } from '../../src/model/table.js';

describe('model builders: shared definitions, copied on write', () => {
  it('a modifier changes its own builder only, never another column of the same type', () => {
    const plain = varchar(50);
    const modified = varchar(50).notNull().default('x').unique('u').named('m').aka('old').check(sql`m <> ''`);
    const before = plain.definition();
    assert.equal(before.type, modified.definition().type, 'varchar(50) columns share one type object');
    assert.equal(before.nullable, true);
    assert.equal(before.default, null);
    assert.deepEqual([before.unique, before.name, before.aka, before.checks], [false, null, [], []]);
    const m = modified.definition();
    assert.deepEqual([m.nullable, m.default, m.unique, m.uniqueName, m.name, m.aka, m.checks],
      [false, { kind: 'value', value: 'x' }, true, 'u', 'm', ['old'], [{ name: null, expression: "m <> ''" }]]);
    assert.equal(varchar(50).definition().nullable, true, 'a new varchar(50) is as bare as ever');
    assert.equal(integer().definition().primaryKey, false);
    assert.equal(timestamp({ withTimeZone: true }).definition().type.kind, 'timestamp');
  });

  it('a definition handed out stays as it was when the builder is modified afterwards', () => {
    const b = integer().notNull();
    const first = b.definition();
    b.nullable().default(3).aka('a').aka('b').check(sql`x > 0`);
    assert.equal(first.nullable, false);
    assert.equal(first.default, null);
    assert.deepEqual(first.aka, []);
    assert.deepEqual(first.checks, []);
    const second = b.definition();
    assert.equal(second.nullable, true);
    assert.deepEqual(second.aka, ['a', 'b']);
    assert.equal(second.checks.length, 1);
    assert.equal(b.definition(), second, 'read again without a modifier between: the same definition');
  });

  it('the IR compiled before a modifier is not changed by it', () => {
    const col = varchar(20);
    const t = table('t', { id: integer().primaryKey(), name: col });
    const ir = compileModels([t], 'sqlite');
    col.notNull().default('z');
    const name = ir.tables[0]!.columns.find((c) => c.name === 'name')!;
    assert.equal(name.nullable, true);
    assert.equal(name.default, null);
    assert.equal(Object.isFrozen(name.type), true);
    const again = compileModels([t], 'sqlite').tables[0]!.columns.find((c) => c.name === 'name')!;
    assert.equal(again.nullable, false, 'a later compile reads the builder as it is now');
  });

  it('brands still tell builders and tables apart (across copies: Symbol.for), and a spread copy is no builder', () => {
    assert.equal(isColumnBuilder(integer()), true);
    assert.equal(isColumnBuilder(new ColumnBuilder({ kind: 'text' })), true);
    assert.equal(isColumnBuilder({ ...integer() }), false);
    assert.equal(isColumnBuilder({ [Symbol.for('evolve.column')]: true }), true);
    assert.equal(isIndexBuilder(index('i').on('a')), true);
    assert.equal(isIndexBuilder({}), false);
    assert.equal(isTable(table('x', { a: text() })), true);
  });

  it("a table's column references are a frozen plain object in the columns' order, whether or not the table before had the same keys", () => {
    const a = table('a', { id: integer(), name: text().named('full_name') });
    const shapes: Table[] = [a, table('b', { id: integer(), name: text() }), table('c', { other: integer(), id: integer() })];
    for (const t of shapes) {
      assert.equal(Object.getPrototypeOf(t.columns), Object.prototype);
      assert.equal(Object.isFrozen(t.columns), true);
      assert.equal(Object.isFrozen(t), true);
    }
    assert.deepEqual(Object.keys(shapes[2]!.columns), ['other', 'id']);
    assert.deepEqual(a.columns.name, { tableName: 'a', columnName: 'full_name' });
    assert.deepEqual(JSON.parse(JSON.stringify(shapes[1]!.columns)),
      { id: { tableName: 'b', columnName: 'id' }, name: { tableName: 'b', columnName: 'name' } });
  });

  it('two columns whose names differ only in case are refused in a narrow table and in a wide one', () => {
    for (const width of [3, 40]) {
      const cols: Record<string, AnyColumnBuilder> = {};
      for (let i = 0; i < width; i++) cols[`c${i}`] = integer();
      cols.last = integer().named('C1');
      assert.throws(() => compileModels([table('w', cols)], 'sqlite'),
        /Table 'w' has two columns named 'c1' and 'C1' \(names differing only in case are the same column\) \(properties 'c1' and 'last'\)/);
    }
  });

  it('an index definition is made once, and again after a modifier', () => {
    const i = index('i').on('a', ['b', 'c'] as never); // an array among the parts is flattened (JavaScript callers)
    const d = i.definition();
    assert.deepEqual(d.columns, ['a', 'b', 'c']);
    assert.equal(i.definition(), d);
    i.unique().where(sql`a > 0`);
    const e = i.definition();
    assert.notEqual(e, d);
    assert.deepEqual([d.unique, d.where, e.unique, e.where], [false, null, true, 'a > 0']);
  });
});
