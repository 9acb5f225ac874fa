/**
 * Resolving the CLI's settings: flags, then the environment (`EVOLVE_DATABASE_URL`), then
 * `evolve.config.ts` (or `.js` / `.mjs`) in the working directory.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { EvolveError, ErrorCode } from '../errors.js';
import { parseSchemaList } from '../dialects/url.js';
import { blockersText, type LockRetry } from '../dialects/shared/lock.js';
import type { Out } from './output.js';
import { loadDotEnv } from './dotenv.js';
import { defaultExport, importModuleFile, loadFailure } from '../model/load.js';
import type { EvolveConfig } from '../engine/config.js';
export type { EvolveConfig } from '../engine/config.js';


const CONFIG_NAMES = ['evolve.config.ts', 'evolve.config.mts', 'evolve.config.js', 'evolve.config.mjs'];

/** Load the config file, if any. */
export async function loadConfig(path?: string): Promise<{ config: EvolveConfig; dir: string } | null> {
  const file = path ? resolve(path) : CONFIG_NAMES.map((n) => resolve(n)).find((p) => existsSync(p));
  if (!file) return null;
  if (!existsSync(file)) throw new EvolveError(ErrorCode.Usage, `Config file '${path}' does not exist.`, { hint: 'Check the --config path.' });
  let config: unknown;
  try {
    const mod = await importModuleFile(file);
    // defaultExport unwraps the extra level a CommonJS-compiled config (no "type": "module") has.
    config = defaultExport(mod as Record<string, unknown>);
  } catch (e) {
    throw new EvolveError(ErrorCode.ModelsLoad, `Config file '${file}' did not load: ${loadFailure(e, file)}`, {
      hint: 'Fix the config file; it must default-export an object such as { db, models }.', cause: e,
    });
  }
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new EvolveError(ErrorCode.ModelsLoad, `Config file '${file}' does not default-export an object.`, {
      hint: "Write export default { db: 'sqlite:app.db', models: './models.ts' }.",
    });
  }
  return { config: config as EvolveConfig, dir: resolve(file, '..') };
}

/** Settings every command resolves the same way. */
export interface Settings {
  db: string | undefined;
  models: string | undefined;
  storedOnly: boolean;
  verifyEachLink: boolean;
  /** Options passed on to the library as they are. */
  scope: {
    schema?: string; schemas?: string[]; evolutions?: string; lockTimeout?: number; scratch?: string; connectTimeout?: number;
    lockWaitMs?: number; retries?: number; online?: boolean; onLockRetry?: (retry: LockRetry) => void;
    include?: string[]; exclude?: string[];
    /** The deployment record's table names (history of apply and revert, the deployment commands). */
    record?: { recordTable?: string; historyTable?: string };
  };
}

/** The flags {@link resolveSettings} reads. */
export interface SettingFlags {
  db?: string; models?: string; schema?: string; schemas?: string; config?: string; evolutions?: string; storedOnly?: boolean; verifyEachLink?: boolean;
  lockTimeout?: string; scratch?: string; lockWait?: string; retries?: string; online?: boolean; envFile?: string;
  include?: string | string[]; exclude?: string | string[]; recordTable?: string; historyTable?: string;
}

const patterns = (v: string | readonly string[] | undefined): string[] =>
  (v === undefined ? [] : typeof v === 'string' ? [v] : [...v]).flatMap((x) => String(x).split(',')).map((x) => x.trim()).filter(Boolean);

/** A whole number ≥ `min` from a flag or the config, or undefined; otherwise a usage error naming it. */
function whole(value: string | number | undefined, what: string, example: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    throw new EvolveError(ErrorCode.Usage, `${what} must be a whole number${min > 0 ? ` of at least ${min}` : ''}, got '${value}'.`, {
      hint: `Write e.g. ${example}.`,
    });
  }
  return n;
}

/** One line for a lock-wait retry (issue 16), on stderr. */
export function retryLine(r: LockRetry): string {
  return `lock wait: ${r.what} timed out waiting for a table lock (${blockersText(r.blockers)}); ` +
    `rolled back where the database allows, retry ${r.attempt} of ${r.of} in ${r.delayMs} ms`;
}

export async function resolveSettings(flags: SettingFlags, out?: Out): Promise<Settings> {
  const lockTimeout = flags.lockTimeout === undefined ? undefined : Number(flags.lockTimeout);
  if (lockTimeout !== undefined && !(lockTimeout >= 0 && Number.isFinite(lockTimeout))) {
    throw new EvolveError(ErrorCode.Usage, `--lock-timeout must be a number of seconds, got '${flags.lockTimeout}'.`, {
      hint: 'Write e.g. --lock-timeout 30.',
    });
  }
  loadDotEnv(flags.envFile); // before the config file and EVOLVE_DATABASE_URL are read
  const loaded = await loadConfig(flags.config);
  const cfg = loaded?.config ?? {};
  const lockWaitMs = whole(flags.lockWait ?? cfg.lockWait, '--lock-wait (milliseconds)', '--lock-wait 2000', 1);
  const retries = whole(flags.retries ?? cfg.retries, '--retries', '--retries 10', 0);
  const rel = (p: string | undefined): string | undefined => (p && loaded ? resolve(loaded.dir, p) : p);
  const schemas = parseSchemaList(flags.schemas ?? cfg.schemas, flags.schema ?? cfg.schema ?? 'public');
  // Flags replace the config file's filters (each list as a whole).
  const include = patterns(flags.include ?? cfg.include);
  const exclude = patterns(flags.exclude ?? cfg.exclude);
  const connectTimeout = cfg.connectTimeout;
  if (connectTimeout !== undefined && !(typeof connectTimeout === 'number' && connectTimeout >= 0 && Number.isFinite(connectTimeout))) {
    throw new EvolveError(ErrorCode.Usage, `connectTimeout in the config file must be a number of seconds ≥ 0, got ${JSON.stringify(connectTimeout)}.`, {
      hint: 'Write e.g. connectTimeout: 10 (or ?connect_timeout=10 in the database URL).',
    });
  }
  const recordTable = flags.recordTable ?? cfg.recordTable;
  const historyTable = flags.historyTable ?? cfg.historyTable;
  return {
    // An empty EVOLVE_DATABASE_URL counts as unset (as a shell's `EVOLVE_DATABASE_URL= evolve …` means).
    db: flags.db ?? (process.env.EVOLVE_DATABASE_URL || undefined) ?? cfg.db,
    models: flags.models ?? rel(cfg.models),
    storedOnly: flags.storedOnly ?? cfg.storedOnly ?? false,
    verifyEachLink: flags.verifyEachLink ?? cfg.verifyEachLink ?? false,
    scope: {
      // An empty schema is passed on, to be refused (it is a mistake, not a wish for public).
      ...((flags.schema ?? cfg.schema) !== undefined ? { schema: (flags.schema ?? cfg.schema)! } : {}),
      ...(schemas.length ? { schemas } : {}),
      ...((flags.evolutions ?? rel(cfg.evolutions)) ? { evolutions: (flags.evolutions ?? rel(cfg.evolutions))! } : {}),
      ...(lockTimeout !== undefined ? { lockTimeout } : {}),
      ...((flags.scratch ?? cfg.scratch) ? { scratch: (flags.scratch ?? cfg.scratch)! } : {}),
      ...(lockWaitMs !== undefined ? { lockWaitMs } : {}),
      ...(retries !== undefined ? { retries } : {}),
      ...((flags.online ?? cfg.online) ? { online: true } : {}),
      ...(out ? { onLockRetry: (r: LockRetry) => out.error(retryLine(r)) } : {}),
      ...(connectTimeout !== undefined ? { connectTimeout } : {}),
      ...(include.length ? { include } : {}),
      ...(exclude.length ? { exclude } : {}),
      ...(recordTable || historyTable ? { record: { ...(recordTable ? { recordTable } : {}), ...(historyTable ? { historyTable } : {}) } } : {}),
    },
  };
}

export function requireDb(s: Settings): string {
  if (!s.db) {
    throw new EvolveError(ErrorCode.NoDatabase, 'No database given.', {
      hint: 'Pass --db URL (e.g. --db sqlite:app.db), set EVOLVE_DATABASE_URL, or put db in evolve.config.ts.',
    });
  }
  return s.db;
}

export function requireModels(s: Settings): string {
  if (!s.models) {
    throw new EvolveError(ErrorCode.Usage, 'No models given.', {
      hint: 'Pass --models PATH to the module exporting your table() models, or put models in evolve.config.ts.',
    });
  }
  return s.models;
}
