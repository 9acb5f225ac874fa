/**
 * `evolve init`, `defineConfig`, `env()` and `.env` (issue 19 point 2): init writes a typed
 * config, an example models module and a signed evolutions directory, refuses to overwrite
 * anything (writing nothing), and prints the next two commands, which then work; `.env` (or
 * `--env-file`) sets what the environment does not, and never overrides it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evolveProcess } from '../support/cli.js';
import { defineConfig, env, isEvolveError } from '../../src/index.js';

const project = (): string => mkdtempSync(join(tmpdir(), 'evolve-init-'));
const run = (dir: string, args: string[], vars: Record<string, string> = {}) =>
  evolveProcess(args, { DATABASE_URL: '', ...vars }, { cwd: dir });

describe('evolve init', () => {
  it('writes a typed config, example models and a signed evolutions directory; the next two commands work', async () => {
    const dir = project();
    try {
      const r = await run(dir, ['init']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /wrote evolve\.config\.ts\nwrote src\/models\.ts\nwrote evolutions\/fingerprints\.txt\nwrote evolutions\/evolve\.sum/);
      assert.match(r.stdout, /npx evolve sql[\s\S]*npx evolve apply/);
      const config = readFileSync(join(dir, 'evolve.config.ts'), 'utf8');
      assert.match(config, /import \{ defineConfig, env \} from 'evolve';[\s\S]*db: env\('DATABASE_URL', "sqlite:app\.db"\)/);
      const plan = await run(dir, ['sql', '--exit-code']);
      assert.equal(plan.code, 3, plan.stderr);
      assert.match(plan.stdout, /CREATE TABLE "author"/);
      const applied = await run(dir, ['apply']);
      assert.equal(applied.code, 0, applied.stderr);
      assert.ok(existsSync(join(dir, 'app.db')));
      assert.equal((await run(dir, ['sql', '--exit-code'])).code, 0, 'in sync');
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  it('never overwrites: with any of its files there, it writes nothing', async () => {
    const dir = project();
    try {
      writeFileSync(join(dir, 'evolve.config.ts'), '// mine\n');
      const r = await run(dir, ['init']);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /E_USAGE: evolve init would overwrite evolve\.config\.ts; nothing was written/);
      assert.deepEqual(readdirSync(dir), ['evolve.config.ts']);
      assert.equal(readFileSync(join(dir, 'evolve.config.ts'), 'utf8'), '// mine\n');
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  it('.env sets DATABASE_URL for env(); the environment wins; --env-file names another file', async () => {
    const dir = project();
    try {
      assert.equal((await run(dir, ['init'])).code, 0);
      writeFileSync(join(dir, '.env'), 'DATABASE_URL=sqlite:from-dotenv.db\n');
      writeFileSync(join(dir, 'prod.env'), '# another\nDATABASE_URL="sqlite:from-env-file.db"\n');
      assert.equal((await run(dir, ['apply'])).code, 0);
      assert.ok(existsSync(join(dir, 'from-dotenv.db')), '.env in the working directory');
      assert.equal((await run(dir, ['apply'], { DATABASE_URL: 'sqlite:from-environment.db' })).code, 0);
      assert.ok(existsSync(join(dir, 'from-environment.db')), 'a variable already set wins over .env');
      assert.equal((await run(dir, ['apply', '--env-file', 'prod.env'])).code, 0);
      assert.ok(existsSync(join(dir, 'from-env-file.db')), '--env-file');
      const missing = await run(dir, ['apply', '--env-file', 'nope.env']);
      // (Node 20 itself reads --env-file anywhere on its command line, and stops first when the file is missing.)
      assert.notEqual(missing.code, 0);
      assert.match(missing.stderr, /E_USAGE: Env file 'nope\.env' does not exist|nope\.env: not found/);
      assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.db')).sort(), ['from-dotenv.db', 'from-env-file.db', 'from-environment.db']);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
});

describe('defineConfig and env', () => {
  it('defineConfig returns the config; env reads the variable, else the fallback, else says which is missing', () => {
    const config = { db: 'sqlite:x.db', models: './m.ts' };
    assert.equal(defineConfig(config), config);
    process.env.EVOLVE_TEST_ENV_VALUE = 'here';
    assert.equal(env('EVOLVE_TEST_ENV_VALUE'), 'here');
    delete process.env.EVOLVE_TEST_ENV_VALUE;
    assert.equal(env('EVOLVE_TEST_ENV_VALUE', 'fallback'), 'fallback');
    assert.throws(() => env('EVOLVE_TEST_ENV_VALUE'), (e: unknown) => isEvolveError(e) && e.code === 'E_USAGE' && /EVOLVE_TEST_ENV_VALUE is not set/.test(e.message));
  });
});
