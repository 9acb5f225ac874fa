/**
 * Several applications in one database (M13), on every dialect: two applications with their
 * own tables (`versioned({ prefix })`), beside an unrelated table with rows and an empty one.
 * Every command run for one application — fingerprint, sql, apply --allow-data-loss, record,
 * revert, lint, status, upgrade, baseline, install, check, diff — leaves the other
 * application's tables and the unrelated tables exactly as they were (DDL and rows), both
 * applications install fresh, and both report in sync. `--include` / `--exclude` do the same
 * for a project without versioned().
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { applyEvolution, deploymentHistory, fingerprintDatabase, inspect, planEvolution, table, integer, varchar, isEvolveError } from '../../src/index.js';
import { forEachDialect, withDb } from '../support/harness.js';
import { rows } from '../support/evolve.js';
import type { TestDatabase } from '../support/databases.js';
import { evolve, writeModels, IMPORTS, type CliResult, runServerCommandsInProcess } from '../support/cli.js';

runServerCommandsInProcess(); // its commands run one at a time

const APP_A = (extra = ''): string => `${IMPORTS}import { versioned } from 'evolve';
export const customer = table('a_customer', { id: integer().primaryKey(), name: varchar(50).notNull()${extra} });
export const order = table('a_order', { id: integer().primaryKey(), customer_id: integer().references(() => customer.columns.id) });
export const schema = versioned({ id: 'appA', prefix: 'a_', latest: 1, steps: { 1: async () => {} } });
`;
const APP_B = `${IMPORTS}import { versioned } from 'evolve';
export const order = table('b_order', { id: integer().primaryKey(), total: integer().notNull().default(0) });
export const schema = versioned({ id: 'appB', tables: ['b_*'], latest: 2, steps: { 1: async () => {}, 2: async () => {} } });
`;

/** The unrelated tables: one with rows, one empty. Evolve must never change them. */
async function unrelated(db: TestDatabase): Promise<void> {
  await db.exec('CREATE TABLE legacy_keep (id integer PRIMARY KEY, note varchar(40))');
  await db.exec("INSERT INTO legacy_keep (id, note) VALUES (1, 'one'), (2, 'two')");
  await db.exec('CREATE TABLE legacy_empty (id integer PRIMARY KEY)');
}

/** What must not change: the unrelated tables' and app B's DDL (fingerprint of just them) and rows. */
async function untouched(db: TestDatabase, withB: boolean): Promise<unknown> {
  const include = withB ? ['legacy_*', 'b_*'] : ['legacy_*'];
  const tables = (await inspect(db.url, { include })).tables.map((x) => x.name).filter((n) => !n.startsWith('_evolve')).sort();
  return {
    fingerprint: (await fingerprintDatabase(db.url, { include })).fingerprint, tables,
    keep: await rows(db, 'SELECT id, note FROM legacy_keep ORDER BY id'),
    empty: await rows(db, 'SELECT COUNT(*) AS n FROM legacy_empty'),
    b: withB ? await rows(db, 'SELECT id, total FROM b_order ORDER BY id') : null,
  };
}

const json = (r: CliResult): Record<string, unknown> => {
  try { return JSON.parse(r.stdout) as Record<string, unknown>; } catch { throw new Error(`not JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`); }
};
const ok = (r: CliResult, what: string): CliResult => { assert.equal(r.code, 0, `${what}: exit ${r.code}\n${r.stdout}\n${r.stderr}`); return r; };

forEachDialect('several applications in one database', (d) => {
  it('every command of one application leaves the other\'s tables and unrelated tables untouched', (t) => withDb(t, d, async (db) => {
    await unrelated(db);
    const before = await untouched(db, false);
    const a = writeModels(APP_A());
    const b = writeModels(APP_B);
    const run = (...args: string[]): Promise<CliResult> => evolve([...args, '--db', db.url]);

    // Both applications install fresh, although the database already holds tables.
    const ia = json(ok(await run('upgrade', '--models', a, '--json'), 'upgrade appA'));
    assert.equal(ia.freshInstall, true);
    assert.deepEqual([...(ia.created as string[])].sort(), ['a_customer', 'a_order']);
    assert.deepEqual(await untouched(db, false), before, 'installing appA changed nothing else');
    const ib = json(ok(await run('upgrade', '--models', b, '--json'), 'upgrade appB'));
    assert.equal(ib.freshInstall, true, 'appB installs fresh beside appA');
    assert.equal(ib.app, 'appB');
    await db.exec('INSERT INTO b_order (id, total) VALUES (7, 70), (8, 80)');
    const snapshot = await untouched(db, true);

    // Each reads only its own tables: in sync, no drift.
    for (const m of [a, b]) {
      ok(await run('check', '--models', m), `check ${m}`);
      const st = json(ok(await run('status', '--models', m, '--json'), 'status'));
      assert.deepEqual(st.pendingGenerated, [], 'status: nothing pending');
      assert.equal((st.deployment as { app: string }).app, m === a ? 'appA' : 'appB', 'status defaults to the versioned() id');
      assert.equal(json(ok(await run('fingerprint', '--models', m, '--json'), 'fingerprint')).matchesModels, true);
      ok(await run('sql', '--models', m, '--exit-code'), 'sql --exit-code: nothing pending');
      const ap = json(ok(await run('apply', '--models', m, '--allow-data-loss', '--json'), 'apply --allow-data-loss'));
      assert.equal(ap.applied, false, 'apply finds nothing to do (and drops nothing)');
      ok(await run('lint', '--models', m), 'lint');
      ok(await run('install', '--models', m), 'install');
      assert.deepEqual(json(ok(await evolve(['diff', db.url, m, '--include', m === a ? 'a_*' : 'b_*', '--json']), 'diff')).statements, []);
    }
    assert.deepEqual(await untouched(db, true), snapshot);

    // appA evolves: record, apply the stored evolution, revert it.
    const a2 = writeModels(APP_A(', email: varchar(80)'));
    const rec = json(ok(await run('record', '--models', a2, '--json'), 'record'));
    assert.ok(rec.file, 'an evolution was recorded');
    assert.deepEqual((rec.changes as unknown[]).length, 1, 'only appA\'s change is recorded');
    const ap2 = json(ok(await run('apply', '--models', a2, '--allow-data-loss', '--json'), 'apply stored'));
    assert.equal((ap2.storedApplied as unknown[]).length, 1);
    ok(await run('check', '--models', a2), 'check after apply');
    ok(await run('lint', '--models', a2), 'lint with a stored evolution');
    ok(await run('revert', '--models', a2), 'revert');
    ok(await run('check', '--models', a), 'check after revert');
    assert.deepEqual(await untouched(db, true), snapshot, 'apply, record, revert left B and the unrelated tables alone');

    // baseline, upgrade and install of B after A's work: B's own record, its own tables.
    ok(await run('baseline', '1', '--models', b), 'baseline');
    const ub = json(ok(await run('upgrade', '--models', b, '--json'), 'upgrade appB'));
    assert.deepEqual(ub.ran, [2]);
    ok(await run('check', '--models', b), 'check appB');
    ok(await run('check', '--models', a), 'check appA');
    const a3 = writeModels(`${APP_A()}export const extra = table('a_extra', { id: integer().primaryKey() });\n`);
    assert.deepEqual(json(ok(await run('install', '--models', a3, '--json'), 'install')).created, ['a_extra']);
    assert.deepEqual(await untouched(db, true), snapshot, 'baseline, upgrade and install left the others alone');

    // History rows are written under each application's own id.
    const ha = await deploymentHistory({ db: db.url, app: 'appA' });
    assert.deepEqual(ha.history.map((h) => h.kind), ['install', 'stored', 'revert', 'install'], 'appA history under appA');
    const hb = await deploymentHistory({ db: db.url, app: 'appB' });
    assert.deepEqual(hb.history.map((h) => h.kind), ['install', 'baseline', 'upgrade']);
    assert.deepEqual((await deploymentHistory({ db: db.url })).history, [], "nothing under 'default'");
  }));

  it('a model outside the application\'s tables is refused before anything runs', (t) => withDb(t, d, async (db) => {
    await unrelated(db);
    const m = writeModels(`${APP_A()}export const stray = table('z_stray', { id: integer().primaryKey() });\n`);
    for (const cmd of ['apply', 'upgrade', 'sql']) {
      const r = await evolve([cmd, '--db', db.url, '--models', m, '--json']);
      assert.equal(r.code, 1, `${cmd}: ${r.stdout}${r.stderr}`);
      const e = json(r).error as { code: string; message: string };
      assert.equal(e.code, 'E_OUT_OF_SCOPE');
      assert.match(e.message, /z_stray.*application 'appA'.*include a_\*/);
    }
    assert.deepEqual((await inspect(db.url, { include: 'a_*,z_*' })).tables.map((x) => x.name), [], 'nothing was created');
  }));

  it('--include / --exclude keep tables Evolve must leave alone out of every plan (no versioned())', (t) => withDb(t, d, async (db) => {
    await unrelated(db);
    const before = await untouched(db, false);
    const models = [table('shop_item', { id: integer().primaryKey(), name: varchar(30) })];
    // Without a filter the unrelated table with rows would be dropped: the filter is what saves it.
    const bare = await planEvolution({ db: db.url, models });
    assert.ok(bare.changes.some((c) => c.kind === 'dropTable'), 'unfiltered, the plan drops the unrelated tables');
    const r = await applyEvolution({ db: db.url, models, exclude: ['legacy_*'], allowDataLoss: true });
    assert.ok(!r.changes.some((c) => c.kind === 'dropTable'));
    assert.equal((await planEvolution({ db: db.url, models, include: 'shop_*' })).inSync, true);
    assert.deepEqual(await untouched(db, false), before);
    await assert.rejects(applyEvolution({ db: db.url, models, include: 'legacy_*' }), (e) => isEvolveError(e) && e.code === 'E_OUT_OF_SCOPE');
    // The CLI and evolve.config.ts keys.
    const mod = writeModels(`${IMPORTS}export const item = table('shop_item', { id: integer().primaryKey(), name: varchar(30) });\n`);
    ok(await evolve(['check', '--db', db.url, '--models', mod, '--exclude', 'legacy_keep', '--exclude', 'legacy_empty']), 'check with --exclude');
    const config = writeModels("export default { exclude: ['legacy_*'] };\n", 'evolve.config.ts');
    ok(await evolve(['check', '--db', db.url, '--models', mod, '--config', config]), 'check with exclude in evolve.config.ts');
    const drift = await evolve(['check', '--db', db.url, '--models', mod]);
    assert.equal(drift.code, 3, 'unfiltered, the unrelated tables read as drift');
    const st = json(ok(await evolve(['status', '--db', db.url, '--models', mod, '--include', 'shop_*', '--json']), 'status --include'));
    assert.deepEqual(st.pendingGenerated, []);
    const diff = json(ok(await evolve(['diff', db.url, mod, '--exclude', 'legacy_*', '--json']), 'diff --exclude'));
    assert.deepEqual(diff.statements, []);
    assert.deepEqual(await untouched(db, false), before);
    // A foreign key from a managed table to a table outside is an external reference: kept, never dropped.
    await db.exec('CREATE TABLE shop_link (id integer NOT NULL PRIMARY KEY, keep_id integer, FOREIGN KEY (keep_id) REFERENCES legacy_keep (id))');
    const withLink = [...models, table('shop_link', { id: integer().primaryKey(), keep_id: integer() })];
    const linked = await planEvolution({ db: db.url, models: withLink, exclude: 'legacy_*' });
    assert.deepEqual(linked.statements.map((x) => x.sql), [], 'the foreign key to legacy_keep is not planned as a drop');
    assert.ok(linked.unmanaged.some((u) => /foreign key shop_link\(keep_id\) → legacy_keep/.test(u)), linked.unmanaged.join('; '));
  }));
});
