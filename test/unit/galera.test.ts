/** The Galera dialect's pure parts: its URLs, node URLs, and its plans' hazards (the cluster itself: test/behaviour/galera.test.ts). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { table, integer, text, compileModels, parseDatabaseUrl, dialectNames, loadDialect, type SchemaIR } from '../../src/index.js';
import { nodeUrl } from '../../src/dialects/galera/url.js';
import { leaseSeconds } from '../../src/dialects/galera/lock.js';

const ir = (models: Parameters<typeof compileModels>[0]): SchemaIR => compileModels(models, 'mysql');

describe('galera URLs', () => {
  it('galera:// forces the galera dialect; mysql:// stays mysql (a Galera node is detected on connecting)', () => {
    const g = parseDatabaseUrl('galera://root:s3cret-pw@db1:3306/app');
    assert.equal(g.dialect, 'galera');
    assert.equal(g.raw, 'galera://root:s3cret-pw@db1:3306/app');
    assert.doesNotMatch(g.display, /s3cret-pw/);
    assert.equal(parseDatabaseUrl('mysql://root@db1/app').dialect, 'mysql');
    assert.ok(dialectNames().includes('galera'));
    assert.throws(() => parseDatabaseUrl('galera://root@db1/'), /no database name/);
  });

  it('a node URL keeps user, password and database, with the host and port of the address', () => {
    const u = nodeUrl(parseDatabaseUrl('mysql://root:pw-123@db1:3306/app?connect_timeout=5'), '10.0.0.7:3307');
    assert.equal(u.raw, 'mysql://root:pw-123@10.0.0.7:3307/app?connect_timeout=5');
    assert.doesNotMatch(u.display, /pw-123/);
    assert.equal(nodeUrl(parseDatabaseUrl('mysql://root@db1/app'), 'db2').raw, 'mysql://root@db2:3306/app');
  });

  it('?lock_lease= sets the lease, at least 2 s', () => {
    assert.equal(leaseSeconds('mysql://root@db1/app'), 60);
    assert.equal(leaseSeconds('mysql://root@db1/app?lock_lease=15'), 15);
    assert.throws(() => leaseSeconds('mysql://root@db1/app?lock_lease=1'), (e: unknown) => (e as { code?: string }).code === 'E_DB_URL');
  });
});

describe('galera plans', () => {
  it('a table without a primary key is an error hazard that --allow-data-loss cannot accept; with one, none', async () => {
    const galera = await loadDialect('galera');
    const mysql = await loadDialect('mysql');
    const empty: SchemaIR = { ...ir([]), tables: [] };
    const noKey = galera.normalise(ir([table('log', { at: integer().notNull(), line: text() })]));
    const plan = galera.plan(galera.diff(empty, noKey));
    assert.deepEqual(plan.hazards.map((h) => [h.code, h.severity, h.allowable]), [['NO_PRIMARY_KEY_ON_CLUSTER', 'error', false]]);
    assert.match(plan.hazards[0]!.message, /primary key/);
    assert.deepEqual(mysql.plan(mysql.diff(empty, noKey)).hazards, [], 'a plain server takes it');
    const keyed = galera.normalise(ir([table('log', { id: integer().primaryKey(), line: text() })]));
    assert.deepEqual(galera.plan(galera.diff(empty, keyed)).hazards, []);
    assert.equal(galera.name, 'mysql', 'the same fingerprint as on a plain server');
  });

  it('another engine, or dropping the primary key, is an error hazard', async () => {
    const galera = await loadDialect('galera');
    const keyed = galera.normalise(ir([table('t', { id: integer().primaryKey(), v: integer().notNull() })]));
    const t = keyed.tables[0]!;
    const myisam: SchemaIR = { ...keyed, tables: [{ ...t, options: { ...(t.options ?? {}), engine: 'myisam' } }] };
    assert.deepEqual(galera.plan(galera.diff(keyed, myisam)).hazards.map((h) => h.code), ['ENGINE_NOT_REPLICATED']);
    const dropped: SchemaIR = { ...keyed, tables: [{ ...t, primaryKey: null }] };
    assert.ok(galera.plan(galera.diff(keyed, dropped)).hazards.some((h) => h.code === 'NO_PRIMARY_KEY_ON_CLUSTER'));
  });
});
