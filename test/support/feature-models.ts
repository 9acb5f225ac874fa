/** Models for "no false diffs" (every DSL feature) and golden fingerprints. */
import {
  table, index, uniqueIndex, manyToMany, sql, integer, bigint, real, decimal, text, varchar, boolean, date, timestamp, json, bytes, uuid,
  column, rawType, type Table,
} from '../../src/index.js';

/**
 * Models using every DSL feature, for "no false diffs": every column type (and `column()` by
 * name, `rawType()`), lengths, precision and scale, defaults of every kind (values, `sql`
 * expressions, quotes and backslashes, the empty string), `.named()`, `.aka()`, named and
 * unnamed unique constraints and indexes (`uniqueIndex()`), composite primary and foreign keys
 * (named, with actions), self and cross references, many-to-many, and — where the dialect has
 * them — partial indexes.
 */
export function featureModels(dialect: 'sqlite' | 'postgres' | 'mysql'): Table[] {
  const department: Table = table('department', {
    id: integer().primaryKey({ autoIncrement: true }),
    name: varchar(100).notNull().unique(),
    code: column('varchar(20)').notNull().default('X-1').unique('dept_code_uq'),
    budget: decimal(12, 2).notNull().default(0),
    ratio: decimal(5).default(-3),
    parent_id: integer().references(() => department.columns.id, { onDelete: 'set null' }), // a self-reference
  }, { aka: ['dept'] });
  const employee = table('employee', {
    id: bigint().primaryKey({ autoIncrement: true }),
    name: text().notNull(),
    email: varchar(200),
    start_date: date().default(sql`current_date`).aka('hired_on'),
    salary: decimal(10, 2).notNull().default(1000.5),
    rating: real().default(2.5),
    neg: real().default(-1.25),
    active: boolean().notNull().default(true),
    off: boolean().default(sql`false`),
    created: timestamp().notNull().default(sql`CURRENT_TIMESTAMP`),
    seen_at: timestamp({ withTimeZone: true }).default(sql`CURRENT_TIMESTAMP`),
    profile: json(),
    photo: bytes(),
    token: uuid(),
    note: varchar(20).default("it's"),
    back: varchar(20).default('a\\b'),
    empty: varchar(5).default(''),
    lit: varchar(10).default(sql`'lit'`),
    big: bigint().default(9007199254740991),
    place: rawType(dialect === 'postgres' ? 'inet' : dialect === 'mysql' ? 'mediumint' : 'geometry'),
    display: text().named('display_name'),
    department_id: integer().references(() => department.columns.id, { onDelete: 'cascade', onUpdate: 'no action' }),
    dept_code: varchar(20).references(() => department.columns.code, { onDelete: 'set null', onUpdate: 'cascade' }),
  }, {
    unique: [['name', 'email'], { name: 'emp_email_dept_uq', columns: ['email', 'department_id'] }],
    indexes: [
      index('employee_name_idx').on('name'), index('employee_dept_start_idx').on('department_id', 'start_date'),
      index('employee_token_idx').on('token').unique(), uniqueIndex().on('email', 'token'), index().on('rating'),
      // Partial indexes: SQLite and PostgreSQL (MySQL/MariaDB have none).
      ...(dialect === 'mysql' ? [] : [
        index('employee_live_idx').on('name').where(sql`email IS NOT NULL`),
        index('employee_token_live_uq').on('token').unique().where(sql`active AND token IS NOT NULL`),
      ]),
    ],
  });
  const membership = table('membership', {
    employee_id: bigint().notNull(),
    department_id: integer().notNull(),
    role: varchar(30).notNull().default('member'),
  }, {
    primaryKey: ['employee_id', 'department_id'],
    foreignKeys: [{ columns: ['employee_id'], references: () => [employee.columns.id], onDelete: 'restrict' }],
  });
  const grant = table('grant_row', {
    id: integer().primaryKey(),
    emp: bigint().notNull(),
    dept: integer().notNull(),
  }, {
    foreignKeys: [{ columns: ['emp', 'dept'], references: () => [membership.columns.employee_id, membership.columns.department_id], onDelete: 'cascade', name: 'grant_membership_fk' }],
  });
  const tag = table('tag', { id: integer().primaryKey({ autoIncrement: true }), label: text() });
  return [department, employee, membership, grant, tag, manyToMany('employee_tag', employee, tag), manyToMany('tag_link', tag, tag)];
}

/** A small fixed schema for golden fingerprints. */
export function goldenModels(): Table[] {
  return [
    table('author', { id: integer().primaryKey({ autoIncrement: true }), name: varchar(80).notNull().unique(), born: date() }),
    table('book', {
      id: integer().primaryKey({ autoIncrement: true }),
      title: text().notNull(),
      price: decimal(8, 2).notNull().default(0),
      in_print: boolean().notNull().default(true),
      author_id: integer().notNull(),
    }, { indexes: [index('book_title_idx').on('title'), index('book_author_title_idx').on('author_id', 'title').unique()] }),
  ];
}
