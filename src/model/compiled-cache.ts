/**
 * Compiled models kept between commands (issue 20 point 4). Running a 1,000-table models module
 * and compiling it to a dialect's normalised IR costs ~100 ms at every command (~300 ms at 5,000
 * tables) and most of the command's allocations, for a result that only changes when the module
 * or Evolve does. So for a module whose result can depend on nothing but its text, the desired
 * schema is kept in the transform cache's directory (`KEY.ir`, JSON lines: see readCompiled),
 * and a later command with the same module graph, the same Evolve and the same dialect reads it
 * instead of running the module. The graph's key is found from each module's bytes and what a
 * `KEY.graph` entry kept of it (see GraphEntry), without transforming or scanning it again.
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
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { canonicalTableText, rememberCanonicalText } from '../ir/canonical-text.js';
import { fingerprint, rememberFingerprint } from '../ir/fingerprint.js';
import { deepFreeze, freezeTable, type ColumnType, type DefaultValue, type SchemaIR } from '../ir/schema.js';
import { planScript, type Planned } from './ts-script.js';
import { target, writeEntry, type TransformCache } from './ts-direct.js';

/** Entries kept at most (each is a whole schema: ~1.5 MB at 1,000 tables). */
export const IR_MAX = 32;

/** The format of an entry: part of its key. */
const FORMAT = 'compiled models v5';

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

/**
 * What changes with every build and upgrade of Evolve (part of every kept schema's key, here
 * and in database/kept-live.ts): a bundled build's chunk names (each
 * names its content's hash: scripts/bundle.mjs) and its two entries' sizes and modification
 * times; else (src/, or dist/ as tsc alone writes it) the sizes and times of every file.
 */
export function libraryStamp(): string {
  if (stamp !== undefined) return stamp;
  const root = dirname(dirname(fileURLToPath(import.meta.url)));
  const h = createHash('sha256');
  try {
    const chunks = readdirSync(join(root, 'chunks')).sort();
    if (chunks.length > 0) {
      for (const name of ['index.js', join('cli', 'main.js')]) { const s = statSync(join(root, name)); h.update(`${name}\0${s.size}\0${s.mtimeMs}\n`); }
      h.update(chunks.join('\n'));
      return stamp = h.digest('hex');
    }
  } catch { /* not a bundled build */ }
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

/**
 * What a later command needs of one module of a graph the script path planned, kept beside the
 * transform cache (`KEY.graph`, keyed by the module's bytes): its transform key, whether it is
 * pure on its own, and its imports (`evolve`, `builtin`, or the file a relative import names).
 * With them a command finds the graph's key by hashing each module's bytes, read into a buffer:
 * neither the source nor the transformed code is made a string (a 5,000-table module is 4.7 MB
 * of each, kept in V8's large-object space until the command ends), nor scanned again.
 */
interface GraphEntry { readonly key: string; readonly pure: boolean; readonly deps: readonly (readonly [string, string])[] }

const GRAPH_FORMAT = 'module graph v1';
const graphEntryOf = (cache: TransformCache, file: string, bytes: Uint8Array): string =>
  `${cache.dir}/${createHash('sha256').update(`${GRAPH_FORMAT}\0${cache.key}\0${file}\0`).update(bytes).digest('hex').slice(0, 32)}.graph`;

function readBytes(file: string): Buffer | null {
  try { return readFileSync(file); } catch { return null; }
}

/** Graph key of `file` from the kept entries alone; undefined when one is missing (then the graph is planned). */
function keptGraphKey(cache: TransformCache, file: string, visiting: Set<string>): string | null | undefined {
  if (visiting.has(file)) return null; // a cycle now: the script path refuses it
  const bytes = readBytes(file);
  if (!bytes) return undefined;
  let e: GraphEntry;
  try { e = JSON.parse(readFileSync(graphEntryOf(cache, file, bytes), 'utf8')) as GraphEntry; } catch { return undefined; }
  if (!e.pure) return null;
  visiting.add(file);
  try {
    const h = createHash('sha256').update(e.key);
    for (const [spec, d] of [...e.deps].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      if (d === 'builtin') return null;
      // The import may name another file now (`./x` was x/index.ts, and an x.ts appeared): planned again.
      if (d !== 'evolve' && target(spec, file) !== d) return undefined;
      const k = d === 'evolve' ? 'evolve' : keptGraphKey(cache, d, visiting);
      if (k === null || k === undefined) return k;
      h.update(`\0${spec}\0${k}`);
    }
    return h.digest('hex').slice(0, 32);
  } finally {
    visiting.delete(file);
  }
}

/** Keep each module's {@link GraphEntry} of planned graph `p`, then the directory within the transform cache's bound. */
function keepGraph(cache: TransformCache, p: Planned): void {
  keepEntries(cache, p, new Set());
  pruneGraphs(cache);
}

function keepEntries(cache: TransformCache, p: Planned, seen: Set<Planned>): void {
  if (seen.has(p)) return;
  seen.add(p);
  const bytes = readBytes(p.file);
  if (!bytes) return;
  let pure = verdicts.get(p.key);
  if (pure === undefined) verdicts.set(p.key, pure = pureModule(p.code));
  const deps = [...p.deps].map(([spec, d]) => [spec, typeof d === 'string' ? d : d.file] as const);
  try {
    const entry = graphEntryOf(cache, p.file, bytes);
    writeEntry(cache, entry, JSON.stringify({ key: p.key, pure, deps } satisfies GraphEntry));
    kept.add(entry);
  } catch { return; } // an unwritable cache only costs speed
  for (const d of p.deps.values()) if (typeof d !== 'string') keepEntries(cache, d, seen);
}

/** The graph entries this process wrote (never pruned by it). */
const kept = new Set<string>();

function pruneGraphs(cache: TransformCache): void {
  try {
    const all = readdirSync(cache.dir).filter((n) => /^[0-9a-f]+\.graph$/.test(n));
    const over = all.length - Math.max(cache.max, kept.size);
    if (over <= 0) return;
    const aged = all.filter((n) => !kept.has(`${cache.dir}/${n}`))
      .map((n) => { try { return { n, t: statSync(`${cache.dir}/${n}`).mtimeMs }; } catch { return { n, t: 0 }; } })
      .sort((a, b) => a.t - b.t);
    for (const x of aged.slice(0, over)) { try { unlinkSync(`${cache.dir}/${x.n}`); } catch { /* gone already */ } }
  } catch { /* an unreadable cache only costs speed */ }
}

/** The key of `abs`'s module graph when its result is its text alone (see the file's comment), else null. */
function pureGraph(abs: string, cache: TransformCache | null): Promise<string | null> {
  if (!cache || !cache.dir || !/\.(m?ts|tsx)$/i.test(abs)) return Promise.resolve(null);
  return findGraphKey(abs, cache);
}

async function findGraphKey(abs: string, cache: TransformCache): Promise<string | null> {
  const known = keptGraphKey(cache, abs, new Set());
  if (known !== undefined) return known;
  const p = await planScript(abs, cache).catch(() => null);
  if (!p) return null;
  keepGraph(cache, p);
  return graphKey(p, new Map());
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

/**
 * What an entry holds: the desired schema and the module's ignored exports; and, for an entry
 * written with one (a kept live schema: database/kept-live.ts), the schema's fingerprint, which
 * a read then takes without hashing the schema again (ir/fingerprint.ts rememberFingerprint).
 */
export interface CompiledModels { readonly schema: SchemaIR; readonly ignored: readonly string[]; readonly fingerprint?: string }

/**
 * A kind of kept schema: its entries' and texts' file extensions and its bound. The compiled
 * models are `KEY.ir` with `KEY.txt`; the live schemas a catalog key names (database/kept-live.ts)
 * are `KEY.live` with `KEY.live.txt`, bounded apart, so neither kind evicts the other.
 */
export interface EntryKind { readonly entry: string; readonly texts: string; readonly max: number }

/** The compiled models' kind of entry. */
export const MODELS_ENTRY: EntryKind = { entry: '.ir', texts: '.txt', max: IR_MAX };

/** What reading and writing an entry needs of a cache: its directory. */
type EntryDir = Pick<TransformCache, 'dir'>;

const entryOf = (cache: EntryDir, key: string, kind: EntryKind): string => `${cache.dir}/${key}${kind.entry}`;
const textsOfEntry = (cache: EntryDir, key: string, kind: EntryKind): string => `${cache.dir}/${key}${kind.texts}`;

/**
 * The canonical texts of an entry's tables, by position, from its `KEY.txt`: read whole when
 * the first is asked for (after the catalog is read, so they are never held beside its rows),
 * kept as bytes (outside V8's heap) until each has been taken once. The file's first line must be `id`
 * (the entry's own) and hold `count` texts, else every text is undefined (written as usual).
 */
function textsOf(path: string, id: string, count: number): (k: number) => string | undefined {
  let bytes: Buffer | null | undefined;
  let starts: number[] = [];
  let taken: boolean[] = [];
  let takenCount = 0;
  return (k) => {
    if (bytes === undefined) {
      bytes = null;
      try {
        const b = readFileSync(path);
        const lines: number[] = [];
        let at = b.indexOf(10);
        if (at >= 0 && b.toString('utf8', 0, at) === id) {
          lines.push(at + 1);
          while ((at = b.indexOf(10, at + 1)) >= 0) lines.push(at + 1);
          if (lines.length === count + 1 && lines[count] === b.length) { bytes = b; starts = lines; }
        }
      } catch { /* gone: the texts are written as usual */ }
    }
    if (bytes === null || k >= count) return undefined;
    const text = bytes.toString('utf8', starts[k]!, starts[k + 1]! - 1);
    // Every text taken once (a plan takes each once): the bytes go, read again if asked again.
    if (!taken[k]) { taken[k] = true; if (++takenCount === count) { bytes = undefined; taken = []; takenCount = 0; } }
    return text;
  };
}

/** A column as an entry holds it: its type and default as positions in the head's lists. */
interface KeptColumn { type: number | ColumnType; default: number | DefaultValue | null }

/**
 * The entry for `key`, frozen, or null. An entry is JSON lines: the first the entry without its
 * tables (their count, and the distinct column types and defaults, which the columns name by
 * position: one frozen object each, shared), then two lines per table: the table, and its
 * canonical text, which a fingerprint then takes without writing it again (ir/canonical-text.ts
 * rememberCanonicalText; JSON never holds a raw line break). Read from a buffer line by line, no text is ever as large as the schema: a string
 * past V8's regular-object size goes to the large-object space, which only a full collection
 * frees, and a short command never runs one (10 MB at 5,000 tables, kept to the end of the command).
 */
export function readCompiled(cache: EntryDir, key: string, kind: EntryKind = MODELS_ENTRY): CompiledModels | null {
  let data: Buffer;
  try { data = readFileSync(entryOf(cache, key, kind)); } catch { return null; }
  try {
    let at = data.indexOf(10);
    if (at < 0) return null;
    const head = JSON.parse(data.toString('utf8', 0, at)) as {
      ignored: string[]; schema: Omit<SchemaIR, 'tables'>; tables: number; types: ColumnType[]; defaults: DefaultValue[]; texts?: string;
      fingerprint?: string;
    };
    if (!Array.isArray(head.types) || !Array.isArray(head.defaults)) return null;
    // Each table's canonical text, read from `KEY.txt` when a fingerprint first asks (see entryText).
    const texts = typeof head.texts === 'string' ? textsOf(textsOfEntry(cache, key, kind), head.texts, head.tables) : null;
    const types = head.types.map((t) => deepFreeze(t));
    const defaults = head.defaults.map((d) => deepFreeze(d));
    const tables: SchemaIR['tables'][number][] = [];
    while (tables.length < head.tables) {
      const end = data.indexOf(10, at + 1);
      if (end < 0) return null;
      const t = JSON.parse(data.toString('utf8', at + 1, end)) as SchemaIR['tables'][number];
      const columns = t.columns as unknown as KeptColumn[];
      for (let k = 0; k < columns.length; k++) {
        const c = columns[k]!;
        const type = types[c.type as number];
        if (type === undefined) return null;
        c.type = type;
        if (c.default !== null) {
          const d = defaults[c.default as number];
          if (d === undefined) return null;
          c.default = d;
        }
      }
      const frozen = freezeTable(t);
      const k = tables.length;
      if (texts) rememberCanonicalText(frozen, () => texts(k));
      tables.push(frozen);
      at = end;
    }
    if (at !== data.length - 1 || !Array.isArray(head.ignored) || !head.schema || typeof head.schema !== 'object') return null;
    const read = deepFreeze({ schema: { ...head.schema, tables }, ignored: head.ignored });
    if (typeof head.fingerprint === 'string') rememberFingerprint(read.schema, head.fingerprint);
    return read;
  } catch { return null; } // a damaged entry: compiled afresh, and written again
}

/**
 * An entry's text and its tables' canonical texts (`KEY.txt`: the line `id`, then a text per
 * table; see {@link readCompiled}). `id` is new at each write, so an entry never takes the texts
 * of another write of the same key.
 */
function entryText(value: CompiledModels, id: string, fingerprintOf?: (schema: SchemaIR) => string): { entry: string; texts: string } {
  const { tables, ...rest } = value.schema;
  const types: unknown[] = [];
  const defaults: unknown[] = [];
  const typeAt = new Map<string, number>();
  const defaultAt = new Map<string, number>();
  const at = (m: Map<string, number>, list: unknown[], v: unknown): number => {
    const text = JSON.stringify(v);
    let i = m.get(text);
    if (i === undefined) { m.set(text, i = list.length); list.push(v); }
    return i;
  };
  const lines: string[] = [];
  const texts: string[] = [id];
  for (const t of tables) {
    const columns = t.columns.map((c) => ({ ...c, type: at(typeAt, types, c.type), default: c.default === null ? null : at(defaultAt, defaults, c.default) }));
    lines.push(JSON.stringify({ ...t, columns }));
    const text = canonicalTableText(t);
    texts.push(text);
    rememberCanonicalText(t, text); // (a frozen table's: its fingerprint is then hashed from it, not written again)
  }
  const fingerprint = fingerprintOf?.(value.schema);
  const head = { ignored: value.ignored, schema: rest, tables: tables.length, types, defaults, texts: id, ...(fingerprint ? { fingerprint } : {}) };
  return {
    entry: `${[JSON.stringify(head), ...lines].join('\n')}\n`,
    texts: `${texts.join('\n')}\n`,
  };
}

/**
 * Keep `value` as the entry for `key`, then the directory within `kind`'s bound (the oldest go).
 * `withFingerprint`: the entry holds the schema's fingerprint (hashed from the texts just written),
 * and the schema, when frozen, takes it from now on.
 */
export function writeCompiled(cache: EntryDir, key: string, value: CompiledModels, kind: EntryKind = MODELS_ENTRY, withFingerprint = false): void {
  try {
    const print = (schema: SchemaIR): string => { const fp = fingerprint(schema); rememberFingerprint(schema, fp); return fp; };
    const { entry, texts } = entryText(value, randomBytes(8).toString('hex'), withFingerprint ? print : undefined);
    writeEntry(cache, textsOfEntry(cache, key, kind), texts); // first: an entry is never without its texts
    writeEntry(cache, entryOf(cache, key, kind), entry);
    const names = readdirSync(cache.dir);
    const isEntry = (n: string): boolean => n.endsWith(kind.entry) && /^[0-9a-f]+$/.test(n.slice(0, -kind.entry.length));
    const entries = names.filter(isEntry);
    // Texts whose entry went (another process's bound): theirs go too.
    for (const n of names) {
      if (!n.endsWith(kind.texts) || !/^[0-9a-f]+$/.test(n.slice(0, -kind.texts.length))) continue;
      if (entries.includes(n.slice(0, -kind.texts.length) + kind.entry)) continue;
      try { unlinkSync(`${cache.dir}/${n}`); } catch { /* gone already */ }
    }
    if (entries.length <= kind.max) return;
    const aged = entries.map((n) => { try { return { n, t: statSync(`${cache.dir}/${n}`).mtimeMs }; } catch { return { n, t: 0 }; } })
      .filter((x) => x.n !== `${key}${kind.entry}`).sort((a, b) => a.t - b.t);
    for (const x of aged.slice(0, entries.length - kind.max)) {
      const base = x.n.slice(0, -kind.entry.length);
      for (const f of [x.n, base + kind.texts]) { try { unlinkSync(`${cache.dir}/${f}`); } catch { /* gone already */ } }
    }
  } catch { /* an unwritable cache only costs speed */ }
}
