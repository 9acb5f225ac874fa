/**
 * Splitting a SQL file into statements at top-level semicolons — never inside a string,
 * a quoted identifier, a comment or a PostgreSQL dollar-quoted body.
 */

/** Statements of `text`, trimmed, without their terminating semicolon; empty ones dropped. */
export function splitSql(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text[i]!;
    const next = text[i + 1];
    if (ch === '-' && next === '-') { const end = text.indexOf('\n', i); const stop = end === -1 ? n : end; cur += text.slice(i, stop); i = stop; continue; }
    if (ch === '/' && next === '*') { const end = text.indexOf('*/', i + 2); const stop = end === -1 ? n : end + 2; cur += text.slice(i, stop); i = stop; continue; }
    if (ch === "'" || ch === '"' || ch === '`') {
      let j = i + 1;
      while (j < n) {
        if (text[j] === '\\' && ch === "'" ) { j += 2; continue; }
        if (text[j] === ch) { if (text[j + 1] === ch) { j += 2; continue; } break; }
        j++;
      }
      cur += text.slice(i, j + 1); i = j + 1; continue;
    }
    if (ch === '$') {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i));
      if (m) {
        const tag = m[0];
        const end = text.indexOf(tag, i + tag.length);
        const stop = end === -1 ? n : end + tag.length;
        cur += text.slice(i, stop); i = stop; continue;
      }
    }
    if (ch === ';') { push(); i++; continue; }
    cur += ch; i++;
  }
  push();
  return out;

  function push(): void {
    const s = cur.trim();
    // A chunk of only comments is not a statement.
    const code = s.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '').trim();
    // Leading comment lines belong to the file, not to the statement.
    if (code !== '') out.push(s.replace(/^(\s*--[^\n]*\n)+/, '').trim());
    cur = '';
  }
}
