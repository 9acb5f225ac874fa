/**
 * Online ALTERs on MySQL/MariaDB (issue 16 point 2; a dialect-only feature): every ALTER Evolve
 * generates states its algorithm, the static table of what each clause needs agrees with the
 * server, a statement the server cannot run as stated falls back to the next weaker algorithm,
 * and a change that copies a table with rows is shown with its row count and refused with
 * `--online` unless pt-online-schema-change runs it. A deployer killed during an online index
 * build or during pt-online-schema-change's row copy leaves the old or the new fingerprint, the
 * tool stopped, and the next apply drops the tool's leftovers and finishes. A foreign key on a
 * table with rows is added in place with foreign_key_checks off while writes go on, then its rows
 * are checked by a query (online-foreign-key.ts): rows that break it, written before or by a
 * transaction still open when it was added, drop it again with a typed error; a deployer killed
 * before the check ends leaves a record, and the next apply checks the key.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  table, integer, bigint, varchar, index, isEvolveError, parseDatabaseUrl, fingerprintDatabase, modelsFingerprint, applyEvolution, hashEvolutions,
} from '../../src/index.js';
import { mysqlDialect } from '../../src/dialects/mysql/index.js';
import { ALGORITHM_CLAUSE, nextWeaker, restate, textAlgorithm, type MysqlAlgorithm } from '../../src/dialects/mysql/online.js';
import { ptOscPath } from '../../src/dialects/mysql/pt-osc.js';
import { PENDING_KEYS_TABLE } from '../../src/dialects/mysql/online-foreign-key.js';
import { forEachDialect, withDb } from '../support/harness.js';
import { evolveTo, rows } from '../support/evolve.js';
import { evolve, writeModels, IMPORTS, ROOT } from '../support/cli.js';
import type { TestDatabase } from '../support/databases.js';

const STRONGER: Record<MysqlAlgorithm, MysqlAlgorithm | null> = { instant: null, inplace: 'instant', copy: 'inplace' };

const SETUP = [
  'CREATE TABLE ap (id INT PRIMARY KEY)', 'INSERT INTO ap VALUES (1)',
  'CREATE TABLE ac (id INT NOT NULL PRIMARY KEY, a INT NULL, b VARCHAR(10) NULL, c INT NOT NULL DEFAULT 0, p INT NULL, KEY ia (a), ' +
    'CONSTRAINT fkp FOREIGN KEY (p) REFERENCES ap (id), CONSTRAINT ck CHECK (c >= 0))',
  "INSERT INTO ac VALUES (1, 1, 'x', 1, 1), (2, NULL, 'y', 2, NULL)",
];

/** One clause of each kind the planner writes, as the static table classifies it by its text. */
const CLAUSES = [
  'ADD COLUMN n INT NULL', "ADD COLUMN n VARCHAR(20) NOT NULL DEFAULT 'x'", 'ADD COLUMN g INT AS (a + 1) VIRTUAL', 'ADD COLUMN g INT AS (a + 1) STORED',
  'DROP COLUMN b', 'RENAME COLUMN b TO b2', 'ADD INDEX ib (b)', 'ADD UNIQUE KEY ub (b)', 'DROP INDEX ia', 'RENAME INDEX ia TO ia2',
  'ADD CONSTRAINT fka FOREIGN KEY (a) REFERENCES ap (id)', 'DROP FOREIGN KEY fkp', 'ADD CONSTRAINT ck2 CHECK (a > 0)', 'DROP CONSTRAINT ck',
  'DROP PRIMARY KEY, ADD PRIMARY KEY (id, c)', 'DROP PRIMARY KEY', 'MODIFY COLUMN a BIGINT NULL', 'CONVERT TO CHARACTER SET latin1',
];

async function fresh(db: TestDatabase): Promise<void> {
  await db.exec('SET FOREIGN_KEY_CHECKS = 0');
  for (const t of ['ac', 'ap']) await db.exec(`DROP TABLE IF EXISTS ${t}`);
  await db.exec('SET FOREIGN_KEY_CHECKS = 1');
  for (const s of SETUP) await db.exec(s);
}

/** The error number of running `sql`, or 0 when it ran. */
async function errnoOf(db: TestDatabase, sql: string): Promise<number> {
  try { await db.exec(sql); return 0; } catch (e) { return Number((e as { errno?: number }).errno ?? -1); }
}

const models = (n: 'integer' | 'bigint', extra = ''): string => IMPORTS +
  `export const item = table('item', { id: integer().primaryKey(), n: ${n}(), label: varchar(20)${extra} }, ` +
  `{ indexes: [index('item_label_idx').on('label')] });\n`;

forEachDialect('online ALTERs', (d) => {
  if (d !== 'mysql') return;

  it('the static table of algorithms is what MariaDB does: each clause runs as classified, not one step stronger', (t) => withDb(t, d, async (db) => {
    for (const clause of CLAUSES) {
      const a = textAlgorithm(clause);
      const stronger = STRONGER[a];
      if (stronger) {
        await fresh(db);
        assert.ok([1845, 1846].includes(await errnoOf(db, `ALTER TABLE ac ${clause}, ${ALGORITHM_CLAUSE[stronger]}`)), `${clause}: ${stronger} refused`);
      }
      await fresh(db);
      assert.equal(await errnoOf(db, `ALTER TABLE ac ${clause}, ${ALGORITHM_CLAUSE[a]}`), 0, `${clause}: runs with ${ALGORITHM_CLAUSE[a]}`);
    }
    assert.equal(nextWeaker('copy'), null);
  }));

  it('every generated ALTER states its algorithm; evolve sql shows the lock of each statement and the copy with its rows', (t) => withDb(t, d, async (db) => {
    await evolveTo(db, [table('item', { id: integer().primaryKey(), n: integer(), label: varchar(10) })]);
    await db.exec("INSERT INTO item (id, n, label) VALUES (1, 1, 'a'), (2, 2, 'b'), (3, 3, 'c')");
    const file = writeModels(models('bigint', ".notNull().default('')"));
    const r = await evolve(['sql', '--db', db.url, '--models', file]);
    assert.equal(r.code, 0, r.stderr);
    const alters = r.stdout.split('\n').filter((l) => l.startsWith('ALTER TABLE'));
    assert.ok(alters.length >= 3 && alters.every((l) => /, ALGORITHM=(INSTANT|INPLACE, LOCK=NONE|COPY, LOCK=SHARED);$/.test(l)), r.stdout);
    assert.match(r.stdout, /MODIFY COLUMN `n` bigint NULL, ALGORITHM=COPY, LOCK=SHARED;\n-- {3}lock LOCK=SHARED: blocks writes until it ends; rewrites the table/);
    assert.match(r.stdout, /ADD INDEX `item_label_idx` \(`label`\), ALGORITHM=INPLACE, LOCK=NONE;\n-- {3}lock LOCK=NONE[^\n]*reads and writes go on; scans the table/);
    assert.match(r.stdout, /MODIFY COLUMN `label` varchar\(20\) NOT NULL DEFAULT '', ALGORITHM=INPLACE, LOCK=NONE;/);
    assert.match(r.stdout, /-- on a live database:\n-- {3}~ TABLE_COPY item: a statement copies the table under a lock .*estimated from information_schema\.TABLES.*\(3 rows\)/);
    const plain = await evolve(['sql', '--json', '--db', db.url, '--models', file]);
    const doc = JSON.parse(plain.stdout) as { blocking: unknown[]; statements: { sql: string; lock?: { work: string } }[] };
    assert.equal(doc.blocking.length, 0);
    assert.ok(doc.statements.some((s) => s.lock?.work === 'rewrite') && doc.statements.every((s) => !s.sql.startsWith('ALTER') || s.lock));
  }));

  it('a VARCHAR widened past 255 bytes is stated COPY (its length prefix grows), one below it or in REDUNDANT rows INSTANT, and MariaDB agrees', (t) => withDb(t, d, async (db) => {
    const v = (a: number, b: number, c: number, r: number): string => IMPORTS +
      `export const w1 = table('w1', { id: integer().primaryKey(), a: varchar(${a}) });\n` +
      `export const w2 = table('w2', { id: integer().primaryKey(), b: varchar(${b}) });\n` +
      `export const w3 = table('w3', { id: integer().primaryKey(), c: varchar(${c}).collation('latin1_swedish_ci') });\n` +
      `export const r = table('r', { id: integer().primaryKey(), a: varchar(${r}) });\n`;
    assert.equal((await evolve(['apply', '--db', db.url, '--models', writeModels(v(40, 40, 40, 40))])).code, 0);
    await db.exec('ALTER TABLE r ROW_FORMAT=REDUNDANT');
    for (const t of ['w1', 'w2', 'w3', 'r']) await db.exec(`INSERT INTO ${t} VALUES (1, 'x')`);
    const file = writeModels(v(63, 64, 255, 64)); // utf8mb4: 252 and 256 bytes; latin1: 255; REDUNDANT rows: no one-byte prefix
    const r = await evolve(['sql', '--db', db.url, '--models', file]);
    assert.equal(r.code, 0, r.stderr);
    const alter = (t: string): string => r.stdout.split('\n').find((l) => l.startsWith(`ALTER TABLE \`${t}\``)) ?? '';
    assert.match(alter('w1'), /varchar\(63\).*, ALGORITHM=INSTANT;$/, r.stdout);
    assert.match(alter('w2'), /varchar\(64\).*, ALGORITHM=COPY, LOCK=SHARED;$/, r.stdout);
    assert.match(alter('w3'), /varchar\(255\).*, ALGORITHM=INSTANT;$/, r.stdout);
    assert.match(alter('r'), /varchar\(64\).*, ALGORITHM=INSTANT;$/, r.stdout);
    assert.match(r.stdout, /TABLE_COPY w2: a statement copies the table under a lock/);
    assert.doesNotMatch(r.stdout, /TABLE_COPY (w1|w3|r)\b/);
    // The server: w2's widening cannot run INSTANT or INPLACE (no refused tries are saved for nothing); the others run as stated.
    for (const stronger of ['instant', 'inplace'] as const) {
      assert.ok([1845, 1846].includes(await errnoOf(db, restate(alter('w2').replace(/;$/, ''), stronger))), `w2: ${stronger} refused`);
    }
    assert.equal((await evolve(['apply', '--db', db.url, '--models', file])).code, 0);
    assert.equal((await evolve(['sql', '--exit-code', '--db', db.url, '--models', file])).code, 0, 'in sync');
    assert.deepEqual(await rows(db, 'SELECT b FROM w2'), [{ b: 'x' }]);
  }));

  it('--online refuses INT → BIGINT on a table with rows when pt-online-schema-change is missing; nothing changes', (t) => withDb(t, d, async (db) => {
    await evolveTo(db, [table('item', { id: integer().primaryKey(), n: integer(), label: varchar(20) }, { indexes: [index('item_label_idx').on('label')] })]);
    await db.exec("INSERT INTO item (id, n, label) VALUES (1, 2147483647, 'a'), (2, 2, 'b')");
    const file = writeModels(models('bigint'));
    const refused = await evolve(['apply', '--online', '--db', db.url, '--models', file], { EVOLVE_PT_OSC: '' });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /E_NOT_ONLINE: Refusing to apply with --online: 1 table would be copied/);
    assert.match(refused.stderr, /TABLE_COPY item: .*pt-online-schema-change is not installed \(2 rows\)/);
    assert.match(refused.stderr, /fix: install percona-toolkit/);
    assert.deepEqual(await rows(db, "SELECT DATA_TYPE AS t FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'item' AND COLUMN_NAME = 'n'"),
      [{ t: 'int' }]);
    const empty = await evolve(['apply', '--online', '--db', db.url, '--models', writeModels(models('integer', '.default(\'-\')'))], { EVOLVE_PT_OSC: '' });
    assert.equal(empty.code, 0, empty.stderr); // a default changes instantly: nothing to refuse
    const plain = await evolve(['apply', '--db', db.url, '--models', file]);
    assert.equal(plain.code, 0, plain.stderr);
    assert.deepEqual(await rows(db, 'SELECT n FROM item ORDER BY id'), [{ n: '2147483647' }, { n: '2' }]);
  }));

  it('--online runs the copy through pt-online-schema-change when it is installed', (t) => withDb(t, d, async (db) => {
    if (!ptOscPath()) {
      const why = 'pt-online-schema-change is not installed (Debian: apt-get install percona-toolkit; .ci/run installs it)';
      if (process.env.CI) assert.fail(why); // CI=1: a test that cannot run fails
      t.skip(why); return;
    }
    await evolveTo(db, [table('item', { id: integer().primaryKey(), n: integer(), label: varchar(20) }, { indexes: [index('item_label_idx').on('label')] })]);
    await db.exec("INSERT INTO item (id, n, label) VALUES (1, 2147483647, 'a'), (2, 2, 'b')");
    const r = await evolve(['apply', '--online', '--db', db.url, '--models', writeModels(models('bigint'))]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /TABLE_COPY item: .*runs through pt-online-schema-change/);
    assert.match(r.stdout, /matches the models/);
    assert.deepEqual(await rows(db, 'SELECT n, label FROM item ORDER BY id'), [{ n: '2147483647', label: 'a' }, { n: '2', label: 'b' }]);
    const tables = await rows(db, "SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE '%item%'");
    assert.deepEqual(tables, [{ t: 'item' }]); // no copy or old table left behind
    assert.deepEqual(await rows(db, "SELECT TRIGGER_NAME AS t FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()"), []);
  }));

  it('a stated algorithm the server cannot use falls back to the next weaker one; with --online a copy of rows stops', (t) => withDb(t, d, async (db) => {
    await db.exec('CREATE TABLE fb (id INT PRIMARY KEY, a INT NULL)');
    await db.exec('INSERT INTO fb VALUES (1, 1)');
    const conn = await mysqlDialect.connect(parseDatabaseUrl(db.url), { readOnly: false });
    const saved = process.env.EVOLVE_PT_OSC;
    try {
      await mysqlDialect.run(conn, [{ sql: 'ALTER TABLE `fb` MODIFY COLUMN `a` int NOT NULL, ALGORITHM=INSTANT' }]); // INPLACE is what it takes
      process.env.EVOLVE_PT_OSC = '';
      await assert.rejects(mysqlDialect.run(conn, [{ sql: 'ALTER TABLE `fb` MODIFY COLUMN `a` bigint NOT NULL, ALGORITHM=INSTANT' }], { online: true }),
        (e: unknown) => isEvolveError(e) && e.code === 'E_NOT_ONLINE' && /pt-online-schema-change is not installed/.test(e.message));
      await mysqlDialect.run(conn, [{ sql: 'ALTER TABLE `fb` MODIFY COLUMN `a` bigint NOT NULL, ALGORITHM=INSTANT' }]);
    } finally {
      if (saved === undefined) delete process.env.EVOLVE_PT_OSC; else process.env.EVOLVE_PT_OSC = saved;
      await conn.close();
    }
    assert.deepEqual(await rows(db, "SELECT COLUMN_TYPE AS t, IS_NULLABLE AS n FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'fb' AND COLUMN_NAME = 'a'"),
      [{ t: 'bigint(20)', n: 'NO' }]);
  }));

  it('a deployer killed during an online index build: writes go on, the database is at the old or the new fingerprint, a re-run finishes',
    { timeout: 5 * 60_000 }, (t) => withDb(t, d, async (db) => {
      const plain = table('item', { id: integer().primaryKey(), n: integer(), label: varchar(40) });
      const indexed = table('item', { id: integer().primaryKey(), n: integer(), label: varchar(40) }, { indexes: [index('item_label_idx').on('label', 'n')] });
      await evolveTo(db, [plain]);
      await db.exec("INSERT INTO item (id, n, label) SELECT seq, seq, CONCAT('name-', seq * 7919 % 1000003) FROM seq_1_to_300000");
      const before = (await fingerprintDatabase(db.url)).fingerprint;
      const after = await modelsFingerprint([indexed], 'mysql');
      const file = writeModels(IMPORTS + "export const item = table('item', { id: integer().primaryKey(), n: integer(), label: varchar(40) }, " +
        "{ indexes: [index('item_label_idx').on('label', 'n')] });\n");
      const p = spawn(process.execPath, [join(ROOT, 'bin', 'evolve.js'), 'apply', '--db', db.url, '--models', file], { stdio: 'ignore' });
      const exited = new Promise<void>((res) => p.on('exit', () => res()));
      const building = async (): Promise<boolean> => (await db.query(
        "SELECT 1 AS x FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND INFO LIKE 'ALTER TABLE `item` ADD INDEX%ALGORITHM=INPLACE, LOCK=NONE'")).length > 0;
      const deadline = Date.now() + 120_000;
      while (!(await building())) {
        assert.ok(Date.now() < deadline, 'the deployer reached the index build');
        await new Promise((r) => setTimeout(r, 5));
      }
      await db.exec("INSERT INTO item (id, n, label) VALUES (300001, 1, 'written during the build')");
      assert.ok(await building(), 'a write went through while the index was being built (LOCK=NONE)');
      p.kill('SIGKILL');
      await exited;
      const killedAt = (await fingerprintDatabase(db.url)).fingerprint;
      assert.ok(killedAt === before || killedAt === after, 'the database is at the old or the new fingerprint, never in between');
      await applyEvolution({ db: db.url, models: [indexed] }); // waits for the killed session's deploy lock, then finishes
      assert.equal((await fingerprintDatabase(db.url)).fingerprint, after, 'the re-run finishes');
      assert.deepEqual(await rows(db, 'SELECT COUNT(*) AS n FROM item'), [{ n: '300001' }], 'no row lost');
      t.diagnostic(`at the kill the database was at the ${killedAt === before ? 'old' : 'new'} fingerprint`);
    }));

  it('a deployer killed during a pt-online-schema-change copy: the tool stops, the old fingerprint; the next apply drops its leftovers and finishes',
    { timeout: 2 * 60_000 }, (t) => withDb(t, d, async (db) => {
      if (!ptOscPath()) {
        const why = 'pt-online-schema-change is not installed (Debian: apt-get install percona-toolkit; .ci/run installs it)';
        if (process.env.CI) assert.fail(why);
        t.skip(why); return;
      }
      const v2 = table('item', { id: integer().primaryKey(), n: bigint(), label: varchar(20) });
      await evolveTo(db, [table('item', { id: integer().primaryKey(), n: integer(), label: varchar(20) })]);
      await db.exec("INSERT INTO item (id, n, label) SELECT seq, seq * 7, CONCAT('row-', seq) FROM seq_1_to_20000");
      const before = (await fingerprintDatabase(db.url)).fingerprint;
      const after = await modelsFingerprint([v2], 'mysql');
      const file = writeModels(IMPORTS + "export const item = table('item', { id: integer().primaryKey(), n: bigint(), label: varchar(20) });\n");
      // 100 chunks of 200 rows, 20 ms apart: a copy of a few seconds.
      const p = spawn(process.execPath, [join(ROOT, 'bin', 'evolve.js'), 'apply', '--online', '--batch-size', '200', '--batch-pause', '20',
        '--db', db.url, '--models', file], { stdio: 'ignore' });
      const exited = new Promise<void>((res) => p.on('exit', () => res()));
      const copied = async (): Promise<number> => Number((await db.query('SELECT COUNT(*) AS n FROM _evolve_osc_item').catch(() => [{ n: 0 }]))[0]?.n);
      const deadline = Date.now() + 60_000;
      while (await copied() === 0) {
        assert.ok(Date.now() < deadline, 'the deployer reached the copy');
        await new Promise((r) => setTimeout(r, 10));
      }
      await db.exec("INSERT INTO item (id, n, label) VALUES (20001, 1, 'during the copy')");
      const checksum = 'SELECT COUNT(*) AS c, SUM(n) AS s, SUM(CRC32(CONCAT(id, \':\', n, \':\', label))) AS h FROM item';
      const sums = await rows(db, checksum);
      p.kill('SIGKILL');
      await exited;
      const killedAt = Date.now();
      // pt-osc's connections are the only others on this database: gone when the tool has stopped.
      const others = async (): Promise<number> => Number((await db.query(
        'SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND ID <> CONNECTION_ID()'))[0]?.n);
      while (await others() > 0) {
        assert.ok(Date.now() - killedAt < 15_000, 'pt-online-schema-change stops when its deployer is killed');
        await new Promise((r) => setTimeout(r, 50));
      }
      t.diagnostic(`pt-online-schema-change stopped ${Date.now() - killedAt} ms after the kill, ${await copied()} of 20001 rows copied`);
      assert.ok(await copied() < 20001, 'killed mid-copy');
      assert.equal((await rows(db, "SELECT TRIGGER_NAME AS t FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()")).length, 3,
        'the tool left its triggers (and its copy) for the next apply');
      assert.equal((await fingerprintDatabase(db.url)).fingerprint, before, 'the old fingerprint: the leftovers are not part of the schema');
      assert.deepEqual(await rows(db, checksum), sums, 'no row changed');
      const r = await evolve(['apply', '--online', '--db', db.url, '--models', file]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /runs through pt-online-schema-change/);
      assert.match(r.stderr, /not managed: interrupted pt-online-schema-change \(apply drops it first\): trigger pt_osc_\w+_item_ins on table item/);
      assert.match(r.stderr, /not managed: interrupted pt-online-schema-change \(apply drops it first\): table _evolve_osc_item/);
      assert.equal((await fingerprintDatabase(db.url)).fingerprint, after, 'the re-run finishes');
      assert.deepEqual(await rows(db, checksum), sums, 'every row intact');
      assert.deepEqual(await rows(db, "SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE '%item%'"),
        [{ t: 'item' }]);
      assert.deepEqual(await rows(db, 'SELECT TRIGGER_NAME AS t FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()'), []);
    }));

  const FK_PARENT = "export const parent = table('parent', { id: integer().primaryKey(), name: varchar(20) });\n";
  const fkModels = (withKey: boolean): string => IMPORTS + FK_PARENT + "export const child = table('child', { id: integer().primaryKey(), " +
    `pid: integer()${withKey ? '.references(() => parent.columns.id)' : ''}, label: varchar(40) });\n`;
  const parentT = table('parent', { id: integer().primaryKey(), name: varchar(20) });
  const childT = (withKey: boolean) => table('child', {
    id: integer().primaryKey(), pid: withKey ? integer().references(() => parentT.columns.id) : integer(), label: varchar(40),
  });
  const FK_SQL = 'ALTER TABLE `child` ADD CONSTRAINT `child_pid_fkey` FOREIGN KEY (`pid`) REFERENCES `parent` (`id`), ALGORITHM=INPLACE, LOCK=NONE';
  const keys = async (db: TestDatabase): Promise<Record<string, string | null>[]> => rows(db,
    "SELECT CONSTRAINT_NAME AS n FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = 'child'");
  const pendingTable = async (db: TestDatabase): Promise<number> => (await rows(db,
    `SELECT 1 AS x FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '${PENDING_KEYS_TABLE}'`)).length;
  /** parent and child without the key, holding `parents` and `children` (VALUES lists of `(id, name)` and `(id, pid, label)`). */
  const seedKeyTables = async (db: TestDatabase, parents: string, children: string): Promise<void> => {
    await evolveTo(db, [parentT, childT(false)]);
    await db.exec(`INSERT INTO parent (id, name) VALUES ${parents}`);
    await db.exec(`INSERT INTO child (id, pid, label) VALUES ${children}`);
  };

  it('a foreign key on a table with rows is added in place while writes go on, its rows checked by a query; empty or new tables keep the plain statement',
    { timeout: 5 * 60_000 }, (t) => withDb(t, d, async (db) => {
      await evolveTo(db, [parentT, childT(false)]);
      await db.exec("INSERT INTO parent (id, name) SELECT seq, CONCAT('p', seq) FROM seq_1_to_1000");
      await db.exec("INSERT INTO child (id, pid, label) SELECT seq, 1 + seq % 1000, CONCAT('c', seq) FROM seq_1_to_300000");
      const file = writeModels(fkModels(true));
      const shown = await evolve(['sql', '--db', db.url, '--models', file]);
      assert.equal(shown.code, 0, shown.stderr);
      assert.match(shown.stdout, /child holds rows: the key is added in place with foreign_key_checks off \(ALGORITHM=INPLACE, LOCK=NONE: reads and writes go on\), then a query checks the rows/);
      assert.match(shown.stdout, /FOREIGN KEY \(`pid`\) REFERENCES `parent` \(`id`\), ALGORITHM=INPLACE, LOCK=NONE;\n-- {3}lock LOCK=NONE[^\n]*reads and writes go on; scans the table/);
      assert.doesNotMatch(shown.stdout, /TABLE_COPY/);
      const online = await evolve(['sql', '--online', '--json', '--db', db.url, '--models', file], { EVOLVE_PT_OSC: '' });
      assert.equal((JSON.parse(online.stdout) as { blocking: unknown[] }).blocking.length, 0, 'nothing for --online to refuse');

      const p = spawn(process.execPath, [join(ROOT, 'bin', 'evolve.js'), 'apply', '--online', '--db', db.url, '--models', file],
        { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, EVOLVE_PT_OSC: '' } });
      let out = '';
      p.stdout.on('data', (b: Buffer) => { out += String(b); });
      p.stderr.on('data', (b: Buffer) => { out += String(b); });
      const exited = new Promise<number | null>((res) => p.on('exit', (code) => res(code)));
      const altering = async (): Promise<boolean> => (await db.query(
        "SELECT 1 AS x FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND INFO LIKE 'ALTER TABLE `child` ADD CONSTRAINT%ALGORITHM=INPLACE, LOCK=NONE'")).length > 0;
      const deadline = Date.now() + 120_000;
      while (!(await altering())) {
        assert.ok(Date.now() < deadline, `the deployer reached the ALTER: ${out}`);
        await new Promise((r) => setTimeout(r, 5));
      }
      const started = Date.now();
      await db.exec("INSERT INTO child (id, pid, label) VALUES (300001, 7, 'written during the ALTER')");
      await db.exec("UPDATE child SET label = 'changed during the ALTER' WHERE id = 5");
      await db.exec("INSERT INTO parent (id, name) VALUES (1001, 'new parent')");
      const wrote = Date.now() - started;
      const stillAltering = await altering();
      assert.equal(await exited, 0, out);
      t.diagnostic(`3 writes took ${wrote} ms while the ALTER ran (still running after them: ${stillAltering})`);
      assert.ok(stillAltering, 'the writes went through while the key was being added (LOCK=NONE)');
      assert.equal((await fingerprintDatabase(db.url)).fingerprint, await modelsFingerprint([parentT, childT(true)], 'mysql'));
      assert.deepEqual(await keys(db), [{ n: 'child_pid_fkey' }]);
      assert.equal(await pendingTable(db), 0, 'no record left');
      await assert.rejects(db.exec("INSERT INTO child (id, pid, label) VALUES (300002, 5000, 'orphan')"), /foreign key constraint fails/i,
        'the key is enforced');

      // An empty table, and a table the plan creates, keep the plain statement (nothing to check, nothing to copy).
      await db.exec('DELETE FROM child');
      await evolveTo(db, [parentT, childT(false)]);
      const empty = await evolve(['sql', '--json', '--db', db.url, '--models', file]);
      const plain = (JSON.parse(empty.stdout) as { statements: { sql: string; online?: string }[] }).statements;
      assert.ok(plain.some((s) => /ADD CONSTRAINT `child_pid_fkey`[^\n]*ALGORITHM=COPY, LOCK=SHARED$/.test(s.sql) && !s.online), empty.stdout);
      await db.exec('DROP TABLE child');
      const created = await evolve(['sql', '--json', '--db', db.url, '--models', file]);
      const made = (JSON.parse(created.stdout) as { statements: { sql: string }[] }).statements;
      assert.ok(made.every((s) => !/ALGORITHM=INPLACE/.test(s.sql)) && made.some((s) => /REFERENCES `parent`/.test(s.sql)), created.stdout);
    }));

  it('rows that break the key, or a writer older than the key that does not end: the key is dropped again with a typed error, the fingerprint unchanged',
    (t) => withDb(t, d, async (db) => {
      await seedKeyTables(db, "(1, 'a'), (2, 'b'), (3, 'c')", "(1, 1, 'x'), (2, 2, 'y'), (3, NULL, 'no parent needed'), (4, 9, 'orphan'), (5, 8, 'orphan')");
      const before = (await fingerprintDatabase(db.url)).fingerprint;
      const conn = await mysqlDialect.connect(parseDatabaseUrl(db.url), { readOnly: false });
      const other = await mysqlDialect.connect(parseDatabaseUrl(db.url), { readOnly: false });
      try {
        await assert.rejects(mysqlDialect.run(conn, [{ sql: FK_SQL }]), (e: unknown) => isEvolveError(e) && e.code === 'E_FOREIGN_KEY_VIOLATION' &&
          /Foreign key child_pid_fkey on child \(pid\) → parent \(id\) does not hold: 2 rows of child reference no parent row \(pid = (9|8); pid = (8|9)\)/
            .test(e.message) && /dropped again, with the index it brought/.test(e.message) && /Insert the missing parent rows/.test(e.hint ?? ''));
        assert.deepEqual(await keys(db), []);
        assert.equal((await fingerprintDatabase(db.url)).fingerprint, before, 'the old fingerprint: the key and its index are gone');
        assert.equal(await pendingTable(db), 0);
        assert.deepEqual(await rows(db, 'SELECT @@SESSION.foreign_key_checks AS f'), [{ f: '1' }]);
        assert.deepEqual((await conn.query('SELECT @@SESSION.foreign_key_checks AS f')).map((r) => Number(r.f)), [1], 'checks back on for the session');
        await db.exec('DELETE FROM child WHERE id IN (4, 5)');

        // A transaction that deleted a referenced row before the key existed and commits while the check waits for it: caught.
        await other.execute('BEGIN');
        await other.execute('DELETE FROM parent WHERE id = 2');
        setTimeout(() => { void other.execute('COMMIT'); }, 400);
        await assert.rejects(mysqlDialect.run(conn, [{ sql: FK_SQL }], { lockWait: { waitMs: 1000, retries: 2 } }),
          (e: unknown) => isEvolveError(e) && e.code === 'E_FOREIGN_KEY_VIOLATION' && /pid = 2\)/.test(e.message));
        assert.deepEqual(await keys(db), []);
        await db.exec('DELETE FROM child WHERE id = 2');
        const clean = (await fingerprintDatabase(db.url)).fingerprint;

        // One that stays open: the check does not wait past the lock wait × tries, and says who it waited for.
        await other.execute('BEGIN');
        await other.execute('DELETE FROM parent WHERE id = 3');
        const t0 = Date.now();
        await assert.rejects(mysqlDialect.run(conn, [{ sql: FK_SQL }], { lockWait: { waitMs: 300, retries: 1 } }),
          (e: unknown) => isEvolveError(e) && e.code === 'E_LOCK_TIMEOUT' && /waited 600 ms for transactions that were writing/.test(e.message) &&
            /pid \d+/.test(e.message));
        assert.ok(Date.now() - t0 < 5000, 'bounded');
        await other.execute('ROLLBACK');
        assert.deepEqual(await keys(db), []);
        assert.equal((await fingerprintDatabase(db.url)).fingerprint, clean);
        await mysqlDialect.run(conn, [{ sql: FK_SQL }]);
        assert.deepEqual(await keys(db), [{ n: 'child_pid_fkey' }]);
      } finally {
        await other.close();
        await conn.close();
      }
    }));

  it('a key left unchecked by an apply that did not finish is checked by the next apply: dropped again when rows break it, kept when they do not',
    (t) => withDb(t, d, async (db) => {
      await seedKeyTables(db, "(1, 'a')", "(1, 1, 'x'), (2, 4, 'orphan')");
      const before = (await fingerprintDatabase(db.url)).fingerprint;
      const after = await modelsFingerprint([parentT, childT(true)], 'mysql');
      // What a deployer killed after the unchecked ALTER leaves: the record (written first), the key, its index.
      const interrupted = async (): Promise<void> => {
        await db.exec(`CREATE TABLE IF NOT EXISTS ${PENDING_KEYS_TABLE} (table_name VARCHAR(64) NOT NULL, constraint_name VARCHAR(64) NOT NULL, ` +
          'own_index TINYINT NOT NULL, started DATETIME NOT NULL, PRIMARY KEY (table_name, constraint_name)) ENGINE=InnoDB');
        await db.exec(`INSERT INTO ${PENDING_KEYS_TABLE} VALUES ('child', 'child_pid_fkey', 1, NOW())`);
        await db.exec('SET SESSION foreign_key_checks = 0');
        await db.exec(FK_SQL);
        await db.exec('SET SESSION foreign_key_checks = 1');
      };
      await interrupted();
      assert.equal((await fingerprintDatabase(db.url)).fingerprint, after, 'the key looks added: only the record says it is unchecked');
      const file = writeModels(fkModels(true));
      const shown = await evolve(['sql', '--db', db.url, '--models', file]);
      assert.match(shown.stdout, /-- check foreign key child_pid_fkey on child, added without its row check by an apply that did not finish/);
      const refused = await evolve(['apply', '--db', db.url, '--models', file]);
      assert.equal(refused.code, 1, refused.stdout);
      assert.match(refused.stderr, /E_FOREIGN_KEY_VIOLATION: Foreign key child_pid_fkey on child \(pid\) → parent \(id\) does not hold: 1 row of child references no parent row \(pid = 4\)/);
      assert.deepEqual(await keys(db), []);
      assert.equal((await fingerprintDatabase(db.url)).fingerprint, before, 'back at the old fingerprint, the index gone with the key');
      assert.equal(await pendingTable(db), 0);

      await db.exec('UPDATE child SET pid = 1 WHERE id = 2');
      await interrupted();
      const r = await evolve(['apply', '--db', db.url, '--models', file]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /matches the models/);
      assert.deepEqual(await keys(db), [{ n: 'child_pid_fkey' }]);
      assert.equal(await pendingTable(db), 0, 'checked: the record is gone');
      const again = await evolve(['sql', '--json', '--db', db.url, '--models', file]);
      assert.equal((JSON.parse(again.stdout) as { statements: unknown[] }).statements.length, 0, 'nothing left to do');
    }));

  it('a deployer killed while a new foreign key is checked: the next apply checks it again and finishes', { timeout: 5 * 60_000 }, (t) => withDb(t, d, async (db) => {
    await evolveTo(db, [parentT, childT(false)]);
    await db.exec("INSERT INTO parent (id, name) SELECT seq, CONCAT('p', seq) FROM seq_1_to_1000");
    await db.exec("INSERT INTO child (id, pid, label) SELECT seq, 1 + seq % 1000, CONCAT('c', seq) FROM seq_1_to_300000");
    const after = await modelsFingerprint([parentT, childT(true)], 'mysql');
    const file = writeModels(fkModels(true));
    // The key is there and its record too: the ALTER committed, the check has not ended.
    const checking = async (): Promise<boolean> => (await keys(db)).length > 0 &&
      (await db.query(`SELECT 1 AS x FROM ${PENDING_KEYS_TABLE} LIMIT 1`).catch(() => [])).length > 0;
    let killed = false;
    for (let attempt = 1; attempt <= 3 && !killed; attempt++) {
      if (attempt > 1) await evolveTo(db, [parentT, childT(false)]); // the deployer finished before the kill: again from the start
      const p = spawn(process.execPath, [join(ROOT, 'bin', 'evolve.js'), 'apply', '--db', db.url, '--models', file], { stdio: 'ignore' });
      const exited = new Promise<void>((res) => p.on('exit', () => res()));
      const deadline = Date.now() + 120_000;
      while (p.exitCode === null && !(killed = await checking())) {
        assert.ok(Date.now() < deadline, 'the deployer reached the check');
        await new Promise((r) => setTimeout(r, 2));
      }
      p.kill('SIGKILL');
      await exited;
      t.diagnostic(`attempt ${attempt}: ${killed ? 'killed with the key added and its check pending' : 'the deployer finished first'}`);
    }
    assert.ok(killed, 'a kill landed during the check');
    assert.equal(await pendingTable(db), 1, 'the record says the key is unchecked');
    await applyEvolution({ db: db.url, models: [parentT, childT(true)] }); // waits for the killed session's deploy lock
    assert.equal((await fingerprintDatabase(db.url)).fingerprint, after);
    assert.equal(await pendingTable(db), 0, 'checked by the re-run');
    assert.deepEqual(await keys(db), [{ n: 'child_pid_fkey' }]);
    assert.deepEqual(await rows(db, 'SELECT COUNT(*) AS n FROM child'), [{ n: '300000' }], 'no row lost');
  }));

  it('a stored evolution adding a key online over rows that break it: the error keeps the table, the key and the rows', { timeout: 60_000 },
    (t) => withDb(t, d, async (db) => {
      await seedKeyTables(db, "(1, 'p1')", "(1, 1, 'ok'), (2, 9, 'orphan')");
      const [from, to] = [(await fingerprintDatabase(db.url)).fingerprint, await modelsFingerprint([parentT, childT(true)], 'mysql')];
      const dir = mkdtempSync(join(tmpdir(), 'evolve-fk-stored-'));
      try {
        writeFileSync(join(dir, '0001-child-key.sql'), `-- evolve:from ${from}\n-- evolve:to ${to}\n${FK_SQL};\n`);
        writeFileSync(join(dir, 'fingerprints.txt'), `${from}\n${to}\n`);
        hashEvolutions(dir);
        const r = await evolve(['apply', '--stored-only', '--db', db.url, '--models', writeModels(fkModels(true)), '--evolutions', dir]);
        assert.equal(r.code, 1, r.stdout + r.stderr);
        assert.match(r.stderr, /E_FOREIGN_KEY_VIOLATION: Evolution '0001-child-key\.sql' leaves rows that violate a foreign key\. Foreign key child_pid_fkey on child \(pid\) → parent \(id\) does not hold: 1 row of child references no parent row \(pid = 9\)/);
        assert.match(r.stderr, /fix: Insert the missing parent rows/);
        assert.deepEqual(await keys(db), []);
        assert.equal((await fingerprintDatabase(db.url)).fingerprint, from, 'the database as it was');
      } finally { rmSync(dir, { recursive: true, force: true }); }
    }));

});
