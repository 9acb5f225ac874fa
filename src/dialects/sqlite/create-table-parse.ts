/**
 * What SQLite keeps only in the text of a CREATE TABLE statement: CHECK constraints, the
 * expressions of generated columns and the collations of columns. SQLite stores the statement as written, so this reads it
 * back with a small scanner (quotes, comments and nested parentheses respected); expressions are
 * kept as written, with whitespace outside strings collapsed.
 */
import type { CheckIR, GeneratedIR } from '../../ir/schema.js';

/** Collapse whitespace outside quotes and drop comments: the normal form of an SQL fragment. */
export function squeezeSql(sql: string): string {
  let out = '';
  for (let i = 0; i < sql.length;) {
    const ch = sql[i]!;
    if (ch === '-' && sql[i + 1] === '-') { const e = sql.indexOf('\n', i); i = e === -1 ? sql.length : e; out += ' '; continue; }
    if (ch === '/' && sql[i + 1] === '*') { const e = sql.indexOf('*/', i + 2); i = e === -1 ? sql.length : e + 2; out += ' '; continue; }
    if (ch === "'" || ch === '"' || ch === '`' || ch === '[') {
      const close = ch === '[' ? ']' : ch;
      let j = i + 1;
      while (j < sql.length && !(sql[j] === close && sql[j + 1] !== close)) j += sql[j] === close ? 2 : 1;
      out += sql.slice(i, j + 1); i = j + 1; continue;
    }
    if (/\s/.test(ch)) { out += ' '; while (i < sql.length && /\s/.test(sql[i]!)) i++; continue; }
    out += ch; i++;
  }
  return out.replace(/ +/g, ' ').replace(/\( /g, '(').replace(/ \)/g, ')').trim();
}

/** Index of the parenthesis closing the one at `open`, skipping quotes and comments. */
function closing(sql: string, open: number): number {
  let depth = 0;
  for (let i = open; i < sql.length; i++) {
    const ch = sql[i]!;
    if (ch === "'" || ch === '"' || ch === '`' || ch === '[') {
      const close = ch === '[' ? ']' : ch;
      i++;
      while (i < sql.length && !(sql[i] === close && sql[i + 1] !== close)) i += sql[i] === close ? 2 : 1;
      continue;
    }
    if (ch === '-' && sql[i + 1] === '-') { const e = sql.indexOf('\n', i); i = e === -1 ? sql.length : e; continue; }
    if (ch === '/' && sql[i + 1] === '*') { const e = sql.indexOf('*/', i + 2); i = e === -1 ? sql.length : e + 1; continue; }
    if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) return i;
  }
  return -1;
}

/** Top-level comma-separated parts of the text between `(` at `open` and its closing `)`, commas in comments skipped. */
function parts(sql: string, open: number, close: number): string[] {
  const out: string[] = [];
  let start = open + 1;
  for (let i = open + 1; i < close; i++) {
    const ch = sql[i]!;
    if (ch === '(') { i = closing(sql, i); continue; }
    if (ch === "'" || ch === '"' || ch === '`' || ch === '[') {
      const c = ch === '[' ? ']' : ch;
      i++;
      while (i < close && !(sql[i] === c && sql[i + 1] !== c)) i += sql[i] === c ? 2 : 1;
      continue;
    }
    if (ch === '-' && sql[i + 1] === '-') { const e = sql.indexOf('\n', i); i = e === -1 || e > close ? close - 1 : e; continue; }
    if (ch === '/' && sql[i + 1] === '*') { const e = sql.indexOf('*/', i + 2); i = e === -1 || e > close ? close - 1 : e + 1; continue; }
    if (ch === ',') { out.push(sql.slice(start, i)); start = i + 1; }
  }
  out.push(sql.slice(start, close));
  // A comment before a definition (`id integer, -- the key` puts one before the next) is not part of it.
  return out.map((p) => p.replace(LEADING_COMMENTS, '').trim());
}

const LEADING_COMMENTS = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*/;

const NAME = String.raw`("(?:[^"]|"")+"|\x60(?:[^\x60]|\x60\x60)+\x60|\[[^\]]+\]|[\w$]+)`;
const unquote = (n: string): string => (/^["`[]/.test(n) ? n.slice(1, -1).replace(/""/g, '"').replace(/``/g, '`') : n);

const CHECK_RE = new RegExp(String.raw`(?:\bconstraint\s+${NAME}\s+)?\bcheck\s*\(`, 'gi');
const GENERATED_RE = new RegExp(String.raw`(?:\bconstraint\s+${NAME}\s+)?(?:generated\s+always\s+)?\bas\s*\(`, 'gi');
const COLUMN_NAME_RE = new RegExp(`^${NAME}`);

/** Parenthesised fragments that `re` (a global regex ending in `(`) finds in `part`, with their CONSTRAINT names. */
function keywordGroups(part: string, re: RegExp): { name: string | null; body: string; end: number }[] {
  const out: { name: string | null; body: string; end: number }[] = [];
  re.lastIndex = 0;
  for (let m = re.exec(part); m; m = re.exec(part)) {
    const open = m.index + m[0].length - 1;
    const close = closing(part, open);
    if (close === -1) break;
    out.push({ name: m[1] ? unquote(m[1]) : null, body: squeezeSql(part.slice(open + 1, close)), end: close + 1 });
    re.lastIndex = close + 1;
  }
  return out;
}

const COLLATE_RE = new RegExp(String.raw`^collate\s+${NAME}`, 'i');

/**
 * The collation a column definition (`rest`: the text after the column's name) gives its
 * column: a `COLLATE name` outside parentheses, strings and quoted names (a CHECK's or a
 * default's own COLLATE is inside parentheses), lower-cased (SQLite's collation names are
 * case-insensitive). `binary`, SQLite's default, is no collation. The last one wins, as in SQLite.
 */
function columnCollation(rest: string): string | null {
  let found: string | null = null;
  for (let i = 0; i < rest.length; i++) {
    const ch = rest[i]!;
    if (ch === '(') { const e = closing(rest, i); if (e === -1) break; i = e; continue; }
    if (ch === "'" || ch === '"' || ch === '`' || ch === '[') {
      const close = ch === '[' ? ']' : ch;
      i++;
      while (i < rest.length && !(rest[i] === close && rest[i + 1] !== close)) i += rest[i] === close ? 2 : 1;
      continue;
    }
    if (ch === '-' && rest[i + 1] === '-') { const e = rest.indexOf('\n', i); if (e === -1) break; i = e; continue; }
    if (ch === '/' && rest[i + 1] === '*') { const e = rest.indexOf('*/', i + 2); if (e === -1) break; i = e + 1; continue; }
    if ((ch === 'c' || ch === 'C') && (i === 0 || !/[\w$]/.test(rest[i - 1]!))) {
      const m = COLLATE_RE.exec(rest.slice(i));
      if (m) { found = unquote(m[1]!).toLowerCase(); i += m[0].length - 1; }
    }
  }
  return found === null || found === 'binary' ? null : found;
}

/** What a CREATE TABLE statement alone says: CHECK constraints, generated-column expressions and column collations (by column name). */
export interface ParsedCreateTable {
  readonly checks: CheckIR[];
  readonly generated: Map<string, GeneratedIR>;
  readonly collations: Map<string, string>;
}

/** CHECK constraints, generated-column expressions and column collations of a CREATE TABLE statement. */
export function parseCreateTable(sql: string): ParsedCreateTable {
  const checks: CheckIR[] = [];
  const generated = new Map<string, GeneratedIR>();
  const collations = new Map<string, string>();
  // Most tables have none of them: skip the scan.
  if (!/\bcheck\b|\bas\b|\bcollate\b/i.test(sql)) return { checks, generated, collations };
  const open = sql.indexOf('(');
  const close = open === -1 ? -1 : closing(sql, open);
  if (close === -1) return { checks, generated, collations };
  for (const part of parts(sql, open, close)) {
    if (/^(constraint\s+\S+\s+)?check\b/i.test(part)) {
      for (const g of keywordGroups(part, CHECK_RE)) checks.push({ name: g.name, expression: g.body });
      continue;
    }
    if (/^(constraint|primary|unique|foreign)\b/i.test(part)) continue;
    const col = COLUMN_NAME_RE.exec(part);
    if (!col) continue;
    const rest = part.slice(col[0].length);
    const lower = rest.toLowerCase();
    if (lower.includes('check')) for (const g of keywordGroups(rest, CHECK_RE)) checks.push({ name: g.name, expression: g.body });
    const gen = lower.includes('as') ? keywordGroups(rest, GENERATED_RE)[0] : undefined;
    if (gen) generated.set(unquote(col[1]!), { expression: gen.body, stored: /^\s*stored\b/i.test(rest.slice(gen.end)) });
    const collation = lower.includes('collate') ? columnCollation(rest) : null;
    if (collation !== null) collations.set(unquote(col[1]!), collation);
  }
  return { checks, generated, collations };
}
