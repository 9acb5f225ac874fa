/**
 * The second half of `npm run build`: after tsc has written dist/ (every module, with its
 * types), the two entry points people load — the CLI (dist/cli/main.js) and the library
 * (dist/index.js) — are written again as bundles whose shared code sits in dist/chunks/, so a
 * command loads a few files instead of some two hundred (each one resolved, read and linked).
 * The library and the CLI share those chunks: a models module's `import 'evolve'` and the CLI
 * that compiles it use one copy. Code that finds files beside itself (import.meta.url) must
 * not land in dist/index.js, one level above the rest; the build fails if it does.
 * Usage: node scripts/bundle.mjs [outdir] (default dist).
 */
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const out = process.argv[2] ?? 'dist';

/**
 * Packages written into the bundle with what they require, instead of being loaded from
 * node_modules at run time: the MySQL driver is some ninety CommonJS files, each resolved, read
 * and compiled by every MySQL command (~20 ms of it), PostgreSQL's some forty. Each sits in the
 * chunk its dialect loads, so other commands never read it. commander (the CLI's parser, six
 * files) sits in the CLI's. Every other package stays external.
 */
const BUNDLED = /^(mysql2|pg|commander)(\/|$)/;

/**
 * commander requires `node:child_process` when it loads, for subcommands that are executables of
 * their own (Evolve has none): loading it costs every command ~8 ms (child_process, net, dgram,
 * streams). In the bundle commander gets it when it first spawns one, if ever.
 */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]commander[\\/]lib[\\/]command\.js$/ }, (a) => {
      const source = readFileSync(a.path, 'utf8');
      const eager = "const childProcess = require('node:child_process');";
      if (!source.includes(eager)) throw new Error(`${a.path}: commander no longer requires node:child_process as this build expects; update scripts/bundle.mjs`);
      const lazy = "const childProcess = { spawn: (...args) => require('node:child_process').spawn(...args) };";
      return { contents: source.replace(eager, lazy), loader: 'js' };
    });
  },
};

/** What a bundled package requires only where it runs elsewhere (pg's native bindings, Cloudflare's sockets): left external. */
const OPTIONAL = /^(pg-native|pg-cloudflare)(\/|$)/;

/** A bundled package's CommonJS code requires Node's built-in modules: `require` is made for each output file. */
const REQUIRE_BANNER = "import { createRequire as __evolveCreateRequire } from 'node:module'; const require = __evolveCreateRequire(import.meta.url);";

const externals = {
  name: 'externals',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (a) => {
      if (OPTIONAL.test(a.path)) return { path: a.path, external: true };
      if (BUNDLED.test(a.path) || a.importer.includes('/node_modules/')) return undefined; // bundled (a built-in stays external)
      return { path: a.path, external: true };
    });
  },
};
rmSync(join(out, 'chunks'), { recursive: true, force: true });
await build({
  entryPoints: ['src/cli/main.ts', 'src/index.ts'],
  outbase: 'src',
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  plugins: [externals, lazyChildProcess],
  banner: { js: REQUIRE_BANNER },
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
});
// (The banner's require finds only built-in modules and packages, the same from any file of dist/.)
if (readFileSync(join(out, 'index.js'), 'utf8').replace(REQUIRE_BANNER, '').includes('import.meta.url')) {
  console.error(`${join(out, 'index.js')} holds code that finds files beside itself (import.meta.url): it must sit in dist/chunks/ or dist/cli/.`);
  process.exit(1);
}
