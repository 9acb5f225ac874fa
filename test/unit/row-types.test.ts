/**
 * The row types (issue 18 point 3) under the TypeScript compiler: test/types/row-types.ts must
 * compile (each `@ts-expect-error` there is an error, or tsc says the directive is unused), and with
 * the directives taken out tsc must report an error on each line they stood before — so a
 * type that allows everything cannot pass.
 */
import { it, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../support/cli.js';

const FIXTURE = join(ROOT, 'test', 'types', 'row-types.ts');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const OPTIONS = ['--ignoreConfig', '--noEmit', '--strict', '--target', 'ES2022', '--module', 'NodeNext', '--moduleResolution', 'NodeNext',
  '--skipLibCheck', '--verbatimModuleSyntax', '--types', 'node'];

function tsc(file: string): { code: number; out: string } {
  const r = spawnSync(process.execPath, [TSC, ...OPTIONS, file], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

describe('row types under tsc', () => {
  it('the fixture compiles, and every line marked @ts-expect-error is an error without the mark', () => {
    const ok = tsc(FIXTURE);
    assert.equal(ok.code, 0, ok.out);
    const lines = readFileSync(FIXTURE, 'utf8').split('\n');
    const expected = lines.flatMap((l, i) => (l.trim().startsWith('// @ts-expect-error') ? [i + 2] : []));
    assert.ok(expected.length >= 7, 'the fixture holds the must-fail cases');
    const dir = mkdtempSync(join(tmpdir(), 'evolve-types-'));
    try {
      const stripped = join(dir, 'row-types.mts'); // an ES module wherever it is
      const index = join(ROOT, 'src', 'index.js').replace(/\\/g, '/');
      writeFileSync(stripped, lines.map((l) => (l.trim().startsWith('// @ts-expect-error') ? '' : l.replace("'../../src/index.js'", `'${index}'`))).join('\n'));
      const bad = tsc(stripped);
      assert.notEqual(bad.code, 0, 'tsc reports the errors');
      const reported = new Set([...bad.out.matchAll(/row-types\.mts\((\d+),\d+\): error TS\d+/g)].map((m) => Number(m[1])));
      assert.deepEqual(expected.filter((n) => !reported.has(n)), [], `every must-fail line is an error:\n${bad.out}`);
      assert.deepEqual([...reported].filter((n) => !expected.includes(n)), [], `no other line is:\n${bad.out}`);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
});
