/**
 * Column types: parsing type names written by users (the DSL's `column('varchar(20)')`) and
 * the canonical spelling used by the fingerprint.
 */
import type { ColumnType } from './schema.js';
import { assertNever } from '../errors.js';

/** The type names the DSL knows, as `column()` accepts them. */
export const KNOWN_TYPE_NAMES = [
  'integer', 'bigint', 'real', 'decimal(p, s)', 'text', 'varchar(n)', 'boolean', 'date',
  'timestamp', 'timestamptz', 'json', 'bytes', 'uuid',
] as const;

/**
 * Normalise raw type text: lower case, single spaces, no spaces inside parentheses — outside
 * double-quoted names, which are names as written (`"UserRole"[]` is not `"userrole"[]`), and
 * single-quoted values, which are values as written (`enum('G','PG')` is not `enum('g','pg')`).
 */
export function normaliseTypeText(text: string): string {
  let out = typeTextCache.get(text);
  if (out === undefined) {
    const plain = (part: string): string => part
      .toLowerCase()
      .replace(/\s+/g, ' ')
      .replace(/\s*\(\s*/g, '(')
      .replace(/\s*,\s*/g, ',')
      .replace(/\s*\)/g, ')');
    // Quoted parts keep their case: a double-quoted name, a single-quoted value (`enum('G','PG')`).
    out = text.trim().split(/("(?:[^"]|"")*"|'(?:[^']|'')*')/).map((part, i) => (i % 2 === 1 ? part : plain(part))).join('');
    if (typeTextCache.size > 10_000) typeTextCache.clear();
    typeTextCache.set(text, out);
  }
  return out;
}
/** Declared type texts repeat across thousands of columns: normalise each once. */
const typeTextCache = new Map<string, string>();

/**
 * Parse one of the DSL's own type names (see {@link KNOWN_TYPE_NAMES}); `undefined` when the
 * name is not one of them. Dialect-specific spellings are each dialect's business.
 */
export function parseDslTypeName(name: string): ColumnType | undefined {
  const t = normaliseTypeText(name);
  const m = /^([a-z ]+?)(?:\((\d+)(?:,(\d+))?\))?$/.exec(t);
  if (!m) return undefined;
  const base = m[1]!;
  const a = m[2] === undefined ? undefined : Number(m[2]);
  const b = m[3] === undefined ? undefined : Number(m[3]);
  const simple = a === undefined;
  switch (base) {
    case 'integer': case 'int': return simple ? { kind: 'integer' } : undefined;
    case 'bigint': return simple ? { kind: 'bigint' } : undefined;
    case 'real': return simple ? { kind: 'real' } : undefined;
    case 'text': return simple ? { kind: 'text' } : undefined;
    case 'boolean': case 'bool': return simple ? { kind: 'boolean' } : undefined;
    case 'date': return simple ? { kind: 'date' } : undefined;
    case 'json': return simple ? { kind: 'json' } : undefined;
    case 'bytes': case 'blob': return simple ? { kind: 'bytes' } : undefined;
    case 'uuid': return simple ? { kind: 'uuid' } : undefined;
    case 'varchar': return a !== undefined && b === undefined ? { kind: 'varchar', length: a } : undefined;
    case 'decimal': case 'numeric':
      return a !== undefined ? { kind: 'decimal', precision: a, scale: b ?? 0 } : undefined;
    case 'timestamp': return simple ? { kind: 'timestamp', withTimeZone: false } : undefined;
    case 'timestamptz': case 'timestamp with time zone': return simple ? { kind: 'timestamp', withTimeZone: true } : undefined;
    default: return undefined;
  }
}

/** Canonical spelling of a type, as the fingerprint and messages use it. */
export function typeToString(type: ColumnType): string {
  switch (type.kind) {
    case 'integer': case 'bigint': case 'real': case 'text': case 'boolean': case 'date': case 'json': case 'bytes': case 'uuid':
      return type.kind;
    case 'varchar': return `varchar(${type.length})`;
    case 'decimal': return `decimal(${type.precision},${type.scale})`;
    case 'timestamp': return type.withTimeZone ? 'timestamptz' : 'timestamp';
    case 'raw': return `raw:${type.sql}`;
    default: return assertNever(type, 'column type');
  }
}

/**
 * Structural equality of two types: `typeToString(a) === typeToString(b)`, without building the
 * strings (the differ compares every column of every table). Exhaustive over the kinds: a new
 * kind does not compile until it says how its parameters compare.
 */
export function sameType(a: ColumnType, b: ColumnType): boolean {
  if (a === b) return true;
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'integer': case 'bigint': case 'real': case 'text': case 'boolean': case 'date': case 'json': case 'bytes': case 'uuid':
      return true;
    case 'varchar': return sameNumberText(a.length, (b as typeof a).length);
    case 'decimal': return sameNumberText(a.precision, (b as typeof a).precision) && sameNumberText(a.scale, (b as typeof a).scale);
    case 'timestamp': return !a.withTimeZone === !(b as typeof a).withTimeZone;
    case 'raw': return a.sql === (b as typeof a).sql;
    default: return assertNever(a, 'column type');
  }
}
/** Two numbers spelled alike in a type's text. */
const sameNumberText = (a: number, b: number): boolean => a === b || String(a) === String(b);
