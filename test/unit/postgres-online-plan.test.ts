/**
 * The PostgreSQL planner's online strategies (src/dialects/postgres/online-plan.ts), no
 * database: which changes go online on a table with rows, which stay in the transaction (an
 * empty table, a change that needs what the transaction makes), and the run order (online
 * steps first, the plan's transaction last).
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { postgresDialect } from '../../src/dialects/postgres/index.js';
import type { ColumnFacts, OnlineFacts } from '../../src/plan/plan.js';
import type { ColumnIR } from '../../src/ir/schema.js';
import { author, book, col, desired, idx, live, NOT_NULL, value } from './golden-ir.js';

const facts = (rows: string[]): OnlineFacts => ({ tablesWithRows: new Set(rows), invalidIndexes: [], unvalidated: [] });
const plan = (from: ReturnType<typeof book>[], to: ReturnType<typeof book>[], rows: string[]) =>
  postgresDialect.plan(postgresDialect.diff(live('postgres', from), desired('postgres', to)), { onlineFacts: facts(rows) }).statements;

it('a new index on a table with rows is built concurrently, outside any transaction; on an empty table in the transaction', () => {
  const to = book([], { indexes: [idx('book_title_idx', ['title']), idx('book_price_idx', ['price'])] });
  const online = plan([author(), book()], [author(), to], ['book']);
  assert.deepEqual(online.map((s) => [s.sql, s.inTransaction]), [['CREATE INDEX CONCURRENTLY "book_price_idx" ON "book" ("price")', false]]);
  assert.match(online[0]!.undo ?? '', /^DROP INDEX CONCURRENTLY IF EXISTS "book_price_idx"$/);
  const empty = plan([author(), book()], [author(), to], []);
  assert.deepEqual(empty.map((s) => [s.sql, s.inTransaction]), [['CREATE INDEX "book_price_idx" ON "book" ("price")', true]]);
});

it('an index on a column the plan adds stays in the transaction (the column is made there)', () => {
  const to = book([col('isbn', 'text')], { indexes: [idx('book_title_idx', ['title']), idx('book_isbn_idx', ['isbn'])] });
  const s = plan([author(), book()], [author(), to], ['book']);
  assert.ok(s.every((x) => x.inTransaction && !x.online), s.map((x) => x.sql).join('\n'));
});

it('SET NOT NULL on a table with rows: check NOT VALID, VALIDATE, then the transaction with SET NOT NULL last', () => {
  const to = { ...book(), columns: book().columns.map((c) => (c.name === 'author_id' ? { ...c, ...NOT_NULL } : c)) };
  const s = plan([author(), book()], [author(), to], ['book']);
  assert.deepEqual(s.map((x) => x.sql), [
    'ALTER TABLE "book" DROP CONSTRAINT IF EXISTS "evolve_nn_book_author_id", ADD CONSTRAINT "evolve_nn_book_author_id" CHECK ("author_id" IS NOT NULL) NOT VALID',
    'ALTER TABLE "book" VALIDATE CONSTRAINT "evolve_nn_book_author_id"',
    'ALTER TABLE "book" ALTER COLUMN "author_id" SET NOT NULL',
    'ALTER TABLE "book" DROP CONSTRAINT IF EXISTS "evolve_nn_book_author_id"',
  ]);
  assert.deepEqual(s.map((x) => x.ownTransaction === true), [true, true, true, false]);
});

// Expand/contract type changes (src/dialects/postgres/expand-contract.ts).
const column = (over: Partial<ColumnFacts> = {}): ColumnFacts => ({ dependents: [], indexes: [], privileges: false, triggers: [], ...over });
const withColumns = (rows: string[], cols: Record<string, ColumnFacts>, expansions?: OnlineFacts['expansions']): OnlineFacts => ({
  ...facts(rows), columns: new Map([['book', new Map(Object.entries(cols))]]), ...(expansions ? { expansions } : {}),
});
const retype = (name: string, type: 'integer' | 'bigint' | 'text' | ColumnIR['type']): ReturnType<typeof book> =>
  ({ ...book(), columns: book().columns.map((c) => (c.name === name ? { ...c, type: typeof type === 'string' ? col(name, type).type : type } : c)) });
const planWith = (to: ReturnType<typeof book>, f: OnlineFacts) =>
  postgresDialect.plan(postgresDialect.diff(live('postgres', [author(), book()]), desired('postgres', [author(), to])), { onlineFacts: f }).statements;

it('a type change that rewrites a table with rows goes through a new column: expand, backfill in batches, index again, swap', () => {
  const to = { ...book([col('qty', 'bigint', { ...NOT_NULL, ...value(0) })], { indexes: [idx('book_title_idx', ['title']), idx('book_qty_idx', ['qty'])] }) };
  const from = book([col('qty', 'integer', { ...NOT_NULL, ...value(0) })], { indexes: [idx('book_title_idx', ['title']), idx('book_qty_idx', ['qty'])] });
  const f: OnlineFacts = { ...facts(['book']), columns: new Map([['book', new Map([['qty', column({ indexes: ['book_qty_idx'] })]])]]) };
  const s = postgresDialect.plan(postgresDialect.diff(live('postgres', [author(), from]), desired('postgres', [author(), to])), { onlineFacts: f }).statements;
  assert.deepEqual(s.map((x) => [x.sql.split(' ').slice(0, 4).join(' '), x.inTransaction, x.ownTransaction === true]), [
    ['ALTER TABLE "book" ADD', true, true],
    ['CREATE OR REPLACE FUNCTION', true, false],
    ['CREATE TRIGGER "_evolve_sync_qty" BEFORE', true, false],
    ['UPDATE "book" AS "_evolve_row"', false, false],
    ['CREATE INDEX CONCURRENTLY IF', false, false],
    ['ALTER TABLE "book" VALIDATE', true, true],
    ['ALTER TABLE "book" ALTER', true, true],
    ['DROP TRIGGER "_evolve_sync_qty" ON', true, false],
    ['DROP FUNCTION "_evolve_sync_book_qty"()', true, false],
    ['ALTER TABLE "book" DROP', true, false],
    ['ALTER TABLE "book" RENAME', true, false],
    ['ALTER TABLE "book" DROP', true, false],
    ['ALTER TABLE "book" ALTER', true, false],
    ['ALTER INDEX "_evolve_new_book_qty_idx" RENAME', true, false],
  ]);
  const fill = s[3]!.backfill!;
  assert.match(fill.first, /SELECT "id" FROM "book" ORDER BY "id" LIMIT \$1/);
  assert.match(fill.next, /SELECT "id" FROM "book" WHERE "id" > \$2 ORDER BY "id" LIMIT \$1/);
  assert.match(s[3]!.sql, /SET "_evolve_new_qty" = "_evolve_row"\."qty"::bigint WHERE "_evolve_row"\."_evolve_new_qty" IS DISTINCT FROM/);
  // An empty table (no facts about the column): one ALTER in the transaction.
  const empty = postgresDialect.plan(postgresDialect.diff(live('postgres', [author(), from]), desired('postgres', [author(), to])), { onlineFacts: facts([]) });
  assert.ok(empty.statements.some((x) => /TYPE bigint USING/.test(x.sql)) && empty.statements.every((x) => !x.sql.includes('_evolve_')));
});

it('a type change keeps its plain ALTER, and says why: values that may not convert, a dependent constraint, a trigger; binary-compatible ones stay plain', () => {
  const why = (to: ReturnType<typeof book>, name: string, f: ColumnFacts = column()): string[] =>
    planWith(to, withColumns(['book'], { [name]: f })).filter((x) => /TYPE/.test(x.sql)).map((x) => x.comment);
  assert.match(why(retype('title', 'integer'), 'title')[0]!, /rewrites the table under its lock: some values may not convert/);
  assert.match(why(retype('author_id', 'bigint'), 'author_id', column({ dependents: ['constraint book_author_id_fkey on table book'] }))[0]!,
    /constraint book_author_id_fkey on table book depends on the column/);
  assert.match(why(retype('author_id', 'bigint'), 'author_id', column({ triggers: ['audit'] }))[0]!, /has triggers \(audit\)/);
  // varchar → text keeps the rows: one plain ALTER, no reason given.
  const s = planWith(retype('title', { kind: 'text' }), withColumns(['book'], { title: column() }));
  assert.ok(s.every((x) => !x.sql.includes('_evolve_')));
});

it('leftovers of an unfinished expand/contract: resumed when the models still ask for it, removed otherwise', () => {
  const left = { columns: [{ table: 'book', name: '_evolve_new_author_id', type: 'bigint' }], triggers: [{ table: 'book', name: '_evolve_sync_author_id' }],
    functions: ['_evolve_sync_book_author_id'] };
  const resumed = planWith(retype('author_id', 'bigint'), withColumns(['book'], { author_id: column() }, left));
  assert.ok(!resumed.some((x) => /ADD COLUMN|DROP TRIGGER IF EXISTS/.test(x.sql)), resumed.map((x) => x.sql).join('\n'));
  assert.match(resumed.find((x) => x.backfill)!.online ?? '', /^resumed/);
  const removed = planWith(book(), withColumns(['book'], {}, left));
  assert.deepEqual(removed.map((x) => x.sql), [
    'DROP TRIGGER IF EXISTS "_evolve_sync_author_id" ON "book"', 'DROP FUNCTION IF EXISTS "_evolve_sync_book_author_id"()',
    'ALTER TABLE "book" DROP COLUMN IF EXISTS "_evolve_new_author_id"',
  ]);
  // A leftover of another type is removed, and the change made afresh.
  const other = planWith(retype('author_id', 'text'), withColumns(['book'], { author_id: column() }, left));
  assert.match(other[0]!.sql, /^DROP TRIGGER IF EXISTS/);
  assert.ok(other.some((x) => /ADD COLUMN "_evolve_new_author_id" text/.test(x.sql)));
});
