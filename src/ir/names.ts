/**
 * Text that must never become SQL: names may hold any character but control characters (a line
 * break in a name would end the `--` comment Evolve writes it into, and the rest of the line
 * would run), and every comment line Evolve writes is made one line whatever its text.
 */
import type { SchemaIR } from './schema.js';
import { EvolveError, ErrorCode } from '../errors.js';

/** Control characters (C0, DEL, C1) and the Unicode line and paragraph separators. Tab is allowed in comments, not in names. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const COMMENT_BREAKS = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/g;

const CHARACTER_NAMES: Readonly<Record<string, string>> = {
  '\u0000': 'NUL', '\t': 'tab', '\n': 'line feed', '\r': 'carriage return', '\u2028': 'line separator', '\u2029': 'paragraph separator',
};

const codePoint = (ch: string): string => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** The first control character of `name` as users read it (`a line feed (U+000A)`), or null when it has none. */
export function controlCharacterIn(name: string): string | null {
  const m = CONTROL.exec(name);
  if (!m) return null;
  const ch = m[0];
  return `a ${CHARACTER_NAMES[ch] ?? 'control character'} (${codePoint(ch)})`;
}

/** The fix for a name holding a control character. */
export const CONTROL_CHARACTER_FIX = 'Rename it to a name without control characters (line breaks, tabs, NUL); any other character may stay.';

/**
 * `text` as one line of a `--` comment: every line break (`\n`, `\r`, U+2028, U+2029, …) and
 * other control character is written as a `\uXXXX` escape (`\n`, `\r` as such), so no text can
 * end the comment, start a statement or a line the evolution loader reads (`-- evolve:revert`).
 */
export function commentLine(text: string): string {
  return text.replace(COMMENT_BREAKS, (ch) => (ch === '\n' ? '\\n' : ch === '\r' ? '\\r' : `\\u${codePoint(ch).slice(2)}`));
}

/**
 * Refuse a schema read from a database (`source`: where it was read) that names a table, column,
 * index, constraint or object with a control character.
 * @throws EvolveError `E_NAME_INVALID` naming the table (and column) and the fix.
 */
export function assertNamesPrintable(schema: SchemaIR, source: string): void {
  const refuse = (what: string, name: string, problem: string, details: Record<string, unknown>): never => {
    throw new EvolveError(ErrorCode.NameInvalid, `${what} ${JSON.stringify(name)} in ${source} holds ${problem}: Evolve cannot write it safely.`, {
      hint: CONTROL_CHARACTER_FIX, details: { ...details, name },
    });
  };
  // (A test per name: it allocates nothing, and most schemas have no such name. Indexed loops: a
  // command runs this once, in V8's interpreter, where for…of's iterator costs ~3× the test.)
  const named = (t: SchemaIR['tables'][number], xs: readonly { readonly name: string | null }[]): void => {
    for (let k = 0; k < xs.length; k++) {
      const name = xs[k]!.name;
      if (name === null || !CONTROL.test(name)) continue;
      refuse(`Index or constraint of table ${JSON.stringify(t.name)}`, name, controlCharacterIn(name)!, { table: t.name });
    }
  };
  const tables = schema.tables;
  for (let i = 0; i < tables.length; i++) {
    const t = tables[i]!;
    if (CONTROL.test(t.name)) refuse('Table', t.name, controlCharacterIn(t.name)!, { table: t.name });
    const columns = t.columns;
    for (let k = 0; k < columns.length; k++) {
      const c = columns[k]!;
      if (CONTROL.test(c.name)) refuse(`Column of table ${JSON.stringify(t.name)}`, c.name, controlCharacterIn(c.name)!, { table: t.name, column: c.name });
    }
    if (t.indexes.length) named(t, t.indexes);
    if (t.uniques.length) named(t, t.uniques);
    if (t.foreignKeys.length) named(t, t.foreignKeys);
    if (t.checks?.length) named(t, t.checks);
    if (t.primaryKey && t.primaryKey.name !== null && t.primaryKey.name !== undefined && CONTROL.test(t.primaryKey.name)) named(t, [t.primaryKey]);
  }
  for (const o of schema.objects ?? []) {
    const p = controlCharacterIn(o.name);
    if (p) refuse(`The ${o.kind}`, o.name, p, { table: o.table, kind: o.kind });
  }
}

/**
 * The longest name a database takes: PostgreSQL 63 bytes of UTF-8 (it cuts longer ones
 * silently, so two long names can become one), MySQL/MariaDB 64 characters (it refuses longer
 * ones). A dialect without a limit (SQLite) has none.
 */
export interface IdentifierLimit {
  readonly max: number;
  readonly unit: 'bytes' | 'characters';
}

/** The length of `name` in `unit`: UTF-8 bytes, or characters (code points). */
export function identifierLength(name: string, unit: IdentifierLimit['unit']): number {
  return unit === 'bytes' ? Buffer.byteLength(name, 'utf8') : [...name].length;
}
