/**
 * A name can never become SQL (issue 15, point 11), on every dialect: tables, columns and
 * indexes named with every character class that means something to SQL or to the evolution
 * file format (quotes, backticks, semicolons, `--`, `/*`, placeholders, backslashes, unicode,
 * spaces) are recorded, applied stored-only and reverted, while a canary table outside the
 * scope keeps its rows; names holding control characters (line breaks of every kind, NUL,
 * tabs) are refused in the models and in the database, naming the table and column; and every
 * comment line Evolve writes into an evolution file stays one line whatever its text.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  table, index, integer, varchar, applyEvolution, fingerprintDatabase, loadEvolutions, modelsFingerprint, planEvolution, recordEvolution,
  revertEvolutions, isEvolveError, type Table,
} from '../../src/index.js';
import { evolutionText } from '../../src/evolutions/record.js';
import { parseSqlEvolution } from '../../src/evolutions/load.js';
import type { Plan } from '../../src/plan/plan.js';
import { evolveDialect, forEachDialect, withDb } from '../support/harness.js';
import { rows } from '../support/evolve.js';
import type { TestDatabase, TestDialect } from '../support/databases.js';

const TABLE = 'o\'k "t`b; --x /*y';
const RENAMED = 'now \'ren`d" -- /* z';
const CHILD = 'child "2"; -- x';
const COLUMNS = ["it's", 'say "hi"', 'back`tick', 'a;b', 'naïve 中文 ß', 'c -- d', 'e /* f */', 'x; DROP TABLE canary; --', 'q? $1 :n', 'b\\s.l/ash %_'];
const NEW_COLUMN = "new; col -- '*/";
const INDEX = 'ix "q`; -- /*';
/** Line breaks of every kind, NUL, tab and other control characters. */
const CONTROL = ['\n', '\r', '\r\n', '\u2028', '\u2029', '\u0000', '\t', '\u001b', '\u007f', '\u0085'];

const quote = (d: TestDialect, name: string): string => (d === 'mysql' ? `\`${name.replace(/`/g, '``')}\`` : `"${name.replace(/"/g, '""')}"`);

const v1 = (): Table[] => {
  const parent = table(TABLE, {
    id: integer().primaryKey(), ...Object.fromEntries(COLUMNS.map((c) => [c, varchar(20)])),
  }, { indexes: [index(INDEX).on(COLUMNS[0]!)] });
  return [parent, table(CHILD, { id: integer().primaryKey(), parent_id: integer().references(() => parent.columns.id) })];
};
/** Renames of the table and a column through aka, a new column, a widened column, the index kept. */
const v2 = (): Table[] => {
  const parent = table(RENAMED, {
    id: integer().primaryKey(),
    ...Object.fromEntries(COLUMNS.map((c, i) => [i === 0 ? `${c} "now"` : c, i === 0 ? varchar(20).aka(c) : i === 6 ? varchar(40) : varchar(20)])),
    [NEW_COLUMN]: integer(),
  }, { aka: [TABLE], indexes: [index(INDEX).on(`${COLUMNS[0]!} "now"`)] });
  return [parent, table(CHILD, { id: integer().primaryKey(), parent_id: integer().references(() => parent.columns.id) })];
};

async function canary(db: TestDatabase): Promise<void> {
  await db.exec('CREATE TABLE canary (id integer PRIMARY KEY)');
  await db.exec('INSERT INTO canary (id) VALUES (1), (2), (3)');
}
const canaryRows = async (db: TestDatabase): Promise<number> => Number((await rows(db, 'SELECT count(*) AS n FROM canary'))[0]!.n);

const code = (c: string, ...parts: string[]) => (e: unknown): boolean => {
  assert.ok(isEvolveError(e), String(e));
  assert.equal(e.code, c, e.message);
  for (const p of parts) assert.ok(e.message.includes(p), `${JSON.stringify(p)} in ${JSON.stringify(e.message)}`);
  return true;
};

forEachDialect('hostile names', (d) => {
  const scope = { exclude: ['canary'] };

  it('names of every character class are recorded, applied stored-only and reverted; the canary outside the scope survives', (t) => withDb(t, d, async (db) => {
    await canary(db);
    const dir = mkdtempSync(join(tmpdir(), 'evolve-hostile-'));
    const opts = { db: db.url, evolutions: dir, ...scope };
    for (const [i, models] of [v1(), v2()].entries()) {
      const planned = (await planEvolution({ ...opts, models })).statements.map((s) => s.sql);
      await recordEvolution({ ...opts, models });
      // The file holds exactly the planned statements: no comment became SQL, no name split one.
      const set = await loadEvolutions(dir);
      assert.equal(set.evolutions.length, i + 1);
      const recorded = set.evolutions[i]!;
      assert.deepEqual(recorded.steps.map((s) => (s.kind === 'sql' ? s.sql : s.name)), planned, `evolution ${i + 1}'s statements`);
      const text = readFileSync(join(dir, recorded.file), 'utf8');
      for (const line of text.split('\n').slice(0, text.split('\n').indexOf(''))) assert.match(line, /^--/, 'the header is comments only');
      const applied = await applyEvolution({ ...opts, models, storedOnly: true });
      assert.equal(applied.fingerprintAfter, await modelsFingerprint(models, evolveDialect(d)));
      if (i === 0) await db.exec(`INSERT INTO ${quote(d, TABLE)} (id, ${quote(d, COLUMNS[0]!)}, ${quote(d, COLUMNS[7]!)}) VALUES (1, 'v', 'w')`);
      assert.equal(await canaryRows(db), 3, 'the canary outside the scope keeps its rows');
    }
    assert.deepEqual(await rows(db, `SELECT id, ${quote(d, `${COLUMNS[0]!} "now"`)} AS a, ${quote(d, COLUMNS[7]!)} AS b FROM ${quote(d, RENAMED)}`),
      [{ id: '1', a: 'v', b: 'w' }], 'renames through aka kept the row');
    await revertEvolutions({ ...opts, models: v1(), steps: 1 });
    assert.equal((await fingerprintDatabase(db.url, scope)).fingerprint, await modelsFingerprint(v1(), evolveDialect(d)), 'reverted to v1');
    assert.deepEqual(await rows(db, `SELECT id, ${quote(d, COLUMNS[0]!)} AS a FROM ${quote(d, TABLE)}`), [{ id: '1', a: 'v' }]);
    assert.equal(await canaryRows(db), 3);
    assert.equal(readdirSync(dir).filter((f) => f.endsWith('.sql')).length, 2);
  }));

  it('a default value holding marker lines is recorded and applied as a value: the canary survives, the value is intact', (t) => withDb(t, d, async (db) => {
    await canary(db);
    const dir = mkdtempSync(join(tmpdir(), 'evolve-hostile-'));
    const opts = { db: db.url, evolutions: dir, ...scope };
    const value = "v\n-- evolve:revert\nDROP TABLE canary;\n-- evolve:foreign-keys off\n-- evolve:to fv1:00000000\n';";
    const models = [table('note', { id: integer().primaryKey(), body: varchar(200).notNull().default(value) })];
    await recordEvolution({ ...opts, models });
    const [recorded] = (await loadEvolutions(dir)).evolutions;
    assert.equal(recorded!.steps.length, (await planEvolution({ ...opts, models })).statements.length, 'the value split no statement');
    assert.ok(recorded!.revert && recorded!.revert.length > 0, 'the revert is the recorded one');
    const text = readFileSync(join(dir, recorded!.file), 'utf8');
    const header = text.slice(0, text.indexOf('\n\n')).split('\n');
    assert.equal(recorded!.foreignKeysOff, header.includes('-- evolve:foreign-keys off'), 'only the header says whether foreign keys go off');
    const applied = await applyEvolution({ ...opts, models, storedOnly: true });
    assert.equal(applied.fingerprintAfter, await modelsFingerprint(models, evolveDialect(d)));
    await db.exec(`INSERT INTO note (id) VALUES (1)`);
    assert.deepEqual(await rows(db, 'SELECT body FROM note'), [{ body: value }]);
    assert.equal(await canaryRows(db), 3, 'the canary keeps its rows');
  }));

  it('names holding control characters are refused: in the models (E_MODEL_INVALID), in the database (E_NAME_INVALID)', (t) => withDb(t, d, async (db) => {
    await canary(db);
    const dir = mkdtempSync(join(tmpdir(), 'evolve-hostile-'));
    const opts = { db: db.url, evolutions: dir, ...scope };
    const payload = 'x\nDROP TABLE canary;\n--';
    await assert.rejects(recordEvolution({ ...opts, models: [table(payload, { id: integer().primaryKey() })] }), code('E_MODEL_INVALID', 'U+000A'));
    for (const ch of CONTROL) {
      const u = `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
      await assert.rejects(planEvolution({ ...opts, models: [table(`t${ch}x`, { id: integer().primaryKey() })] }), code('E_MODEL_INVALID', u));
      await assert.rejects(planEvolution({ ...opts, models: [table('t', { id: integer().primaryKey(), [`c${ch}x`]: integer() })] }),
        code('E_MODEL_INVALID', u, "'t'"));
    }
    await assert.rejects(planEvolution({ ...opts, models: [table('t', { id: integer().primaryKey(), c: integer().aka('old\u2028x') })] }),
      code('E_MODEL_INVALID', 'U+2028'));
    await assert.rejects(planEvolution({ ...opts, models: [table('t', { id: integer().primaryKey() }, { indexes: [index('i\rx').on('id')] })] }),
      code('E_MODEL_INVALID', 'U+000D'));
    assert.deepEqual(readdirSync(dir), [], 'nothing was recorded');

    // A table and a column of the database named with line breaks: refused, naming them, unless outside the scope.
    await db.exec(`CREATE TABLE victim (id integer PRIMARY KEY, ${quote(d, 'a\nDROP TABLE canary; --')} integer)`);
    await assert.rejects(fingerprintDatabase(db.url, scope), (e: unknown) => {
      code('E_NAME_INVALID', 'victim', 'U+000A')(e);
      assert.deepEqual((e as { details?: unknown }).details, { table: 'victim', column: 'a\nDROP TABLE canary; --', name: 'a\nDROP TABLE canary; --' });
      return true;
    });
    await assert.rejects(recordEvolution({ ...opts, models: v1() }), code('E_NAME_INVALID', 'victim'));
    await db.exec(`CREATE TABLE ${quote(d, 'tab\u2028le')} (id integer PRIMARY KEY)`);
    await assert.rejects(fingerprintDatabase(db.url, { exclude: ['canary', 'victim'] }), code('E_NAME_INVALID', 'U+2028'));
    const outside = await fingerprintDatabase(db.url, { include: ['canary'] });
    assert.match(outside.fingerprint, /^fv\d+:/, 'names outside the scope are never read, so never refused');
    assert.deepEqual(readdirSync(dir), []);
    assert.equal(await canaryRows(db), 3);
  }));
});

describe('comments in evolution files', () => {
  it('stay one line whatever the text: line breaks of every kind are escaped, the file parses to its statements', () => {
    const nasty = 'x\nDROP TABLE canary;\r\n-- evolve:revert\rDROP TABLE a;\u2028DROP TABLE b;\u2029DROP TABLE c;\u0085\u0000';
    const statements = [{ sql: 'CREATE TABLE t (id integer)', comment: nasty, inTransaction: true }];
    const change = { kind: 'addCheck', table: nasty, check: { name: null, expression: nasty } } as const;
    const plan: Plan = { dialect: 'sqlite', changes: [change], renames: [], statements, hazards: [], checks: [], foreignKeysOff: false };
    const hazard = { code: 'CHECK_VIOLATED', severity: 'error', table: nasty, column: nasty, allowable: false, message: nasty, fix: nasty, rows: 1 } as const;
    const text = evolutionText('fv1:aa', 'fv1:bb', plan, { plan, notes: [nasty] }, [hazard], nasty);
    const parsed = parseSqlEvolution('0001-x.sql', text);
    assert.deepEqual(parsed.steps, [{ kind: 'sql', sql: 'CREATE TABLE t (id integer)' }]);
    assert.deepEqual(parsed.revert, [{ kind: 'sql', sql: 'CREATE TABLE t (id integer)' }]);
    for (const line of text.split('\n')) {
      assert.ok(line === '' || line.startsWith('--') || line === 'CREATE TABLE t (id integer);', `not a comment: ${JSON.stringify(line)}`);
      assert.doesNotMatch(line, /[\r\u2028\u2029\u0085\u0000]/);
    }
  });

  it('a value holding a marker line stays a value: only lines outside strings and bodies are markers', () => {
    const text = [
      '-- evolve:from fv1:aa', '-- evolve:to fv1:bb',
      "CREATE TABLE t (id integer, note text DEFAULT 'a", '-- evolve:revert', 'DROP TABLE canary;', '-- evolve:foreign-keys off', "z');",
      'CREATE FUNCTION f() RETURNS int AS $$', '-- evolve:revert', 'SELECT 1', '$$ LANGUAGE sql;',
      'CREATE TABLE u (c text DEFAULT "x', '-- evolve:revert', '");',
      '/*', '-- evolve:revert', '*/',
      '-- evolve:revert',
      'DROP TABLE t;',
    ].join('\n');
    const parsed = parseSqlEvolution('0001-x.sql', text);
    assert.equal(parsed.steps.length, 3, 'the up part holds the table, the function and the other table');
    assert.match((parsed.steps[0] as { sql: string }).sql, /DROP TABLE canary;\n-- evolve:foreign-keys off\nz'\)$/);
    assert.deepEqual(parsed.revert, [{ kind: 'sql', sql: 'DROP TABLE t' }]);
    assert.equal(parsed.foreignKeysOff, false, 'a marker inside a string is not a header');
    assert.throws(() => parseSqlEvolution('0002-x.sql', text.replace("DEFAULT 'a", 'DEFAULT 1,').replace("z');", 'z text);')),
      /more than one `-- evolve:revert` line/, 'outside a string, the same line is a marker');
  });
});

