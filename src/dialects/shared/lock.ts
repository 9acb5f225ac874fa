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
