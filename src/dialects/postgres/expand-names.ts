/**
 * The names of what an expand/contract type change makes on PostgreSQL (issue 16; see
 * expand-contract.ts): a shadow column `_evolve_new_<column>` with, where the column is NOT
 * NULL, a check `_evolve_new_nn_<column>`, and for each index on the column an index
 * `_evolve_new_<index>`; a trigger `_evolve_sync_<column>` and its function
 * `_evolve_sync_<table>_<column>`. Names that do not fit in 63 bytes are cut and end in a
 * hash of the whole, so that two never meet. Introspection leaves everything so named out
 * (like Evolve's own `_evolve*` tables): a change that did not finish is not part of the
 * schema, and the database stays at its old fingerprint until the swap.
 */
import { createHash } from 'node:crypto';
import { MAX_IDENTIFIER_BYTES, splitName, truncateIdentifier } from './sql-builder.js';

/** The prefix of shadow columns, their checks and their indexes. */
export const SHADOW_PREFIX = '_evolve_new_';
/** The prefix of the triggers that keep a shadow column in step, and of their functions. */
export const SYNC_PREFIX = '_evolve_sync_';

/** `prefix` + `parts` joined by `_`, cut to 63 bytes with a hash of the whole when longer. */
function reserved(prefix: string, ...parts: string[]): string {
  const whole = prefix + parts.join('_');
  if (Buffer.byteLength(whole, 'utf8') <= MAX_IDENTIFIER_BYTES) return whole;
  const hash = createHash('sha1').update(whole).digest('hex').slice(0, 8);
  return truncateIdentifier(whole).slice(0, -9).replace(/[\uD800-\uDBFF]$/, '') + '_' + hash;
}

/** What one expand/contract of `table`.`column` makes. */
export interface ExpandNames {
  readonly shadow: string;
  readonly check: string;
  readonly trigger: string;
  /** The function's name, qualified with the table's schema when it has one (not quoted). */
  readonly fn: string;
  /** The shadow index that stands in for the index `name` of the column. */
  index(name: string): string;
}

/** The names of the expand/contract of `table`.`column`. */
export function expandNames(table: string, column: string): ExpandNames {
  const [schema, bare] = splitName(table);
  const fn = reserved(SYNC_PREFIX, bare, column);
  return {
    shadow: reserved(SHADOW_PREFIX, column),
    check: reserved(`${SHADOW_PREFIX}nn_`, column),
    trigger: reserved(SYNC_PREFIX, column),
    fn: schema === null ? fn : `${schema}.${fn}`,
    index: (name) => reserved(SHADOW_PREFIX, name),
  };
}

/** True for a column, constraint or index name of an unfinished expand/contract (left out of the schema). */
export const isShadowName = (name: string): boolean => name.startsWith(SHADOW_PREFIX);
/** True for a trigger or function name of an unfinished expand/contract (left out of the schema). */
export const isSyncName = (name: string): boolean => name.startsWith(SYNC_PREFIX);
