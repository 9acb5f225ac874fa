/**
 * Resolving the CLI's settings: flags, then the environment (`EVOLVE_DATABASE_URL`), then
 * `evolve.config.ts` (or `.js` / `.mjs`) in the working directory.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EvolveError, ErrorCode } from '../errors.js';
import { parseSchemaList } from '../dialects/url.js';
import { blockersText, type LockRetry } from '../dialects/shared/lock.js';
import type { NodeCheck } from '../dialects/dialect.js';
import type { Out } from './output.js';
import type { ProgressReporter } from '../plan/progress.js';
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
  /** The one database (undefined when none is given, or when a fleet is: see {@link fleet}). */
  db: string | undefined;
  /** A fleet (issue 17): the URLs and patterns given, when more than one database is asked for. */
  fleet: FleetSpec | null;
  models: string | undefined;
  storedOnly: boolean;
  verifyEachLink: boolean;
  /** Options passed on to the library as they are. */
  scope: {
    schema?: string; schemas?: string[]; evolutions?: string; lockTimeout?: number; scratch?: string; connectTimeout?: number;
    lockWaitMs?: number; retries?: number; batchSize?: number; batchPauseMs?: number; online?: boolean; onLockRetry?: (retry: LockRetry) => void;
    include?: string[]; exclude?: string[];
    /** A cluster's nodes (--nodes) and a rolling change (--rolling); the nodes checked after a change, told to stderr. */
    nodes?: string[]; rolling?: boolean; onNodesChecked?: (nodes: readonly NodeCheck[]) => void;
    /** Progress of long operations, on a terminal ({@link Out.progress}). */
    progress?: ProgressReporter;
    /** The deployment record's table names (history of apply and revert, the deployment commands). */
    record?: { recordTable?: string; historyTable?: string };
  };
}

/** What a fleet is made of, before its patterns are expanded. */
export interface FleetSpec {
  /** URLs and patterns, in the order given. */
  readonly specs: string[];
  /** `--schema-pattern`. */
  readonly schemaPattern?: string;
  /** Where they came from, for messages (`--db ×3`, `--targets tenants.txt`, `targets in evolve.config.ts`). */
  readonly source: string;
}

/** The flags {@link resolveSettings} reads. */
export interface SettingFlags {
  /** `--db`, repeatable: every one is kept (a fleet when more than one). */
  db?: string | string[]; targets?: string; schemaPattern?: string;
  models?: string; schema?: string; schemas?: string; config?: string; evolutions?: string; storedOnly?: boolean; verifyEachLink?: boolean;
  lockTimeout?: string; scratch?: string; lockWait?: string; retries?: string; batchSize?: string; batchPause?: string; online?: boolean; envFile?: string;
  include?: string | string[]; exclude?: string | string[]; recordTable?: string; historyTable?: string;
  nodes?: string | string[]; rolling?: boolean;
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

/** The nodes of a cluster checked after a change, on stderr: `cluster: 3 nodes at fp… (a, b, c)`. */
export function nodesLine(nodes: readonly NodeCheck[]): string {
  const ok = nodes.filter((n) => n.fingerprint !== null);
  const missed = nodes.filter((n) => n.fingerprint === null);
  return `cluster: ${ok.length} node(s) at ${ok[0]?.fingerprint ?? '?'} (${ok.map((n) => n.node).join(', ')})` +
    (missed.length ? `; not reached: ${missed.map((n) => `${n.node} (${n.error ?? 'no answer'})`).join('; ')}` : '');
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
  const batchSize = whole(flags.batchSize ?? cfg.batchSize, '--batch-size (rows)', '--batch-size 10000', 1);
  const batchPauseMs = whole(flags.batchPause ?? cfg.batchPause, '--batch-pause (milliseconds)', '--batch-pause 100', 0);
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
  const nodes = patterns(flags.nodes);
  const recordTable = flags.recordTable ?? cfg.recordTable;
  const historyTable = flags.historyTable ?? cfg.historyTable;
  const where = resolveWhere(flags, cfg);
  return {
    ...where,
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
      ...(batchSize !== undefined ? { batchSize } : {}),
      ...(batchPauseMs !== undefined ? { batchPauseMs } : {}),
      ...((flags.online ?? cfg.online) ? { online: true } : {}),
      ...(out ? { onLockRetry: (r: LockRetry) => out.error(retryLine(r)) } : {}),
      ...(out?.progress ? { progress: out.progress } : {}),
      ...(connectTimeout !== undefined ? { connectTimeout } : {}),
      ...(include.length ? { include } : {}),
      ...(nodes.length ? { nodes } : {}),
      ...(flags.rolling ? { rolling: true } : {}),
      ...(out ? { onNodesChecked: (checked: readonly NodeCheck[]) => { out.nodesChecked = checked; out.error(nodesLine(checked)); } } : {}),
      ...(exclude.length ? { exclude } : {}),
      ...(recordTable || historyTable ? { record: { ...(recordTable ? { recordTable } : {}), ...(historyTable ? { historyTable } : {}) } } : {}),
    },
  };
}

/** The URLs of a `--targets` file: one a line; blank lines and `#` comments (a line's rest after ` #`) left out. */
export function readTargetsFile(path: string): string[] {
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch {
    throw new EvolveError(ErrorCode.Usage, `Targets file '${path}' cannot be read.`, {
      hint: 'Check the --targets path: a file with one database URL a line.',
    });
  }
  return text.split(/\r?\n/).map((l) => l.replace(/(^|\s)#.*$/, '').trim()).filter(Boolean);
}

/**
 * A pattern, by its look alone: a `*` outside the user name and password (every dialect's
 * patterns are globs; the dialect expands them).
 */
export const looksLikePattern = (url: string): boolean => url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1').includes('*');

/** The database or fleet: flags (`--db` repeated, `--targets`), then `EVOLVE_DATABASE_URL`, then the config's `targets`, then its `db`. */
function resolveWhere(flags: SettingFlags, cfg: EvolveConfig): { db: string | undefined; fleet: FleetSpec | null } {
  const dbs = flags.db === undefined ? [] : typeof flags.db === 'string' ? [flags.db] : [...flags.db];
  const fromFile = flags.targets !== undefined ? readTargetsFile(flags.targets) : [];
  const pattern = flags.schemaPattern !== undefined ? { schemaPattern: flags.schemaPattern } : {};
  if (flags.schemaPattern !== undefined && flags.schemaPattern.trim() === '') {
    throw new EvolveError(ErrorCode.Usage, '--schema-pattern is empty.', { hint: "Give a glob of schema names: --schema-pattern 'tenant_*'." });
  }
  if (dbs.length || flags.targets !== undefined) {
    const specs = [...dbs, ...fromFile];
    const source = [dbs.length ? `--db${dbs.length > 1 ? ` ×${dbs.length}` : ''}` : '', flags.targets !== undefined ? `--targets ${flags.targets}` : '']
      .filter(Boolean).join(' and ');
    const fleet = specs.length !== 1 || flags.targets !== undefined || flags.schemaPattern !== undefined || looksLikePattern(specs[0]!);
    return fleet ? { db: undefined, fleet: { specs, source, ...pattern } } : { db: specs[0], fleet: null };
  }
  // An empty EVOLVE_DATABASE_URL counts as unset (as a shell's `EVOLVE_DATABASE_URL= evolve …` means).
  const env = process.env.EVOLVE_DATABASE_URL || undefined;
  const single = env ?? (cfg.targets === undefined ? cfg.db : undefined);
  if (single !== undefined) {
    const fleet = flags.schemaPattern !== undefined || looksLikePattern(single);
    return fleet ? { db: undefined, fleet: { specs: [single], source: env ? 'EVOLVE_DATABASE_URL' : 'db in the config file', ...pattern } }
      : { db: single, fleet: null };
  }
  if (cfg.targets !== undefined) {
    if (!Array.isArray(cfg.targets) || cfg.targets.some((t) => typeof t !== 'string')) {
      throw new EvolveError(ErrorCode.Usage, 'targets in the config file must be a list of database URLs or patterns.', {
        hint: "Write targets: ['sqlite:tenants/*.db'] (or leave it out and give db).",
      });
    }
    return { db: undefined, fleet: { specs: [...cfg.targets], source: 'targets in the config file', ...pattern } };
  }
  return { db: undefined, fleet: null };
}

/**
 * Refuse a fleet on a command that works on one database.
 * @throws EvolveError `E_FLEET_UNSUPPORTED` naming where the fleet came from.
 */
export function refuseFleet(s: Settings, command?: string): void {
  if (!s.fleet) return;
  throw new EvolveError(ErrorCode.FleetUnsupported,
    `${command ? `evolve ${command}` : 'This command'} works on one database, but a fleet was given ` +
    `(${s.fleet.source}: ${s.fleet.specs.length} URL${s.fleet.specs.length === 1 ? '' : 's'} or pattern${s.fleet.specs.length === 1 ? '' : 's'}).`, {
      hint: 'Give one --db URL; evolve apply, status and fingerprint take a fleet (repeated --db, --targets FILE, a pattern, config targets).',
    });
}

export function requireDb(s: Settings, command?: string): string {
  refuseFleet(s, command);
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
