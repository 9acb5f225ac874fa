/**
 * `evolve pull`: write the live database's schema as a models module (`--out FILE`, default
 * `src/models.ts`) or as one module per table and an index (`--out-dir DIR`). Never
 * overwrites a file without `--force`; lists what the models cannot state.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { EvolveError, ErrorCode } from '../../errors.js';
import { pullModels, type PullLayout, type PullResult } from '../../pull/pull.js';
import { requireDb, resolveSettings } from '../config.js';
import { notManagedLines, printJson, type Out } from '../output.js';
import type { CommonFlags } from '../main.js';

/** Flags of `evolve pull`. */
export interface PullFlags extends CommonFlags { out?: string; outDir?: string; force?: boolean }

/** Where the files go: the layout for the emitter and the directory its paths are relative to. */
export function pullTarget(flags: { out?: string; outDir?: string }): { layout: PullLayout; dir: string } {
  if (flags.out !== undefined && flags.outDir !== undefined) {
    throw new EvolveError(ErrorCode.Usage, 'evolve pull takes --out FILE or --out-dir DIR, not both.', {
      hint: 'Use --out src/models.ts for one module, or --out-dir src/models/ for one module per table.',
    });
  }
  if (flags.outDir !== undefined) return { layout: { kind: 'dir' }, dir: resolve(flags.outDir) };
  const file = resolve(flags.out ?? 'src/models.ts');
  return { layout: { kind: 'file', file: basename(file) }, dir: dirname(file) };
}

/**
 * Write pulled files under `dir`; refuse (writing nothing) when one exists and `force` is not set.
 * @returns the absolute paths written.
 */
export function writePulled(result: PullResult, dir: string, force: boolean): string[] {
  const paths = result.files.map((f) => join(dir, f.path));
  const there = paths.filter((p) => existsSync(p));
  if (there.length > 0 && !force) {
    throw new EvolveError(ErrorCode.Usage, `evolve pull would overwrite ${there.map((p) => relative('.', p) || p).join(', ')}; nothing was written.`, {
      hint: 'Pass --force to overwrite, or choose another --out / --out-dir.', details: { existing: there },
    });
  }
  mkdirSync(dir, { recursive: true });
  result.files.forEach((f, i) => writeFileSync(paths[i]!, f.text));
  return paths;
}

/** The summary's lines (not expressible, unmanaged) for people. */
export function pullLines(r: PullResult, written: readonly string[]): string[] {
  const notAdopted = new Set(r.notAdopted);
  return [
    ...written.map((p) => `wrote ${relative('.', p) || p}`),
    `${r.tables} table${r.tables === 1 ? '' : 's'}, ${r.columns} column${r.columns === 1 ? '' : 's'} (${r.dialect}, ${r.fingerprint})`,
    ...r.notExpressible.map((n) => `not expressible: ${n}${notAdopted.has(n) ? ' (apply would change it: add it to the models by hand)' : ''}`),
    ...notManagedLines(r.unmanaged),
  ];
}

export async function pullCommand(flags: PullFlags, out: Out): Promise<number> {
  const s = await resolveSettings(flags, out);
  const { layout, dir } = pullTarget(flags);
  const r = await pullModels(requireDb(s), layout, s.scope);
  const written = writePulled(r, dir, flags.force === true);
  if (out.json) {
    printJson(out, {
      ok: true, dialect: r.dialect, fingerprint: r.fingerprint, tables: r.tables, columns: r.columns,
      notExpressible: r.notExpressible, notAdopted: r.notAdopted, unmanaged: r.unmanaged, files: written,
    });
    return 0;
  }
  const models = layout.kind === 'file' ? written[0]! : join(dir, 'index.ts');
  out.write([...pullLines(r, written), '', 'Next:', `  npx evolve fingerprint --models ${relative('.', models)}   # the models match the database`].join('\n'));
  return 0;
}
