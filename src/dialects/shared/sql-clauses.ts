/**
 * Reading statements clause by clause, for the classifiers that say what a statement costs a
 * live database (lock-levels.ts of each dialect) and the online lint rules.
 */

/**
 * The top-level clauses of a statement's text: split at commas outside parentheses, quotes
 * (`'…'`, `"…"`, `` `…` ``) and dollar quotes, each trimmed.
 */
export function topLevelClauses(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (text.startsWith(quote, i)) { i += quote.length - 1; quote = ''; } else if (ch === '\\' && quote === "'") i++;
      continue;
    }
    const dollar = ch === '$' ? /^\$[A-Za-z_]*\$/.exec(text.slice(i)) : null;
    if (dollar) { quote = dollar[0]; i += quote.length - 1; } else if (ch === "'" || ch === '"' || ch === '`') quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) { out.push(text.slice(start, i).trim()); start = i + 1; }
  }
  out.push(text.slice(start).trim());
  return out.filter(Boolean);
}

/** A statement's text without `--` and `/* *\/` comments, whitespace collapsed. */
export function bareStatement(sql: string): string {
  return sql.replace(/--[^\n]*(\n|$)/g, ' ').replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\s+/g, ' ').trim();
}

const PART = String.raw`(?:"(?:[^"]|"")+"|\x60(?:[^\x60]|\x60\x60)+\x60|[\w$]+)`;
/** A name as written, quoted or bare, schema-qualified or not (`"a b"`, `` `a` ``, `s.t`, `"s"."t"`): one capture group. */
export const NAME = String.raw`(${PART}(?:\.${PART})?)`;
const PARTS = new RegExp(PART, 'g');
/** A name as {@link NAME} captured it, unquoted (`"s"."t"` → `s.t`). */
export const unquoteName = (s: string | undefined): string => (s ?? '').match(PARTS)?.map((p) =>
  (p.startsWith('"') ? p.slice(1, -1).replace(/""/g, '"') : p.startsWith('`') ? p.slice(1, -1).replace(/``/g, '`') : p)).join('.') ?? '';
