/**
 * Loading a models module: a TypeScript or JavaScript ES module whose exported tables are the
 * models. TypeScript loads without a build step (through tsx, imported only when needed).
 */
import { existsSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EvolveError, ErrorCode, isEvolveError } from '../errors.js';
import { isTable, type Table } from './table.js';
import { isModelObject, type ModelObject } from './objects.js';
import { importJavaScript, importTypeScript } from './ts-loader.js';
import { isDrizzleCompanion, isDrizzleModels, isDrizzleValue, type DrizzleModels, type DrizzleModelsOptions } from './drizzle/detect.js';

/**
 * The default export of a loaded module. A TypeScript module in a package without
 * `"type": "module"` is compiled as CommonJS, and importing it gives
 * `{ default: { default: value } }`: unwrap that extra level.
 */
export function defaultExport(mod: Record<string, unknown>): unknown {
  const d = mod.default;
  if (d !== null && typeof d === 'object' && !Array.isArray(d) && Object.prototype.hasOwnProperty.call(d, 'default')) {
    return (d as Record<string, unknown>).default;
  }
  return d ?? mod;
}

/**
 * One line (or a few) saying why a module did not load, keeping the place it names: esbuild's
 * `Transform failed with 1 error:` is followed by `file.ts:2:48: ERROR: Unexpected "}"`, and
 * an error thrown while the module runs names its line in the stack.
 */
export function loadFailure(e: unknown, file: string): string {
  const lines = (e instanceof Error ? e.message : String(e)).split('\n').map((l) => l.trim()).filter(Boolean);
  const kept = lines.length > 1 && /^Transform failed with \d+ errors?:?$/.test(lines[0]!) ? lines.slice(1, 4) : lines.slice(0, 1);
  let text = kept.join('; ') || 'unknown error';
  if (!/:\d+:\d+/.test(text) && e instanceof Error && e.stack) {
    // The first stack frame in the module itself: `at … (file:///…/models.ts?tsx…:3:7)`.
    for (const frame of e.stack.split('\n')) {
      const from = [pathToFileURL(file).href, file].map((p) => frame.indexOf(p)).find((i) => i >= 0);
      const pos = from === undefined ? null : /^[^\s():]*(?:\?[^\s():]*)?:(\d+):(\d+)/.exec(frame.slice(from).replace(/^file:\/\//, ''));
      if (pos) { text += ` (at ${basename(file)}:${pos[1]}:${pos[2]})`; break; }
    }
  }
  return text;
}

/** Every table exported by a loaded module (named exports, and a default export holding tables). */
export function tablesOf(mod: Record<string, unknown>, depth = 0): Table[] {
  const out: Table[] = [];
  const has = new Set<Table>(); // beside `out`: a module of thousands of tables is no quadratic search
  const add = (v: unknown): void => { if (isTable(v) && !has.has(v)) { has.add(v); out.push(v); } };
  for (const [name, value] of Object.entries(mod)) {
    if (name === 'default' && value && typeof value === 'object' && !isTable(value)) {
      if (Array.isArray(value)) value.forEach(add);
      // A CommonJS-compiled module nests its own default export one level down.
      else if (depth < 2) tablesOf(value as Record<string, unknown>, depth + 1).forEach(add);
    } else add(value);
  }
  return out;
}

/** Every schema object (view, trigger, enum type, …) exported by a loaded module, as {@link tablesOf} finds tables. */
export function objectsOf(mod: Record<string, unknown>, depth = 0): ModelObject[] {
  const out: ModelObject[] = [];
  const has = new Set<ModelObject>();
  const add = (v: unknown): void => { if (isModelObject(v) && !has.has(v)) { has.add(v); out.push(v); } };
  for (const [name, value] of Object.entries(mod)) {
    if (name === 'default' && value && typeof value === 'object' && !isModelObject(value) && !isTable(value)) {
      if (Array.isArray(value)) value.forEach(add);
      else if (depth < 2) objectsOf(value as Record<string, unknown>, depth + 1).forEach(add);
    } else add(value);
  }
  return out;
}

/** Every value of a module, named exports and those of a default export (an array, or a CommonJS module's own exports). */
function exportedValues(mod: Record<string, unknown>, depth = 0): unknown[] {
  const out: unknown[] = [];
  for (const [name, value] of Object.entries(mod)) {
    if (name === 'default' && Array.isArray(value)) out.push(...value);
    else if (name === 'default' && value && typeof value === 'object' && !isDrizzleValue(value) && !isTable(value) && depth < 2) {
      out.push(...exportedValues(value as Record<string, unknown>, depth + 1));
    } else out.push(value);
  }
  return out;
}

/**
 * The Drizzle values a module exports (tables, `pgEnum`s, views), those of a `drizzleModels()`
 * wrapper among them, and the renames the wrapper declares.
 * @throws EvolveError `E_MODELS_LOAD` for a module exporting two wrappers.
 */
export function drizzleOf(mod: Record<string, unknown>, path: string): { values: unknown[]; options: DrizzleModelsOptions } {
  const all = exportedValues(mod);
  const wrappers = [...new Set(all.filter(isDrizzleModels))];
  if (wrappers.length > 1) {
    throw new EvolveError(ErrorCode.ModelsLoad, `Models file '${path}' exports ${wrappers.length} drizzleModels() values.`, {
      hint: 'Export one drizzleModels(schema, { aka }) per models module (merge the schemas: drizzleModels({ ...a, ...b })).', details: { path },
    });
  }
  const values = all.filter((v) => isDrizzleValue(v) && !isDrizzleModels(v));
  const w = wrappers[0] as DrizzleModels | undefined;
  if (w) values.push(...exportedValues(w.schema as Record<string, unknown>).filter(isDrizzleValue));
  return { values, options: w?.options ?? {} };
}

/** What loading a models module gives: tables, schema objects, ignored exports, and the dialects the models are for (a Drizzle schema's). */
export interface LoadedModels { tables: Table[]; objects: ModelObject[]; ignored: string[]; dialects?: readonly string[] }

/**
 * Drizzle values as models, beside the Evolve models given (the converter, and with it
 * drizzle-orm, is imported only here, when a Drizzle table is there).
 */
export async function withDrizzle(
  loaded: LoadedModels, drizzle: { values: readonly unknown[]; options: DrizzleModelsOptions }, from: string | null,
): Promise<LoadedModels> {
  if (!drizzle.values.length) return loaded;
  const { convertDrizzle } = await import('./drizzle/convert.js');
  const c = await convertDrizzle(drizzle.values, drizzle.options, from);
  return { ...loaded, tables: [...loaded.tables, ...c.tables], objects: [...c.objects, ...loaded.objects], dialects: c.dialects };
}

/** The brand of a `versioned()` definition (src/deploy/versioned.ts), which a models module may export beside its tables. */
const VERSIONED_BRAND = Symbol.for('evolve.versioned');
/** Keys a CommonJS-compiled module carries that are no exports of the user's. */
const INTEROP_KEYS = new Set(['__esModule', 'module.exports']);

/**
 * The exports of a loaded models module that are neither tables nor a `versioned()` definition
 * (which the steps loader reads), by name (`STATUS`; `default[2]` for an item of a default
 * array): Evolve ignores them, and says so, since a table hidden in an object or returned by a
 * function would otherwise silently not exist.
 */
export function ignoredExports(mod: Record<string, unknown>, depth = 0): string[] {
  const out: string[] = [];
  const model = (v: unknown): boolean => isTable(v) || isModelObject(v) || isDrizzleValue(v) || isDrizzleCompanion(v)
    || (typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[VERSIONED_BRAND] === true);
  for (const [name, value] of Object.entries(mod)) {
    if (INTEROP_KEYS.has(name) || model(value)) continue;
    if (name === 'default' && Array.isArray(value)) {
      value.forEach((v, i) => { if (!model(v)) out.push(`default[${i}]`); });
    } else if (name === 'default' && value && typeof value === 'object' && depth < 2) {
      out.push(...ignoredExports(value as Record<string, unknown>, depth + 1)); // a CommonJS module's own exports
    } else out.push(name);
  }
  return out;
}

/**
 * Import a user's module (models, steps, evolution or config): TypeScript through the fast
 * loader of `ts-loader.ts` (types stripped, no build step), JavaScript natively (`evolve`
 * resolved to the running copy where no package provides it). Errors are the loader's own;
 * callers wrap them with `loadFailure`.
 */
export async function importModuleFile(abs: string): Promise<Record<string, unknown>> {
  if (/\.(c|m)?tsx?$/i.test(abs)) return importTypeScript(abs);
  return importJavaScript(abs);
}

/**
 * What {@link tablesOf}, {@link objectsOf}, {@link ignoredExports} and {@link drizzleOf} make of a
 * module whose exports are all named tables (the usual models module), in one pass over its exports
 * rather than four (a module of 5,000 tables: ~5 ms instead of ~30); null for any other module.
 */
function onlyTables(mod: Record<string, unknown>): LoadedModels | null {
  const names = Object.keys(mod);
  const values = Object.values(mod);
  const tables: Table[] = [];
  const has = new Set<Table>();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (names[i] === 'default' || !isTable(v)) return null;
    if (!has.has(v)) { has.add(v); tables.push(v); }
  }
  return { tables, objects: [], ignored: [] };
}

/**
 * Load the models exported by the module at `path`: its `table()`s and schema objects, and its
 * Drizzle tables and `pgEnum`s (also those of a `drizzleModels()` it exports) converted to models.
 * @throws EvolveError `E_MODELS_LOAD` when the file is missing, does not load, or exports no tables;
 *   `E_UNSUPPORTED` for a Drizzle construct the models cannot state;
 *   the model's own error (e.g. `E_UNKNOWN_TYPE`) when a model is malformed.
 */
export async function loadModels(path: string): Promise<Table[]> {
  return (await loadModelsModule(path)).tables;
}

/**
 * {@link loadModels}, with the exports the module holds beside its tables that Evolve ignores
 * ({@link ignoredExports}), for the report.
 * @throws EvolveError as {@link loadModels}.
 */
export async function loadModelsModule(path: string): Promise<LoadedModels> {
  const abs = resolve(path);
  if (!existsSync(abs) || !statSync(abs).isFile()) {
    throw new EvolveError(ErrorCode.ModelsLoad, `Models file '${path}' does not exist.`, {
      hint: 'Pass --models PATH to a .ts or .js module that exports table() models, or set models in evolve.config.ts.',
      details: { path },
    });
  }
  let mod: Record<string, unknown>;
  try {
    mod = await importModuleFile(abs);
  } catch (e) {
    if (isEvolveError(e)) throw e;
    const msg = loadFailure(e, abs);
    throw new EvolveError(ErrorCode.ModelsLoad, `Models file '${path}' did not load: ${msg}`, {
      hint: 'Fix the error in the models module (run it with `npx tsx` to see the full trace), then try again.',
      cause: e, details: { path },
    });
  }
  const loaded = onlyTables(mod)
    ?? await withDrizzle({ tables: tablesOf(mod), objects: objectsOf(mod), ignored: ignoredExports(mod) }, drizzleOf(mod, path), abs);
  if (loaded.tables.length === 0) {
    throw new EvolveError(ErrorCode.ModelsLoad, `Models file '${path}' exports no tables.`, {
      hint: "Export each model: export const user = table('user', { ... }), or Drizzle tables (pgTable, mysqlTable, sqliteTable).", details: { path },
    });
  }
  return loaded;
}
