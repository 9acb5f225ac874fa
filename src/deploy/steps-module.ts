/**
 * Finding an application's `versioned()` definition: in a steps module (`--steps`), or in the
 * models module beside the tables. Its id names the deployment record's rows and history; its
 * `tables` / `prefix` limit every command to the application's own tables.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { EvolveError, ErrorCode, isEvolveError } from '../errors.js';
import { isSqlPath } from '../database/sources.js';
import { isVersioned, versionedOf, type Versioned } from './versioned.js';
import { intersectScopes, type TableScope } from '../database/scope.js';
import type { HistoryOptions } from './record.js';
import { importModuleFile, loadFailure } from '../model/load.js';
import { onlyModels } from '../model/compiled-cache.js';
import { cacheConfig } from '../model/ts-loader.js';

async function importModule(abs: string, path: string): Promise<Record<string, unknown>> {
  try {
    return await importModuleFile(abs);
  } catch (e) {
    if (isEvolveError(e)) throw e;
    throw new EvolveError(ErrorCode.ModelsLoad, `Module '${path}' did not load: ${loadFailure(e, abs)}`, {
      hint: 'Fix the error in the module, then try again.', cause: e,
    });
  }
}

const definitionOf = (mod: Record<string, unknown>): Versioned | null => versionedOf(mod) ?? versionedOf((mod.default ?? {}) as Record<string, unknown>);

/**
 * Load the `versioned()` definition exported by the module at `path`.
 * @throws EvolveError `E_STEPS_INVALID` when the module is missing or exports none.
 */
export async function loadSteps(path: string): Promise<Versioned> {
  const abs = resolve(path);
  if (!existsSync(abs)) {
    throw new EvolveError(ErrorCode.StepsInvalid, `Steps module '${path}' does not exist.`, {
      hint: 'Pass --steps PATH (or --models PATH) to the module exporting `schema = versioned({ ... })`.',
    });
  }
  const v = definitionOf(await importModule(abs, path));
  if (!v) {
    throw new EvolveError(ErrorCode.StepsInvalid, `Module '${path}' exports no versioned() schema definition.`, {
      hint: "Export it: export const schema = versioned({ id: 'myapp', latest: 1, steps: { 1: async (ops) => { ... } } }).",
    });
  }
  return v;
}

/**
 * The application definition for these options, or null when there is none: `steps` (a
 * definition or a module path, which must export one), else the models module if it exports
 * one. A SQL file or models given as values have none.
 */
export async function findApplication(options: { readonly steps?: Versioned | string; readonly models?: unknown }): Promise<Versioned | null> {
  if (options.steps !== undefined) return isVersioned(options.steps) ? options.steps : loadSteps(options.steps);
  const m = options.models;
  if (typeof m !== 'string' || isSqlPath(m)) return null;
  const abs = resolve(m);
  if (!existsSync(abs)) return null; // the models loader says what is wrong
  // A module of the model DSL alone defines no schema definition: not run just to ask (model/compiled-cache.ts).
  if (await onlyModels(abs, cacheConfig())) return null;
  return definitionOf(await importModule(abs, m));
}

/**
 * Options narrowed to the application the models (or steps) define: its own tables
 * (`tableScope`) and its id for the history rows (`record.app`). Unchanged without one.
 */
export async function withApplication<O extends { readonly models?: unknown; readonly tableScope?: TableScope | null; readonly record?: HistoryOptions }>(
  options: O, source: { readonly steps?: Versioned | string; readonly models?: unknown } = { models: options.models },
): Promise<{ options: O; app: Versioned | null }> {
  const app = await findApplication(source);
  if (!app) return { options, app };
  return {
    app,
    options: {
      ...options,
      tableScope: intersectScopes(options.tableScope ?? null, app.scope ?? null),
      record: { ...options.record, app: options.record?.app ?? app.id },
    },
  };
}
