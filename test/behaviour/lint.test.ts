/** `evolve lint` on every dialect: hazards of the pending plan (rows counted) and of stored evolutions. */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { table, integer, varchar, hashEvolutions, applyEvolution, planEvolution, isEvolveError } from '../../src/index.js';
import { forEachDialect, withDb } from '../support/harness.js';
import { evolveTo } from '../support/evolve.js';
import { evolve, writeModels, IMPORTS } from '../support/cli.js';

interface LintJson { ok: boolean; errors: number; generated: { code: string; severity: string; table: string; column: string | null; rows: number | null; fix: string; examples?: string[] }[]; stored: { code: string; message: string; table: string }[] }

forEachDialect('lint', (d) => {
  it('lists every hazard with code, severity, table, column and fix; exit 3 on an error', (t) => withDb(t, d, async (db) => {
    await evolveTo(db, [table('person', { id: integer().primaryKey(), name: varchar(50).notNull(), code: varchar(10), nick: varchar(20) })]);
    await db.exec("INSERT INTO person (id, name, code, nick) VALUES (1, 'ann', 'x1', 'a'), (2, 'bob', '7', NULL)");
    const dir = mkdtempSync(join(tmpdir(), 'evolve-lint-'));
    writeFileSync(join(dir, '0001-cleanup.sql'), '-- evolve:from fv1:aa\n-- evolve:to fv1:bb\nDROP TABLE old_log;\nALTER TABLE person DROP COLUMN legacy;\nDELETE FROM person WHERE id = 3;\n');
    hashEvolutions(dir);
    const file = writeModels(IMPORTS + `export const person = table('person', { id: integer().primaryKey(), name: varchar(50).notNull(), code: integer() });\n`);
    const r = await evolve(['lint', '--json', '--db', db.url, '--models', file, '--evolutions', dir]);
    assert.equal(r.code, 3, r.stderr);
    const doc = JSON.parse(r.stdout) as LintJson;
    const gen = doc.generated.map((h) => `${h.code} ${h.severity} ${h.table}.${h.column} ${h.rows}`).sort();
    assert.deepEqual(gen, ['DROP_COLUMN error person.nick 1', 'LOSSY_TYPE_CHANGE error person.code 1']);
    assert.ok(doc.generated.every((h) => h.fix.length > 0));
    assert.deepEqual(doc.stored.map((h) => `${h.code} ${h.table}`), ['DROP_TABLE old_log', 'DROP_COLUMN person']);
    assert.match(doc.stored[0]!.message, /0001-cleanup\.sql step 1/);
    const text = await evolve(['lint', '--db', db.url, '--models', file, '--evolutions', dir]);
    assert.equal(text.code, 3);
    assert.match(text.stdout, /! DROP_COLUMN person\.nick: .*\(1 row\)/);
    assert.match(text.stdout, /4 error\(s\)/);
    const clean = writeModels(IMPORTS + `export const person = table('person', { id: integer().primaryKey(), name: varchar(50).notNull(), code: varchar(10), nick: varchar(40) });\n`);
    const ok = await evolve(['lint', '--db', db.url, '--models', clean, '--evolutions', mkdtempSync(join(tmpdir(), 'evolve-lint-'))]);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /0 error\(s\), 0 warning\(s\)/);
  }));

  it('a new foreign key over orphan rows is an error with examples; apply refuses it even with consent', (t) => withDb(t, d, async (db) => {
    const dept = table('dept', { id: integer().primaryKey() });
    await evolveTo(db, [dept, table('emp', { id: integer().primaryKey(), dept_id: integer() })]);
    await db.exec('INSERT INTO dept (id) VALUES (1)');
    await db.exec('INSERT INTO emp (id, dept_id) VALUES (1, 1), (2, 9), (3, NULL), (4, 8)');
    const file = writeModels(IMPORTS + `export const dept = table('dept', { id: integer().primaryKey() });\n` +
      `export const emp = table('emp', { id: integer().primaryKey(), dept_id: integer().references(() => dept.columns.id) });\n`);
    const r = await evolve(['lint', '--json', '--db', db.url, '--models', file, '--evolutions', mkdtempSync(join(tmpdir(), 'evolve-lint-'))]);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    const doc = JSON.parse(r.stdout) as LintJson;
    assert.deepEqual(doc.generated.map((h) => `${h.code} ${h.severity} ${h.table}.${h.column} ${h.rows}`), ['FOREIGN_KEY_VIOLATED error emp.dept_id 2']);
    assert.deepEqual([...doc.generated[0]!.examples ?? []].sort(), ['8', '9']);
    assert.match(doc.generated[0]!.fix, /dept/);
    const models = [dept, table('emp', { id: integer().primaryKey(), dept_id: integer().references(() => dept.columns.id) })];
    await assert.rejects(applyEvolution({ db: db.url, models, allowDataLoss: true }),
      (e: unknown) => isEvolveError(e) && e.code === 'E_DATA_LOSS' && /FOREIGN_KEY_VIOLATED emp\.dept_id/.test(e.message) && /"9"/.test(e.message));
    await db.exec('UPDATE emp SET dept_id = NULL WHERE id IN (2, 4)');
    await evolveTo(db, models);
  }));

  it('a composite foreign key counts only rows whose key columns are all set', (t) => withDb(t, d, async (db) => {
    const parent = table('parent', { a: integer().notNull(), b: integer().notNull() }, { primaryKey: ['a', 'b'] });
    await evolveTo(db, [parent, table('child', { id: integer().primaryKey(), pa: integer(), pb: integer() })]);
    await db.exec('INSERT INTO parent (a, b) VALUES (1, 1)');
    await db.exec('INSERT INTO child (id, pa, pb) VALUES (1, 1, 1), (2, 1, 2), (3, NULL, 5)');
    const child = table('child', { id: integer().primaryKey(), pa: integer(), pb: integer() }, { foreignKeys: [{ columns: ['pa', 'pb'], references: () => [parent.columns.a, parent.columns.b] }] });
    const p = await planEvolution({ db: db.url, models: [parent, child] });
    assert.deepEqual(p.hazards.map((h) => `${h.code} ${h.rows} ${(h.examples ?? []).join(' ')}`), ['FOREIGN_KEY_VIOLATED 1 (1, 2)']);
  }));

  it('evolve sql --allow-data-loss reports exactly what would still block, and shows the conversion', (t) => withDb(t, d, async (db) => {
    await evolveTo(db, [table('person', { id: integer().primaryKey(), code: varchar(10) })]);
    await db.exec("INSERT INTO person (id, code) VALUES (1, '42'), (2, 'abc')");
    const nullable = writeModels(IMPORTS + `export const person = table('person', { id: integer().primaryKey(), code: integer() });\n`);
    const notNull = writeModels(IMPORTS + `export const person = table('person', { id: integer().primaryKey(), code: integer().notNull().default(0) });\n`);
    const plain = await evolve(['sql', '--db', db.url, '--models', nullable]);
    assert.match(plain.stdout, /hazards \(1 blocking apply\)/, plain.stdout + plain.stderr);
    const allowed = await evolve(['sql', '--allow-data-loss', '--db', db.url, '--models', nullable]);
    assert.match(allowed.stdout, /hazards \(0 blocking apply\)/, allowed.stdout + allowed.stderr);
    assert.match(allowed.stdout, /THEN NULL|= NULL WHERE/, 'the conversion is shown');
    const refused = await evolve(['sql', '--allow-data-loss', '--db', db.url, '--models', notNull]);
    assert.match(refused.stdout, /hazards \(1 blocking apply\)/, refused.stdout + refused.stderr);
    assert.match(refused.stdout, /LOSSY_TYPE_CHANGE person\.code.*UPDATE person SET code/);
    const applied = await evolve(['apply', '--allow-data-loss', '--db', db.url, '--models', nullable]);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
  }));

  it('a stored evolution adding a NOT NULL column without default is an error', (t) => withDb(t, d, async (db) => {
    const dir = mkdtempSync(join(tmpdir(), 'evolve-lint-'));
    writeFileSync(join(dir, '0001-add.sql'), '-- evolve:from fv1:aa\n-- evolve:to fv1:bb\nALTER TABLE person ADD COLUMN z integer NOT NULL;\nALTER TABLE person ADD COLUMN w decimal(10, 2) NOT NULL DEFAULT 0;\n');
    hashEvolutions(dir);
    const r = await evolve(['lint', '--json', '--db', db.url, '--evolutions', dir]);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    const doc = JSON.parse(r.stdout) as LintJson;
    assert.deepEqual(doc.stored.map((h) => `${h.code} ${h.table}`), ['ADD_NOT_NULL_WITHOUT_DEFAULT person']);
    assert.match(doc.stored[0]!.message, /0001-add\.sql step 1 .*person\.z/);
  }));
});
