/**
 * Compiled models kept between commands (issue 20 point 4). Running a 1,000-table models module
 * and compiling it to a dialect's normalised IR costs ~100 ms at every command (~300 ms at 5,000
 * tables) and most of the command's allocations, for a result that only changes when the module
 * or Evolve does. So for a module whose result can depend on nothing but its text, the desired
 * schema is kept in the transform cache's directory (`KEY.DIALECT.ir`, JSON), and a later
 * command with the same module graph, the same Evolve and the same dialect reads it instead of
 * running the module.
 *
 * "Nothing but its text" is decided before anything runs, from the module graph the script path
 * plans (ts-script.ts: TypeScript modules importing only `evolve` and each other), and only
 * conservatively: no built-in module; from `evolve` only the model DSL's functions (not
 * `versioned`, so such a module defines no numbered steps); and no mention anywhere in the code
 * (strings and comments included) of a name through which code reaches the environment or the
 * clock — `process`, `globalThis`, `Date`, `Math`, `console`, `Symbol`, `Function`, `eval`,
 * `constructor`, …. Any other module is run and compiled at every command, as before. Only a
 * success is kept, and only one that needed no database (models with views, triggers, comments or
 * special indexes are read back from a scratch database: never kept). The key holds a stamp of
 * Evolve's own files (their sizes and times), so a rebuilt or upgraded Evolve never reads an
 * entry an older one wrote. The directory's bound: at most {@link IR_MAX} entries, the oldest go.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deepFreeze, type SchemaIR } from '../ir/schema.js';
import { planScript, type Planned } from './ts-script.js';
import { writeEntry, type TransformCache } from './ts-direct.js';

/** Entries kept at most (each is a whole schema: ~1.5 MB at 1,000 tables). */
export const IR_MAX = 32;

/** The format of an entry: part of its key. */
const FORMAT = 'compiled models v1';

/** What `evolve` gives a module whose result is its text alone: the model DSL. */
const DSL = new Set([
  'table', 'index', 'uniqueIndex', 'check', 'isTable', 'integer', 'bigint', 'real', 'decimal', 'text', 'varchar', 'boolean', 'date',
  'timestamp', 'json', 'bytes', 'uuid', 'column', 'rawType', 'jsonb', 'inet', 'cidr', 'citext', 'tsvector', 'interval', 'smallint',
  'time', 'char', 'array', 'tinyint', 'mediumint', 'unsignedInt', 'mediumtext', 'longtext', 'datetime', 'mysqlEnum', 'mysqlSet', 'sql',
  'manyToMany', 'view', 'materializedView', 'trigger', 'sqlFunction', 'sequence', 'enumType', 'domain', 'sqlAggregate', 'extension',
  'compositeType', 'exclusion', 'isModelObject',
]);

/** Names through which code reaches something beside its text (the environment, the clock, chance, output, other code). */
const REACHES_OUT = new RegExp(`\\b(${[
  'process', 'globalThis', 'global', 'window', 'self', 'Date', 'Math', 'Intl', 'console', 'performance', 'Symbol', 'Reflect', 'Proxy',
  'Function', 'eval', 'constructor', '__proto__', 'fetch', 'setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask',
  'Buffer', 'crypto', 'WebAssembly', 'Atomics', 'SharedArrayBuffer', 'structuredClone', 'navigator', 'WeakRef', 'FinalizationRegistry',
].join('|')})\\b`);

/** esbuild's CommonJS export footer, the only place its output names `module`. */
const FOOTER = /^module\.exports = __toCommonJS\(\w+\);$/m;
const EVOLVE_REQUIRE = /^var (import_evolve\d*) = require\("evolve"\);$/gm;

/** True when module `code` (esbuild's CommonJS form) gives what its text says and nothing else (see the file's comment). */
function pureModule(code: string): boolean {
  const body = code.replace(FOOTER, '');
  if (/\bmodule\b/.test(body) || REACHES_OUT.test(body)) return false;
  const bindings = [...body.matchAll(EVOLVE_REQUIRE)].map((m) => m[1]!);
  if ((body.match(/require\("evolve"\)/g) ?? []).length !== bindings.length) return false; // another form (namespace, default)
  for (const b of bindings) {
    for (const m of body.matchAll(new RegExp(`\\b${b}\\b(\\.(\\w+))?`, 'g'))) {
      const declaration = body.startsWith(`var ${b} = `, m.index! - 4);
      if (!declaration && !DSL.has(m[2] ?? '')) return false;
    }
  }
  return true;
}

/** {@link pureModule}'s verdicts in this process, by module content (a transform's key). */
const verdicts = new Map<string, boolean>();

/** Key of graph `p` when every module of it is pure; null otherwise. */
function graphKey(p: Planned, memo: Map<Planned, string | null>): string | null {
  if (memo.has(p)) return memo.get(p)!;
  memo.set(p, null);
  let pure = verdicts.get(p.key);
  if (pure === undefined) verdicts.set(p.key, pure = pureModule(p.code));
  if (!pure) return null;
  const h = createHash('sha256').update(p.key);
  for (const [spec, d] of [...p.deps].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (d === 'builtin') return null;
    const k = d === 'evolve' ? 'evolve' : graphKey(d, memo);
    if (k === null) return null;
    h.update(`\0${spec}\0${k}`);
  }
  const key = h.digest('hex').slice(0, 32);
  memo.set(p, key);
  return key;
}

let stamp: string | undefined;

/** Sizes and modification times of Evolve's own files (dist/ or src/): they change with every build and upgrade. */
function libraryStamp(): string {
  if (stamp !== undefined) return stamp;
  const root = dirname(dirname(fileURLToPath(import.meta.url)));
  const h = createHash('sha256');
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(js|ts)$/.test(e.name)) { const s = statSync(p); h.update(`${p}\0${s.size}\0${s.mtimeMs}\n`); }
    }
  };
  walk(root);
  return stamp = h.digest('hex');
}

/** The key of `abs`'s module graph when its result is its text alone (see the file's comment), else null. */
async function pureGraph(abs: string, cache: TransformCache | null): Promise<string | null> {
  if (!cache || !cache.dir || !/\.(m?ts|tsx)$/i.test(abs)) return null;
  const p = await planScript(abs, cache).catch(() => null);
  return p ? graphKey(p, new Map()) : null;
}

/**
 * True when TypeScript module `abs` holds nothing but models, decided without running it: then it
 * defines no `versioned()` schema (it cannot name `versioned`), and needs no run to be asked.
 */
export async function onlyModels(abs: string, cache: TransformCache | null): Promise<boolean> {
  return (await pureGraph(abs, cache)) !== null;
}

/**
 * The cache key of TypeScript models module `abs` for `dialect`, or null when its result may
 * depend on more than its text (or there is no cache).
 */
export async function compiledKey(abs: string, dialect: string, cache: TransformCache | null): Promise<string | null> {
  const g = await pureGraph(abs, cache);
  if (g === null) return null;
  return createHash('sha256').update(`${FORMAT}\0${libraryStamp()}\0${dialect}\0${g}`).digest('hex').slice(0, 32);
}

/** What an entry holds: the desired schema and the module's ignored exports. */
export interface CompiledModels { readonly schema: SchemaIR; readonly ignored: readonly string[] }

const entryOf = (cache: TransformCache, key: string): string => `${cache.dir}/${key}.ir`;

/** The entry for `key`, frozen, or null. */
export function readCompiled(cache: TransformCache, key: string): CompiledModels | null {
  let text: string;
  try { text = readFileSync(entryOf(cache, key), 'utf8'); } catch { return null; }
  try {
    const v = JSON.parse(text) as CompiledModels;
    return v && typeof v === 'object' && v.schema && Array.isArray(v.schema.tables) ? deepFreeze(v) : null;
  } catch { return null; } // a damaged entry: compiled afresh, and written again
}

/** Keep `value` as the entry for `key`, then the directory within {@link IR_MAX} entries (the oldest go). */
export function writeCompiled(cache: TransformCache, key: string, value: CompiledModels): void {
  try {
    writeEntry(cache, entryOf(cache, key), JSON.stringify(value));
    const entries = readdirSync(cache.dir).filter((n) => /^[0-9a-f]+\.ir$/.test(n));
    if (entries.length <= IR_MAX) return;
    const aged = entries.map((n) => { try { return { n, t: statSync(`${cache.dir}/${n}`).mtimeMs }; } catch { return { n, t: 0 }; } })
      .filter((x) => x.n !== `${key}.ir`).sort((a, b) => a.t - b.t);
    for (const x of aged.slice(0, entries.length - IR_MAX)) { try { unlinkSync(`${cache.dir}/${x.n}`); } catch { /* gone already */ } }
  } catch { /* an unwritable cache only costs speed */ }
}
