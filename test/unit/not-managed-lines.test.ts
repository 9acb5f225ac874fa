/** The `not managed:` lines of the CLI (cli/output.ts notManagedLines): each one up to ten, past ten a count of the rest. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { notManagedLines, NOT_MANAGED_SHOWN } from '../../src/cli/output.js';

describe('not managed lines', () => {
  const items = (n: number): string[] => Array.from({ length: n }, (_, i) => `view v${i} (not in the models: kept as it is)`);

  it('lists every one up to the limit, indented as asked', () => {
    assert.deepEqual(notManagedLines([]), []);
    assert.deepEqual(notManagedLines(items(2), '  '), ['  not managed: view v0 (not in the models: kept as it is)', '  not managed: view v1 (not in the models: kept as it is)']);
    assert.equal(notManagedLines(items(NOT_MANAGED_SHOWN)).length, NOT_MANAGED_SHOWN);
    assert.match(notManagedLines(items(NOT_MANAGED_SHOWN)).at(-1)!, /view v9 /);
  });

  it('past it, the first ones and how many more, pointing at --json', () => {
    const lines = notManagedLines(items(100));
    assert.equal(lines.length, NOT_MANAGED_SHOWN);
    assert.equal(lines[0], 'not managed: view v0 (not in the models: kept as it is)');
    assert.equal(lines.at(-1), 'not managed: … and 91 more (--json lists every one)');
    assert.equal(notManagedLines(items(NOT_MANAGED_SHOWN + 1)).at(-1), 'not managed: … and 2 more (--json lists every one)');
  });
});
