/**
 * PostgreSQL's online strategies (issue 16 points 2 and 3; PostgreSQL-only features, so on
 * PostgreSQL and PGlite only): on a table with rows, indexes and unique constraints are built
 * `CONCURRENTLY` outside any transaction, foreign keys added `NOT VALID` and validated in their
 * own transaction, `SET NOT NULL` goes through a validated check — and `evolve sql` says where
 * each runs and why; an empty table keeps the one transaction. What a failed or killed online
 * step leaves (an invalid index, a constraint never validated) is repaired by the next apply,
 * and a deployer killed (SIGKILL) during a concurrent build leaves the rows intact and is
 * finished by the next apply.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { forEachDialect, withDb } from '../support/harness.js';
import { evolve, writeModels, IMPORTS, ROOT } from '../support/cli.js';
import { PG_URL, selectedDialects, type TestDatabase } from '../support/databases.js';

const V1 = `${IMPORTS}export const owner = table('owner', { id: integer().primaryKey() });
export const item = table('item', { id: integer().primaryKey(), owner_id: integer(), code: text(), qty: integer() });\n`;
const V2 = `${IMPORTS}export const owner = table('owner', { id: integer().primaryKey() });
export const item = table('item', { id: integer().primaryKey(), owner_id: integer().references(() => owner.columns.id),
  code: text().unique(), qty: integer().notNull() }, { indexes: [index('item_qty_idx').on('qty')] });\n`;
const V_INDEX = `${IMPORTS}export const owner = table('owner', { id: integer().primaryKey() });
export const item = table('item', { id: integer().primaryKey(), owner_id: integer(), code: text(), qty: integer() },
  { indexes: [index('item_qty_idx').on('qty')] });\n`;

const seed = async (db: TestDatabase): Promise<void> => {
  await db.exec('INSERT INTO owner (id) VALUES (1), (2)');
  await db.exec("INSERT INTO item (id, owner_id, code, qty) VALUES (1, 1, 'a', 5), (2, 2, 'b', 7), (3, NULL, 'c', 9)");
};
const count = async (db: TestDatabase, sql: string): Promise<number> => Number((await db.query(sql))[0]!.n);
const invalidIndexes = (db: TestDatabase): Promise<number> => count(db, `SELECT count(*) AS n FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
  WHERE NOT i.indisvalid AND c.relnamespace = current_schema()::regnamespace`);
const unvalidated = (db: TestDatabase): Promise<number> => count(db, `SELECT count(*) AS n FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
  WHERE NOT c.convalidated AND t.relnamespace = current_schema()::regnamespace`);

forEachDialect('online changes on PostgreSQL', (d) => {
  if (d !== 'postgres' && d !== 'pglite') return;

  it('a table with rows: concurrent index and unique builds, NOT VALID + VALIDATE, SET NOT NULL through a check; the plan says where each runs', (t) => withDb(t, d, async (db) => {
    assert.equal((await evolve(['apply', '--db', db.url, '--models', writeModels(V1)])).code, 0);
    const models = writeModels(V2);
    // Empty tables: the one transaction, as before.
    const empty = await evolve(['sql', '--db', db.url, '--models', models]);
    assert.equal(empty.code, 0, empty.stderr);
    assert.doesNotMatch(empty.stdout, /CONCURRENTLY|NOT VALID|own transaction|outside any transaction/);
    await seed(db);
    const plan = await evolve(['sql', '--db', db.url, '--models', models]);
    assert.equal(plan.code, 0, plan.stderr);
    const out = plan.stdout;
    assert.match(out, /-- outside any transaction: item holds rows: built without blocking reads or writes\nCREATE INDEX CONCURRENTLY "item_qty_idx"/);
    assert.match(out, /\nCREATE INDEX CONCURRENTLY "item_qty_idx" ON "item" \("qty"\);/);
    assert.match(out, /CREATE UNIQUE INDEX CONCURRENTLY "item_code_key" ON "item" \("code"\);/);
    assert.match(out, /ADD CONSTRAINT "item_code_key" UNIQUE USING INDEX "item_code_key";/);
    assert.match(out, /-- own transaction: item holds rows: added NOT VALID[^\n]*\nALTER TABLE "item" ADD CONSTRAINT "item_owner_id_fkey" FOREIGN KEY/);
    assert.match(out, /FOREIGN KEY \("owner_id"\) REFERENCES "owner" \("id"\) NOT VALID;/);
    assert.match(out, /ALTER TABLE "item" VALIDATE CONSTRAINT "item_owner_id_fkey";/);
    assert.match(out, /CHECK \("qty" IS NOT NULL\) NOT VALID;\n(?:-- {3}lock [^\n]*\n)?-- own transaction: validated[^\n]*\n/);
    assert.match(out, /\nALTER TABLE "item" VALIDATE CONSTRAINT "evolve_nn_item_qty";/);
    // The plan's transaction comes last, with the SET NOT NULL (no scan: the check proves it).
    assert.match(out, /-- own transaction: the plan's transaction[^\n]*\nALTER TABLE "item" ALTER COLUMN "qty" SET NOT NULL;/);
    assert.ok(out.indexOf('ALTER COLUMN "qty" SET NOT NULL') > out.lastIndexOf('CONCURRENTLY'), 'the transaction runs after the online steps');

    const r = await evolve(['apply', '--db', db.url, '--models', models]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /matches the models/);
    assert.equal(await invalidIndexes(db), 0);
    assert.equal(await unvalidated(db), 0);
    assert.equal(Number((await db.query("SELECT count(*) AS n FROM pg_constraint WHERE conname LIKE 'evolve_nn_%'"))[0]!.n), 0);
    assert.equal(Number((await db.query('SELECT count(*) AS n FROM item'))[0]!.n), 3);
    assert.equal((await evolve(['check', '--db', db.url, '--models', models])).code, 0);
    // What a kill between ADD … NOT VALID and VALIDATE leaves: the next apply validates it.
    await db.exec('ALTER TABLE item DROP CONSTRAINT item_owner_id_fkey');
    await db.exec('ALTER TABLE item ADD CONSTRAINT item_owner_id_fkey FOREIGN KEY (owner_id) REFERENCES owner (id) NOT VALID');
    assert.equal(await unvalidated(db), 1);
    const again = await evolve(['apply', '--db', db.url, '--models', models]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(await unvalidated(db), 0);
  }));

  it('a concurrent build that fails leaves no invalid index; an invalid one left by another is dropped and rebuilt', (t) => withDb(t, d, async (db) => {
    const uniqueQty = V_INDEX.replace("index('item_qty_idx').on('qty')", "index('item_qty_idx').on('qty').unique()");
    assert.equal((await evolve(['apply', '--db', db.url, '--models', writeModels(V1)])).code, 0);
    await seed(db);
    await db.exec('UPDATE item SET qty = 5');
    const failed = await evolve(['apply', '--db', db.url, '--models', writeModels(uniqueQty)]);
    assert.notEqual(failed.code, 0, 'duplicates: the unique build fails');
    assert.equal(await invalidIndexes(db), 0, 'the failed build was undone');
    // A build killed or failed outside Evolve: the index exists, invalid.
    await db.exec('CREATE UNIQUE INDEX CONCURRENTLY item_qty_idx ON item (qty)').catch(() => undefined);
    assert.equal(await invalidIndexes(db), 1);
    await db.exec('UPDATE item SET qty = id');
    const plan = await evolve(['sql', '--db', db.url, '--models', writeModels(uniqueQty)]);
    assert.match(plan.stdout, /left invalid by a build that did not finish/);
    const r = await evolve(['apply', '--db', db.url, '--models', writeModels(uniqueQty)]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await invalidIndexes(db), 0);
    assert.equal(Number((await db.query("SELECT count(*) AS n FROM pg_indexes WHERE indexname = 'item_qty_idx'"))[0]!.n), 1);
    await assert.rejects(db.exec('INSERT INTO item (id, qty) VALUES (10, 1)'), /duplicate|unique/i);
  }));

});

/** Run a deployer as its own process; kill it (SIGKILL) once `ready()` holds. Resolves to whether it was killed. */
function killWhen(args: string[], ready: () => Promise<boolean>): Promise<boolean> {
  return new Promise((res) => {
    const p = spawn(process.execPath, [join(ROOT, 'bin', 'evolve.js'), ...args], { stdio: 'ignore' });
    let killed = false;
    const poll = setInterval(() => {
      void ready().then((ok) => { if (ok && !killed) { killed = true; p.kill('SIGKILL'); } }, () => undefined);
    }, 50);
    const limit = setTimeout(() => p.kill('SIGKILL'), 60_000);
    p.on('exit', () => { clearInterval(poll); clearTimeout(limit); res(killed); });
  });
}

if (selectedDialects().includes('postgres')) {
  forEachDialect('a deployer killed during a concurrent index build', (d) => {
    if (d !== 'postgres') return;
    it('SIGKILL while CREATE INDEX CONCURRENTLY waits: rows intact, the next apply rebuilds the index and finishes', (t) => withDb(t, d, async (db) => {
      assert.equal((await evolve(['apply', '--db', db.url, '--models', writeModels(V1)])).code, 0);
      await seed(db);
      const pg = (await import('pg')).default;
      const reader = new pg.Client({ connectionString: PG_URL });
      await reader.connect();
      try {
        // An open transaction holding a snapshot: the build waits for it (after creating the index, invalid, and committing that).
        await reader.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
        await reader.query('SELECT 1');
        const models = writeModels(V_INDEX);
        // The build of this test's table (its lock names it; other tests may build at the same time).
        const ours = `FROM pg_stat_activity a WHERE a.query LIKE 'CREATE INDEX CONCURRENTLY%' AND a.pid <> pg_backend_pid() AND EXISTS (
          SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE l.pid = a.pid AND c.relnamespace = current_schema()::regnamespace)`;
        const building = async (): Promise<boolean> => Number((await db.query(`SELECT count(*) AS n ${ours} AND a.wait_event_type IS NOT NULL`))[0]!.n) > 0;
        const killed = await killWhen(['apply', '--db', db.url, '--models', models, '--lock-wait', '30000'], building);
        assert.ok(killed, 'the deployer was killed during the build');
        // A server backend notices its client's death only when it next talks to it: a build
        // waiting for a lock would finish by itself once the reader commits. The connection
        // dies with the deployer here (as a crashed host's does), so the build stops half-way.
        await db.query(`SELECT pg_terminate_backend(a.pid) ${ours}`);
        for (let i = 0; i < 200 && Number((await db.query(`SELECT count(*) AS n ${ours}`))[0]!.n) > 0; i++) await new Promise((r) => setTimeout(r, 50));
        await reader.query('COMMIT');
        assert.equal(Number((await db.query('SELECT count(*) AS n FROM item'))[0]!.n), 3);
        assert.equal(await invalidIndexes(db), 1, 'the build stopped half-way: the index is there, invalid');
        const r = await evolve(['apply', '--db', db.url, '--models', models]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(await invalidIndexes(db), 0);
        assert.equal(Number((await db.query("SELECT count(*) AS n FROM pg_indexes WHERE indexname = 'item_qty_idx'"))[0]!.n), 1);
        assert.equal((await evolve(['check', '--db', db.url, '--models', models])).code, 0);
      } finally {
        await reader.end();
      }
    }));
  });
}
