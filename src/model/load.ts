/**
 * Loading a models module: a TypeScript or JavaScript ES module whose exported tables are the
 * models. TypeScript loads without a build step (through tsx, imported only when needed).
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EvolveError, ErrorCode, isEvolveError } from '../errors.js';
import { isTable, type Table } from './table.js';

/** Every table exported by a loaded module (named exports, and a default export holding tables). */
export function tablesOf(mod: Record<string, unknown>): Table[] {
  const out: Table[] = [];
  const add = (v: unknown): void => { if (isTable(v) && !out.includes(v)) out.push(v); };
  for (const [name, value] of Object.entries(mod)) {
    if (name === 'default' && value && typeof value === 'object' && !isTable(value)) {
      for (const v of Array.isArray(value) ? value : Object.values(value)) add(v);
    } else add(value);
  }
  return out;
}

/**
 * Load the models exported by the module at `path`.
 * @throws EvolveError `E_MODELS_LOAD` when the file is missing, does not load, or exports no tables;
 *   the model's own error (e.g. `E_UNKNOWN_TYPE`) when a model is malformed.
 */
export async function loadModels(path: string): Promise<Table[]> {
  const abs = resolve(path);
  if (!existsSync(abs) || !statSync(abs).isFile()) {
    throw new EvolveError(ErrorCode.ModelsLoad, `Models file '${path}' does not exist.`, {
      hint: 'Pass --models PATH to a .ts or .js module that exports table() models, or set models in evolve.config.ts.',
      details: { path },
    });
  }
  let mod: Record<string, unknown>;
  try {
    if (/\.(c|m)?tsx?$/i.test(abs)) {
      const { tsImport } = await import('tsx/esm/api');
      mod = await tsImport(pathToFileURL(abs).href, import.meta.url) as Record<string, unknown>;
    } else {
      mod = await import(pathToFileURL(abs).href) as Record<string, unknown>;
    }
  } catch (e) {
    if (isEvolveError(e)) throw e;
    const msg = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    throw new EvolveError(ErrorCode.ModelsLoad, `Models file '${path}' did not load: ${msg}`, {
      hint: 'Fix the error in the models module (run it with `npx tsx` to see the full trace), then try again.',
      cause: e, details: { path },
    });
  }
  const tables = tablesOf(mod);
  if (tables.length === 0) {
    throw new EvolveError(ErrorCode.ModelsLoad, `Models file '${path}' exports no tables.`, {
      hint: "Export each model: export const user = table('user', { ... }).", details: { path },
    });
  }
  return tables;
}
