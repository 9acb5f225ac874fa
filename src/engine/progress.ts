/**
 * Progress reporting for the engine's long operations (backfills, fleet applies, data checks,
 * table copies): pass a {@link ProgressReporter} as `progress` in a use case's options. The
 * interface itself lives in src/plan/progress.ts, below the dialects, which report through it too.
 */
export { noProgress, eachWithProgress, type ProgressReporter, type ProgressTask } from '../plan/progress.js';
