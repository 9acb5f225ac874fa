/**
 * A fleet's targets in worker threads, for dialects whose driver blocks the thread while a
 * statement runs (`capabilities.blockingDriver`: better-sqlite3). In one thread such targets
 * only take turns — `--concurrency 8` would run no faster than 1 — so each of up to
 * `concurrency` workers applies one target at a time, the fleet's pool handing them out as it
 * does in one thread (canary, stop on failure). Never more workers than the machine has cores
 * ({@link availableParallelism}): a thread beyond them only takes turns on a core (measured: 1,000
 * SQLite tenants on 2 cores took 8.9 s at 1, 6.7 s at 2 and 9.5 s at 8 threads), so a target asked
 * for beyond them waits for the next free worker. A worker loads the models module itself, so
 * the models must be a module path and the options plain data (callbacks, for server
 * dialects' lock waits, progress and cluster nodes, are not sent); otherwise, and for
 * server dialects, the targets run in this thread as before (and so does a target whose worker
 * stopped, and every one after it).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { parseDatabaseUrl } from '../dialects/url.js';
import { loadDialect } from '../dialects/registry.js';
import { applyTarget } from './fleet-target.js';
import type { EvolveOptions } from './reports.js';
import type { FleetTargetResult } from './fleet.js';

/** Applies targets in worker threads. */
export interface TargetRunner {
  apply(target: string): Promise<FleetTargetResult>;
  /** Worker threads started so far (at most the machine's cores). */
  readonly workers: number;
  /** Stop the workers (after the last target). */
  close(): Promise<void>;
}

/** A message to a worker: one target. */
export interface TargetRequest { readonly id: number; readonly target: string; readonly options: Omit<EvolveOptions, 'db'> }
/** A worker's answer. */
export interface TargetResponse { readonly id: number; readonly result: FleetTargetResult }

/** `options` without its callbacks; null when something else in it cannot be sent to a thread (models given as tables). */
function plainOptions(options: Omit<EvolveOptions, 'db'>): Omit<EvolveOptions, 'db'> | null {
  if (typeof options.models !== 'string') return null;
  const holdsCode = (v: unknown): boolean =>
    typeof v === 'function' || (v !== null && typeof v === 'object' && Object.values(v).some((x) => typeof x === 'function'));
  const plain = Object.fromEntries(Object.entries(options).filter(([, v]) => !holdsCode(v)));
  try {
    structuredClone(plain);
  } catch {
    return null;
  }
  return plain as Omit<EvolveOptions, 'db'>;
}

/** The worker script beside this module; null when this module is TypeScript source run through a loader, which worker threads do not inherit. */
function workerUrl(): URL | null {
  const here = import.meta.url;
  // (Relative to dist/engine/, or to dist/chunks/ where the bundled CLI holds this code: scripts/bundle.mjs.)
  return here.endsWith('.js') ? new URL('../engine/fleet-worker.js', here) : null;
}

/**
 * A runner of up to `concurrency` worker threads for `targets`, or null when they run in this
 * thread: a target's dialect does not block, or the options cannot be sent.
 */
export async function threadedTargets(targets: readonly string[], options: Omit<EvolveOptions, 'db'>, concurrency: number): Promise<TargetRunner | null> {
  const dialects = new Set(targets.map((t) => parseDatabaseUrl(t).dialect));
  for (const d of dialects) if (!(await loadDialect(d)).capabilities.blockingDriver) return null;
  const plain = plainOptions(options);
  const url = workerUrl();
  if (!plain || !url) return null;
  const cap = Math.max(1, Math.min(concurrency, availableParallelism()));
  const idle: Worker[] = [];
  const all: Worker[] = [];
  // Targets asked for while every worker is busy (concurrency above the cores): the next free worker takes them, in order.
  const queued: { target: string; resolve: (r: FleetTargetResult) => void }[] = [];
  const waiting = new Map<number, { resolve: (r: FleetTargetResult) => void; target: string; worker: Worker }>();
  let next = 0;
  let broken = false;
  // A worker that stopped (it could not start, or died): its target, and every later one, runs
  // in this thread instead — applying a target again is safe, it goes from where the database is.
  const stopped = (worker: Worker): void => {
    for (const [id, w] of waiting) {
      if (w.worker !== worker) continue;
      waiting.delete(id);
      broken = true;
      void applyTarget(w.target, options).then(w.resolve);
    }
    if (broken) for (const q of queued.splice(0)) void applyTarget(q.target, options).then(q.resolve);
  };
  const spawn = (): Worker => {
    const w = new Worker(url);
    w.on('message', (m: TargetResponse) => {
      const job = waiting.get(m.id);
      if (!job) return;
      waiting.delete(m.id);
      const q = broken ? undefined : queued.shift();
      if (q) send(w, q.target, q.resolve); else idle.push(w);
      job.resolve(m.result);
    });
    w.on('error', () => stopped(w));
    w.on('exit', () => stopped(w));
    all.push(w);
    return w;
  };
  const send = (w: Worker, target: string, resolve: (r: FleetTargetResult) => void): void => {
    const id = next++;
    waiting.set(id, { resolve, target, worker: w });
    w.postMessage({ id, target, options: plain } satisfies TargetRequest);
  };
  return {
    apply(target) {
      if (broken) return applyTarget(target, options);
      const w = idle.pop() ?? (all.length < cap ? spawn() : null);
      return new Promise((resolve) => { if (w) send(w, target, resolve); else queued.push({ target, resolve }); });
    },
    get workers() { return all.length; },
    async close() {
      await Promise.all(all.map((w) => w.terminate()));
    },
  };
}
