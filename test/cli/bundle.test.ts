/**
 * The CLI runs as a bundle (scripts/bundle.mjs): a command loads a few of Evolve's files, not
 * the two hundred modules tsc writes, and a models module's `import 'evolve'` is the bundle's
 * own library entry (the copy the CLI compiles the models with), never the unbundled modules.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../support/cli.js';
import { withDb } from '../support/harness.js';

const HOOKS = `export async function load(url, context, next) {
  if (url.startsWith(${JSON.stringify(pathToFileURL(join(ROOT, 'dist')).href + '/')})) process.stderr.write('@@loaded ' + url + '\\n');
  return next(url, context);
}`;

it('a command loads the bundled CLI and its chunks, and the models import the same copy', () => {
  const dir = mkdtempSync(join(tmpdir(), 'evolve-bundle-'));
  try {
    writeFileSync(join(dir, 'hooks.mjs'), HOOKS);
    writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`);
    writeFileSync(join(dir, 'models.ts'), "import { table, integer, text } from 'evolve';\nexport const person = table('person', { id: integer().primaryKey(), name: text() });\n");
    const r = spawnSync(process.execPath, ['--import', join(dir, 'register.mjs'), join(ROOT, 'bin', 'evolve.js'), 'sql', '--db', `sqlite:${join(dir, 'app.db')}`, '--models', join(dir, 'models.ts')],
      { encoding: 'utf8', env: { ...process.env, EVOLVE_CACHE_DIR: join(dir, 'cache') } });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /CREATE TABLE "person"/);
    const loaded = [...new Set([...r.stderr.matchAll(/^@@loaded (.+)$/gm)].map((m) => m[1]!.slice(pathToFileURL(join(ROOT, 'dist')).href.length + 1)))];
    assert.ok(loaded.includes('cli/main.js') && loaded.includes('index.js'), loaded.join(' '));
    const outside = loaded.filter((f) => f !== 'cli/main.js' && f !== 'index.js' && !f.startsWith('chunks/'));
    assert.deepEqual(outside, [], 'nothing but the bundle is loaded (the models\' evolve included)');
    // tsc's modules, which the command loaded one by one before the bundle.
    const modules = readdirSync(join(ROOT, 'dist'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js') && !f.startsWith('chunks')).length;
    assert.ok(loaded.length * 3 < modules, `${loaded.length} files loaded (of ${modules} modules): ${loaded.join(' ')}`);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

// A preload that lists, at exit, the CommonJS files the process loaded from a driver's node_modules folder.
const LIST_DRIVER = "process.on('exit', () => { for (const f of Object.keys(require.cache)) if (/\\/node_modules\\/(mysql2|pg[a-z-]*)\\//.test(f)) process.stderr.write('@@driver ' + f + '\\n'); });\n";

for (const [dialect, chunkName, quote] of [['mysql', 'promise', '`'], ['postgres', 'postgres', '"']] as const) {
  it(`a ${dialect} command runs the driver written into the bundle (no file of its node_modules folder read); a SQLite command loads no such chunk`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'evolve-bundle-'));
    try {
      writeFileSync(join(dir, 'list.cjs'), LIST_DRIVER);
      writeFileSync(join(dir, 'hooks.mjs'), HOOKS);
      writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`);
      writeFileSync(join(dir, 'models.ts'), "import { table, integer, text } from 'evolve';\nexport const person = table('person', { id: integer().primaryKey(), name: text() });\n");
      const run = (db: string): ReturnType<typeof spawnSync> & { stdout: string; stderr: string } => spawnSync(process.execPath,
        ['--require', join(dir, 'list.cjs'), '--import', join(dir, 'register.mjs'), join(ROOT, 'bin', 'evolve.js'), 'sql', '--db', db, '--models', join(dir, 'models.ts')],
        { encoding: 'utf8', env: { ...process.env, EVOLVE_CACHE_DIR: join(dir, 'cache') } }) as never;
      const chunks = (stderr: string): string[] => [...stderr.matchAll(/^@@loaded .*\/dist\/(chunks\/.+)$/gm)].map((m) => m[1]!);
      const driverChunks = readdirSync(join(ROOT, 'dist', 'chunks')).filter((f) => f.startsWith(`${chunkName}-`) && f.endsWith('.js')).map((f) => `chunks/${f}`);
      assert.equal(driverChunks.length, 1, `one chunk holds the driver: ${driverChunks.join(' ')}`);
      const sqlite = run(`sqlite:${join(dir, 'app.db')}`);
      assert.equal(sqlite.status, 0, sqlite.stderr);
      assert.ok(!chunks(sqlite.stderr).includes(driverChunks[0]!), 'a SQLite command does not load the driver');
      assert.deepEqual([...sqlite.stderr.matchAll(/^@@driver (.+)$/gm)].map((m) => m[1]), [], 'nor any driver file');
      await withDb(t, dialect, async (db) => {
        const r = run(db.url);
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, new RegExp(`CREATE TABLE ${quote}person${quote}`));
        assert.ok(chunks(r.stderr).includes(driverChunks[0]!), 'the command loads the driver chunk');
        assert.deepEqual([...r.stderr.matchAll(/^@@driver (.+)$/gm)].map((m) => m[1]), [], 'no file of the driver\'s node_modules folder was loaded');
      });
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
}
