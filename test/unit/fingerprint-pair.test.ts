/**
 * fingerprintPair (src/ir/fingerprint.ts) gives both fingerprints in one pass and the tables the
 * two schemas hold the same; the differ skips those (src/diff/differ.ts, DiffKnown). The changes
 * must be exactly the ones found without that knowledge: on every golden case, on random schema
 * pairs (fast-check), and where a table the same on both sides references a renamed one.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fingerprint, fingerprintPair } from '../../src/ir/fingerprint.js';
import { loadDialect, desiredSchema, canonicalSchema, type DialectName, type SchemaIR } from '../../src/index.js';
import { canonicalText } from '../../src/ir/canonical-text.js';
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
