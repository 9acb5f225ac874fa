/**
 * Public schemas as their projects publish them (issue 15, point 9), in
 * `test/fixtures/<dialect>/<name>/` with a SOURCE.md naming repository, path, commit and licence:
 * the real Sakila, Chinook and Northwind sample databases and a 212-table e-commerce schema
 * (PrestaShop's `db_structure.sql`, placeholders substituted as its installer does). For each:
 *  (a) right after a native load (the `mariadb`/`mysql` client; the `sqlite3` shell, or
 *      better-sqlite3's `exec` of the whole file where the shell is not installed),
 *      `evolve sql --exit-code --db DB --models FILE` says in sync;
 *  (b) `evolve apply --models FILE` into an empty database reaches the native load's fingerprint.
 * On the large schema, `evolve sql` takes at most twice `evolve fingerprint` of the native load
 * plus the native load's own time (what loading the file into the scratch costs).
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fingerprintDatabase } from '../../src/index.js';
import { evolveDialect, forEachDialect, withDb } from '../support/harness.js';
import { freshDatabase, MYSQL_URL, type TestDatabase } from '../support/databases.js';
import { evolve, ROOT } from '../support/cli.js';

const FIXTURES = join(ROOT, 'test', 'fixtures');

interface Sample {
  readonly dialect: 'mysql' | 'sqlite';
  /** Folder under test/fixtures/<dialect>/. */
  readonly name: string;
  readonly file: string;
  /** The database the file creates and `USE`s itself (the native load goes there, whatever the URL says). */
  readonly database?: string;
  /** The text as the project's installer runs it (placeholders substituted). */
  readonly prepare?: (text: string) => string;
  readonly minTables: number;
  /** Measure `evolve sql` against fingerprint + native load. */
  readonly timed?: boolean;
}

/** PrestaShop's installer: `PREFIX_` → `_DB_PREFIX_` (ps_), `ENGINE_TYPE` → `_MYSQL_ENGINE_` (InnoDB), `COLLATION` → '' (see its SOURCE.md). */
const prestashopInstaller = (text: string): string => text.replaceAll('PREFIX_', 'ps_').replaceAll('ENGINE_TYPE', 'InnoDB').replaceAll('COLLATION', '');

const SAMPLES: readonly Sample[] = [
  { dialect: 'mysql', name: 'sakila', file: 'sakila-schema.sql', database: 'sakila', minTables: 16 },
  { dialect: 'mysql', name: 'prestashop', file: 'db_structure.sql', prepare: prestashopInstaller, minTables: 200, timed: true },
  { dialect: 'mysql', name: 'chinook', file: 'Chinook_MySql.sql', database: 'Chinook', minTables: 11 },
  { dialect: 'mysql', name: 'northwind', file: 'northwind.sql', database: 'northwind', minTables: 20 },
  { dialect: 'sqlite', name: 'chinook', file: 'Chinook_Sqlite.sql', minTables: 11 },
];

/** The file as the test runs it (prepared as the installer would, in a temporary file when it changes). */
function sampleFile(s: Sample): string {
  const path = join(FIXTURES, s.dialect, s.name, s.file);
  if (!s.prepare) return path;
  const out = join(mkdtempSync(join(tmpdir(), 'evolve-public-')), s.file);
  writeFileSync(out, s.prepare(readFileSync(path, 'utf8')));
  return out;
}

const hasCommand = (cmd: string): boolean => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
const MYSQL_CLIENT = ['mariadb', 'mysql'].find(hasCommand);

/** Load `file` with the mysql client, into `database` (the file may `USE` another). */
function mysqlClientLoad(file: string, database: string): void {
  const u = new URL(MYSQL_URL);
  const args = ['-h', u.hostname, '-P', u.port || '3306', '-u', decodeURIComponent(u.username), database];
  execFileSync(MYSQL_CLIENT!, args, { input: readFileSync(file), env: { ...process.env, MYSQL_PWD: decodeURIComponent(u.password) } });
}

/** The URL of `database` on the test server. */
function mysqlUrl(database: string): string {
  const u = new URL(MYSQL_URL);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

/** Load `file` natively into `db`; the URL of the database it landed in. */
async function nativeLoad(s: Sample, file: string, db: TestDatabase): Promise<string> {
  if (s.dialect === 'sqlite') {
    const path = db.url.slice('sqlite:'.length);
    if (hasCommand('sqlite3')) execFileSync('sqlite3', [path], { input: readFileSync(file) });
    else await db.exec(readFileSync(file, 'utf8'));
    return db.url;
  }
  mysqlClientLoad(file, new URL(db.url).pathname.slice(1));
  return s.database ? mysqlUrl(s.database) : db.url;
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await fn();
  return [value, performance.now() - start];
}

forEachDialect('public schemas as published', (d) => {
  const dialect = evolveDialect(d);
  if (d === 'pglite') return;
  for (const s of SAMPLES.filter((x) => x.dialect === dialect)) {
    it(`${s.name}: in sync right after a native load; apply from empty reaches its fingerprint`, { timeout: 10 * 60_000 }, (t) => withDb(t, d, async (db) => {
      if (s.dialect === 'mysql') assert.ok(MYSQL_CLIENT, 'the mariadb or mysql client is installed (the native load uses it)');
      const file = sampleFile(s);
      // A file that makes its own database drops and recreates it: the test drops it again after.
      const own = s.database ? (await db.exec(`DROP DATABASE IF EXISTS \`${s.database}\``), s.database) : null;
      try {
        const [loaded, loadMs] = await timed(() => nativeLoad(s, file, db));
        const [fp, fpMs] = await timed(() => evolve(['fingerprint', '--json', '--db', loaded]));
        assert.equal(fp.code, 0, fp.stderr);
        const native = await fingerprintDatabase(loaded);
        assert.equal((JSON.parse(fp.stdout) as { fingerprint: string }).fingerprint, native.fingerprint);
        assert.ok(native.tables >= s.minTables, `the native load made the schema: ${native.tables} tables`);

        const [sql, sqlMs] = await timed(() => evolve(['sql', '--exit-code', '--db', loaded, '--models', file]));
        assert.equal(sql.code, 0, `in sync after the native load:\n${sql.stdout}\n${sql.stderr}`);
        assert.match(sql.stdout, /in sync with the models/);
        assert.ok(sql.stdout.includes(native.fingerprint), 'the models have the native load\'s fingerprint');
        if (s.timed) {
          // Told, not asserted: speed is judged by the bench (bench/public-schema.ts), not by a test on a shared machine.
          t.diagnostic(`evolve sql ${Math.round(sqlMs)} ms; evolve fingerprint ${Math.round(fpMs)} ms + native load ${Math.round(loadMs)} ms`);
        }

        const empty = await freshDatabase(d);
        try {
          const apply = await evolve(['apply', '--db', empty.url, '--models', file]);
          assert.equal(apply.code, 0, `apply into an empty database:\n${apply.stdout}\n${apply.stderr}`);
          const after = await evolve(['fingerprint', '--json', '--db', empty.url]);
          assert.equal((JSON.parse(after.stdout) as { fingerprint: string }).fingerprint, native.fingerprint, 'apply reaches the native load\'s fingerprint');
          const again = await evolve(['sql', '--exit-code', '--db', empty.url, '--models', file]);
          assert.equal(again.code, 0, `nothing left to do after apply:\n${again.stdout}`);
        } finally { await empty.dispose(); }
      } finally {
        if (own) await db.exec(`DROP DATABASE IF EXISTS \`${own}\``);
      }
    }));
  }
});
