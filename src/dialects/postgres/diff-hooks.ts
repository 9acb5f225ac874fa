/** PostgreSQL's policies for the generic differ: ALTER TABLE changes tables in place. */
export { alterInPlaceDiffHooks as postgresDiffHooks } from '../shared/alter-diff-hooks.js';
