/**
 * A per-process pool of idle PGlite instances, opt-in ({@link keepPgliteOpen}): repeated opens
 * of one data directory in one process reuse an instance instead of starting a PostgreSQL
 * backend each time. Used by the PostgreSQL connection for `pglite:DIR` URLs.
 */
import { realpathSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';

/** Data directories whose idle PGlite instance is kept (see {@link keepPgliteOpen}); the least recently used is closed first. */
export const PGLITE_POOL_SIZE = 2;

interface PglitePool {
  enabled: boolean;
  /** Idle instances by data directory, least recently used first, with pg_control's stat. */
  readonly idle: Map<string, { db: PGlite; control: string }>;
  /** Instances handed out, by data directory. */
  readonly busy: Map<string, number>;
  /** Directories whose instances must not go back to the pool (two at once, or released). */
  readonly noKeep: Set<string>;
  exitHook: boolean;
}

const POOL_KEY = Symbol.for('evolve.pglite.pool');

function pool(): PglitePool {
  const g = globalThis as { [POOL_KEY]?: PglitePool };
  return (g[POOL_KEY] ??= { enabled: false, idle: new Map(), busy: new Map(), noKeep: new Set(), exitHook: false });
}

/** The key of a data directory: its real path (symbolic links and `..` resolved). */
function dirKey(path: string): string {
  const abs = resolve(path);
  try { return realpathSync.native(abs); } catch { return abs; }
}

/** What identifies the current `global/pg_control` of a data directory ('' when there is none). */
function controlStamp(dir: string): string {
  try {
    const s = statSync(join(dir, 'global', 'pg_control'), { bigint: true });
    return `${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  } catch {
    return '';
  }
}

/**
 * Keep PGlite instances open between connections in this process (opt-in), or stop (`false`:
 * the idle instances are closed).
 *
 * Opening a PGlite data directory starts a PostgreSQL backend inside this process: a fresh
 * WebAssembly instance, the backend's start-up, and cold catalog caches, several hundred
 * milliseconds every time. A process that opens the same directory again and again (the test
 * suite: every library call opens its database anew) can instead get back the instance its
 * previous connection used:
 *
 * - `close()` of a connection then returns its instance to an idle pool (keyed by the data
 *   directory's real path) after a `ROLLBACK` of any open transaction and `DISCARD ALL` (session
 *   settings, advisory locks, temporary tables, prepared statements), so the next connection
 *   starts from the state a fresh instance has; the next open of that directory takes it.
 * - A connection never shares its instance (PGlite is one session: settings, transactions and
 *   locks would mix): a second open of a directory while a connection to it is open makes a
 *   second instance, exactly as without the pool, and neither is kept afterwards. (Two instances
 *   on one directory at once are unsafe with or without the pool; Evolve opens one at a time.)
 * - Only data directories are kept, never `pglite:memory` (each open is a new, empty database).
 *
 * Two PGlite instances on one directory corrupt it, and an idle instance does not see what
 * another process writes: whoever lets another process (or anything not going through this
 * module) open the directory calls {@link releasePglite} first, which closes the idle instances.
 * As a safety net, an idle instance whose directory's `global/pg_control` changed since it went
 * idle (anything else that opened the directory rewrote it) is dropped without being closed
 * (closing it would write its stale state) and a fresh instance is opened. Idle instances are
 * closed when the process runs out of work (`beforeExit`), or by `keepPgliteOpen(false)`; at most
 * {@link PGLITE_POOL_SIZE} directories are kept, the least recently used closed first.
 *
 * Off by default: a long-running application using the library must not hold a directory
 * open while an `evolve` command in another process changes it. The test harness opts in.
 * The pool lives on `globalThis`, so two copies of this module in one process (sources and the
 * built package) share it.
 */
export async function keepPgliteOpen(on = true): Promise<void> {
  const p = pool();
  p.enabled = on;
  if (!on) await releasePglite();
  else if (!p.exitHook) {
    p.exitHook = true;
    process.on('beforeExit', () => { if (p.idle.size) void releasePglite(); });
  }
}

/**
 * Close the idle PGlite instances kept for `path` (a data directory), or all of them; an
 * instance now in use for it is closed when its connection closes instead of being kept. Call
 * it before another process, or anything else, opens the directory.
 */
export async function releasePglite(path?: string): Promise<void> {
  const p = pool();
  const keys = path === undefined ? [...p.idle.keys(), ...p.busy.keys()] : [dirKey(path)];
  const closing: Promise<void>[] = [];
  for (const key of keys) {
    const idle = p.idle.get(key);
    if (idle) { p.idle.delete(key); closing.push(idle.db.close().catch(() => undefined)); }
    if ((p.busy.get(key) ?? 0) > 0) p.noKeep.add(key);
  }
  await Promise.all(closing);
}

/**
 * A PGlite instance on data directory `path`, from the pool when one is idle there; `release`
 * hands it back (or closes it). Used by connections and by the test harness's direct access.
 */
export async function acquirePglite(path: string): Promise<{ db: PGlite; release: () => Promise<void> }> {
  const p = pool();
  const key = dirKey(path);
  let db: PGlite | undefined;
  const idle = p.idle.get(key);
  if (idle) {
    p.idle.delete(key);
    // Something else opened the directory since: this instance's view is stale. Closing it would
    // write that stale state back, so it is dropped as it is.
    if (!idle.db.closed && controlStamp(key) === idle.control) db = idle.db;
  }
  const busy = p.busy.get(key) ?? 0;
  if (busy > 0) p.noKeep.add(key);
  p.busy.set(key, busy + 1);
  if (!db) {
    try {
      const { PGlite: PGliteClass } = await import('@electric-sql/pglite');
      db = new PGliteClass(key);
      await db.waitReady;
    } catch (e) {
      settle(p, key);
      throw e;
    }
  }
  const mine = db;
  let released = false;
  return {
    db: mine,
    release: async () => {
      if (released) return;
      released = true;
      // Checked after the reset (which awaits): another open may have come meanwhile.
      const keep = p.enabled && !mine.closed && await resetSession(mine) && p.enabled && !p.noKeep.has(key) && !p.idle.has(key);
      settle(p, key);
      if (!keep) { if (!mine.closed) await mine.close(); return; }
      p.idle.set(key, { db: mine, control: controlStamp(key) });
      while (p.idle.size > PGLITE_POOL_SIZE) {
        const [oldest, entry] = p.idle.entries().next().value as [string, { db: PGlite }];
        p.idle.delete(oldest);
        await entry.db.close().catch(() => undefined);
      }
    },
  };
}

function settle(p: PglitePool, key: string): void {
  const left = (p.busy.get(key) ?? 1) - 1;
  if (left > 0) { p.busy.set(key, left); return; }
  p.busy.delete(key);
  p.noKeep.delete(key);
}

/** Back to a fresh session's state; false when the instance cannot be reused. */
async function resetSession(db: PGlite): Promise<boolean> {
  try {
    if (db.isInTransaction()) await db.exec('ROLLBACK');
    await db.exec('DISCARD ALL');
    return true;
  } catch {
    return false;
  }
}
