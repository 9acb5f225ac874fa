/**
 * Bounded waits and clean exits (issue 15, point 12), through the CLI as a real process:
 * - a server that accepts TCP and never answers: E_DB_CONNECT after the connect timeout
 *   (`?connect_timeout=`, `connectTimeout` in the config file, 10 s by default), with a hint;
 * - a user who may not create the missing database: a coded error, and the process exits;
 * - SQLite: another connection holding the database's lock waits `--lock-timeout`, then
 *   E_LOCK_TIMEOUT; a read-only directory or mount is E_DB_READ_ONLY, and reading still works.
 */
import { it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { forEachDialect, withDb } from '../support/harness.js';
import { evolveProcess, writeModels, IMPORTS, type CliResult } from '../support/cli.js';
import { MYSQL_URL, PG_URL, type TestDatabase } from '../support/databases.js';

const V1 = IMPORTS + "export const person = table('person', { id: integer().primaryKey(), name: varchar(50).notNull() });\n";
const V2 = IMPORTS + "export const person = table('person', { id: integer().primaryKey(), name: varchar(50).notNull(), age: integer() });\n";

/** Run the CLI in its own process, killed after 60 s (exit code -1): how long it took, too. */
async function timed(args: string[]): Promise<CliResult & { seconds: number }> {
  const start = Date.now();
  const r = await evolveProcess(args, {}, { timeoutMs: 60_000 });
  return { ...r, seconds: (Date.now() - start) / 1000 };
}

function assertCoded(r: CliResult, code: string, pattern: RegExp, what: string): void {
  assert.notEqual(r.code, -1, `${what}: the process exits by itself (stderr: ${r.stderr})`);
  assert.equal(r.code, 1, `${what}: exit 1 (stdout: ${r.stdout}; stderr: ${r.stderr})`);
  assert.match(r.stderr, new RegExp(`^error ${code}: `, 'm'), what);
  assert.match(r.stderr, pattern, what);
  assert.match(r.stderr, /\n {2}fix: \S/, `${what}: names the fix`);
  assert.doesNotMatch(r.stderr, /\n\s+at .*:\d+:\d+\)?/, `${what}: no stack trace`);
}

/** A TCP server that accepts every connection and never says a word. */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => { sockets.add(s); s.on('error', () => undefined); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    close: () => new Promise((res) => { for (const s of sockets) s.destroy(); server.close(() => res()); }),
  };
}

/** A user of the test server who may log in but not create databases (dropped by `drop`). */
async function restrictedUser(d: 'postgres' | 'mysql', db: TestDatabase, missing: string): Promise<{ url: string; drop(): Promise<void> }> {
  const user = `evolve_t_lim_${randomBytes(3).toString('hex')}`;
  const u = new URL(d === 'postgres' ? PG_URL : MYSQL_URL);
  u.username = user;
  u.pathname = `/${missing}`;
  if (d === 'postgres') {
    await db.exec(`CREATE ROLE "${user}" LOGIN NOCREATEDB PASSWORD 'Lim1t-pw'`);
    u.password = 'Lim1t-pw';
    return { url: u.toString(), drop: () => db.exec(`DROP ROLE IF EXISTS "${user}"`) };
  }
  // Privileges on the missing database's name, none to create it: the server says it does not
  // exist (not "access denied"), and CREATE DATABASE is refused.
  await db.exec(`CREATE USER '${user}'@'%' IDENTIFIED BY 'Lim1t-pw'`);
  await db.exec(`GRANT SELECT, INSERT, UPDATE, DELETE ON \`${missing}\`.* TO '${user}'@'%'`);
  u.password = 'Lim1t-pw';
  return { url: u.toString(), drop: () => db.exec(`DROP USER IF EXISTS '${user}'@'%'`) };
}

/** Run `fn` on a directory this process cannot write, holding a copy of `file` (skips when none can be made). */
async function readOnlyDirectory(t: TestContext, file: string, fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'evolve-ro-'));
  const root = process.getuid?.() === 0;
  let mounted = false;
  try {
    if (root) {
      // Root writes through any mode bits: a read-only tmpfs mount it is.
      try {
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', dir], { stdio: 'pipe' });
        mounted = true;
        copyFileSync(file, join(dir, 'app.db'));
        execFileSync('mount', ['-o', 'remount,ro', dir], { stdio: 'pipe' });
      } catch (e) {
        t.skip(`running as root, and a read-only mount cannot be made here: ${(e as Error).message}`);
        return;
      }
    } else {
      copyFileSync(file, join(dir, 'app.db'));
      chmodSync(join(dir, 'app.db'), 0o444);
      chmodSync(dir, 0o555);
    }
    await fn(dir);
  } finally {
    if (mounted) execFileSync('umount', [dir], { stdio: 'pipe' });
    else chmodSync(dir, 0o755);
    rmSync(dir, { recursive: true, force: true });
  }
}

forEachDialect('bounded waits and clean exits', (d) => {
  it('a change applied and verified beside a view: stderr holds only Evolve\'s own lines, no driver warning (PostgreSQL: the verifying read asks for several queries at once on the one session)', (t) => withDb(t, d, async (db) => {
    for (const [i, models] of [V1, V2].entries()) {
      const r = await evolveProcess(['apply', '--models', writeModels(models), '--db', db.url]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.doesNotMatch(r.stderr, /Warning|deprecat|trace-deprecation/i, `apply ${i + 1}: no warning from a driver\n${r.stderr}`);
      // Objects beyond tables make the introspector read them too (on PostgreSQL, a query more at once).
      if (i === 0) await db.exec('CREATE VIEW person_names AS SELECT id, name FROM person');
    }
    const cols = await db.query(d === 'sqlite' ? "SELECT name FROM pragma_table_info('person')" : "SELECT column_name AS name FROM information_schema.columns WHERE table_name = 'person' AND column_name = 'age'");
    assert.ok(cols.some((c) => String((c as { name: unknown }).name) === 'age'), 'the second apply added the column');
  }));

  if (d === 'postgres' || d === 'mysql') {
    const scheme = d === 'postgres' ? 'postgres' : 'mysql';

    it('a server that accepts and never answers: E_DB_CONNECT after the connect timeout, with a hint', async () => {
      const silent = await silentServer();
      try {
        const url = `${scheme}://root@127.0.0.1:${silent.port}/app`;
        const models = writeModels(V1);
        for (const cmd of ['sql', 'apply']) {
          const r = await timed([cmd, '--models', models, '--db', `${url}?connect_timeout=1`]);
          assertCoded(r, 'E_DB_CONNECT', /no answer within 1 s/, `${cmd} ?connect_timeout=1`);
          assert.match(r.stderr, /fix: .*connect_timeout/, 'the fix names the setting');
          assert.ok(r.seconds < 8, `${cmd} gave up after ${r.seconds} s`);
        }
        // The config file's connectTimeout, for a URL without one.
        const dir = mkdtempSync(join(tmpdir(), 'evolve-cfg-'));
        writeFileSync(join(dir, 'evolve.config.mjs'), `export default { db: '${url}', connectTimeout: 1 };\n`);
        const c = await timed(['fingerprint', '--config', join(dir, 'evolve.config.mjs')]);
        assertCoded(c, 'E_DB_CONNECT', /no answer within 1 s/, 'connectTimeout in the config file');
        assert.ok(c.seconds < 8, `gave up after ${c.seconds} s`);
        rmSync(dir, { recursive: true, force: true });
        // Nothing said: the default of 10 s.
        const byDefault = await timed(['fingerprint', '--db', url]);
        assertCoded(byDefault, 'E_DB_CONNECT', /no answer within 10 s/, 'the default timeout');
        assert.ok(byDefault.seconds >= 9 && byDefault.seconds < 20, `gave up after ${byDefault.seconds} s`);
      } finally { await silent.close(); }
    });

    it('a user who may not create the missing database: a coded error, and the process exits', (t) => withDb(t, d, async (db) => {
      const missing = `evolve_t_nocreate_${randomBytes(3).toString('hex')}`;
      const user = await restrictedUser(d, db, missing);
      try {
        const models = writeModels(V1);
        const plain = await timed(['apply', '--models', models, '--db', user.url]);
        assertCoded(plain, 'E_DB_CONNECT', /does not exist/, 'apply');
        const create = await timed(['apply', '--create-database', '--models', models, '--db', user.url]);
        assertCoded(create, 'E_DB_CONNECT', new RegExp(`Cannot create (MySQL )?database .${missing}.`), 'apply --create-database');
        assert.match(create.stderr, d === 'postgres' ? /fix: .*CREATEDB/ : /fix: .*GRANT CREATE/, 'the fix names the privilege');
        assert.doesNotMatch(create.stdout + create.stderr, /Lim1t-pw/, 'the password never shows');
        const catalog = d === 'postgres'
          ? `SELECT 1 FROM pg_database WHERE datname = '${missing}'`
          : `SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '${missing}'`;
        assert.deepEqual(await db.query(catalog), [], 'nothing was created');
      } finally { await user.drop(); }
    }));
  }

  if (d === 'sqlite') {
    it('another connection holding the database: E_LOCK_TIMEOUT after --lock-timeout, and a lock released in time is waited for', (t) => withDb(t, d, async (db) => {
      assert.equal((await timed(['apply', '--models', writeModels(V1), '--db', db.url])).code, 0);
      const file = db.url.replace(/^sqlite:/, '');
      const before = (await timed(['fingerprint', '--db', db.url])).stdout;
      const v2 = writeModels(V2);
      const holder = new Database(file);
      try {
        // A writer in a transaction (its write lock taken): apply's own transaction cannot start.
        holder.exec('BEGIN IMMEDIATE');
        const r = await timed(['apply', '--models', v2, '--db', db.url, '--lock-timeout', '2']);
        assertCoded(r, 'E_LOCK_TIMEOUT', /locked by another connection for more than 2 s/, 'apply');
        assert.match(r.stderr, /fix: .*--lock-timeout/);
        assert.ok(r.seconds >= 2 && r.seconds < 6, `waited ${r.seconds} s for --lock-timeout 2`);
        holder.exec('COMMIT');
        // An exclusive lock (a commit in progress) keeps even readers out.
        holder.exec('BEGIN EXCLUSIVE');
        const read = await timed(['fingerprint', '--db', db.url, '--lock-timeout', '1']);
        assertCoded(read, 'E_LOCK_TIMEOUT', /locked by another connection/, 'fingerprint');
        holder.exec('COMMIT');
        assert.equal((await timed(['fingerprint', '--db', db.url])).stdout, before, 'nothing was changed');
        // Released while apply waits: apply goes on.
        holder.exec('BEGIN IMMEDIATE');
        const release = setTimeout(() => holder.exec('COMMIT'), 1500);
        const waited = await timed(['apply', '--models', v2, '--db', db.url, '--lock-timeout', '30']);
        clearTimeout(release);
        assert.equal(waited.code, 0, waited.stderr);
        assert.match(waited.stdout, /matches the models/);
      } finally { if (holder.inTransaction) holder.exec('ROLLBACK'); holder.close(); }
    }));

    it('a read-only directory or mount: E_DB_READ_ONLY with the fix, and reading still works', (t) => withDb(t, d, async (db) => {
      const models = writeModels(V1);
      assert.equal((await timed(['apply', '--models', models, '--db', db.url])).code, 0);
      const fingerprint = (await timed(['fingerprint', '--db', db.url])).stdout;
      await readOnlyDirectory(t, db.url.replace(/^sqlite:/, ''), async (dir) => {
        const existing = `sqlite:${join(dir, 'app.db')}`;
        const r = await timed(['apply', '--models', writeModels(V2), '--db', existing]);
        assertCoded(r, 'E_DB_READ_ONLY', /Cannot write SQLite database .*app\.db': the file is (on a read-only file system|not writable)/, 'apply');
        assert.match(r.stderr, /fix: .*writable/);
        const fresh = await timed(['apply', '--models', models, '--db', `sqlite:${join(dir, 'new.db')}`]);
        assertCoded(fresh, 'E_DB_READ_ONLY', /its directory .* (is on a read-only file system|is not writable)/, 'apply of a new file');
        assert.equal(existsSync(join(dir, 'new.db')), false);
        const read = await timed(['fingerprint', '--db', existing]);
        assert.equal(read.code, 0, read.stderr);
        assert.equal(read.stdout, fingerprint, 'reading still works');
      });
    }));
  }
});
