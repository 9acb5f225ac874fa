/**
 * Output people like to read (issue 19 point 3): colours for additions, drops, renames and
 * hazards only when wanted (FORCE_COLOR forces them; NO_COLOR, a pipe and --json never get
 * them), and progress bars on stderr only on a terminal (run under `script`, which gives the
 * command a pseudo-terminal), never in --json output or on a pipe.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { forEachDialect, withDb } from '../support/harness.js';
import { evolveProcess, writeModels, IMPORTS, ROOT } from '../support/cli.js';
import { releasePglite } from '../../src/dialects/postgres/pglite-pool.js';

const ESC = '\x1b[';
// Only what each run sets: the spawned commands inherit this process's environment.
delete process.env.FORCE_COLOR;
delete process.env.NO_COLOR;
const GREEN = '\x1b[32m';
const RED = '\x1b[31m';
const CYAN = '\x1b[36m';

/** The command on a pseudo-terminal (stdout and stderr both), as typed at a shell: the transcript. */
async function onTerminal(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; text: string }> {
  await releasePglite();
  const cmd = ['node', 'bin/evolve.js', ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { cwd: ROOT, env: { ...process.env, TERM: 'xterm', EVOLVE_DATABASE_URL: '', ...env }, encoding: 'utf8' });
  return { code: r.status, text: r.stdout };
}

forEachDialect('cli output', (d) => {
  it('colours additions, drops, renames and hazards with FORCE_COLOR; none with NO_COLOR, on a pipe or with --json', (t) => withDb(t, d, async (db) => {
    await db.exec('CREATE TABLE person (id integer NOT NULL PRIMARY KEY, name varchar(50), old_note varchar(20), gone varchar(20))');
    await db.exec("INSERT INTO person (id, name, old_note, gone) VALUES (1, 'a', 'n', 'x')");
    const file = writeModels(IMPORTS + "export const person = table('person', { id: integer().primaryKey(), name: varchar(50), " +
      "note: varchar(20).aka('old_note'), age: integer() });\nexport const pet = table('pet', { id: integer().primaryKey() });\n");
    const args = ['sql', '--db', db.url, '--models', file];
    const forced = await evolveProcess(args, { FORCE_COLOR: '1' });
    assert.equal(forced.code, 0, forced.stderr);
    const line = (re: RegExp): string => forced.stdout.split('\n').find((l) => re.test(l)) ?? assert.fail(`no line ${re}: ${forced.stdout}`);
    assert.ok(line(/CREATE TABLE .pet/).includes(GREEN), 'a new table is green');
    assert.ok(line(/ADD (COLUMN )?.age/).includes(GREEN), 'a new column is green');
    assert.ok(line(/-- drop column person\.gone/).includes(RED), 'a drop is red');
    assert.ok(line(/rename via aka: column person\.old_note → note/).includes(CYAN), 'a rename is cyan');
    assert.ok(line(/DROP_COLUMN/).includes(RED), 'an error-severity hazard is red');
    for (const [what, env, extra] of [
      ['NO_COLOR', { NO_COLOR: '1' }, []], ['a pipe', {}, []], ['--json', { FORCE_COLOR: '1' }, ['--json']],
    ] as const) {
      const r = await evolveProcess([...args, ...extra], env);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(!r.stdout.includes(ESC) && !r.stderr.includes(ESC), `${what}: no escape codes in ${r.stdout}`);
      assert.match(r.stdout, /pet/);
    }
  }));

  it('draws progress (done/total, rate) on a terminal only: not on a pipe, not with --json', (t) => withDb(t, d, async (db) => {
    await db.exec('CREATE TABLE item (id integer NOT NULL PRIMARY KEY, label varchar(20))');
    await db.exec(`INSERT INTO item (id, label) VALUES ${Array.from({ length: 3000 }, (_, i) => `(${i + 1}, ${i % 2 ? 'NULL' : "'x'"})`).join(', ')}`);
    // NOT NULL over NULLs: a data check (every dialect); on SQLite a rebuild, which copies the rows.
    const file = writeModels(IMPORTS + "export const item = table('item', { id: integer().primaryKey(), label: varchar(20).notNull().default('none') });\n");
    const args = ['apply', '--db', db.url, '--models', file];
    const json = await onTerminal([...args, '--json'], { FORCE_COLOR: '1' });
    assert.equal(json.code, 1, json.text); // refused without --allow-data-loss
    assert.doesNotMatch(json.text, /check the data|rows\/s|checks\/s/, '--json: no progress even on a terminal');
    assert.ok(!json.text.includes(ESC + '32m'), '--json: no colour even with FORCE_COLOR');
    const piped = await evolveProcess(['sql', '--db', db.url, '--models', file]); // the same data check
    assert.equal(piped.code, 0, piped.stderr);
    assert.match(piped.stdout, /NOT_NULL_WITH_NULLS/);
    assert.doesNotMatch(piped.stderr, /check the data|rows\/s|checks\/s/, 'a pipe: no progress');
    const tty = await onTerminal([...args, '--allow-data-loss']);
    assert.equal(tty.code, 0, tty.text);
    assert.match(tty.text, /check the data for hazards .*1\/1 checks \| \d+ checks\/s/, 'the data check');
    if (d === 'sqlite') assert.match(tty.text, /copy rows of item .*3000\/3000 rows \| \d+ rows\/s/, 'the rebuild copy, row by row');
    assert.match(tty.text, /Applied \d+ generated statement/);
  }));
});
