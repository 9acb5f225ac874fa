/**
 * The golden cases shared by test/unit/differ-golden.test.ts and
 * test/unit/planner-golden.test.ts: named pairs of schemas (live → desired), built as literal
 * IR (test/unit/golden-ir.ts). Table cases are here; cases with objects beyond tables (views,
 * triggers, enums, functions) are in test/unit/golden-object-cases.ts. Between them every
 * `Change` kind arises; the tests check that.
 *
 * Adding a case changes the goldens: regenerate them with EVOLVE_UPDATE_GOLDEN=1 (see the
 * test files) and read the new SQL before committing it.
 */
import type { DialectName } from '../../src/ir/schema.js';
import {
  author, book, check, col, decimal, desired, expression, fk, idx, live, NOT_NULL, pk, raw, serialId, tables, tbl, value, varchar,
  type GoldenCase,
} from './golden-ir.js';
import { OBJECT_CASES } from './golden-object-cases.js';

const member = (key: string[] | null) => tbl('membership', [
  col('user_id', 'integer', NOT_NULL), col('group_id', 'integer', NOT_NULL), col('role', varchar(20), value('member')),
], key ? pk(...key) : {});

const TABLE_CASES: GoldenCase[] = [
  tables('no-changes', 'identical schemas, and Evolve\'s own tables in the live schema: nothing to do',
    [author(), book(), tbl('_evolve_record', [col('k', 'text', NOT_NULL)], pk('k'))], [author(), book()]),
  tables('create-table', 'a new table with a key, a unique constraint, an index and a foreign key to an existing table',
    [author()], [author(), book([], { uniques: [{ name: null, columns: ['title', 'author_id'] }] })]),
  tables('create-parent-and-child', 'two new tables, the second referencing the first',
    [], [author(), book()]),
  tables('drop-table', 'a table (with a foreign key) removed from the models',
    [author(), book()], [author()]),
  tables('rename-table', 'a table renamed through aka; the foreign key referencing it follows',
    [author(), book()], [{ ...author(), name: 'writer', aka: ['author'] }, book([], { foreignKeys: [fk(['author_id'], 'writer', ['id'], 'cascade')] })]),
  tables('add-column', 'a nullable column and a NOT NULL column with a default (SQLite: ALTER TABLE ADD COLUMN)',
    [author()], [author([col('born', 'date'), col('active', 'boolean', { ...NOT_NULL, ...value(true) })])]),
  tables('add-column-not-null-no-default', 'a NOT NULL column without a default: refused on a table with rows (SQLite rebuilds)',
    [author()], [author([col('email', varchar(200), NOT_NULL)])]),
  tables('drop-column', 'a plain column removed (SQLite: ALTER TABLE DROP COLUMN)',
    [author(), book()], [author(), { ...book(), columns: book().columns.filter((c) => c.name !== 'price') }]),
  tables('drop-column-in-unique', 'a column removed together with the unique constraint over it (SQLite rebuilds)',
    [author([col('email', varchar(200))], { uniques: [{ name: 'author_email_key', columns: ['email'] }] })], [author()]),
  tables('rename-column', 'a column renamed through aka; the index over it follows',
    [author(), book()], [author(), { ...book(), columns: book().columns.map((c) => (c.name === 'title' ? { ...c, name: 'name', aka: ['title'] } : c)), indexes: [idx('book_title_idx', ['name'])] }]),
  tables('rename-referenced-column', 'the referenced column of a foreign key renamed: the key follows, nothing else changes',
    [author(), book()], [{ ...author(), columns: [{ ...serialId('author_id'), aka: ['id'] }, ...author().columns.slice(1)], ...pk('author_id') },
      book([], { foreignKeys: [fk(['author_id'], 'author', ['author_id'], 'cascade')] })]),
  tables('rename-table-and-column', 'a table and one of its columns renamed, and the column\'s type widened',
    [author()], [{ ...author(), name: 'writer', aka: ['author'], columns: [serialId(), col('full_name', varchar(150), { ...NOT_NULL, aka: ['name'] })] }]),
  tables('alter-column-type-widening', 'types widened: no value is lost, no data check',
    [author(), book()], [{ ...author(), columns: [serialId(), col('name', varchar(200), NOT_NULL)] },
      { ...book(), columns: book().columns.map((c) => (c.name === 'price' ? { ...c, type: decimal(12, 2) } : c)) }]),
  tables('alter-column-type-lossy', 'a varchar shortened and a text column made integer: data checks count the values that do not fit',
    [author([col('code', 'text')])], [{ ...author([col('code', 'integer')]), columns: [serialId(), col('name', varchar(20), NOT_NULL), col('code', 'integer')] }]),
  tables('alter-column-type-lossy-consented', 'alter-column-type-lossy planned with consent (--allow-data-loss, rows found): values cut or NULLed',
    [author([col('code', 'text')])], [{ ...author([col('code', 'integer')]), columns: [serialId(), col('name', varchar(20), NOT_NULL), col('code', 'integer')] }],
    { consentLossy: true }),
  tables('alter-column-nullability', 'a column becomes nullable, another (with a default) NOT NULL: NULLs take the default',
    [author(), book()], [author(), { ...book(), columns: book().columns.map((c) => (c.name === 'title' ? { ...c, nullable: true } : c.name === 'price' ? { ...c, nullable: false } : c)) }]),
  tables('alter-column-default', 'a default changed, one removed, one added as an expression',
    [author([col('rank', 'integer', value(1)), col('nick', 'text', value('anon')), col('joined', { kind: 'timestamp', withTimeZone: false })])],
    [author([col('rank', 'integer', value(5)), col('nick', 'text'), col('joined', { kind: 'timestamp', withTimeZone: false }, expression('CURRENT_TIMESTAMP'))])]),
  tables('alter-column-auto-increment', 'an integer primary key becomes auto-increment',
    [tbl('tag', [col('id', 'integer', NOT_NULL), col('label', 'text')], pk('id'))], [tbl('tag', [serialId(), col('label', 'text')], pk('id'))]),
  tables('alter-generated-column', 'a stored generated column\'s expression changes',
    [book([col('cents', 'integer', { generated: { expression: 'price * 100', stored: true } })])],
    [book([col('cents', 'integer', { generated: { expression: 'price * 1000', stored: true } })])]),
  tables('alter-foreign-key-column-type', 'a referenced key and its referencing column widened to bigint (MySQL drops and restores the key)',
    [author(), book()], [{ ...author(), columns: [{ ...serialId(), type: { kind: 'bigint' } }, author().columns[1]!] },
      { ...book(), columns: book().columns.map((c) => (c.name === 'author_id' ? { ...c, type: { kind: 'bigint' } } : c)) }]),
  tables('indexes', 'an index added, one dropped, one changed under the same name (dropped and created)',
    [author([], { indexes: [idx('author_name_idx', ['name']), idx('author_old_idx', ['id', 'name'])] }), book()],
    [author([], { indexes: [idx('author_name_idx', ['name', 'id'])] }), book([], { indexes: [idx('book_title_idx', ['title']), idx('book_price_idx', ['price'], { unique: true })] })]),
  tables('partial-index', 'an index with a predicate (MySQL has no partial indexes: its normaliser refuses them, so the case runs on SQLite and PostgreSQL only)',
    [author(), book()], [author(), book([], { indexes: [idx('book_title_idx', ['title']), idx('book_cheap_idx', ['title'], { where: 'price < 10' })] })],
    { dialects: ['sqlite', 'postgres'] }),
  tables('drop-index-serving-foreign-key', 'the only index serving a foreign key dropped (MySQL keeps the key served by a stand-in index)',
    [author(), book([], { indexes: [idx('book_author_title_idx', ['author_id', 'title'])] })], [author(), book([], { indexes: [] })]),
  tables('uniques', 'a unique constraint added (data check for duplicates), another dropped',
    [author(), book([], { uniques: [{ name: 'book_title_author_id_key', columns: ['title', 'author_id'] }] })],
    [author([], { uniques: [{ name: null, columns: ['name'] }] }), book()]),
  tables('alter-primary-key', 'a primary key extended by a column',
    [member(['user_id'])], [member(['user_id', 'group_id'])]),
  tables('add-primary-key', 'a table without a primary key gets one',
    [member(null)], [member(['user_id', 'group_id'])]),
  tables('add-foreign-key', 'a foreign key added to an existing table (data check for orphans)',
    [author(), book([], { foreignKeys: [] })], [author(), book()]),
  tables('drop-foreign-key', 'a foreign key removed; the table stays',
    [author(), book()], [author(), book([], { foreignKeys: [] })]),
  tables('change-foreign-key-action', 'a foreign key\'s ON DELETE changes: dropped and added',
    [author(), book()], [author(), book([], { foreignKeys: [fk(['author_id'], 'author', ['id'], 'set null')] })]),
  tables('checks', 'a CHECK added (data check for rows breaking it), another dropped',
    [author([], { checks: [check('author_name_check', 'length(name) > 0')] }), book()],
    [author(), book([], { checks: [check('book_price_check', 'price >= 0')] })]),
  {
    name: 'alter-table-options',
    about: 'storage options change: SQLite STRICT, MySQL ENGINE; PostgreSQL has none Evolve manages and refuses them',
    build: (d: DialectName) => {
      const options: Record<string, string> = d === 'sqlite' ? { strict: 'true' } : d === 'mysql' ? { engine: 'myisam' } : { fillfactor: '70' };
      const t = tbl('note', [col('id', 'integer', NOT_NULL), col('body', 'text')], pk('id'));
      return { from: live(d, [t]), to: desired(d, [{ ...t, options }]) };
    },
  },
  {
    name: 'alter-table-charset',
    about: 'MySQL only (charsets and collations are MySQL table options): CONVERT TO CHARACTER SET, then the column with its own collation set back',
    dialects: ['mysql'],
    build: (d: DialectName) => {
      const t = tbl('note', [col('id', 'integer', NOT_NULL), col('body', 'text'), col('code', varchar(10), { collation: 'utf8mb4_bin' })], pk('id'));
      const from = { ...live(d, [t]), defaults: { charset: 'utf8mb4', collation: 'utf8mb4_general_ci', engine: 'innodb' } };
      return { from, to: desired(d, [{ ...t, options: { charset: 'latin1', collation: 'latin1_swedish_ci' } }]) };
    },
  },
  {
    name: 'alter-column-collation',
    about: 'column collations: one changed, one removed, one added, one kept through a type change, a new table with one (PostgreSQL: TYPE … COLLATE; SQLite rebuilds; MySQL: MODIFY)',
    build: (d: DialectName) => {
      const [a, b] = d === 'sqlite' ? ['nocase', 'rtrim'] : d === 'postgres' ? ['C', 'POSIX'] : ['utf8mb4_bin', 'utf8mb4_unicode_ci'];
      const note = (cols: ReturnType<typeof col>[]) => tbl('note', [col('id', 'integer', NOT_NULL), ...cols], pk('id'));
      const from = note([col('title', varchar(100), { collation: a }), col('code', 'text', { collation: a }), col('nick', 'text'),
        col('email', varchar(50), { collation: a })]);
      const to = note([col('title', varchar(100), { collation: b }), col('code', 'text'), col('nick', 'text', { collation: a }),
        col('email', varchar(80), { collation: a })]);
      const tag = tbl('tag', [col('id', 'integer', NOT_NULL), col('label', 'text', { ...NOT_NULL, collation: b })], pk('id'));
      return { from: live(d, [from]), to: desired(d, [to, tag]) };
    },
  },
  tables('alter-column-read-by-generated', 'a column a generated column reads changes type (PostgreSQL refuses that: the generated column is dropped and added back, with its index)',
    [tbl('label', [col('id', 'integer', NOT_NULL), col('a', varchar(20)), col('b', 'text', { generated: { expression: 'upper(a)', stored: true } })],
      { ...pk('id'), indexes: [idx('label_b_idx', ['b'])] })],
    [tbl('label', [col('id', 'integer', NOT_NULL), col('a', varchar(40)), col('b', 'text', { generated: { expression: 'upper(a)', stored: true } })],
      { ...pk('id'), indexes: [idx('label_b_idx', ['b'])] })]),
  tables('alter-column-collation-and-on-update', 'MySQL only (only MySQL has ON UPDATE): MODIFY COLUMN with a collation and an ON UPDATE',
    [author([col('updated_at', { kind: 'timestamp', withTimeZone: true }, { ...NOT_NULL, ...expression('CURRENT_TIMESTAMP') })])],
    [{ ...author([col('updated_at', { kind: 'timestamp', withTimeZone: true }, { ...NOT_NULL, ...expression('CURRENT_TIMESTAMP'), onUpdate: 'CURRENT_TIMESTAMP' })]),
      columns: [serialId(), col('name', varchar(100), { ...NOT_NULL, collation: 'utf8mb4_bin' }), col('updated_at', { kind: 'timestamp', withTimeZone: true }, { ...NOT_NULL, ...expression('CURRENT_TIMESTAMP'), onUpdate: 'CURRENT_TIMESTAMP' })] }],
    { dialects: ['mysql'] }),
  {
    name: 'raw-type',
    about: 'a column of a type Evolve does not model changes to another such type (Evolve cannot check which values convert)',
    build: (d: DialectName) => {
      const [a, b] = d === 'sqlite' ? ['geometry', 'point'] : d === 'postgres' ? ['inet', 'cidr'] : ['mediumint', 'smallint'];
      return { from: live(d, [author([col('shape', raw(a!))])]), to: desired(d, [author([col('shape', raw(b!))])]) };
    },
  },
];

/** Every case, tables first. Names are unique (the goldens are keyed by them). */
export const CASES: readonly GoldenCase[] = [...TABLE_CASES, ...OBJECT_CASES];
