/** SQL expressions in models: `sql\`CURRENT_TIMESTAMP\``. */
import { EvolveError, ErrorCode } from '../errors.js';

const SQL_BRAND = Symbol.for('evolve.sql');

/** Raw SQL text standing for an expression (a default, an index predicate). */
export interface SqlExpression {
  readonly [SQL_BRAND]: true;
  readonly text: string;
}

/**
 * Tag for SQL expressions in models. The text is used verbatim: it is SQL, not a value.
 * Interpolating JavaScript values is refused, because literals need the dialect's quoting;
 * give a literal default with `.default(value)` instead.
 *
 * @example
 * ```ts
 * created: timestamp().notNull().default(sql`CURRENT_TIMESTAMP`)
 * ```
 */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): SqlExpression {
  let text = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!isSqlExpression(v)) {
      throw new EvolveError(ErrorCode.ModelInvalid, `sql\`${strings.join('${…}')}\` interpolates a JavaScript value (${JSON.stringify(v)}).`, {
        hint: 'Write the SQL out in full, or use .default(value) for a literal default so it is quoted for the dialect.',
      });
    }
    text += v.text + (strings[i + 1] ?? '');
  }
  return { [SQL_BRAND]: true, text: text.trim() };
}

/** True when `v` was made by the {@link sql} tag. */
export function isSqlExpression(v: unknown): v is SqlExpression {
  return typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[SQL_BRAND] === true;
}
