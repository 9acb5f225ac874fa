/** The differ policies of dialects whose ALTER TABLE changes tables in place (PostgreSQL, MySQL). */
import type { Change, ChangeKind } from '../../diff/changes.js';
import type { DiffHooks } from '../../diff/hooks.js';

/** Table changes that leave the views, triggers, indexes and comments on a table as they are. */
const KEEPS: ReadonlySet<ChangeKind> = new Set<ChangeKind>([
  'addColumn', 'addIndex', 'dropIndex', 'addUnique', 'dropUnique', 'addForeignKey', 'dropForeignKey', 'addCheck', 'dropCheck',
]);

/**
 * A column change its table's dependents survive: a new default, nullability, auto-increment
 * or ON UPDATE leaves what reads the column as it is. A new type, a generation expression or
 * a collation can break or change them (PostgreSQL refuses to change the type of a column a
 * view reads): those recreate them.
 */
function keepsDependents(c: Change): boolean {
  if (c.kind === 'alterColumn') return !c.changed.type && !c.changed.generated && !c.changed.collation;
  return KEEPS.has(c.kind);
}

/** Differ hooks for a dialect that alters tables in place. */
export const alterInPlaceDiffHooks: DiffHooks = { keepsDependents };
