/**
 * Code-structure rules for src/**\/*.ts: layers, no cycles between folders, line and function length, no dialect
 * branches outside src/dialects/, small use-case files, unique exported function names, TSDoc on the public API.
 * Reads the source as text (no build, no database); see architecture-rules.ts for how each rule reads it.
 * Each failure lists every violation as `path:line: what`.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import {
  loadProject, projectOf, tokenize, functionSpans, importSites, LAYERS, checkLayers, checkCycles, checkLineLength, checkFunctionLength,
  checkDialectBranches, checkEngineFileSize, checkDuplicateExports, checkPublicTsDoc,
} from './architecture-rules.js';

const root = fileURLToPath(new URL('../..', import.meta.url)).replace(/[\\/]$/, '');
const project = loadProject(root);

function expectNone(rule: string, violations: string[]): void {
  if (violations.length === 0) return;
  assert.fail(`${rule}: ${violations.length} violation${violations.length === 1 ? '' : 's'}\n${violations.join('\n')}\n`);
}

describe('architecture of src/', () => {
  it(`1. layers point one way: a file imports only from its own folder or below (${LAYERS.join(' > ')})`, () => {
    expectNone('upward imports', checkLayers(project));
  });
  it('2. no import cycle between the folders of src/', () => {
    expectNone('cycles between folders', checkCycles(project));
  });
  it('3. no line over 160 characters', () => {
    expectNone('long lines', checkLineLength(project, 160));
  });
  it('4. no function over 100 lines (from the line of its { to the line of its })', () => {
    expectNone('long functions', checkFunctionLength(project, 100));
  });
  it("5. no branch on a dialect's name outside src/dialects/", () => {
    expectNone('dialect branches', checkDialectBranches(project));
  });
  it('6. every file in src/engine/ has at most 300 lines', () => {
    expectNone('large use-case files', checkEngineFileSize(project, 300));
  });
  it('7. no two exported functions share a name', () => {
    expectNone('duplicate exported function names', checkDuplicateExports(project));
  });
  it('8. every public export of src/index.ts has TSDoc', () => {
    expectNone('public exports without TSDoc', checkPublicTsDoc(project));
  });
});

/** The tokenizer and readers behind the rules: what they must see and what they must not be fooled by. */
describe('architecture rule readers', () => {
  const spans = (code: string): string[] => functionSpans(tokenize(code)).map((s) => `${s.name}:${s.open}-${s.close}`);

  it('match braces past strings, templates with nested ${}, regular expressions and comments', () => {
    const code = [
      'function a() {', // 1
      "  const s = '}' + \"}\" + `}${ { b: '}' }.b }${`${'}'}`}`;", // 2
      '  const r = /[}/]\\}/g.test(s) ? 1 / 2 : 3; // }', // 3
      '  /* } */ return r;', // 4
      '}', // 5
    ].join('\n');
    assert.deepEqual(spans(code), ['a:1-5']);
  });
  it('find declarations, expressions, arrows, methods, accessors and constructors with their names', () => {
    const code = [
      'export async function* gen<T>(x: T): AsyncGenerator<T> {', // 1
      '}', // 2
      'const f = async (a: number): Promise<{ n: number }> => {', // 3
      '};', // 4
      'const g: (x: number) => void = function () {', // 5
      '};', // 6
      'class C {', // 7
      '  constructor(private x: number) {', // 8
      '  }', // 9
      '  get y(): { z: number } {', // 10
      '    return { z: 1 };', // 11
      '  }', // 12
      '  m<T>(v: T): v is T & {} {', // 13
      '    if (v) { for (const k of [1]) { while (k) { switch (k) { case 1: {} } } } }', // 14
      '  }', // 15
      '}', // 16
      'const o = { p(x: string) {', // 17
      '}, q: (y) => {', // 18
      '} };', // 19
      'function over(a: string): void;', // 20
      'declare function amb(): { a: number };', // 21
      'items.map((i) => {', // 22
      '});', // 23
    ].join('\n');
    assert.deepEqual(spans(code), ['gen:1-2', 'f:3-4', 'g:5-6', 'constructor:8-9', 'y:10-12', 'm:13-15', 'p:17-18', 'q:18-19',
      '<callback to map>:22-23']);
  });
  it('read static, type-only, re-export and dynamic imports, and nothing from strings or comments', () => {
    const code = [
      "import { a } from './a.js';",
      "import type { B } from '../b.js';",
      "import './side.js';",
      "export { c } from './c.js';",
      "export type * from './d.js';",
      "export * as e from './e.js';",
      "const m = await import('./f.js');",
      "type G = typeof import('./g.js');",
      "const s = \"import { x } from './no.js'\"; // import './no2.js'",
      "const t = `${await import(`./h.js`)}`; const meta = import.meta.url;",
    ].join('\n');
    assert.deepEqual(importSites(tokenize(code)).map((s) => `${s.line}:${s.spec}`),
      ['1:./a.js', '2:../b.js', '3:./side.js', '4:./c.js', '5:./d.js', '6:./e.js', '7:./f.js', '8:./g.js', '10:./h.js']);
  });

});

/** Each rule on a small in-memory project: what it must report, and the look-alikes it must not. */
describe('architecture rules on small inputs', () => {
  const fake = (texts: Record<string, string>) => projectOf('/nonexistent', texts);

  it('rules 1 and 2: report upward imports, folders not in the list and cycles; ignore packages and downward imports', () => {
    const p = fake({
      'src/ir/a.ts': "import { x } from '../diff/b.js';\nimport fs from 'node:fs';\nimport { e } from '../errors.js';",
      'src/diff/b.ts': "import type { A } from '../ir/a.js';\nexport const m = () => import('../model/m.js');",
      'src/model/m.ts': "const s = \"import { y } from '../engine/e.js'\";",
      'src/errors.ts': '',
      'src/core/c.ts': "import { A } from '../ir/a.js';",
    });
    assert.deepEqual(checkLayers(p), [
      `src/core/c.ts:1: folder src/core is not in the layer list (${LAYERS.join(' > ')})`,
      `src/ir/a.ts:1: upward import '../diff/b.js': ir (layer ${LAYERS.indexOf('ir') + 1}) may not import from diff (layer ${LAYERS.indexOf('diff') + 1})`,
    ]);
    assert.deepEqual(checkCycles(p), ['cycle 1: diff -> ir -> diff',
      "src/diff/b.ts:1: '../ir/a.js' makes edge diff -> ir (cycle 1)", "src/ir/a.ts:1: '../diff/b.js' makes edge ir -> diff (cycle 1)"]);
  });
  it('rule 3: counts every character of a line, inside template strings too', () => {
    const p = fake({ 'src/ir/a.ts': `const ok = '${'x'.repeat(146)}';\nconst sql = \`\n${'y'.repeat(161)}\n\`;` });
    assert.deepEqual(checkLineLength(p, 160), ['src/ir/a.ts:3: line is 161 characters (max 160)']);
  });
  it('rule 4: measures from the line of { to the line of }, not fooled by a } in a string', () => {
    const body = (n: number): string => Array.from({ length: n }, (_, k) => `  const v${k} = '}';`).join('\n');
    const p = fake({ 'src/ir/a.ts': `export function long() {\n${body(99)}\n}\nconst short = () => {\n${body(98)}\n};` });
    assert.deepEqual(checkFunctionLength(p, 100), ['src/ir/a.ts:1: function long is 101 lines (max 100; body lines 1-101)']);
  });
  it("rule 5: flags a dialect's name outside src/dialects/ only", () => {
    const p = fake({
      'src/engine/a.ts': [
        "if (d.dialect === 'mysql') x();", "switch (n) { case 'sqlite': break; }", 'const r: Record<DialectName, string> = {};', "const ok = name === 'other';",
      ].join('\n'),
      'src/dialects/b.ts': "if (dialect.name === 'postgres') y();",
    });
    assert.deepEqual(checkDialectBranches(p).map((v) => v.slice(0, v.indexOf(' ('))), [
      "src/engine/a.ts:1: branches on a dialect's name", "src/engine/a.ts:2: branches on a dialect's name", "src/engine/a.ts:3: branches on a dialect's name"]);
  });
  it('rule 6: counts the lines of files in src/engine/ only', () => {
    const lines = (n: number): string => 'x;\n'.repeat(n);
    const p = fake({ 'src/engine/a.ts': lines(300), 'src/engine/sub/b.ts': lines(301), 'src/deploy/c.ts': lines(400) });
    assert.deepEqual(checkEngineFileSize(p, 300), ['src/engine/sub/b.ts:301: file is 301 lines (max 300 in src/engine/)']);
  });
  it('rule 7: counts functions and consts holding functions, not re-exports or other consts', () => {
    const p = fake({
      'src/ir/a.ts': 'export function f() {}\nexport const g = async (x: number): Promise<void> => {};\nexport const h = 1;\nfunction k() {}\nexport { k };',
      'src/diff/b.ts': "export { f } from '../ir/a.js';\nexport const g = function () {};\nexport const h = 2;\nexport const k = <T>(x: T) => x;",
      'src/model/c.ts': 'export function f(): void;\nexport function f(x?: number) {}',
    });
    assert.deepEqual(checkDuplicateExports(p), [
      'src/diff/b.ts:2: exported function g is also defined at src/ir/a.ts:2',
      'src/diff/b.ts:4: exported function k is also defined at src/ir/a.ts:4',
      'src/ir/a.ts:1: exported function f is also defined at src/model/c.ts:1',
    ]);
  });
  it('rule 8: follows re-exports, export type * and local exports to the declaration and wants /** */ right before it', () => {
    const p = fake({
      'src/index.ts': [
        '/** Package. @packageDocumentation */', "export { a, b as bee } from './ir/a.js';", "export type * from './ir/types.js';",
        "export { c } from './ir/c.js';",
      ].join('\n'),
      'src/ir/a.ts': '/** Documented. */\nexport async function a() {}\n/* not TSDoc */\nexport const b = 1;',
      'src/ir/types.ts': '/** T. */\nexport interface T {}\n/** Doc, then a line comment. */\n// eslint-disable-next-line\nexport type U = string;',
      'src/ir/c.ts': "import { d } from './d.js';\nexport { d as c };",
      'src/ir/d.ts': '/** D. */\nexport declare const d: number;',
    });
    assert.deepEqual(checkPublicTsDoc(p), [
      'src/index.ts:2: bee (src/ir/a.ts:4) has no TSDoc',
      'src/index.ts:3: U (src/ir/types.ts:5) has no TSDoc',
    ]);
  });
});
