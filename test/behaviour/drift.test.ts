/**
 * The drift report names every difference and picks the nearest known state (issue 15
 * point 6), on every dialect, for the column attributes it once missed: a generated column's
 * expression, a collation, and MySQL's ON UPDATE. Three known states are recorded and applied
 * as stored evolutions (v1 → v2 changes the attribute alone; v3 adds two columns), then the
 * database is changed by hand:
 * - v2 plus a column: v2 is nearest (one difference; v1 differs by the attribute as well) —
 *   a report blind to the attribute called v1 and v2 equally near and picked v1;
 * - v3 with the attribute back as in v1: v3 is nearest, and the report names the attribute.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fingerprintDatabase, splitSql, statusOf } from '../../src/index.js';
import { forEachDialect, withDb } from '../support/harness.js';
import type { TestDatabase, TestDialect } from '../support/databases.js';
import { evolve } from '../support/cli.js';

/** A column attribute: its column's definition in a CREATE TABLE with the attribute as in v1 (`first`) and as in v2, and the report's line for v2 → v1. */
interface Attribute {
  readonly name: string;
  readonly dialects: readonly TestDialect[];
  /** The attribute's column, as it is in v1 (`first`) or v2. */
  readonly column: (first: boolean, d: TestDialect) => string;
  /** The drift report's line for the change from v2's attribute back to v1's. */
  readonly line: (d: TestDialect) => RegExp;
}

const ALL: readonly TestDialect[] = ['sqlite', 'postgres', 'mysql', 'pglite'];
const COLLATIONS: Record<TestDialect, readonly [string, string, string, string]> = {
  sqlite: ['NOCASE', 'nocase', 'RTRIM', 'rtrim'],
  postgres: ['"C"', 'C', '"POSIX"', 'POSIX'],
  pglite: ['"C"', 'C', '"POSIX"', 'POSIX'],
  mysql: ['utf8mb4_bin', 'utf8mb4_bin', 'utf8mb4_unicode_ci', 'utf8mb4_unicode_ci'],
};
const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const ATTRIBUTES: readonly Attribute[] = [
  {
    name: 'a generated column\'s expression', dialects: ALL,
    column: (first) => `g integer GENERATED ALWAYS AS (a * ${first ? 2 : 3}) STORED`,
    line: () => /^t\.g: generated expression [^→]*3[^→]* → [^→]*2[^→]*$/,
  },
  {
    name: 'a column\'s collation', dialects: ALL,
    column: (first, d) => `c varchar(40) COLLATE ${COLLATIONS[d][first ? 0 : 2]}`,
    line: (d) => new RegExp(`^${esc(`t.c: collation ${COLLATIONS[d][3]} → ${COLLATIONS[d][1]}`)}$`),
  },
  {
    name: 'a column\'s ON UPDATE', dialects: ['mysql'],
    column: (first) => `u timestamp NULL DEFAULT CURRENT_TIMESTAMP${first ? '' : ' ON UPDATE CURRENT_TIMESTAMP'}`,
    line: () => /^t\.u: on update CURRENT_TIMESTAMP → none$/,
  },
];

/** Table t with the attribute's column as in v1 or v2, and `more` columns after it. */
const tableSql = (attr: Attribute, d: TestDialect, first: boolean, more: readonly string[] = []): string =>
  `CREATE TABLE t (\n  id integer NOT NULL PRIMARY KEY,\n  a integer,\n  ${[attr.column(first, d), ...more].join(',\n  ')}\n);\n`;

function file(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Change the database by hand: table t dropped and created as `sql` says, outside Evolve. */
async function byHand(db: TestDatabase, sql: string): Promise<void> {
  await db.exec('DROP TABLE t');
  for (const s of splitSql(sql)) await db.exec(s);
}

const ok = async (args: string[]): Promise<string> => {
  const r = await evolve(args);
  assert.equal(r.code, 0, `evolve ${args.join(' ')}\n${r.stdout}${r.stderr}`);
  return r.stdout;
};

forEachDialect('drift report', (d) => {
  for (const attr of ATTRIBUTES.filter((x) => x.dialects.includes(d))) {
    it(`names a change of ${attr.name} and picks the nearest known state`, (t) => withDb(t, d, async (db) => {
      const dir = mkdtempSync(join(tmpdir(), 'evolve-drift-'));
      const evolutions = join(dir, 'evolutions');
      const extras = ['extra1 integer', 'extra2 integer'];
      const v1 = file(dir, 'v1.sql', tableSql(attr, d, true));
      const v2 = file(dir, 'v2.sql', tableSql(attr, d, false));
      const v3 = file(dir, 'v3.sql', tableSql(attr, d, false, extras));
      const fp = async (): Promise<string> => (await fingerprintDatabase(db.url)).fingerprint;
      const known: string[] = [];
      await ok(['apply', '--db', db.url, '--models', v1]);
      known.push(await fp());
      for (const v of [v2, v3]) {
        await ok(['record', '--db', db.url, '--models', v, '--evolutions', evolutions]);
        await ok(['apply', '--stored-only', '--db', db.url, '--models', v, '--evolutions', evolutions]);
        known.push(await fp());
        if (v === v2) {
          // v2 plus a column made by hand: v2 is nearest, by that column alone.
          await db.exec('ALTER TABLE t ADD COLUMN hack integer');
          const s = await statusOf({ db: db.url, evolutions });
          assert.equal(s.known, null, 'the fingerprint is not a known one');
          assert.deepEqual(s.drift, { nearest: known[1], differences: ['add column t.hack'] }, 'v2 is nearest (v1 differs by the attribute too)');
          await db.exec('ALTER TABLE t DROP COLUMN hack');
          assert.equal(await fp(), known[1], 'back at v2');
        }
      }
      assert.equal(new Set(known).size, 3, 'three distinct known states');
      // v3 with the attribute as in v1, by hand: v3 is nearest, and the report names the attribute.
      await byHand(db, tableSql(attr, d, true, extras));
      const s = await statusOf({ db: db.url, evolutions });
      assert.equal(s.known, null);
      assert.equal(s.drift?.nearest, known[2], `v3 is nearest: ${JSON.stringify(s.drift)}`);
      assert.equal(s.drift?.differences.length, 1, JSON.stringify(s.drift?.differences));
      assert.match(s.drift!.differences[0]!, attr.line(d));
      const text = await ok(['status', '--db', db.url, '--evolutions', evolutions]);
      assert.match(text, new RegExp(`drift: nearest known fingerprint ${esc(known[2]!)}; the database differs by:\\n\\s+${attr.line(d).source.slice(1, -1)}`));
    }));
  }
});
