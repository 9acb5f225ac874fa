/**
 * Fleets (issue 17): many databases of one schema evolved by one command — 200 SQLite files,
 * 50 PostgreSQL schemas, 20 MariaDB databases (EVOLVE_FLEET_SIZE overrides) — found by a
 * pattern, a repeated --db or a --targets file. One target made to fail stays at its old
 * fingerprint while the others reach the new one, and a second run finishes it; a fleet apply
 * killed with SIGKILL is finished by a rerun; status and fingerprint group the targets by
 * fingerprint. (PGlite takes no schema patterns: one directory is one database.)
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { modelsFingerprint } from '../../src/index.js';
import { evolveDialect, forEachDialect, withDb } from '../support/harness.js';
import { evolve, writeModels, ROOT, IMPORTS } from '../support/cli.js';
import { MYSQL_URL, PG_URL, type TestDatabase, type TestDialect } from '../support/databases.js';

const SIZE: Record<string, number> = { sqlite: 200, postgres: 50, mysql: 20 };

const V1 = `${IMPORTS}export const account = table('account', { id: integer().primaryKey(), email: varchar(100).notNull() });\n`;
const V2 = `${IMPORTS}export const account = table('account', {
  id: integer().primaryKey(), email: varchar(100).notNull().unique(), plan: varchar(20).notNull().default('free'),
});\n`;
const V3 = V2.replace("default('free'),", "default('free'), seats: integer().notNull().default(1),");

/** A fleet of `n` empty tenants beside the test's database, the pattern that finds them, and direct access to each. */
interface Fleet {
  readonly urls: string[];
  /** The targets as reports show them (a password as ***). */
  readonly shown: string[];
  /** A password in the URLs (PostgreSQL: the server trusts the user, so any password connects), never to be printed. */
  readonly secret: string | null;
  readonly pattern: string;
  /** The same fleet named another way the dialect takes (PostgreSQL: `--schema-pattern`), or none. */
  readonly otherWay: string[] | null;
  /** Run SQL in tenant `i` (its tables unqualified). */
  exec(i: number, sql: string): Promise<void>;
  dispose(): Promise<void>;
}

async function makeFleet(db: TestDatabase, prefix: string, n: number): Promise<Fleet> {
  const names = Array.from({ length: n }, (_, i) => `${prefix}_${String(i + 1).padStart(3, '0')}`);
  if (db.dialect === 'sqlite') {
    const dir = dirname(db.url.replace(/^sqlite:/, ''));
    for (const name of names) writeFileSync(join(dir, `${name}.db`), ''); // an empty file is an empty database
    const Database = (await import('better-sqlite3')).default;
    return {
      urls: names.map((name) => `sqlite:${join(dir, `${name}.db`)}`), shown: names.map((name) => `sqlite:${join(dir, `${name}.db`)}`), secret: null,
      pattern: `sqlite:${join(dir, `${prefix}_*.db`)}`, otherWay: null,
      async exec(i, sql) { const c = new Database(join(dir, `${names[i]}.db`)); try { c.exec(sql); } finally { c.close(); } },
      async dispose() { /* the test database's directory goes with it */ },
    };
  }
  if (db.dialect === 'postgres') {
    const base = new URL(db.url).searchParams.get('schema')!;
    const schemas = names.map((name) => `${base}_${name}`);
    for (const s of schemas) await db.exec(`CREATE SCHEMA "${s}"`);
    const secret = 'fleet-secret-pw';
    const url = (q: string, password = secret): string => { const u = new URL(PG_URL); u.password = password; u.search = q; return u.toString(); };
    return {
      urls: schemas.map((s) => url(`schema=${s}`)), shown: schemas.map((s) => url(`schema=${s}`, '***')), secret, pattern: url(`schemas=${base}_${prefix}_*`),
      otherWay: ['--db', url(''), '--schema-pattern', `${base}_${prefix}_*`],
      async exec(i, sql) { await db.exec(`SET search_path TO "${schemas[i]}"; ${sql}; SET search_path TO "${base}"`); },
      async dispose() { for (const s of schemas) await db.exec(`DROP SCHEMA IF EXISTS "${s}" CASCADE`); },
    };
  }
  const base = new URL(db.url).pathname.slice(1);
  const dbs = names.map((name) => `${base}_${name}`);
  for (const d of dbs) await db.exec(`CREATE DATABASE \`${d}\``);
  const url = (name: string): string => { const u = new URL(MYSQL_URL); u.pathname = `/${name}`; return u.toString(); };
  return {
    urls: dbs.map(url), shown: dbs.map(url), secret: null, pattern: url(`${base}_${prefix}_*`), otherWay: null,
    async exec(i, sql) { await db.exec(`USE \`${dbs[i]}\`; ${sql}; USE \`${base}\``); },
    async dispose() { for (const d of dbs) await db.exec(`DROP DATABASE IF EXISTS \`${d}\``); },
  };
}

async function withFleet(db: TestDatabase, prefix: string, n: number, fn: (f: Fleet) => Promise<void>): Promise<void> {
  const fleet = await makeFleet(db, prefix, n);
  try { await fn(fleet); } finally { await fleet.dispose(); }
}

interface JsonTarget { target: string; outcome: string; fingerprintBefore: string | null; fingerprintAfter: string | null; ms: number; error: { code: string } | null }
interface JsonGroup { fingerprint: string | null; count: number; matchesModels: boolean | null; targets: string[] }

const size = (d: TestDialect): number => Number(process.env.EVOLVE_FLEET_SIZE ?? SIZE[d]);

/** Start `evolve apply` in a process and SIGKILL it once it has reported its first evolved target. */
function killedMidway(args: string[]): Promise<{ lines: string[]; signal: string | null }> {
  return new Promise((res, rej) => {
    const p = spawn(process.execPath, [join(ROOT, 'bin', 'evolve.js'), ...args], { cwd: ROOT, env: { ...process.env, EVOLVE_DATABASE_URL: '' } });
    let out = '';
    p.stdout.on('data', (chunk) => {
      out += chunk;
      if (/^evolved /m.test(out)) p.kill('SIGKILL');
    });
    p.on('error', rej);
    p.on('close', (_code, signal) => res({ lines: out.split('\n').filter(Boolean), signal }));
  });
}

forEachDialect('fleets', (d) => {
  if (d === 'pglite') return;
  const n = size(d);
  it(`${n} targets by a pattern: evolved in one command, one failing stays behind, a rerun finishes it; grouped by fingerprint`,
    { timeout: 300_000 }, (t) => withDb(t, d, (db) => withFleet(db, 'tenant', n, async (fleet) => {
      const [m1, m2] = [writeModels(V1), writeModels(V2)];
      const dialect = evolveDialect(d);
      const [fp1, fp2] = [await modelsFingerprint(m1, dialect), await modelsFingerprint(m2, dialect)];

      const first = await evolve(['apply', '--db', fleet.pattern, '--models', m1, '--json']);
      assert.equal(first.code, 0, first.stderr + first.stdout.slice(0, 2000));
      const report = JSON.parse(first.stdout) as { ok: boolean; fleet: boolean; summary: Record<string, number>; summaryLine: string; targets: JsonTarget[]; workers: number };
      assert.equal(report.ok, true);
      assert.equal(report.fleet, true);
      // SQLite's driver blocks its thread: the default concurrency of 4 is four worker threads, never more than the cores;
      // servers' targets share this one.
      assert.equal(report.workers, d === 'sqlite' ? Math.min(4, availableParallelism()) : 0);
      assert.deepEqual(report.summary, { total: n, evolved: n, inSync: 0, failed: 0, notStarted: 0 });
      assert.equal(report.summaryLine, `${n} evolved, 0 already in sync, 0 failed`);
      assert.equal(report.targets.length, n);
      const t0 = report.targets[0]!;
      assert.deepEqual(Object.keys(t0).sort(), ['error', 'fingerprintAfter', 'fingerprintBefore', 'ms', 'outcome', 'target']);
      assert.ok(report.targets.every((x) => x.outcome === 'evolved' && x.fingerprintAfter === fp1 && x.error === null && x.ms >= 0));
      assert.ok(report.targets.every((x) => x.fingerprintBefore !== null && x.fingerprintBefore !== fp1), 'before: the empty database');
      assert.deepEqual(report.targets.map((x) => x.target), fleet.shown, 'every tenant, sorted by name');

      // One tenant in the middle holds rows the new unique constraint refuses.
      const bad = Math.floor(n / 2);
      await fleet.exec(bad, "INSERT INTO account (id, email) VALUES (1, 'same@x'), (2, 'same@x')");
      // Concurrency above the cores: SQLite's targets beyond the worker threads wait for the next free one.
      const second = await evolve(['apply', '--db', fleet.pattern, '--models', m2, '--continue-on-error', '--concurrency', '8']);
      assert.equal(second.code, 1, 'a failed target fails the command');
      assert.match(second.stdout, new RegExp(`^${n - 1} evolved, 0 already in sync, 1 failed;`, 'm'));
      const failedLine = second.stdout.split('\n').find((l) => l.startsWith('FAILED'));
      assert.ok(failedLine?.includes(fleet.shown[bad]!), failedLine);
      assert.match(failedLine!, new RegExp(`${fp1} → ${fp1} \\(unchanged\\)`));
      assert.match(second.stdout, /E_DATA_LOSS/);

      const fps = await evolve(['fingerprint', '--db', fleet.pattern, '--models', m2, '--json']);
      assert.equal(fps.code, 0, fps.stderr);
      const groups = (JSON.parse(fps.stdout) as { groups: JsonGroup[] }).groups;
      assert.deepEqual(groups.map((g) => [g.fingerprint, g.count, g.matchesModels]), [[fp2, n - 1, true], [fp1, 1, false]]);
      assert.deepEqual(groups[1]!.targets, [fleet.shown[bad]], 'the drifted tenant stands out');

      await fleet.exec(bad, 'DELETE FROM account WHERE id = 2');
      const third = await evolve(['apply', '--db', fleet.pattern, '--models', m2]);
      assert.equal(third.code, 0, third.stdout + third.stderr);
      assert.match(third.stdout, new RegExp(`^1 evolved, ${n - 1} already in sync, 0 failed;`, 'm'));
      const status = await evolve(['status', '--db', fleet.pattern, '--models', m2]);
      assert.equal(status.code, 0, status.stderr);
      if (fleet.secret) {
        for (const r of [first, second, fps, third, status]) assert.ok(!(r.stdout + r.stderr).includes(fleet.secret), 'passwords never in output');
      }
      assert.match(status.stdout, new RegExp(`^1 fingerprint over ${n} targets: ${n} match the models, 0 differ`, 'm'));

    })));

  it('repeated --db and a --targets file make one fleet; canary and the default stop on first failure; one-database commands refuse a fleet; SIGKILL then rerun',
    { timeout: 120_000 }, (t) => withDb(t, d, (db) => withFleet(db, 'small', 8, async (fleet) => {
      const [m1, m2, m3] = [writeModels(V1), writeModels(V2), writeModels(V3)];
      const file = join(dirname(m1), 'targets.txt');
      writeFileSync(file, `# tenants of the small fleet\n\n${fleet.urls.slice(3).join('   # a tenant\n')}\n`);
      const dbs = fleet.urls.slice(0, 3).flatMap((u) => ['--db', u]);
      const first = await evolve(['apply', ...dbs, '--targets', file, '--models', m1, '--concurrency', '3']);
      assert.equal(first.code, 0, first.stdout + first.stderr);
      assert.match(first.stdout, /^8 evolved, 0 already in sync, 0 failed;/m, 'no --db dropped, every line of the file read');
      for (const u of fleet.shown) assert.ok(first.stdout.includes(`evolved      ${u} `), u);

      await fleet.exec(1, "INSERT INTO account (id, email) VALUES (1, 'same@x'), (2, 'same@x')");
      const canary = await evolve(['apply', ...dbs, '--targets', file, '--models', m2, '--canary', '2', '--concurrency', '1', '--json']);
      assert.equal(canary.code, 1);
      const c = JSON.parse(canary.stdout) as { ok: boolean; stoppedBy: string; summary: Record<string, number>; targets: JsonTarget[] };
      assert.equal(c.ok, false);
      assert.equal(c.stoppedBy, 'canary');
      assert.deepEqual(c.summary, { total: 8, evolved: 1, inSync: 0, failed: 1, notStarted: 6 });
      assert.deepEqual(c.targets.map((x) => x.outcome), ['evolved', 'failed', ...Array(6).fill('not-started')]);
      assert.equal(c.targets[1]!.error?.code, 'E_DATA_LOSS');

      const stop = await evolve(['apply', ...dbs, '--targets', file, '--models', m2, '--concurrency', '1']);
      assert.equal(stop.code, 1);
      assert.match(stop.stdout, /^0 evolved, 1 already in sync, 1 failed, 6 not started \(stopped starting targets after the first failure/m);

      const status = await evolve(['status', ...dbs, '--targets', file, '--models', m2]);
      assert.equal(status.code, 0, status.stderr);
      assert.match(status.stdout, /^2 fingerprints over 8 targets: 1 match the models, 7 differ/m);
      // The config file's targets, and (PostgreSQL) --schema-pattern, name the same fleet.
      const config = join(dirname(m1), 'evolve.config.mjs');
      writeFileSync(config, `export default { targets: ${JSON.stringify([fleet.pattern])} };\n`);
      for (const way of [['--config', config], ...(fleet.otherWay ? [fleet.otherWay] : [])]) {
        const r = await evolve(['fingerprint', ...way, '--models', m2, '--json']);
        assert.equal(r.code, 0, `${way.join(' ')}: ${r.stdout}${r.stderr}`);
        const groups = (JSON.parse(r.stdout) as { groups: JsonGroup[] }).groups;
        assert.deepEqual(groups.map((g) => [g.count, g.matchesModels]), [[7, false], [1, true]], way.join(' '));
        assert.deepEqual(groups[1]!.targets, [fleet.shown[0]]);
      }

      for (const cmd of [['sql', '--models', m2], ['upgrade', '--models', m2], ['lint', '--models', m2]]) {
        const r = await evolve([...cmd, ...dbs.slice(0, 4)]);
        assert.equal(r.code, 2, `${cmd[0]}: ${r.stdout}${r.stderr}`);
        assert.match(r.stderr, new RegExp(`E_FLEET_UNSUPPORTED: evolve ${cmd[0]} works on one database, but a fleet was given \\(--db ×2`));
      }
      const single = await evolve(['sql', '--db', fleet.pattern, '--models', m2]);
      assert.equal(single.code, 2, 'a pattern is a fleet too');
      const none = await evolve(['apply', '--db', fleet.pattern.replace('small_', 'nobody_'), '--models', m2]);
      assert.equal(none.code, 1);
      assert.match(none.stderr, /E_FLEET_EMPTY: The pattern .* matches no database/);

      await fleet.exec(1, 'DELETE FROM account WHERE id = 2');
      const fp3 = await modelsFingerprint(m3, evolveDialect(d));
      // SIGKILL once the first target is done; the rerun finishes the rest, and redoes nothing.
      const killed = await killedMidway(['apply', '--db', fleet.pattern, '--models', m3, '--concurrency', '1', '--lock-timeout', '30']);
      assert.equal(killed.signal, 'SIGKILL');
      const n = fleet.urls.length;
      const done = killed.lines.filter((l) => l.startsWith('evolved')).length;
      assert.ok(done >= 1 && done < n, `killed mid-way (${done} of ${n} done)`);
      const rerun = await evolve(['apply', '--db', fleet.pattern, '--models', m3, '--json', '--lock-timeout', '30']);
      assert.equal(rerun.code, 0, rerun.stdout.slice(0, 3000) + rerun.stderr);
      const after = JSON.parse(rerun.stdout) as { summary: Record<string, number>; targets: JsonTarget[] };
      assert.equal(after.summary.failed, 0);
      assert.ok(after.summary.inSync >= done, `the ${done} finished before the kill are in sync (${JSON.stringify(after.summary)})`);
      assert.equal(after.summary.evolved + after.summary.inSync, n);
      assert.ok(after.targets.every((x) => x.fingerprintAfter === fp3));
    })));
});
