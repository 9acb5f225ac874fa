/** Models using every DSL feature, for "no false diffs" and golden fingerprints. */
import { table, index, sql, integer, bigint, real, decimal, text, varchar, boolean, date, timestamp, json, bytes, uuid, type Table } from '../../src/index.js';

export function featureModels(): Table[] {
  const department = table('department', {
    id: integer().primaryKey({ autoIncrement: true }),
    name: varchar(100).notNull().unique(),
    budget: decimal(12, 2).notNull().default(0),
  });
  const employee = table('employee', {
    id: bigint().primaryKey({ autoIncrement: true }),
    name: text().notNull(),
    email: varchar(200),
    start_date: date(),
    salary: decimal(10, 2).notNull().default(1000.5),
    rating: real().default(2.5),
    active: boolean().notNull().default(true),
    created: timestamp().notNull().default(sql`CURRENT_TIMESTAMP`),
    seen_at: timestamp({ withTimeZone: true }),
    profile: json(),
    photo: bytes(),
    token: uuid(),
    note: varchar(20).default("it's"),
    department_id: integer().references(() => department.columns.id, { onDelete: 'cascade', onUpdate: 'no action' }),
  }, {
    unique: [['name', 'email']],
    indexes: [index('employee_name_idx').on('name'), index('employee_dept_start_idx').on('department_id', 'start_date'), index('employee_token_idx').on('token').unique()],
  });
  const membership = table('membership', {
    employee_id: bigint().notNull(),
    department_id: integer().notNull(),
    role: varchar(30).notNull().default('member'),
  }, { primaryKey: ['employee_id', 'department_id'] });
  return [department, employee, membership];
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
