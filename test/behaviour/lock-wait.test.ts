/**
 * No statement Evolve runs waits unbounded for a lock (issue 16 point 1), on the servers that
 * run DDL beside other sessions (PostgreSQL, MariaDB; SQLite has one writer, PGlite one
 * session): behind a session holding an open transaction on the table, `apply` waits at most
 * `--lock-wait` per try, rolls back, retries with backoff (each retry reported), and gives up
 * with E_LOCK_TIMEOUT naming the blocking session, leaving the database as it was; meanwhile
 * the application's own queries never queue behind Evolve for longer than the lock wait; and
 * when the blocker finishes, a retry succeeds.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDialect, withDb } from '../support/harness.js';
import { evolve, writeModels, IMPORTS } from '../support/cli.js';
import { PG_URL, type TestDatabase, type TestDialect } from '../support/databases.js';

const V1 = `${IMPORTS}export const item = table('item', { id: integer().primaryKey(), name: text() });\n`;
const V2 = `${IMPORTS}export const item = table('item', { id: integer().primaryKey(), name: text(), price: integer() });\n`;

/** Another session of the application: a connection of its own, with a query to time. */
async function session(d: TestDialect, db: TestDatabase): Promise<{ query(sql: string): Promise<void>; close(): Promise<void> }> {
  if (d === 'postgres') {
    const pg = (await import('pg')).default;
    const c = new pg.Client({ connectionString: PG_URL, application_name: 'app-under-test' });
    await c.connect();
    await c.query(`SET search_path TO "${new URL(db.url).searchParams.get('schema')!}"`);
    return { query: async (sql) => { await c.query(sql); }, close: () => c.end() };
  }
  const mysql = await import('mysql2/promise');
  const c = await mysql.createConnection({ uri: db.url });
  return { query: async (sql) => { await c.query(sql); }, close: () => c.end() };
}

/** True while a session (Evolve's) waits for a table lock on the test database. */
async function evolveWaits(d: TestDialect, db: TestDatabase): Promise<boolean> {
  const rows = d === 'postgres'
    ? await db.query("SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND application_name = 'evolve'")
    : await db.query("SELECT count(*) AS n FROM information_schema.PROCESSLIST WHERE STATE LIKE 'Waiting for table metadata lock%' AND DB = DATABASE()");
  return Number(rows[0]!.n) > 0;
}

const timed = async (fn: () => Promise<unknown>): Promise<number> => { const t0 = Date.now(); await fn(); return Date.now() - t0; };

forEachDialect('lock waits are bounded and retried', (d) => {
  if (d === 'sqlite' || d === 'pglite') {
    it('has one writer: nothing to wait for beside Evolve (the plan runs as before)', (t) => withDb(t, d, async (db) => {
      assert.equal((await evolve(['apply', '--db', db.url, '--models', writeModels(V1), '--lock-wait', '100', '--retries', '0'])).code, 0);
    }));
    return;
  }

  it('behind an open transaction: each try waits --lock-wait, retries are reported, E_LOCK_TIMEOUT names the blocker, nothing changed', (t) => withDb(t, d, async (db) => {
    assert.equal((await evolve(['apply', '--db', db.url, '--models', writeModels(V1)])).code, 0);
    const before = (await evolve(['fingerprint', '--db', db.url])).stdout;
    const blocker = await session(d, db);
    const reader = await session(d, db);
    try {
      await blocker.query('BEGIN');
      await blocker.query('SELECT * FROM item');
      const models = writeModels(V2);
      const applying = evolve(['apply', '--db', db.url, '--models', models, '--lock-wait', '1000', '--retries', '2']);
      // While Evolve waits for its lock, the application's reads queue behind it for at most one
      // try's wait, never behind all three (3 x 1000 ms plus backoff). The margin over 1000 ms is
      // for a loaded machine (CI runs three test files at once on two cores: 1,841 ms was seen).
      await new Promise((r) => setTimeout(r, 300));
      const waited = await timed(() => reader.query('SELECT count(*) FROM item'));
      assert.ok(waited < 2500, `a reader waited ${waited} ms behind Evolve (lock wait 1000 ms, 3 tries)`);
      const r = await applying;
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stderr, /E_LOCK_TIMEOUT: Statement 1 of \d+ on .* waited for a table lock more than 1000 ms on each of 3 tries, blocked by pid \d+/);
      if (d === 'postgres') assert.match(r.stderr, /app-under-test, idle in transaction, transaction open \d+ s/);
      assert.equal(r.stderr.match(/^lock wait: Statement 1 of \d+ timed out waiting for a table lock .*retry \d of 2 in \d+ ms$/gm)?.length, 2, r.stderr);
      assert.match(r.stderr, /--lock-wait/);
      await blocker.query('COMMIT');
      assert.equal((await evolve(['fingerprint', '--db', db.url])).stdout, before, 'the database is as it was');
    } finally {
      await blocker.query('ROLLBACK').catch(() => undefined);
      await blocker.close();
      await reader.close();
    }
  }));

  it('when the blocker finishes, a retry succeeds and reaches the models', (t) => withDb(t, d, async (db) => {
    assert.equal((await evolve(['apply', '--db', db.url, '--models', writeModels(V1)])).code, 0);
    const blocker = await session(d, db);
    try {
      await blocker.query('BEGIN');
      await blocker.query('SELECT * FROM item');
      const models = writeModels(V2);
      const applying = evolve(['apply', '--db', db.url, '--models', models, '--lock-wait', '1000', '--retries', '10']);
      // Once Evolve is seen waiting for its lock, let the first try time out, then finish the blocker.
      for (const deadline = Date.now() + 60_000; !(await evolveWaits(d, db)) && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 1400));
      await blocker.query('COMMIT');
      const r = await applying;
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stderr, /^lock wait: Statement 1 of \d+ timed out .*retry 1 of 10/m);
      assert.equal((await evolve(['sql', '--exit-code', '--db', db.url, '--models', models])).code, 0, 'in sync');
    } finally {
      await blocker.close();
    }
  }));

  it('--lock-wait and --retries must be whole numbers', (t) => withDb(t, d, async (db) => {
    const r = await evolve(['apply', '--db', db.url, '--models', writeModels(V1), '--lock-wait', 'soon']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /E_USAGE: --lock-wait \(milliseconds\) must be a whole number of at least 1, got 'soon'/);
  }));
});
