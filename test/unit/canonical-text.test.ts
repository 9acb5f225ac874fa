/** The fingerprint's text written straight from the IR is JSON.stringify of the canonical form, character for character. */
import { it, describe } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalSchema, type SchemaIR } from '../../src/index.js';
import { deepFreeze } from '../../src/ir/schema.js';
import { DIALECTS } from './golden-ir.js';
import { canonicalText } from '../../src/ir/canonical-text.js';
import { CASES } from './golden-cases.js';
import { col, raw, value, expression, varchar } from './golden-ir.js';

const same = (s: SchemaIR): void => assert.equal(canonicalText(s), JSON.stringify(canonicalSchema(s)));

describe('canonicalText', () => {
  it('equals JSON.stringify(canonicalSchema) on every golden case, both sides', () => {
    for (const c of CASES) {
      for (const d of c.dialects ?? DIALECTS) {
        const { from, to } = c.build(d);
        same(from); same(to); same(deepFreeze(structuredClone(to)));
      }
    }
  });

  it('equals it on names to escape, unsorted parts, duplicates, optional fields and Evolve tables', () => {
    const s: SchemaIR = {
      dialect: 'postgres',
      tables: [
        {
          name: 'z"\\\u0001\u2028é😀', columns: [col('b', 'text', { collation: 'C' }), col('a\ud800', raw('x[]'), value('q"')), col('c', varchar(3), { generated: { expression: 'a || b', stored: true } }),
            col('d', 'integer', { identity: 'always', autoIncrement: true }), col('e', 'timestamp' as never, { onUpdate: 'CURRENT_TIMESTAMP' }), col('f', 'integer', expression('now()'))],
          primaryKey: { name: null, columns: ['a\ud800', 'b'] },
          uniques: [{ name: 'u2', columns: ['c'] }, { name: 'u1', columns: ['b', 'a\ud800'] }, { name: 'u3', columns: ['c'] }],
          indexes: [{ name: 'y', columns: ['b'], unique: true, where: 'b > 0' }, { name: 'x', columns: ['c', 'b'], unique: false, where: null }],
          foreignKeys: [{ name: null, columns: ['b'], refTable: 'q', refColumns: ['x'], onDelete: 'cascade', onUpdate: 'no action' },
            { name: 'f', columns: ['a\ud800'], refTable: 'p', refColumns: ['y'], onDelete: 'set null', onUpdate: 'restrict' }],
          checks: [{ name: 'k2', expression: 'b <> 1' }, { name: 'k1', expression: 'a > 0' }, { name: 'k3', expression: 'a > 0' }],
          options: { without_rowid: 'true', strict: 'true' },
        },
        { name: 'a', columns: [], primaryKey: null, uniques: [], indexes: [], foreignKeys: [], checks: [], options: {} },
        { name: '_evolve_x', columns: [col('k', 'text')], primaryKey: null, uniques: [], indexes: [], foreignKeys: [] },
      ],
      objects: [
        { kind: 'view', name: 'v', table: null, definition: 'SELECT 1', create: [], drop: [] },
        { kind: 'index', name: 'i', table: '_evolve_x', definition: 'x', create: [], drop: [] },
        { kind: 'index', name: 'a', table: 'a', definition: 'y', create: [], drop: [] },
      ],
    };
    same(s);
    same(deepFreeze(structuredClone(s)));
  });
});
