/**
 * `evolve pull`: a live database's schema as a models module (B7, issue 18 point 2). The
 * database is introspected as `evolve fingerprint` reads it, and the IR is emitted as the
 * models DSL a person would write (`emit-table.ts`); what the DSL cannot state is listed by
 * name. Writing the files is the CLI's business (`src/cli/commands/pull.ts`).
 */
import { describeUnmanaged, type SchemaIR } from '../ir/schema.js';
import { fingerprint } from '../ir/fingerprint.js';
import { isEvolveTable } from '../ir/canonical.js';
import { EvolveError, ErrorCode } from '../errors.js';
import { withDatabase, type DatabaseOptions } from '../database/database.js';
import { emitModels, type EmitOptions, type EmittedFile } from './emit-module.js';

/** Where pulled models go: one module (`file`, its path as written in the result), or one per table (`dir`). */
export type PullLayout = { readonly kind: 'file'; readonly file: string } | { readonly kind: 'dir' };

/** What {@link pullModels} and {@link pullSchema} give. */
export interface PullResult {
  readonly dialect: string;
  /** The pulled database's fingerprint (the models' own, where nothing is listed as not expressible). */
  readonly fingerprint: string;
  readonly tables: number;
  readonly columns: number;
  /** The modules, with paths relative to the output (`models.ts`; `employee.ts`, …, `index.ts`). */
  readonly files: readonly EmittedFile[];
  /** What the models cannot state yet, by name: kept by the database, adopted by apply, never silently dropped. */
  readonly notExpressible: readonly string[];
  /** Those of them `apply` does not adopt: applying the models to the pulled database would change them (add them by hand). */
  readonly notAdopted: readonly string[];
  /** What the database holds that Evolve does not manage at all (as `evolve fingerprint` reports it). */
  readonly unmanaged: readonly string[];
}

/**
 * Emit an (introspected) schema as models. Pure: no database. `options`: what its dialect allows
 * (its `capabilities`: MySQL's index names per table).
 * @throws EvolveError `E_USAGE` when the schema has no tables (a models module needs one).
 */
export function pullSchema(schema: SchemaIR, layout: PullLayout, options: EmitOptions = {}): PullResult {
  const tables = schema.tables.filter((t) => !isEvolveTable(t.name));
  if (tables.length === 0) {
    throw new EvolveError(ErrorCode.Usage, 'The database has no tables to pull.', {
      hint: 'Point --db at the database holding the schema (and --schema at its PostgreSQL schema), or start with evolve init.',
    });
  }
  const objects = (schema.objects ?? []).filter((o) => !(o.table && isEvolveTable(o.table)));
  const emitted = emitModels({ ...schema, tables, objects }, layout, options);
  return {
    dialect: schema.dialect, fingerprint: fingerprint(schema), tables: tables.length,
    columns: tables.reduce((n, t) => n + t.columns.length, 0),
    files: emitted.files, notExpressible: emitted.notExpressible, notAdopted: emitted.notAdopted, unmanaged: (schema.unmanaged ?? []).map(describeUnmanaged),
  };
}

/**
 * Pull the schema of the database at `db` as models.
 *
 * @example
 * ```ts
 * const r = await pullModels('postgres://localhost/app', { kind: 'file', file: 'models.ts' });
 * writeFileSync('src/models.ts', r.files[0].text); // r.notExpressible lists what it leaves to the database
 * ```
 */
export async function pullModels(db: string, layout: PullLayout, options: DatabaseOptions = {}): Promise<PullResult> {
  return withDatabase(db, true, options, async (d) => {
    const caps = d.dialect.capabilities;
    return pullSchema(await d.introspect(), layout, caps.nativeTypeDefaults ? { ...caps, nativeType: (t) => d.dialect.sql.type(t) } : caps);
  });
}
