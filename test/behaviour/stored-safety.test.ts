/**
 * Stored evolutions that lose data or cannot be backed out, on every dialect: `record` of a
 * lossy change needs consent and writes it into the file; apply refuses a step `lint` rates
 * an error without that consent; `revert` backs out what the history says was applied, and
 * refuses one without a revert rather than going through states the database never was at.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  table, integer, text, varchar, applyEvolution, planEvolution, recordEvolution, revertEvolutions, lintEvolution, hashEvolutions, fingerprintDatabase,
  modelsFingerprint, isEvolveError, type Table,
} from '../../src/index.js';
import { evolveDialect, forEachDialect, withDb } from '../support/harness.js';
import { evolveTo, rows } from '../support/evolve.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { evolve, IMPORTS, writeModels } from '../support/cli.js';

const fp = async (db: TestDatabase): Promise<string> => (await fingerprintDatabase(db.url)).fingerprint;
const dirOf = (): string => mkdtempSync(join(tmpdir(), 'evolve-safety-'));
const sqlFiles = (dir: string): string[] => readdirSync(dir).filter((n) => n.endsWith('.sql'));

function writeEvolution(dir: string, name: string, from: string, to: string, up: string, down?: string, header = ''): void {
  writeFileSync(join(dir, name), `-- evolve:from ${from}\n-- evolve:to ${to}\n${header}${up}\n${down === undefined ? '' : `-- evolve:revert\n${down}\n`}`);
}

const withNick = (): Table[] => [table('person', { id: integer().primaryKey(), name: varchar(50).notNull(), nick: text() })];
const noNick = (): Table[] => [table('person', { id: integer().primaryKey(), name: varchar(50).notNull() })];

forEachDialect('stored evolutions that lose data', (d) => {
  const ed = evolveDialect(d);

  it('record of a lossy change needs --allow-data-loss and writes that consent into the file; apply --stored-only then runs it', (t) => withDb(t, d, async (dev) => {
    const prod = await freshDatabase(d);
    try {
      const dir = dirOf();
      await evolveTo(dev, withNick()); // empty: no row counts a loss, but the step drops a column wherever there is data
      await evolveTo(prod, withNick());
      await prod.exec("INSERT INTO person (id, name, nick) VALUES (1, 'ann', 'a')");
      await assert.rejects(recordEvolution({ db: dev.url, models: noNick(), evolutions: dir }), (e: unknown) => isEvolveError(e) && e.code === 'E_DATA_LOSS'
        && /Recording this change would store a step that loses data; nothing was written/.test(e.message) && /DROP_COLUMN person\.nick/.test(e.message)
        && /--allow-data-loss/.test(e.hint ?? ''));
      assert.deepEqual(sqlFiles(dir), [], 'nothing was written');
      const models = writeModels(IMPORTS + "export const person = table('person', { id: integer().primaryKey(), name: varchar(50).notNull() });\n");
      const cli = await evolve(['record', '--db', dev.url, '--models', models, '--evolutions', dir, '--allow-data-loss']);
      assert.equal(cli.code, 0, cli.stderr);
      assert.match(cli.stdout, /the file carries that consent \(-- evolve:allow-data-loss\)/);
      const [file] = sqlFiles(dir);
      assert.match(readFileSync(join(dir, file!), 'utf8'), /^-- evolve:to \S+\n-- evolve:allow-data-loss\n/m);
      assert.equal((await lintEvolution({ evolutions: dir })).errors, 1, 'lint still names the drop');
      const applied = await evolve(['apply', '--stored-only', '--db', prod.url, '--models', models, '--evolutions', dir]);
      assert.equal(applied.code, 0, applied.stderr);
      assert.equal(await fp(prod), await modelsFingerprint(noNick(), ed));
      assert.deepEqual(await rows(prod, 'SELECT id, name FROM person'), [{ id: '1', name: 'ann' }]);
    } finally { await prod.dispose(); }
  }));

  it('apply refuses a stored step lint rates an error unless the file carries consent or --allow-data-loss is given', (t) => withDb(t, d, async (db) => {
    const dir = dirOf();
    await evolveTo(db, withNick());
    await db.exec("INSERT INTO person (id, name, nick) VALUES (1, 'ann', 'a')");
    const [a, b] = [await fp(db), await modelsFingerprint(noNick(), ed)];
    writeEvolution(dir, '0001-drop-nick.sql', a, b, 'ALTER TABLE person DROP COLUMN nick;');
    writeFileSync(join(dir, 'fingerprints.txt'), `${a}\n${b}\n`);
    hashEvolutions(dir);
    const refused = (e: unknown): boolean => isEvolveError(e) && e.code === 'E_DATA_LOSS'
      && /Refusing to run stored evolution '0001-drop-nick\.sql': a step loses data .* nothing was changed/.test(e.message)
      && /DROP_COLUMN person\.nick: 0001-drop-nick\.sql step 1 drops column person\.nick/.test(e.message) && /-- evolve:allow-data-loss/.test(e.hint ?? '');
    await assert.rejects(applyEvolution({ db: db.url, models: noNick(), evolutions: dir, storedOnly: true }), refused);
    await assert.rejects(applyEvolution({ db: db.url, models: noNick(), evolutions: dir }), refused, 'the stored step runs first in the mostly automatic way too');
    assert.equal(await fp(db), a, 'nothing changed');
    assert.equal((await lintEvolution({ evolutions: dir })).errors, 1, 'the step lint rates an error');
    const stored = (h: { message: string }): boolean => h.message.startsWith('0001-drop-nick.sql step 1');
    assert.equal((await planEvolution({ db: db.url, models: noNick(), evolutions: dir })).blocking.filter(stored).length, 1, 'sql says apply would refuse it');
    assert.equal((await planEvolution({ db: db.url, models: noNick(), evolutions: dir, allowDataLoss: true })).blocking.filter(stored).length, 0);
    // The consent is part of the signed text: added without re-signing, the file is refused.
    writeEvolution(dir, '0001-drop-nick.sql', a, b, 'ALTER TABLE person DROP COLUMN nick;', undefined, '-- evolve:allow-data-loss\n');
    await assert.rejects(applyEvolution({ db: db.url, models: noNick(), evolutions: dir, storedOnly: true }), (e: unknown) => isEvolveError(e) && e.code === 'E_INTEGRITY');
    hashEvolutions(dir);
    await applyEvolution({ db: db.url, models: noNick(), evolutions: dir, storedOnly: true });
    assert.equal(await fp(db), b);
  }));

  it('--allow-data-loss runs an unconsented lossy stored step; a rebuild or a widening records and applies without consent', (t) => withDb(t, d, async (db) => {
    const dir = dirOf();
    await evolveTo(db, withNick());
    const [a, b] = [await fp(db), await modelsFingerprint(noNick(), ed)];
    writeEvolution(dir, '0001-drop-nick.sql', a, b, 'ALTER TABLE person DROP COLUMN nick;');
    writeFileSync(join(dir, 'fingerprints.txt'), `${a}\n${b}\n`);
    hashEvolutions(dir);
    await applyEvolution({ db: db.url, models: noNick(), evolutions: dir, storedOnly: true, allowDataLoss: true });
    assert.equal(await fp(db), b);
    // A type change (SQLite: a table rebuild that drops the old table after copying its rows) loses nothing.
    await db.exec("INSERT INTO person (id, name) VALUES (1, 'ann')");
    const wider = [table('person', { id: integer().primaryKey(), name: varchar(80).notNull() })];
    const r = await recordEvolution({ db: db.url, models: wider, evolutions: dir });
    assert.equal(r.allowDataLoss, false);
    assert.doesNotMatch(readFileSync(r.file!, 'utf8'), /evolve:allow-data-loss/);
    assert.equal((await lintEvolution({ evolutions: dir })).stored.filter((h) => h.severity === 'error' && h.message.startsWith('0002')).length, 0);
    await applyEvolution({ db: db.url, models: wider, evolutions: dir, storedOnly: true });
    assert.equal(await fp(db), r.to);
    assert.deepEqual(await rows(db, 'SELECT id, name FROM person'), [{ id: '1', name: 'ann' }]);
  }));
});

forEachDialect('revert after a longest jump', (d) => {
  const ed = evolveDialect(d);
  const A = (): Table[] => [table('person', { id: integer().primaryKey() })];
  const B = (): Table[] => [table('person', { id: integer().primaryKey(), age: integer() })];
  const C = (): Table[] => [table('person', { id: integer().primaryKey(), age: integer(), city: text() })];

  /** 0001 A → B and 0002 B → C with reverts; 0003 A → C (the longest jump), with a revert or not. */
  async function setUp(revert3: boolean): Promise<{ dir: string; a: string; b: string; c: string }> {
    const dir = dirOf();
    const [a, b, c] = [await modelsFingerprint(A(), ed), await modelsFingerprint(B(), ed), await modelsFingerprint(C(), ed)];
    writeEvolution(dir, '0001-age.sql', a, b, 'ALTER TABLE person ADD COLUMN age integer;', 'ALTER TABLE person DROP COLUMN age;');
    writeEvolution(dir, '0002-city.sql', b, c, 'ALTER TABLE person ADD COLUMN city text;', 'ALTER TABLE person DROP COLUMN city;');
    writeEvolution(dir, '0003-age-and-city.sql', a, c, 'ALTER TABLE person ADD COLUMN age integer;\nALTER TABLE person ADD COLUMN city text;',
      revert3 ? 'ALTER TABLE person DROP COLUMN city;\nALTER TABLE person DROP COLUMN age;' : undefined);
    writeFileSync(join(dir, 'fingerprints.txt'), `${a}\n${b}\n${c}\n`);
    hashEvolutions(dir);
    return { dir, a, b, c };
  }

  it('backs out what the history says was applied, and refuses clearly when that evolution has no revert', (t) => withDb(t, d, async (db) => {
    await evolveTo(db, A());
    const { dir, a, c } = await setUp(false);
    const r = await applyEvolution({ db: db.url, models: C(), evolutions: dir, storedOnly: true, record: { history: true } });
    assert.deepEqual(r.storedApplied.map((s) => s.id), ['0003-age-and-city.sql'], 'the longest jump');
    const cli = await evolve(['revert', '--db', db.url, '--evolutions', dir]);
    assert.equal(cli.code, 1);
    assert.match(cli.stderr, /E_NO_PATH: Stored evolution '0003-age-and-city\.sql' is what brought this database to \S+ \(its history, .*\): \S+ → \S+, and it has no revert/);
    assert.match(cli.stderr, /Add a revert to '0003-age-and-city\.sql'/);
    assert.equal(await fp(db), c, 'nothing was reverted (0002\'s revert would lead through B, where this database never was)');
    const fixed = await setUp(true);
    const back = await revertEvolutions({ db: db.url, evolutions: fixed.dir });
    assert.deepEqual(back.reverted.map((s) => s.id), ['0003-age-and-city.sql']);
    assert.equal(await fp(db), a);
  }));

  it('without a history, several evolutions ending at the live fingerprint make revert refuse unless --to is given', (t) => withDb(t, d, async (db) => {
    await evolveTo(db, A());
    const { dir, a, c } = await setUp(false);
    await applyEvolution({ db: db.url, models: C(), evolutions: dir, storedOnly: true });
    await assert.rejects(revertEvolutions({ db: db.url, evolutions: dir }), (e: unknown) => isEvolveError(e) && e.code === 'E_NO_PATH'
      && /Several stored evolutions lead to the live fingerprint .*'0002-city\.sql' from .*'0003-age-and-city\.sql' from/.test(e.message)
      && /--to FP/.test(e.hint ?? ''));
    assert.equal(await fp(db), c);
    const back = await revertEvolutions({ db: db.url, evolutions: dir, to: a });
    assert.deepEqual(back.reverted.map((s) => s.id), ['0002-city.sql', '0001-age.sql']);
    assert.equal(await fp(db), a);
  }));
});
