/**
 * A Drizzle `sql\`…\`` value (a default, a check, an index expression or predicate) as the SQL
 * text Evolve's `sql` takes: its string parts as written, a column as its name (bare where it
 * is a plain name, else quoted the way the table's dialect quotes), values inlined as literals
 * — what drizzle-kit writes into its migrations. A part with no SQL text of its own (a
 * placeholder) is refused, never left out.
 */
import { EvolveError, ErrorCode } from '../../errors.js';
import { isPlainName } from '../objects.js';
import { sql, type SqlExpression } from '../sql-expression.js';
import { isKind, type DrizzleTableKind } from './detect.js';

/** How names and literals are written for a table kind. */
interface Writing { readonly quote: (name: string) => string; readonly text: (value: string) => string }

const DOUBLE_QUOTED: Writing = { quote: (n) => `"${n.replace(/"/g, '""')}"`, text: (v) => `'${v.replace(/'/g, "''")}'` };
const WRITING: Readonly<Record<DrizzleTableKind, Writing>> = {
  PgTable: DOUBLE_QUOTED,
  SQLiteTable: DOUBLE_QUOTED,
  MySqlTable: { quote: (n) => `\`${n.replace(/`/g, '``')}\``, text: (v) => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "''")}'` },
};

/** A name as a person writes it in SQL of `kind`: bare when plain, else quoted. */
export function sqlName(kind: DrizzleTableKind, name: string): string {
  return isPlainName(name) ? name : WRITING[kind].quote(name);
}

/** True when `v` is a Drizzle `sql` value. */
export const isDrizzleSql = (v: unknown): boolean => isKind(v, 'SQL');

/** A JavaScript value inlined as a literal of `kind`'s SQL. */
function literal(kind: DrizzleTableKind, v: unknown, where: string): string {
  if (v === null) return 'NULL';
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'bigint') return String(v);
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (typeof v === 'string') return WRITING[kind].text(v);
  if (Array.isArray(v)) return `(${v.map((x) => literal(kind, x, where)).join(', ')})`;
  throw unsupported(where, `a value ${JSON.stringify(v) ?? String(v)} Evolve cannot write as SQL`);
}

function unsupported(where: string, what: string): EvolveError {
  return new EvolveError(ErrorCode.Unsupported, `The Drizzle sql\`…\` of ${where} holds ${what}.`, {
    hint: 'Write that part as SQL text (sql.raw(…) or the literal itself inside the template), or state it in Evolve models.',
    details: { where },
  });
}

/** One part of a Drizzle `sql` value as text. */
function chunkText(kind: DrizzleTableKind, c: unknown, where: string): string {
  if (isKind(c, 'SQL')) return drizzleSqlText(kind, c, where);
  if (isKind(c, 'StringChunk')) return ((c as { value: string[] }).value).join('');
  if (isKind(c, 'Column')) return sqlName(kind, (c as { name: string }).name);
  if (isKind(c, 'Name')) return sqlName(kind, (c as { value: string }).value);
  if (isKind(c, 'SQL.Aliased')) return chunkText(kind, (c as { sql: unknown }).sql, where);
  if (isKind(c, 'Param')) return literal(kind, (c as { value: unknown }).value, where);
  if (isKind(c, 'Placeholder')) throw unsupported(where, `a placeholder (sql.placeholder('${(c as { name: string }).name}'))`);
  if (isKind(c, 'Table')) return sqlName(kind, (c as Record<symbol, string>)[Symbol.for('drizzle:Name')] ?? '');
  if (c !== null && typeof c === 'object' && !Array.isArray(c)) throw unsupported(where, `a ${(c as object).constructor?.name ?? 'value'} part`);
  return literal(kind, c, where);
}

/**
 * The SQL text of Drizzle `sql` value `v` for a table of `kind`; `where` names what it belongs
 * to, for a message.
 * @throws EvolveError `E_UNSUPPORTED` for a part that has no SQL text (a placeholder, an object).
 */
export function drizzleSqlText(kind: DrizzleTableKind, v: unknown, where: string): string {
  const chunks = (v as { queryChunks?: unknown[] }).queryChunks;
  if (!Array.isArray(chunks)) throw unsupported(where, 'no SQL');
  return chunks.map((c) => chunkText(kind, c, where)).join('');
}

/** SQL text as Evolve's `sql\`…\`` value. */
export function asSql(text: string): SqlExpression {
  return sql(Object.assign([text], { raw: [text] }) as TemplateStringsArray);
}
