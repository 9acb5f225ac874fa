/**
 * fingerprintPair (src/ir/fingerprint.ts) gives both fingerprints in one pass and the tables the
 * two schemas hold the same; the differ skips those (src/diff/differ.ts, DiffKnown). The changes
 * must be exactly the ones found without that knowledge: on every golden case, on random schema
 * pairs (fast-check), and where a table the same on both sides references a renamed one.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fingerprint, fingerprintBeside, fingerprintPair, rememberFingerprint } from '../../src/ir/fingerprint.js';
import { loadDialect, desiredSchema, canonicalSchema, type DialectName, type SchemaIR } from '../../src/index.js';
import { canonicalTableText, canonicalText, sameCanonicalTable } from '../../src/ir/canonical-text.js';
import { deepFreeze, type TableIR } from '../../src/ir/schema.js';
import { CASES } from './golden-cases.js';
import { DIALECTS, col, fk, live, pk, serialId, tbl } from './golden-ir.js';
import { schemaArb, derive, toModels } from '../support/schema-arbitrary.js';

const plain = (x: unknown): unknown => JSON.parse(JSON.stringify(x, (_k, v: unknown) => (v instanceof Map ? Object.fromEntries(v) : v)));

/** The pair's fingerprints are the schemas' own, and the diff with its knowledge is the diff without it. */
async function agrees(dialect: DialectName, from: SchemaIR, to: SchemaIR): Promise<ReadonlySet<string>> {
  const d = await loadDialect(dialect);
  const pair = fingerprintPair(from, to);
  for (const s of [from, to]) assert.equal(canonicalText(s), JSON.stringify(canonicalSchema(s))); // the text written out is the canonical form's
  assert.equal(pair.from, fingerprint(from));
  assert.equal(pair.to, fingerprint(to));
  // Written beside the other side (texts taken from it where a table is the same), frozen or not: the schema's own print.
  const frozenTo = deepFreeze(structuredClone(to));
  const frozenFrom = deepFreeze(structuredClone(from));
  assert.equal(fingerprintBeside(from, to), pair.from);
  assert.equal(fingerprintBeside(from, frozenTo), pair.from);
  assert.equal(fingerprintBeside(from, frozenTo), pair.from, 'again, the texts now kept');
  assert.equal(fingerprintBeside(to, frozenFrom), pair.to);
  assert.equal(fingerprintBeside(to, frozenTo), pair.to, 'beside itself');
  let plainDiff: unknown;
  let error: unknown = null;
  try { plainDiff = plain(d.diff(from, to)); } catch (e) { error = e; }
  if (error) {
    assert.throws(() => d.diff(from, to, { sameTables: pair.sameTables }), (e: unknown) => (e as Error).message === (error as Error).message);
  } else {
    assert.deepEqual(plain(d.diff(from, to, { sameTables: pair.sameTables })), plainDiff);
  }
  return pair.sameTables;
}

/** One field of `t` changed (`k` picks which), for {@link sameCanonicalTable}: some fields the canonical text holds, some it does not. */
function variant(t: TableIR, k: number): TableIR {
  const c = structuredClone(t) as { -readonly [K in keyof TableIR]: any };
  const col = c.columns[k % c.columns.length];
  switch (k % 16) {
    case 0: col.name = `${col.name}_x`; break;
    case 1: col.nullable = !col.nullable; break;
    case 2: col.autoIncrement = !col.autoIncrement; break;
    case 3: col.type = col.type.kind === 'varchar' ? { kind: 'varchar', length: col.type.length + 1 } : { kind: 'varchar', length: 7 }; break;
    case 4: col.default = col.default?.kind === 'value' ? { kind: 'value', value: String(col.default.value) === col.default.value ? 1 : '1' } : { kind: 'value', value: 1 }; break;
    case 5: col.default = { kind: 'expression', sql: 'CURRENT_TIMESTAMP' }; break;
    case 6: c.columns.reverse(); break;
    case 7: c.primaryKey = c.primaryKey ? null : { name: null, columns: [col.name] }; break;
    case 8: c.uniques = [...c.uniques, { name: 'u_extra', columns: [col.name] }]; break;
    case 9: c.indexes = c.indexes.length ? c.indexes.map((i: any) => ({ ...i, where: i.where === null ? 'x > 0' : null })) : [{ name: 'i_x', columns: [col.name], unique: false, where: null }]; break;
    case 10: c.foreignKeys = c.foreignKeys.length ? c.foreignKeys.map((f: any) => ({ ...f, onDelete: f.onDelete === 'cascade' ? 'no action' : 'cascade' })) : [{ name: null, columns: [col.name], refTable: t.name, refColumns: [col.name], onDelete: 'no action', onUpdate: 'no action' }]; break;
    case 11: c.checks = [...(c.checks ?? []), { name: null, expression: 'x > 1' }]; break;
    case 12: c.options = { ...(c.options ?? {}), engine: 'myisam' }; break;
    case 13: col.collation = 'utf8mb4_bin'; break;
    // Not in the canonical text: former names, constraint names.
    case 14: c.aka = ['before']; break;
    default: c.foreignKeys = c.foreignKeys.map((f: any) => ({ ...f, name: `${f.name ?? 'fk'}_renamed` })); c.uniques = c.uniques.map((u: any) => ({ ...u, name: `${u.name ?? 'u'}_renamed` }));
  }
  return c as TableIR;
}

describe('sameCanonicalTable: a table the same as another only when their canonical texts are', () => {
  it('holds on random tables and each one-field change of them, each dialect; a copy is found the same', async () => {
    for (const dialect of DIALECTS) {
      const d = await loadDialect(dialect);
      await fc.assert(fc.property(schemaArb, fc.array(fc.nat(), { minLength: 8, maxLength: 8 }), (a, picks) => {
        for (const t of desiredSchema(toModels(a), d).tables) {
          assert.equal(sameCanonicalTable(t, structuredClone(t)), !t.columns.some((x) => x.generated || x.collation || x.onUpdate || x.identity === 'always'),
            'a copy of a plain table is found the same without writing its text');
          for (const k of picks) {
            const v = variant(t, k);
            if (sameCanonicalTable(t, v)) assert.equal(canonicalTableText(v), canonicalTableText(t), `variant ${k % 16} of ${t.name}`);
            if (sameCanonicalTable(v, t)) assert.equal(canonicalTableText(v), canonicalTableText(t), `variant ${k % 16} of ${t.name}, other way`);
          }
        }
      }), { numRuns: 40 });
    }
  });
});

describe('fingerprintPair and the diff of the tables it finds the same', () => {
  it('agree with fingerprint and the plain diff on every golden case, each dialect', async () => {
    let skipped = 0;
    for (const c of CASES) {
      for (const dialect of c.dialects ?? DIALECTS) {
        const { from, to } = c.build(dialect);
        skipped += (await agrees(dialect, from, to)).size;
      }
    }
    assert.ok(skipped > 0, 'some golden case has a table the same on both sides');
  });

  it('finds a table the same, and still changes its foreign key when the table it references is renamed away', async () => {
    // Live: a → x. Desired: x renamed to y (aka), a new x, and a still references x (the new one).
    const a = tbl('a', [serialId(), col('x_id', 'integer')], { ...pk('id'), foreignKeys: [fk(['x_id'], 'x', ['id'])] });
    for (const dialect of DIALECTS) {
      const from = live(dialect, [a, tbl('x', [serialId()], pk('id'))]);
      // (Both sides as introspected: MySQL's implicit foreign-key index on a.x_id on each.)
      const to = { ...live(dialect, [a, tbl('y', [serialId()], { ...pk('id'), aka: ['x'] }), tbl('x', [serialId()], pk('id'))]) };
      const same = await agrees(dialect, from, to);
      assert.ok(same.has('a'), `${dialect}: table a is the same on both sides`);
      const kinds = (await loadDialect(dialect)).diff(from, to, { sameTables: same }).changes.map((c) => {
        const t = 'table' in c ? c.table : null;
        return `${c.kind}${typeof t === 'string' ? ` ${t}` : t && typeof t === 'object' && 'name' in t ? ` ${t.name}` : ''}`;
      });
      assert.ok(kinds.includes('dropForeignKey a') && kinds.includes('addForeignKey a'), `${dialect}: ${kinds.join(', ')}`);
      assert.ok(kinds.includes('createTable x'), `${dialect}: the new x is created: ${kinds.join(', ')}`);
      // Whatever order the models list them in: y is x renamed, x is new.
      const reordered = { ...to, tables: [to.tables[0]!, to.tables[2]!, to.tables[1]!] };
      const again = (await loadDialect(dialect)).diff(from, reordered);
      assert.deepEqual(again.renames, [{ kind: 'table', table: 'y', from: 'x', to: 'y' }]);
      assert.deepEqual(again.changes.map((c) => c.kind).sort(), (await loadDialect(dialect)).diff(from, to).changes.map((c) => c.kind).sort());
    }
  });

  it('agree on random schema pairs (renames, type changes, keys), each dialect', async () => {
    for (const dialect of DIALECTS) {
      const d = await loadDialect(dialect);
      await fc.assert(fc.asyncProperty(schemaArb, fc.array(fc.nat(), { minLength: 40, maxLength: 40 }), async (a, dice) => {
        const from = desiredSchema(toModels(a), d);
        const to = desiredSchema(toModels(derive(a, dice)), d);
        await agrees(dialect, from, to);
        await agrees(dialect, from, from);
      }), { numRuns: 60 });
    }
  });
});

describe('fingerprints known for kept schemas (rememberFingerprint)', () => {
  const a = (): SchemaIR => live('sqlite', [tbl('a', [col('id', 'integer')], pk('id')), tbl('c', [col('id', 'integer')])]);
  const b = (): SchemaIR => live('sqlite', [tbl('a', [col('id', 'integer'), col('x', 'text')], pk('id')), tbl('b', [col('id', 'integer')], pk('id')),
    tbl('c', [col('id', 'integer')])]);
  const frozen = (s: SchemaIR): SchemaIR => deepFreeze(JSON.parse(JSON.stringify(s)) as SchemaIR);

  it('a frozen schema takes its remembered fingerprint, in fingerprint and on either side of a pair, with the same tables found', () => {
    const x = frozen(a());
    const y = frozen(b());
    const truth = { from: fingerprint(a()), to: fingerprint(b()), same: [...fingerprintPair(a(), b()).sameTables] };
    assert.deepEqual(truth.same, ['c'], 'the case has a table the same on both sides');
    rememberFingerprint(x, truth.from);
    rememberFingerprint(y, truth.to);
    assert.equal(fingerprint(x), truth.from);
    const pair = fingerprintPair(x, y);
    assert.deepEqual({ from: pair.from, to: pair.to, same: [...pair.sameTables] }, truth);
    // What is remembered is what is given: a wrong one is taken (so only an entry's own is ever given).
    const z = frozen(a());
    rememberFingerprint(z, truth.to);
    assert.equal(fingerprint(z), truth.to);
    assert.equal(fingerprintPair(z, y).from, truth.to);
  });

  it('a schema that is not frozen, or a print of another algorithm, is not taken', () => {
    const x = a();
    rememberFingerprint(x, 'fv1:0000');
    assert.equal(fingerprint(x), fingerprint(a()));
    const y = frozen(a());
    rememberFingerprint(y, 'fv0:0000');
    assert.equal(fingerprint(y), fingerprint(a()));
  });
});
