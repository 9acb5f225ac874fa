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
  packages: 'external',
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
});
if (readFileSync(join(out, 'index.js'), 'utf8').includes('import.meta.url')) {
  console.error(`${join(out, 'index.js')} holds code that finds files beside itself (import.meta.url): it must sit in dist/chunks/ or dist/cli/.`);
  process.exit(1);
}
