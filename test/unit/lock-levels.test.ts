/**
 * What `evolve sql` says each statement costs (Dialect.statementLock), read from its text: the
 * PostgreSQL lock modes of the online forms (CONCURRENTLY, NOT VALID, VALIDATE, USING INDEX)
 * and the plain ones, MySQL's by the stated algorithm, SQLite's write lock. No database.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { postgresStatementLock } from '../../src/dialects/postgres/lock-levels.js';
import { mysqlStatementLock } from '../../src/dialects/mysql/lock-levels.js';
import { sqliteStatementLock } from '../../src/dialects/sqlite/lock-levels.js';
import { describeLock, type StatementLock } from '../../src/plan/plan.js';

const brief = (l: StatementLock | null): string => (l ? `${l.lock} / ${l.blocks} / ${l.work}` : 'null');

describe('statement locks', () => {
  it('PostgreSQL: each statement form takes its documented lock and says whether it rewrites or scans', () => {
    const cases: [string, string][] = [
      ['CREATE INDEX CONCURRENTLY "i" ON "public"."t" ("a")', 'SHARE UPDATE EXCLUSIVE / nothing / scan'],
      ['CREATE UNIQUE INDEX CONCURRENTLY i ON t (a)', 'SHARE UPDATE EXCLUSIVE / nothing / scan'],
      ['CREATE INDEX i ON t (a)', 'SHARE / writes / scan'],
      ['DROP INDEX CONCURRENTLY "i"', 'SHARE UPDATE EXCLUSIVE / nothing / none'],
      ['DROP INDEX i', 'ACCESS EXCLUSIVE / reads and writes / none'],
      ['ALTER TABLE "t" ADD CONSTRAINT "fk" FOREIGN KEY ("p") REFERENCES "p" ("id") NOT VALID', 'SHARE ROW EXCLUSIVE / writes / none'],
      ['ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (p) REFERENCES p (id)', 'SHARE ROW EXCLUSIVE / writes / scan'],
      ['ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID', 'ACCESS EXCLUSIVE / reads and writes / none'],
      ['ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0)', 'ACCESS EXCLUSIVE / reads and writes / scan'],
      ['ALTER TABLE "t" VALIDATE CONSTRAINT "fk"', 'SHARE UPDATE EXCLUSIVE / nothing / scan'],
      ['ALTER TABLE t ADD CONSTRAINT u UNIQUE USING INDEX u_idx', 'ACCESS EXCLUSIVE / reads and writes / none'],
      ['ALTER TABLE t ADD CONSTRAINT u UNIQUE (a)', 'ACCESS EXCLUSIVE / reads and writes / scan'],
      ['ALTER TABLE t ALTER COLUMN a TYPE bigint', 'ACCESS EXCLUSIVE / reads and writes / rewrite'],
      ['ALTER TABLE t ALTER COLUMN a TYPE varchar(200)', 'ACCESS EXCLUSIVE / reads and writes / rewrite'],
      ['ALTER TABLE "t" ALTER COLUMN "a" TYPE character varying(20) USING "a"::character varying(20)', 'ACCESS EXCLUSIVE / reads and writes / rewrite'],
      ['ALTER TABLE t ALTER COLUMN a SET NOT NULL', 'ACCESS EXCLUSIVE / reads and writes / scan'],
      ['ALTER TABLE t ALTER COLUMN a DROP NOT NULL, ALTER COLUMN b SET DEFAULT 1', 'ACCESS EXCLUSIVE / reads and writes / none'],
      ['ALTER TABLE t ADD COLUMN a int', 'ACCESS EXCLUSIVE / reads and writes / none'],
      ['ALTER TABLE t ADD COLUMN a uuid DEFAULT gen_random_uuid()', 'ACCESS EXCLUSIVE / reads and writes / rewrite'],
      ['ALTER TABLE t ADD COLUMN a int, ADD CONSTRAINT c CHECK (a > 0)', 'ACCESS EXCLUSIVE / reads and writes / scan'],
      ['ALTER TABLE t RENAME COLUMN a TO b', 'ACCESS EXCLUSIVE / reads and writes / none'],
      ['UPDATE t SET a = 1 WHERE a IS NULL', 'ROW EXCLUSIVE / nothing / scan'],
      ['CREATE TABLE n (id int)', 'null'],
      ['CREATE FUNCTION f() RETURNS int AS $$ SELECT 1, 2 $$ LANGUAGE sql', 'null'],
    ];
    for (const [sql, want] of cases) assert.equal(brief(postgresStatementLock(sql)), want, sql);
    assert.equal(describeLock(postgresStatementLock('CREATE INDEX CONCURRENTLY i ON t (a)')!),
      'lock SHARE UPDATE EXCLUSIVE: reads and writes go on; scans the table (built while reads and writes go on; cannot run inside a transaction)');
  });

  it('MySQL: by the stated algorithm (or the one the text needs when none is stated)', () => {
    const cases: [string, string][] = [
      ['ALTER TABLE `t` ADD COLUMN `a` int NULL, ALGORITHM=INSTANT', 'exclusive metadata lock / reads and writes / none'],
      ['ALTER TABLE `t` ADD INDEX `i` (`a`), ALGORITHM=INPLACE, LOCK=NONE', 'LOCK=NONE (exclusive metadata lock at the start and the end) / nothing / scan'],
      ['ALTER TABLE `t` MODIFY COLUMN `a` int NOT NULL, ALGORITHM=INPLACE, LOCK=NONE',
        'LOCK=NONE (exclusive metadata lock at the start and the end) / nothing / rewrite'],
      ['ALTER TABLE `t` MODIFY COLUMN `a` bigint NULL, ALGORITHM=COPY, LOCK=SHARED', 'LOCK=SHARED / writes / rewrite'],
      ['ALTER TABLE t MODIFY COLUMN a bigint', 'LOCK=SHARED / writes / rewrite'],
      ['ALTER TABLE t MODIFY COLUMN a bigint, ALGORITHM=COPY, LOCK=EXCLUSIVE', 'LOCK=EXCLUSIVE / reads and writes / rewrite'],
      ['ALTER TABLE t DROP COLUMN a', 'exclusive metadata lock / reads and writes / none'],
      ['CREATE INDEX i ON t (a)', 'LOCK=NONE (exclusive metadata lock at the start and the end) / nothing / scan'],
    ];
    for (const [sql, want] of cases) assert.equal(brief(mysqlStatementLock(sql)), want, sql);
  });

  it('SQLite: the database write lock until commit; a rebuild copies the rows', () => {
    assert.equal(brief(sqliteStatementLock('INSERT INTO "_new_t" ("a") SELECT "a" FROM "t"')), 'the database write lock, until the transaction commits / writes / rewrite');
    assert.equal(brief(sqliteStatementLock('ALTER TABLE t ADD COLUMN a int')), 'the database write lock, until the transaction commits / writes / none');
    assert.equal(sqliteStatementLock('PRAGMA foreign_keys = OFF'), null);
  });
});
