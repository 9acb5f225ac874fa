/**
 * The fastest way a TypeScript module loads on a Node without in-thread module hooks: no
 * loader thread at all. Each module's types are stripped once per content (esbuild's transform,
 * started only on a cache miss), its `import … from 'evolve'` is rewritten to the copy already
 * running and its relative imports to the prepared files of the modules they name, and the
 * result is imported from the cache directory as a plain ES module. A module this cannot give
 * exactly (one that imports a package other than `evolve`, uses `import.meta` or a dynamic
 * `import()`, or sits in an import cycle) returns `null`, and the caller loads it through the
 * loader hooks instead.
 *
 * The code is kept without its source map (a map inline is three times the code's size, which
 * Node would read and compile past at every start: 10 MB for a 5,000-table module); the map is kept
 * beside it and read only when the module throws, to name the TypeScript line in the error.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { builtinModules, SourceMap } from 'node:module';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** What the hooks and this path agree on: the cache directory, the key of esbuild's version and options, the bound. */
export interface TransformCache { dir: string; key: string; max: number; esbuild: string }

export const TS = /\.(m?ts|tsx)$/i;
/** esbuild prints every static import and re-export as one statement ending in `from "…";` (or `import "…";`). */
const SPECIFIER = /^(\s*(?:import|export)\b[^;"'`]*?\bfrom\s*|\s*import\s*)"([^"\n]+)";/gm;
export const BUILTINS = new Set(builtinModules);

/** The options of the transform: part of every entry's key. */
const MAPS = 'maps apart v2';

/**
 * The transformed code of `file` (`source`) as an ES module or, for the script path
 * (ts-script.ts), as CommonJS; from the cache or from esbuild (then cached, its source map beside
 * it as `KEY.map`). `key`: the entry's name, which changes with the code.
 */
export async function transformed(
  cache: TransformCache, file: string, source: string, format: 'esm' | 'cjs' = 'esm',
): Promise<{ code: string; map: string; key: string; entry: string }> {
  const key = createHash('sha256').update(cache.key).update(MAPS).update(format === 'esm' ? '' : ' cjs').update('\0').update(file)
    .update('\0').update(source).digest('hex').slice(0, 32);
  const entry = `${cache.dir}/${key}.js`;
  const map = `${cache.dir}/${key}.map`;
  try {
    const code = readFileSync(entry, 'utf8');
    used.add(entry);
    return { code, map, key, entry };
  } catch { /* a miss */ }
  const esbuild = await import(cache.esbuild) as typeof import('esbuild');
  const out = await esbuild.transform(source, {
    loader: /x$/i.test(file) ? 'tsx' : 'ts', format, target: 'node20', sourcemap: 'external', sourcefile: file,
  });
  writeEntry(cache, map, out.map);
  put(cache, entry, out.code);
  return { code: out.code, map, key, entry };
}

/** The cache entries this process wrote or read: never evicted by its own bound (a module it still has to import). */
const used = new Set<string>();

/** Write a cache file atomically. */
export function writeEntry(cache: Pick<TransformCache, 'dir'>, entry: string, code: string | Uint8Array): void {
  mkdirSync(cache.dir, { recursive: true });
  const part = `${entry}.${process.pid}.part`;
  writeFileSync(part, code);
  renameSync(part, entry);
  used.add(entry);
}

/**
 * Write a cache entry atomically, then keep the directory within its bound: at most `max`
 * transformed modules (`KEY.js`, with its `KEY.map`) and `max` prepared ones (`KEY.mjs`), the
 * oldest going first — never one this process uses.
 */
function put(cache: TransformCache, entry: string, code: string): void {
  writeEntry(cache, entry, code);
  const names = readdirSync(cache.dir);
  const remove = (n: string): void => { try { unlinkSync(`${cache.dir}/${n}`); } catch { /* gone already */ } };
  for (const kind of [/^[0-9a-f]+\.js$/, /^[0-9a-f]+\.mjs$/]) {
    const all = names.filter((n) => kind.test(n));
    const over = all.length - cache.max;
    if (over <= 0) continue;
    const aged = all.filter((n) => !used.has(`${cache.dir}/${n}`))
      .map((n) => { try { return { n, t: statSync(`${cache.dir}/${n}`).mtimeMs }; } catch { return { n, t: 0 }; } });
    aged.sort((a, b) => a.t - b.t);
    for (const x of aged.slice(0, over)) remove(x.n);
  }
  // A map and a code cache go with their module's code (whoever removed that).
  const left = new Set(readdirSync(cache.dir));
  for (const n of left) if (/^[0-9a-f]+\.(map|v8)$/.test(n) && !left.has(n.replace(/\.(map|v8)$/, '.js'))) remove(n);
}

/** The file a relative import of a TypeScript module names (`./x.js` may name `./x.ts`; no extension too). */
export function target(spec: string, from: string): string | null {
  const base = resolve(dirname(from), spec);
  const bare = base.replace(/\.(m?js|jsx)$/i, '');
  for (const f of [base, `${bare}.ts`, `${bare}.mts`, `${bare}.tsx`, `${bare}/index.ts`]) {
    if (existsSync(f) && statSync(f).isFile()) return f;
  }
  return null;
}

/** A module and the relative TypeScript modules it imports, prepared: the URL to import, or null. */
async function prepare(cache: TransformCache, file: string, evolveUrl: string, visiting: Set<string>): Promise<string | null> {
  if (visiting.has(file)) return null; // a cycle: the hooks give it its live bindings
  visiting.add(file);
  const source = readFileSync(file, 'utf8');
  if (/\bimport\s*(\.\s*meta\b|\()|\brequire\s*\(|__dirname|__filename/.test(source)) return null;
  const { code, map } = await transformed(cache, file, source);
  const parts: string[] = [];
  let last = 0;
  for (const m of code.matchAll(SPECIFIER)) {
    const spec = m[2]!;
    let url: string | null;
    if (spec === 'evolve') url = evolveUrl;
    else if (spec.startsWith('node:') || BUILTINS.has(spec)) url = spec;
    else if (/^\.{1,2}\//.test(spec)) {
      const f = target(spec, file);
      url = f === null ? null : TS.test(f) ? await prepare(cache, f, evolveUrl, visiting) : null;
    } else url = null;
    if (url === null) return null;
    parts.push(code.slice(last, m.index), m[1]!, JSON.stringify(url), ';');
    last = m.index + m[0].length;
  }
  parts.push(code.slice(last));
  visiting.delete(file);
  const out = parts.join('');
  const entry = `${cache.dir}/${createHash('sha256').update(out).digest('hex').slice(0, 32)}.mjs`;
  if (existsSync(entry)) used.add(entry); else put(cache, entry, out);
  const url = pathToFileURL(entry).href;
  prepared.set(url, { file, map });
  return url;
}

/** The modules prepared by this process: each cache URL's TypeScript file and source map. */
const prepared = new Map<string, { file: string; map: string }>();

/** Name the TypeScript file and source map of code run from cache URL `url` (its errors are mapped back to the file's lines). */
export function notePrepared(url: string, file: string, map: string): void { prepared.set(url, { file, map }); }

/** Source maps read so far (only when a module threw). */
const maps = new Map<string, SourceMap | null>();

function sourceMap(path: string): SourceMap | null {
  if (!maps.has(path)) {
    try { maps.set(path, new SourceMap(JSON.parse(readFileSync(path, 'utf8')) as ConstructorParameters<typeof SourceMap>[0])); } catch { maps.set(path, null); }
  }
  return maps.get(path)!;
}

/** `url:line:col` of a prepared module, as `file:LINE:COL` of its TypeScript (1-based, as stacks print them). */
function original(url: string, line: number, col: number): string | null {
  const p = prepared.get(url);
  if (!p) return null;
  // No map (the cache's bound removed it): the line is the transformed code's, which would mislead.
  const e = sourceMap(p.map)?.findEntry(line - 1, col - 1) as { originalLine?: number; originalColumn?: number } | undefined;
  if (!e || e.originalLine === undefined) return null;
  return `${p.file}:${e.originalLine + 1}:${(e.originalColumn ?? 0) + 1}`;
}

/** An error thrown by a prepared module, its stack naming the TypeScript files and lines instead of the cache's. */
export function mapped(e: unknown): unknown {
  if (!(e instanceof Error) || typeof e.stack !== 'string' || !prepared.size) return e;
  const frame = /(file:\/\/[^\s()]+?\.m?js):(\d+):(\d+)/g;
  const stack = e.stack.replace(frame, (all, url: string, l: string, c: string) => original(url, Number(l), Number(c)) ?? all);
  if (stack !== e.stack) {
    try { Object.defineProperty(e, 'stack', { value: stack, configurable: true, writable: true }); } catch { /* a frozen error keeps its stack */ }
  }
  return e;
}

/**
 * Import TypeScript module `abs` without loader hooks, or return null when it needs them (see
 * the file's comment) or the cache directory cannot be written.
 */
export async function importDirect(abs: string, cache: TransformCache, evolveUrl: string): Promise<Record<string, unknown> | null> {
  let url: string | null;
  try { url = await prepare(cache, abs, evolveUrl, new Set()); } catch (e) {
    if ((e as { code?: string }).code && /^E(ACCES|PERM|ROFS|NOSPC|NOTDIR|EXIST)$/.test(String((e as { code?: string }).code))) return null;
    throw e;
  }
  if (url === null) return null;
  try {
    return await import(url) as Record<string, unknown>;
  } catch (e) {
    throw mapped(e);
  }
}
