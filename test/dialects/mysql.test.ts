/**
 * MySQL/MariaDB-only behaviour: normalisation (no false diffs), native ALTER statements,
 * non-transactional runs that say exactly what ran, connection safety, fingerprints that ignore
 * the database's charset and name. Each database test gets its own fresh database.
 */
import { it, describe, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import {
  table, index, sql, integer, bigint, real, decimal, text, varchar, boolean, date, timestamp, json, bytes, uuid, rawType,
  applyEvolution, planEvolution, modelsFingerprint, fingerprintDatabase, inspect, fingerprint, isEvolveError, parseDatabaseUrl,
  desiredSchema, diffSchemas, type Table, type Connection,
  type ColumnBuilder,
} from '../../src/index.js';
import { mysqlDialect } from '../../src/dialects/mysql/index.js';
import { parseMysqlType, parseMysqlDefault, normaliseMysqlExpression, normaliseMysqlDefault, normaliseMysql, parseMysqlString } from '../../src/dialects/mysql/normalise.js';
import { parseColumnDefault, introspectMysql } from '../../src/dialects/mysql/introspect.js';
import { mysqlString, mysqlName, mysqlSql } from '../../src/dialects/mysql/sql-builder.js';
import { sessionSqlMode, connectMysql, type MysqlConnection } from '../../src/dialects/mysql/connection.js';
import { compileModels } from '../../src/model/compile.js';
import { MYSQL_URL, serverProblem, freshDatabase, selectedDialects, type TestDatabase } from '../support/databases.js';
import { withDb } from '../support/harness.js';
import { ROOT } from '../support/cli.js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { splitSql } from '../../src/dialects/shared/sql-split.js';
import { mysqlLossyPredicate } from '../../src/dialects/mysql/conversions.js';
import { stripDatabaseQualifier } from '../../src/dialects/mysql/objects.js';
import { withoutClientComments } from '../../src/dialects/mysql/client-comments.js';
import { intoScratchDatabase } from '../../src/dialects/mysql/file-database.js';
import { execFileSync, spawnSync } from 'node:child_process';
import { evolveTo, rows } from '../support/evolve.js';

/** A statement without the ALGORITHM/LOCK clause every ALTER now states (test/behaviour/online-mysql.test.ts checks those). */
const bare = (sql: string): string => sql.replace(/, ALGORITHM=\w+(?:, LOCK=\w+)?$/, '');

const MARIADB = { flavour: 'mariadb', version: '10.11.6-MariaDB' } as const;
const MYSQL8 = { flavour: 'mysql', version: '8.0.36' } as const;

/** EVOLVE_TEST_DIALECTS without mysql: the server tests below do not run. */
const SKIP = selectedDialects().includes('mysql') ? false : 'mysql not in EVOLVE_TEST_DIALECTS';

/** Run `fn` with a fresh MySQL database (skipped loudly, or failed under CI, without a server). */
const mysql = (t: TestContext, fn: (db: TestDatabase) => Promise<void>): Promise<void | undefined> => withDb(t, 'mysql', fn);

/** Every DSL feature on MySQL: types, null, defaults of each kind, keys, indexes, foreign keys. */
function allFeatures(): Table[] {
  const dept: Table = table('dept', {
    id: integer().primaryKey({ autoIncrement: true }),
    code: varchar(10).notNull().unique(),
    parent_id: integer().references(() => dept.columns.id, { onDelete: 'set null' }),
  });
  const person = table('person', {
    id: bigint().primaryKey({ autoIncrement: true }),
    name: text().notNull(),
    nick: varchar(40).default("it's a \\ test"),
    email: varchar(200),
    born: date().default('2000-01-31'),
    salary: decimal(10, 2).notNull().default(0),
    ratio: decimal(5, 3).default('1.5'),
    score: real().default(2.5),
    level: integer().notNull().default(3),
    big: bigint().default(-7),
    huge: bigint().default('9007199254740993'),
    active: boolean().notNull().default(true),
    deleted: boolean().default(false),
    created: timestamp().notNull().default(sql`CURRENT_TIMESTAMP`),
    updated: timestamp().default('2020-01-02 03:04:05'),
    seen_at: timestamp({ withTimeZone: true }).default(sql`current_timestamp()`),
    day: date().default(sql`(CURRENT_DATE)`),
    doc: json(),
    photo: bytes(),
    token: uuid(),
    memo: text().default('none'),
    tiny: rawType('tinyint').default(1),
    counter: rawType('int(10) unsigned').notNull().default('5'),
    long_text: rawType('mediumtext'),
    label: varchar(20).default(sql`concat('a', 'b')`),
    dept_id: integer().references(() => dept.columns.id, { onDelete: 'cascade', onUpdate: 'cascade' }),
    boss_dept: integer().references(() => dept.columns.id, { onDelete: 'restrict' }),
  }, {
    unique: [['name', 'email'], { name: 'person_token_unique', columns: ['token'] }],
    indexes: [
      index('person_name_idx').on('name'),
      index('person_dept_born_idx').on('dept_id', 'born'),
      index('person_level_uidx').on('level', 'big').unique(),
      index().on('score'),
    ],
  });
  const membership = table('membership', {
    person_id: bigint().notNull(),
    dept_id: integer().notNull(),
    role: varchar(30).notNull().default('member'),
  }, {
    primaryKey: ['person_id', 'dept_id'],
    foreignKeys: [
      { columns: ['person_id'], references: () => [person.columns.id], onDelete: 'cascade' },
      { columns: ['dept_id'], references: () => [dept.columns.id], name: 'membership_dept' },
    ],
  });
  const grant = table('grant', {
    person_id: bigint().notNull(),
    dept_id: integer().notNull(),
    note: text(),
  }, { foreignKeys: [{ columns: ['person_id', 'dept_id'], references: () => [membership.columns.person_id, membership.columns.dept_id], onDelete: 'no action' }] });
  return [grant, membership, person, dept];
}

/** A fixed model set whose MySQL fingerprint is pinned below. */
function goldenModels(): Table[] {
  const author = table('author', { id: integer().primaryKey({ autoIncrement: true }), name: varchar(80).notNull().unique(), born: date() });
  return [
    author,
    table('book', {
      id: integer().primaryKey({ autoIncrement: true }),
      title: text().notNull(),
      price: decimal(8, 2).notNull().default(0),
      in_print: boolean().notNull().default(true),
      added: timestamp().notNull().default(sql`CURRENT_TIMESTAMP`),
      meta: json(),
      author_id: integer().notNull().references(() => author.columns.id, { onDelete: 'cascade' }),
    }, { indexes: [index('book_title_idx').on('title'), index('book_author_title_idx').on('author_id', 'title').unique()] }),
  ];
}
const GOLDEN_MYSQL = 'fv1:0e174fbdf197ad5330d9f3aa608a39e4d6c0426bc2cf7973e13eae692ae783c8';

describe('MySQL normalisation (no database)', () => {
  it('reads MySQL and MariaDB type spellings into the DSL kinds', () => {
    const cases: [string, unknown][] = [
      ['int(11)', { kind: 'integer' }], ['INT', { kind: 'integer' }], ['integer', { kind: 'integer' }],
      ['bigint(20)', { kind: 'bigint' }], ['double', { kind: 'real' }], ['decimal(10,2)', { kind: 'decimal', precision: 10, scale: 2 }],
      ['numeric(5)', { kind: 'decimal', precision: 5, scale: 0 }], ['decimal', { kind: 'decimal', precision: 10, scale: 0 }],
      ['varchar(255)', { kind: 'varchar', length: 255 }], ['text', { kind: 'text' }], ['tinyint(1)', { kind: 'boolean' }],
      ['bool', { kind: 'boolean' }], ['date', { kind: 'date' }], ['datetime', { kind: 'timestamp', withTimeZone: false }],
      ['timestamp', { kind: 'timestamp', withTimeZone: true }], ['json', { kind: 'json' }], ['longblob', { kind: 'bytes' }],
      ['char(36)', { kind: 'uuid' }],
      ['mediumtext', { kind: 'raw', sql: 'mediumtext' }], ['longtext', { kind: 'raw', sql: 'longtext' }], ['blob', { kind: 'raw', sql: 'blob' }],
      ['int(10) unsigned', { kind: 'raw', sql: 'int unsigned' }], ['tinyint(4)', { kind: 'raw', sql: 'tinyint' }],
      ['int(5) unsigned zerofill', { kind: 'raw', sql: 'int(5) unsigned zerofill' }], ['year(4)', { kind: 'raw', sql: 'year' }],
      ['datetime(6)', { kind: 'raw', sql: 'datetime(6)' }], ['uuid', { kind: 'raw', sql: 'uuid' }], ['float', { kind: 'raw', sql: 'float' }],
      ["enum('a','b')", { kind: 'raw', sql: "enum('a','b')" }],
    ];
    for (const [text, want] of cases) assert.deepEqual(parseMysqlType(text), want, text);
  });

  it('reads MariaDB and MySQL 8 defaults alike', () => {
    const vc = { kind: 'varchar', length: 10 } as const;
    const dec = { kind: 'decimal', precision: 10, scale: 2 } as const;
    const dt = { kind: 'timestamp', withTimeZone: false } as const;
    const both = (maria: string | null, mysql: string | null, extra: string, type: Parameters<typeof normaliseMysqlDefault>[0]) => [
      normaliseMysqlDefault(type, parseColumnDefault(maria, '', type, MARIADB)),
      normaliseMysqlDefault(type, parseColumnDefault(mysql, extra, type, MYSQL8)),
    ];
    assert.deepEqual(both("'abc'", 'abc', '', vc), [{ kind: 'value', value: 'abc' }, { kind: 'value', value: 'abc' }]);
    assert.deepEqual(both("'it''s'", "it's", '', vc), [{ kind: 'value', value: "it's" }, { kind: 'value', value: "it's" }]);
    assert.deepEqual(both("'a\\\\b'", 'a\\b', '', vc), [{ kind: 'value', value: 'a\\b' }, { kind: 'value', value: 'a\\b' }]);
    assert.deepEqual(both('NULL', null, '', vc), [null, null]);
    assert.deepEqual(both(null, null, '', vc), [null, null]);
    assert.deepEqual(both('0.00', '0.00', '', dec), [{ kind: 'value', value: 0 }, { kind: 'value', value: 0 }]);
    assert.deepEqual(both('1', '1', '', { kind: 'boolean' }), [{ kind: 'value', value: true }, { kind: 'value', value: true }]);
    assert.deepEqual(both('current_timestamp()', 'CURRENT_TIMESTAMP', 'DEFAULT_GENERATED', dt),
      [{ kind: 'expression', sql: 'CURRENT_TIMESTAMP' }, { kind: 'expression', sql: 'CURRENT_TIMESTAMP' }]);
    assert.deepEqual(both("concat('a','b')", "concat(_utf8mb4\\'a\\',_utf8mb4\\'b\\')", 'DEFAULT_GENERATED', vc),
      [{ kind: 'expression', sql: "concat('a','b')" }, { kind: 'expression', sql: "concat('a','b')" }]);
    // A literal default on TEXT is written ('x') for MySQL 8, which reports it as a generated expression.
    assert.deepEqual(both("'x'", "_utf8mb4\\'x\\'", 'DEFAULT_GENERATED', { kind: 'text' }), [{ kind: 'value', value: 'x' }, { kind: 'value', value: 'x' }]);
  });

  it('normalises expressions and literals written in models', () => {
    assert.equal(normaliseMysqlExpression('now()'), 'CURRENT_TIMESTAMP');
    assert.equal(normaliseMysqlExpression('(CURRENT_TIMESTAMP)'), 'CURRENT_TIMESTAMP');
    assert.equal(normaliseMysqlExpression('current_timestamp(6)'), 'CURRENT_TIMESTAMP(6)');
    assert.equal(normaliseMysqlExpression('curdate()'), 'CURRENT_DATE');
    assert.equal(normaliseMysqlExpression("CONCAT( 'A b' , x )"), "concat('A b',x)");
    assert.deepEqual(parseMysqlDefault("('x')"), { kind: 'value', value: 'x' });
    assert.deepEqual(parseMysqlDefault('(0)'), { kind: 'value', value: 0 });
    assert.deepEqual(normaliseMysqlDefault({ kind: 'timestamp', withTimeZone: false }, { kind: 'value', value: '2020-01-02' }), { kind: 'value', value: '2020-01-02 00:00:00' });
    assert.equal(parseMysqlString("'a\\nb\\'c''d\\%'"), "a\nb'c'd\\%");
  });

  it('quotes identifiers and literals safely', () => {
    assert.equal(mysqlSql.ident('we`ird'), '`we``ird`');
    assert.equal(mysqlString("it's a \\ test"), "'it''s a \\\\ test'");
    assert.equal(mysqlSql.literal(true), '1');
    assert.equal(mysqlSql.literal(2.5), '2.5');
    assert.throws(() => mysqlSql.ident('a\u0000b'));
  });

  it('keeps STRICT_ALL_TABLES on and backslash escapes meaningful', () => {
    assert.equal(sessionSqlMode('NO_BACKSLASH_ESCAPES,ANSI_QUOTES,STRICT_TRANS_TABLES'), 'STRICT_TRANS_TABLES,STRICT_ALL_TABLES');
    assert.equal(sessionSqlMode(''), 'STRICT_ALL_TABLES');
  });

  it('shortens long names deterministically to 64 characters', () => {
    const long = 'x'.repeat(80);
    assert.equal(mysqlName(long).length, 64);
    assert.equal(mysqlName(long), mysqlName(long));
    assert.notEqual(mysqlName(long), mysqlName('x'.repeat(81)));
    assert.equal(mysqlName('short'), 'short');
  });

  it('is idempotent and turns unique indexes into unique constraints', () => {
    const once = normaliseMysql(compileModels(allFeatures(), 'mysql'));
    assert.deepEqual(normaliseMysql(once), once);
    const person = once.tables.find((t) => t.name === 'person')!;
    assert.ok(person.uniques.some((u) => u.name === 'person_level_uidx'));
    assert.ok(person.indexes.every((i) => !i.unique));
  });

  it('refuses SET DEFAULT foreign keys, which InnoDB does not have', () => {
    const p = table('p', { id: integer().primaryKey() });
    const c = table('c', { id: integer().primaryKey(), p: integer().references(() => p.columns.id, { onDelete: 'set default' }) });
    assert.throws(() => desiredSchema([p, c], mysqlDialect), (e: unknown) => isEvolveError(e) && e.code === 'E_UNSUPPORTED' && /SET DEFAULT/.test(e.message));
  });

  it('refuses partial indexes, which MySQL does not have', () => {
    const t = table('t', { id: integer().primaryKey(), x: integer() }, { indexes: [index('t_x').on('x').where(sql`x > 0`)] });
    assert.throws(() => desiredSchema([t], mysqlDialect), (e: unknown) => isEvolveError(e) && e.code === 'E_UNSUPPORTED');
  });

  it('pins the golden fingerprint', async () => {
    assert.equal(await modelsFingerprint(goldenModels(), 'mysql'), GOLDEN_MYSQL);
  });

  it('says which type changes can lose values, and which cannot be checked', () => {
    const col = (type: Parameters<typeof normaliseMysqlDefault>[0]) => ({ name: 'c', type, nullable: true, default: null, autoIncrement: false });
    const p = mysqlDialect.lossyValuePredicate;
    assert.equal(p('`c`', col({ kind: 'integer' }), col({ kind: 'text' })), null);
    assert.equal(p('`c`', col({ kind: 'integer' }), col({ kind: 'bigint' })), null);
    assert.equal(p('`c`', col({ kind: 'raw', sql: 'point' }), col({ kind: 'integer' })), undefined);
    assert.equal(p('`c`', col({ kind: 'varchar', length: 50 }), col({ kind: 'varchar', length: 10 })), 'CHAR_LENGTH(`c`) > 10');
    assert.match(p('`c`', col({ kind: 'bigint' }), col({ kind: 'integer' }))!, /NOT BETWEEN -2147483648 AND 2147483647/);
  });
});

/** Open the dialect directly on a test database. */
async function connect(db: TestDatabase, readOnly = false): Promise<Connection> {
  return mysqlDialect.connect(parseDatabaseUrl(db.url), { readOnly });
}

describe('MySQL: models applied to an empty database', { skip: SKIP }, () => {
  it('every DSL feature: created, then nothing to do, fingerprint = the models\'', (t) => mysql(t, async (db) => {
    const r = await evolveTo(db, allFeatures());
    assert.ok(r.statements.some((s) => /AUTO_INCREMENT/.test(s.sql)));
    assert.ok(r.statements.some((s) => /CONSTRAINT `membership_dept` FOREIGN KEY/.test(s.sql)));
    await db.exec("INSERT INTO dept (code) VALUES ('d1')");
    await db.exec("INSERT INTO person (name, doc, photo, token, dept_id) VALUES ('ann', '{\"a\": 1}', X'00FF', '123e4567-e89b-12d3-a456-426614174000', 1)");
    const [p] = await rows(db, 'SELECT nick, salary, active, level, counter, label, CAST(born AS CHAR) AS born, CAST(updated AS CHAR) AS updated, memo FROM person');
    assert.deepEqual(p, { nick: "it's a \\ test", salary: '0.00', active: '1', level: '3', counter: '5', label: 'ab', born: '2000-01-31', updated: '2020-01-02 03:04:05', memo: 'none' });
    await assert.rejects(db.exec("UPDATE person SET doc = 'not json'"), /CONSTRAINT|check|json/i);
  }));

  it('the golden models give the pinned fingerprint in a live database', (t) => mysql(t, async (db) => {
    await evolveTo(db, goldenModels());
    assert.equal((await fingerprintDatabase(db.url)).fingerprint, GOLDEN_MYSQL);
  }));

  it('tables referring to each other (a cycle) and to themselves', (t) => mysql(t, async (db) => {
    const a: Table = table('a', { id: integer().primaryKey(), b_id: integer().references(() => b.columns.id) });
    const b: Table = table('b', { id: integer().primaryKey(), a_id: integer().references(() => a.columns.id), up: integer().references(() => b.columns.id) });
    await evolveTo(db, [a, b]);
  }));
});

describe('MySQL: one test per kind of change', { skip: SKIP }, () => {
  const person = (cols: Record<string, ColumnBuilder> = {}, opts = {}) =>
    table('person', { id: integer().primaryKey(), name: varchar(50).notNull(), ...cols }, opts);

  it('adds, renames and drops a table', (t) => mysql(t, async (db) => {
    await evolveTo(db, [person()]);
    await db.exec("INSERT INTO person (id, name) VALUES (1, 'ann')");
    const r = await evolveTo(db, [table('people', { id: integer().primaryKey(), name: varchar(50).notNull() }, { aka: 'person' }), table('pet', { id: integer().primaryKey() })]);
    assert.ok(r.statements.some((s) => bare(s.sql) === 'RENAME TABLE `person` TO `people`'));
    assert.deepEqual(await rows(db, 'SELECT id, name FROM people'), [{ id: '1', name: 'ann' }]);
    await assert.rejects(applyEvolution({ db: db.url, models: [table('pet', { id: integer().primaryKey() })] }), /DROP_TABLE people/);
    await evolveTo(db, [table('pet', { id: integer().primaryKey() })], { allowDataLoss: true });
  }));

  it('adds, renames and drops a column', (t) => mysql(t, async (db) => {
    await evolveTo(db, [person()]);
    await db.exec("INSERT INTO person (id, name) VALUES (1, 'ann')");
    await evolveTo(db, [person({ nick: varchar(10).notNull().default('n') })]);
    assert.deepEqual(await rows(db, 'SELECT nick FROM person'), [{ nick: 'n' }]);
    const r = await evolveTo(db, [person({ nickname: varchar(10).notNull().default('n').aka('nick') })]);
    assert.deepEqual(r.statements.map((s) => bare(s.sql)), ['ALTER TABLE `person` RENAME COLUMN `nick` TO `nickname`']);
    assert.deepEqual(await rows(db, 'SELECT nickname FROM person'), [{ nickname: 'n' }]);
    const d = await evolveTo(db, [person()], { allowDataLoss: true });
    assert.deepEqual(d.statements.map((s) => bare(s.sql)), ['ALTER TABLE `person` DROP COLUMN `nickname`']);
  }));

  it('changes a type in place, keeping the data (text → integer, varchar → text with an index)', (t) => mysql(t, async (db) => {
    await evolveTo(db, [person({ n: text(), v: varchar(10) }, { indexes: [index('person_v').on('v', 'name')] })]);
    await db.exec("INSERT INTO person (id, name, n, v) VALUES (1, 'ann', '12', 'x'), (2, 'bob', NULL, 'y')");
    const r = await evolveTo(db, [person({ n: integer(), v: text() }, { indexes: [index('person_v').on('v', 'name')] })]);
    assert.ok(r.statements.some((s) => bare(s.sql) === 'ALTER TABLE `person` MODIFY COLUMN `n` int NULL'));
    assert.ok(r.statements.some((s) => /DROP INDEX `person_v`, MODIFY COLUMN `v` text NULL/.test(s.sql)), 'the index is respelled with a prefix');
    assert.deepEqual(await rows(db, 'SELECT n, v FROM person ORDER BY id'), [{ n: '12', v: 'x' }, { n: null, v: 'y' }]);
    await evolveTo(db, [person({ n: integer(), v: varchar(10) }, { indexes: [index('person_v').on('v', 'name')] })]);
  }));

  it('refuses a conversion that would lose values, showing examples', (t) => mysql(t, async (db) => {
    await evolveTo(db, [person({ n: text() })]);
    await db.exec("INSERT INTO person (id, name, n) VALUES (1, 'a', '12'), (2, 'b', 'abc'), (3, 'c', '99999999999')");
    await assert.rejects(applyEvolution({ db: db.url, models: [person({ n: integer() })] }),
      (e: unknown) => isEvolveError(e) && e.code === 'E_DATA_LOSS' && /LOSSY_TYPE_CHANGE person\.n.*\(2 rows\).*"abc"/.test(e.message));
  }));

  it('widens an integer primary key referenced by a foreign key (the key is dropped and restored)', (t) => mysql(t, async (db) => {
    const parent = (big: boolean) => table('parent', { id: (big ? bigint() : integer()).primaryKey({ autoIncrement: true }) });
    const child = (big: boolean) => table('child', { id: integer().primaryKey(), pid: (big ? bigint() : integer()).references(() => parent(big).columns.id, { onDelete: 'cascade' }) });
    await evolveTo(db, [parent(false), child(false)]);
    await db.exec('INSERT INTO parent (id) VALUES (1), (2); INSERT INTO child (id, pid) VALUES (10, 1), (20, 2)');
    const r = await evolveTo(db, [parent(true), child(true)]);
    assert.match(r.statements[0]!.sql, /DROP FOREIGN KEY `child_pid_fkey`/);
    assert.match(r.statements.at(-1)!.sql, /ADD CONSTRAINT `child_pid_fkey` FOREIGN KEY/);
    await db.exec('DELETE FROM parent WHERE id = 1');
    assert.deepEqual(await rows(db, 'SELECT id, pid FROM child'), [{ id: '20', pid: '2' }], 'the cascade still works');
  }));

  it('changes nullability both ways; NULLs take the default only with consent', (t) => mysql(t, async (db) => {
    await evolveTo(db, [person({ n: integer().default(5) })]);
    await db.exec("INSERT INTO person (id, name, n) VALUES (1, 'a', NULL), (2, 'b', 7)");
    const strict = [person({ n: integer().notNull().default(5) })];
    await assert.rejects(applyEvolution({ db: db.url, models: strict }), /NOT_NULL_WITH_NULLS/);
    const r = await evolveTo(db, strict, { allowDataLoss: true });
    assert.deepEqual(r.statements.map((s) => bare(s.sql)), [
      'UPDATE `person` SET `n` = 5 WHERE `n` IS NULL',
      'ALTER TABLE `person` MODIFY COLUMN `n` int NOT NULL DEFAULT 5',
    ]);
    assert.deepEqual(await rows(db, 'SELECT n FROM person ORDER BY id'), [{ n: '5' }, { n: '7' }]);
    await evolveTo(db, [person({ n: integer().default(5) })]);
  }));

  it('changes defaults: literal, expression, none', (t) => mysql(t, async (db) => {
    const at = (d?: unknown) => [table('ev', { id: integer().primaryKey(), at: d === undefined ? timestamp() : timestamp().default(d as string) })];
    await evolveTo(db, at('2020-01-01 00:00:00'));
    await evolveTo(db, at(sql`CURRENT_TIMESTAMP`));
    await evolveTo(db, at());
    await evolveTo(db, [person({ s: varchar(10).default("o'k") })]);
    await evolveTo(db, [person({ s: varchar(10).default('new') })]);
  }));

  it('changes a length: widening freely, narrowing only when values fit', (t) => mysql(t, async (db) => {
    await evolveTo(db, [person({ s: varchar(20) })]);
    await db.exec("INSERT INTO person (id, name, s) VALUES (1, 'a', 'héllo'), (2, 'b', 'a long value here')");
    await evolveTo(db, [person({ s: varchar(40) })]);
    await assert.rejects(applyEvolution({ db: db.url, models: [person({ s: varchar(5) })] }), /LOSSY_TYPE_CHANGE person\.s.*\(1 row\)/);
    await db.exec('DELETE FROM person WHERE id = 2');
    await evolveTo(db, [person({ s: varchar(5) })]);
    assert.deepEqual(await rows(db, 'SELECT s FROM person'), [{ s: 'héllo' }]);
  }));

  it('adds and drops indexes (composite too)', (t) => mysql(t, async (db) => {
    await evolveTo(db, [person({ a: integer(), b: text() })]);
    const r = await evolveTo(db, [person({ a: integer(), b: text() }, { indexes: [index('p_ab').on('a', 'b'), index('p_name').on('name')] })]);
    assert.ok(r.statements.some((s) => bare(s.sql) === 'ALTER TABLE `person` ADD INDEX `p_ab` (`a`, `b`(255))'));
    const d = await evolveTo(db, [person({ a: integer(), b: text() }, { indexes: [index('p_name').on('name')] })]);
    assert.deepEqual(d.statements.map((s) => bare(s.sql)), ['ALTER TABLE `person` DROP INDEX `p_ab`']);
  }));

  it('adds and drops unique constraints and unique indexes; refuses duplicates', (t) => mysql(t, async (db) => {
    await evolveTo(db, [person({ a: integer(), b: integer() })]);
    await db.exec("INSERT INTO person (id, name, a, b) VALUES (1, 'x', 1, 1), (2, 'x', 1, 2)");
    await assert.rejects(applyEvolution({ db: db.url, models: [person({ a: integer(), b: integer() }, { unique: [['name']] })] }), /UNIQUE_WITH_DUPLICATES/);
    const r = await evolveTo(db, [person({ a: integer(), b: integer() }, { unique: [['a', 'b']], indexes: [index('p_b').on('b').unique()] })]);
    assert.ok(r.statements.some((s) => bare(s.sql) === 'ALTER TABLE `person` ADD UNIQUE KEY `person_a_b_key` (`a`, `b`)'));
    assert.ok(r.statements.some((s) => bare(s.sql) === 'ALTER TABLE `person` ADD UNIQUE KEY `p_b` (`b`)'));
    const d = await evolveTo(db, [person({ a: integer(), b: integer() })]);
    assert.equal(d.statements.length, 2);
  }));

  it('changes a primary key, and adds an AUTO_INCREMENT key to a table with rows', (t) => mysql(t, async (db) => {
    await evolveTo(db, [table('tag', { name: varchar(20).notNull(), lang: varchar(5).notNull() }, { primaryKey: ['name'] })]);
    await db.exec("INSERT INTO tag VALUES ('a', 'en'), ('b', 'fr')");
    await evolveTo(db, [table('tag', { name: varchar(20).notNull(), lang: varchar(5).notNull() }, { primaryKey: ['name', 'lang'] })]);
    const r = await evolveTo(db, [table('tag', { id: integer().primaryKey({ autoIncrement: true }), name: varchar(20).notNull(), lang: varchar(5).notNull() })]);
    assert.deepEqual(r.statements.map((s) => bare(s.sql)), ['ALTER TABLE `tag` DROP PRIMARY KEY, ADD COLUMN `id` int NOT NULL AUTO_INCREMENT, ADD PRIMARY KEY (`id`)']);
    assert.deepEqual(await rows(db, 'SELECT id FROM tag ORDER BY id'), [{ id: '1' }, { id: '2' }]);
    await evolveTo(db, [table('tag', { id: integer().primaryKey(), name: varchar(20).notNull(), lang: varchar(5).notNull() })]);
  }));

  it('adds and drops foreign keys, leaving no stray index behind', (t) => mysql(t, async (db) => {
    const parent = table('parent', { id: integer().primaryKey() });
    const child = (fk: boolean, idx = false) => table('child', { id: integer().primaryKey(), pid: fk ? integer().references(() => parent.columns.id, { onDelete: 'set null' }) : integer() },
      { indexes: idx ? [index('child_pid_x').on('pid', 'id')] : [] });
    await evolveTo(db, [parent, child(false)]);
    const a = await evolveTo(db, [parent, child(true)]);
    assert.deepEqual(a.statements.map((s) => bare(s.sql)), ['ALTER TABLE `child` ADD CONSTRAINT `child_pid_fkey` FOREIGN KEY (`pid`) REFERENCES `parent` (`id`) ON DELETE SET NULL']);
    await evolveTo(db, [parent, child(true, true)]);
    // Dropping the only index the key can use: MySQL refuses unless another takes its place.
    await evolveTo(db, [parent, child(true)]);
    const d = await evolveTo(db, [parent, child(false)]);
    assert.deepEqual(d.statements.map((s) => bare(s.sql)), ['ALTER TABLE `child` DROP FOREIGN KEY `child_pid_fkey`', 'ALTER TABLE `child` DROP INDEX `child_pid_fkey`']);
  }));

  it('drops an AUTO_INCREMENT key column and makes another column the key', (t) => mysql(t, async (db) => {
    await evolveTo(db, [table('k', { id: integer().primaryKey({ autoIncrement: true }), code: varchar(5).notNull() })]);
    await db.exec("INSERT INTO k (code) VALUES ('a'), ('b')");
    const r = await evolveTo(db, [table('k', { code: varchar(5).primaryKey() })], { allowDataLoss: true });
    assert.deepEqual(r.statements.map((s) => bare(s.sql)), ['ALTER TABLE `k` DROP PRIMARY KEY, DROP COLUMN `id`, ADD PRIMARY KEY (`code`)']);
    assert.deepEqual(await rows(db, 'SELECT code FROM k ORDER BY code'), [{ code: 'a' }, { code: 'b' }]);
  }));

  it('renames and alters a JSON column (MariaDB keeps its json_valid check)', (t) => mysql(t, async (db) => {
    await evolveTo(db, [person({ j: json() })]);
    await db.exec(`INSERT INTO person (id, name, j) VALUES (1, 'a', '{"k": [1, 2]}')`);
    await evolveTo(db, [person({ doc: json().notNull().default('{}').aka('j') })]);
    await evolveTo(db, [person({ doc: text().notNull().default('{}') })]);
    await evolveTo(db, [person({ doc: json() })]);
    assert.deepEqual(await rows(db, 'SELECT CAST(doc AS CHAR) AS doc FROM person'), [{ doc: '{"k": [1, 2]}' }]);
  }));

  it('renames a column whose foreign key MySQL indexed under the column\'s name', (t) => mysql(t, async (db) => {
    await db.exec('CREATE TABLE parent (id int NOT NULL PRIMARY KEY)');
    await db.exec('CREATE TABLE child (id int NOT NULL PRIMARY KEY, pid int, FOREIGN KEY (pid) REFERENCES parent (id))');
    const parent = table('parent', { id: integer().primaryKey() });
    const child = (col: string) => table('child', { id: integer().primaryKey(), [col]: (col === 'pid' ? integer() : integer().aka('pid')).references(() => parent.columns.id) });
    assert.equal((await planEvolution({ db: db.url, models: [parent, child('pid')] })).inSync, true);
    const r = await evolveTo(db, [parent, child('parent_id')]);
    assert.deepEqual(r.statements.map((s) => bare(s.sql)), ['ALTER TABLE `child` RENAME COLUMN `pid` TO `parent_id`, RENAME INDEX `pid` TO `child_ibfk_1`']);
  }));

  it('changes a foreign key\'s action', (t) => mysql(t, async (db) => {
    const parent = table('parent', { id: integer().primaryKey() });
    const child = (onDelete: 'cascade' | 'set null') => table('child', { id: integer().primaryKey(), pid: integer().references(() => parent.columns.id, { onDelete }) });
    await evolveTo(db, [parent, child('cascade')]);
    await evolveTo(db, [parent, child('set null')]);
  }));
});

/** One state of a parent/child pair, for the foreign-key property below. */
interface FkState {
  keyType: 'integer' | 'bigint';
  auto: boolean;
  fk: null | 'cascade' | 'set null' | 'no action' | 'restrict';
  col: 'pid' | 'parent_id';
  idx: 'none' | 'named' | 'colname' | 'leading' | 'trailing' | 'unique';
}
const fkStateArb: fc.Arbitrary<FkState> = fc.record({
  keyType: fc.constantFrom('integer' as const, 'bigint' as const),
  auto: fc.boolean(),
  fk: fc.constantFrom(null, 'cascade' as const, 'set null' as const, 'no action' as const, 'restrict' as const),
  col: fc.constantFrom('pid' as const, 'parent_id' as const),
  idx: fc.constantFrom('none' as const, 'named' as const, 'colname' as const, 'leading' as const, 'trailing' as const, 'unique' as const),
});

function fkModels(s: FkState, from?: FkState): Table[] {
  const key = () => (s.keyType === 'integer' ? integer() : bigint());
  const parent: Table = table('parent', { id: key().primaryKey({ autoIncrement: s.auto }), name: text() });
  let c = key();
  if (from && from.col !== s.col) c = c.aka(from.col);
  if (s.fk) c = c.references(() => parent.columns.id, { onDelete: s.fk });
  const indexes = s.idx === 'named' ? [index('child_p_idx').on(s.col)] : s.idx === 'colname' ? [index(s.col).on(s.col)]
    : s.idx === 'leading' ? [index('child_lead').on(s.col, 'id')] : s.idx === 'trailing' ? [index('child_trail').on('id', s.col)] : [];
  const child = table('child', { id: integer().primaryKey(), [s.col]: c }, { indexes, unique: s.idx === 'unique' ? [[s.col]] : [] });
  return [parent, child];
}

describe('MySQL: foreign keys, their indexes and key types (property)', { skip: SKIP }, () => {
  const runs = Number(process.env.EVOLVE_MYSQL_FK_RUNS ?? 40);
  it(`evolving any parent/child pair to any other keeps the rows and leaves nothing to do (${runs} runs)`, { timeout: 20 * 60_000 }, async (t) => {
    if (await serverProblem('mysql')) return mysql(t, async () => undefined);
    await fc.assert(fc.asyncProperty(fkStateArb, fkStateArb, async (a, b) => {
      const db = await freshDatabase('mysql');
      try {
        await evolveTo(db, fkModels(a));
        await db.exec("INSERT INTO parent (id, name) VALUES (1, 'a'), (2, 'b')");
        await db.exec(`INSERT INTO child (id, ${a.col}) VALUES (10, 1), (20, 2), (30, NULL)`);
        await evolveTo(db, fkModels(b, a), { allowDataLoss: true });
        assert.deepEqual(await rows(db, `SELECT id, ${b.col} AS p FROM child ORDER BY id`), [{ id: '10', p: '1' }, { id: '20', p: '2' }, { id: '30', p: null }]);
      } finally { await db.dispose(); }
    }), { numRuns: runs, seed: Number(process.env.EVOLVE_PROPERTY_SEED ?? 7) });
  });
});

describe('MySQL: every type changes to every other in place', { skip: SKIP }, () => {
  const types: [string, () => ColumnBuilder][] = [
    ['integer', integer], ['bigint', bigint], ['real', real], ['decimal(8,2)', () => decimal(8, 2)], ['text', text],
    ['varchar(36)', () => varchar(36)], ['boolean', boolean], ['date', date], ['timestamp', timestamp],
    ['timestamptz', () => timestamp({ withTimeZone: true })], ['json', json], ['bytes', bytes], ['uuid', uuid], ['mediumtext', () => rawType('mediumtext')],
  ];
  const model = (make: () => ColumnBuilder) => [table('tc', { id: integer().primaryKey(), v: make() }, { indexes: [index('tc_v').on('v', 'id')] })];
  for (const [from, makeFrom] of types) {
    it(`${from} → each other type and back (NULLs only)`, (t) => mysql(t, async (db) => {
      await evolveTo(db, model(makeFrom));
      await db.exec('INSERT INTO tc (id, v) VALUES (1, NULL)');
      for (const [to, makeTo] of types) {
        if (to === from) continue;
        await evolveTo(db, model(makeTo));
        await evolveTo(db, model(makeFrom));
      }
      assert.deepEqual(await rows(db, 'SELECT id, v FROM tc'), [{ id: '1', v: null }]);
    }));
  }
});

describe('MySQL: tables Evolve did not create', { skip: SKIP }, () => {
  it('hand-written SQL (int(11), quoted defaults, current_timestamp(), database-chosen names) has no false diff', (t) => mysql(t, async (db) => {
    await db.exec(`CREATE TABLE dept (
      id int(11) NOT NULL AUTO_INCREMENT,
      code varchar(10) NOT NULL,
      PRIMARY KEY (id),
      UNIQUE KEY (code)
    ) ENGINE=InnoDB DEFAULT CHARSET=latin1`); // kept as it is: models cannot state table options (reported)
    await db.exec(`CREATE TABLE emp (
      id bigint(20) NOT NULL AUTO_INCREMENT PRIMARY KEY,
      name varchar(50) NOT NULL DEFAULT 'it''s',
      path varchar(50) DEFAULT 'C:\\\\dir',
      pay decimal(10,2) NOT NULL DEFAULT '0.00',
      active tinyint(1) NOT NULL DEFAULT '1',
      created datetime NOT NULL DEFAULT current_timestamp(),
      seen timestamp NULL DEFAULT NULL,
      doc json,
      dept_id int(11),
      boss_id bigint(20),
      KEY (name),
      UNIQUE (path, pay),
      FOREIGN KEY (dept_id) REFERENCES dept (id) ON DELETE CASCADE,
      FOREIGN KEY (boss_id) REFERENCES emp (id)
    )`);
    const dept = table('dept', { id: integer().primaryKey({ autoIncrement: true }), code: varchar(10).notNull().unique() });
    const emp: Table = table('emp', {
      id: bigint().primaryKey({ autoIncrement: true }),
      name: varchar(50).notNull().default("it's"),
      path: varchar(50).default('C:\\dir'),
      pay: decimal(10, 2).notNull().default(0),
      active: boolean().notNull().default(true),
      created: timestamp().notNull().default(sql`CURRENT_TIMESTAMP`),
      seen: timestamp({ withTimeZone: true }),
      doc: json(),
      dept_id: integer().references(() => dept.columns.id, { onDelete: 'cascade' }),
      boss_id: bigint().references(() => emp.columns.id),
    }, { unique: [['path', 'pay']], indexes: [index('name').on('name')] });
    const report = await planEvolution({ db: db.url, models: [dept, emp] });
    assert.deepEqual(report.changes, [], 'no false diff');
    assert.equal(report.inSync, true);
    // The models cannot state dept's latin1 charset: it is kept, and said so.
    assert.deepEqual(report.unmanaged, ['option charset=latin1 of table dept (not in the models: kept as it is)', 'option collation=latin1_swedish_ci of table dept (not in the models: kept as it is)']);
    assert.equal(report.liveFingerprint, report.targetFingerprint);
    assert.notEqual(report.liveFingerprint, await modelsFingerprint([dept, emp], 'mysql'), 'the option is part of the fingerprint');
    // The database's own names are kept for what the plan must address.
    const live = await inspect(db.url);
    assert.deepEqual(live.tables.find((x) => x.name === 'emp')!.foreignKeys.map((f) => f.name).sort(), ['emp_ibfk_1', 'emp_ibfk_2']);
  }));

  it('keeps unknown types as raw text, round-tripping', (t) => mysql(t, async (db) => {
    await db.exec("CREATE TABLE odd (id int NOT NULL PRIMARY KEY, m mediumint(9) DEFAULT '3', e enum('a','b') DEFAULT 'a', f float, y year(4), lt longtext, b blob)");
    const odd = table('odd', { id: integer().primaryKey(), m: rawType('mediumint').default(3), e: rawType("enum('a','b')").default('a'), f: rawType('float'), y: rawType('year'), lt: rawType('longtext'), b: rawType('blob') });
    assert.equal((await planEvolution({ db: db.url, models: [odd] })).inSync, true);
    const db2 = await freshMysql();
    try { await evolveTo(db2, [odd]); } finally { await db2.dispose(); }
  }));

  it('escapes awkward and long names', (t) => mysql(t, async (db) => {
    const long = 'c'.repeat(30);
    const weird = table("we`ird 'name'", { id: integer().primaryKey(), [long]: integer(), [`${long}2`]: integer(), "it's": text().default("a'b\\c") },
      { indexes: [index().on(long, `${long}2`)] });
    await evolveTo(db, [weird]);
  }));
});

/** A fresh database with a given default charset (the harness creates utf8mb4 ones). */
async function freshMysql(charset?: string): Promise<TestDatabase & { name: string }> {
  const mysql2 = await import('mysql2/promise');
  const name = `evolve_t_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = await mysql2.createConnection({ uri: MYSQL_URL, multipleStatements: true });
  await admin.query(`CREATE DATABASE \`${name}\`${charset ? ` CHARACTER SET ${charset}` : ''}`);
  await admin.query(`USE \`${name}\``);
  const u = new URL(MYSQL_URL);
  u.pathname = '/' + name;
  return {
    dialect: 'mysql', url: u.toString(), name,
    async exec(s) { await admin.query(s); },
    async query(s) { const [r] = await admin.query(s); return r as Record<string, unknown>[]; },
    async dispose() { try { await admin.query(`DROP DATABASE \`${name}\``); } finally { await admin.end(); } },
  };
}

describe('MySQL: fingerprints ignore the database\'s charset and name', { skip: SKIP }, () => {
  it('latin1 and utf8mb4 databases give the same fingerprint', async (t) => {
    if (await serverProblem('mysql')) return mysql(t, async () => undefined);
    const latin = await freshMysql('latin1');
    const utf = await freshMysql('utf8mb4 COLLATE utf8mb4_unicode_ci');
    try {
      const models = allFeatures();
      await evolveTo(latin, models);
      await evolveTo(utf, models);
      const a = (await fingerprintDatabase(latin.url)).fingerprint;
      assert.equal(a, (await fingerprintDatabase(utf.url)).fingerprint);
      assert.equal(a, await modelsFingerprint(models, 'mysql'));
      assert.notEqual(latin.name, utf.name);
      // Tables the models create are utf8mb4 whatever the database's default.
      const charsets = await latin.query(`SELECT DISTINCT TABLE_COLLATION AS c FROM information_schema.TABLES WHERE TABLE_SCHEMA = '${latin.name}'`);
      assert.deepEqual(charsets.map((r) => String(r.c).split('_')[0]), ['utf8mb4']);
    } finally { await latin.dispose(); await utf.dispose(); }
  });

  it('ALTER DATABASE … CHARACTER SET under existing tables moves no fingerprint; new tables still match the models', async (t) => {
    if (await serverProblem('mysql')) return mysql(t, async () => undefined);
    const db = await freshMysql('utf8mb4');
    try {
      const models = allFeatures();
      await evolveTo(db, models);
      const before = (await fingerprintDatabase(db.url)).fingerprint;
      await db.exec(`ALTER DATABASE \`${db.name}\` CHARACTER SET latin1 COLLATE latin1_swedish_ci`);
      assert.equal((await fingerprintDatabase(db.url)).fingerprint, before, 'the database default is not part of the schema');
      assert.equal((await planEvolution({ db: db.url, models })).inSync, true, 'nothing to convert');
      const more = [...models, table('added_later', { id: integer().primaryKey(), note: varchar(20) })];
      await evolveTo(db, more);
      assert.equal((await fingerprintDatabase(db.url)).fingerprint, await modelsFingerprint(more, 'mysql'));
      // A charset the database holds for real is part of the schema, database default or not.
      await db.exec('ALTER TABLE added_later CONVERT TO CHARACTER SET latin1');
      const live = (await inspect(db.url)).tables.find((x) => x.name === 'added_later')!;
      assert.deepEqual(live.options, { charset: 'latin1', collation: 'latin1_swedish_ci' });
    } finally { await db.dispose(); }
  });

  it('connections create tables InnoDB whatever the server\'s default engine', (t) => mysql(t, async (db) => {
    const conn = await connect(db, false);
    try {
      assert.deepEqual(await conn.query('SELECT @@SESSION.default_storage_engine AS e'), [{ e: 'InnoDB' }]);
    } finally { await conn.close(); }
  }));
});

describe('MySQL: lossy conversions are found in the data', { skip: SKIP }, () => {
  type T = Parameters<typeof normaliseMysqlDefault>[0];
  const dec = (precision: number, scale: number): T => ({ kind: 'decimal', precision, scale });
  const cases: { from: T; to: T; values: string[]; lossy: string[] }[] = [
    { from: { kind: 'text' }, to: { kind: 'integer' }, values: ['12', ' -3 ', 'abc', '1.5', '99999999999', '2147483647'], lossy: ['abc', '1.5', '99999999999'] },
    // Strings whose CAST would warn (and so fail the UPDATE under strict mode), edges of the range.
    { from: { kind: 'varchar', length: 100 }, to: { kind: 'integer' },
      values: ['+3', '-0', '00012', '-2147483648', '2147483648', '-2147483649', '3.0', '1e5', '', '1,000', '12abc', '42\n', '1' + '0'.repeat(40), '0'.repeat(60) + '7'],
      lossy: ['2147483648', '-2147483649', '3.0', '1e5', '', '1,000', '12abc', '42\n', '1' + '0'.repeat(40)] },
    { from: { kind: 'varchar', length: 100 }, to: { kind: 'bigint' },
      values: ['9223372036854775807', '9223372036854775808', '-9223372036854775808', '-9223372036854775809', '99999999999999999999'],
      lossy: ['9223372036854775808', '-9223372036854775809', '99999999999999999999'] },
    { from: { kind: 'bigint' }, to: { kind: 'integer' }, values: ['5', '3000000000'], lossy: ['3000000000'] },
    { from: { kind: 'varchar', length: 50 }, to: { kind: 'varchar', length: 3 }, values: ['abc', 'héé', 'abcd'], lossy: ['abcd'] },
    { from: dec(10, 3), to: dec(5, 2), values: ['1.250', '999.99', '1.255', '1000.000'], lossy: ['1.255', '1000.000'] },
    { from: { kind: 'text' }, to: dec(4, 1), values: ['1.5', 'x', '123.4', '1234'], lossy: ['x', '1234'] },
    { from: { kind: 'text' }, to: dec(10, 2),
      values: ['12.340', '.5', '5.', '1e5', '1.5e1', '1500e-2', '99999999.99', '100000000', '1.555', '1e400', '1e35', '1.5e-30', '0.' + '0'.repeat(40) + '1', '-', '.', '0x10', '3 4'],
      lossy: ['100000000', '1.555', '1e400', '1e35', '1.5e-30', '0.' + '0'.repeat(40) + '1', '-', '.', '0x10', '3 4'] },
    { from: { kind: 'text' }, to: dec(3, 3), values: ['0.999', '.5', '1', '0.0001', '-0.5'], lossy: ['1', '0.0001'] },
    { from: { kind: 'text' }, to: { kind: 'real' }, values: ['1.5', '-2e10', '1e308', '1.7e308', '1.8e308', '1e400', '1e-330', 'nan', '1e-300'], lossy: ['1.8e308', '1e400', '1e-330', 'nan'] },
    { from: { kind: 'text' }, to: { kind: 'boolean' }, values: ['0', '1', 'yes'], lossy: ['yes'] },
    { from: { kind: 'text' }, to: { kind: 'date' }, values: ['2020-01-31', '2020-02-30', 'soon'], lossy: ['2020-02-30', 'soon'] },
    { from: { kind: 'varchar', length: 40 }, to: { kind: 'date' },
      values: ['2024-01-02', '2024-1-2', ' 2024-01-02 ', '2024-13-45', '2024-02-29', '2023-02-29', '2000-02-29', '1900-02-29', '2024-04-31', '2024-01-32',
        '0000-00-00', '2024-00-10', '2024-01-00', '0001-01-01', '9999-12-31', '2024-01-02 10:00:00', '20240102', '2024/01/02', '2024-01-02x', '2024-01-02\n', ''],
      lossy: ['2024-13-45', '2023-02-29', '1900-02-29', '2024-04-31', '2024-01-32', '0000-00-00', '2024-00-10', '2024-01-00', '2024-01-02 10:00:00',
        '20240102', '2024/01/02', '2024-01-02x', '2024-01-02\n', ''] },
    { from: { kind: 'text' }, to: { kind: 'timestamp', withTimeZone: false }, values: ['2020-01-31 10:11:12', 'later'], lossy: ['later'] },
    { from: { kind: 'varchar', length: 40 }, to: { kind: 'timestamp', withTimeZone: false },
      values: ['2024-01-02', '2024-01-02 10', '2024-01-02 1:2:3', '2024-01-02T10:00:00', '2024-01-02  10:00:00.123', '2024-01-02 10:00:00.',
        '2024-01-02 24:00:00', '2024-01-02 23:60:00', '2024-01-02 10:00:60', '2024-01-02t10:00', '2024-01-02T 10:00', '2024-01-02 10:00:00Z',
        '2024-01-02 10:00:00+02:00', '2024-02-30 10:00:00', '2024-01-02 10:00:00 PM'],
      lossy: ['2024-01-02 24:00:00', '2024-01-02 23:60:00', '2024-01-02 10:00:60', '2024-01-02t10:00', '2024-01-02T 10:00', '2024-01-02 10:00:00Z',
        '2024-01-02 10:00:00+02:00', '2024-02-30 10:00:00', '2024-01-02 10:00:00 PM'] },
    { from: { kind: 'varchar', length: 40 }, to: { kind: 'timestamp', withTimeZone: true },
      values: ['2024-01-02 10:00:00', '1960-01-01 00:00:00', '2040-01-01', '1970-01-01 00:00:00', '2038-01-19 03:14:08', 'x'],
      lossy: ['1960-01-01 00:00:00', '2040-01-01', '1970-01-01 00:00:00', '2038-01-19 03:14:08', 'x'] },
    { from: { kind: 'timestamp', withTimeZone: false }, to: { kind: 'date' }, values: ['2020-01-31 00:00:00', '2020-01-31 10:00:00'], lossy: ['2020-01-31 10:00:00'] },
    { from: { kind: 'text' }, to: { kind: 'json' }, values: ['{"a": 1}', '[1', '3'], lossy: ['[1'] },
    { from: { kind: 'text' }, to: { kind: 'uuid' }, values: ['123e4567-e89b-12d3-a456-426614174000', 'nope', '123e4567-e89b-12d3-a456-426614174000\n'], lossy: ['nope', '123e4567-e89b-12d3-a456-426614174000\n'] },
    { from: { kind: 'real' }, to: { kind: 'integer' }, values: ['2', '2.5'], lossy: ['2.5'] },
  ];
  for (const c of cases) {
    it(`${JSON.stringify(c.from)} → ${JSON.stringify(c.to)}: counted, set to NULL strict mode or not, the rest converted`, (t) => mysql(t, async (db) => {
      const col = (type: T) => ({ name: 'v', type, nullable: true, default: null, autoIncrement: false });
      const pred = mysqlDialect.lossyValuePredicate('`v`', col(c.from), col(c.to));
      assert.ok(typeof pred === 'string', 'a predicate');
      await db.exec(`CREATE TABLE conv (id int AUTO_INCREMENT PRIMARY KEY, v ${mysqlSql.type(c.from)} NULL)`);
      for (const v of [...c.values, null]) await db.exec(`INSERT INTO conv (v) VALUES (${v === null ? 'NULL' : mysqlString(v)})`);
      const flagged = (await rows(db, `SELECT CAST(v AS CHAR) AS v FROM conv WHERE v IS NOT NULL AND (${pred}) ORDER BY id`)).map((r) => r.v);
      assert.deepEqual(flagged, c.lossy);
      // What the planner runs under consent: the predicate raises no warning that strict mode
      // would turn into an error, and every value it leaves converts.
      // Strict mode or not, the same values go.
      await db.exec('CREATE TABLE conv2 AS SELECT * FROM conv');
      for (const [mode, name] of [['STRICT_ALL_TABLES', 'conv'], ['', 'conv2']] as const) {
        await db.exec(`SET SESSION sql_mode = '${mode}'`);
        await db.exec(`UPDATE ${name} SET v = NULL WHERE v IS NOT NULL AND (${pred})`);
        await db.exec(`ALTER TABLE ${name} MODIFY COLUMN v ${mysqlSql.type(c.to)} NULL`);
        const kept = (await rows(db, `SELECT id FROM ${name} WHERE v IS NOT NULL ORDER BY id`)).map((r) => c.values[Number(r.id) - 1]);
        assert.deepEqual(kept, c.values.filter((v) => !c.lossy.includes(v)), `sql_mode '${mode}'`);
      }
      const converted = (name: string) => rows(db, `SELECT id, CAST(v AS CHAR) AS v FROM ${name} ORDER BY id`);
      assert.deepEqual(await converted('conv2'), await converted('conv'), 'without strict mode no value is converted otherwise');
    }));
  }
});

describe('MySQL: runs without transactional DDL', { skip: SKIP }, () => {
  it('a failing statement in the middle says exactly what ran and what did not', (t) => mysql(t, async (db) => {
    const models = [
      table('t1', { id: integer().primaryKey() }),
      table('t2', { id: integer().primaryKey(), x: rawType('no_such_type') }),
      table('t3', { id: integer().primaryKey() }),
    ];
    const planned = await planEvolution({ db: db.url, models });
    assert.deepEqual(planned.statements.map((s) => s.inTransaction), [false, false, false], 'no MySQL statement runs in a transaction');
    let err: unknown;
    try { await applyEvolution({ db: db.url, models }); } catch (e) { err = e; }
    assert.ok(isEvolveError(err) && err.code === 'E_SQL_FAILED', String(err));
    assert.match(err.message, /^Statement 2 of 3 failed: /);
    assert.match(err.message, /CREATE TABLE `t2`/);
    assert.match(err.message, /statement 1 ran and stays applied; statement 2 failed; statement 3 did not run\./);
    // Each statement that ran and each that did not is listed with its purpose and SQL.
    assert.match(err.message, /\nRan \(still applied\):\n {2}1\. \(create table t1\) CREATE TABLE `t1` \(/);
    assert.match(err.message, /\nDid not run:\n {2}3\. \(create table t3\) CREATE TABLE `t3` \(/);
    const numbered = (x: unknown) => (x as { number: number; sql: string }[]).map((s) => `${s.number} ${s.sql.slice(0, 18)}`);
    assert.deepEqual({ executed: numbered(err.details!.executed), notRun: numbered(err.details!.notRun), failed: (err.details!.failed as { number: number }).number },
      { executed: ['1 CREATE TABLE `t1` '], notRun: ['3 CREATE TABLE `t3` '], failed: 2 });
    assert.deepEqual((await rows(db, 'SHOW TABLES')).map((r) => Object.values(r)[0]), ['t1']);
    // Apply again after fixing the model: the plan starts from what the database holds now.
    const fixed = [models[0]!, table('t2', { id: integer().primaryKey(), x: text() }), models[2]!];
    const r = await evolveTo(db, fixed);
    assert.equal(r.statements.length, 2);
  }));

  it('names the statements that ran and did not, wherever the failure is (no database)', async () => {
    const plan = (n: number) => ({ dialect: 'mysql' as const, changes: [], renames: [], hazards: [], checks: [], foreignKeysOff: false,
      statements: Array.from({ length: n }, (_, i) => ({ sql: `S${i + 1}`, comment: '', inTransaction: false })) });
    const failingAt = (k: number): Connection => ({ dialect: 'mysql', displayUrl: 'x', close: async () => undefined, query: async () => [],
      execute: async (s: string) => { if (s === `S${k}`) throw new Error('boom'); } });
    const message = async (n: number, k: number): Promise<string> => {
      try { await mysqlDialect.run(failingAt(k), plan(n).statements); } catch (e) { return (e as Error).message; }
      return 'no error';
    };
    assert.match(await message(3, 1), /no statement ran before it; statement 1 failed; statements 2, 3 did not run\.\nDid not run:\n {2}2\. S2\n {2}3\. S3$/);
    assert.match(await message(5, 5), /statements 1–4 ran and stay applied; statement 5 failed; it was the last one\.\nRan \(still applied\):\n {2}1\. S1\n {2}2\. S2\n {2}3\. S3\n {2}4\. S4$/);
    // A long plan keeps both ends of each list readable; the details hold every statement.
    let long: unknown;
    try { await mysqlDialect.run(failingAt(50), plan(100).statements); } catch (e) { long = e; }
    assert.ok(isEvolveError(long));
    assert.match(long.message, /\n {2}10\. S10\n {2}… 29 more \(every statement is in the error's details\)\n {2}40\. S40\n/);
    assert.equal((long.details!.executed as unknown[]).length, 49);
    assert.deepEqual((long.details!.notRun as { number: number; sql: string }[])[0], { number: 51, sql: 'S51' });
    let verified = 0;
    await mysqlDialect.run(failingAt(0), plan(2).statements, { beforeCommit: async () => { verified++; } });
    assert.equal(verified, 1, 'beforeCommit runs once, after the last statement');
  });

  it('narrowing with consent cuts the values first (strict mode would refuse them)', (t) => mysql(t, async (db) => {
    await evolveTo(db, [table('s', { id: integer().primaryKey(), v: varchar(20) })]);
    await db.exec("INSERT INTO s VALUES (1, 'much too long')");
    const r = await evolveTo(db, [table('s', { id: integer().primaryKey(), v: varchar(3) })], { allowDataLoss: true });
    assert.ok(r.statements.some((s) => /^UPDATE `s` SET `v` = LEFT\(`v`, 3\) WHERE/.test(s.sql)), 'the cut is a statement of the plan');
    assert.deepEqual(await rows(db, 'SELECT v FROM s'), [{ v: 'muc' }]);
  }));
});

describe('MySQL: connections', { skip: SKIP }, () => {
  it('a wrong password is E_DB_CONNECT and never shown', async () => {
    const u = new URL(MYSQL_URL);
    u.username = 'evolve_nobody';
    u.password = 'S3cret-Pw!';
    await assert.rejects(fingerprintDatabase(u.toString()), (e: unknown) => {
      assert.ok(isEvolveError(e) && e.code === 'E_DB_CONNECT', String(e));
      assert.doesNotMatch(JSON.stringify(e.toJSON()) + String(e.stack), /S3cret/);
      return true;
    });
    await assert.rejects(fingerprintDatabase('mysql://someone:S3cret-Pw@127.0.0.1:1/x'), (e: unknown) => isEvolveError(e) && e.code === 'E_DB_CONNECT' && !/S3cret/.test(e.message));
  });

  it('read-only connections change nothing', (t) => mysql(t, async (db) => {
    const conn = await connect(db, true);
    try {
      await assert.rejects(conn.execute('CREATE TABLE x (id int)'), /READ ONLY/i);
      assert.deepEqual(await conn.query('SELECT 1 AS one'), [{ one: 1 }]);
    } finally { await conn.close(); }
    // A database that does not exist: test/behaviour/missing-database.test.ts.
  }));

  it('introspection runs a constant number of queries, whatever the number of tables', (t) => mysql(t, async (db) => {
    const count = async (): Promise<number> => {
      const conn = await connect(db, true);
      let n = 0;
      const reader = await (conn as MysqlConnection).catalogReader!();
      assert.ok(reader, 'a catalog reader opens beside the connection');
      const counting: Connection = {
        ...conn,
        query: (s, p) => { n++; return conn.query(s, p); },
        catalogReader: async () => ({ query: (s: string, p?: readonly unknown[]) => { n++; return reader.query(s, p); } }),
      } as MysqlConnection;
      try { await introspectMysql(counting); } finally { await conn.close(); }
      return n;
    };
    await db.exec('CREATE TABLE one (id int PRIMARY KEY)');
    const few = await count();
    for (let i = 0; i < 25; i++) await db.exec(`CREATE TABLE t${i} (id int PRIMARY KEY, v varchar(10) UNIQUE, p int, KEY (v, p), FOREIGN KEY (p) REFERENCES one (id))`);
    assert.equal(await count(), few);
    assert.ok(few <= 14, `${few} queries`);
  }));

  it('introspection reads on a second connection (read-only when the first is), closed with it; without one it reads the same', (t) => mysql(t, async (db) => {
    await evolveTo(db, allFeatures());
    await db.exec('CREATE VIEW v_dept AS SELECT id, code FROM dept');
    const conn = await connect(db, true) as MysqlConnection;
    let readerId = 0;
    try {
      const reader = (await conn.catalogReader!())!;
      readerId = Number((await reader.query('SELECT CONNECTION_ID() AS id'))[0]!.id);
      const ownId = Number((await conn.query('SELECT CONNECTION_ID() AS id'))[0]!.id);
      assert.notEqual(readerId, ownId, 'the reader is a connection of its own');
      await assert.rejects(reader.query('CREATE TABLE reader_wrote (id int)'), /READ ONLY/i);
      // The same schema read with the reader, and without one (every query on the connection).
      const both = await introspectMysql(conn);
      const alone = await introspectMysql({ ...conn, catalogReader: undefined } as MysqlConnection);
      assert.deepEqual(both, alone);
      assert.ok(both.tables.some((x) => x.name === 'dept') && both.objects?.some((o) => o.name === 'v_dept'));
      // A reader that dies (killed by the server, say): the queries it fails run on the connection.
      await db.exec(`KILL ${readerId}`);
      assert.deepEqual(await introspectMysql(conn), alone);
      // ... and the next reader is a new connection.
      const next = (await conn.catalogReader!())!;
      const killed = readerId;
      readerId = Number((await next.query('SELECT CONNECTION_ID() AS id'))[0]!.id);
      assert.notEqual(readerId, killed);
      assert.deepEqual(await introspectMysql(conn), alone);
    } finally { await conn.close(); }
    // Closing the connection closes its reader.
    let open = 1;
    for (let i = 0; i < 50 && open > 0; i++) {
      open = (await db.query(`SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE ID = ${readerId}`)).map((r) => Number(r.n))[0]!;
      if (open > 0) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(open, 0, 'the reader is closed with its connection');
    assert.deepEqual(await db.query("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'reader_wrote'"), []);
  }));

  it('the differ sees no change between the models and their own normal form', () => {
    const d = desiredSchema(allFeatures(), mysqlDialect);
    assert.deepEqual(diffSchemas(d, d).changes, []);
    assert.match(fingerprint(d), /^fv1:/);
  });
});

// ---------------------------------------------------------------------------------------------
// Objects beyond tables and the column/table attributes real schemas use (issue 7).

const SAKILA = join(ROOT, 'test', 'fixtures', 'mysql', 'sakila-like');

/** Write `text` as a .sql models file and return its path. */
function sqlFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'evolve-mysql-sql-'));
  const file = join(dir, 'schema.sql');
  writeFileSync(file, text);
  return file;
}

/**
 * Apply a SQL schema file and check what every apply must guarantee (the live fingerprint is
 * the file's, a second plan finds nothing to do); returns the fingerprint.
 */
async function evolveToSql(db: TestDatabase, text: string, options: { allowDataLoss?: boolean } = {}): Promise<string> {
  const models = sqlFile(text);
  const report = await applyEvolution({ db: db.url, models, ...options });
  const again = await planEvolution({ db: db.url, models });
  assert.deepEqual(again.statements.map((s) => s.sql), [], `a second plan finds nothing to do after:\n${report.statements?.map((s) => s.sql).join('\n') ?? ''}`);
  assert.equal(again.inSync, true);
  assert.equal((await fingerprintDatabase(db.url)).fingerprint, report.fingerprintAfter);
  return report.fingerprintAfter;
}

/** Load SQL straight into the test database (not through Evolve), statement by statement. */
async function load(db: TestDatabase, text: string): Promise<void> {
  for (const s of splitSql(text)) await db.exec(s);
}

/** Each step's schema is applied in turn: every fingerprint differs, nothing is left to do after each. */
async function steps(db: TestDatabase, ...schemas: string[]): Promise<string[]> {
  const fps: string[] = [];
  for (const s of schemas) fps.push(await evolveToSql(db, s));
  assert.equal(new Set(fps).size, fps.length, `each step changes the fingerprint: ${fps.join(', ')}`);
  return fps;
}

describe('MySQL objects and attributes (no database)', () => {
  it('keeps ENUM and SET value lists exactly, in one quoting', () => {
    assert.deepEqual(parseMysqlType("ENUM('G', 'PG-13','it''s','a,b', 'Back\\\\slash')"), { kind: 'raw', sql: "enum('G','PG-13','it''s','a,b','Back\\\\slash')" });
    assert.deepEqual(parseMysqlType("set('Trailers','Deleted  Scenes')"), { kind: 'raw', sql: "set('Trailers','Deleted  Scenes')" });
    assert.deepEqual(parseMysqlType('smallint(5) unsigned'), { kind: 'raw', sql: 'smallint unsigned' });
    assert.deepEqual(parseMysqlType('int(6) unsigned zerofill'), { kind: 'raw', sql: 'int(6) unsigned zerofill' });
  });

  it('finds the values an ENUM/SET narrowing loses', () => {
    const col = (sql: string) => ({ name: 'c', type: { kind: 'raw', sql } as const, nullable: true, default: null, autoIncrement: false });
    assert.equal(mysqlLossyPredicate('`c`', col("enum('a','b')"), col("enum('a','b','c')")), null);
    assert.equal(mysqlLossyPredicate('`c`', col("enum('a','b','c')"), col("enum('c','a')")), "`c` IN ('b')");
    assert.equal(mysqlLossyPredicate('`c`', col("set('a','b')"), col("set('a')")), "FIND_IN_SET('b', `c`) > 0");
    assert.equal(mysqlLossyPredicate('`c`', { ...col(''), type: { kind: 'varchar', length: 5 } }, col("enum('x')")), "`c` NOT IN ('x')");
  });

  it('strips the database qualifier from definitions, never inside strings', () => {
    assert.equal(stripDatabaseQualifier("select `db`.`t`.`a` AS `a` from `db`.`t` where `b` = '`db`.x'", 'db'), "select `t`.`a` AS `a` from `t` where `b` = '`db`.x'");
    assert.equal(stripDatabaseQualifier('select a from db.t join db2.u', 'db'), 'select a from t join db2.u');
  });

  it('keeps objects and unmanaged through normalisation; drops MariaDB json_valid checks', () => {
    const schema = normaliseMysql({
      dialect: 'mysql',
      tables: [{ name: 't', columns: [{ name: 'j', type: { kind: 'json' }, nullable: true, default: null, autoIncrement: false, collation: 'utf8mb4_bin' }],
        primaryKey: null, uniques: [], indexes: [], foreignKeys: [], checks: [{ name: 'j', expression: 'json_valid(`j`)' }, { name: 'c', expression: '(`j` IS NOT NULL)' }] }],
      objects: [{ kind: 'view', name: 'v', table: null, definition: 'select 1', create: ['CREATE VIEW `v` AS select 1'], drop: ['DROP VIEW `v`'] }],
      unmanaged: [{ kind: 'procedure', name: 'p' }],
    });
    assert.equal(schema.objects?.length, 1);
    assert.deepEqual(schema.unmanaged, [{ kind: 'procedure', name: 'p' }]);
    assert.deepEqual(schema.tables[0]!.checks, [{ name: 'c', expression: '`j` is not null' }]);
    assert.equal(schema.tables[0]!.columns[0]!.collation, undefined);
  });
});

describe('MySQL: objects and attributes, applied and evolved', { skip: SKIP }, () => {
  const base = (cols: string, extra = '', opts = ''): string => `CREATE TABLE film (\n  id int NOT NULL PRIMARY KEY,\n  title varchar(50) NOT NULL,\n  ${cols}${extra ? `,\n  ${extra}` : ''}\n)${opts};\n`;

  it('ON UPDATE CURRENT_TIMESTAMP: kept, added and removed (never lost when Evolve creates a table)', (t) => mysql(t, async (db) => {
    await steps(db,
      base('last_update timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP'),
      base('last_update timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP'),
      base('last_update datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)'));
    const col = (await inspect(db.url)).tables.find((x) => x.name === 'film')!.columns.find((c) => c.name === 'last_update')!;
    assert.equal(col.onUpdate, 'CURRENT_TIMESTAMP(3)');
    await db.exec("INSERT INTO film (id, title, last_update) VALUES (1, 'a', '2000-01-01 00:00:00')");
    await db.exec("UPDATE film SET title = 'b' WHERE id = 1");
    assert.notEqual(String((await db.query('SELECT last_update FROM film'))[0]!.last_update).slice(0, 4), '2000', 'the database still sets it on update');
  }));

  it('ENUM and SET: created, values added, reordered, a member renamed when unused', (t) => mysql(t, async (db) => {
    await steps(db,
      base("rating enum('G','PG','PG-13') NOT NULL DEFAULT 'G', features set('Trailers','Deleted Scenes')"),
      base("rating enum('G','PG','PG-13','R') NOT NULL DEFAULT 'G', features set('Trailers','Deleted Scenes','It''s')"),
      base("rating enum('R','G','PG','PG-13') NOT NULL DEFAULT 'PG', features set('Trailers','Deleted Scenes','It''s')"));
    const live = await inspect(db.url);
    assert.deepEqual(live.tables[0]!.columns.find((c) => c.name === 'rating')!.type, { kind: 'raw', sql: "enum('R','G','PG','PG-13')" });
  }));

  it('refuses an ENUM/SET narrowing that would lose used values, with a count and examples', (t) => mysql(t, async (db) => {
    await evolveToSql(db, base("rating enum('G','PG','R'), features set('a','b','c')"));
    await db.exec("INSERT INTO film VALUES (1, 'x', 'R', 'a,c'), (2, 'y', 'R', 'b'), (3, 'z', 'G', NULL)");
    await assert.rejects(applyEvolution({ db: db.url, models: sqlFile(base("rating enum('G','PG'), features set('a','b','c')")) }),
      (e: unknown) => isEvolveError(e) && e.code === 'E_DATA_LOSS' && /LOSSY_TYPE_CHANGE film\.rating.*\(2 rows\).*"R"/s.test(e.message));
    await assert.rejects(applyEvolution({ db: db.url, models: sqlFile(base("rating enum('G','PG','R'), features set('a','b')")) }),
      (e: unknown) => isEvolveError(e) && e.code === 'E_DATA_LOSS' && /film\.features.*\(1 row\)/s.test(e.message));
    // Removing an unused value goes through.
    await evolveToSql(db, base("rating enum('G','R'), features set('a','b','c')"));
    assert.deepEqual(await rows(db, 'SELECT rating FROM film ORDER BY id'), [{ rating: 'R' }, { rating: 'R' }, { rating: 'G' }]);
  }));

  it('UNSIGNED and ZEROFILL integers round-trip and change', (t) => mysql(t, async (db) => {
    await steps(db,
      base('a tinyint unsigned NOT NULL DEFAULT 3, b int(6) unsigned zerofill, c bigint unsigned, d decimal(5,2) unsigned'),
      base('a smallint unsigned NOT NULL DEFAULT 3, b int(8) unsigned zerofill, c bigint, d decimal(5,2) unsigned'));
  }));

  it('table engine, charset and collation, and column collations: created, changed, back to the defaults', (t) => mysql(t, async (db) => {
    const fps = await steps(db,
      base('note varchar(20), code varchar(10) COLLATE utf8mb4_bin'),
      base('note varchar(20), code varchar(10) COLLATE utf8mb4_bin', '', ' DEFAULT CHARSET=latin1 COLLATE=latin1_general_ci'),
      base('note varchar(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci, code varchar(10) COLLATE latin1_bin', '', ' ENGINE=MyISAM DEFAULT CHARSET=latin1'),
      base('note varchar(20), code varchar(10)'));
    const live = await inspect(db.url);
    assert.equal(live.tables[0]!.options, undefined, 'back to the database defaults');
    assert.ok(fps.length === 4);
    await db.exec("INSERT INTO film VALUES (1, 'Amélie', 'é', 'x')");
    await evolveToSql(db, base('note varchar(20), code varchar(10)', '', ' DEFAULT CHARSET=latin1'));
    assert.deepEqual(await rows(db, 'SELECT title, note FROM film'), [{ title: 'Amélie', note: 'é' }], 'CONVERT TO keeps the text');
    const opts = (await inspect(db.url)).tables[0]!.options;
    assert.equal(opts?.charset, 'latin1');
  }));

  it('generated columns: stored and virtual, created, expression changed, storage changed, dropped', (t) => mysql(t, async (db) => {
    await evolveToSql(db, base('price decimal(6,2) NOT NULL DEFAULT 1.00, qty int NOT NULL DEFAULT 1'));
    await db.exec("INSERT INTO film (id, title, price, qty) VALUES (1, 'x', 2.50, 4)");
    const fps = await steps(db,
      base('price decimal(6,2) NOT NULL DEFAULT 1.00, qty int NOT NULL DEFAULT 1, total decimal(8,2) AS (price * qty) STORED, shout varchar(60) AS (upper(title)) VIRTUAL', 'KEY total_idx (total)'),
      base('price decimal(6,2) NOT NULL DEFAULT 1.00, qty int NOT NULL DEFAULT 1, total decimal(8,2) AS (price * qty * 2) STORED, shout varchar(60) AS (lower(title)) VIRTUAL', 'KEY total_idx (total)'),
      base('price decimal(6,2) NOT NULL DEFAULT 1.00, qty int NOT NULL DEFAULT 1, total decimal(8,2) AS (price * qty * 2) VIRTUAL, shout varchar(60) AS (lower(title)) STORED', 'KEY total_idx (total)'));
    assert.equal(fps.length, 3);
    const gen = (await inspect(db.url)).tables[0]!.columns.find((c) => c.name === 'total')!.generated;
    assert.equal(gen?.stored, false);
    assert.deepEqual(await rows(db, 'SELECT total, shout FROM film'), [{ total: '20.00', shout: 'x' }]);
    await evolveToSql(db, base('price decimal(6,2) NOT NULL DEFAULT 1.00, qty int NOT NULL DEFAULT 1'), { allowDataLoss: true });
  }));

  it('CHECK constraints: table- and column-level, added, changed, dropped; violations refused', (t) => mysql(t, async (db) => {
    // Written by hand: MariaDB keeps the column-level check inside the column (no DROP CONSTRAINT).
    await load(db, base('len int CHECK (len > 0), price decimal(5,2)', 'CONSTRAINT price_pos CHECK (price >= 0)'));
    await evolveToSql(db, base('len int CHECK (len > 0), price decimal(5,2)', 'CONSTRAINT price_pos CHECK (price >= 0)'));
    await db.exec("INSERT INTO film VALUES (1, 'x', 5, 1.00)");
    await steps(db,
      base('len int CHECK (len >= 0), price decimal(5,2)', 'CONSTRAINT price_pos CHECK (price >= 0), CONSTRAINT title_set CHECK (title <> \'\')'),
      base('len bigint, price decimal(5,2)', 'CONSTRAINT price_pos CHECK (price >= 0 AND price < 1000)'),
      base('len bigint, price decimal(5,2)'));
    await assert.rejects(applyEvolution({ db: db.url, models: sqlFile(base('len bigint, price decimal(5,2)', 'CONSTRAINT len_big CHECK (len > 10)')) }),
      (e: unknown) => isEvolveError(e) && /CHECK_VIOLATED|check/i.test(e.message));
  }));

  it('a column-level check survives a change of its column', (t) => mysql(t, async (db) => {
    await load(db, base('len int CHECK (len > 0)'));
    await evolveToSql(db, base('len bigint CHECK (len > 0)'));
    const live = await inspect(db.url);
    assert.deepEqual(live.tables[0]!.checks?.map((c) => c.expression), ['`len`>0']);
  }));

  it('JSON columns show no false diff (MariaDB\'s json_valid check and binary collation are its own)', (t) => mysql(t, async (db) => {
    await load(db, base('doc json, meta json NOT NULL'));
    await evolveToSql(db, base('doc json, meta json NOT NULL'));
    const live = await inspect(db.url);
    assert.equal(live.tables[0]!.checks, undefined);
    assert.ok(live.tables[0]!.columns.every((c) => c.collation === undefined));
  }));

  it('FULLTEXT, SPATIAL and prefix-length indexes are objects; they round-trip and change', (t) => mysql(t, async (db) => {
    const fps = await steps(db,
      base('body text, code varchar(100), pt point NOT NULL', 'FULLTEXT KEY ft (title, body), KEY code_pre (code(10)), KEY title_idx (title), SPATIAL KEY sp (pt)'),
      base('body text, code varchar(100), pt point NOT NULL', 'FULLTEXT KEY ft (title), KEY code_pre (code(12), title), KEY title_idx (title)'),
      base('body text, code varchar(100), pt point NOT NULL', 'KEY title_idx (title), KEY body_idx (body(255))'));
    assert.equal(fps.length, 3);
    const live = await inspect(db.url);
    assert.deepEqual(live.tables[0]!.indexes.map((i) => i.name).sort(), ['body_idx', 'title_idx']);
    await evolveToSql(db, base('body text, code varchar(100), pt point NOT NULL', 'FULLTEXT KEY ft (title, body), KEY title_idx (title)'));
    const objs = (await inspect(db.url)).objects ?? [];
    assert.deepEqual(objs.map((o) => [o.kind, o.name, o.definition]), [['index', 'film.ft', 'fulltext(`title`, `body`)']]);
    assert.ok(!(await inspect(db.url)).tables[0]!.indexes.some((i) => i.name === 'ft'), 'not also a table index');
  }));

  it('views (one on another) and triggers: created, changed, dropped; no database name in definitions', (t) => mysql(t, async (db) => {
    const schema = (view: string, trigger: string, more = ''): string => base('price decimal(5,2) NOT NULL DEFAULT 0') +
      'CREATE TABLE log (id int AUTO_INCREMENT PRIMARY KEY, msg varchar(100));\n' +
      `CREATE VIEW cheap AS ${view};\nCREATE VIEW cheap_titles AS SELECT title FROM cheap;\n${trigger}\n${more}`;
    const fps = await steps(db,
      schema('SELECT id, title FROM film WHERE price < 1', "CREATE TRIGGER film_ins AFTER INSERT ON film FOR EACH ROW INSERT INTO log (msg) VALUES (concat('new ', NEW.title));"),
      schema('SELECT id, title, price FROM film WHERE price < 2', "CREATE TRIGGER film_ins BEFORE INSERT ON film FOR EACH ROW BEGIN\n  SET NEW.title = upper(NEW.title);\n  INSERT INTO log (msg) VALUES (NEW.title);\nEND;"),
      schema('SELECT id, title, price FROM film WHERE price < 2', '', "CREATE SQL SECURITY INVOKER VIEW pricey AS SELECT * FROM film WHERE price > 10 WITH CHECK OPTION;"));
    assert.equal(fps.length, 3);
    const live = await inspect(db.url);
    const dbName = new URL(db.url).pathname.slice(1);
    for (const o of live.objects ?? []) assert.ok(!o.definition.includes(dbName), `${o.name}: ${o.definition}`);
    assert.deepEqual((live.objects ?? []).map((o) => `${o.kind}:${o.name}`).sort(), ['view:cheap', 'view:cheap_titles', 'view:pricey']);
    await db.exec("INSERT INTO film (id, title, price) VALUES (1, 'a', 1.5)");
    assert.deepEqual(await rows(db, 'SELECT title FROM cheap_titles'), [{ title: 'a' }]);
    await evolveToSql(db, base('price decimal(5,2) NOT NULL DEFAULT 0'));
    assert.equal((await inspect(db.url)).objects, undefined);
  }));

  it('a view stands through a type change of a column it reads (its text is resolved at each use), is recreated when the column is renamed, and still works', (t) => mysql(t, async (db) => {
    const schema = (col: string, sel: string): string => base(col) + `CREATE VIEW v AS SELECT id, ${sel} AS p FROM film;\nCREATE VIEW w AS SELECT p FROM v;\n`;
    await evolveToSql(db, schema('price int', 'price'));
    await db.exec("INSERT INTO film VALUES (1, 'x', 7)");
    const plan = await planEvolution({ db: db.url, models: sqlFile(schema('price decimal(6,2)', 'price')) });
    const sqls = plan.statements.map((s) => s.sql);
    assert.ok(sqls.some((s) => /MODIFY/.test(s)) && !sqls.some((s) => /VIEW/.test(s)), sqls.join('\n'));
    await evolveToSql(db, schema('price decimal(6,2)', 'price'));
    assert.deepEqual(await rows(db, 'SELECT p FROM w'), [{ p: '7.00' }]);
    // A renamed column (aka): the views are dropped, dependents first, and created on the new name.
    const renamed = schema('cost decimal(6,2) -- evolve:aka price', 'cost');
    const again = (await planEvolution({ db: db.url, models: sqlFile(renamed) })).statements.map((s) => s.sql);
    assert.ok(again.indexOf('DROP VIEW `w`') >= 0 && again.indexOf('DROP VIEW `w`') < again.indexOf('DROP VIEW `v`'), again.join('\n'));
    await evolveToSql(db, renamed);
    assert.deepEqual(await rows(db, 'SELECT p FROM w'), [{ p: '7.00' }]);
  }));

  it('stored functions are managed; procedures, events and sequences are listed as unmanaged', (t) => mysql(t, async (db) => {
    const fn = (body: string): string => base('price int') + `CREATE FUNCTION add_tax(p int, rate decimal(4,2)) RETURNS decimal(10,2) DETERMINISTIC RETURN ${body};\n`;
    await steps(db, fn('p * (1 + rate)'), fn('p * (1 + rate) + 1'));
    assert.deepEqual(await rows(db, 'SELECT add_tax(10, 0.5) AS v'), [{ v: '16.00' }]);
    await load(db, 'CREATE PROCEDURE noop() BEGIN SELECT 1; END;\nCREATE EVENT cleanup ON SCHEDULE EVERY 1 DAY DO DELETE FROM film WHERE id < 0;');
    const server = (await rows(db, 'SELECT VERSION() AS v'))[0]!.v!;
    if (/mariadb/i.test(server)) await db.exec('CREATE SEQUENCE seq');
    const live = await inspect(db.url);
    const names = (live.unmanaged ?? []).map((u) => `${u.kind}:${u.name}`).sort();
    assert.deepEqual(names, ['event:cleanup', 'procedure:noop', ...(/mariadb/i.test(server) ? ['sequence:seq'] : [])]);
    const plan = await planEvolution({ db: db.url, models: sqlFile(fn('p * (1 + rate) + 1')) });
    assert.deepEqual(plan.statements, [], 'unmanaged objects are never touched');
    assert.ok(plan.unmanaged.some((u) => /procedure noop/.test(u)), plan.unmanaged.join(', '));
  }));

  it('Sakila: v1 (loaded by hand, with rows) evolves to v2, keeping the rows; v2 from scratch matches', (t) => mysql(t, async (db) => {
    const v1 = readFileSync(join(SAKILA, 'v1.sql'), 'utf8');
    await load(db, v1);
    await load(db, readFileSync(join(SAKILA, 'data.sql'), 'utf8'));
    const plan = await planEvolution({ db: db.url, models: join(SAKILA, 'v1.sql') });
    assert.deepEqual(plan.statements.map((s) => s.sql), [], 'a hand-loaded v1 is v1');
    const before = await rows(db, 'SELECT * FROM customer_list ORDER BY ID');
    await evolveToSql(db, readFileSync(join(SAKILA, 'v2.sql'), 'utf8'));
    assert.deepEqual(await rows(db, 'SELECT * FROM customer_list ORDER BY ID'), before);
    assert.deepEqual(await rows(db, 'SELECT count(*) AS n FROM genre'), [{ n: '4' }]);
    assert.deepEqual(await rows(db, "SELECT surname FROM actor WHERE actor_id = 1"), [{ surname: 'GUINESS' }]);
    assert.deepEqual(await rows(db, 'SELECT count(*) AS n FROM film_list'), [{ n: '4' }]);
    await db.exec("INSERT INTO film (title, language_id, rating) VALUES ('NEW ONE', 1, 'NR')");
    assert.deepEqual(await rows(db, "SELECT title FROM film_text WHERE title = 'NEW ONE'"), [{ title: 'NEW ONE' }], 'the recreated trigger fires');
  }));
});

// ---------------------------------------------------------------------------------------------
// SQL files as the mysql client reads them (issue 15, point 9).

describe('MySQL: SQL files as the mysql client reads them (no database)', () => {
  it('strips comments as the client does: # and -- to the line end, /* */ whole; versioned comments and strings stay', () => {
    assert.equal(withoutClientComments("BEGIN\n  # it's\n  SET x = 1; -- one\n  SET y = '# -- /* no */';\n--x\nEND"),
      "BEGIN\n  \n  SET x = 1; \n  SET y = '# -- /* no */';\n--x\nEND");
    assert.equal(withoutClientComments('SELECT 1/* a\nb */+2, 3 /* c */\n, /*!50001 4 */ /*M!100100 5 */'), 'SELECT 1 +2, 3 \n, /*!50001 4 */ /*M!100100 5 */');
    assert.equal(withoutClientComments('CREATE TABLE `a#b` (c int) -- end'), 'CREATE TABLE `a#b` (c int)');
  });

  it("makes a file's own database (CREATE/DROP SCHEMA, USE, qualified names) the scratch; leaves a file of two databases as it is", () => {
    assert.deepEqual(intoScratchDatabase([
      'DROP SCHEMA IF EXISTS `shop`', 'CREATE SCHEMA IF NOT EXISTS `shop` DEFAULT CHARACTER SET latin1', 'USE `shop`',
      'CREATE TABLE `shop`.`t` (id int)', "CREATE VIEW v AS SELECT id, 'shop.x' AS s FROM shop.t",
    ]), ['ALTER DATABASE DEFAULT CHARACTER SET latin1', 'CREATE TABLE `t` (id int)', "CREATE VIEW v AS SELECT id, 'shop.x' AS s FROM t"]);
    assert.deepEqual(intoScratchDatabase(['CREATE DATABASE /*!32312 IF NOT EXISTS*/ `db` /*!40100 DEFAULT CHARACTER SET utf8mb4 */', 'USE `db`']),
      ['ALTER DATABASE /*!40100 DEFAULT CHARACTER SET utf8mb4 */']);
    const two = ['CREATE DATABASE a', 'USE a', 'CREATE TABLE b.t (id int)', 'USE b'];
    assert.deepEqual(intoScratchDatabase(two), two);
    assert.deepEqual(intoScratchDatabase(['CREATE DATABASE pwn', 'CREATE TABLE t (id int)']), ['CREATE DATABASE pwn', 'CREATE TABLE t (id int)'], 'no USE: nothing is the scratch');
    assert.deepEqual(intoScratchDatabase(['USE a', 'CREATE DATABASE b', 'DROP DATABASE a']), ['CREATE DATABASE b'], 'another database stays (the sandbox refuses it)');
  });
});

describe('MySQL: SQL files as the mysql client reads them', { skip: SKIP }, () => {
  const client = ['mariadb', 'mysql'].find((c) => spawnSync(c, ['--version'], { stdio: 'ignore' }).status === 0);
  /** Load `text` with the mysql client into `db`, as a user does. */
  const clientLoad = (db: TestDatabase, text: string): void => {
    const u = new URL(db.url);
    execFileSync(client!, ['-h', u.hostname, '-P', u.port || '3306', '-u', decodeURIComponent(u.username), u.pathname.slice(1)],
      { input: text, env: { ...process.env, MYSQL_PWD: decodeURIComponent(u.password) } });
  };

  it('routines with # , -- and /* */ comments, loaded by the client, are in sync with their file (not recreated on every run)', (t) => mysql(t, async (db) => {
    assert.ok(client, 'the mariadb or mysql client is installed');
    const text = `-- a function, a trigger and a view, with comments of every kind
CREATE TABLE t (id INT PRIMARY KEY, n INT);
DELIMITER $$
-- after a comment line
CREATE FUNCTION f(x INT) RETURNS INT DETERMINISTIC
BEGIN
  # a hash comment, with a quote's
  DECLARE y INT; -- a dash comment
  /* a block
     comment */SET y = x + 1;
  SET y = y + LENGTH('# not a comment -- nor this');
  RETURN y; #END $$
END $$
DELIMITER ;;
CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN
  # count it
  SET NEW.n = f(NEW.id); /* here */
END;;
DELIMITER ;
CREATE VIEW v AS SELECT id /* the key */, n FROM t; # a view
`;
    clientLoad(db, text);
    const plan = await planEvolution({ db: db.url, models: sqlFile(text) });
    assert.deepEqual(plan.statements.map((s) => s.sql), [], 'nothing to recreate');
    assert.equal(plan.inSync, true);
    const empty = await freshDatabase('mysql');
    try {
      await evolveToSql(empty, text);
      assert.equal((await fingerprintDatabase(empty.url)).fingerprint, (await fingerprintDatabase(db.url)).fingerprint);
      await empty.exec('INSERT INTO t (id) VALUES (4)');
      assert.deepEqual(await rows(empty, 'SELECT n FROM v'), [{ n: '32' }], 'the function and trigger run: 4 + 1 + 27');
    } finally { await empty.dispose(); }
  }));

  it("a file that makes its own database lands in the target database, and no database of the file's name is made", (t) => mysql(t, async (db) => {
    const own = `evolve_own_${randomBytes(4).toString('hex')}`;
    const text = `DROP SCHEMA IF EXISTS \`${own}\`;\nCREATE SCHEMA IF NOT EXISTS \`${own}\` DEFAULT CHARACTER SET latin1;\nUSE \`${own}\`;\n` +
      `CREATE TABLE \`${own}\`.\`t\` (id INT PRIMARY KEY, name VARCHAR(10));\nCREATE VIEW ${own}.v AS SELECT id FROM ${own}.t;\n`;
    await evolveToSql(db, text);
    assert.deepEqual((await rows(db, "SELECT TABLE_NAME AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY 1")).map((r) => r.n), ['t', 'v']);
    assert.deepEqual(await rows(db, `SELECT SCHEMA_NAME AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '${own}'`), []);
  }));
});
