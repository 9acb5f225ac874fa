/**
 * The generated models of the plan benchmark (see schema.ts). No runtime import: the builders are
 * passed in, so the bench process and a CLI process that loads these models as a user's models
 * module (drizzle.ts) each build them with their own copy of the library.
 */
import type * as evolve from '../dist/index.js';
import type { Table, ColumnBuilder, ColumnRef } from '../dist/index.js';

/** The model builders used. */
export type ModelLibrary = Pick<typeof evolve, 'table' | 'index' | 'integer' | 'bigint' | 'real' | 'decimal' | 'text' | 'varchar' | 'boolean' | 'date' | 'timestamp'>;

export const tname = (i: number): string => `t${String(i).padStart(5, '0')}`;

/**
 * The models. `changed`: every 20th table (5%) gets an extra column and a widened varchar.
 */
export function generateModelsWith(lib: ModelLibrary, n: number, changed = false): Table[] {
  const { table, index, integer, bigint, real, decimal, text, varchar, boolean, date, timestamp } = lib;
  const out: Table[] = [];
  for (let i = 0; i < n; i++) {
    const name = tname(i);
    const alter = changed && i % 20 === 0;
    const parent = i > 0 ? out[Math.floor(i / 2)]! : null; // an earlier table
    const cols: Record<string, ColumnBuilder> = {
      id: integer().primaryKey(),
      parent_id: integer(),
      code: varchar(alter ? 80 : 40).notNull(),
      name: text().notNull(),
      qty: integer().notNull().default(0),
      total: bigint(),
      price: decimal(10, 2),
      ratio: real(),
      active: boolean().notNull().default(true),
      born: date(),
      updated: timestamp(),
      note: text(),
      label: varchar(100),
      score: integer(),
      flags: integer().notNull().default(1),
    };
    if (parent) cols.parent_id = integer().references(() => (parent.columns as Record<string, ColumnRef>).id!);
    if (alter) cols.extra = text();
    out.push(table(name, cols, {
      indexes: [index(`${name}_code_ix`).on('code'), index(`${name}_parent_ix`).on('parent_id', 'updated')],
    }));
  }
  return out;
}

