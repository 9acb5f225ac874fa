/**
 * Stored evolutions on every dialect: record → review → apply elsewhere; recognition;
 * longest jump; verification with rollback; priority over introspection; revert; integrity;
 * drift; TypeScript steps.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, renameSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  table, index, integer, text, varchar, completeEvolution, applyEvolution, planEvolution, recordEvolution, revertEvolutions, hashEvolutions,
  statusOf, fingerprintDatabase, modelsFingerprint, isEvolveError, deploymentHistory, type Table,
} from '../../src/index.js';
import { evolveDialect, forEachDialect, withDb } from '../support/harness.js';
import { evolveTo, rows } from '../support/evolve.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { evolve, IMPORTS, writeModels, runServerCommandsInProcess } from '../support/cli.js';

runServerCommandsInProcess(); // its commands run one at a time

const v1 = (): Table[] => [table('person', { id: integer().primaryKey(), name: varchar(50).notNull() })];
const v2 = (): Table[] => [table('person', { id: integer().primaryKey(), full_name: varchar(50).notNull().aka('name'), age: integer() })];
const v3 = (): Table[] => [table('person', { id: integer().primaryKey(), full_name: varchar(50).notNull().aka('name'), age: integer(), city: text() })];
const dirOf = (): string => mkdtempSync(join(tmpdir(), 'evolve-evo-'));
const fp = async (db: TestDatabase): Promise<string> => (await fingerprintDatabase(db.url)).fingerprint;

/** Write a hand-written SQL evolution and sign the directory. */
function writeEvolution(dir: string, name: string, from: string, to: string, up: string, down?: string): void {
  writeFileSync(join(dir, name), `-- evolve:from ${from}\n-- evolve:to ${to}\n${up}\n${down === undefined ? '' : `-- evolve:revert\n${down}\n`}`);
}
function writeKnown(dir: string, fps: string[]): void {
  writeFileSync(join(dir, 'fingerprints.txt'), fps.join('\n') + '\n');
  hashEvolutions(dir);
}

forEachDialect('stored evolutions', (d) => {
  const ed = evolveDialect(d);

  it('record on a development database, apply the files elsewhere: same fingerprint, data kept', (t) => withDb(t, d, async (dev) => {
    const prod = await freshDatabase(d);
    try {
      const dir = dirOf();
      await evolveTo(dev, v1());
      await evolveTo(prod, v1());
      await prod.exec("INSERT INTO person (id, name) VALUES (1, 'ann')");
      const r = await recordEvolution({ db: dev.url, models: v2(), evolutions: dir });
      assert.ok(r.file && r.file.endsWith('0001-rename-column-person-name-to-full-name.sql'), String(r.file));
      assert.equal(r.to, await modelsFingerprint(v2(), ed));
      assert.equal(await fp(dev), r.from, 'record applies nothing');
      const text = readFileSync(r.file!, 'utf8');
      assert.match(text, /-- evolve:revert/);
      // Production: stored only, no generated SQL.
      const applied = await applyEvolution({ db: prod.url, models: v2(), evolutions: dir, storedOnly: true });
      assert.deepEqual(applied.storedApplied.map((s) => s.id), [readdirSync(dir).find((n) => n.startsWith('0001'))]);
      assert.equal(await fp(prod), r.to);
      assert.deepEqual(await rows(prod, 'SELECT id, full_name, age FROM person'), [{ id: '1', full_name: 'ann', age: null }]);
      // And back.
      const back = await revertEvolutions({ db: prod.url, evolutions: dir });
      assert.equal(back.fingerprintAfter, r.from);
      assert.equal(await fp(prod), r.from);
      assert.deepEqual(await rows(prod, 'SELECT id, name FROM person'), [{ id: '1', name: 'ann' }]);
    } finally { await prod.dispose(); }
  }));

  it('recognises the live fingerprint and its position (CLI, text and --json)', (t) => withDb(t, d, async (db) => {
    const dir = dirOf();
    await evolveTo(db, v1());
    const a = await fp(db);
    writeKnown(dir, [a, await modelsFingerprint(v2(), ed)]);
    const r = await evolve(['fingerprint', '--json', '--db', db.url, '--evolutions', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).known, { position: 1, of: 2 });
    const text = await evolve(['fingerprint', '--db', db.url, '--evolutions', dir]);
    assert.match(text.stderr, /known: position 1 of 2/);
  }));

  it('takes the longest jump, verifies, then stops at the latest known fingerprint', (t) => withDb(t, d, async (db) => {
    const dir = dirOf();
    await evolveTo(db, v1());
    await db.exec("INSERT INTO person (id, name) VALUES (1, 'ann')");
    const [a, b, c] = [await fp(db), await modelsFingerprint(v2(), ed), await modelsFingerprint(v3(), ed)];
    const toB = 'ALTER TABLE person RENAME COLUMN name TO full_name;\nALTER TABLE person ADD COLUMN age integer;';
    writeEvolution(dir, '0001-a-b.sql', a, b, toB);
    writeEvolution(dir, '0002-b-c.sql', b, c, 'ALTER TABLE person ADD COLUMN city text;');
    writeEvolution(dir, '0003-a-c.sql', a, c, `${toB}\nALTER TABLE person ADD COLUMN city text;`);
    writeKnown(dir, [a, b, c]);
    const preview = await planEvolution({ db: db.url, models: v3(), evolutions: dir });
    assert.equal(preview.source, 'stored');
    assert.equal(preview.stored!.id, '0003-a-c.sql');
    assert.equal(preview.stored!.distance, 2);
    const r = await applyEvolution({ db: db.url, models: v3(), evolutions: dir });
    assert.deepEqual(r.storedApplied.map((s) => s.id), ['0003-a-c.sql']);
    assert.equal(r.fingerprintAfter, c);
    assert.equal(r.source, 'none');
    assert.deepEqual(await rows(db, 'SELECT full_name FROM person'), [{ full_name: 'ann' }]);
  }));

  it('stored evolutions win over introspection, then the generated plan runs once', (t) => withDb(t, d, async (db) => {
    const dir = dirOf();
    await evolveTo(db, v1());
    await db.exec("INSERT INTO person (id, name) VALUES (1, 'ann')");
    const [a, b] = [await fp(db), await modelsFingerprint(v2(), ed)];
    // A hand-written step introspection could not guess: a data fix along with the change.
    writeEvolution(dir, '0001-a-b.sql', a, b, "ALTER TABLE person RENAME COLUMN name TO full_name;\nALTER TABLE person ADD COLUMN age integer;\nUPDATE person SET full_name = 'Ann'");
    writeKnown(dir, [a, b]);
    const r = await applyEvolution({ db: db.url, models: v3(), evolutions: dir });
    assert.deepEqual(r.storedApplied.map((s) => s.id), ['0001-a-b.sql']);
    assert.equal(r.source, 'generated');
    assert.equal(r.fingerprintAfter, await modelsFingerprint(v3(), ed));
    assert.deepEqual(await rows(db, 'SELECT full_name FROM person'), [{ full_name: 'Ann' }]);
  }));

  it('an evolution that does not reach its to-fingerprint stops apply (rolled back where DDL is transactional)', (t) => withDb(t, d, async (db) => {
    const dir = dirOf();
    await evolveTo(db, v1());
    const [a, b] = [await fp(db), await modelsFingerprint(v2(), ed)];
    writeEvolution(dir, '0001-wrong.sql', a, b, 'ALTER TABLE person ADD COLUMN oops integer;');
    writeKnown(dir, [a, b]);
    await assert.rejects(applyEvolution({ db: db.url, models: v2(), evolutions: dir }),
      (e: unknown) => isEvolveError(e) && e.code === 'E_EVOLUTION_MISMATCH' && /0001-wrong\.sql/.test(e.message));
    if (d !== 'mysql') assert.equal(await fp(db), a, 'database exactly as before');
  }));

  it('a chain runs at once where DDL is transactional, and a wrong link stops apply right there, keeping the links before it', (t) => withDb(t, d, async (db) => {
    const dir = dirOf();
    await evolveTo(db, v1());
    await db.exec("INSERT INTO person (id, name) VALUES (1, 'ann')");
    const [a, b, c] = [await fp(db), await modelsFingerprint(v2(), ed), await modelsFingerprint(v3(), ed)];
    writeEvolution(dir, '0001-a-b.sql', a, b, 'ALTER TABLE person RENAME COLUMN name TO full_name;\nALTER TABLE person ADD COLUMN age integer;');
    writeEvolution(dir, '0002-b-c.sql', b, c, 'ALTER TABLE person ADD COLUMN town text;'); // wrong: the models say city
    writeKnown(dir, [a, b, c]);
    await assert.rejects(applyEvolution({ db: db.url, models: v3(), evolutions: dir, record: { history: true } }),
      (e: unknown) => isEvolveError(e) && e.code === 'E_EVOLUTION_MISMATCH' && /0002-b-c\.sql/.test(e.message));
    if (d !== 'mysql') assert.equal(await fp(db), b, 'the first link stays applied, the wrong one was rolled back');
    const history = (await deploymentHistory({ db: db.url })).history.filter((h) => h.kind === 'stored');
    assert.deepEqual(history.map((h) => [h.name, h.outcome]), [['0001-a-b.sql', 'ok'], ['0002-b-c.sql', 'failed']]);
    if (d === 'mysql') return; // MySQL cannot roll the wrong link back: its ADD COLUMN stays (the error says so)
    // Fixed, the chain applies (at once where it can) and each link is in the history once.
    writeEvolution(dir, '0002-b-c.sql', b, c, 'ALTER TABLE person ADD COLUMN city text;');
    writeKnown(dir, [a, b, c]);
    const r = await applyEvolution({ db: db.url, models: v3(), evolutions: dir, record: { history: true } });
    assert.deepEqual(r.storedApplied.map((s) => s.id), ['0002-b-c.sql']);
    assert.equal(await fp(db), c);
    assert.deepEqual(await rows(db, 'SELECT full_name FROM person'), [{ full_name: 'ann' }]);
  }));

  it('a whole chain applied at once is recorded link by link', (t) => withDb(t, d, async (db) => {
    const dir = dirOf();
    await evolveTo(db, v1());
    const [a, b, c] = [await fp(db), await modelsFingerprint(v2(), ed), await modelsFingerprint(v3(), ed)];
    writeEvolution(dir, '0001-a-b.sql', a, b, 'ALTER TABLE person RENAME COLUMN name TO full_name;\nALTER TABLE person ADD COLUMN age integer;');
    writeEvolution(dir, '0002-b-c.sql', b, c, 'ALTER TABLE person ADD COLUMN city text;');
    writeKnown(dir, [a, b, c]);
    const r = await applyEvolution({ db: db.url, models: v3(), evolutions: dir, record: { history: true } });
    assert.deepEqual(r.storedApplied.map((s) => s.id), ['0001-a-b.sql', '0002-b-c.sql']);
    const history = (await deploymentHistory({ db: db.url })).history.filter((h) => h.kind === 'stored');
    assert.deepEqual(history.map((h) => [h.name, h.fromFingerprint, h.toFingerprint, h.outcome]), [['0001-a-b.sql', a, b, 'ok'], ['0002-b-c.sql', b, c, 'ok']]);
  }));

  it('stored-only mode never runs generated SQL', (t) => withDb(t, d, async (db) => {
    await evolveTo(db, v1());
    const before = await fp(db);
    await assert.rejects(applyEvolution({ db: db.url, models: v2(), evolutions: dirOf(), storedOnly: true }),
      (e: unknown) => isEvolveError(e) && e.code === 'E_OUT_OF_SYNC' && /evolve record/.test(e.hint ?? ''));
    assert.equal(await fp(db), before);
  }));

  it('reverts back along the chain (--steps, --to)', (t) => withDb(t, d, async (db) => {
    const dir = dirOf();
    await evolveTo(db, v1());
    await db.exec("INSERT INTO person (id, name) VALUES (1, 'ann')");
    const a = await fp(db);
    const r1 = await recordEvolution({ db: db.url, models: v2(), evolutions: dir });
    await applyEvolution({ db: db.url, models: v2(), evolutions: dir, storedOnly: true });
    const r2 = await recordEvolution({ db: db.url, models: v3(), evolutions: dir });
    await applyEvolution({ db: db.url, models: v3(), evolutions: dir, storedOnly: true });
    assert.equal(await fp(db), r2.to);
    const one = await revertEvolutions({ db: db.url, evolutions: dir, steps: 1 });
    assert.equal(one.fingerprintAfter, r1.to);
    await applyEvolution({ db: db.url, models: v3(), evolutions: dir, storedOnly: true });
    const cli = await evolve(['revert', '--db', db.url, '--evolutions', dir, '--to', a]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal(await fp(db), a);
    assert.deepEqual(await rows(db, 'SELECT id, name FROM person'), [{ id: '1', name: 'ann' }]);
    await assert.rejects(revertEvolutions({ db: db.url, evolutions: dir }), (e: unknown) => isEvolveError(e) && e.code === 'E_NO_PATH');
  }));

  it('refuses edited, removed and reordered evolutions before anything runs; evolve hash re-signs', (t) => withDb(t, d, async (db) => {
    const dir = dirOf();
    await evolveTo(db, v1());
    const a = await fp(db);
    const r = await recordEvolution({ db: db.url, models: v2(), evolutions: dir });
    const file = r.file!;
    const name = file.split('/').pop()!;
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace('ADD COLUMN', 'ADD COLUMN /* edited */'));
    const edited = await evolve(['apply', '--db', db.url, '--models', 'unused.ts', '--evolutions', dir]);
    assert.equal(edited.code, 1);
    assert.match(edited.stderr, new RegExp(`E_INTEGRITY: Evolution '${name.replace('.', '\\.')}' was edited`));
    assert.equal(await fp(db), a);
    writeFileSync(file, original);
    await recordEvolution({ db: db.url, models: v2(), evolutions: dir }).catch(() => undefined);
    renameSync(file, join(dir, name.replace(/^0001/, '0009')));
    await assert.rejects(planEvolution({ db: db.url, models: v2(), evolutions: dir }), (e: unknown) => isEvolveError(e) && e.code === 'E_INTEGRITY');
    renameSync(join(dir, name.replace(/^0001/, '0009')), file);
    rmSync(file);
    await assert.rejects(planEvolution({ db: db.url, models: v2(), evolutions: dir }), (e: unknown) => isEvolveError(e) && e.code === 'E_INTEGRITY' && e.message.includes(name));
    writeFileSync(file, original);
    const hash = await evolve(['hash', '--evolutions', dir]);
    assert.equal(hash.code, 0, hash.stderr);
    assert.equal((await planEvolution({ db: db.url, models: v2(), evolutions: dir })).source, 'stored');
  }));

  it('names the nearest known fingerprint and what drifted', (t) => withDb(t, d, async (db) => {
    const dir = dirOf();
    await evolveTo(db, v1());
    await recordEvolution({ db: db.url, models: v2(), evolutions: dir });
    await applyEvolution({ db: db.url, models: v2(), evolutions: dir, storedOnly: true });
    await db.exec('ALTER TABLE person ADD COLUMN hack integer');
    const s = await statusOf({ db: db.url, evolutions: dir });
    assert.equal(s.known, null);
    assert.equal(s.drift?.nearest, await modelsFingerprint(v2(), ed));
    assert.deepEqual(s.drift?.differences, ['add column person.hack']);
    const cli = await evolve(['status', '--db', db.url, '--evolutions', dir]);
    assert.match(cli.stdout, /drift: nearest known fingerprint fv1:[0-9a-f]+; the database differs by:\n\s+add column person\.hack/);
  }));

  it('runs TypeScript steps interleaved with SQL; a throwing step leaves the database as it was', (t) => withDb(t, d, async (db) => {
    const dir = dirOf();
    await evolveTo(db, v1());
    await db.exec("INSERT INTO person (id, name) VALUES (1, 'ann'), (2, 'bob')");
    const [a, b] = [await fp(db), await modelsFingerprint(v2(), ed)];
    const body = (fail: boolean) => `export default {
  from: '${a}', to: '${b}',
  up: [
    'ALTER TABLE person RENAME COLUMN name TO full_name',
    'ALTER TABLE person ADD COLUMN age integer',
    async function fillAges({ query, execute }) {
      for (const r of await query('SELECT id FROM person')) await execute('UPDATE person SET age = ' + (Number(r.id) + 10) + ' WHERE id = ' + Number(r.id));
      ${fail ? "throw new Error('data check failed');" : ''}
    },
    "UPDATE person SET full_name = 'x' || full_name WHERE id = 0",
  ],
  down: ['ALTER TABLE person DROP COLUMN age', 'ALTER TABLE person RENAME COLUMN full_name TO name'],
};\n`;
    writeFileSync(join(dir, '0001-ts.ts'), body(true));
    writeKnown(dir, [a, b]);
    await assert.rejects(applyEvolution({ db: db.url, models: v2(), evolutions: dir }), (e: unknown) => isEvolveError(e) && /data check failed/.test(e.message) && /fillAges/.test(JSON.stringify((e as { details?: unknown }).details)));
    if (d !== 'mysql') assert.equal(await fp(db), a);
    if (d === 'mysql') return; // MySQL: the DDL before the function stays applied (no transactional DDL)
    writeFileSync(join(dir, '0001-ts.ts'), body(false));
    hashEvolutions(dir);
    const r = await applyEvolution({ db: db.url, models: v2(), evolutions: dir });
    assert.deepEqual(r.storedApplied.map((s) => s.id), ['0001-ts.ts']);
    assert.deepEqual(await rows(db, 'SELECT id, age FROM person ORDER BY id'), [{ id: '1', age: '11' }, { id: '2', age: '12' }]);
  }));
  it('refuses an evolution whose to-fingerprint is not known, in apply, sql and status alike (regression: it was offered by sql, skipped by apply)', (t) => withDb(t, d, async (db) => {
    const dir = dirOf();
    await evolveTo(db, v1());
    await db.exec("INSERT INTO person (id, name) VALUES (1, 'ann')");
    const r = await recordEvolution({ db: db.url, models: v2(), evolutions: dir });
    await applyEvolution({ db: db.url, models: v2(), evolutions: dir, storedOnly: true });
    const b = await fp(db);
    assert.equal(b, r.to, 'the live fingerprint is the latest known one');
    // A hand-written data-preserving split, from the latest known fingerprint to one not in fingerprints.txt.
    writeEvolution(dir, '0002-split-name.sql', b, 'fv1:0123456789abcdef', 'ALTER TABLE person ADD COLUMN city text;');
    hashEvolutions(dir);
    const invalid = (e: unknown): boolean => isEvolveError(e) && e.code === 'E_EVOLUTION_INVALID' && e.message.includes('0002-split-name.sql')
      && /not a known fingerprint/.test(e.message) && /fingerprints\.txt/.test(e.hint ?? '') && /evolve complete/.test(e.hint ?? '');
    await assert.rejects(planEvolution({ db: db.url, models: v3(), evolutions: dir }), invalid);
    await assert.rejects(applyEvolution({ db: db.url, models: v3(), evolutions: dir, allowDataLoss: true }), invalid);
    await assert.rejects(statusOf({ db: db.url, evolutions: dir }), invalid);
    const sql = await evolve(['sql', '--db', db.url, '--models', 'unused.ts', '--evolutions', dir]);
    assert.equal(sql.code, 1);
    assert.match(sql.stderr, /E_EVOLUTION_INVALID: Evolution '0002-split-name\.sql' leads to fv1:0123456789abcdef, which is not a known fingerprint/);
    assert.equal(await fp(db), b, 'nothing ran');
    assert.deepEqual(await rows(db, 'SELECT id, full_name FROM person'), [{ id: '1', full_name: 'ann' }]);
    // Listed in fingerprints.txt, the same evolution is what sql shows and what apply runs.
    const c = await modelsFingerprint(v3(), ed);
    writeEvolution(dir, '0002-split-name.sql', b, c, 'ALTER TABLE person ADD COLUMN city text;');
    writeFileSync(join(dir, 'fingerprints.txt'), readFileSync(join(dir, 'fingerprints.txt'), 'utf8') + c + '\n');
    hashEvolutions(dir);
    const preview = await planEvolution({ db: db.url, models: v3(), evolutions: dir });
    assert.equal(preview.stored?.id, '0002-split-name.sql');
    assert.deepEqual((await statusOf({ db: db.url, evolutions: dir })).pendingStored.map((p) => p.id), ['0002-split-name.sql']);
    const applied = await applyEvolution({ db: db.url, models: v3(), evolutions: dir });
    assert.deepEqual(applied.storedApplied.map((s) => s.id), ['0002-split-name.sql']);
    assert.equal(applied.source, 'none');
  }));

  it('refuses an evolution that goes backwards along the known list', (t) => withDb(t, d, async (db) => {
    const dir = dirOf();
    await evolveTo(db, v1());
    const [a, b] = [await fp(db), await modelsFingerprint(v2(), ed)];
    writeEvolution(dir, '0001-b-a.sql', b, a, 'SELECT 1;');
    writeKnown(dir, [a, b]);
    await assert.rejects(planEvolution({ db: db.url, models: v2(), evolutions: dir }),
      (e: unknown) => isEvolveError(e) && e.code === 'E_EVOLUTION_INVALID' && /not forward/.test(e.message) && /revert/.test(e.hint ?? ''));
  }));

  /** A chain whose first link lies (claims A → B, does nothing) while the second does all of A → C. */
  async function lyingChain(db: TestDatabase): Promise<{ dir: string; a: string; c: string }> {
    const dir = dirOf();
    await evolveTo(db, v1());
    await db.exec("INSERT INTO person (id, name) VALUES (1, 'ann')");
    const [a, b, c] = [await fp(db), await modelsFingerprint(v2(), ed), await modelsFingerprint(v3(), ed)];
    writeEvolution(dir, '0001-a-b.sql', a, b, 'SELECT 1;'); // lies: claims A → B, does nothing
    // Does all of A → C, so the end of the chain is C although the first link never reached B.
    writeEvolution(dir, '0002-b-c.sql', b, c, 'ALTER TABLE person RENAME COLUMN name TO full_name;\nALTER TABLE person ADD COLUMN age integer;\nALTER TABLE person ADD COLUMN city text;');
    writeKnown(dir, [a, b, c]);
    return { dir, a, c };
  }

  it('--verify-each-link verifies every link of a chain run at once: a link that does not do what it says is named, even when a later one reaches the end', (t) => withDb(t, d, async (db) => {
    const { dir, a } = await lyingChain(db);
    const models = writeModels(`${IMPORTS}export const person = table('person', { id: integer().primaryKey(), full_name: varchar(50).notNull().aka('name'), age: integer(), city: text() });\n`);
    const cli = await evolve(['apply', '--db', db.url, '--models', models, '--evolutions', dir, '--stored-only', '--verify-each-link', '--json']);
    assert.equal(cli.code, 1, cli.stdout + cli.stderr);
    const out = JSON.parse(cli.stdout) as { ok: boolean; error: { code: string; message: string } };
    assert.equal(out.error.code, 'E_EVOLUTION_MISMATCH');
    assert.match(out.error.message, /0001-a-b\.sql/);
    assert.equal(await fp(db), a, 'nothing stays applied: the lying link changed nothing and the next never ran');
    await assert.rejects(applyEvolution({ db: db.url, models: v3(), evolutions: dir, record: { history: true }, verifyEachLink: true }),
      (e: unknown) => isEvolveError(e) && e.code === 'E_EVOLUTION_MISMATCH' && /0001-a-b\.sql/.test(e.message));
    assert.equal(await fp(db), a);
    const history = (await deploymentHistory({ db: db.url })).history.filter((h) => h.kind === 'stored');
    // MySQL cannot roll back: every step ran, so the stop is recorded (even by the first run,
    // which kept no history) for apply to resume once the file is fixed (stored-failures.test.ts).
    assert.deepEqual(history.map((h) => [h.name, h.outcome]),
      d === 'mysql' ? [['0001-a-b.sql', 'partial'], ['0001-a-b.sql', 'partial']] : [['0001-a-b.sql', 'failed']]);
    assert.deepEqual(await rows(db, 'SELECT id, name FROM person'), [{ id: '1', name: 'ann' }]);
  }));

  const w2 = (): Table[] => [table('person', { id: integer().primaryKey(), name: varchar(50).notNull(), age: integer() })];
  const w3 = (): Table[] => [table('person', { id: integer().primaryKey(), name: varchar(50).notNull(), age: integer(), city: text() })];
  /** A chain whose first link lies (claims A → B, does nothing) and whose second only adds columns: `second` is its SQL. */
  async function additiveLyingChain(db: TestDatabase, second: string): Promise<{ dir: string; a: string; c: string }> {
    const dir = dirOf();
    await evolveTo(db, v1());
    await db.exec("INSERT INTO person (id, name) VALUES (1, 'ann')");
    const [a, b, c] = [await fp(db), await modelsFingerprint(w2(), ed), await modelsFingerprint(w3(), ed)];
    writeEvolution(dir, '0001-a-b.sql', a, b, 'SELECT 1;');
    writeEvolution(dir, '0002-b-c.sql', b, c, second);
    writeKnown(dir, [a, b, c]);
    return { dir, a, c };
  }

  it('by default a chain is verified at its end, and on MySQL also before every link that is not purely additive', (t) => withDb(t, d, async (db) => {
    // The second link only adds and reaches the chain's end: every dialect accepts the chain (the
    // first link's lie is what --verify-each-link is for, above).
    const additive = await additiveLyingChain(db, 'ALTER TABLE person ADD COLUMN age integer;\nALTER TABLE person ADD COLUMN city text;');
    const r = await applyEvolution({ db: db.url, models: w3(), evolutions: additive.dir, storedOnly: true, record: { history: true } });
    assert.deepEqual(r.storedApplied.map((s) => s.id), ['0001-a-b.sql', '0002-b-c.sql']);
    assert.equal(await fp(db), additive.c);
    assert.deepEqual(await rows(db, 'SELECT id, name FROM person'), [{ id: '1', name: 'ann' }]);

    // The second link renames a column (not additive). SQLite and PostgreSQL run the chain in one
    // transaction, never committing the state between the links, and verify its end; MySQL commits
    // every statement, so it verifies the first link's result before the rename can run on it.
    const other = await freshDatabase(d);
    try {
      const { dir, a, c } = await lyingChain(other);
      if (d === 'mysql') {
        await assert.rejects(applyEvolution({ db: other.url, models: v3(), evolutions: dir, storedOnly: true }),
          (e: unknown) => isEvolveError(e) && e.code === 'E_EVOLUTION_MISMATCH' && /'0001-a-b\.sql'/.test(e.message) && !/0002/.test(e.message));
        assert.equal(await fp(other), a, 'the rename never ran');
        assert.deepEqual(await rows(other, 'SELECT id, name FROM person'), [{ id: '1', name: 'ann' }]);
        return;
      }
      const chained = await applyEvolution({ db: other.url, models: v3(), evolutions: dir, storedOnly: true });
      assert.deepEqual(chained.storedApplied.map((s) => s.id), ['0001-a-b.sql', '0002-b-c.sql']);
      assert.equal(await fp(other), c);
      assert.deepEqual(await rows(other, 'SELECT id, full_name FROM person'), [{ id: '1', full_name: 'ann' }]);
    } finally { await other.dispose(); }
  }));

  it('a chain whose end is wrong: rolled back and the link named (SQLite, PostgreSQL); on MySQL the unverified links are named and stay applied', (t) => withDb(t, d, async (db) => {
    const { dir, a, c } = await additiveLyingChain(db, 'ALTER TABLE person ADD COLUMN city text;'); // never adds age
    const cli = await evolve(['apply', '--db', db.url, '--models', writeModels(`${IMPORTS}export const person = table('person', { id: integer().primaryKey(), name: varchar(50).notNull(), age: integer(), city: text() });\n`),
      '--evolutions', dir, '--stored-only', '--json']);
    assert.equal(cli.code, 1, cli.stdout + cli.stderr);
    const out = JSON.parse(cli.stdout) as { ok: boolean; error: { code: string; message: string; hint?: string } };
    assert.equal(out.error.code, 'E_EVOLUTION_MISMATCH');
    const live = await fp(db);
    assert.notEqual(live, c);
    if (d === 'mysql') {
      assert.match(out.error.message, /'0001-a-b\.sql' … '0002-b-c\.sql' \(2, run one after another/);
      assert.ok(out.error.message.includes(live), 'names the fingerprint the database is at');
      assert.match(out.error.hint ?? '', /--verify-each-link/);
      assert.deepEqual(await rows(db, 'SELECT id, name, city FROM person'), [{ id: '1', name: 'ann', city: null }], 'MySQL cannot roll DDL back: the added column stays');
    } else {
      assert.match(out.error.message, /'0001-a-b\.sql'/);
      assert.doesNotMatch(out.error.message, /0002/);
      assert.equal(live, a, 'the chain was rolled back, then the first link failed its own check and was rolled back too');
    }
    assert.deepEqual(await rows(db, 'SELECT id, name FROM person'), [{ id: '1', name: 'ann' }]);
  }));

  it('refuses to record twice before applying (E_CONFLICT: apply it first)', (t) => withDb(t, d, async (db) => {
    const dir = dirOf();
    await evolveTo(db, v1());
    const r = await recordEvolution({ db: db.url, models: v2(), evolutions: dir });
    await assert.rejects(recordEvolution({ db: db.url, models: v2(), evolutions: dir }),
      (e: unknown) => isEvolveError(e) && e.code === 'E_CONFLICT' && /already recorded/.test(e.message) && /apply it first/i.test(e.hint ?? ''));
    await assert.rejects(recordEvolution({ db: db.url, models: v3(), evolutions: dir }),
      (e: unknown) => isEvolveError(e) && e.code === 'E_CONFLICT' && e.message.includes(r.file!.split('/').pop()!) && /apply it first/i.test(e.hint ?? ''));
    const cli = await evolve(['record', '--db', db.url, '--models', 'unused.ts', '--evolutions', dir]);
    assert.notEqual(cli.code, 0);
    assert.deepEqual(readdirSync(dir).filter((n) => /^\d+-/.test(n)), [r.file!.split('/').pop()]);
    // Applied, the next change records from there.
    await applyEvolution({ db: db.url, models: v2(), evolutions: dir, storedOnly: true });
    const next = await recordEvolution({ db: db.url, models: v3(), evolutions: dir });
    assert.equal(next.from, r.to);
    assert.match(next.file!, /0002-/);
  }));

  it('a TypeScript step gets the operations API and moves data between two SQL statements', (t) => withDb(t, d, async (db) => {
    // Inside the package, so the evolution can import from 'evolve'.
    const dir = join(writeModels('export {};\n'), '..', 'evolutions');
    mkdirSync(dir);
    const target = (): Table[] => [table('person', { id: integer().primaryKey(), label: varchar(60) }, { indexes: [index('person_label_idx').on('label')] })];
    await evolveTo(db, v1());
    await db.exec("INSERT INTO person (id, name) VALUES (1, 'ann lee'), (2, 'bob'), (3, 'cy d')");
    const [a, b] = [await fp(db), await modelsFingerprint(target(), ed)];
    const param = ed === 'postgres' ? (n: number) => `$${n}` : () => '?';
    writeFileSync(join(dir, '0001-label.ts'), `import { evolution, index } from 'evolve';
export default evolution({
  from: '${a}', to: '${b}',
  allowDataLoss: true, // the last step drops a column, whose values the function carried over first
  up: [
    'ALTER TABLE person ADD COLUMN label varchar(60)',
    async function fillLabels({ ops }) {
      if (!(await ops.hasColumn('person', 'label'))) throw new Error('label missing');
      for (const r of await ops.query('SELECT id, name FROM person')) {
        const label = String(r.name).split(' ').map((w) => w[0].toUpperCase() + w.slice(1)).join(' ') + ' #' + r.id;
        await ops.query('UPDATE person SET label = ${param(1)} WHERE id = ${param(2)}', [label, Number(r.id)]);
      }
      await ops.createIndex('person', index('person_label_idx').on('label'));
    },
    'ALTER TABLE person DROP COLUMN name',
  ],
});
`);
    writeKnown(dir, [a, b]);
    const r = await applyEvolution({ db: db.url, models: target(), evolutions: dir, storedOnly: true });
    assert.deepEqual(r.storedApplied.map((s) => s.id), ['0001-label.ts']);
    assert.deepEqual(r.storedApplied[0]!.steps, ['ALTER TABLE person ADD COLUMN label varchar(60)', '-- function fillLabels', 'ALTER TABLE person DROP COLUMN name']);
    assert.equal(await fp(db), b);
    assert.deepEqual(await rows(db, 'SELECT id, label FROM person ORDER BY id'), [
      { id: '1', label: 'Ann Lee #1' }, { id: '2', label: 'Bob #2' }, { id: '3', label: 'Cy D #3' },
    ]);
  }));

  it('a placeholder to-fingerprint is refused by every command but complete, which fills it in', (t) => withDb(t, d, async (db) => {
    const dir = dirOf();
    await evolveTo(db, v1());
    await db.exec("INSERT INTO person (id, name) VALUES (1, 'ann')");
    const a = await fp(db);
    const file = join(dir, '0001-add-city.sql');
    writeFileSync(file, `-- evolve:from ${a}\n-- evolve:to fv1:xxxxxxxx\nALTER TABLE person ADD COLUMN city text;\nUPDATE person SET city = 'Oslo';\n-- evolve:revert\nALTER TABLE person DROP COLUMN city;\n`);
    const placeholder = (e: unknown): boolean => isEvolveError(e) && e.code === 'E_EVOLUTION_INVALID' && /placeholder/.test(e.message) && /evolve complete 0001-add-city\.sql/.test(e.hint ?? '');
    await assert.rejects(planEvolution({ db: db.url, models: v1(), evolutions: dir }), placeholder);
    await assert.rejects(applyEvolution({ db: db.url, models: v1(), evolutions: dir }), placeholder);
    await assert.rejects(statusOf({ db: db.url, evolutions: dir }), placeholder);
    await assert.rejects(revertEvolutions({ db: db.url, evolutions: dir }), placeholder);
    await assert.rejects(recordEvolution({ db: db.url, models: v2(), evolutions: dir }), placeholder);
    // complete: only at the from-fingerprint.
    const other = await freshDatabase(d);
    try {
      await assert.rejects(completeEvolution({ db: other.url, evolutions: dir }), (e: unknown) => isEvolveError(e) && e.code === 'E_CONFLICT' && /starts at/.test(e.message));
    } finally { await other.dispose(); }
    const r = await completeEvolution({ db: db.url, evolutions: dir });
    assert.equal(r.from, a);
    assert.equal(r.placeholder, 'fv1:xxxxxxxx');
    assert.equal(await fp(db), r.to, 'the development database is at the new fingerprint');
    assert.match(readFileSync(file, 'utf8'), new RegExp(`^-- evolve:to ${r.to}$`, 'm'));
    const known = readFileSync(join(dir, 'fingerprints.txt'), 'utf8').split('\n').filter((l) => l.startsWith('fv'));
    assert.deepEqual(known, [a, r.to]);
    assert.deepEqual(await rows(db, 'SELECT id, city FROM person'), [{ id: '1', city: 'Oslo' }]);
    // Signed and consistent: status reads it, the revert works, and it applies again.
    assert.deepEqual((await statusOf({ db: db.url, evolutions: dir })).known, { position: 2, of: 2 });
    await revertEvolutions({ db: db.url, evolutions: dir });
    assert.equal(await fp(db), a);
    // The models here are v1 (no city): the stored evolution runs, then stored-only says the models are elsewhere.
    await assert.rejects(applyEvolution({ db: db.url, models: v1(), evolutions: dir, storedOnly: true }), (e: unknown) => isEvolveError(e) && e.code === 'E_OUT_OF_SYNC');
    assert.equal(await fp(db), r.to);
  }));

  it('complete refuses an evolution that changes nothing, and leaves the file a placeholder', (t) => withDb(t, d, async (db) => {
    const dir = dirOf();
    await evolveTo(db, v1());
    const a = await fp(db);
    writeFileSync(join(dir, '0001-noop.sql'), `-- evolve:from ${a}\n-- evolve:to fv1:xxxx\nUPDATE person SET name = name;\n`);
    await assert.rejects(completeEvolution({ db: db.url, evolutions: dir, file: '0001-noop.sql' }),
      (e: unknown) => isEvolveError(e) && e.code === 'E_EVOLUTION_INVALID' && /changes nothing/.test(e.message));
    assert.match(readFileSync(join(dir, '0001-noop.sql'), 'utf8'), /evolve:to fv1:xxxx$/m);
  }));
});
