/**
 * Names in the TypeScript that `evolve pull` writes: string literals, object keys, `sql`
 * template text, and the export names of tables (valid identifiers that shadow nothing the
 * module imports).
 */

/** Words that cannot name a `const`, and names the emitted module imports from `evolve`. */
const RESERVED = new Set([
  'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum', 'export',
  'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new', 'null', 'return', 'super',
  'switch', 'this', 'throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with', 'yield', 'let', 'static', 'implements',
  'interface', 'package', 'private', 'protected', 'public', 'await', 'arguments', 'eval', 'undefined', 'NaN', 'Infinity',
]);

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** A single-quoted TypeScript string literal holding `s` exactly. */
export function str(s: string): string {
  if (s.includes("'") && !/["\\\n\r\u2028\u2029]/.test(s)) return `"${s}"`;
  return `'${s.replace(/[\\'\n\r\u2028\u2029]/g, (c) => ({ '\\': '\\\\', "'": "\\'", '\n': '\\n', '\r': '\\r' } as Record<string, string>)[c]
    ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}'`;
}

/** An object key: bare where it is an identifier, else a string literal. */
export function key(name: string): string {
  return IDENTIFIER.test(name) ? name : str(name);
}

/** Property access on `object`: `.name` where it is an identifier, else `['name']`. */
export function member(object: string, name: string): string {
  return IDENTIFIER.test(name) ? `${object}.${name}` : `${object}[${str(name)}]`;
}

/** `sql\`…\`` holding `text` exactly (the tag reads the cooked text, so `\`, `` ` `` and `${` are escaped). */
export function sqlTemplate(text: string): string {
  return `sql\`${text.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${')}\``;
}

/**
 * Export names for tables: the name where it is a usable identifier, else the name with every
 * other character made `_` (`billing.invoice` → `billing_invoice`); never one of `taken` (the
 * module's imports) and never twice.
 */
export function exportNames(tables: readonly string[], taken: ReadonlySet<string>): Map<string, string> {
  const used = new Set<string>(taken);
  const out = new Map<string, string>();
  for (const t of tables) {
    let base = t.replace(/[^\w$]/g, '_');
    if (!/^[A-Za-z_$]/.test(base)) base = `_${base}`;
    if (RESERVED.has(base) || taken.has(base)) base = `${base}_table`;
    let name = base;
    for (let i = 2; used.has(name); i++) name = `${base}_${i}`;
    used.add(name);
    out.set(t, name);
  }
  return out;
}

/** A file name (without extension) for a table's module: its export name, kebab-free, unique case-insensitively. */
export function fileNames(exports: ReadonlyMap<string, string>): Map<string, string> {
  const used = new Set<string>(['index']);
  const out = new Map<string, string>();
  for (const [table, name] of exports) {
    let file = name;
    for (let i = 2; used.has(file.toLowerCase()); i++) file = `${name}_${i}`;
    used.add(file.toLowerCase());
    out.set(table, file);
  }
  return out;
}
