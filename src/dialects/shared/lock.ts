/** What every dialect's deploy lock shares: its timeout error and the wait between tries. */
import { EvolveError, ErrorCode } from '../../errors.js';

/** Default wait for another deployer's lock (and, on SQLite, another connection's write lock), in seconds. */
export const DEFAULT_LOCK_TIMEOUT = 120;

/** The error when another deployer holds the lock longer than `seconds` (`display`: the URL without password). */
export function lockTimeoutError(display: string, seconds: number): EvolveError {
  return new EvolveError(ErrorCode.LockTimeout, `Another deployer has held the deploy lock on ${display} for more than ${seconds} s; nothing was changed.`, {
    hint: 'Wait for the other deployment to finish (a crashed one releases the lock by itself), or raise --lock-timeout.',
    details: { timeoutSeconds: seconds },
  });
}

/** Wait `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** How long each statement may wait for a table lock, and how often a run is tried again (issue 16). */
export interface LockWait {
  /** Longest wait for one lock, in milliseconds (PostgreSQL `lock_timeout`; MySQL `lock_wait_timeout`, in whole seconds). Default 2000. */
  readonly waitMs: number;
  /** Tries after the first when a lock wait times out (with backoff and jitter). Default 10. */
  readonly retries: number;
  /** Told of each retry before it waits. */
  readonly onRetry?: (retry: LockRetry) => void;
}

/** A session holding a lock Evolve waited for. */
export interface Blocker {
  readonly pid: number;
  readonly application: string;
  readonly state: string;
  /** How long its transaction has been open, in seconds (null: none open). */
  readonly transactionSeconds: number | null;
  readonly query: string;
}

/** One retry of a run whose lock wait timed out. */
export interface LockRetry {
  /** The retry's number (1 = the second try) and how many there may be. */
  readonly attempt: number;
  readonly of: number;
  /** What waited: `statement 3 of 5 (add column …)`. */
  readonly what: string;
  /** Milliseconds before the retry. */
  readonly delayMs: number;
  readonly blockers: readonly Blocker[];
}

export const DEFAULT_LOCK_WAIT: LockWait = { waitMs: 2000, retries: 10 };

/** The wait before retry `attempt` (1-based): exponential from `waitMs / 4`, capped at 8 s, with full jitter. */
export function backoffMs(attempt: number, waitMs: number, random = Math.random): number {
  const cap = Math.min(8000, Math.max(50, waitMs / 4) * 2 ** (attempt - 1));
  return Math.round(cap / 2 + random() * (cap / 2));
}

/** The sessions, as one line each: `pid 123 (psql, idle in transaction, transaction open 42 s): SELECT …`. */
export function blockersText(blockers: readonly Blocker[]): string {
  if (blockers.length === 0) return 'no session holding it could be seen';
  return blockers.map((b) => {
    const open = b.transactionSeconds === null ? '' : `, transaction open ${b.transactionSeconds} s`;
    const query = b.query ? `: ${b.query.replace(/\s+/g, ' ').slice(0, 120)}` : '';
    return `pid ${b.pid} (${b.application || 'no application name'}, ${b.state}${open})${query}`;
  }).join('; ');
}

/** The error when every try of a run timed out waiting for a table lock; the database is as before (as the dialect says in `state`). */
export function lockWaitError(display: string, what: string, wait: LockWait, blockers: readonly Blocker[], state: string, cause: unknown): EvolveError {
  return new EvolveError(ErrorCode.LockTimeout,
    `${what} on ${display} waited for a table lock more than ${wait.waitMs} ms on each of ${wait.retries + 1} tries, ` +
    `blocked by ${blockersText(blockers)}. ${state}`, {
      hint: 'Let the blocking sessions finish (a long-open transaction holds its locks until it ends), then apply again; ' +
        'or raise --lock-wait MS / --retries N.',
      details: { waitMs: wait.waitMs, retries: wait.retries, blockers },
      cause,
    });
}
