/**
 * A statement as the mysql (and mariadb) client sends it to the server: by default the client
 * strips comments (`--skip-comments`), and the server stores a routine's, trigger's or view's
 * body as it received it. A schema file loaded natively with the client therefore holds bodies
 * without their comments; Evolve loads its scratch the same way, so both compare equal (and a
 * routine with a `#` comment is not recreated on every run).
 *
 * As the client does (client/mysql.cc): outside strings and quoted names, `#` and `-- ` (two
 * dashes and a space or the line's end) comments are cut to the end of the line, the line
 * break kept; a `/* … *\/` comment is cut whole, its line breaks too, and a space stands for it
 * when the next character is not white space. Versioned comments (`/*!50001 … *\/`,
 * MariaDB's `/*M!… *\/`) and optimiser hints (`/*+ … *\/`) are code and stay.
 */

/** `statement` without the comments the mysql client strips (see the module comment). */
export function withoutClientComments(statement: string): string {
  let out = '';
  let i = 0;
  const n = statement.length;
  while (i < n) {
    const ch = statement[i]!;
    const next = statement[i + 1];
    if (ch === "'" || ch === '"' || ch === '`') {
      let j = i + 1;
      while (j < n) {
        if (statement[j] === '\\' && ch !== '`') { j += 2; continue; }
        if (statement[j] === ch) { if (statement[j + 1] === ch) { j += 2; continue; } break; }
        j++;
      }
      out += statement.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (ch === '#' || (ch === '-' && next === '-' && (i + 2 >= n || /\s/.test(statement[i + 2]!)))) {
      const end = statement.indexOf('\n', i);
      i = end === -1 ? n : end;
      continue;
    }
    if (ch === '/' && next === '*' && !/^(?:!|M!|\+)/.test(statement.slice(i + 2, i + 4))) {
      const end = statement.indexOf('*/', i + 2);
      i = end === -1 ? n : end + 2;
      if (i < n && !/\s/.test(statement[i]!)) out += ' ';
      continue;
    }
    out += ch;
    i++;
  }
  return out.trim();
}
