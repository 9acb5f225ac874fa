/** The differ's case-only renames (issue 15 point 8): a desired name that differs from a live one only in case. */
import { it, describe } from 'node:test';
import assert from 'node:assert/strict';
import { table, integer, varchar, compileModels, diffSchemas, describeChange, type SchemaIR, type Table } from '../../src/index.js';
import { caseOnlyPairs } from '../../src/diff/case-only.js';

const ir = (models: Table[]): SchemaIR => compileModels(models, 'postgres');
const changes = (from: SchemaIR, to: SchemaIR): string[] => diffSchemas(from, to).changes.map(describeChange);

describe('case-only renames', () => {
  it('pairs a table and a column that differ only in case, and the plan says rename', () => {
    const live = ir([table('Users', { ID: integer().primaryKey(), name: varchar(20) })]);
    const desired = ir([table('users', { id: integer().primaryKey(), name: varchar(20) })]);
    const d = diffSchemas(live, desired);
    assert.deepEqual(d.changes.map(describeChange), ['rename table Users to users', 'rename column users.ID to id']);
    assert.deepEqual(d.renames, [{ kind: 'table', table: 'users', from: 'Users', to: 'users' }, { kind: 'column', table: 'users', from: 'ID', to: 'id' }]);
    assert.equal(d.liveName.get('users'), 'Users');
  });

  it('a foreign key follows the case-only renames of the table and column it references', () => {
    const u1 = table('Users', { ID: integer().primaryKey() });
    const u2 = table('users', { id: integer().primaryKey() });
    const live = ir([u1, table('post', { id: integer().primaryKey(), uid: integer().references(() => u1.columns.ID) })]);
    const desired = ir([u2, table('post', { id: integer().primaryKey(), uid: integer().references(() => u2.columns.id) })]);
    assert.deepEqual(changes(live, desired), ['rename table Users to users', 'rename column users.ID to id']);
  });

  it('an exact name wins; two live names of one folded form are never guessed between', () => {
    // PostgreSQL can hold "ID" and "Id" side by side: neither is the desired id.
    const live = ir([table('t', { ID: integer(), x: integer() })]);
    const both: SchemaIR = { ...live, tables: [{ ...live.tables[0]!, columns: [...live.tables[0]!.columns, { ...live.tables[0]!.columns[0]!, name: 'Id' }] }] };
    assert.deepEqual(changes(both, ir([table('t', { id: integer(), x: integer() })])),
      ['add column t.id', 'drop column t.ID', 'drop column t.Id']);
    // The live table has both users and Users: users is users, Users is dropped.
    const two: SchemaIR = { ...ir([table('users', { id: integer() })]), tables: [...ir([table('users', { id: integer() })]).tables, ...ir([table('Users', { id: integer() })]).tables] };
    assert.deepEqual(changes(two, ir([table('users', { id: integer() })])), ['drop table Users']);
    assert.deepEqual(caseOnlyPairs(['id'], ['ID', 'Id']), new Map());
    assert.deepEqual(caseOnlyPairs(['id', 'Id'], ['ID']), new Map());
    assert.deepEqual(caseOnlyPairs(['id'], ['ID']), new Map([['id', 'ID']]));
  });
});
