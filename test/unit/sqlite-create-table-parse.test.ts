/**
 * What SQLite keeps only in a CREATE TABLE statement's text, read back by
 * src/dialects/sqlite/create-table-parse.ts: here, column collations — a column's own COLLATE,
 * never one inside a CHECK, a default's parentheses, a string or a comment.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { parseCreateTable } from '../../src/dialects/sqlite/create-table-parse.js';

const collations = (sql: string): Record<string, string> => Object.fromEntries(parseCreateTable(sql).collations);

it('reads each column\'s own COLLATE, lower case, in any spelling of the name', () => {
  assert.deepEqual(collations(`CREATE TABLE t (
    a text COLLATE NOCASE,
    "b c" varchar(10) NOT NULL collate "RTrim" DEFAULT 'x',
    [d] text COLLATE [my_coll] CHECK (d <> ''),
    e text COLLATE \`NoCase\`
  )`), { a: 'nocase', 'b c': 'rtrim', d: 'my_coll', e: 'nocase' });
});

it('BINARY, SQLite\'s default, is no collation; the last COLLATE of a column wins', () => {
  assert.deepEqual(collations('CREATE TABLE t (a text COLLATE BINARY, b text COLLATE NOCASE COLLATE RTRIM)'), { b: 'rtrim' });
});

it('ignores COLLATE inside a CHECK, a default expression, a generated expression, a string, a comment and table constraints', () => {
  assert.deepEqual(collations(`CREATE TABLE t (
    a text CHECK (a COLLATE NOCASE <> 'x'),
    b text DEFAULT ('y' COLLATE NOCASE),
    c text GENERATED ALWAYS AS (a COLLATE NOCASE) VIRTUAL,
    d text DEFAULT 'collate nocase', -- e text COLLATE NOCASE
    f text /* COLLATE NOCASE */,
    collated text,
    UNIQUE (a COLLATE NOCASE),
    CHECK (b COLLATE RTRIM = b)
  )`), {});
});

it('reads a definition that a comment precedes (a comma in a comment splits nothing)', () => {
  const sql = `CREATE TABLE t (
    id integer PRIMARY KEY, -- the key, as a comment
    name text COLLATE NOCASE, /* a, b */ code text COLLATE RTRIM CHECK (code <> ''),
    g text GENERATED ALWAYS AS (upper(name)) STORED -- computed
  )`;
  assert.deepEqual(collations(sql), { name: 'nocase', code: 'rtrim' });
  const parsed = parseCreateTable(sql);
  assert.deepEqual(parsed.checks, [{ name: null, expression: "code <> ''" }]);
  assert.deepEqual(Object.fromEntries(parsed.generated), { g: { expression: 'upper(name)', stored: true } });
});
