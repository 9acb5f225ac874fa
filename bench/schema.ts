/**
 * Generated schemas: N tables of 15 columns, two indexes each, a foreign key to an earlier
 * table, and a view on every tenth table (issue 7, part 5: objects beyond tables at scale). Built as Evolve models; the DDL that creates them is the dialect's own plan from an
 * empty schema, run in batches straight through the driver (fast, and the no-op diff is exact).
 */
import {
  table, index, integer, bigint, real, decimal, text, varchar, boolean, date, timestamp,
  type Table, type ColumnBuilder, type Dialect, type SchemaIR, diffSchemas, desiredSchema,
} from '../src/index.js';

const tname = (i: number): string => `t${String(i).padStart(5, '0')}`;

/**
 * The models. `changed`: every 20th table (5%) gets an extra column and a widened varchar.
 */
export function generateModels(n: number, changed = false): Table[] {
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
    if (parent) cols.parent_id = integer().references(() => (parent.columns as Record<string, import('../src/index.js').ColumnRef>).id!);
    if (alter) cols.extra = text();
    out.push(table(name, cols, {
      indexes: [index(`${name}_code_ix`).on('code'), index(`${name}_parent_ix`).on('parent_id', 'updated')],
    }));
  }
  return out;
}

/** The statements that create `models` on `dialect` (Evolve's own plan from an empty schema). */
export function createStatements(models: readonly Table[], dialect: Dialect, options: { views?: boolean } = {}): { desired: SchemaIR; statements: string[] } {
  const desired = desiredSchema(models, dialect);
  const empty: SchemaIR = { dialect: dialect.name, tables: [] };
  const plan = dialect.plan(diffSchemas(empty, desired));
  const statements = plan.statements.map((s) => s.sql).filter((s) => !/^\s*(BEGIN|COMMIT)\b/i.test(s));
  return { desired, statements: options.views ? [...statements, ...viewStatements(models.length, dialect)] : statements };
}

/** Views the models cannot state (they are kept by the plan and fingerprinted): one per ten tables. */
export function viewStatements(n: number, dialect: Dialect): string[] {
  const q = dialect.sql.ident;
  const out: string[] = [];
  for (let i = 0; i < n; i += 10) {
    const t = tname(i);
    out.push(`CREATE VIEW ${q(`v_${t}`)} AS SELECT ${q('id')}, ${q('code')}, ${q('name')} FROM ${q(t)} WHERE ${q('qty')} > 0`);
  }
  return out;
}
