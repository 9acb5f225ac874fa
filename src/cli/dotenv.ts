/**
 * `.env` files: the working directory's `.env` (or the file given to `--env-file`) sets the
 * environment variables it names that are not set already (or set empty) — a variable of the
 * environment always wins — before the config file (`env('NAME')`) and `EVOLVE_DATABASE_URL` are read.
 * Parsed by Node's own `util.parseEnv` (the format of `node --env-file`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { EvolveError, ErrorCode } from '../errors.js';

/**
 * Load `file` (default `.env` in the working directory, skipped when absent; a given file must
 * exist) into `process.env` without overriding what is set. Returns the names it set.
 * @throws EvolveError `E_USAGE` for a given file that does not exist.
 */
export function loadDotEnv(file?: string): string[] {
  const path = resolve(file ?? '.env');
  if (!existsSync(path)) {
    if (file === undefined) return [];
    throw new EvolveError(ErrorCode.Usage, `Env file '${file}' does not exist.`, { hint: 'Check the --env-file path.' });
  }
  const set: string[] = [];
  for (const [name, value] of Object.entries(parseEnv(readFileSync(path, 'utf8')))) {
    if (process.env[name] !== undefined && process.env[name] !== '') continue; // set (an empty value counts as unset, as everywhere)
    process.env[name] = value;
    set.push(name);
  }
  return set;
}
