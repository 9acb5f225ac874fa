/**
 * A SQL file used as models can change nothing but its own scratch (issue 15 point 1): the
 * attacks found by trying it — ATTACH on SQLite, COMMIT then qualified names on PostgreSQL, a
 * qualified name of another database on MariaDB — and variants of each (transaction control,
 * search_path, DO blocks, roles, users, server settings, server files, meta-commands, definers,
 * triggers, events) leave every other database, schema, role, setting and file as it was, for
 * every command that reads a SQL file: sql, apply, diff, fingerprint and lint.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forEachDialect, withDb } from '../support/harness.js';
import { evolve, runServerCommandsInProcess } from '../support/cli.js';
import type { TestDatabase, TestDialect } from '../support/databases.js';

runServerCommandsInProcess(); // its commands run one at a time

const dir = mkdtempSync(join(tmpdir(), 'evolve-sandbox-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const sqlFile = (text: string): string => { const p = join(dir, `attack-${++n}.sql`); writeFileSync(p, text); return p; };

/** What an attack could change outside the scratch, and how to read it back. */
interface Victim {
  /** Placeholders of the attack texts: OTHER (the other database or schema), PWN (a unique name), FILE (a path outside). */
  readonly names: { OTHER: string; PWN: string; FILE: string; OTHERFILE: string };
  /** Everything an attack could reach, as one comparable text. */
  snapshot(): Promise<string>;
  cleanup(): Promise<void>;
}

const rowsText = (rows: Record<string, unknown>[]): string => JSON.stringify(rows.map((r) => Object.values(r).map(String)));

async function victim(d: TestDialect, db: TestDatabase): Promise<Victim> {
  const PWN = `evolve_pwned_${randomBytes(4).toString('hex')}`;
  const FILE = join(dir, `${PWN}.out`);
  const base = { PWN, FILE, OTHERFILE: join(dir, `${PWN}-other.db`) };
  if (d === 'sqlite') {
    const Database = (await import('better-sqlite3')).default;
    const other = new Database(base.OTHERFILE);
    other.exec('CREATE TABLE canary (id integer PRIMARY KEY); INSERT INTO canary VALUES (1), (2)');
    other.close();
    return {
      names: { ...base, OTHER: 'v' },
      snapshot: async () => `${createHash('sha256').update(readFileSync(base.OTHERFILE)).digest('hex')} file:${existsSync(FILE)}`,
      cleanup: async () => undefined,
    };
  }
  if (d === 'mysql') {
    const OTHER = `${new URL(db.url).pathname.slice(1)}_o`;
    await db.exec(`CREATE DATABASE \`${OTHER}\``);
    await db.exec(`CREATE TABLE \`${OTHER}\`.canary (id int PRIMARY KEY)`);
    await db.exec(`INSERT INTO \`${OTHER}\`.canary VALUES (1), (2)`);
    return {
      names: { ...base, OTHER },
      snapshot: async () => [
        rowsText(await db.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = '${OTHER}' ORDER BY 1`)),
        rowsText(await db.query(`SELECT id FROM \`${OTHER}\`.canary ORDER BY id`)),
        rowsText(await db.query(`SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE '${PWN}%'`)),
        rowsText(await db.query(`SELECT User FROM mysql.user WHERE User LIKE '${PWN}%'`)),
        rowsText(await db.query('SELECT @@GLOBAL.max_connect_errors AS m, @@GLOBAL.sql_mode AS s')),
        `file:${existsSync(FILE)}`,
      ].join('\n'),
      cleanup: async () => { await db.exec(`DROP DATABASE IF EXISTS \`${OTHER}\``); },
    };
  }
  // PostgreSQL and PGlite: another schema of the same database.
  const schema = d === 'postgres' ? new URL(db.url).searchParams.get('schema')! : 'public';
  const OTHER = `${schema}_o`;
  await db.exec(`CREATE SCHEMA "${OTHER}"; CREATE TABLE "${OTHER}".canary (id int PRIMARY KEY); INSERT INTO "${OTHER}".canary VALUES (1), (2)`);
  const server = d === 'postgres';
  return {
    names: { ...base, OTHER },
    snapshot: async () => [
      rowsText(await db.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = '${OTHER}' ORDER BY 1`)),
      rowsText(await db.query(`SELECT id FROM "${OTHER}".canary ORDER BY id`)),
      rowsText(await db.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE '${PWN}%'`)),
      rowsText(await db.query(`SELECT rolname FROM pg_roles WHERE rolname LIKE '${PWN}%'`)),
      rowsText(await db.query(`SELECT nspacl::text AS acl FROM pg_namespace WHERE nspname = '${OTHER}'`)),
      ...(server ? [
        rowsText(await db.query("SELECT s.setconfig::text AS c FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase WHERE d.datname = current_database()")),
        rowsText(await db.query("SELECT name, setting FROM pg_file_settings WHERE sourcefile LIKE '%postgresql.auto.conf' ORDER BY 1")),
      ] : []),
      `file:${existsSync(FILE)}`,
    ].join('\n'),
    cleanup: async () => {
      await db.exec(`DROP SCHEMA IF EXISTS "${OTHER}" CASCADE`);
      if (server) await db.exec(`DROP ROLE IF EXISTS "${PWN}"`).catch(() => undefined);
    },
  };
}

const TABLE = 'CREATE TABLE t (id integer NOT NULL PRIMARY KEY);\n';

/** The attacks of each dialect: the one the issue found first, then its variants. */
const ATTACKS: Record<'sqlite' | 'postgres' | 'mysql', string[]> = {
  sqlite: [
    `${TABLE}ATTACH DATABASE 'OTHERFILE' AS v;\nDROP TABLE v.canary;\n`,
    `${TABLE}/* quiet */ attach 'OTHERFILE' as "v"; INSERT INTO v.canary VALUES (666);\n`,
    `-- a comment first\n  Attach Database 'OTHERFILE' AS v;\nDETACH DATABASE v;\n${TABLE}`,
    `${TABLE}VACUUM INTO 'FILE';\n`,
    `${TABLE}EXPLAIN ATTACH 'OTHERFILE' AS v;\n`,
  ],
  postgres: [
    `${TABLE}COMMIT;\nDROP TABLE OTHER.canary;\nCREATE TABLE OTHER.pwned (id int);\n`,
    `${TABLE}BEGIN; DELETE FROM OTHER.canary; COMMIT;\n`,
    `SET search_path TO OTHER;\nDROP TABLE canary;\n${TABLE}`,
    `SELECT pg_catalog.set_config('search_path', 'OTHER', false);\nINSERT INTO canary VALUES (666);\n${TABLE}`,
    `CREATE SCHEMA PWN;\nCREATE TABLE PWN.t (id int);\n${TABLE}`,
    `${TABLE}DO $$ BEGIN EXECUTE 'DROP TABLE OTHER.canary'; END $$;\n`,
    `${TABLE}CREATE ROLE PWN;\n`,
    `${TABLE}GRANT ALL ON SCHEMA OTHER TO PUBLIC;\n`,
    `${TABLE}ALTER SYSTEM SET work_mem = '77MB';\n`,
    `${TABLE}ALTER DATABASE test SET work_mem = '3MB';\n`,
    `${TABLE}COPY (SELECT 'x') TO 'FILE';\n`,
    `${TABLE}SELECT lo_export(lo_from_bytea(0, 'x'), 'FILE');\n`,
    `${TABLE}CREATE EXTENSION dblink;\n`,
    `${TABLE}\\! touch FILE\n`,
    `${TABLE}\\connect test\nDROP TABLE OTHER.canary;\n`,
  ],
  mysql: [
    `${TABLE}CREATE TABLE OTHER.pwned (id int);\n`,
    `${TABLE}DROP TABLE OTHER.canary;\n`,
    `${TABLE}INSERT INTO OTHER.canary VALUES (666);\n`,
    `USE OTHER;\nDROP TABLE canary;\n${TABLE}`,
    `${TABLE}CREATE USER 'PWN'@'%';\n`,
    `${TABLE}CREATE DATABASE PWN;\n`,
    `${TABLE}SET GLOBAL max_connect_errors = 4242;\n`,
    `${TABLE}SET PERSIST max_connect_errors = 4243;\n`,
    `${TABLE}SELECT 'x' INTO OUTFILE 'FILE';\n`,
    `${TABLE}CREATE DEFINER=\`root\`@\`localhost\` TRIGGER tr AFTER INSERT ON t FOR EACH ROW INSERT INTO OTHER.canary VALUES (NEW.id + 100);\nINSERT INTO t VALUES (1);\n`,
    `${TABLE}/*!50003 CREATE*/ /*!50017 DEFINER=\`root\`@\`localhost\`*/ /*!50003 TRIGGER tr2 AFTER INSERT ON t FOR EACH ROW DELETE FROM OTHER.canary */;\nINSERT INTO t VALUES (2);\n`,
    `${TABLE}CREATE EVENT ev ON SCHEDULE AT CURRENT_TIMESTAMP DO DROP TABLE OTHER.canary;\n`,
    `${TABLE}GRANT ALL PRIVILEGES ON *.* TO CURRENT_USER;\n`,
    `${TABLE}LOAD DATA LOCAL INFILE 'OTHERFILE' INTO TABLE t;\n`,
    `${TABLE}\\! touch FILE\n`,
  ],
};

const fill = (text: string, names: Victim['names']): string =>
  text.replace(/OTHERFILE|OTHER|PWN|FILE/g, (k) => names[k as keyof Victim['names']]);

/** The outcome of one command: it may succeed (the attack stayed in the scratch) or fail with a coded error — never E_INTERNAL. */
function assertClean(r: { code: number; stdout: string; stderr: string }, what: string): void {
  if (r.code === 0) return;
  assert.match(r.stderr + r.stdout, /E_SQL_REFUSED|E_SQL_FAILED/, `${what}: a coded refusal\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /E_INTERNAL|\n\s+at /, what);
}

forEachDialect('A SQL file used as models changes nothing outside its scratch', (d) => {
  const dialect = d === 'pglite' ? 'postgres' : d;

  it('every attack, through evolve sql (the preview), leaves everything else as it was', (t) => withDb(t, d, async (db) => {
    const v = await victim(d, db);
    try {
      const before = await v.snapshot();
      const refused: string[] = [];
      for (const attack of ATTACKS[dialect]) {
        const text = fill(attack, v.names);
        const r = await evolve(['sql', '--db', db.url, '--models', sqlFile(text)]);
        assertClean(r, text);
        if (r.code !== 0) refused.push(text);
        assert.equal(await v.snapshot(), before, `unchanged after:\n${text}\n${r.stderr}`);
      }
      // The first attack of each dialect is refused outright (not merely harmless).
      assert.ok(refused.includes(fill(ATTACKS[dialect][0]!, v.names)), 'the first attack is refused');
    } finally {
      await v.cleanup();
    }
  }));

  it('the first attacks, through apply, diff, fingerprint and lint, leave everything else as it was', (t) => withDb(t, d, async (db) => {
    const v = await victim(d, db);
    try {
      const before = await v.snapshot();
      for (const attack of ATTACKS[dialect].slice(0, 3)) {
        const file = sqlFile(fill(attack, v.names));
        for (const args of [['apply', '--db', db.url, '--models', file], ['diff', db.url, file],
          ['fingerprint', '--db', db.url, '--models', file], ['lint', '--db', db.url, '--models', file]]) {
          const r = await evolve(args);
          assertClean(r, `${args[0]}: ${attack}`);
          assert.equal(await v.snapshot(), before, `unchanged after ${args[0]} of:\n${attack}\n${r.stderr}`);
        }
      }
    } finally {
      await v.cleanup();
    }
  }));
});

describe('--scratch names where SQL files are parsed', () => {
  it('a scratch of another dialect is a usage error', async () => {
    const r = await evolve(['sql', '--db', `sqlite:${join(dir, 'x.db')}`, '--models', sqlFile(TABLE), '--scratch', 'pglite:memory']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /E_USAGE: --scratch .* is a postgres database; SQL files for sqlite/);
  });
});
