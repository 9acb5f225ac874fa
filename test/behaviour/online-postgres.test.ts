/**
 * PostgreSQL's online strategies (issue 16 points 2 and 3; PostgreSQL-only features, so on
 * PostgreSQL and PGlite only): on a table with rows, indexes and unique constraints are built
 * `CONCURRENTLY` outside any transaction, foreign keys added `NOT VALID` and validated in their
 * own transaction, `SET NOT NULL` goes through a validated check — and `evolve sql` says where
 * each runs and why; an empty table keeps the one transaction. What a failed or killed online
 * step leaves (an invalid index, a constraint never validated) is repaired by the next apply,
 * and a deployer killed (SIGKILL) during a concurrent build leaves the rows intact and is
 * finished by the next apply. A type change that would rewrite a table with rows (INT→BIGINT)
 * goes through a new column kept in step by a trigger, filled in batches while another session
 * writes, and swapped in; a deployer killed during that backfill leaves the old fingerprint, and
 * the next apply resumes it.
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

// Expand/contract type changes (INT→BIGINT through a new column).
const V_INT = `${IMPORTS}export const owner = table('owner', { id: integer().primaryKey() });
export const item = table('item', { id: integer().primaryKey(), n: integer().notNull().default(0), qty: integer(),
  owner_id: integer().references(() => owner.columns.id) }, { indexes: [index('item_n_idx').on('n')] });\n`;
const V_BIG = V_INT.replace('n: integer()', 'n: bigint()');
/** The rows of the expand/contract tests: n = 3 × id. */
const seedRows = (db: TestDatabase, rows: number): Promise<void> =>
  db.exec(`INSERT INTO item (id, n, qty) SELECT g, 3 * g, g % 7 FROM generate_series(1, ${rows}) g`);
/** What an expand/contract that did not finish leaves in the schema (columns, triggers, functions). */
const leftovers = (db: TestDatabase): Promise<number> => count(db, `SELECT (SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' AND a.attname LIKE '\\_evolve%' AND NOT a.attisdropped)
  + (SELECT count(*) FROM pg_trigger WHERE tgname LIKE '\\_evolve%'
    AND tgrelid IN (SELECT oid FROM pg_class WHERE relnamespace = current_schema()::regnamespace)) + (SELECT count(*) FROM pg_proc WHERE proname LIKE '\\_evolve%'
    AND pronamespace = current_schema()::regnamespace) AS n`);
const shape = async (db: TestDatabase): Promise<string> => {
  const r = (await db.query(`SELECT data_type, is_nullable, column_default FROM information_schema.columns
    WHERE table_schema = current_schema() AND table_name = 'item' AND column_name = 'n'`))[0]!;
  return `${String(r.data_type)} ${String(r.is_nullable)} ${String(r.column_default)}`;
};

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

  it('INT→BIGINT on a table with rows: expand/contract (new column, trigger, batched backfill, swap); rows, NOT NULL, default and index kept', (t) => withDb(t, d, async (db) => {
    assert.equal((await evolve(['apply', '--db', db.url, '--models', writeModels(V_INT)])).code, 0);
    const big = writeModels(V_BIG);
    // An empty table: one ALTER in the transaction, as before.
    const empty = await evolve(['sql', '--db', db.url, '--models', big]);
    assert.match(empty.stdout, /ALTER TABLE "item" ALTER COLUMN "n" TYPE bigint/);
    assert.doesNotMatch(empty.stdout, /_evolve_new_|_evolve_sync_/);
    await db.exec('INSERT INTO owner (id) VALUES (1)');
    await seedRows(db, 600);
    const plan = await evolve(['sql', '--db', db.url, '--models', big]);
    assert.equal(plan.code, 0, plan.stderr);
    const out = plan.stdout;
    assert.doesNotMatch(out, /TYPE bigint/, 'no rewrite under ACCESS EXCLUSIVE');
    assert.match(out, /-- own transaction: item holds rows: the new column, and a trigger[^\n]*\nALTER TABLE "item" ADD COLUMN "_evolve_new_n" bigint, ADD CONSTRAINT "_evolve_new_nn_n" CHECK \("_evolve_new_n" IS NOT NULL\) NOT VALID;/);
    assert.match(out, /CREATE TRIGGER "_evolve_sync_n" BEFORE INSERT OR UPDATE ON "item" FOR EACH ROW EXECUTE FUNCTION "_evolve_sync_item_n"\(\);/);
    assert.match(out, /-- outside any transaction: the rows written before the trigger, converted in batches by id[^\n]*\nUPDATE "item"/);
    assert.match(out, /CREATE INDEX CONCURRENTLY IF NOT EXISTS "_evolve_new_item_n_idx" ON "item" \("_evolve_new_n"\);/);
    assert.match(out, /ALTER TABLE "item" VALIDATE CONSTRAINT "_evolve_new_nn_n";/);
    assert.match(out, /-- own transaction: the plan's transaction[^\n]*\nALTER TABLE "item" ALTER COLUMN "_evolve_new_n" SET NOT NULL;/);
    assert.match(out, /ALTER TABLE "item" DROP COLUMN "n";[^]*ALTER TABLE "item" RENAME COLUMN "_evolve_new_n" TO "n";[^]*SET DEFAULT 0;[^]*ALTER INDEX "_evolve_new_item_n_idx" RENAME TO "item_n_idx";/);
    if (d === 'postgres') {
      // A column a foreign key uses keeps the plain ALTER, and the plan says why.
      const fk = await evolve(['sql', '--db', db.url, '--models', writeModels(V_INT.replace('owner_id: integer()', 'owner_id: bigint()'))]);
      assert.match(fk.stdout, /rewrites the table under its lock: constraint item_owner_id_fkey on table item depends on the column\n[^]*ALTER COLUMN "owner_id" TYPE bigint/);
    }

    // Writes from another session while the backfill runs (postgres: the deployer is another process).
    const apply = evolve(['apply', '--db', db.url, '--models', big, '--batch-size', '50', '--batch-pause', d === 'postgres' ? '100' : '0']);
    let during = false;
    if (d === 'postgres') {
      const synced = "SELECT count(*) AS n FROM pg_trigger WHERE tgname = '_evolve_sync_n' AND tgrelid = 'item'::regclass";
      for (let i = 0; i < 3000 && await count(db, synced) === 0; i++) await new Promise((r) => setTimeout(r, 10));
      await db.exec('INSERT INTO item (id, qty) VALUES (1001, 1)');
      await db.exec('UPDATE item SET n = 2147483647 WHERE id = 1');
      await db.exec('UPDATE item SET n = -5 WHERE id = 600');
      await db.exec('DELETE FROM item WHERE id = 2');
      during = await count(db, "SELECT count(*) AS n FROM pg_attribute WHERE attrelid = 'item'::regclass AND attname = '_evolve_new_n'") === 1;
      assert.ok(during, 'the writes ran while the new column was being filled');
    }
    const r = await apply;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /matches the models/);
    assert.equal(await shape(db), 'bigint NO 0');
    const rows = await db.query('SELECT id, n FROM item ORDER BY id');
    const want = new Map(Array.from({ length: 600 }, (_, i) => [i + 1, 3 * (i + 1)]));
    if (during) { want.set(1001, 0); want.set(1, 2147483647); want.set(600, -5); want.delete(2); }
    assert.deepEqual(rows.map((x) => [Number(x.id), Number(x.n)]), [...want].sort((a, b) => a[0]! - b[0]!), 'every row kept its value, the writes during the change too');
    assert.equal(await leftovers(db), 0, 'no shadow column, trigger or function left');
    assert.equal(await count(db, "SELECT count(*) AS n FROM pg_indexes WHERE schemaname = current_schema() AND indexname = 'item_n_idx' AND indexdef LIKE '%(n)'"), 1);
    await db.exec('INSERT INTO item (id, qty) VALUES (2000, 1)');
    await db.exec('UPDATE item SET n = 1099511627776 WHERE id = 2000');
    await assert.rejects(db.exec('UPDATE item SET n = NULL WHERE id = 3'), /null/i);
    assert.equal((await evolve(['check', '--db', db.url, '--models', big])).code, 0);
    if (d !== 'postgres') return;

    // What a killed expand/contract leaves, once the models no longer ask for it: removed, the fingerprint untouched.
    const before = await evolve(['fingerprint', '--db', db.url]);
    await db.exec('ALTER TABLE item ADD COLUMN _evolve_new_qty bigint');
    await db.exec('CREATE FUNCTION _evolve_sync_item_qty() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW._evolve_new_qty := NEW.qty; RETURN NEW; END$$');
    await db.exec('CREATE TRIGGER _evolve_sync_qty BEFORE INSERT OR UPDATE ON item FOR EACH ROW EXECUTE FUNCTION _evolve_sync_item_qty()');
    assert.equal((await evolve(['fingerprint', '--db', db.url])).stdout, before.stdout, 'leftovers are not part of the schema');
    const clean = await evolve(['sql', '--db', db.url, '--models', big]);
    assert.match(clean.stdout, /not resumed: removed\nDROP TRIGGER IF EXISTS "_evolve_sync_qty" ON "item";/);
    assert.equal((await evolve(['apply', '--db', db.url, '--models', big])).code, 0);
    assert.equal(await leftovers(db), 0);
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
  forEachDialect('a deployer killed during an online step', (d) => {
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

    it('SIGKILL during an expand/contract backfill: the old fingerprint, writes kept in step; the next apply resumes and finishes', (t) => withDb(t, d, async (db) => {
      assert.equal((await evolve(['apply', '--db', db.url, '--models', writeModels(V_INT)])).code, 0);
      await seedRows(db, 400);
      const old = (await evolve(['fingerprint', '--db', db.url])).stdout;
      const big = writeModels(V_BIG);
      const filled = "SELECT count(*) AS n FROM item WHERE _evolve_new_n IS NOT NULL";
      const backfilling = async (): Promise<boolean> => await count(db, filled) >= 60;
      const killed = await killWhen(['apply', '--db', db.url, '--models', big, '--batch-size', '20', '--batch-pause', '100'], backfilling);
      assert.ok(killed, 'the deployer was killed during the backfill');
      const part = await count(db, filled);
      assert.ok(part > 0 && part < 400, `the backfill stopped part-way (${part} of 400 rows)`);
      assert.equal((await evolve(['fingerprint', '--db', db.url])).stdout, old, 'the database is at its old fingerprint');
      // The trigger stays: writes after the kill keep the new column in step.
      await db.exec('UPDATE item SET n = 7 WHERE id = 400');
      await db.exec('INSERT INTO item (id, n) VALUES (401, 9)');
      const plan = await evolve(['sql', '--db', db.url, '--models', big]);
      assert.match(plan.stdout, /resumed \(an apply that did not finish left the new column and its trigger\)/);
      assert.doesNotMatch(plan.stdout, /ADD COLUMN "_evolve_new_n"/);
      const r = await evolve(['apply', '--db', db.url, '--models', big]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal((await evolve(['check', '--db', db.url, '--models', big])).code, 0);
      assert.equal(await shape(db), 'bigint NO 0');
      const rows = await db.query('SELECT id, n FROM item ORDER BY id');
      const want = [...Array.from({ length: 399 }, (_, i) => [i + 1, 3 * (i + 1)]), [400, 7], [401, 9]];
      assert.deepEqual(rows.map((x) => [Number(x.id), Number(x.n)]), want, 'every row intact');
      assert.equal(await leftovers(db), 0);
    }));
  });
}
