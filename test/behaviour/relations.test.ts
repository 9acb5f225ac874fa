/**
 * Foreign keys and many-to-many relations on every dialect (M1, B6): created in dependency
 * order with cycles broken, no false diffs, actions that work, referenced tables and columns
 * dropped safely, join tables created and evolved.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { table, integer, bigint, text, varchar, manyToMany, applyEvolution, isEvolveError, type Table } from '../../src/index.js';
import { forEachDialect, withDb } from '../support/harness.js';
import { evolveTo, rows } from '../support/evolve.js';
import type { TestDatabase } from '../support/databases.js';

/** Run SQL with foreign keys enforced (SQLite enforces them per connection only when asked). */
const enforced = (db: TestDatabase, sql: string): Promise<void> => db.exec(db.dialect === 'sqlite' ? `PRAGMA foreign_keys = ON; ${sql}` : sql);

function company(): Table[] {
  const department = table('department', {
    id: integer().primaryKey({ autoIncrement: true }),
    name: varchar(50).notNull(),
    head_id: integer().references(() => employee.columns.id, { onDelete: 'set null' }), // a cycle
  });
  const employee: Table = table('employee', {
    id: integer().primaryKey({ autoIncrement: true }),
    name: text().notNull(),
    department_id: integer().references(() => department.columns.id, { onDelete: 'cascade' }),
    manager_id: integer().references(() => employee.columns.id), // a self-reference
  });
  const badge = table('badge', {
    dept: integer().notNull(),
    num: integer().notNull(),
    holder: integer().references(() => employee.columns.id, { onDelete: 'restrict', onUpdate: 'cascade' }),
  }, { primaryKey: ['dept', 'num'] });
  const loan = table('loan', {
    id: integer().primaryKey(),
    dept: integer().notNull(),
    num: integer().notNull(),
  }, { foreignKeys: [{ columns: ['dept', 'num'], references: () => [badge.columns.dept, badge.columns.num], onDelete: 'cascade' }] });
  return [department, employee, badge, loan];
}

forEachDialect('foreign keys and many-to-many', (d) => {
  it('creates single, composite, self and cyclic foreign keys with no false diff; actions work', (t) => withDb(t, d, async (db) => {
    await evolveTo(db, company());
    await enforced(db, "INSERT INTO department (id, name) VALUES (1, 'ops'); INSERT INTO employee (id, name, department_id) VALUES (1, 'ann', 1), (2, 'bob', 1); UPDATE employee SET manager_id = 1 WHERE id = 2; UPDATE department SET head_id = 1 WHERE id = 1; INSERT INTO badge (dept, num, holder) VALUES (1, 1, 2); INSERT INTO loan (id, dept, num) VALUES (1, 1, 1)");
    await assert.rejects(enforced(db, 'INSERT INTO employee (id, name, department_id) VALUES (3, \'cy\', 99)'), 'the foreign key is enforced');
    await assert.rejects(enforced(db, 'DELETE FROM employee WHERE id = 2'), 'restrict holds');
    await enforced(db, 'DELETE FROM badge WHERE dept = 1');
    assert.deepEqual(await rows(db, 'SELECT count(*) AS n FROM loan'), [{ n: '0' }], 'composite cascade');
    // (InnoDB checks NO ACTION row by row, so the self-reference is cleared first.)
    await enforced(db, 'UPDATE employee SET manager_id = NULL; DELETE FROM department WHERE id = 1');
    assert.deepEqual(await rows(db, 'SELECT count(*) AS n FROM employee'), [{ n: '0' }], 'cascade');
  }));

  it('drops a referenced table and a referenced column, constraints first', (t) => withDb(t, d, async (db) => {
    const parent = table('parent', { id: integer().primaryKey(), code: varchar(10).notNull().unique() });
    const child = table('child', { id: integer().primaryKey(), parent_id: integer().references(() => parent.columns.id), code: varchar(10).references(() => parent.columns.code) });
    await evolveTo(db, [parent, child]);
    await enforced(db, "INSERT INTO parent (id, code) VALUES (1, 'a'); INSERT INTO child (id, parent_id, code) VALUES (1, 1, 'a')");
    const child2 = table('child', { id: integer().primaryKey(), parent_id: integer().references(() => parent.columns.id) });
    const parent2 = table('parent', { id: integer().primaryKey() });
    await evolveTo(db, [parent2, child2], { allowDataLoss: true });
    await evolveTo(db, [table('child', { id: integer().primaryKey(), parent_id: integer() })], { allowDataLoss: true });
    assert.deepEqual(await rows(db, 'SELECT id, parent_id FROM child'), [{ id: '1', parent_id: '1' }]);
  }));

  it('adds a foreign key to a table with rows; refuses (and rolls back) when rows violate it', (t) => withDb(t, d, async (db) => {
    const parent = table('parent', { id: integer().primaryKey() });
    await evolveTo(db, [parent, table('child', { id: integer().primaryKey(), parent_id: integer() })]);
    await db.exec('INSERT INTO parent (id) VALUES (1); INSERT INTO child (id, parent_id) VALUES (1, 1), (2, NULL)');
    const withFk = [parent, table('child', { id: integer().primaryKey(), parent_id: integer().references(() => parent.columns.id) })];
    await evolveTo(db, withFk);
    await evolveTo(db, [parent, table('child', { id: integer().primaryKey(), parent_id: integer() })]);
    await db.exec('INSERT INTO child (id, parent_id) VALUES (3, 42)');
    // Found by the data check before anything runs (FOREIGN_KEY_VIOLATED), and consent cannot help.
    await assert.rejects(applyEvolution({ db: db.url, models: withFk, allowDataLoss: true }),
      (e: unknown) => isEvolveError(e) && e.code === 'E_DATA_LOSS' && /FOREIGN_KEY_VIOLATED child\.parent_id.*\(1 row\)/.test(e.message));
    assert.deepEqual(await rows(db, 'SELECT id FROM child ORDER BY id'), [{ id: '1' }, { id: '2' }, { id: '3' }], 'no row lost');
  }));

  it('many-to-many: creates the join table, keeps links through renames, cascades', (t) => withDb(t, d, async (db) => {
    const post = table('post', { id: integer().primaryKey({ autoIncrement: true }), title: text() });
    const tag = table('tag', { id: bigint().primaryKey({ autoIncrement: true }), label: text() });
    await evolveTo(db, [post, tag, manyToMany('post_tag', post, tag)]);
    await enforced(db, "INSERT INTO post (id, title) VALUES (1, 'a'), (2, 'b'); INSERT INTO tag (id, label) VALUES (1, 'x'), (2, 'y'); INSERT INTO post_tag (post_id, tag_id) VALUES (1, 1), (1, 2), (2, 2)");
    await assert.rejects(enforced(db, 'INSERT INTO post_tag (post_id, tag_id) VALUES (1, 1)'), 'links are unique');
    // Rename the join table (aka) and keep the column names explicitly.
    await evolveTo(db, [post, tag, manyToMany('post_tags', post, tag, { aka: 'post_tag' })]);
    assert.deepEqual(await rows(db, 'SELECT post_id, tag_id FROM post_tags ORDER BY post_id, tag_id'), [{ post_id: '1', tag_id: '1' }, { post_id: '1', tag_id: '2' }, { post_id: '2', tag_id: '2' }]);
    await enforced(db, 'DELETE FROM tag WHERE id = 2');
    assert.deepEqual(await rows(db, 'SELECT post_id, tag_id FROM post_tags'), [{ post_id: '1', tag_id: '1' }]);
    // A self-relation.
    const person = table('person', { id: integer().primaryKey(), name: text() });
    await evolveTo(db, [post, tag, manyToMany('post_tags', post, tag), person, manyToMany('friend', person, person)]);
    await enforced(db, "INSERT INTO person (id, name) VALUES (1, 'a'), (2, 'b'); INSERT INTO friend (from_person_id, to_person_id) VALUES (1, 2)");
  }));

  it('many-to-many: renaming a side model (aka) renames its join column and keeps the links', (t) => withDb(t, d, async (db) => {
    const emp = table('emp', { id: integer().primaryKey(), name: text() });
    const tag = table('tag', { id: integer().primaryKey(), name: text() });
    await evolveTo(db, [emp, tag, manyToMany('emp_tag', emp, tag)]);
    await enforced(db, "INSERT INTO emp (id, name) VALUES (1, 'ann'), (2, 'bob'); INSERT INTO tag (id, name) VALUES (1, 'x'), (2, 'y'); INSERT INTO emp_tag (emp_id, tag_id) VALUES (1, 1), (1, 2), (2, 2)");
    const label = table('label', { id: integer().primaryKey(), name: text() }, { aka: ['tag'] });
    const r = await evolveTo(db, [emp, label, manyToMany('emp_label', emp, label, { aka: 'emp_tag' })]);
    assert.deepEqual(r.renames.map((x) => `${x.kind}:${x.from}→${x.to}`).sort(), ['column:tag_id→label_id', 'table:emp_tag→emp_label', 'table:tag→label']);
    assert.deepEqual(await rows(db, 'SELECT emp_id, label_id FROM emp_label ORDER BY emp_id, label_id'), [{ emp_id: '1', label_id: '1' }, { emp_id: '1', label_id: '2' }, { emp_id: '2', label_id: '2' }]);
    await enforced(db, 'DELETE FROM label WHERE id = 2');
    assert.deepEqual(await rows(db, 'SELECT emp_id, label_id FROM emp_label'), [{ emp_id: '1', label_id: '1' }], 'the foreign key follows the renamed table');
    // A self-relation: both default columns follow; explicit column names take explicit former names.
    const person = table('person', { id: integer().primaryKey() });
    await evolveTo(db, [emp, label, manyToMany('emp_label', emp, label), person, manyToMany('friend', person, person), manyToMany('member', emp, person, { leftColumn: 'who' })]);
    await enforced(db, 'INSERT INTO person (id) VALUES (1), (2); INSERT INTO friend (from_person_id, to_person_id) VALUES (1, 2); INSERT INTO member (who, person_id) VALUES (1, 2)');
    const human = table('human', { id: integer().primaryKey() }, { aka: 'person' });
    await evolveTo(db, [emp, label, manyToMany('emp_label', emp, label), human, manyToMany('friend', human, human), manyToMany('member', emp, human, { leftColumn: 'member_emp', leftColumnAka: 'who' })]);
    assert.deepEqual(await rows(db, 'SELECT from_human_id, to_human_id FROM friend'), [{ from_human_id: '1', to_human_id: '2' }]);
    assert.deepEqual(await rows(db, 'SELECT member_emp, human_id FROM member'), [{ member_emp: '1', human_id: '2' }]);
  }));

  it('skips versions: a v1 database goes straight to v3 keeping the data v3 still has (the seed\'s example)', (t) => withDb(t, d, async (db) => {
    // v1 t1:{A}  →  v2 t2:{B,C} (A dropped, table renamed)  →  v3 t2:{A,B}.
    const v1 = [table('t1', { id: integer().primaryKey(), a: text() })];
    const v3 = [table('t2', { id: integer().primaryKey(), a: text(), b: text() }, { aka: 't1' })];
    await evolveTo(db, v1);
    await db.exec("INSERT INTO t1 (id, a) VALUES (1, 'kept')");
    const r = await evolveTo(db, v3);
    assert.deepEqual(r.renames.map((x) => `${x.kind}:${x.from}→${x.to}`), ['table:t1→t2']);
    assert.ok(!r.changes.some((c) => c.kind === 'dropColumn' || c.kind === 'dropTable'), 'nothing dropped: minimum information lost');
    assert.deepEqual(await rows(db, 'SELECT id, a, b FROM t2'), [{ id: '1', a: 'kept', b: null }]);
    // The same v3 models from a v2 database: C goes (with consent), A comes back empty.
    const other = await (await import('../support/databases.js')).freshDatabase(d);
    try {
      await evolveTo(other, [table('t2', { id: integer().primaryKey(), b: text(), c: text() })]);
      await other.exec("INSERT INTO t2 (id, b, c) VALUES (1, 'bee', 'sea')");
      await evolveTo(other, v3, { allowDataLoss: true });
      assert.deepEqual(await rows(other, 'SELECT id, a, b FROM t2'), [{ id: '1', a: null, b: 'bee' }]);
    } finally { await other.dispose(); }
  }));

  it('renames a parent table and its key column (aka) while the key and the foreign key change type', (t) => withDb(t, d, async (db) => {
    // MySQL drops the foreign key around the type change: it must come back pointing at the new names.
    const department = table('department', { id: integer().primaryKey(), name: text() });
    const employee = table('employee', { id: integer().primaryKey(), department_id: integer().references(() => department.columns.id, { onDelete: 'cascade' }) });
    await evolveTo(db, [department, employee]);
    await enforced(db, "INSERT INTO department (id, name) VALUES (1, 'ops'), (2, 'dev'); INSERT INTO employee (id, department_id) VALUES (1, 1), (2, 2)");
    const dept = table('dept', { key: bigint().primaryKey().aka('id'), name: text() }, { aka: 'department' });
    const employee2 = table('employee', { id: integer().primaryKey(), department_id: bigint().references(() => dept.columns.key, { onDelete: 'cascade' }) });
    await evolveTo(db, [dept, employee2]);
    assert.deepEqual(await rows(db, 'SELECT id, department_id FROM employee ORDER BY id'), [{ id: '1', department_id: '1' }, { id: '2', department_id: '2' }]);
    await assert.rejects(enforced(db, 'INSERT INTO employee (id, department_id) VALUES (3, 99)'), 'the restored foreign key is enforced');
    await enforced(db, 'DELETE FROM dept WHERE "key" = 1'.replace(/"/g, d === 'mysql' ? '`' : '"'));
    assert.deepEqual(await rows(db, 'SELECT id FROM employee'), [{ id: '2' }], 'and cascades from the renamed parent');
  }));
});
