/**
 * The PostgreSQL planner's online strategies (src/dialects/postgres/online-plan.ts), no
 * database: which changes go online on a table with rows, which stay in the transaction (an
 * empty table, a change that needs what the transaction makes), and the run order (online
 * steps first, the plan's transaction last).
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { postgresDialect } from '../../src/dialects/postgres/index.js';
import type { OnlineFacts } from '../../src/plan/plan.js';
import { author, book, col, desired, idx, live, NOT_NULL } from './golden-ir.js';

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
