/** SQLite's policies for the generic differ. */
import type { DiffHooks } from '../../diff/hooks.js';

/**
 * Most table changes rebuild the table on SQLite, and a rebuild drops its triggers, indexes
 * and the views that read it: only adding or dropping an index leaves a table's dependents standing.
 */
export const sqliteDiffHooks: DiffHooks = {
  keepsDependents: (c) => c.kind === 'addIndex' || c.kind === 'dropIndex',
};
