/**
 * The four ways of working (docs/evolutions.md), each end to end through the `evolve` command
 * line, on every dialect: automatic, mostly automatic, reviewed, hand-written; and drift as
 * `evolve fingerprint` reports it for an unknown fingerprint.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fingerprintDatabase, modelsFingerprint } from '../../src/index.js';
import { evolveDialect, forEachDialect, withDb } from '../support/harness.js';
import { rows } from '../support/evolve.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { evolve, IMPORTS, writeModels, type CliResult, runServerCommandsInProcess } from '../support/cli.js';

runServerCommandsInProcess(); // its commands run one at a time

const V1 = `${IMPORTS}export const person = table('person', { id: integer().primaryKey(), name: varchar(50).notNull() });\n`;
/** The column renamed, declared with aka (the automatic and reviewed ways). */
const V2_AKA = `${IMPORTS}export const person = table('person', { id: integer().primaryKey(), full_name: varchar(50).notNull().aka('name'), age: integer() });\n`;
/** The same schema without aka (the mostly automatic and hand-written ways: a stored evolution does the rename). */
const V2 = `${IMPORTS}export const person = table('person', { id: integer().primaryKey(), full_name: varchar(50).notNull(), age: integer() });\n`;
const V3 = `${IMPORTS}export const person = table('person', { id: integer().primaryKey(), full_name: varchar(50).notNull(), age: integer(), city: text() });\n`;

const fp = async (db: TestDatabase): Promise<string> => (await fingerprintDatabase(db.url)).fingerprint;
function ok(r: CliResult, what: string): CliResult {
  assert.equal(r.code, 0, `${what}: exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r;
}
/** Two databases at v1 with the same row: a development one and a production one. */
async function devAndProd(dev: TestDatabase, prod: TestDatabase, models: string): Promise<void> {
  writeFileSync(models, V1);
  for (const db of [dev, prod]) {
    ok(await evolve(['apply', '--db', db.url, '--models', models]), 'apply v1');
    await db.exec("INSERT INTO person (id, name) VALUES (1, 'ann')");
  }
}
const RENAME = 'ALTER TABLE person RENAME COLUMN name TO full_name;\nALTER TABLE person ADD COLUMN age integer;';

forEachDialect('ways of working, through the CLI', (d) => {
  const ed = evolveDialect(d);

  it('1. automatic: edit the models, evolve sql previews, evolve apply runs the generated SQL', (t) => withDb(t, d, async (db) => {
    const models = writeModels(V1);
    ok(await evolve(['apply', '--db', db.url, '--models', models]), 'apply v1');
    await db.exec("INSERT INTO person (id, name) VALUES (1, 'ann')");
    writeFileSync(models, V2_AKA);
    const sql = ok(await evolve(['sql', '--db', db.url, '--models', models]), 'sql');
    assert.match(sql.stdout, /generated from the models/);
    assert.match(sql.stdout, /rename via aka: column person\.name → full_name/);
    const apply = ok(await evolve(['apply', '--db', db.url, '--models', models]), 'apply v2');
    assert.match(apply.stdout, /Applied \d+ generated statement/);
    assert.equal(await fp(db), await modelsFingerprint(models, ed));
    assert.deepEqual(await rows(db, 'SELECT id, full_name, age FROM person'), [{ id: '1', full_name: 'ann', age: null }]);
    assert.match(ok(await evolve(['apply', '--db', db.url, '--models', models]), 'apply again').stdout, /already in sync/);
  }));

  it('2. mostly automatic: a stored evolution for the rename introspection cannot guess, then generated SQL for the rest', (t) => withDb(t, d, async (dev) => {
    const prod = await freshDatabase(d);
    try {
      const models = writeModels(V1);
      const dir = join(dirname(models), 'evolutions');
      await devAndProd(dev, prod, models);
      // The rename, written by hand with a placeholder; completed on the development database.
      mkdirSync(dir);
      const a = await fp(dev);
      writeFileSync(join(dir, '0001-rename-name.sql'), `-- evolve:from ${a}\n-- evolve:to fv1:xxxxxxxx\n${RENAME}\n`);
      const done = ok(await evolve(['complete', '--db', dev.url, '--models', models]), 'complete');
      assert.match(done.stdout, /Completed .*0001-rename-name\.sql/);
      const b = await fp(dev);
      assert.match(readFileSync(join(dir, '0001-rename-name.sql'), 'utf8'), new RegExp(`^-- evolve:to ${b}$`, 'm'));
      // The models move on (no aka: the stored evolution does the rename).
      writeFileSync(models, V3);
      const sql = ok(await evolve(['sql', '--db', prod.url, '--models', models]), 'sql');
      assert.match(sql.stdout, /stored evolution 0001-rename-name\.sql applies next/);
      assert.match(sql.stdout, /known: 1 of 2/);
      const apply = ok(await evolve(['apply', '--db', prod.url, '--models', models]), 'apply');
      assert.match(apply.stdout, /Applied stored evolution 0001-rename-name\.sql: fv1:\w+ → fv1:\w+ \(verified\)/);
      assert.match(apply.stdout, /Applied 1 generated statement/);
      assert.equal(await fp(prod), await modelsFingerprint(models, ed));
      assert.deepEqual(await rows(prod, 'SELECT id, full_name, age, city FROM person'), [{ id: '1', full_name: 'ann', age: null, city: null }]);
    } finally { await prod.dispose(); }
  }));

  it('3. reviewed: record on the development database, apply --stored-only elsewhere, revert', (t) => withDb(t, d, async (dev) => {
    const prod = await freshDatabase(d);
    try {
      const models = writeModels(V1);
      const dir = join(dirname(models), 'evolutions');
      await devAndProd(dev, prod, models);
      const a = await fp(prod);
      writeFileSync(models, V2_AKA);
      const rec = ok(await evolve(['record', '--db', dev.url, '--models', models, '--name', 'rename-name']), 'record');
      assert.match(rec.stdout, /Recorded .*0001-rename-name\.sql/);
      assert.equal(await fp(dev), a, 'record applies nothing');
      assert.deepEqual(readdirSync(dir).filter((n) => n.endsWith('.sql')), ['0001-rename-name.sql']);
      // Recording again before applying is refused.
      const again = await evolve(['record', '--db', dev.url, '--models', models]);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /E_CONFLICT: .*already recorded[\s\S]*fix: Apply it first/);
      const sql = ok(await evolve(['sql', '--stored-only', '--db', prod.url, '--models', models]), 'sql');
      assert.match(sql.stdout, /stored evolution 0001-rename-name\.sql applies next/);
      const apply = ok(await evolve(['apply', '--stored-only', '--db', prod.url, '--models', models]), 'apply --stored-only');
      assert.match(apply.stdout, /Applied stored evolution 0001-rename-name\.sql/);
      const b = await modelsFingerprint(models, ed);
      assert.equal(await fp(prod), b, 'the recorded files give the models\' fingerprint');
      assert.deepEqual(await rows(prod, 'SELECT id, full_name FROM person'), [{ id: '1', full_name: 'ann' }]);
      // A change not recorded is never generated in stored-only mode.
      writeFileSync(models, V3.replace("varchar(50).notNull()", "varchar(50).notNull().aka('name')"));
      const refused = await evolve(['apply', '--stored-only', '--db', prod.url, '--models', models]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /E_OUT_OF_SYNC/);
      assert.equal(await fp(prod), b);
      const back = ok(await evolve(['revert', '--db', prod.url, '--models', models]), 'revert');
      assert.match(back.stdout, /Reverted 0001-rename-name\.sql: fv1:\w+ → fv1:\w+ \(verified\)/);
      assert.equal(await fp(prod), a);
      assert.deepEqual(await rows(prod, 'SELECT id, name FROM person'), [{ id: '1', name: 'ann' }]);
    } finally { await prod.dispose(); }
  }));

  it('4. hand-written: a TypeScript evolution with a placeholder, completed on the development database, applied --stored-only elsewhere', (t) => withDb(t, d, async (dev) => {
    const prod = await freshDatabase(d);
    try {
      const models = writeModels(V1);
      const dir = join(dirname(models), 'evolutions');
      await devAndProd(dev, prod, models);
      const a = await fp(dev);
      mkdirSync(dir);
      // The seed's way: the live fingerprint starts the known list; the evolution maps it to a placeholder.
      writeFileSync(join(dir, 'fingerprints.txt'), `# known fingerprints\n${a}\n`);
      writeFileSync(join(dir, '0001-full-name.ts'), `import { evolution, varchar, integer } from 'evolve';
export default evolution({
  from: '${a}',
  to: 'fv1:xxxxxxxx',
  up: [
    'ALTER TABLE person ADD COLUMN full_name varchar(50)',
    async function copyNames({ ops }) {
      for (const r of await ops.query('SELECT id, name FROM person')) {
        await ops.query('UPDATE person SET full_name = ${ed === 'postgres' ? '$1' : '?'} WHERE id = ${ed === 'postgres' ? '$2' : '?'}', [String(r.name).toUpperCase(), Number(r.id)]);
      }
      await ops.dropColumn('person', 'name');
      await ops.alterColumn('person', 'full_name', varchar(50).notNull());
      await ops.addColumn('person', 'age', integer());
    },
  ],
});
`);
      // Every other command refuses the placeholder, naming the completion command.
      writeFileSync(models, V2);
      const refused = await evolve(['apply', '--stored-only', '--db', prod.url, '--models', models]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /E_EVOLUTION_INVALID: Evolution '0001-full-name\.ts' has a placeholder to-fingerprint \(fv1:xxxxxxxx\)[\s\S]*fix: Run `evolve complete 0001-full-name\.ts --db DEV_DB`/);
      const done = ok(await evolve(['complete', '0001-full-name.ts', '--db', dev.url, '--models', models, '--json']), 'complete');
      const report = JSON.parse(done.stdout) as { to: string; from: string };
      assert.equal(report.from, a);
      assert.equal(await fp(dev), report.to);
      assert.equal(report.to, await modelsFingerprint(models, ed), 'this evolution reaches the models (no aka needed)');
      assert.match(readFileSync(join(dir, '0001-full-name.ts'), 'utf8'), new RegExp(`to: '${report.to}'`));
      assert.deepEqual(readFileSync(join(dir, 'fingerprints.txt'), 'utf8').split('\n').filter((l) => l.startsWith('fv')), [a, report.to]);
      // Production: only her file runs.
      const apply = ok(await evolve(['apply', '--stored-only', '--db', prod.url, '--models', models]), 'apply --stored-only');
      assert.match(apply.stdout, /Applied stored evolution 0001-full-name\.ts/);
      assert.equal(await fp(prod), report.to);
      assert.deepEqual(await rows(prod, 'SELECT id, full_name, age FROM person'), [{ id: '1', full_name: 'ANN', age: null }]);
      // Complete again: nothing to complete.
      const twice = await evolve(['complete', '0001-full-name.ts', '--db', dev.url, '--models', models]);
      assert.equal(twice.code, 1);
      assert.match(twice.stderr, /E_CONFLICT: Evolution '0001-full-name\.ts' is already complete/);
    } finally { await prod.dispose(); }
  }));

  it('evolve fingerprint names the nearest known fingerprint and what drifted, for an unknown fingerprint', (t) => withDb(t, d, async (db) => {
    const models = writeModels(V1);
    ok(await evolve(['apply', '--db', db.url, '--models', models]), 'apply v1');
    writeFileSync(models, V2_AKA);
    ok(await evolve(['record', '--db', db.url, '--models', models]), 'record');
    ok(await evolve(['apply', '--stored-only', '--db', db.url, '--models', models]), 'apply');
    const b = await fp(db);
    const known = ok(await evolve(['fingerprint', '--db', db.url, '--models', models]), 'fingerprint');
    assert.equal(known.stdout.trim(), b);
    assert.match(known.stderr, /known: position 2 of 2 \(latest\)/);
    await db.exec('ALTER TABLE person ADD COLUMN hack integer');
    const text = ok(await evolve(['fingerprint', '--db', db.url, '--models', models]), 'fingerprint (drift)');
    assert.match(text.stderr, /unknown: not in the known fingerprints/);
    assert.match(text.stderr, new RegExp(`nearest known fingerprint ${b}; the database differs by:\\n\\s+add column person\\.hack`));
    const json = JSON.parse(ok(await evolve(['fingerprint', '--json', '--db', db.url, '--models', models]), 'fingerprint --json').stdout) as { known: unknown; drift: { nearest: string; differences: string[] } };
    assert.equal(json.known, null);
    assert.deepEqual(json.drift, { nearest: b, differences: ['add column person.hack'] });
  }));
});
