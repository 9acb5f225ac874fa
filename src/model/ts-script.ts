/**
 * The fastest path for a TypeScript module that imports only `evolve`, Node's own modules and
 * other such TypeScript modules: run as a script with V8's code cache. Node 20 keeps no compiled
 * code of ES modules between runs, so a 5,000-table models module was compiled from its 1.6 MB
 * at every command (~100 ms, and each foreign key's `() => t.columns.id` at its first call);
 * here each module's CommonJS form (esbuild's, cached by content like the ES form) runs through
 * `vm.Script` with the code V8 compiled for it last time (`KEY.v8` beside the entry, written
 * after the module ran, so it holds the functions the run compiled too). Measured: a 5,000-table
 * module with indexes and foreign keys 459–485 ms as an ES module, 221–285 ms this way.
 *
 * The module graph is checked whole before anything runs (each import is `evolve`, a built-in or
 * a relative TypeScript module of the same kind; no cycle, no `import.meta`, no dynamic
 * `import()`, no top-level `await`); otherwise nothing has run and the caller takes the ES
 * module path. Modules run once per content and process, dependencies first, in strict mode —
 * what an ES module graph without cycles does.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { BUILTINS, mapped, notePrepared, target, transformed, TS, writeEntry, type TransformCache } from './ts-direct.js';

/** One module of the graph, checked and transformed, not yet run. */
export interface Planned {
  readonly file: string;
  readonly key: string;
  readonly entry: string;
  readonly code: string;
  readonly map: string;
  /** Each `require("…")` esbuild wrote: `evolve`, a built-in, or the module it names. */
  readonly deps: ReadonlyMap<string, 'evolve' | 'builtin' | Planned>;
}

/** The modules run by this process, by content key: their exports. */
const ran = new Map<string, { exports: Record<string, unknown> }>();

const REQUIRE = /\brequire\("([^"\n]+)"\)/g;

/** `file` and what it imports, checked and transformed; null when some part needs the ES module path. */
async function plan(cache: TransformCache, file: string, visiting: Set<string>): Promise<Planned | null> {
  if (visiting.has(file)) return null; // a cycle: ES modules give it live bindings
  visiting.add(file);
  const source = readFileSync(file, 'utf8');
  if (/\bimport\s*(\.\s*meta\b|\()|\brequire\s*\(|__dirname|__filename/.test(source)) return null;
  const t = await transformed(cache, file, source, 'cjs');
  const deps = new Map<string, 'evolve' | 'builtin' | Planned>();
  for (const m of t.code.matchAll(REQUIRE)) {
    const spec = m[1]!;
    if (deps.has(spec)) continue;
    if (spec === 'evolve') deps.set(spec, 'evolve');
    else if (spec.startsWith('node:') || BUILTINS.has(spec)) deps.set(spec, 'builtin');
    else if (/^\.{1,2}\//.test(spec)) {
      const f = target(spec, file);
      const p = f !== null && TS.test(f) ? await plan(cache, f, visiting) : null;
      if (!p) return null;
      deps.set(spec, p);
    } else return null;
  }
  visiting.delete(file);
  return { file, key: t.key, entry: t.entry, code: t.code, map: t.map, deps };
}

/** Run `p` (its dependencies first, each once) with its code cache, and give its exports. */
function run(cache: TransformCache, p: Planned, evolve: Record<string, unknown>): Record<string, unknown> {
  const done = ran.get(p.key);
  if (done) return done.exports;
  const module = { exports: {} as Record<string, unknown> };
  const nodeRequire = createRequire(p.file);
  const require = (spec: string): unknown => {
    const d = p.deps.get(spec);
    if (d === 'evolve') return evolve;
    if (d === 'builtin') return nodeRequire(spec);
    if (d) return run(cache, d, evolve);
    throw new Error(`Cannot find module '${spec}' imported from ${p.file}`);
  };
  const url = pathToFileURL(p.entry).href;
  notePrepared(url, p.file, p.map);
  const codeCache = `${cache.dir}/${p.key}.v8`;
  let cachedData: Buffer | undefined;
  try { cachedData = readFileSync(codeCache); } catch { /* none yet */ }
  // Parenthesised, V8 compiles the module's body at once (and from the cache, all of it is there).
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {"use strict";${p.code}\n})`,
    { filename: url, ...(cachedData ? { cachedData } : {}) });
  const fn = script.runInThisContext() as (e: unknown, r: unknown, m: unknown, f: string, d: string) => void;
  ran.set(p.key, module);
  try {
    fn.call(module.exports, module.exports, require, module, p.file, dirname(p.file));
  } catch (e) {
    ran.delete(p.key);
    throw mapped(e);
  }
  if (!cachedData || script.cachedDataRejected) {
    try { writeEntry(cache, codeCache, script.createCachedData()); } catch { /* an unwritable cache only costs speed */ }
  }
  return module.exports;
}

/**
 * The module graph of TypeScript module `abs`, checked and transformed (nothing run), or null
 * when it or a module it imports needs the ES module path.
 */
export async function planScript(abs: string, cache: TransformCache): Promise<Planned | null> {
  try { return await plan(cache, abs, new Set()); } catch (e) {
    if (/Top-level await|not supported with the "cjs" output format/i.test(String((e as Error).message))) return null;
    throw e;
  }
}

/**
 * Run TypeScript module `abs` as a script (see the file's comment), or return null — having run
 * nothing — when it or a module it imports needs the ES module path.
 */
export async function importScript(abs: string, cache: TransformCache, evolveUrl: string): Promise<Record<string, unknown> | null> {
  const p = await planScript(abs, cache);
  if (!p) return null;
  return run(cache, p, await import(evolveUrl) as Record<string, unknown>);
}
