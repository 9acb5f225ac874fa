/**
 * MySQL ENUM and SET types: their value lists kept exactly (order and case matter), in one
 * quoting (`''` for a quote, a doubled backslash), so a model's raw type and the server's
 * COLUMN_TYPE compare as equal text.
 */
import { parseMysqlString } from './normalise.js';
import { mysqlString } from './sql-builder.js';

/** An ENUM or SET type read into its parts. */
export interface EnumType {
  readonly kind: 'enum' | 'set';
  readonly values: readonly string[];
  /** Whatever followed the list (`character set latin1`), normalised; usually empty. */
  readonly rest: string;
}

/**
 * Read `enum('a','b')` / `SET('x', 'y')` text; undefined when `text` is not such a type (or a
 * value list it cannot read).
 */
export function parseEnumType(text: string): EnumType | undefined {
  const m = /^\s*(enum|set)\s*\(/i.exec(text);
  if (!m) return undefined;
  const values: string[] = [];
  let i = m[0].length;
  for (;;) {
    while (/\s/.test(text[i] ?? '')) i++;
    if (text[i] !== "'") return undefined;
    let j = i + 1;
    while (j < text.length) {
      if (text[j] === '\\') { j += 2; continue; }
      if (text[j] === "'") { if (text[j + 1] === "'") { j += 2; continue; } break; }
      j++;
    }
    const value = parseMysqlString(text.slice(i, j + 1));
    if (value === undefined) return undefined;
    values.push(value);
    i = j + 1;
    while (/\s/.test(text[i] ?? '')) i++;
    if (text[i] === ',') { i++; continue; }
    if (text[i] === ')') break;
    return undefined;
  }
  const rest = text.slice(i + 1).trim().toLowerCase().replace(/\s+/g, ' ');
  return { kind: m[1]!.toLowerCase() as 'enum' | 'set', values, rest };
}

/** The one spelling of an ENUM/SET type: `enum('a','b')`. */
export function enumTypeSql(t: EnumType): string {
  return `${t.kind}(${t.values.map(mysqlString).join(',')})${t.rest ? ` ${t.rest}` : ''}`;
}

/**
 * An SQL predicate over `col`, true for the values of an ENUM/SET column `from` that the
 * list of `to` does not hold; null when every value is kept.
 */
export function enumNarrowingPredicate(col: string, from: EnumType, to: EnumType): string | null {
  const kept = new Set(to.values.map((v) => v.toLowerCase()));
  const removed = from.values.filter((v) => !kept.has(v.toLowerCase()));
  if (removed.length === 0) return null;
  if (from.kind === 'enum') return `${col} IN (${removed.map(mysqlString).join(', ')})`;
  // A SET value holds several members; FIND_IN_SET finds one (members never contain commas).
  return removed.map((v) => `FIND_IN_SET(${mysqlString(v)}, ${col}) > 0`).join(' OR ');
}
