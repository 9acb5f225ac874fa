/**
 * The policies a dialect hands the generic differ. The differ knows no dialect: where the
 * answer depends on the database (which table changes leave the views, triggers and indexes on
 * the table standing), it asks these hooks.
 */
import type { Change } from './changes.js';

/** A dialect's answers to the differ's dialect-dependent questions. */
export interface DiffHooks {
  /**
   * True when the objects that depend on a table (views, triggers, indexes, comments) still
   * stand after `change` to it, so they need not be recreated. A change this returns false
   * for recreates them.
   */
  keepsDependents(change: Change): boolean;
}

/**
 * The hooks of a differ run without a dialect: every table change recreates the objects that
 * depend on the table (always correct, sometimes more than needed). Dialects give their own.
 */
export const CONSERVATIVE_DIFF_HOOKS: DiffHooks = { keepsDependents: () => false };
