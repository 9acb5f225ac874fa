/**
 * A database that does not exist is never created by mistake (issue 15, point 3), through the
 * real CLI: on a server (PostgreSQL, MySQL) every command says it does not exist and how to
 * create it (E_DB_CONNECT, as PostgreSQL always did), and the server's catalog shows nothing
 * was created; `--create-database` creates it on purpose and applies. SQLite and PGlite: the
 * reading commands create no file or directory; apply creates it (the quick start).
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { forEachDialect, withDb } from '../support/harness.js';
import { evolve, writeModels, stepsModuleSource, IMPORTS, type CliResult } from '../support/cli.js';
import { MYSQL_URL, PG_URL, type TestDatabase, type TestDialect } from '../support/databases.js';

const MODELS = IMPORTS + "export const person = table('person', { id: integer().primaryKey(), name: varchar(50).notNull() });\n";

/** A database of `d` that does not exist: its URL, whether it exists now, and how to remove it. */
interface Missing { url: string; name: string; exists(): Promise<boolean>; drop(): Promise<void> }

function missingDatabase(d: TestDialect, db: TestDatabase): Missing {
  const name = `evolve_t_typo_${randomBytes(4).toString('hex')}`;
  if (d === 'sqlite' || d === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'evolve-missing-'));
    const path = join(dir, d === 'sqlite' ? `${name}.db` : name);
    return {
      url: `${d}:${path}`, name, exists: async () => existsSync(path),
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const u = new URL(d === 'postgres' ? PG_URL : MYSQL_URL);
  u.pathname = `/${name}`;
  // The server's own catalog, read on the test database's admin connection.
  return d === 'postgres'
    ? {
      url: u.toString(), name,
      exists: async () => (await db.query(`SELECT 1 FROM pg_database WHERE datname = '${name}'`)).length > 0,
      drop: () => db.exec(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
    }
    : {
      url: u.toString(), name,
      exists: async () => (await db.query(`SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '${name}'`)).length > 0,
      drop: () => db.exec(`DROP DATABASE IF EXISTS \`${name}\``),
    };
}

function assertMissing(r: CliResult, name: string, what: string): void {
  assert.equal(r.code, 1, `${what}: exit 1 (stdout: ${r.stdout}; stderr: ${r.stderr})`);
  assert.match(r.stderr, /^error E_DB_CONNECT: /m, what);
  assert.match(r.stderr, new RegExp(`database ["'\`]?${name}["'\`]? does not exist`), what);
  assert.match(r.stderr, /\n {2}fix: .*CREATE DATABASE .*--create-database/, `${what}: the fix names both ways to create it`);
}

forEachDialect('a database that does not exist', (d) => {
  const server = d === 'postgres' || d === 'mysql';

  it(server ? 'every command says it does not exist, and creates nothing' : 'the reading commands create nothing', (t) => withDb(t, d, async (db) => {
    const m = missingDatabase(d, db);
    try {
      const models = writeModels(MODELS);
      const steps = writeModels(stepsModuleSource('typo'));
      const reading: string[][] = [['fingerprint'], ['status'], ['sql', '--models', models], ['lint', '--models', models]];
      const writing: string[][] = [['apply', '--models', models], ['install', '--models', steps], ['upgrade', '--models', steps], ['baseline', '0', '--models', steps]];
      // SQLite and PGlite: two reading commands are enough (a missing PGlite directory costs an in-memory instance each).
      for (const args of server ? [...reading, ...writing] : reading.slice(0, 3).filter((a) => a[0] !== 'status')) {
        const r = await evolve([...args, '--db', m.url]);
        if (server) assertMissing(r, m.name, args[0]!);
        else assert.equal(r.code, 0, `${args[0]} of a missing ${d} database reads it as empty: ${r.stderr}`);
        assert.equal(await m.exists(), false, `${args[0]} created nothing`);
      }
      if (server) {
        // Also in --json: the one document names the code.
        const r = await evolve(['apply', '--models', models, '--db', m.url, '--json']);
        assert.equal(JSON.parse(r.stdout).error.code, 'E_DB_CONNECT');
        assert.equal(await m.exists(), false);
      }
    } finally { await m.drop(); }
  }));

  it('--create-database creates it on purpose and applies the models', (t) => withDb(t, d, async (db) => {
    const m = missingDatabase(d, db);
    const fresh = missingDatabase(d, db);
    try {
      const models = writeModels(MODELS);
      const r = await evolve(['apply', '--create-database', '--models', models, '--db', m.url]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /matches the models/);
      assert.equal(await m.exists(), true, 'created');
      assert.equal((await evolve(['sql', '--exit-code', '--models', models, '--db', m.url])).code, 0, 'and in sync with the models');
      const again = await evolve(['apply', '--create-database', '--models', models, '--db', m.url]);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, /already in sync/, 'an existing database is used as it is');
      // The numbered-steps way: a fresh install into a database created for it.
      const up = await evolve(['upgrade', '--create-database', '--models', writeModels(stepsModuleSource('typo')), '--db', fresh.url]);
      assert.equal(up.code, 0, up.stderr);
      assert.match(up.stdout, /Fresh install .* created (city, person|person, city)/);
      assert.equal(await fresh.exists(), true);
    } finally { await m.drop(); await fresh.drop(); }
  }));

  if (!server) {
    it('apply creates a missing file without being asked (the quick start)', (t) => withDb(t, d, async (db) => {
      const m = missingDatabase(d, db);
      try {
        const r = await evolve(['apply', '--models', writeModels(MODELS), '--db', m.url]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(await m.exists(), true);
      } finally { await m.drop(); }
    }));
  }
});
