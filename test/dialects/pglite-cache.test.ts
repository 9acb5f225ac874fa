/**
 * Keeping PGlite instances open between connections in one process (keepPgliteOpen in
 * src/dialects/postgres/connection.ts): a connection reuses the instance the previous one on
 * the same directory used, starting from a fresh session's state; two connections open at once
 * never share one; released, stale and memory instances are never handed out again.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connectPostgres } from '../../src/dialects/postgres/connection.js';
import { acquirePglite, keepPgliteOpen, releasePglite } from '../../src/dialects/postgres/pglite-pool.js';
import { parseDatabaseUrl } from '../../src/dialects/url.js';
import { freshDatabase, selectedDialects, type TestDatabase } from '../support/databases.js';
import { evolveInProcess, evolveProcess, IMPORTS, writeModels } from '../support/cli.js';

const connect = (db: TestDatabase, readOnly = false) => connectPostgres(parseDatabaseUrl(db.url), { readOnly });
const dirOf = (db: TestDatabase): string => db.url.slice('pglite:'.length);

describe('PGlite instances kept open in one process', { skip: !selectedDialects().includes('pglite') }, () => {
  let db: TestDatabase;
  before(async () => { await keepPgliteOpen(); db = await freshDatabase('pglite'); });
  after(async () => { await db.dispose(); await keepPgliteOpen(); });

  it('a second connection reuses the first one\'s instance and sees its data', async () => {
    const a = await acquirePglite(dirOf(db));
    await a.release();
    const b = await acquirePglite(dirOf(db));
    try { assert.equal(b.db, a.db, 'the same instance'); } finally { await b.release(); }

    const c1 = await connect(db);
    await c1.execute('CREATE TABLE kept (id integer PRIMARY KEY)');
    await c1.execute('INSERT INTO kept VALUES (1)');
    await c1.close();
    const c2 = await connect(db, true);
    try {
      assert.deepEqual(await c2.query('SELECT id FROM kept'), [{ id: 1 }]);
    } finally { await c2.close(); }
    assert.deepEqual(await db.query('SELECT count(*)::int AS n FROM kept'), [{ n: 1 }], 'the harness\'s direct access sees it too');
  });

  it('a reused instance starts from a fresh session: read-only, transactions, locks, temp tables and settings do not carry over', async () => {
    const ro = await connect(db, true);
    await assert.rejects(ro.execute('CREATE TABLE nope (id integer)'), /read-only/);
    await ro.close();
    const w = await connect(db);
    await w.execute('CREATE TABLE t (id integer)'); // refused above if read-only had carried over
    await w.execute('BEGIN');
    await w.execute('INSERT INTO t VALUES (1)');
    await w.query('SELECT pg_advisory_lock(42)');
    await w.execute('CREATE TEMP TABLE scratch (x integer)');
    await w.execute("SET TimeZone TO 'Asia/Tokyo'");
    await w.close(); // inside the transaction: it is rolled back
    const lease = await acquirePglite(dirOf(db));
    try {
      const q = async (sql: string) => (await lease.db.query<Record<string, unknown>>(sql)).rows;
      assert.equal(lease.db.isInTransaction(), false);
      assert.deepEqual(await q('SELECT count(*)::int AS n FROM t'), [{ n: 0 }], 'the open transaction was rolled back');
      assert.deepEqual(await q("SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'"), [{ n: 0 }], 'advisory locks released');
      assert.deepEqual(await q("SELECT to_regclass('pg_temp.scratch') AS r"), [{ r: null }], 'temporary tables dropped');
      assert.deepEqual(await q('SHOW TimeZone'), [{ TimeZone: 'UTC' }], 'settings reset');
      assert.deepEqual(await q('SHOW default_transaction_read_only'), [{ default_transaction_read_only: 'off' }]);
    } finally { await lease.release(); }
  });

  it('two connections open at once do not share an instance; closing one keeps the other working; neither is kept', async () => {
    const a = await connect(db);
    const b = await connect(db, true);
    assert.deepEqual(await a.query('SELECT 1 AS one'), [{ one: 1 }]);
    await a.close();
    assert.deepEqual(await b.query("SELECT count(*)::int AS n FROM pg_class WHERE relname = 'pg_class'"), [{ n: 1 }], 'the other connection still answers');
    await b.close();
    // Distinct instances (PGlite is one session), and neither goes back to the pool: with two
    // instances on one directory, each one's view may be stale.
    const l1 = await acquirePglite(dirOf(db));
    const l2 = await acquirePglite(dirOf(db));
    assert.notEqual(l1.db, l2.db);
    await l1.release();
    await l2.release();
    assert.equal(l1.db.closed, true, 'not kept: another instance was open on the directory');
    assert.equal(l2.db.closed, true);
    const l3 = await acquirePglite(dirOf(db));
    try {
      assert.notEqual(l3.db, l1.db);
      assert.notEqual(l3.db, l2.db);
      assert.deepEqual((await l3.db.query('SELECT count(*)::int AS n FROM kept')).rows, [{ n: 1 }]);
    } finally { await l3.release(); }
  });

  it('releasePglite closes the idle instance; the next open makes a new one', async () => {
    const a = await acquirePglite(dirOf(db));
    await a.release();
    assert.equal(a.db.closed, false, 'kept');
    await releasePglite(dirOf(db));
    assert.equal(a.db.closed, true, 'closed by release');
    const b = await acquirePglite(dirOf(db));
    try { assert.notEqual(b.db, a.db); } finally { await b.release(); }
  });

  it('an idle instance whose directory something else changed is not reused', async () => {
    const a = await acquirePglite(dirOf(db));
    await a.release();
    // Another process would open the directory like this (without going through the pool).
    const { PGlite } = await import('@electric-sql/pglite');
    const other = new PGlite(dirOf(db));
    await other.exec('CREATE TABLE from_elsewhere (id integer); INSERT INTO from_elsewhere VALUES (7)');
    await other.close();
    const b = await acquirePglite(dirOf(db));
    try {
      assert.notEqual(b.db, a.db, 'the stale instance is dropped');
      assert.deepEqual((await b.db.query('SELECT id FROM from_elsewhere')).rows, [{ id: 7 }]);
    } finally { await b.release(); }
  });

  it('memory databases are never kept: each open is a new, empty database', async () => {
    const m1 = await connectPostgres(parseDatabaseUrl('pglite:memory'), { readOnly: false });
    await m1.execute('CREATE TABLE only_here (id integer)');
    await m1.close();
    const m2 = await connectPostgres(parseDatabaseUrl('pglite:memory'), { readOnly: false });
    try {
      assert.deepEqual(await m2.query("SELECT to_regclass('only_here') AS r"), [{ r: null }]);
    } finally { await m2.close(); }
  });

  it('off (the default outside the test harness), closing a connection closes its instance', async () => {
    await keepPgliteOpen(false);
    try {
      const a = await acquirePglite(dirOf(db));
      await a.release();
      assert.equal(a.db.closed, true);
    } finally { await keepPgliteOpen(); }
  });
});

/**
 * The CLI on PGlite runs in the test process (support/cli.ts `evolve()`); here it runs as a user
 * runs it, `bin/evolve.js` in a new process per command, on a directory this process keeps an
 * instance of: what each process writes is there for the next one and for this process, and
 * the output and exit codes are those of the in-process runs.
 */
describe('the evolve binary on a PGlite directory, one process per command', { skip: !selectedDialects().includes('pglite') }, () => {
  it('apply, sql --exit-code and fingerprint in new processes, on the directory this process has open', async () => {
    const db = await freshDatabase('pglite');
    try {
      const v1 = writeModels(`${IMPORTS}export const person = table('person', { id: integer().primaryKey(), name: varchar(50).notNull() });\n`);
      const v2 = writeModels(`${IMPORTS}export const person = table('person', { id: integer().primaryKey() });\n`);
      await db.exec('SELECT 1'); // this process now has an instance of the directory
      const applied = await evolveProcess(['apply', '--db', db.url, '--models', v1]);
      assert.equal(applied.code, 0, applied.stderr);
      assert.match(applied.stdout, /matches the models/);
      assert.equal((await evolveProcess(['sql', '--exit-code', '--db', db.url, '--models', v1])).code, 0, 'the next process sees the applied schema');
      await db.exec("INSERT INTO person (id, name) VALUES (1, 'ann')"); // this process sees the table the other one made
      const refused = await evolveProcess(['apply', '--db', db.url, '--models', v2]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /E_DATA_LOSS[\s\S]*DROP_COLUMN person\.name:.*\(1 row\)/);
      // The same commands in this process: the same exit codes and output.
      for (const args of [['fingerprint', '--db', db.url], ['sql', '--db', db.url, '--models', v2], ['apply', '--db', db.url, '--models', v2], ['status', '--db', db.url, '--models', v1, '--json'], ['apply', '--no-such-flag']]) {
        const other = await evolveProcess(args);
        const here = await evolveInProcess(args);
        assert.deepEqual(here, other, `evolve ${args[0]} in this process and in a new one`);
      }
      assert.deepEqual(await db.query('SELECT id, name FROM person'), [{ id: 1, name: 'ann' }]);
    } finally { await db.dispose(); }
  });
});
