/**
 * One deployer at a time (B3): eight `evolve upgrade` processes at once, twenty rounds, on
 * each server dialect. Every step is recorded exactly once and the final fingerprint is the
 * latest models'. (PGlite is an in-process database: one process owns its directory, so it
 * has no multi-process case to test.)
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { table, integer, varchar, baselineDeployment, deploymentHistory, fingerprintDatabase, modelsFingerprint, checkVersion } from '../../src/index.js';
import { evolveDialect, forEachDialect, withDb } from '../support/harness.js';
import { evolve, writeModels, stepsModuleSource } from '../support/cli.js';

const ROUNDS = Number(process.env.EVOLVE_CONCURRENCY_ROUNDS ?? 10);
const DEPLOYERS = 8;

const v0 = [table('person', { id: integer().primaryKey(), name: varchar(50).notNull() })];
const MODULE = stepsModuleSource('race');

forEachDialect('one deployer at a time', (d) => {
  if (d === 'pglite') return;
  it(`${DEPLOYERS} deployers at once, ${ROUNDS} rounds: each step once, final fingerprint right`, { timeout: 20 * 60_000 }, (t) => withDb(t, d, async (db) => {
    const file = writeModels(MODULE);
    const latestModels = [
      table('person', { id: integer().primaryKey(), full_name: varchar(50).notNull(), age: integer().notNull().default(0) }),
      table('city', { id: integer().primaryKey(), name: (await import('../../src/index.js')).text() }),
    ];
    const expected = await modelsFingerprint(latestModels, evolveDialect(d));
    for (let round = 1; round <= ROUNDS; round++) {
      // Back to version 0 with data, as a deployed application would be.
      await db.exec('DROP TABLE IF EXISTS city');
      await db.exec('DROP TABLE IF EXISTS person');
      await db.exec('DROP TABLE IF EXISTS _evolve_history');
      await db.exec('DROP TABLE IF EXISTS _evolve_deployment');
      await db.exec('CREATE TABLE person (id integer NOT NULL PRIMARY KEY, name varchar(50) NOT NULL)');
      await db.exec("INSERT INTO person (id, name) VALUES (1, 'ann'), (2, 'bob')");
      await baselineDeployment({ db: db.url, steps: file, version: 0 });
      void v0;
      const results = await Promise.all(Array.from({ length: DEPLOYERS }, () => evolve(['upgrade', '--db', db.url, '--models', file, '--lock-timeout', '120'])));
      for (const r of results) assert.equal(r.code, 0, `round ${round}: every deployer succeeds (${r.stderr})`);
      const ran = results.map((r) => (r.stdout.match(/Ran step (\d)/g) ?? []).length);
      assert.equal(ran.reduce((a, b) => a + b, 0), 3, `round ${round}: three steps ran in all (${ran.join(',')})`);
      const history = (await deploymentHistory({ db: db.url, app: 'race' })).history.filter((h) => h.kind === 'upgrade');
      assert.deepEqual(history.map((h) => `${h.toVersion}:${h.outcome}`).sort(), ['1:ok', '2:ok', '3:ok'], `round ${round}: each step recorded once`);
      assert.equal((await fingerprintDatabase(db.url)).fingerprint, expected);
      assert.equal((await checkVersion({ db: db.url, steps: file })).state, 'in-sync');
      const names = (await db.query('SELECT full_name FROM person ORDER BY id')).map((r) => r.full_name);
      assert.deepEqual(names, ['ann', 'bob']);
    }
  }));
});
