/**
 * The fastest way a TypeScript module loads on a Node without in-thread module hooks: no
 * loader thread at all. Each module's types are stripped once per content (esbuild's transform,
 * started only on a cache miss), its `import … from 'evolve'` is rewritten to the copy already
 * running and its relative imports to the prepared files of the modules they name, and the
 * result is imported from the cache directory as a plain ES module. A module this cannot give
 * exactly (one that imports a package other than `evolve`, uses `import.meta` or a dynamic
 * `import()`, or sits in an import cycle) returns `null`, and the caller loads it through the
 * loader hooks instead.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** What the hooks and this path agree on: the cache directory, the key of esbuild's version and options, the bound. */
export interface TransformCache { dir: string; key: string; max: number; esbuild: string }

const TS = /\.(m?ts|tsx)$/i;
/** esbuild prints every static import and re-export as one statement ending in `from "…";` (or `import "…";`). */
const SPECIFIER = /^(\s*(?:import|export)\b[^;"'`]*?\bfrom\s*|\s*import\s*)"([^"\n]+)";/gm;
const BUILTINS = new Set(builtinModules);

/** The transformed code of `file` (`source`), from the cache or from esbuild (then cached). */
async function transformed(cache: TransformCache, file: string, source: string): Promise<string> {
  const key = createHash('sha256').update(cache.key).update('\0').update(file).update('\0').update(source).digest('hex').slice(0, 32);
  const entry = `${cache.dir}/${key}.js`;
  try { return readFileSync(entry, 'utf8'); } catch { /* a miss */ }
  const esbuild = await import(cache.esbuild) as typeof import('esbuild');
  const { code } = await esbuild.transform(source, {
    loader: /x$/i.test(file) ? 'tsx' : 'ts', format: 'esm', target: 'node20', sourcemap: 'inline', sourcefile: file,
  });
  put(cache, entry, code);
  return code;
}

/** Write a cache entry atomically, then keep the directory within its bound (oldest first). */
function put(cache: TransformCache, entry: string, code: string): void {
  mkdirSync(cache.dir, { recursive: true });
  const part = `${entry}.${process.pid}.part`;
  writeFileSync(part, code);
  renameSync(part, entry);
  const names = readdirSync(cache.dir).filter((n) => /\.m?js$/.test(n));
  if (names.length <= cache.max) return;
  const aged = names.map((n) => { try { return { n, t: statSync(`${cache.dir}/${n}`).mtimeMs }; } catch { return { n, t: 0 }; } });
  aged.sort((a, b) => a.t - b.t);
  for (const x of aged.slice(0, names.length - cache.max)) { try { unlinkSync(`${cache.dir}/${x.n}`); } catch { /* gone already */ } }
}

/** The file a relative import of a TypeScript module names (`./x.js` may name `./x.ts`; no extension too). */
function target(spec: string, from: string): string | null {
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
  const code = await transformed(cache, file, source);
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
  if (!existsSync(entry)) put(cache, entry, out);
  return pathToFileURL(entry).href;
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
  return await import(url) as Record<string, unknown>;
}
