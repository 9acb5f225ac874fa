/**
 * Which MySQL/MariaDB statements the online foreign key strategy runs (online-foreign-key.ts),
 * read from their text — named keys only, nothing else in the ALTER, INPLACE stated — with
 * hostile names through the quoting, the query that looks for rows breaking a key, and what
 * `evolve sql` says such a statement costs. No database.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { foreignKeyAlter, isOnlineForeignKey, orphansSql } from '../../src/dialects/mysql/online-foreign-key.js';
import { mysqlStatementLock } from '../../src/dialects/mysql/lock-levels.js';

describe('MySQL online foreign keys', () => {
  it('reads the keys of an ALTER that only adds named foreign keys, hostile names unquoted', () => {
    const sql = 'ALTER TABLE `we``ird` ADD CONSTRAINT `f,k` FOREIGN KEY (`a``b`, `c d`) REFERENCES `p(x)` (`i`, `j)`) ON DELETE CASCADE, ' +
      'ADD CONSTRAINT fk2 FOREIGN KEY (e) REFERENCES q (id), ALGORITHM=INPLACE, LOCK=NONE';
    assert.deepEqual(foreignKeyAlter(sql), {
      table: 'we`ird',
      keys: [
        { name: 'f,k', columns: ['a`b', 'c d'], refTable: 'p(x)', refColumns: ['i', 'j)'] },
        { name: 'fk2', columns: ['e'], refTable: 'q', refColumns: ['id'] },
      ],
    });
    assert.equal(isOnlineForeignKey(sql), true);
  });

  it('leaves every other statement to the plain path', () => {
    const plain = [
      'ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES p (id), ALGORITHM=COPY, LOCK=SHARED', // not stated INPLACE
      'ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES p (id)', // nothing stated
      'ALTER TABLE t ADD FOREIGN KEY (a) REFERENCES p (id), ALGORITHM=INPLACE, LOCK=NONE', // unnamed
      'ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES p (id), ADD COLUMN b INT, ALGORITHM=INPLACE, LOCK=NONE', // more than keys
      'ALTER TABLE t ADD INDEX i (a), ALGORITHM=INPLACE, LOCK=NONE',
      'ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0), ALGORITHM=INPLACE, LOCK=NONE',
      'CREATE TABLE c (id INT, p INT, CONSTRAINT f FOREIGN KEY (p) REFERENCES p (id))',
    ];
    for (const sql of plain) assert.equal(isOnlineForeignKey(sql), false, sql);
  });

  it('looks for rows whose key columns are all set and match no referenced row, through the quoting', () => {
    assert.equal(orphansSql('we`ird', { name: 'f', columns: ['a`b', 'c'], refTable: 'p', refColumns: ['i', 'j'] }, 5),
      'SELECT `evolve_child`.`a``b` AS `v0`, `evolve_child`.`c` AS `v1` FROM `we``ird` `evolve_child` ' +
      'WHERE `evolve_child`.`a``b` IS NOT NULL AND `evolve_child`.`c` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `p` `evolve_parent` ' +
      'WHERE `evolve_parent`.`i` = `evolve_child`.`a``b` AND `evolve_parent`.`j` = `evolve_child`.`c`) LIMIT 5');
  });

  it('evolve sql says such a statement blocks nothing and scans the table; the plain one copies it under a write lock', () => {
    const online = mysqlStatementLock('ALTER TABLE `t` ADD CONSTRAINT `f` FOREIGN KEY (`a`) REFERENCES `p` (`id`), ALGORITHM=INPLACE, LOCK=NONE');
    assert.equal(online?.blocks, 'nothing');
    assert.equal(online?.work, 'scan');
    assert.match(online?.note ?? '', /foreign_key_checks off.*a query checks the rows/);
    const copy = mysqlStatementLock('ALTER TABLE `t` ADD CONSTRAINT `f` FOREIGN KEY (`a`) REFERENCES `p` (`id`), ALGORITHM=COPY, LOCK=SHARED');
    assert.equal(copy?.blocks, 'writes');
    assert.equal(copy?.work, 'rewrite');
  });
});
