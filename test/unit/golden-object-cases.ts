/**
 * Golden cases with objects beyond tables (see test/unit/golden-cases.ts). Objects carry their
 * own dialect SQL, so each is written here as that dialect's introspector reports it: SQLite
 * keeps the CREATE text it was given and has no in-place form; PostgreSQL and MySQL spell
 * their own definitions, and MySQL views (PostgreSQL enums, functions) can be replaced in place.
 */
import type { DialectName, ObjectIR } from '../../src/ir/schema.js';
import { author, book, col, desired, live, NOT_NULL, pk, raw, serialId, tbl, varchar, type GoldenCase } from './golden-ir.js';

/** The view `author_names`: `SELECT <columns> FROM author`. */
function view(d: DialectName, columns: readonly string[]): ObjectIR {
  const name = 'author_names';
  if (d === 'sqlite') {
    const sql = `CREATE VIEW author_names AS SELECT ${columns.join(', ')} FROM author`;
    return { kind: 'view', name, table: null, definition: sql, create: [sql], drop: ['DROP VIEW "author_names"'] };
  }
  if (d === 'postgres') {
    const body = `SELECT ${columns.map((c) => `author.${c}`).join(',\n    ')}\n   FROM author`;
    return { kind: 'view', name, table: null, definition: body, create: [`CREATE VIEW "author_names" AS\n${body}`], drop: ['DROP VIEW "author_names"'], dependsOn: ['table:author'] };
  }
  const body = `select ${columns.map((c) => `\`author\`.\`${c}\` AS \`${c}\``).join(',')} from \`author\``;
  return { kind: 'view', name, table: null, definition: body, create: [`CREATE VIEW \`author_names\` AS ${body}`], drop: ['DROP VIEW `author_names`'], replace: [`CREATE OR REPLACE VIEW \`author_names\` AS ${body}`] };
}

const TOUCH_BODY = 'UPDATE author SET name = name WHERE id = NEW.author_id';

/** A PostgreSQL plpgsql function `name()` as pg_get_functiondef prints it. */
function pgFunction(name: string, returns: string, body: string): ObjectIR {
  const def = `CREATE OR REPLACE FUNCTION ${name}()\n RETURNS ${returns}\n LANGUAGE plpgsql\nAS $function$ ${body} $function$`;
  const create = ['SET LOCAL check_function_bodies TO off', def];
  return { kind: 'function', name: `${name}()`, table: null, definition: def, create, drop: [`DROP FUNCTION "${name}"()`], replace: create };
}

/** The trigger `book_touch` (AFTER INSERT ON book), with the function it runs on PostgreSQL. */
function trigger(d: DialectName): ObjectIR[] {
  if (d === 'sqlite') {
    const sql = `CREATE TRIGGER book_touch AFTER INSERT ON book BEGIN ${TOUCH_BODY}; END`;
    return [{ kind: 'trigger', name: 'book_touch', table: 'book', definition: sql, create: [sql], drop: ['DROP TRIGGER "book_touch"'] }];
  }
  if (d === 'postgres') {
    const def = 'CREATE TRIGGER book_touch AFTER INSERT ON book FOR EACH ROW EXECUTE FUNCTION touch_author()';
    return [
      pgFunction('touch_author', 'trigger', `BEGIN ${TOUCH_BODY}; RETURN NEW; END`),
      { kind: 'trigger', name: 'book.book_touch', table: 'book', definition: def, create: [def], drop: ['DROP TRIGGER "book_touch" ON "book"'], dependsOn: ['function:touch_author()'] },
    ];
  }
  return [{
    kind: 'trigger', name: 'book_touch', table: 'book', definition: `AFTER INSERT FOR EACH ROW ${TOUCH_BODY}`,
    create: [`CREATE TRIGGER \`book_touch\` AFTER INSERT ON \`book\` FOR EACH ROW ${TOUCH_BODY}`], drop: ['DROP TRIGGER `book_touch`'],
  }];
}

/** A PostgreSQL enum type as introspected (its `replace` is the introspector's; the planner computes its own). */
function pgEnum(name: string, labels: readonly string[]): ObjectIR {
  const lit = (l: string): string => `'${l}'`;
  return {
    kind: 'enum', name, table: null, definition: JSON.stringify(labels),
    create: [`CREATE TYPE "${name}" AS ENUM (${labels.map(lit).join(', ')})`], drop: [`DROP TYPE "${name}"`],
    replace: labels.map((l, i) => `ALTER TYPE "${name}" ADD VALUE IF NOT EXISTS ${lit(l)}${i > 0 ? ` AFTER ${lit(labels[i - 1]!)}` : labels.length > 1 ? ` BEFORE ${lit(labels[1]!)}` : ''}`),
  };
}

const person = (): ReturnType<typeof tbl> => tbl('person', [serialId(), col('mood', raw('mood'))], pk('id'));

/** A case on the two tables author and book, with objects on either side. */
function withObjects(name: string, about: string, from: (d: DialectName) => ObjectIR[], to: (d: DialectName) => ObjectIR[], more: Partial<GoldenCase> = {}): GoldenCase {
  return { name, about, ...more, build: (d) => ({ from: live(d, [author(), book()], from(d)), to: desired(d, [author(), book()], to(d)) }) };
}

const PG: readonly DialectName[] = ['postgres'];
const PG_ONLY = '(PostgreSQL only: SQLite and MySQL have no such object)';

export const OBJECT_CASES: GoldenCase[] = [
  withObjects('create-objects', 'a view and a trigger created (PostgreSQL: and the trigger\'s function, before the tables)',
    () => [], (d) => [view(d, ['name']), ...trigger(d)]),
  withObjects('drop-objects', 'a view and a trigger dropped (dependents first)',
    (d) => [view(d, ['name']), ...trigger(d)], () => []),
  withObjects('change-view', 'a view\'s definition changes: replaced in place where the dialect can (MySQL), else dropped and created',
    (d) => [view(d, ['name'])], (d) => [view(d, ['id', 'name'])]),
  {
    name: 'view-follows-table-change',
    about: 'a column a view reads changes type: the unchanged view is dropped first and created again last (PostgreSQL refuses the type change under it; SQLite rebuilds the table); MySQL keeps it, a view\'s text being resolved at each use',
    build: (d) => ({
      from: live(d, [author()], [view(d, ['name'])]),
      to: desired(d, [{ ...author(), columns: [serialId(), col('name', varchar(200), NOT_NULL)] }], [view(d, ['name'])]),
    }),
  },
  {
    name: 'trigger-follows-column-type',
    about: 'a column of a table with a trigger changes type: MySQL keeps the trigger (its body is resolved at each use); PostgreSQL drops and creates it around the change (a trigger\'s WHEN or UPDATE OF may name the column, which blocks a type change), as SQLite\'s rebuild does',
    build: (d) => ({
      from: live(d, [author(), book()], trigger(d)),
      to: desired(d, [author(), { ...book(), columns: book().columns.map((c) => c.name === 'title' ? col('title', varchar(300), NOT_NULL) : c) }], trigger(d)),
    }),
  },
  {
    name: 'prefix-index-follows-column-type', about: 'a column with a prefix index (an object on MySQL) changes type: the index is dropped and created again with it (MySQL only)', dialects: ['mysql'],
    build: (d) => {
      const ix: ObjectIR = {
        kind: 'index', name: 'author.author_name_prefix', table: 'author', definition: 'index(`name`(10))',
        create: ['ALTER TABLE `author` ADD INDEX `author_name_prefix` (`name`(10))'], drop: ['ALTER TABLE `author` DROP INDEX `author_name_prefix`'],
      };
      return {
        from: live(d, [author()], [ix]),
        to: desired(d, [{ ...author(), columns: [serialId(), col('name', varchar(200), NOT_NULL)] }], [ix]),
      };
    },
  },
  {
    name: 'add-column-beside-view',
    about: 'a column added to a table a view reads: PostgreSQL and MySQL keep the view; SQLite recreates it',
    build: (d) => ({ from: live(d, [author()], [view(d, ['name'])]), to: desired(d, [author([col('born', 'date')])], [view(d, ['name'])]) }),
  },
  {
    name: 'create-enum-with-table', about: `an enum type created before the table that uses it ${PG_ONLY}`, dialects: PG,
    build: (d) => ({ from: live(d, []), to: desired(d, [person()], [pgEnum('mood', ['sad', 'ok', 'happy'])]) }),
  },
  {
    name: 'drop-enum-with-table', about: `an enum type dropped after the table that used it ${PG_ONLY}`, dialects: PG,
    build: (d) => ({ from: live(d, [person()], [pgEnum('mood', ['sad', 'ok', 'happy'])]), to: desired(d, []) }),
  },
  {
    name: 'enum-add-value', about: `a value added to an enum in place, committed before the plan's transaction ${PG_ONLY}`, dialects: PG,
    build: (d) => ({ from: live(d, [person()], [pgEnum('mood', ['sad', 'happy'])]), to: desired(d, [person()], [pgEnum('mood', ['sad', 'ok', 'happy'])]) }),
  },
  {
    name: 'enum-remove-value', about: `a value removed from an enum: refused with a hazard, no SQL ${PG_ONLY}`, dialects: PG,
    build: (d) => ({ from: live(d, [person()], [pgEnum('mood', ['sad', 'ok', 'happy'])]), to: desired(d, [person()], [pgEnum('mood', ['sad', 'happy'])]) }),
  },
  {
    name: 'function-body-changes', about: `a function's body changes, its return type does not: CREATE OR REPLACE ${PG_ONLY}`, dialects: PG,
    build: (d) => ({
      from: live(d, [], [pgFunction('answer', 'integer', 'BEGIN RETURN 41; END')]),
      to: desired(d, [], [pgFunction('answer', 'integer', 'BEGIN RETURN 42; END')]),
    }),
  },
  {
    name: 'function-return-type-changes', about: `a function's return type changes: dropped and created ${PG_ONLY}`, dialects: PG,
    build: (d) => ({
      from: live(d, [], [pgFunction('answer', 'integer', 'BEGIN RETURN 42; END')]),
      to: desired(d, [], [pgFunction('answer', 'bigint', 'BEGIN RETURN 42; END')]),
    }),
  },
];
