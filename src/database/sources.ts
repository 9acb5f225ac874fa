/**
 * Where a desired schema comes from: a models module, tables given as values, or a SQL file
 * of CREATE statements (B13). A SQL file is normalised the way Atlas and Skeema do it: the
 * dialect loads it into a scratch database of its own kind and introspects it, so the database
 * itself parses it (`Dialect.schemaFromSql`; each dialect's `scratch.ts` says where). Former
 * names come from comments: `-- evolve:aka old_name` on a CREATE TABLE line, a column's line
 * or (PostgreSQL) an enum value's line. Adoption of what models cannot state is in `adopt.ts`.
 */
import { readFileSync, existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { Table } from '../model/table.js';
import { drizzleOf, loadModelsModule, withDrizzle } from '../model/load.js';
import { isDrizzleModels, type DrizzleModels } from '../model/drizzle/detect.js';
import { isModelObject, type ModelObject } from '../model/objects.js';
import { compiledKey, readCompiled, writeCompiled } from '../model/compiled-cache.js';
import { cacheConfig } from '../model/ts-loader.js';
import { BUILT_IN_DIALECTS } from '../dialects/built-in.js';
import type { Dialect } from '../dialects/dialect.js';
import { parseDatabaseUrl, type DatabaseUrl } from '../dialects/url.js';
import type { SchemaIR } from '../ir/schema.js';
import { assertNamesPrintable } from '../ir/names.js';
import { EvolveError, ErrorCode } from '../errors.js';
export { adoptUnmodelled, unmanagedOnlyInFile } from './adopt.js';
export { akaFromSql } from '../dialects/shared/sql-aka.js';
export { scratchName, scratchBorn, SCRATCH_STALE_MS } from '../dialects/shared/sql-file.js';

/**
 * Models: a path to a models module or a `.sql` file, the tables (and schema objects: views,
 * triggers, …) themselves, or a Drizzle schema (`drizzleModels(schema, { aka })`).
 */
export type ModelsInput = string | readonly (Table | ModelObject)[] | DrizzleModels;

/** A loaded desired-state source. */
export type Desired =
  /** `ignored`: what the models module exports beside its tables, ignored (said in the report). */
  | {
    readonly kind: 'models'; readonly tables: readonly Table[]; readonly objects?: readonly ModelObject[];
    readonly ignored?: readonly string[]; readonly path?: string;
    /** The dialects the models are for, where they say (a Drizzle schema's); absent: any. */
    readonly dialects?: readonly string[];
    /** Where the compiled schema is kept for the next command (model/compiled-cache.ts): its key and dialect. */
    readonly keep?: { readonly key: string; readonly dialect: string };
  }
  /** A models module's schema as an earlier command compiled it for `dialect` (model/compiled-cache.ts): the module did not run. */
  | { readonly kind: 'compiled'; readonly path: string; readonly dialect: string; readonly schema: SchemaIR; readonly ignored: readonly string[] }
  | { readonly kind: 'sql'; readonly path: string; readonly text: string };

/** True for a path that names a SQL file. */
export const isSqlPath = (p: string): boolean => /\.sql$/i.test(p);

/**
 * Load a desired-state source (a SQL file is only read here; it is parsed by a database). With
 * `dialect` (the database's, when the command knows it), a models module whose schema for that
 * dialect an earlier command kept is not run (see model/compiled-cache.ts).
 */
export async function loadDesired(input: ModelsInput, options: { readonly dialect?: string } = {}): Promise<Desired> {
  if (isDrizzleModels(input)) {
    const { tables, objects, dialects } = await withDrizzle({ tables: [], objects: [], ignored: [] }, drizzleOf({ models: input }, 'drizzleModels()'), null);
    return { kind: 'models', tables, ...(objects.length ? { objects } : {}), ...(dialects ? { dialects } : {}) };
  }
  if (typeof input !== 'string') {
    const objects = input.filter(isModelObject);
    return { kind: 'models', tables: input.filter((m): m is Table => !isModelObject(m)), ...(objects.length ? { objects } : {}) };
  }
  if (!isSqlPath(input)) {
    // Built-in dialects only: a dialect a program registers may compile otherwise from one version of that program to the next.
    const dialect = BUILT_IN_DIALECTS.some((r) => r.name === options.dialect) ? options.dialect : undefined;
    const key = dialect ? await compiledKey(resolve(input), dialect, cacheConfig()) : null;
    const kept = key ? readCompiled(cacheConfig(), key) : null;
    if (dialect && kept) return { kind: 'compiled', path: input, dialect, schema: kept.schema, ignored: kept.ignored };
    return { kind: 'models', path: input, ...await loadModelsModule(input), ...(dialect && key ? { keep: { key, dialect } } : {}) };
  }
  if (!existsSync(input)) {
    throw new EvolveError(ErrorCode.ModelsLoad, `Schema file '${input}' does not exist.`, {
      hint: 'Pass --models PATH to a .sql file of CREATE statements, or to a models module.',
    });
  }
  return { kind: 'sql', path: input, text: readFileSync(input, 'utf8') };
}

/**
 * The desired schema as `dialect` reports it: models compiled, normalised and checked against
 * the database `near` (null: no database to check against); a SQL file loaded into the
 * dialect's scratch beside `near`, or where it needs no server.
 * @throws EvolveError `E_USAGE` for a SQL file with no place to parse it.
 */
export async function desiredOn(dialect: Dialect, near: DatabaseUrl | null, desired: Desired): Promise<SchemaIR> {
  if (desired.kind === 'compiled') {
    // Kept for another dialect than the database's (a URL that named one, a database of another): compiled here.
    if (desired.dialect !== dialect.name) return desiredOn(dialect, near, await loadDesired(desired.path));
    if (near) dialect.checkModels(desired.schema, near);
    return desired.schema;
  }
  if (desired.kind === 'models') {
    if (desired.dialects && !desired.dialects.includes(dialect.name)) {
      throw new EvolveError(ErrorCode.ModelInvalid, `The models${desired.path ? ` of '${desired.path}'` : ''} are Drizzle tables for ${desired.dialects[0]}, `
        + `not for ${dialect.name}.`, {
        hint: `Give a ${desired.dialects[0]} database, or a Drizzle schema of ${dialect.name} tables (pgTable, mysqlTable, sqliteTable).`,
        details: { for: desired.dialects[0], dialect: dialect.name },
      });
    }
    // The compiler's modules load here: a command that read the models' schema kept (above) needs none of them.
    const [{ compileModels }, { checkIdentifierLengths }, { withModelObjects }] = await Promise.all([
      import('../model/compile.js'), import('../model/identifier-length.js'), import('./model-objects.js'),
    ]);
    const compiled = compileModels([...desired.tables, ...desired.objects ?? []], dialect.name, dialect.capabilities);
    // Before normalising: the dialect cuts long names there as its database would.
    checkIdentifierLengths(compiled, dialect.capabilities.maxIdentifierLength, dialect.capabilities.schemas, dialect.name);
    const schema = dialect.normalise(compiled);
    if (near) dialect.checkModels(schema, near);
    const withObjects = await withModelObjects(dialect, near, schema, desired.tables, desired.objects ?? []);
    // Kept only when no database took part (models with objects are read back from a scratch database).
    if (desired.keep && desired.keep.dialect === dialect.name && withObjects === schema) {
      writeCompiled(cacheConfig(), desired.keep.key, { schema, ignored: desired.ignored ?? [] });
    }
    return withObjects;
  }
  const scratch = near ?? (dialect.localScratch === null ? null : parseDatabaseUrl(dialect.localScratch));
  if (!scratch) {
    throw new EvolveError(ErrorCode.Usage, `SQL file '${desired.path}' needs a ${dialect.name} server to parse it.`, {
      hint: `Give a ${dialect.name} database (--db URL, or --scratch URL for evolve diff): the file is loaded into a scratch database there and dropped.`,
    });
  }
  const schema = await dialect.schemaFromSql(scratch, desired.text, desired.path);
  assertNamesPrintable(schema, `SQL file '${desired.path}'`);
  return schema;
}

/**
 * Load SQL `text` into a scratch database of `dialect` beside `near` and introspect it.
 * @throws EvolveError `E_SQL_FAILED` naming the statement the database rejected.
 */
export function schemaFromSql(dialect: Dialect, near: DatabaseUrl, text: string, file = 'schema.sql'): Promise<SchemaIR> {
  return dialect.schemaFromSql(near, text, file);
}

/** What a models module exports beside its tables, as report notes ("export 'x' of models.ts: not a table(), ignored"). */
export function ignoredNotes(desired: Desired): string[] {
  if (desired.kind === 'sql' || !desired.ignored?.length) return [];
  const file = desired.path ? basename(desired.path) : 'the models module';
  return desired.ignored.map((name) => `export '${name}' of ${file} (not a table(): ignored)`);
}
