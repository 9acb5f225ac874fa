/**
 * Numbered upgrade steps in TypeScript (the Dejavu way): a schema definition with an id, the
 * latest version, and one step per version, each given the operations API.
 *
 * @example
 * ```ts
 * export const schema = versioned({
 *   id: 'myapp',
 *   prefix: 'myapp_',      // its own tables (or tables: ['person', 'city']): a shared database is safe
 *   latest: 2,
 *   steps: {
 *     1: async (ops) => { await ops.addColumn('person', 'age', integer().notNull().default(0)); },
 *     2: async (ops) => { await ops.renameColumn('person', 'name', 'full_name'); },
 *   },
 * });
 * ```
 */
import { EvolveError, ErrorCode } from '../errors.js';
import type { Operations } from '../database/operations.js';
import { tableScope, type TableScope } from '../database/scope.js';

/** One numbered step: brings the schema from version N−1 to N. */
export type UpgradeStep = (ops: Operations) => Promise<void> | void;

/** What {@link versioned} takes. */
export interface VersionedDefinition {
  /** Application id (Dejavu's guid): its own row in the deployment record. Default `'default'`. */
  readonly id?: string;
  /**
   * The application's own tables, by name or glob (`'order_*'`; `'!order_tmp'` excludes). Every
   * command given this module manages only these — another application's tables in the same
   * database are never read as drift nor touched — and refuses a model outside them.
   */
  readonly tables?: readonly string[];
  /** The application's own tables by name prefix (`'billing_'`): the same as `tables: ['billing_*']`. */
  readonly prefix?: string;
  /** The version this code expects. Steps 1..latest must all be given (version 0 has none). */
  readonly latest: number;
  /** Step N upgrades version N−1 to N. */
  readonly steps: Readonly<Record<number, UpgradeStep>>;
}

const VERSIONED_BRAND = Symbol.for('evolve.versioned');

/** A validated schema definition (what {@link versioned} returns). */
export interface Versioned {
  readonly [VERSIONED_BRAND]: true;
  readonly id: string;
  readonly latest: number;
  /** The application's own tables (from `tables` / `prefix`); null: every table. */
  readonly scope: TableScope | null;
  /** The step reaching version `n` (1..latest). */
  step(n: number): UpgradeStep;
}

function invalid(message: string, hint: string): EvolveError {
  return new EvolveError(ErrorCode.StepsInvalid, message, { hint });
}

/**
 * Define numbered upgrade steps.
 * @throws EvolveError `E_STEPS_INVALID` when latest is not a whole number ≥ 0, a step 1..latest
 *   is missing or not a function, or a step is numbered outside 1..latest.
 */
export function versioned(def: VersionedDefinition): Versioned {
  const { latest } = def;
  if (!Number.isInteger(latest) || latest < 0) {
    throw invalid(`versioned(): latest must be a whole number ≥ 0, got ${JSON.stringify(latest)}.`, 'Set latest to the highest step number.');
  }
  const id = def.id ?? 'default';
  if (typeof id !== 'string' || id === '' || id.length > 200) {
    throw invalid(`versioned(): id ${JSON.stringify(id)} is not valid.`, 'Use a non-empty id of at most 200 characters.');
  }
  if (def.prefix !== undefined && (typeof def.prefix !== 'string' || def.prefix === '' || /[*?,!]/.test(def.prefix))) {
    throw invalid(`versioned('${id}'): prefix ${JSON.stringify(def.prefix)} is not valid.`,
      "Give the table-name prefix as plain text, e.g. prefix: 'billing_'.");
  }
  if (def.tables !== undefined
    && (!Array.isArray(def.tables) || def.tables.length === 0 || def.tables.some((t) => typeof t !== 'string' || t.trim() === '' || t.includes(',')))) {
    throw invalid(`versioned('${id}'): tables must be a non-empty list of table names or globs.`,
      "Write e.g. tables: ['person', 'city'] or tables: ['billing_*'].");
  }
  const patterns = [...(def.tables ?? []), ...(def.prefix !== undefined ? [`${def.prefix}*`] : [])];
  const scope = patterns.length ? tableScope(patterns, undefined, `application '${id}'`) : null;
  const steps = new Map<number, UpgradeStep>();
  for (const [k, fn] of Object.entries(def.steps ?? {})) {
    const n = Number(k);
    if (!Number.isInteger(n) || n < 1 || n > latest) {
      throw invalid(`versioned('${id}'): step ${k} is outside 1..${latest}.`, `Number steps 1 to latest (${latest}); raise latest when you add a step.`);
    }
    if (typeof fn !== 'function') throw invalid(`versioned('${id}'): step ${k} is not a function.`, 'Write each step as async (ops) => { ... }.');
    steps.set(n, fn);
  }
  for (let n = 1; n <= latest; n++) {
    if (!steps.has(n)) {
      throw invalid(`versioned('${id}'): step ${n} is missing (latest is ${latest}).`,
        `Add step ${n} (an empty async () => {} if nothing changes at that version).`);
    }
  }
  return Object.freeze({ [VERSIONED_BRAND]: true as const, id, latest, scope, step: (n: number) => steps.get(n)! });
}

/** True when `v` was made by {@link versioned} (works across module instances). */
export function isVersioned(v: unknown): v is Versioned {
  return typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[VERSIONED_BRAND] === true;
}

/** The schema definition exported by a loaded module (named `schema`, or the only one exported). */
export function versionedOf(mod: Record<string, unknown>): Versioned | null {
  if (isVersioned(mod.schema)) return mod.schema;
  const all = Object.values(mod).filter(isVersioned);
  return all.length === 1 ? all[0]! : null;
}
