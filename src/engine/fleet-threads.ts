/**
 * A fleet's targets in worker threads, for dialects whose driver blocks the thread while a
 * statement runs (`capabilities.blockingDriver`: better-sqlite3). In one thread such targets
 * only take turns — `--concurrency 8` would run no faster than 1 — so each of up to
 * `concurrency` workers applies one target at a time, the fleet's pool handing them out as it
 * does in one thread (canary, stop on failure). A worker loads the models module itself, so
 * the models must be a module path and the options plain data (callbacks, for server
 * dialects' lock waits, progress and cluster nodes, are not sent); otherwise, and for
 * server dialects, the targets run in this thread as before (and so does a target whose worker
 * stopped, and every one after it).
 */
import { Worker } from 'node:worker_threads';
import { parseDatabaseUrl } from '../dialects/url.js';
import { loadDialect } from '../dialects/registry.js';
import { applyTarget } from './fleet-target.js';
import type { EvolveOptions } from './reports.js';
import type { FleetTargetResult } from './fleet.js';

/** Applies targets in worker threads. */
export interface TargetRunner {
  apply(target: string): Promise<FleetTargetResult>;
  /** Worker threads started so far. */
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
  return here.endsWith('.js') ? new URL('./fleet-worker.js', here) : null;
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
  const idle: Worker[] = [];
  const all: Worker[] = [];
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
  };
  const spawn = (): Worker => {
    const w = new Worker(url);
    w.on('message', (m: TargetResponse) => {
      const job = waiting.get(m.id);
      if (!job) return;
      waiting.delete(m.id);
      idle.push(w);
      job.resolve(m.result);
    });
    w.on('error', () => stopped(w));
    w.on('exit', () => stopped(w));
    all.push(w);
    return w;
  };
  return {
    apply(target) {
      if (broken) return applyTarget(target, options);
      const w = idle.pop() ?? (all.length < concurrency ? spawn() : null);
      if (!w) throw new Error('fleet-threads: more targets at once than workers'); // the fleet's pool never asks for more
      const id = next++;
      return new Promise((resolve) => {
        waiting.set(id, { resolve, target, worker: w });
        w.postMessage({ id, target, options: plain } satisfies TargetRequest);
      });
    },
    get workers() { return all.length; },
    async close() {
      await Promise.all(all.map((w) => w.terminate()));
    },
  };
}
