/**
 * Column names in a model's CHECK and generated-column expressions, written the way MySQL and
 * MariaDB print them back: each bare name of one of the table's columns in backquotes
 * (`price >= 0` is reported as `` `price` >= 0 ``). Names already quoted, strings and function
 * calls (`lower(`) are left alone, so what the server reports is unchanged (idempotent).
 */
import type { CheckIR, ColumnIR } from '../../ir/schema.js';
import { segments } from './normalise.js';
import { mysqlSql } from './sql-builder.js';

/** `expression` (normalised: code in lower case) with the bare column names of `names` (lower case → name) quoted. */
export function quoteColumnNames(expression: string, names: ReadonlyMap<string, string>): string {
  if (!/[a-z_]/i.test(expression)) return expression;
  return segments(expression).map((seg) => (seg.quoted ? seg.text : seg.text.replace(/(?<![\w$.@`])([a-z_][a-z0-9_$]*)(?![\w$`])(?!\s*\()/gi,
    (word: string) => { const n = names.get(word.toLowerCase()); return n === undefined ? word : mysqlSql.ident(n); }))).join('');
}

/** The columns (generated expressions) and checks of one table with their column names quoted. */
export function withQuotedColumns(
  columns: ColumnIR[], checks: readonly CheckIR[] | undefined,
): { columns: ColumnIR[]; checks: readonly CheckIR[] | undefined } {
  const anyGenerated = columns.some((c) => c.generated);
  if (!anyGenerated && !checks?.length) return { columns, checks };
  const names = new Map(columns.map((c) => [c.name.toLowerCase(), c.name]));
  const cols = anyGenerated ? columns.map((c) => (c.generated
    ? { ...c, generated: { ...c.generated, expression: quoteColumnNames(c.generated.expression, names) } } : c)) : columns;
  return { columns: cols, checks: checks?.map((c) => ({ ...c, expression: quoteColumnNames(c.expression, names) })) };
}
