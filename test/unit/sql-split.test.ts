/** Splitting SQL files into statements: strings, comments, dollar quotes, compound bodies, DELIMITER. */
import { it, describe } from 'node:test';
import assert from 'node:assert/strict';
import { splitSql } from '../../src/dialects/shared/sql-split.js';

describe('splitSql', () => {
  it('splits at top-level semicolons only', () => {
    assert.deepEqual(splitSql("CREATE TABLE a (x text DEFAULT 'a;b'); -- c;\nCREATE TABLE \"b;\" (y int);"),
      ["CREATE TABLE a (x text DEFAULT 'a;b')", 'CREATE TABLE "b;" (y int)']);
  });
  it('keeps PostgreSQL dollar-quoted bodies whole', () => {
    const f = 'CREATE FUNCTION f() RETURNS trigger AS $$ BEGIN NEW.x := 1; RETURN NEW; END $$ LANGUAGE plpgsql';
    assert.deepEqual(splitSql(`${f};\nSELECT 1;`), [f, 'SELECT 1']);
  });
  it('keeps BEGIN … END trigger bodies whole (SQLite, MySQL), with nested blocks and CASE', () => {
    const t = `CREATE TRIGGER t AFTER INSERT ON a FOR EACH ROW BEGIN
  IF NEW.x > 0 THEN SET @n = 1; END IF;
  INSERT INTO log VALUES (CASE WHEN NEW.x > 1 THEN 'big' ELSE 'small' END);
  BEGIN UPDATE b SET y = 1; END;
END`;
    assert.deepEqual(splitSql(`${t};\nCREATE VIEW v AS SELECT CASE WHEN 1 THEN 2 END AS c;\nSELECT 2`),
      [t, 'CREATE VIEW v AS SELECT CASE WHEN 1 THEN 2 END AS c', 'SELECT 2']);
  });
  it('follows DELIMITER lines (mysql client syntax)', () => {
    const text = 'DELIMITER //\nCREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END //\nDELIMITER ;\nSELECT 3;';
    assert.deepEqual(splitSql(text), ['CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END', 'SELECT 3']);
  });
  it('counts words only as whole words (a column named begin_at is not a block)', () => {
    assert.deepEqual(splitSql('CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE a SET begin_at = 1, ending = 2; END; SELECT 1'),
      ['CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE a SET begin_at = 1, ending = 2; END', 'SELECT 1']);
  });
  it('reads a DELIMITER line after comments (Sakila: "--\\n-- Triggers …\\n--\\n\\nDELIMITER ;;")', () => {
    const text = '-- Triggers\n--\n\nDELIMITER ;;\nCREATE TRIGGER t AFTER INSERT ON a FOR EACH ROW BEGIN\n  INSERT INTO b VALUES (1);\nEND;;\n\nDELIMITER ;\nSELECT 1;';
    assert.deepEqual(splitSql(text), ['CREATE TRIGGER t AFTER INSERT ON a FOR EACH ROW BEGIN\n  INSERT INTO b VALUES (1);\nEND', 'SELECT 1']);
  });
  it('reads DELIMITER $$ as a terminator, never as a dollar quote', () => {
    const f = "CREATE FUNCTION f() RETURNS INT BEGIN\n  SELECT '> $0.00';\n  RETURN 1;\nEND";
    assert.deepEqual(splitSql(`DELIMITER $$\n\n${f} $$\n\nDELIMITER ;\n\nDELIMITER $$\nCREATE PROCEDURE p() BEGIN SELECT 2; END $$\nDELIMITER ;\nSELECT 3;`),
      [f, 'CREATE PROCEDURE p() BEGIN SELECT 2; END', 'SELECT 3']);
  });
  it('under a client delimiter, ends a statement only there (END CASE, labels, no block counting)', () => {
    const p = 'CREATE PROCEDURE p() proc: BEGIN CASE WHEN 1 THEN SELECT 1; ELSE BEGIN END; END CASE; LEAVE proc; END';
    assert.deepEqual(splitSql(`DELIMITER //\n${p} //\nDELIMITER ;`), [p]);
  });
  it('keeps a statement that is only a MySQL versioned comment (/*!50610 SET … */)', () => {
    assert.deepEqual(splitSql("/* plain */;\n/*!50610 SET @@default_storage_engine = 'InnoDB'*/;\nSELECT 1;"),
      ["/*!50610 SET @@default_storage_engine = 'InnoDB'*/", 'SELECT 1']);
  });
  it("reads # as a comment with hashComments (MySQL), also with the ; terminator, quotes in it included", () => {
    assert.deepEqual(splitSql("# it's a comment; still\nCREATE TABLE a (x int); # another 'one\nSELECT 1;", { hashComments: true }),
      ['CREATE TABLE a (x int)', 'SELECT 1']);
    assert.deepEqual(splitSql('SELECT 1 # 2;\n;'), ['SELECT 1 # 2']);
  });
});
