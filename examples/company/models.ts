// The example application of the README's quick start: a small company database.
import { table, index, sql, integer, decimal, text, varchar, date, timestamp, boolean } from 'evolve';

export const department = table('department', {
  id: integer().primaryKey({ autoIncrement: true }),
  name: varchar(100).notNull().unique(),
});

export const employee = table('employee', {
  id: integer().primaryKey({ autoIncrement: true }),
  name: text().notNull(),
  start_date: date(),
  salary: decimal(10, 2).notNull().default(0),
  active: boolean().notNull().default(true),
  created: timestamp().notNull().default(sql`CURRENT_TIMESTAMP`),
  department_id: integer().references(() => department.columns.id, { onDelete: 'cascade' }),
}, {
  indexes: [index('employee_name_idx').on('name')],
});
