/** `evolve lint` on every dialect: hazards of the pending plan (rows counted) and of stored evolutions. */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { table, integer, varchar, hashEvolutions } from '../../src/index.js';
import { forEachDialect, withDb } from '../support/harness.js';
import { evolveTo } from '../support/evolve.js';
import { evolve, writeModels, IMPORTS } from '../support/cli.js';

interface LintJson { ok: boolean; errors: number; generated: { code: string; severity: string; table: string; column: string | null; rows: number | null; fix: string }[]; stored: { code: string; message: string; table: string }[] }

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
});
