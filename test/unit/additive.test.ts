/**
 * Which stored-evolution statements only add to the schema (MySQL chains verify before every
 * link that does not): an allow-list, so anything unrecognised must count as not additive.
 */
import { it, describe } from 'node:test';
import assert from 'node:assert/strict';
import { isAdditive, isAdditiveStatement } from '../../src/evolutions/additive.js';
import type { Evolution } from '../../src/evolutions/format.js';

describe('isAdditiveStatement', () => {
  it('accepts what only adds: tables, columns, indexes, keys, views', () => {
    for (const sql of [
      'CREATE TABLE t (id INT PRIMARY KEY)',
      'create table if not exists `drop` (x text)',
      'CREATE TEMPORARY TABLE t (id int)',
      'CREATE UNIQUE INDEX i ON t (a, b)',
      'CREATE INDEX IF NOT EXISTS i ON s.t (a)',
      'CREATE VIEW v AS SELECT 1',
      'ALTER TABLE `a0` ADD COLUMN `c1` INT',
      "ALTER TABLE t ADD COLUMN c DECIMAL(10,2) DEFAULT 0 COMMENT 'drop, truncate; modify', ADD INDEX i (c), ALGORITHM=INSTANT",
      'ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES u (id) ON DELETE CASCADE',
      'ALTER TABLE "t" ADD "c" text -- DROP TABLE t',
      '/* DROP */ ALTER TABLE t ADD COLUMN c int;',
    ]) assert.equal(isAdditiveStatement(sql), true, sql);
  });

  it('refuses anything that can drop, rewrite or delete — and anything it does not recognise', () => {
    for (const sql of [
      'DROP TABLE t',
      'ALTER TABLE t DROP COLUMN c',
      'ALTER TABLE t ADD COLUMN c int, DROP COLUMN d',
      'ALTER TABLE t ADD COLUMN c int, MODIFY d bigint',
      'ALTER TABLE t ADD COLUMN c int DROP PARTITION p0',
      'ALTER TABLE t ADD COLUMN c int PARTITION BY HASH(id)',
      'ALTER TABLE t ADD COLUMN c int, ENGINE=MyISAM',
      'ALTER TABLE t ADD COLUMN c int ENGINE = MyISAM',
      'ALTER TABLE t MODIFY c bigint',
      'ALTER TABLE t CHANGE c d int',
      'ALTER TABLE t RENAME COLUMN a TO b',
      'ALTER TABLE t CONVERT TO CHARACTER SET latin1',
      'ALTER IGNORE TABLE t ADD UNIQUE (a)',
      'CREATE OR REPLACE TABLE t (id int)',
      'CREATE OR REPLACE VIEW v AS SELECT 1',
      'CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW DELETE FROM u',
      'RENAME TABLE a TO b',
      'TRUNCATE t',
      'DELETE FROM t',
      "UPDATE t SET a = 'ALTER TABLE t ADD c int'",
      'INSERT INTO t VALUES (1)',
      'SELECT 1',
      'ALTER TABLE t ADD COLUMN c int; DROP TABLE u',
    ]) assert.equal(isAdditiveStatement(sql), false, sql);
  });
});

describe('isAdditive', () => {
  const evo = (steps: Evolution['steps']): Evolution => ({ id: 'e', from: 'a', to: 'b', steps } as unknown as Evolution);
  it('is additive only when every step is additive SQL', () => {
    assert.equal(isAdditive(evo([{ kind: 'sql', sql: 'ALTER TABLE t ADD COLUMN c int' }, { kind: 'sql', sql: 'CREATE INDEX i ON t (c)' }])), true);
    assert.equal(isAdditive(evo([{ kind: 'sql', sql: 'ALTER TABLE t ADD COLUMN c int' }, { kind: 'sql', sql: 'UPDATE t SET c = 1' }])), false);
    assert.equal(isAdditive(evo([{ kind: 'function', name: 'f', fn: async () => undefined }] as unknown as Evolution['steps'])), false, 'a TypeScript step can do anything');
  });
});
