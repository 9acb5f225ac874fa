/**
 * No attribute can be forgotten (issue 14): every field of every IR record, taken from the
 * exhaustive rule tables of src/ir/fields.ts, is checked against the canonical form
 * (fingerprint), the differ, the drift report and the model compiler. For each field two IRs
 * differ in that field alone; the samples below are `Record`s over the same keys, so a field
 * added to a record compiles only once it has a rule and a sample.
 */
import { it, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileModels } from '../../src/model/compile.js';
import { integer, text, type ColumnBuilder } from '../../src/model/column.js';
import { sql } from '../../src/model/sql-expression.js';
import { index, table, type Table, type TableOptions } from '../../src/model/table.js';
import { diffSchemas } from '../../src/diff/differ.js';
import { fingerprint } from '../../src/ir/fingerprint.js';
import type { ColumnChangeFlags } from '../../src/diff/changes.js';
import {
  CHECK_FIELDS, COLUMN_FIELDS, FOREIGN_KEY_FIELDS, GENERATED_FIELDS, INDEX_FIELDS, PRIMARY_KEY_FIELDS, TABLE_FIELDS, UNIQUE_FIELDS,
  type AttributeRule, type FieldRules,
} from '../../src/ir/fields.js';
import type {
  CheckIR, ColumnIR, ColumnType, ColumnTypeKind, ForeignKeyIR, GeneratedIR, IndexIR, PrimaryKeyIR, SchemaIR, TableIR, UniqueIR,
} from '../../src/ir/schema.js';
import { sameType, typeToString } from '../../src/ir/types.js';
import { describeDifferences, drift, writeSnapshot } from '../../src/evolutions/snapshots.js';

/** Two values of one field, and what must show that the difference was seen. */
interface Sample<R, K extends keyof R> {
  /** The field's value in the first and in the second record (`undefined`: absent). */
  readonly values: readonly [R[K], R[K]];
  /** Text the drift report must contain for the difference (empty only for fields the fingerprint leaves out). */
  readonly mentions: readonly string[];
  /** Two models whose compiled record has the two values (for fields the model DSL can state). */
  readonly models?: () => readonly [readonly Table[], readonly Table[]];
  /** For a former-names field: the live record, which has the former name. */
  readonly live?: Partial<R>;
  /** Where the compiled record is, when not where the subject's `compiled` finds it. */
  readonly at?: (s: SchemaIR) => R | null | undefined;
}
type Samples<R> = { readonly [K in keyof Required<R>]: Sample<R, K> };

/** A record under test: its rules, a base value, where it sits in a schema, and its samples. */
interface Subject<R> {
  readonly rules: FieldRules<R, AttributeRule<R>>;
  readonly base: R;
  readonly schema: (r: R) => SchemaIR;
  /** The record in a compiled schema (records the model DSL cannot state at all have none). */
  readonly compiled?: (s: SchemaIR) => R | null | undefined;
  readonly samples: Samples<R>;
  /** The column flag a difference sets, for records compared as one column attribute. */
  readonly flag?: keyof ColumnChangeFlags;
}

const col = (name: string, type: ColumnType, extra: Partial<ColumnIR> = {}): ColumnIR =>
  ({ name, type, nullable: true, default: null, autoIncrement: false, ...extra });
const ID = col('id', { kind: 'integer' }, { nullable: false });
const C = col('c', { kind: 'text' });
const T: TableIR = { name: 't', columns: [ID, C], primaryKey: { name: null, columns: ['id'] }, uniques: [], indexes: [], foreignKeys: [] };
const R: TableIR = { ...T, name: 'r', columns: [ID, col('k', { kind: 'integer' })] };
const R2: TableIR = { ...R, name: 'r2' };
const schemaOf = (t: TableIR): SchemaIR => ({ dialect: 'sqlite', tables: [t, R, R2] });

// Models: table t (first, as in schemaOf) beside the tables its keys may reference.
// k is unique: a foreign key may reference it (model validation refuses a key to a non-unique column).
const rModel = table('r', { id: integer().primaryKey(), k: integer().unique() });
const r2Model = table('r2', { id: integer().primaryKey(), k: integer().unique() });
const tModel = (columns: Record<string, ColumnBuilder> = { c: text() }, options: TableOptions = {}, name = 't'): Table[] =>
  [table(name, { id: integer().primaryKey(), ...columns }, options), rModel, r2Model];
const pair = (a: () => Table[], b: () => Table[]) => (): readonly [Table[], Table[]] => [a(), b()];
const firstTable = (s: SchemaIR): TableIR => s.tables[0]!;

const FK: ForeignKeyIR = { name: null, columns: ['c'], refTable: 'r', refColumns: ['id'], onDelete: 'no action', onUpdate: 'no action' };
// c is an integer here: a key must be of the kind of what it references (model validation).
const fkModel = (fk: Partial<ForeignKeyIR>, columns: Record<string, ColumnBuilder> = { c: integer() }) => (): Table[] => {
  const f = { ...FK, ...fk };
  const ref = f.refTable === 'r2' ? r2Model : rModel;
  return tModel(columns, {
    foreignKeys: [{
      columns: [...f.columns], references: () => f.refColumns.map((c) => ref.columns[c as 'id' | 'k']),
      onDelete: f.onDelete, onUpdate: f.onUpdate, ...(f.name ? { name: f.name } : {}),
    }],
  });
};

const column: Subject<ColumnIR> = {
  rules: COLUMN_FIELDS, base: C, schema: (c) => schemaOf({ ...T, columns: [ID, c] }), compiled: (s) => firstTable(s).columns[1],
  samples: {
    name: { values: ['c', 'c2'], mentions: ['add column t.c2', 'drop column t.c'], models: pair(() => tModel({ c: text() }), () => tModel({ c2: text() })) },
    type: {
      values: [{ kind: 'text' }, { kind: 'integer' }], mentions: ['type text → integer'],
      models: pair(() => tModel({ c: text() }), () => tModel({ c: integer() })),
    },
    nullable: { values: [true, false], mentions: ['NULL → NOT NULL'], models: pair(() => tModel({ c: text() }), () => tModel({ c: text().notNull() })) },
    default: {
      values: [null, { kind: 'value', value: 'x' }], mentions: ['default none → value:"x"'],
      models: pair(() => tModel({ c: text() }), () => tModel({ c: text().default('x') })),
    },
    autoIncrement: {
      // Only a primary key auto-increments: the models vary the id column.
      values: [false, true], mentions: ['auto-increment false → true'], at: (s) => firstTable(s).columns[0],
      models: pair(() => tModel(), () => [table('t', { id: integer().primaryKey({ autoIncrement: true }), c: text() }), rModel, r2Model]),
    },
    generated: { values: [undefined, { expression: 'id + 1', stored: true }], mentions: ['generated none → stored id + 1'] },
    collation: {
      values: [undefined, 'nocase'], mentions: ['collation none → nocase'],
      models: pair(() => tModel({ c: text() }), () => tModel({ c: text().collation('nocase') })),
    },
    identity: { values: [undefined, 'always'], mentions: ['identity none → always'] },
    onUpdate: { values: [undefined, 'CURRENT_TIMESTAMP'], mentions: ['on update none → CURRENT_TIMESTAMP'] },
    aka: {
      values: [undefined, ['old']], mentions: [], live: { name: 'old' },
      models: pair(() => tModel({ c: text() }), () => tModel({ c: text().aka('old') })),
    },
  },
};

const generated: Subject<GeneratedIR> = {
  rules: GENERATED_FIELDS, base: { expression: 'id + 1', stored: false }, flag: 'generated',
  schema: (g) => column.schema({ ...C, generated: g }),
  samples: {
    expression: { values: ['id + 1', 'id + 2'], mentions: ['t.c: generated expression id + 1 → id + 2'] },
    stored: { values: [false, true], mentions: ['t.c: generated virtual → stored'] },
  },
};

const D = col('d', { kind: 'integer' });
const tableSubject: Subject<TableIR> = {
  rules: TABLE_FIELDS, base: T, schema: schemaOf, compiled: firstTable,
  samples: {
    name: { values: ['t', 't2'], mentions: ['create table t2', 'drop table t'], models: pair(() => tModel(), () => tModel(undefined, undefined, 't2')) },
    columns: { values: [[ID, C], [ID, C, D]], mentions: ['add column t.d'], models: pair(() => tModel(), () => tModel({ c: text(), d: integer() })) },
    primaryKey: {
      values: [{ name: null, columns: ['id'] }, { name: null, columns: ['id', 'c'] }], mentions: ['change primary key of t to (id, c)'],
      models: pair(() => tModel(), () => [table('t', { id: integer(), c: text() }, { primaryKey: ['id', 'c'] })]),
    },
    uniques: {
      values: [[], [{ name: null, columns: ['c'] }]], mentions: ['add unique (c) on t'],
      models: pair(() => tModel(), () => tModel({ c: text().unique() })),
    },
    indexes: {
      values: [[], [{ name: 't_c_idx', columns: ['c'], unique: false, where: null }]], mentions: ['add index t_c_idx on t'],
      models: pair(() => tModel(), () => tModel(undefined, { indexes: [index().on('c')] })),
    },
    foreignKeys: {
      values: [[], [FK]], mentions: ['add foreign key t(c) → r'],
      models: pair(() => tModel({ c: integer() }), () => tModel({ c: integer().references(() => rModel.columns.id) })),
    },
    checks: { values: [undefined, [{ name: null, expression: 'c > 0' }]], mentions: ['add check (c > 0) on t'] },
    options: { values: [undefined, { strict: '1' }], mentions: ['change options of t (defaults → strict=1)'] },
    aka: { values: [undefined, ['old']], mentions: [], live: { name: 'old' }, models: pair(() => tModel(), () => tModel(undefined, { aka: 'old' })) },
  },
};

const IDX: IndexIR = { name: 'i1', columns: ['c'], unique: false, where: null };
const indexModel = (i: Partial<IndexIR>) => (): Table[] => {
  const x = { ...IDX, ...i };
  let b = index(x.name).on(...x.columns);
  if (x.unique) b = b.unique();
  if (x.where !== null) b = b.where(sql`c > 0`);
  return tModel(undefined, { indexes: [b] });
};
const indexSubject: Subject<IndexIR> = {
  rules: INDEX_FIELDS, base: IDX, schema: (i) => schemaOf({ ...T, indexes: [i] }), compiled: (s) => firstTable(s).indexes[0],
  samples: {
    name: { values: ['i1', 'i2'], mentions: ['drop index i1 on t', 'add index i2 on t'], models: pair(indexModel({}), indexModel({ name: 'i2' })) },
    columns: {
      values: [['c'], ['c', 'id']], mentions: ['t: index i1: columns (c) → (c, id)'],
      models: pair(indexModel({}), indexModel({ columns: ['c', 'id'] })),
    },
    unique: { values: [false, true], mentions: ['t: index i1: unique false → true'], models: pair(indexModel({}), indexModel({ unique: true })) },
    // indexModel writes sql`c > 0` for any predicate.
    where: { values: [null, 'c > 0'], mentions: ['t: index i1: where none → c > 0'], models: pair(indexModel({}), indexModel({ where: 'c > 0' })) },
  },
};

const fkSubject: Subject<ForeignKeyIR> = {
  rules: FOREIGN_KEY_FIELDS, base: FK, schema: (f) => schemaOf({ ...T, foreignKeys: [f] }), compiled: (s) => firstTable(s).foreignKeys[0],
  samples: {
    name: { values: [null, 'fk_c'], mentions: [], models: pair(fkModel({}), fkModel({ name: 'fk_c' })) },
    columns: {
      values: [['c'], ['id']], mentions: ['drop foreign key t(c) → r', 'add foreign key t(id) → r'],
      models: pair(fkModel({}), fkModel({ columns: ['id'] })),
    },
    refTable: { values: ['r', 'r2'], mentions: ['t: foreign key (c): references table r → r2'], models: pair(fkModel({}), fkModel({ refTable: 'r2' })) },
    refColumns: {
      values: [['id'], ['k']], mentions: ['t: foreign key (c): references columns (id) → (k)'],
      models: pair(fkModel({}), fkModel({ refColumns: ['k'] })),
    },
    onDelete: {
      values: ['no action', 'cascade'], mentions: ['t: foreign key (c): on delete no action → cascade'],
      models: pair(fkModel({}), fkModel({ onDelete: 'cascade' })),
    },
    onUpdate: {
      values: ['no action', 'set null'], mentions: ['t: foreign key (c): on update no action → set null'],
      models: pair(fkModel({}), fkModel({ onUpdate: 'set null' })),
    },
  },
};

const checkSubject: Subject<CheckIR> = {
  rules: CHECK_FIELDS, base: { name: null, expression: 'c > 0' }, schema: (ck) => schemaOf({ ...T, checks: [ck] }),
  samples: {
    name: { values: [null, 'ck_c'], mentions: [] },
    expression: { values: ['c > 0', 'c > 1'], mentions: ['drop check (c > 0) on t', 'add check (c > 1) on t'] },
  },
};

const pkSubject: Subject<PrimaryKeyIR> = {
  rules: PRIMARY_KEY_FIELDS, base: { name: null, columns: ['id'] },
  schema: (pk) => schemaOf({ ...T, primaryKey: pk }), compiled: (s) => firstTable(s).primaryKey,
  samples: {
    name: { values: [null, 't_pkey'], mentions: [] },
    columns: {
      values: [['id'], ['id', 'c']], mentions: ['change primary key of t to (id, c)'],
      models: pair(() => tModel(), () => [table('t', { id: integer(), c: text() }, { primaryKey: ['id', 'c'] })]),
    },
  },
};

const uniqueSubject: Subject<UniqueIR> = {
  rules: UNIQUE_FIELDS, base: { name: null, columns: ['c'] }, schema: (u) => schemaOf({ ...T, uniques: [u] }), compiled: (s) => firstTable(s).uniques[0],
  samples: {
    name: { values: [null, 'u_c'], mentions: [], models: pair(() => tModel({ c: text().unique() }), () => tModel({ c: text().unique('u_c') })) },
    columns: {
      values: [['c'], ['c', 'id']], mentions: ['drop unique (c) on t', 'add unique (c, id) on t'],
      models: pair(() => tModel(undefined, { unique: [['c']] }), () => tModel(undefined, { unique: [['c', 'id']] })),
    },
  },
};

/** `base` with `field` set to `value` (deleted when `undefined`). */
function withField<R>(base: R, field: keyof R, value: unknown): R {
  const out = { ...base } as Record<keyof R, unknown>;
  if (value === undefined) delete out[field];
  else out[field] = value;
  return out as R;
}

const kinds = (s: readonly { kind: string }[]): string[] => [...new Set(s.map((c) => c.kind))].sort();

/** Checks one field of a subject: fingerprint, differ, drift report, model compilation. */
function checkField<R>(subject: Subject<R>, field: keyof R & string): void {
  const rule = (subject.rules as Record<string, FieldRules<R>[keyof R]>)[field]!;
  const sample = (subject.samples as unknown as Record<string, Sample<R, keyof R>>)[field]!;
  const [va, vb] = sample.values;
  assert.notDeepEqual(va, vb, 'the sample varies the field');
  const a = subject.schema(withField(subject.base, field, va));
  const b = subject.schema(withField(subject.base, field, vb));
  const d = rule.differ;

  // (a) The canonical form holds the field exactly when the rules say so.
  assert.equal(fingerprint(a) !== fingerprint(b), rule.fingerprinted === true, `fingerprint ${rule.fingerprinted === true ? 'ignores' : 'holds'} ${field}`);
  if (d.as === 'ignored' || d.as === 'renames') assert.notEqual(rule.fingerprinted, true, `${field} is fingerprinted but the differ does not compare it`);

  // (b) The differ reports a change exactly when the fingerprint moves, of the kinds the rules name.
  const changes = diffSchemas(a, b).changes;
  if (d.as === 'renames') {
    const live = subject.schema({ ...subject.base, ...sample.live });
    const without = kinds(diffSchemas(live, a).changes);
    const withAka = kinds(diffSchemas(live, b).changes);
    assert.notDeepEqual(withAka, without, `the differ ignores ${field}`);
    for (const k of d.changes) assert.ok(withAka.includes(k), `${field} makes a ${k}`);
    assert.deepEqual(changes, [], `${field} alone, with no former name live, changes nothing`);
  } else {
    assert.equal(changes.length > 0, rule.fingerprinted === true, `the differ ${changes.length ? 'sees' : 'ignores'} ${field}`);
  }
  if (d.as === 'attribute' || d.as === 'identity') assert.deepEqual(kinds(changes), [...d.changes].sort(), `changes for ${field}`);
  if (d.as === 'structure') for (const k of kinds(changes)) assert.ok(d.changes.includes(k as never), `${field} makes a ${k}, which its rule does not name`);
  const flag = d.as === 'attribute' && 'flag' in d ? (d as { flag: keyof ColumnChangeFlags }).flag : subject.flag;
  if (flag) {
    const alter = changes.filter((c) => c.kind === 'alterColumn');
    assert.equal(alter.length, 1);
    const set = Object.entries(alter[0]!.changed).filter(([, v]) => v).map(([k]) => k);
    assert.deepEqual(set, [flag], `${field} sets the ${flag} flag alone`);
  }

  // (c) The drift report words the difference.
  const lines = describeDifferences(changes);
  if (rule.fingerprinted === true) {
    assert.ok(sample.mentions.length > 0, `a sample for ${field} names what the drift report must say`);
    for (const m of sample.mentions) assert.ok(lines.some((l) => l.includes(m)), `drift report ${JSON.stringify(lines)} does not mention ${JSON.stringify(m)}`);
  } else {
    assert.deepEqual(lines, []);
  }

  // (d) Model compilation produces both values, or the rules say why the DSL cannot state the field.
  assert.equal(sample.models !== undefined, rule.model === true, `${field}: models given exactly when the rule says the DSL states the field`);
  if (rule.model === true) {
    const at = sample.at ?? subject.compiled!;
    const [ma, mb] = sample.models!();
    const ca = at(compileModels(ma, 'sqlite'));
    const cb = at(compileModels(mb, 'sqlite'));
    assert.ok(ca && cb, `the compiled schema has the ${field} record`);
    assert.deepEqual((ca as R)[field], va, `compiled ${field} (first model)`);
    assert.deepEqual((cb as R)[field], vb, `compiled ${field} (second model)`);
  } else {
    assert.ok(rule.model.notYet.length > 0);
  }
}

const SUBJECTS: Record<string, Subject<never>> = {
  ColumnIR: column, GeneratedIR: generated, TableIR: tableSubject, IndexIR: indexSubject, ForeignKeyIR: fkSubject,
  CheckIR: checkSubject, PrimaryKeyIR: pkSubject, UniqueIR: uniqueSubject,
} as unknown as Record<string, Subject<never>>;

describe('IR fields: one rule per field, each honoured everywhere', () => {
  for (const [name, subject] of Object.entries(SUBJECTS)) {
    describe(name, () => {
      it('has a sample for exactly the fields it has rules for', () => {
        assert.deepEqual(Object.keys(subject.samples).sort(), Object.keys(subject.rules).sort());
      });
      for (const field of Object.keys(subject.rules)) it(field, () => checkField(subject, field as never));
    });
  }

  it('sets every column change flag from some column field', () => {
    // A Record over every flag: a new flag does not compile until it is listed here.
    const flags: Record<keyof ColumnChangeFlags, true> = {
      type: true, nullable: true, default: true, autoIncrement: true, generated: true, collation: true, onUpdate: true,
    };
    const set = new Set(Object.values(COLUMN_FIELDS).flatMap((r) => (r.differ.as === 'attribute' ? [r.differ.flag] : [])));
    for (const f of Object.keys(flags)) assert.ok(set.has(f as keyof ColumnChangeFlags), `no column field sets ${f}`);
  });

  it('reports drift in an attribute the differ once missed, end to end (snapshot on disk)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'evolve-fields-'));
    try {
      const known = column.schema(C);
      const fp = writeSnapshot(dir, known);
      const found = drift(dir, [fp], column.schema({ ...C, collation: 'nocase', onUpdate: 'CURRENT_TIMESTAMP' }));
      assert.deepEqual(found, { nearest: fp, differences: ['t.c: collation none → nocase', 't.c: on update none → CURRENT_TIMESTAMP'] });
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
});

describe('column types: no kind compares equal by default', () => {
  // A Record over every kind: a new kind does not compile until it has samples here.
  const samples: Record<ColumnTypeKind, ColumnType[]> = {
    integer: [{ kind: 'integer' }], bigint: [{ kind: 'bigint' }], real: [{ kind: 'real' }], text: [{ kind: 'text' }],
    boolean: [{ kind: 'boolean' }], date: [{ kind: 'date' }], json: [{ kind: 'json' }], bytes: [{ kind: 'bytes' }], uuid: [{ kind: 'uuid' }],
    varchar: [{ kind: 'varchar', length: 10 }, { kind: 'varchar', length: 20 }],
    decimal: [{ kind: 'decimal', precision: 10, scale: 2 }, { kind: 'decimal', precision: 10, scale: 3 }, { kind: 'decimal', precision: 12, scale: 2 }],
    timestamp: [{ kind: 'timestamp', withTimeZone: false }, { kind: 'timestamp', withTimeZone: true }],
    raw: [{ kind: 'raw', sql: 'geometry' }, { kind: 'raw', sql: 'point' }],
  };
  const all = Object.values(samples).flat();

  it('sameType agrees with the canonical spelling for every pair of types', () => {
    for (const x of all) {
      for (const y of all) {
        const copy = JSON.parse(JSON.stringify(y)) as ColumnType; // never the same object
        assert.equal(sameType(x, copy), typeToString(x) === typeToString(y), `${typeToString(x)} vs ${typeToString(y)}`);
      }
    }
  });

  it('refuses a kind it does not know instead of calling it equal', () => {
    const unknown = () => ({ kind: 'vector', dimensions: 3 }) as unknown as ColumnType;
    assert.throws(() => sameType(unknown(), unknown()), /Unhandled column type/);
    assert.throws(() => typeToString(unknown()), /Unhandled column type/);
  });
});
