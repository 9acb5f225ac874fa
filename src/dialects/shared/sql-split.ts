/**
 * Splitting a SQL file into statements at top-level semicolons — never inside a string, a
 * quoted identifier, a comment, a PostgreSQL dollar-quoted body, or the `BEGIN … END` body of a
 * trigger, function, procedure or event (SQLite and MySQL compound statements). A MySQL
 * client-style `DELIMITER //` line (also after comments, also `DELIMITER $$`) switches the
 * terminator until the next `DELIMITER` line; as in the mysql client, a statement then ends at
 * that terminator only (no dollar quotes, no block counting: MySQL has none of the first and
 * the client does none of the second), and `#` starts a comment.
 */

/** How to read the file: `mysql` for MySQL's own syntax (`#` comments everywhere). */
export interface SplitOptions {
  /** `#` starts a comment to the end of the line (MySQL), also with the `;` terminator. */
  readonly hashComments?: boolean;
}

/** Words that open a block closed by `END` inside a compound statement body. */
const OPENERS = new Set(['begin', 'case']);
/** `END IF`, `END LOOP`, … close blocks that were not counted as openers. */
const NOT_BLOCK_END = new Set(['if', 'loop', 'while', 'repeat']);
/** A statement whose body may hold semicolons inside BEGIN … END. */
const COMPOUND = /^\s*create\b[\s\S]*?\b(trigger|procedure|function|event)\b/i;

/**
 * Where the string or quoted name opening at `text[start]` (`'`, `"` or a backtick) closes: the
 * index of its closing quote (a doubled quote stays inside; a backslash escapes in a `'`
 * string, as MySQL reads it), or past the end when it never closes.
 */
export function quotedEnd(text: string, start: number): number {
  const q = text[start];
  let j = start + 1;
  while (j < text.length) {
    if (text[j] === '\\' && q === "'") { j += 2; continue; }
    if (text[j] === q) { if (text[j + 1] === q) { j += 2; continue; } break; }
    j++;
  }
  return j;
}

/** A `DELIMITER x` line (mysql client syntax) at `i`, a line's start: the new terminator and where the next line starts. */
function delimiterLine(text: string, i: number): { delimiter: string; next: number } | null {
  const m = /^[ \t]*delimiter[ \t]+(\S+)[ \t]*(?:\r?\n|$)/i.exec(text.slice(i, text.indexOf('\n', i) + 1 || undefined));
  return m ? { delimiter: m[1]!, next: i + m[0].length } : null;
}

/** Statements of `text`, trimmed, without their terminator; empty ones dropped. */
export function splitSql(text: string, options: SplitOptions = {}): string[] {
  const out: string[] = [];
  let cur = '';
  /** Whether `cur` holds more than comments and white space. */
  let code = false;
  let i = 0;
  let depth = 0;
  let delimiter = ';';
  const n = text.length;
  while (i < n) {
    const ch = text[i]!;
    const next = text[i + 1];
    // DELIMITER lines (mysql client syntax) at the start of a line, between statements (after comments too).
    if ((i === 0 || text[i - 1] === '\n') && !code) {
      const d = delimiterLine(text, i);
      if (d) { delimiter = d.delimiter; i = d.next; continue; }
    }
    if (ch === '-' && next === '-') { const end = text.indexOf('\n', i); const stop = end === -1 ? n : end; cur += text.slice(i, stop); i = stop; continue; }
    if (ch === '#' && (delimiter !== ';' || options.hashComments)) {
      const end = text.indexOf('\n', i); const stop = end === -1 ? n : end; cur += text.slice(i, stop); i = stop; continue;
    }
    if (ch === '/' && next === '*') {
      if (text[i + 2] === '!') code = true; // a MySQL versioned comment is code
      const end = text.indexOf('*/', i + 2); const stop = end === -1 ? n : end + 2; cur += text.slice(i, stop); i = stop; continue;
    }
    if (/\s/.test(ch)) { cur += ch; i++; continue; }
    // The terminator (never inside a compound body; a mysql client delimiter ends the statement whatever it holds).
    if (depth === 0 && text.startsWith(delimiter, i)) { push(); i += delimiter.length; continue; }
    code = true;
    if (ch === "'" || ch === '"' || ch === '`') {
      const j = quotedEnd(text, i);
      cur += text.slice(i, j + 1); i = j + 1; continue;
    }
    // Under a mysql client delimiter: no dollar quotes, no block counting.
    if (delimiter !== ';') { cur += ch; i++; continue; }
    if (ch === '$') {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i, i + 64));
      if (m) {
        const tag = m[0];
        const end = text.indexOf(tag, i + tag.length);
        const stop = end === -1 ? n : end + tag.length;
        cur += text.slice(i, stop); i = stop; continue;
      }
    }
    if (/[A-Za-z_]/.test(ch) && !/[\w$]/.test(text[i - 1] ?? ' ')) {
      const word = /^[A-Za-z_][\w$]*/.exec(text.slice(i, i + 64))![0];
      const lower = word.toLowerCase();
      if (depth > 0 || ((OPENERS.has(lower)) && COMPOUND.test(cur))) {
        if (OPENERS.has(lower)) depth++;
        else if (lower === 'end') {
          const after = /^\s*([A-Za-z_]+)/.exec(text.slice(i + 3, i + 40))?.[1]?.toLowerCase();
          if (!after || !NOT_BLOCK_END.has(after)) depth = Math.max(0, depth - 1);
        }
      }
      cur += word; i += word.length; continue;
    }
    cur += ch; i++;
  }
  push();
  return out;

  function push(): void {
    const s = cur.trim();
    // A chunk of only comments is not a statement (a MySQL versioned comment `/*!…*/` is code).
    if (code) out.push(s.replace(options.hashComments ? /^(\s*(?:--|#)[^\n]*\n)+/ : /^(\s*--[^\n]*\n)+/, '').trim());
    cur = '';
    code = false;
    depth = 0;
  }
}
