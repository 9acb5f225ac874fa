/** What the Dejavu-way use cases share: their options, the numbered steps and models they load, and creating missing tables. */
import type { Table } from '../model/table.js';
import { objectKey, type SchemaIR, type TableIR } from '../ir/schema.js';
import { isEvolveTable } from '../ir/canonical.js';
import { fingerprint } from '../ir/fingerprint.js';
import type { DatabaseOptions, OpenDatabase } from '../database/database.js';
import { desiredOn, isSqlPath, loadDesired, type Desired } from '../database/sources.js';
import { runPlan } from '../database/run-plan.js';
import { EvolveError, ErrorCode } from '../errors.js';
import { describeHazard } from '../plan/describe.js';
import { recordNames, type DeploymentOptions, type RecordNames } from '../deploy/record.js';
import { isVersioned, type Versioned } from '../deploy/versioned.js';
import { loadSteps } from '../deploy/steps-module.js';
import { intersectScopes, assertInScope } from '../database/scope.js';

/** Options of the deployment calls. */
export interface DeployOptions extends DatabaseOptions, DeploymentOptions {
  /** Database URL. */
  readonly db: string;
  /** The models (a module path, a `.sql` file or the tables): tables a fresh install or `install` creates. */
  readonly models?: string | readonly Table[];
  /** The numbered steps: a `versioned()` definition or the path of a module exporting one. Default: the models module. */
  readonly steps?: Versioned | string;
  /** Stored evolutions directory: `check` without numbered steps compares with its latest known fingerprint. */
  readonly evolutions?: string;
}

export const userTables = (s: SchemaIR): TableIR[] => s.tables.filter((t) => !isEvolveTable(t.name));


export async function resolveSteps(options: DeployOptions): Promise<Versioned> {
  if (options.steps !== undefined) return isVersioned(options.steps) ? options.steps : loadSteps(options.steps);
  if (typeof options.models === 'string' && !isSqlPath(options.models)) return loadSteps(options.models);
  if (typeof options.models === 'string') {
    throw new EvolveError(ErrorCode.StepsInvalid, `No numbered steps given: SQL file '${options.models}' cannot define them.`, {
      hint: 'Pass --steps PATH to a module exporting `schema = versioned({ ... })` beside --models FILE.sql.',
    });
  }
  throw new EvolveError(ErrorCode.StepsInvalid, 'No numbered steps given.', {
    hint: 'Pass --steps PATH (or --models PATH to a module that also exports `schema = versioned({ ... })`).',
  });
}

/** The models given, loaded (a SQL file is only read: {@link deploySchema} parses it); null for none. */
export async function deployModels(models: DeployOptions['models']): Promise<Desired | null> {
  if (models === undefined) return null;
  const desired = await loadDesired(models);
  return desired.kind === 'models' && desired.tables.length === 0 ? null : desired;
}

/**
 * The desired schema of `models` on `d` (a SQL file loaded into its scratch), checked
 * against the scope before anything is created; null for no models.
 */
export async function deploySchema(d: OpenDatabase, models: Desired | null): Promise<SchemaIR | null> {
  if (!models) return null;
  const desired = await desiredOn(d.dialect, d.scratch, models);
  assertInScope(desired, d.scope);
  return desired;
}

export const recordNamesOf = (options: DeployOptions, v: Versioned | null): RecordNames => recordNames({ ...options, app: options.app ?? v?.id });

/** The options limited to the application's own tables (`versioned({ tables | prefix })`). */
export const scoped = <O extends DeployOptions>(options: O, v: Versioned | null): O =>
  (v?.scope ? { ...options, tableScope: intersectScopes(options.tableScope ?? null, v.scope) } : options);

/**
 * Create every table of `desired` (see {@link deploySchema}) that the database lacks (by name
 * or former name), with the objects it holds that the database lacks (a SQL file's types,
 * functions, views; none tied to an existing table), in one transaction where the dialect
 * allows. Existing tables are never touched.
 */
export async function createMissing(d: OpenDatabase, desired: SchemaIR | null): Promise<string[]> {
  if (!desired) return [];
  const live = await d.introspect();
  const present = new Set(userTables(live).map((t) => t.name));
  const missing = desired.tables.filter((t) => !present.has(t.name) && !(t.aka ?? []).some((a) => present.has(a)));
  if (missing.length === 0) return [];
  const liveObjects = new Set((live.objects ?? []).map(objectKey));
  const objects = (desired.objects ?? []).filter((o) => !liveObjects.has(objectKey(o)) && !(o.table !== null && present.has(o.table)));
  const target: SchemaIR = {
    ...live, tables: [...userTables(live), ...missing.map((t) => ({ ...t, aka: [] }))],
    ...(objects.length ? { objects: [...(live.objects ?? []), ...objects] } : {}),
  };
  const plan = d.dialect.plan(d.dialect.diff(live, target));
  // Creating tables loses nothing; an error hazard here is a table the database cannot hold as
  // asked (a Galera cluster: one without a primary key).
  const refused = plan.hazards.filter((h) => h.severity === 'error' && !h.allowable);
  if (refused.length) {
    throw new EvolveError(ErrorCode.Unsupported,
      `Refusing to create the missing tables on ${d.url.display}; nothing was changed:\n${refused.map((h) => `  - ${describeHazard(h)}`).join('\n')}`, {
        hint: refused.map((h) => h.fix).join(' '),
        details: { hazards: refused },
      });
  }
  await runPlan(d, plan);
  return missing.map((t) => t.name);
}

export function unversioned(app: string, tables: number): EvolveError {
  return new EvolveError(ErrorCode.Unversioned,
    `This database has ${tables} table(s) but no deployment record for '${app}': its schema version cannot be determined.`, {
      hint: 'If it holds the latest schema, install the record with `evolve baseline LATEST`; ' +
        'if it was deployed before versioning was added, baseline the version it really has (e.g. `evolve baseline 0`) and then upgrade.',
      details: { app },
    });
}
