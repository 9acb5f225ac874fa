/**
 * The policies a dialect hands the generic differ. The differ knows no dialect: where the
 * answer depends on the database (which table changes leave the views, triggers and indexes on
 * the table standing), it asks these hooks.
 */
import type { Change } from './changes.js';
import type { ObjectIR } from '../ir/schema.js';

/** A dialect's answers to the differ's dialect-dependent questions. */
export interface DiffHooks {
  /**
   * True when the objects that depend on a table (views, triggers, indexes, comments) still
   * stand after `change` to it, so they need not be recreated. A change this returns false
   * for recreates them.
   */
  keepsDependents(change: Change): boolean;
  /**
   * Asked for a change {@link keepsDependents} says may take a table's dependents down: true when
   * this one dependent still stands after it, as it was (MySQL keeps a view's or a trigger's text
   * and resolves it at each use, so a column's new type leaves them; an index on the column is
   * rebuilt). Absent: every dependent is recreated.
   */
  keepsDependent?(change: Change, dependent: ObjectIR): boolean;
}

/**
 * The hooks of a differ run without a dialect: every table change recreates the objects that
 * depend on the table (always correct, sometimes more than needed). Dialects give their own.
 */
export const CONSERVATIVE_DIFF_HOOKS: DiffHooks = { keepsDependents: () => false };
