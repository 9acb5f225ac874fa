/**
 * A fresh in-memory PGlite database without running initdb each time.
 *
 * `new PGlite()` with no data directory runs initdb inside WebAssembly: 10–19 s on this 2-core
 * machine under load, and every SQL file Evolve reads on PGlite (its scratch, B13) and every
 * `pglite:memory` URL paid it. Starting from the tarball of a freshly initialised cluster takes
 * about 2 s. The tarball is made once per process, and kept between commands in
 * `$XDG_CACHE_HOME/evolve/pglite` (or `~/.cache/evolve/pglite`; `EVOLVE_CACHE_DIR` moves the
 * cache, empty turns it off), one file per PGlite build, written whole or not at all.
 */
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PGlite } from '@electric-sql/pglite';

let template: Promise<Blob | null> | undefined;

/** The cache directory of PGlite cluster tarballs, or null when caching is off. */
function templateDir(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.EVOLVE_CACHE_DIR !== undefined) return env.EVOLVE_CACHE_DIR === '' ? null : join(env.EVOLVE_CACHE_DIR, 'pglite');
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'evolve', 'pglite');
}

/** The tarball's file: one per PGlite build (its module file's size and time). */
async function templateFile(): Promise<string | null> {
  const dir = templateDir();
  if (dir === null) return null;
  try {
    const s = await stat(fileURLToPath(import.meta.resolve('@electric-sql/pglite')));
    return join(dir, `cluster-${s.size}-${Math.trunc(s.mtimeMs)}.tar`);
  } catch {
    return null;
  }
}

async function makeTemplate(PGliteClass: typeof PGlite): Promise<Blob | null> {
  const file = await templateFile();
  if (file) {
    try { return new Blob([await readFile(file)]); } catch { /* not made yet */ }
  }
  const db = new PGliteClass();
  try {
    await db.waitReady;
    const dump = await db.dumpDataDir('none');
    if (file) {
      try { // written whole or not at all: a crash mid-write leaves only a .part file
        await mkdir(join(file, '..'), { recursive: true });
        const part = `${file}.${process.pid}.part`;
        await writeFile(part, new Uint8Array(await dump.arrayBuffer()));
        await rename(part, file);
      } catch { /* an unwritable cache only costs speed */ }
    }
    return dump;
  } finally {
    await db.close();
  }
}

/** A fresh, empty in-memory PGlite database (ready to query). */
export async function freshMemoryPglite(PGliteClass: typeof PGlite): Promise<PGlite> {
  template ??= makeTemplate(PGliteClass).catch(() => null);
  const dump = await template;
  const db = dump ? new PGliteClass({ loadDataDir: dump }) : new PGliteClass();
  await db.waitReady;
  return db;
}
