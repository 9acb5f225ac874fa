/** Quoting helpers shared by dialects. */

/** Quote an identifier by doubling the quote character inside it. */
export function quoteWith(q: string, name: string): string {
  if (name.includes('\u0000')) throw new Error('identifier contains a NUL character');
  return q + name.split(q).join(q + q) + q;
}

/** Standard SQL string literal: single quotes doubled. */
export function quoteString(value: string): string {
  if (value.includes('\u0000')) throw new Error('string literal contains a NUL character');
  return `'${value.split("'").join("''")}'`;
}

/** A number as SQL text (finite numbers only). */
export function numberLiteral(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`cannot write ${value} as SQL`);
  return String(value);
}
