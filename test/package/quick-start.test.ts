/**
 * The package works from the registry (issue 19 point 5): `npm pack`, install the tarball into
 * a fresh npm project in a temporary directory outside the checkout, and run the README's quick
 * start there, command by command as written (`npm install evolve` installs the tarball), then
 * edit the models as the README says and run the same two commands again.
 *
 * Installing is offline-first from npm's cache (`--prefer-offline`), with `--ignore-scripts`:
 * better-sqlite3's install script would download a prebuilt binary (no network here) and then
 * compile SQLite for minutes; its compiled addon is copied from this checkout instead (the same
 * version: the lockfile pins it). Everything else — the files the package ships, its `bin`, its
 * `exports`, models importing 'evolve', TypeScript loading in a CommonJS project — is as a user gets it.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../support/cli.js';

/** The shell commands of the README's quick start, in order (comments and blank lines left out). */
function quickStart(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('## Quick start');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 3));
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks.flatMap((b) => b.split('\n')).map((l) => l.replace(/\s+#.*$/, '').trim()).filter((l) => l && !l.startsWith('#'));
}

it('npm pack, install into a fresh project outside the checkout, run the README quick start there', { timeout: 240_000 }, () => {
  const commands = quickStart();
  assert.deepEqual(commands, ['npm install evolve', 'npx evolve init', 'npx evolve sql', 'npx evolve apply'], 'the quick start as the README says it');
  const dir = mkdtempSync(join(tmpdir(), 'evolve-package-'));
  const timings: string[] = [];
  const timed = <T>(what: string, fn: () => T): T => {
    const t0 = Date.now();
    try { return fn(); } finally { timings.push(`${what} ${((Date.now() - t0) / 1000).toFixed(1)} s`); }
  };
  try {
    const tarball = timed('npm pack', () => execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8' }))
      .trim().split('\n').pop()!;
    const project = join(dir, 'app');
    execFileSync('mkdir', [project]);
    execFileSync('npm', ['init', '-y'], { cwd: project, stdio: 'ignore' });
    const env = { ...process.env, DATABASE_URL: '', EVOLVE_DATABASE_URL: '', NO_COLOR: '1' };
    const sh = (cmd: string): string => {
      const r = spawnSync('bash', ['-c', cmd], { cwd: project, env, encoding: 'utf8' });
      assert.equal(r.status, 0, `${cmd}\n${r.stdout}\n${r.stderr}`);
      return r.stdout;
    };
    const outputs = new Map<string, string>();
    for (const cmd of commands) {
      if (cmd === 'npm install evolve') {
        timed('npm install', () => sh(`npm install --prefer-offline --no-audit --no-fund --ignore-scripts ${JSON.stringify(join(dir, tarball))}`));
        cpSync(join(ROOT, 'node_modules', 'better-sqlite3', 'build'), join(project, 'node_modules', 'better-sqlite3', 'build'), { recursive: true });
        continue;
      }
      outputs.set(cmd, timed(cmd, () => sh(cmd)));
    }
    assert.match(outputs.get('npx evolve init')!, /wrote evolve\.config\.ts\nwrote src\/models\.ts/);
    assert.match(outputs.get('npx evolve sql')!, /CREATE TABLE "author"/);
    assert.match(outputs.get('npx evolve apply')!, /Live fingerprint fv1:\w+ matches the models/);
    assert.ok(readdirSync(project).includes('app.db'));
    // "Now edit the models — add a column — and run the same two again."
    const models = join(project, 'src', 'models.ts');
    writeFileSync(models, readFileSync(models, 'utf8').replace("title: text().notNull(),", "title: text().notNull(),\n  subtitle: text(),"));
    assert.match(sh('npx evolve sql'), /ALTER TABLE "post" ADD COLUMN "subtitle" text/);
    assert.match(sh('npx evolve apply'), /matches the models/);
    assert.match(sh('npx evolve sql'), /in sync with the models/);
    process.stderr.write(`package quick start: ${timings.join(', ')}\n`);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
