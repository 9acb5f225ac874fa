/**
 * Golden tests of the generic differ (src/diff/differ.ts), no database: for each case of
 * test/unit/golden-cases.ts, the exact changes, renames and table matches `diffSchemas` gives
 * for its two schemas (on the first dialect the case runs on), pinned in
 * test/fixtures/golden/differ.json; and every `Change` kind arises from some case.
 *
 * Regenerate the golden after an intended change of the differ's output:
 *   EVOLVE_UPDATE_GOLDEN=1 node --import tsx --test test/unit/differ-golden.test.ts
 * then review the diff of test/fixtures/golden/differ.json before committing it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChangeKind } from '../../src/diff/changes.js';
import { diffSchemas, type Diff } from '../../src/diff/differ.js';
import { CASES } from './golden-cases.js';
import { author, book, col, desired, DIALECTS, CHANGE_KINDS, live, NOT_NULL, serialId, tbl, varchar } from './golden-ir.js';
import { golden, regenerate } from './golden-file.js';

const FILE = 'differ.json';

/** True for an EvolveError (src/errors.ts) with this code, whose message matches. */
const refusal = (code: string, message: RegExp) => (e: unknown): boolean => {
  const x = e as { name?: unknown; code?: unknown; message?: unknown } | null;
  return !!x && x.name === 'EvolveError' && x.code === code && message.test(String(x.message));
};

/** A diff as plain JSON data (the Map of table matches as an object). */
function diffJson(dialect: string, d: Diff): unknown {
  return JSON.parse(JSON.stringify({ dialect, changes: d.changes, renames: d.renames, liveName: Object.fromEntries(d.liveName) }));
}

const diffs = new Map<string, Diff>();
const actual: Record<string, unknown> = {};
for (const c of CASES) {
  const dialect = (c.dialects ?? DIALECTS)[0]!;
  const { from, to } = c.build(dialect);
  const d = diffSchemas(from, to);
  diffs.set(c.name, d);
  actual[c.name] = diffJson(dialect, d);
}
const text = golden(FILE, `${JSON.stringify(actual, null, 2)}\n`);
const expected = text === null ? null : (JSON.parse(text) as Record<string, unknown>);

describe('differ goldens', () => {
  it('has a golden file with exactly the cases', () => {
    assert.ok(expected, `test/fixtures/golden/${FILE} is missing: run with EVOLVE_UPDATE_GOLDEN=1 to create it, then review it`);
    assert.deepEqual(Object.keys(expected).sort(), CASES.map((c) => c.name).sort(), 'golden cases and test cases differ');
    assert.equal(new Set(CASES.map((c) => c.name)).size, CASES.length, 'case names are unique');
  });

  for (const c of CASES) {
    it(c.name, () => {
      assert.ok(expected && c.name in expected, `no golden for case ${c.name}`);
      assert.deepStrictEqual(actual[c.name], expected[c.name], regenerate(FILE));
    });
  }

  it('covers every Change kind', () => {
    const covered = new Set<ChangeKind>();
    for (const d of diffs.values()) for (const ch of d.changes) covered.add(ch.kind);
    assert.deepEqual([...covered].sort(), [...CHANGE_KINDS].sort());
  });

  it('is deterministic: the same inputs give the same diff', () => {
    for (const c of CASES) {
      const { from, to } = c.build((c.dialects ?? DIALECTS)[0]!);
      assert.deepStrictEqual(diffJson((c.dialects ?? DIALECTS)[0]!, diffSchemas(from, to)), actual[c.name], c.name);
    }
  });

  it('refuses an ambiguous table aka (both names live)', () => {
    const from = live('sqlite', [author(), { ...author(), name: 'writer' }]);
    const to = desired('sqlite', [{ ...author(), name: 'writer', aka: ['author'] }]);
    assert.throws(() => diffSchemas(from, to), refusal('E_CONFLICT', /both 'writer' and 'author'/));
  });

  it('refuses a table aka naming two live tables', () => {
    const from = live('sqlite', [{ ...author(), name: 'a' }, { ...author(), name: 'b' }]);
    const to = desired('sqlite', [{ ...author(), name: 'writer', aka: ['a', 'b'] }]);
    assert.throws(() => diffSchemas(from, to), refusal('E_CONFLICT', /former names 'a' and 'b'/));
  });

  it('refuses an ambiguous column aka (both columns live)', () => {
    const from = live('sqlite', [author([col('full_name', 'text')])]);
    const to = desired('sqlite', [tbl('author', [serialId(), col('full_name', 'text', { aka: ['name'] })])]);
    assert.throws(() => diffSchemas(from, to), refusal('E_CONFLICT', /author\.full_name/));
  });

  it('guesses no rename without aka: a renamed column is a drop and an add', () => {
    const d = diffSchemas(live('sqlite', [author(), book()]), desired('sqlite', [{ ...author(), columns: [serialId(), col('full_name', varchar(100), NOT_NULL)] }, book()]));
    assert.deepEqual(d.changes.map((c) => c.kind), ['addColumn', 'dropColumn']);
    assert.deepEqual(d.renames, []);
  });
});
