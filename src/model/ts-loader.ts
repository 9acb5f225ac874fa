/**
 * Loading a user's TypeScript module (models, config, steps, evolutions) fast: one module
 * loader hook, registered once per process, strips the types of `.ts`/`.mts`/`.tsx` files with
 * esbuild's transform (no type check) — kept by content in a bounded cache outside the temp
 * directory ({@link transformCacheDir}), so an unchanged module never starts esbuild — and makes the
 * module's `import … from 'evolve'` resolve to the copy of Evolve already running, so the
 * library is never loaded twice. Relative imports written the TypeScript way (`./other.js`
 * naming `./other.ts`, or without an extension) resolve to the TypeScript file.
 *
 * A module is loaded once per content: importing it again unchanged gives the same module; an
 * edited one (and the relative imports it makes) loads afresh. A module that needs CommonJS
 * (`.cts`, or `require`, `__dirname` in a `.ts` file) is loaded through tsx instead, as before.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { importDirect, type TransformCache } from './ts-direct.js';
import { importScript } from './ts-script.js';

/** The hooks, run by Node in its loader thread; `data` carries esbuild's and Evolve's URLs. */
const HOOKS = String.raw`
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
let esbuildUrl, esbuild, evolveUrl, cacheDir, cacheKey, cacheMax;
const TS = /\.(m?ts|tsx)$/i;
export async function initialize(data) {
  esbuildUrl = data.esbuild; evolveUrl = data.evolve; cacheDir = data.cacheDir; cacheKey = data.cacheKey; cacheMax = data.cacheMax;
}
// The transformed code of a module, by content (path, source, esbuild's version): a hit skips
// starting esbuild's service at all. Bounded: past cacheMax entries the oldest are removed.
async function transformed(file, source) {
  const key = createHash('sha256').update(cacheKey).update('\0').update(file).update('\0').update(source).digest('hex').slice(0, 32);
  const entry = cacheDir ? cacheDir + '/' + key + '.js' : null;
  if (entry) { try { return await readFile(entry, 'utf8'); } catch { /* a miss */ } }
  esbuild ??= await import(esbuildUrl);
  const { code } = await esbuild.transform(source, {
    loader: /x$/i.test(file) ? 'tsx' : 'ts', format: 'esm', target: 'node20', sourcemap: 'inline', sourcefile: file,
  });
  if (entry) {
    try {
      await mkdir(cacheDir, { recursive: true });
      const part = entry + '.' + process.pid + '.part';
      await writeFile(part, code);
      await rename(part, entry);
      const names = (await readdir(cacheDir)).filter((n) => n.endsWith('.js'));
      if (names.length > cacheMax) {
        const aged = await Promise.all(names.map(async (n) => ({ n, t: (await stat(cacheDir + '/' + n).catch(() => ({ mtimeMs: 0 }))).mtimeMs })));
        aged.sort((a, b) => a.t - b.t);
        await Promise.all(aged.slice(0, names.length - cacheMax).map((x) => unlink(cacheDir + '/' + x.n).catch(() => undefined)));
      }
    } catch { /* an unwritable cache only costs speed */ }
  }
  return code;
}
// A module imported as file.ts?evolve=<version> passes its version on to the relative imports
// it makes, so an edited module loads afresh with the modules it imports.
const versioned = (result, parent) => {
  const v = parent ? new URL(parent).searchParams.get('evolve') : null;
  if (!v || !result.url.startsWith('file:') || result.url.includes('/node_modules/')) return result;
  const u = new URL(result.url);
  u.searchParams.set('evolve', v);
  return { ...result, url: u.href };
};
export async function resolve(specifier, context, next) {
  if (specifier === 'evolve' && evolveUrl) return { url: evolveUrl, shortCircuit: true };
  const parent = context.parentURL;
  const relative = /^\.{1,2}\//.test(specifier);
  try {
    const r = await next(specifier, context);
    return relative ? versioned(r, parent) : r;
  } catch (e) {
    if (!parent || !TS.test(new URL(parent).pathname) || !relative) throw e;
    const bare = specifier.replace(/\.(m?js|jsx)$/i, '');
    for (const ext of ['.ts', '.mts', '.tsx', '/index.ts']) {
      try { return versioned(await next(bare + ext, context), parent); } catch { /* the next spelling */ }
    }
    throw e;
  }
}
export async function load(url, context, next) {
  if (url.startsWith('file:') && TS.test(new URL(url).pathname)) {
    const file = fileURLToPath(url);
    return { format: 'module', source: await transformed(file, await readFile(file, 'utf8')), shortCircuit: true };
  }
  return next(url, context);
}
`;

let registered = false;

/** This library's entry (`dist/index.js`, or `src/index.ts` when running from source). */
function evolveEntry(): string {
  for (const name of ['../index.js', '../index.ts']) {
    const url = new URL(name, import.meta.url);
    if (existsSync(fileURLToPath(url))) return url.href;
  }
  return new URL('../index.js', import.meta.url).href;
}

/** Entries the transform cache keeps (one per module version; the oldest go first); `EVOLVE_CACHE_MAX` sets another bound. */
const CACHE_MAX = 256;
const cacheMax = (): number => { const n = Number(process.env.EVOLVE_CACHE_MAX); return Number.isInteger(n) && n > 0 ? n : CACHE_MAX; };

/**
 * Where transformed TypeScript is kept between commands: `EVOLVE_CACHE_DIR` (empty: no cache),
 * else `$XDG_CACHE_HOME/evolve/ts` or `~/.cache/evolve/ts` — never the temp directory.
 */
export function transformCacheDir(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.EVOLVE_CACHE_DIR !== undefined) return env.EVOLVE_CACHE_DIR === '' ? null : env.EVOLVE_CACHE_DIR;
  const base = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'evolve', 'ts');
}

let cache: TransformCache | undefined;

/** esbuild's URL, the cache directory (or '' for none) and the key of esbuild's version and options. */
export function cacheConfig(): TransformCache {
  if (cache) return cache;
  const require = createRequire(import.meta.url);
  const esbuild = pathToFileURL(require.resolve('esbuild')).href;
  const version = (JSON.parse(readFileSync(require.resolve('esbuild/package.json'), 'utf8')) as { version: string }).version;
  return cache = { dir: transformCacheDir() ?? '', key: `esbuild ${version} node20 inline-map v1`, max: cacheMax(), esbuild };
}

/** Register the hooks once for this process. */
function ensureHooks(): void {
  if (registered) return;
  registered = true;
  const c = cacheConfig();
  register(`data:text/javascript,${encodeURIComponent(HOOKS)}`, {
    data: { esbuild: c.esbuild, evolve: evolveEntry(), cacheDir: c.dir || null, cacheKey: c.key, cacheMax: c.max },
  });
  // Stack traces of a module's own errors name its TypeScript lines (the transform's inline source map).
  process.setSourceMapsEnabled(true);
}

/**
 * Import JavaScript module `abs` natively; when it imports `evolve` from where no `evolve`
 * package is installed, again through the hooks, which resolve it to the running copy.
 */
export async function importJavaScript(abs: string): Promise<Record<string, unknown>> {
  const href = pathToFileURL(abs).href;
  const source = readFileSync(abs);
  // Straight through the hooks when the module imports `evolve` and no package provides it
  // there: a native import would compile the module only to fail linking it.
  if (!/['"]evolve['"]/.test(source.toString('utf8')) || resolvesEvolve(abs)) {
    try {
      return await import(href) as Record<string, unknown>;
    } catch (e) {
      if ((e as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND' || !/'evolve'/.test(String((e as Error).message))) throw e;
    }
  }
  ensureHooks();
  return await import(`${href}?evolve=${createHash('sha1').update(source).digest('hex').slice(0, 16)}`) as Record<string, unknown>;
}

/** Whether a package named `evolve` is installed where module `abs` would look for it. */
function resolvesEvolve(abs: string): boolean {
  try { createRequire(abs).resolve('evolve'); return true; } catch { return false; }
}

/** A failure that says the module needs CommonJS, which the fast path does not give. */
const NEEDS_COMMONJS = /\b(require|__dirname|__filename|module|exports) is not defined\b/;

/**
 * Import TypeScript module `abs` (an absolute path) through the fast path, or through tsx when
 * it needs CommonJS (`.cts`, `require`, `__dirname`).
 */
export async function importTypeScript(abs: string): Promise<Record<string, unknown>> {
  const href = pathToFileURL(abs).href;
  if (!/\.cts$/i.test(abs)) {
    // No loader thread at all where the module allows it (ts-direct.ts); else the hooks.
    const c = cacheConfig();
    // As a script with V8's code cache where the module graph allows (ts-script.ts), else as ES modules from the cache (ts-direct.ts).
    const direct = c && c.dir ? (await importScript(abs, c, evolveEntry())) ?? await importDirect(abs, c, evolveEntry()) : null;
    if (direct) return direct;
    ensureHooks();
    // Versioned by content: one command loads a module once; an edited one loads afresh.
    const version = createHash('sha1').update(readFileSync(abs)).digest('hex').slice(0, 16);
    try {
      return await import(`${href}?evolve=${version}`) as Record<string, unknown>;
    } catch (e) {
      if (!(e instanceof ReferenceError && NEEDS_COMMONJS.test(e.message))) throw e;
    }
  }
  const { tsImport } = await import('tsx/esm/api');
  return await tsImport(href, import.meta.url) as Record<string, unknown>;
}
