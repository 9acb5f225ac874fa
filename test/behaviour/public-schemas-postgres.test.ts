/**
 * Public schemas nobody here wrote (issue 15, point 9): the real sample databases and a large
 * application's schema, unchanged, in `test/fixtures/<dialect>/<name>/schema.sql` beside a
 * SOURCE.md naming where each comes from and its licence. For each:
 *  (a) right after the file is loaded natively (PostgreSQL: by `psql -v ON_ERROR_STOP=1`, as
 *      users load a pg_dump file, into a database of its own), `evolve sql --db DB --models
 *      schema.sql --exit-code` says the database is in sync (exit code 0);
 *  (b) `evolve apply --models schema.sql` on an empty database gives the native load's
 *      fingerprint, and the same `evolve sql` then says in sync.
 * PGlite: the fixtures that need no extension, loaded by PGlite itself (there is no psql).
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fingerprintDatabase } from '../../src/index.js';
import { forEachDialect, withDb } from '../support/harness.js';
import { freshDatabase, PG_URL, type TestDialect } from '../support/databases.js';
import { evolve, ROOT } from '../support/cli.js';

const DIR = join(ROOT, 'test', 'fixtures', 'postgres');

/** The public fixtures: directories with a SOURCE.md and a schema.sql. */
const FIXTURES = readdirSync(DIR).filter((n) => existsSync(join(DIR, n, 'SOURCE.md')) && existsSync(join(DIR, n, 'schema.sql'))).sort();

/** Loadable without extensions (PGlite has none of those the others need). */
const needsNoExtension = (file: string): boolean => !/^\s*CREATE\s+EXTENSION\s+(?!IF\s+NOT\s+EXISTS\s+plpgsql\b)/im.test(readFileSync(file, 'utf8'));

/** A database of its own on the test server (pg_dump files name `public`, set search_path, …): its URL and how to drop it. */
async function serverDatabase(): Promise<{ url: string; dispose(): Promise<void> }> {
  const pg = (await import('pg')).default;
  const name = `evolve_t_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  try { await admin.query(`CREATE DATABASE "${name}"`); } finally { await admin.end(); }
  const u = new URL(PG_URL);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async dispose() {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      try { await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`); } finally { await c.end(); }
    },
  };
}

/** Load `file` with psql, stopping at the first error, as a user loads a dump. */
function psqlLoad(url: string, file: string): void {
  const r = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, '-f', file], { encoding: 'utf8' });
  assert.equal(r.status, 0, `psql loads ${file}: ${r.error?.message ?? r.stderr}`);
}

async function tableCount(url: string): Promise<number> {
  return (await fingerprintDatabase(url)).tables;
}

function inSync(r: { code: number; stdout: string; stderr: string }, what: string): void {
  assert.equal(r.code, 0, `${what}: exit code 0 (in sync)\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /in sync with the models/, what);
}

forEachDialect('public schemas', (d: TestDialect) => {
  if (d !== 'postgres' && d !== 'pglite') return;
  it('there are public fixtures', () => { assert.ok(FIXTURES.length >= 3, `test/fixtures/postgres holds public schemas: ${FIXTURES.join(', ')}`); });
  for (const name of FIXTURES) {
    const file = join(DIR, name, 'schema.sql');
    if (d === 'pglite' && !needsNoExtension(file)) continue;

    it(`${name}: in sync right after a native load; apply from empty reaches the native load's fingerprint`, { timeout: 10 * 60_000 }, async (t) => {
      if (d === 'postgres') {
        const native = await serverDatabase();
        const empty = await serverDatabase();
        try {
          psqlLoad(native.url, file);
          assert.ok(await tableCount(native.url) >= 20, 'a schema of real-world size');
          inSync(await evolve(['sql', '--db', native.url, '--models', file, '--exit-code']), 'evolve sql after the native load');
          const applied = await evolve(['apply', '--db', empty.url, '--models', file]);
          assert.equal(applied.code, 0, `apply: ${applied.stdout}\n${applied.stderr}`);
          assert.equal((await fingerprintDatabase(empty.url)).fingerprint, (await fingerprintDatabase(native.url)).fingerprint,
            'apply from empty gives the fingerprint of the native load');
          inSync(await evolve(['sql', '--db', empty.url, '--models', file, '--exit-code']), 'evolve sql after apply');
        } finally {
          await native.dispose();
          await empty.dispose();
        }
        return;
      }
      await withDb(t, d, async (native) => {
        await native.exec(readFileSync(file, 'utf8'));
        // The file's SETs stay with the session PGlite keeps open; the next command opens its own.
        await native.exec('RESET ALL');
        inSync(await evolve(['sql', '--db', native.url, '--models', file, '--exit-code']), 'evolve sql after the native load');
        const empty = await freshDatabase(d);
        try {
          const applied = await evolve(['apply', '--db', empty.url, '--models', file]);
          assert.equal(applied.code, 0, `apply: ${applied.stdout}\n${applied.stderr}`);
          assert.equal((await fingerprintDatabase(empty.url)).fingerprint, (await fingerprintDatabase(native.url)).fingerprint);
        } finally { await empty.dispose(); }
      });
    });
  }
});
