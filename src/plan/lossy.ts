/**
 * What `--allow-data-loss` does to the values of a type change that do not convert, the same
 * on every dialect:
 * - text (`text`, `varchar`) going to a shorter `varchar(n)`: the longer values are cut to n
 *   characters;
 * - any other value that does not convert (a non-number to a number, an overflow, a bad date…)
 *   becomes NULL when the new column is nullable;
 * - when the new column is NOT NULL such values cannot become NULL: the change stays refused,
 *   even with consent, until they are updated.
 *
 * "Does not convert" is the dialect's own predicate (`Dialect.lossyValuePredicate`), the one
 * the data checks count with: the planners reuse it to convert, so what is counted is what is
 * converted.
 */
import type { ColumnIR } from '../ir/schema.js';

/** The rule for a lossy type change's non-converting values (see the module comment). */
export type LossyRule =
  | { readonly kind: 'cut'; readonly length: number }
  | { readonly kind: 'null' }
  | { readonly kind: 'refuse' };

export function lossyRule(from: ColumnIR, to: ColumnIR): LossyRule {
  const textual = from.type.kind === 'text' || from.type.kind === 'varchar';
  if (to.type.kind === 'varchar' && textual) return { kind: 'cut', length: to.type.length };
  return to.nullable ? { kind: 'null' } : { kind: 'refuse' };
}

/** One line saying what consent does with the values (for the hazard's fix). */
export function lossyFix(rule: LossyRule, table: string, column: string): string {
  switch (rule.kind) {
    case 'cut': return `shorten the longer values first, or pass --allow-data-loss to cut them to ${rule.length} characters`;
    case 'null': return 'fix the values that do not convert first, or pass --allow-data-loss to set them to NULL';
    case 'refuse':
      return `UPDATE ${table} SET ${column} = <a value that converts> for those rows first ` +
        `(${column} becomes NOT NULL, so they cannot become NULL; --allow-data-loss cannot help)`;
  }
}

/**
 * The converted value of a column under consent: `CASE WHEN <does not convert> THEN <cut or
 * NULL> ELSE <the plain conversion> END`. `col` is the quoted column as the statement sees it,
 * `pred` the dialect's predicate over it, `cut(col, n)` the dialect's first-n-characters
 * expression (already of the new type when the conversion needs it).
 */
export function consentedValue(rule: LossyRule, col: string, pred: string, convert: string, cut: (col: string, n: number) => string): string {
  if (rule.kind === 'refuse') return convert;
  const lost = rule.kind === 'cut' ? cut(col, rule.length) : 'NULL';
  return `CASE WHEN ${col} IS NOT NULL AND (${pred}) THEN ${lost} ELSE ${convert} END`;
}

/**
 * The statement that, under consent, makes the values convert before the type changes (for
 * dialects that change a type in a statement with no conversion expression: MySQL's MODIFY).
 * `table` and `col` are quoted.
 */
export function consentUpdate(rule: LossyRule, table: string, col: string, pred: string, cut: (col: string, n: number) => string): string | null {
  if (rule.kind === 'refuse') return null;
  const value = rule.kind === 'cut' ? cut(col, rule.length) : 'NULL';
  return `UPDATE ${table} SET ${col} = ${value} WHERE ${col} IS NOT NULL AND (${pred})`;
}
