/**
 * Type tests of the row types (issue 18 point 3), checked by `tsc --noEmit` (test/unit/row-types.test.ts).
 * Each `@ts-expect-error` line must be an error; the unit test also checks tsc reports them once the
 * directives are gone.
 */
import { table, integer, bigint, text, varchar, decimal, boolean, timestamp, jsonb, sql, type Row, type NewRow, type Database } from '../../src/index.js';

export const department = table('department', {
  id: integer().primaryKey({ autoIncrement: true }),
  name: varchar(100).notNull().unique(),
});
export const employee = table('employee', {
  id: bigint().identity('always'),
  name: text().notNull(),
  note: text(),
  salary: decimal(10, 2).notNull().default(0),
  active: boolean().notNull().default(true),
  created: timestamp().notNull().default(sql`CURRENT_TIMESTAMP`),
  display: text().notNull().named('display_name'),
  settings: jsonb().$type<{ theme: 'dark' | 'light' }>().notNull(),
  doubled: decimal(12, 2).generatedAs(sql`salary * 2`),
  department_id: integer().notNull().references(() => department.columns.id),
});
const models = { department, employee, helper: 42 };

// A SELECT's row: every column, NULL where the model allows it, `.named()` columns by their database name.
type Employee = Row<typeof employee>;
const e: Employee = {
  id: '1', name: 'Ann', note: null, salary: '0.00', active: true, created: new Date(), display_name: 'Ann', settings: { theme: 'dark' },
  doubled: null, department_id: 1,
};
const nullable: string | null = e.note;
const notNull: string = e.name;
// @ts-expect-error a nullable column's value may be null
const wrong: string = e.note;
// @ts-expect-error no such column
void e.nmae;
// @ts-expect-error .named() renames the column: the key is its database name
void e.display;

// An INSERT's row: NOT NULL columns without a default are required, the rest optional.
const newEmployee: NewRow<typeof employee> = { name: 'Bob', display_name: 'Bob', settings: { theme: 'light' }, department_id: 1 };
const full: NewRow<typeof employee> = { ...newEmployee, id: '7', note: 'x', salary: '10', active: false, created: new Date() };
// @ts-expect-error a NOT NULL column without a default (name) is missing
const missing: NewRow<typeof employee> = { display_name: 'Bob', settings: { theme: 'light' }, department_id: 1 };
// @ts-expect-error a wrong column name
const misspelt: NewRow<typeof employee> = { ...newEmployee, nmae: 'Bob' };
// @ts-expect-error a value of the wrong type
const mistyped: NewRow<typeof employee> = { ...newEmployee, active: 'yes' };

// The database: table name → row, the shape Kysely takes; exports that are no tables are left out.
type Db = Database<typeof models>;
const d: Db['department'] = { id: 1, name: 'Sales' };
const tables: (keyof Db)[] = ['department', 'employee'];
// @ts-expect-error only tables are in the database type
const noHelper: keyof Db = 'helper';
type FromArray = Database<[typeof department, typeof employee]>;
const viaArray: FromArray['employee']['name'] = 'x';

/** Structurally what Kysely's `Kysely<DB>` wants: an object type of tables, each an object type of columns. */
type KyselyShape<DB> = { [T in keyof DB & string]: { [C in keyof DB[T] & string]: unknown } };
const asKysely: KyselyShape<Db> = {} as Db;

export const used = [nullable, notNull, wrong, full, missing, misspelt, mistyped, d, tables, noHelper, viaArray, asKysely];
