/**
 * Progress of long operations (a table copy in a rebuild, data checks, backfills, fleet
 * applies): the engine and the dialects call a {@link ProgressReporter}; the CLI draws it on
 * stderr, on a terminal only. It lives down here so that every layer above, the dialects
 * included, may report through it; nothing in it knows a dialect.
 */

/** One long task: units (rows, checks, databases) done so far out of an optional total. */
export interface ProgressTask {
  /** `n` more units are done (default 1). Cheap: may be called once per row. */
  add(n?: number): void;
  /** The task is over (done or failed); the reporter stops drawing it. */
  end(): void;
}

/** Where long operations report their progress. */
export interface ProgressReporter {
  /**
   * A task begins: `label` says what is done ("copy rows of orders"), `total` how many units
   * there are when known, `unit` what they are (default "rows").
   */
  start(label: string, total?: number, unit?: string): ProgressTask;
}

const nothing: ProgressTask = { add: () => undefined, end: () => undefined };

/** A reporter that shows nothing (the default everywhere). */
export const noProgress: ProgressReporter = { start: () => nothing };

/** Run `fn` over `items` as one task of `reporter`, one unit per item (no task for no items). */
export async function eachWithProgress<T>(
  reporter: ProgressReporter | undefined, label: string, items: readonly T[], unit: string, fn: (item: T) => Promise<void>,
): Promise<void> {
  const task = (items.length ? reporter ?? noProgress : noProgress).start(label, items.length, unit);
  try {
    for (const item of items) { await fn(item); task.add(1); }
  } finally { task.end(); }
}
