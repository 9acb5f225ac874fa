/**
 * MySQL's policies for the generic differ: ALTER TABLE changes tables in place, as on
 * PostgreSQL; and a view or a trigger is kept as its text and resolved when it is used, so a
 * column's new type, collation or generation expression leaves them standing. Recreating them
 * would drop them first, and MySQL's DDL is not transactional: between the DROP and the CREATE
 * the application's queries on a view would fail. An index kept as an object (FULLTEXT, SPATIAL,
 * a prefix) is rebuilt with the column, its prefix checked against the new type: it is recreated.
 */
import type { Change } from '../../diff/changes.js';
import type { DiffHooks } from '../../diff/hooks.js';
import type { ObjectIR } from '../../ir/schema.js';
import { alterInPlaceDiffHooks } from '../shared/alter-diff-hooks.js';

/** Dependents whose text MySQL resolves at each use. */
const RESOLVED_AT_USE: ReadonlySet<string> = new Set(['view', 'trigger']);

function keepsDependent(change: Change, dependent: ObjectIR): boolean {
  return change.kind === 'alterColumn' && RESOLVED_AT_USE.has(dependent.kind);
}

export const mysqlDiffHooks: DiffHooks = { keepsDependents: alterInPlaceDiffHooks.keepsDependents, keepsDependent };
