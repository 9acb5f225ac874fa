/** MySQL's policies for the generic differ: ALTER TABLE changes tables in place. */
export { alterInPlaceDiffHooks as mysqlDiffHooks } from '../shared/alter-diff-hooks.js';
