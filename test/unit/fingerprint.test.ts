/** The fv1 algorithm itself, pinned on fixed IR (no database involved). */
import { it, describe } from 'node:test';
import assert from 'node:assert/strict';
import { fingerprint, fingerprintText, type SchemaIR } from '../../src/index.js';
import { typeToString } from '../../src/ir/types.js';
import type { ColumnType, ColumnTypeKind } from '../../src/ir/schema.js';

const col = (name: string, kind: 'integer' | 'text', extra = {}) => ({ name, type: { kind }, nullable: true, default: null, autoIncrement: false, ...extra });
const base: SchemaIR = {
  dialect: 'sqlite',
  tables: [
    { name: 'b', columns: [col('id', 'integer', { nullable: false })], primaryKey: { name: null, columns: ['id'] }, uniques: [], indexes: [], foreignKeys: [] },
    {
      name: 'a', columns: [col('x', 'text', { default: { kind: 'value', value: 'hi' } }), col('id', 'integer', { nullable: false, autoIncrement: true })],
      primaryKey: { name: 'a_pkey', columns: ['id'] }, uniques: [{ name: 'whatever', columns: ['x'] }],
      indexes: [{ name: 'a_x_idx', columns: ['x'], unique: false, where: null }],
      foreignKeys: [{ name: 'fk1', columns: ['id'], refTable: 'b', refColumns: ['id'], onDelete: 'cascade', onUpdate: 'no action' }],
    },
  ],
};

describe('fv1', () => {
  it('is pinned: same IR, same fingerprint, forever', () => {
    assert.equal(fingerprint(base), 'fv1:4df49dfd40e9b741836bc2f4425f26d88fa16e0b6aeba863d61531fbacf555c4');
  });

  it('hashes the documented canonical text', () => {
    assert.equal(fingerprintText(base),
      '{"dialect":"sqlite","tables":[{"name":"a","columns":[{"name":"id","type":"integer","nullable":false,"default":null,"autoIncrement":true},{"name":"x","type":"text","nullable":true,"default":"value:\\"hi\\"","autoIncrement":false}],"primaryKey":["id"],"uniques":[["x"]],"indexes":[{"name":"a_x_idx","columns":["x"],"unique":false,"where":null}],"foreignKeys":[{"columns":["id"],"refTable":"b","refColumns":["id"],"onDelete":"cascade","onUpdate":"no action"}]},{"name":"b","columns":[{"name":"id","type":"integer","nullable":false,"default":null,"autoIncrement":false}],"primaryKey":["id"],"uniques":[],"indexes":[],"foreignKeys":[]}]}');
  });

  it('ignores table order, column order, constraint names and Evolve tables', () => {
    const shuffled: SchemaIR = {
      dialect: 'sqlite',
      tables: [
        { ...base.tables[1]!, columns: [...base.tables[1]!.columns].reverse(), primaryKey: { name: 'other', columns: ['id'] }, uniques: [{ name: null, columns: ['x'] }], foreignKeys: [{ ...base.tables[1]!.foreignKeys[0]!, name: null }] },
        base.tables[0]!,
        { name: '_evolve_record', columns: [col('k', 'text')], primaryKey: null, uniques: [], indexes: [], foreignKeys: [] },
      ],
    };
    assert.equal(fingerprint(shuffled), fingerprint(base));
  });

  it('changes with anything the canonical form holds', () => {
    const variants: SchemaIR[] = [
      { ...base, dialect: 'postgres' },
      { ...base, tables: [base.tables[0]!] },
      { ...base, tables: [base.tables[0]!, { ...base.tables[1]!, indexes: [{ ...base.tables[1]!.indexes[0]!, name: 'renamed' }] }] },
      { ...base, tables: [base.tables[0]!, { ...base.tables[1]!, columns: [col('x', 'text'), base.tables[1]!.columns[1]!] }] },
      { ...base, tables: [base.tables[0]!, { ...base.tables[1]!, foreignKeys: [{ ...base.tables[1]!.foreignKeys[0]!, onDelete: 'restrict' }] }] },
    ];
    const fps = new Set([fingerprint(base), ...variants.map(fingerprint)]);
    assert.equal(fps.size, variants.length + 1);
  });

  it('pins the canonical spelling of every type kind', () => {
    // A Record over every kind: a new kind does not compile until it is pinned here.
    const spelled: Record<ColumnTypeKind, [ColumnType, string][]> = {
      integer: [[{ kind: 'integer' }, 'integer']],
      bigint: [[{ kind: 'bigint' }, 'bigint']],
      real: [[{ kind: 'real' }, 'real']],
      text: [[{ kind: 'text' }, 'text']],
      boolean: [[{ kind: 'boolean' }, 'boolean']],
      date: [[{ kind: 'date' }, 'date']],
      json: [[{ kind: 'json' }, 'json']],
      bytes: [[{ kind: 'bytes' }, 'bytes']],
      uuid: [[{ kind: 'uuid' }, 'uuid']],
      varchar: [[{ kind: 'varchar', length: 255 }, 'varchar(255)']],
      decimal: [[{ kind: 'decimal', precision: 10, scale: 2 }, 'decimal(10,2)'], [{ kind: 'decimal', precision: 6, scale: 0 }, 'decimal(6,0)']],
      timestamp: [[{ kind: 'timestamp', withTimeZone: false }, 'timestamp'], [{ kind: 'timestamp', withTimeZone: true }, 'timestamptz']],
      raw: [[{ kind: 'raw', sql: 'geometry' }, 'raw:geometry'], [{ kind: 'raw', sql: 'character varying(3)[]' }, 'raw:character varying(3)[]']],
    };
    for (const [kind, cases] of Object.entries(spelled)) {
      for (const [type, text] of cases) assert.equal(typeToString(type), text, kind);
    }
  });
});
