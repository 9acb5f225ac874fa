/** Names read from a database with a control character are refused, wherever the name is (src/ir/names.ts). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertNamesPrintable } from '../../src/ir/names.js';
import type { SchemaIR, TableIR } from '../../src/ir/schema.js';
import { isEvolveError } from '../../src/errors.js';

const col = (name: string): TableIR['columns'][number] => ({ name, type: { kind: 'integer' }, nullable: true, default: null, autoIncrement: false });

function schema(bad: string, where: string): SchemaIR {
  const n = (x: string): string => (x === where ? bad : x);
  const table: TableIR = {
    name: n('table'),
    columns: [col('id'), col(n('column')), col('ref')],
    primaryKey: { name: n('primary key'), columns: ['id'] },
    uniques: [{ name: n('unique'), columns: ['ref'] }],
    indexes: [{ name: n('index'), columns: ['ref'], unique: false, where: null }],
    foreignKeys: [{ name: n('foreign key'), columns: ['ref'], refTable: 'other', refColumns: ['id'], onDelete: 'no action', onUpdate: 'no action' }],
    checks: [{ name: n('check'), expression: 'id > 0' }],
  };
  return { dialect: 'sqlite', tables: [{ ...table, name: 'first', checks: [] }, table], objects: [{ kind: 'view', name: n('view'), sql: 'SELECT 1', drop: [] } as never] };
}

describe('names with control characters', () => {
  it('a schema without any passes', () => {
    assertNamesPrintable(schema('x', 'none'), 'the database');
    assertNamesPrintable({ dialect: 'sqlite', tables: [] }, 'the database');
  });

  for (const where of ['table', 'column', 'primary key', 'unique', 'index', 'foreign key', 'check', 'view']) {
    for (const bad of ['a\nb', 'tab\there', 'nul\u0000', 'ls\u2028', 'del\u007f', 'c1\u0085']) {
      it(`is refused in a ${where} name (${JSON.stringify(bad)})`, () => {
        assert.throws(() => assertNamesPrintable(schema(bad, where), 'the database x'), (e: unknown) => {
          assert.ok(isEvolveError(e) && e.code === 'E_NAME_INVALID', String(e));
          assert.ok(e.message.includes(JSON.stringify(bad)) && e.message.includes('in the database x'), e.message);
          assert.match(e.message, where === 'table' ? /^Table / : where === 'column' ? /^Column of table / : where === 'view' ? /^The view / : /^Index or constraint of table /);
          return true;
        });
      });
    }
  }

  it('two names next to each other never make a control character between them', () => {
    assertNamesPrintable({ dialect: 'sqlite', tables: [{ ...schema('x', 'none').tables[1]!, name: 'a\u00a0' }] }, 'the database');
  });
});
