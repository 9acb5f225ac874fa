/**
 * The fast TypeScript loader (issue 20 point 3, issue 19 point 1): a models module anywhere on
 * disk loads with its `import … from 'evolve'` resolved to the running copy and its relative
 * TypeScript imports written the TypeScript way; an edited module loads afresh, an unchanged
 * one once; a runtime error names the module's own TypeScript line; and nothing is left behind
 * in the temp directory, however many commands run.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { evolveProcess } from '../support/cli.js';
import { loadModels, isEvolveError } from '../../src/index.js';

const MODELS = `import { table, integer, text } from 'evolve';
import { NAME } from './names.js';
import { extra } from './more';
export const person = table(NAME, { id: integer().primaryKey(), name: text() });
export { extra };
`;

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'evolve-ts-loader-'));
  writeFileSync(join(dir, 'models.ts'), MODELS);
  writeFileSync(join(dir, 'names.ts'), "export const NAME: string = 'person';\n");
  writeFileSync(join(dir, 'more.ts'), "import { table, integer } from 'evolve';\nexport const extra = table('extra', { id: integer().primaryKey() });\n");
  return dir;
}

describe('loading TypeScript modules', () => {
  it('outside the package: evolve resolves to the running copy, .js and extensionless imports to .ts files', async () => {
    const dir = project();
    try {
      const tables = await loadModels(join(dir, 'models.ts'));
      assert.deepEqual(tables.map((t) => t.name).sort(), ['extra', 'person']);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  it('once per content: the same module again is the same; an edited one (and what it imports) loads afresh', async () => {
    const dir = project();
    try {
      const file = join(dir, 'models.ts');
      const a = await loadModels(file);
      const b = await loadModels(file);
      assert.equal(a.find((t) => t.name === 'person'), b.find((t) => t.name === 'person'), 'unchanged: loaded once');
      writeFileSync(join(dir, 'names.ts'), "export const NAME: string = 'human';\n");
      writeFileSync(file, MODELS + '// edited\n');
      const c = await loadModels(file);
      assert.deepEqual(c.map((t) => t.name).sort(), ['extra', 'human'], 'edited: the module and its imports load afresh');
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  it('a module needing ES module semantics (top-level await, a cycle) loads as before; a script module runs once, its imports first', async () => {
    const dir = project();
    try {
      // Top-level await: esbuild cannot give it as CommonJS, so it goes the ES module way.
      writeFileSync(join(dir, 'tla.ts'), "import { table, integer } from 'evolve';\nconst n: number = await Promise.resolve(3);\n" +
        "export const tla = table(`t${n}`, { id: integer().primaryKey() });\n");
      assert.deepEqual((await loadModels(join(dir, 'tla.ts'))).map((t) => t.name), ['t3']);
      // A cycle: a.ts and b.ts import each other (b reads a's export when called, after a set it: live bindings).
      writeFileSync(join(dir, 'a.ts'), "import { table, integer } from 'evolve';\nimport { bName } from './b.js';\n" +
        "export const aName = 'alpha';\nexport const a = table(bName(), { id: integer().primaryKey() });\n");
      writeFileSync(join(dir, 'b.ts'), "import { aName } from './a.js';\nexport const bName = (): string => `${aName}_b`;\n");
      assert.deepEqual((await loadModels(join(dir, 'a.ts'))).map((t) => t.name), ['alpha_b']);
      // Order and once: the imported module runs before the importer, and only once per content.
      writeFileSync(join(dir, 'log.ts'), "export const order: string[] = [];\norder.push('log');\n");
      writeFileSync(join(dir, 'first.ts'), "import { order } from './log.js';\norder.push('first');\nexport const seen = order;\n");
      writeFileSync(join(dir, 'top.ts'), "import { table, integer } from 'evolve';\nimport { seen } from './first.js';\nimport { order } from './log';\n" +
        "order.push('top');\nexport const t = table(seen.join('_'), { id: integer().primaryKey() });\n");
      assert.deepEqual((await loadModels(join(dir, 'top.ts'))).map((x) => x.name), ['log_first_top']);
      assert.deepEqual((await loadModels(join(dir, 'top.ts'))).map((x) => x.name), ['log_first_top'], 'not run again');
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  it('a runtime error names the TypeScript line it happened on', async () => {
    const dir = project();
    try {
      const file = join(dir, 'models.ts');
      writeFileSync(file, "import { table } from 'evolve';\ntype T = { a: number };\nconst x: T | undefined = undefined;\nexport const t = table('t', { id: (x as unknown as { y: () => never }).y() });\n");
      await assert.rejects(loadModels(file), (e: unknown) => {
        assert.ok(isEvolveError(e));
        assert.match(e.message, /models\.ts:4:\d+/);
        return true;
      });
      // The same as a command, where no loader enables Node's source maps: the line comes from the map kept beside the cache entry.
      const cache = mkdtempSync(join(tmpdir(), 'evolve-ts-cache-'));
      try {
        for (let i = 0; i < 2; i++) { // a cache miss, then a hit
          const r = await evolveProcess(['fingerprint', '--models', file, '--db', `sqlite:${join(dir, 'app.db')}`], { EVOLVE_CACHE_DIR: cache });
          assert.equal(r.code, 1, r.stdout + r.stderr);
          assert.match(r.stderr, /E_MODELS_LOAD[^\n]*\(at models\.ts:4:\d+\)/);
        }
      } finally { rmSync(cache, { recursive: true, force: true }); }
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  it('20 commands leave nothing in the temp directory, and the transform cache holds one entry per module version, bounded', async () => {
    const dir = project();
    const tmp = mkdtempSync(join(tmpdir(), 'evolve-tmpdir-'));
    const cache = join(tmp, '..', `${basename(tmp)}-cache`);
    try {
      const run = async (extra: Record<string, string> = {}): Promise<void> => {
        const r = await evolveProcess(['fingerprint', '--db', `sqlite:${join(dir, 'app.db')}`, '--models', join(dir, 'models.ts')],
          { TMPDIR: tmp, EVOLVE_CACHE_DIR: cache, ...extra });
        assert.ok(r.code === 0 || r.code === 3, r.stderr);
        assert.match(r.stdout + r.stderr, /fv1:/);
      };
      for (let i = 0; i < 20; i++) await run();
      assert.deepEqual(readdirSync(tmp), [], 'no file written to the temp directory');
      const kinds = readdirSync(cache).map((n) => n.replace(/^[0-9a-f]+/, '')).sort();
      // Per module (models, names, more): its stripped code as CommonJS (.js), its source map (.map) and V8's code cache of it (.v8):
      // modules that import only evolve and each other run as scripts (ts-script.ts); and the schema the three compile to,
      // kept for the dialect (.ir, model/compiled-cache.ts: from the second command on, they do not run) with its tables'
      // canonical texts (.txt), found from each module's bytes and what its graph entry (.graph) keeps of it; and the
      // database's live schema, kept by its catalog key (.live, with its texts .live.txt: database/kept-live.ts).
      assert.deepEqual(kinds, ['.graph', '.graph', '.graph', '.ir', '.js', '.js', '.js', '.live', '.live.txt', '.map', '.map', '.map', '.txt', '.v8', '.v8', '.v8'],
        'one entry of each kind per module, however many runs');
      for (let i = 0; i < 4; i++) {
        writeFileSync(join(dir, 'models.ts'), `${MODELS}// edit ${i}\n`);
        await run({ EVOLVE_CACHE_MAX: '4' });
      }
      assert.deepEqual(readdirSync(tmp), []);
      const left = readdirSync(cache);
      const of = (kind: string): number => left.filter((n) => new RegExp(`^[0-9a-f]+\\${kind}$`).test(n)).length;
      // Each edit is a new transformed module (.js and .map) past the bound.
      assert.equal(of('.js'), 4, `edited versions evict the oldest transformed modules past the bound: ${left.join(' ')}`);
      assert.equal(of('.map'), 4, 'a source map goes with its module');
      assert.ok(of('.v8') <= 4, 'a code cache goes with its module');
      assert.ok(of('.mjs') <= 4, 'prepared modules are bounded too');
      assert.ok(of('.ir') <= 5, 'a kept schema per version, bounded too');
      assert.equal(of('.txt'), of('.ir'), 'its texts go with a kept schema');
      assert.ok(of('.graph') <= 4, `graph entries are bounded too: ${left.join(' ')}`);
      assert.equal(of('.live'), 1, 'the database did not change: one live schema kept');
      assert.equal(of('.live.txt'), 1, 'with its texts');
      assert.equal(left.length, of('.js') + of('.map') + of('.v8') + of('.mjs') + of('.ir') + of('.txt') + of('.graph') + of('.live') + of('.live.txt'),
        `nothing else is left: ${left.join(' ')}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(tmp, { recursive: true, force: true });
      rmSync(cache, { recursive: true, force: true });
    }
  });
});
