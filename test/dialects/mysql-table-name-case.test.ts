/**
 * MySQL/MariaDB table names and case (issue 15 point 8): whether `Users` and `users` are two
 * tables depends on the server's lower_case_table_names. With 0 (Linux's default) they are, and
 * a models module that writes a table's name in another case renames it (in one RENAME TABLE
 * through a name of Evolve's own, which also works where names are compared in lower case, 2);
 * with 1 the server stores every table name in lower case, and a model table with upper case is
 * refused up front, naming the lower-case name to give it. The test asserts what the test server
 * is set to do (EVOLVE_TEST_MYSQL_URL; both settings were run while writing it).
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { withDb } from '../support/harness.js';
import { rows } from '../support/evolve.js';
import { selectedDialects } from '../support/databases.js';
import { evolve, writeModels, IMPORTS } from '../support/cli.js';

const SKIP = selectedDialects().includes('mysql') ? false : 'mysql not in EVOLVE_TEST_DIALECTS';
const MODELS = IMPORTS + "export const users = table('Users', { id: integer().primaryKey(), name: varchar(20) });\n";

it('a model table named in another case than the live one: renamed, or refused where the server lowers names', { skip: SKIP }, (t) => withDb(t, 'mysql', async (db) => {
  const lctn = Number((await db.query('SELECT @@lower_case_table_names AS l'))[0]!.l);
  await db.exec('CREATE TABLE users (id int NOT NULL PRIMARY KEY, name varchar(20))');
  await db.exec("INSERT INTO users VALUES (1, 'ann')");
  const models = writeModels(MODELS);
  const preview = await evolve(['sql', '--db', db.url, '--models', models]);
  const r = await evolve(['apply', '--db', db.url, '--models', models]);
  if (lctn === 1) {
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /error E_MODEL_INVALID: Table 'Users' cannot be created on this server: it stores table names in lower case \(lower_case_table_names=1\)/);
    assert.match(r.stderr, /fix: Name the table 'users'/);
    const fixed = await evolve(['apply', '--db', db.url, '--models', writeModels(MODELS.replace("'Users'", "'users'"))]);
    assert.equal(fixed.code, 0, fixed.stderr);
  } else {
    assert.match(preview.stdout, /RENAME TABLE `users` TO `_evolve_case_rename`, `_evolve_case_rename` TO `Users`/);
    assert.equal(r.code, 0, r.stderr);
    const plan = await evolve(['sql', '--db', db.url, '--models', models]);
    assert.match(plan.stdout, /in sync/);
    assert.deepEqual(await rows(db, 'SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()'), [{ t: 'Users' }]);
    assert.deepEqual(await rows(db, 'SELECT name FROM `Users`'), [{ name: 'ann' }]);
  }
}));
