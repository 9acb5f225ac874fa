/**
 * Generated schemas: N tables of 15 columns, two indexes each, a foreign key to an earlier
 * table, and a view on every tenth table (issue 7, part 5: objects beyond tables at scale). Built as Evolve models; the DDL that creates them is the dialect's own plan from an
 * empty schema, run in batches straight through the driver (fast, and the no-op diff is exact).
 */
import * as evolve from '../dist/index.js';
import { type Table, type Dialect, type SchemaIR, diffSchemas, desiredSchema } from '../dist/index.js';
import { generateModelsWith, tname } from './models.js';

/** The models, built with the library the bench measures (dist/). `changed`: every 20th table (5%) gets an extra column and a widened varchar. */
export function generateModels(n: number, changed = false): Table[] {
  return generateModelsWith(evolve, n, changed);
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
