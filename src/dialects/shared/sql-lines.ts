/**
 * The lines of a SQL text that begin outside every string, quoted name, block comment and
 * PostgreSQL dollar-quoted body — the only lines where a marker comment such as
 * `-- evolve:revert` may stand. A value that holds a line break followed by `-- evolve:revert`
 * is inside a string, so it never reads as one. Quotes are read as the statement splitter
 * reads them ({@link quotedEnd}), so markers and statements agree.
 */
import { quotedEnd } from './sql-split.js';

/** A line of `text` that starts at top level: where it starts, and its text (without the line break). */
export interface TopLevelLine { readonly index: number; readonly text: string }

/** Every line of `text` that starts outside strings, quoted names, block comments and dollar quotes. */
export function topLevelLines(text: string): TopLevelLine[] {
  const out: TopLevelLine[] = [];
  const n = text.length;
  const line = (at: number): void => {
    const end = text.indexOf('\n', at);
    out.push({ index: at, text: text.slice(at, end === -1 ? n : end).replace(/\r$/, '') });
  };
  let i = 0;
  line(0);
  while (i < n) {
    const ch = text[i]!;
    if (ch === '\n') { i++; if (i < n) line(i); continue; }
    if (ch === '-' && text[i + 1] === '-') { const end = text.indexOf('\n', i); i = end === -1 ? n : end; continue; }
    if (ch === '/' && text[i + 1] === '*') { const end = text.indexOf('*/', i + 2); i = end === -1 ? n : end + 2; continue; }
    if (ch === "'" || ch === '"' || ch === '`') { i = quotedEnd(text, i) + 1; continue; }
    if (ch === '$') {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i, i + 64));
      if (m && !/[\w$]/.test(text[i - 1] ?? ' ')) {
        const end = text.indexOf(m[0], i + m[0].length);
        i = end === -1 ? n : end + m[0].length;
        continue;
      }
    }
    i++;
  }
  return out;
}
