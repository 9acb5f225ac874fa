/**
 * Checkers behind test/unit/architecture.test.ts. They read src/**\/*.ts as text: no build, no database, no
 * TypeScript compiler API (the installed `typescript` is the native port, version 7, which has no
 * `createSourceFile`). A small tokenizer below knows strings, template literals (with nested `${}`), regular
 * expression literals, comments and numbers, so braces, imports and exports are only ever read from code.
 * Every checker returns its violations as `path:line: what`, sorted.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';

// ---------------------------------------------------------------------------------------------------------------
// Tokenizer

/** Kinds of token: identifier or keyword, punctuator, string, template part, number, regular expression. */
export type TokenKind = 'id' | 'punct' | 'str' | 'tpl' | 'num' | 're';

/** One comment, as written. */
export interface Comment { text: string; start: number; end: number; line: number }

/** One token. `comment` is the comment right before it (only white space between), `nl` a line break before it. */
export interface Token { kind: TokenKind; text: string; start: number; end: number; line: number; nl: boolean; comment?: Comment }

/** A tokenized file: tokens, comments, the index of each bracket's partner and of each template's last part. */
export interface Tokenized {
  tokens: Token[];
  comments: Comment[];
  /** For `(`, `[`, `{` and `)`, `]`, `}`: the index of the partner token; -1 for other tokens. */
  match: Int32Array;
  /** For a template's first part: the index of its last part; for the last part: the first; -1 otherwise. */
  tpl: Int32Array;
}

const ASCII_ID = /[A-Za-z_$][\w$]*(?![^\x00-\x7f])/y;
const ID = /[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*/uy;
const PRIVATE = /#[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*/uy;
const NUMBER = /(?:0[xX][\da-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?)n?/y;
// `>` is always its own token (as in the TypeScript scanner) so that `Map<string, Set<number>>` closes twice.
const PUNCT = ['...', '===', '!==', '**=', '<<=', '&&=', '||=', '??=', '=>', '==', '!=', '<=', '&&', '||', '??', '++', '--',
  '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '**', '<<'];
const PUNCT_BY_FIRST = new Map<string, string[]>();
for (const p of PUNCT) PUNCT_BY_FIRST.set(p[0]!, [...(PUNCT_BY_FIRST.get(p[0]!) ?? []), p]);
/** After these keywords a `/` starts a regular expression; after any other identifier it divides. */
const REGEX_AFTER = new Set(['return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else',
  'yield', 'await', 'extends']);

function regexAllowed(prev: Token | undefined): boolean {
  if (!prev) return true;
  switch (prev.kind) {
    case 'num': case 'str': case 're': return false;
    case 'tpl': return prev.text.endsWith('${');
    case 'id': return REGEX_AFTER.has(prev.text);
    default: return ![')', ']', '}', '++', '--'].includes(prev.text);
  }
}

/** Line starts of a text, for {@link lineOf}. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function lineOf(starts: number[], pos: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= pos) lo = mid; else hi = mid - 1;
  }
  return lo + 1;
}

type Fail = (pos: number, what: string) => never;

/** The end of the string literal whose quote is at `i`. */
function stringEnd(text: string, i: number, fail: Fail): number {
  const quote = text[i];
  let j = i + 1;
  while (text[j] !== quote) {
    if (j >= text.length || text[j] === '\n') fail(i, 'unterminated string');
    j += text[j] === '\\' ? 2 : 1;
  }
  return j + 1;
}

/** The end of the regular expression literal whose `/` is at `i`, flags included (a `/` inside `[...]` does not end it). */
function regexEnd(text: string, i: number, fail: Fail): number {
  let j = i + 1;
  let inClass = false;
  for (;;) {
    const r = text[j];
    if (r === undefined || r === '\n') fail(i, 'unterminated regular expression');
    if (r === '\\') { j += 2; continue; }
    if (r === '[') inClass = true;
    else if (r === ']') inClass = false;
    else if (r === '/' && !inClass) break;
    j++;
  }
  ID.lastIndex = j + 1;
  return ID.exec(text) ? ID.lastIndex : j + 1;
}

/** Tokenizes TypeScript source. Throws `Error('line N: ...')` on unterminated literals and unbalanced brackets. */
export function tokenize(text: string): Tokenized {
  const starts = lineStarts(text);
  const tokens: Token[] = [];
  const comments: Comment[] = [];
  const braces: boolean[] = []; // one entry per open `{` (false) or `${` (true)
  const heads: number[] = []; // token index of each open template's first part
  const tplPairs: [number, number][] = [];
  let nl = false;
  let comment: Comment | undefined;
  let i = 0;
  const fail: Fail = (pos, what) => { throw new Error(`line ${lineOf(starts, pos)}: ${what}`); };
  const push = (kind: TokenKind, start: number, end: number): void => {
    tokens.push({ kind, text: text.slice(start, end), start, end, line: lineOf(starts, start), nl, comment });
    nl = false;
    comment = undefined;
    i = end;
  };
  /** Scans a template part starting at the backtick or at the `}` that closes a substitution. */
  const template = (start: number): void => {
    let j = start + 1;
    for (;;) {
      const c = text[j];
      if (c === undefined) fail(start, 'unterminated template literal');
      if (c === '\\') { j += 2; continue; }
      if (c === '`') {
        push('tpl', start, j + 1);
        if (text[start] === '}') tplPairs.push([heads.pop()!, tokens.length - 1]);
        else tplPairs.push([tokens.length - 1, tokens.length - 1]);
        return;
      }
      if (c === '$' && text[j + 1] === '{') {
        push('tpl', start, j + 2);
        if (text[start] === '`') heads.push(tokens.length - 1);
        braces.push(true);
        return;
      }
      j++;
    }
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n' || c === '\u2028' || c === '\u2029') { nl = true; i++; continue; }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v' || c === '\u00a0' || c === '\ufeff') { i++; continue; }
    const next = text[i + 1];
    if (c === '/' && next === '/') {
      let end = text.indexOf('\n', i);
      if (end < 0) end = text.length;
      comment = { text: text.slice(i, end), start: i, end, line: lineOf(starts, i) };
      comments.push(comment);
      i = end;
      continue;
    }
    if (c === '/' && next === '*') {
      const close = text.indexOf('*/', i + 2);
      if (close < 0) fail(i, 'unterminated comment');
      comment = { text: text.slice(i, close + 2), start: i, end: close + 2, line: lineOf(starts, i) };
      comments.push(comment);
      if (comment.text.includes('\n')) nl = true;
      i = close + 2;
      continue;
    }
    if (c === "'" || c === '"') { push('str', i, stringEnd(text, i, fail)); continue; }
    if (c === '`') { template(i); continue; }
    if (c === '}' && braces.at(-1) === true) { braces.pop(); template(i); continue; }
    if (c === '{') { braces.push(false); push('punct', i, i + 1); continue; }
    if (c === '}') { braces.pop(); push('punct', i, i + 1); continue; }
    if ((c >= '0' && c <= '9') || (c === '.' && next !== undefined && next >= '0' && next <= '9')) {
      NUMBER.lastIndex = i;
      NUMBER.exec(text);
      push('num', i, NUMBER.lastIndex);
      continue;
    }
    ASCII_ID.lastIndex = i;
    if (ASCII_ID.exec(text)) { push('id', i, ASCII_ID.lastIndex); continue; }
    const word = c === '#' ? PRIVATE : ID;
    word.lastIndex = i;
    if (word.exec(text)) { push('id', i, word.lastIndex); continue; }
    if (c === '/' && regexAllowed(tokens.at(-1))) { push('re', i, regexEnd(text, i, fail)); continue; }
    if (c === '?' && next === '.' && !/[0-9]/.test(text[i + 2] ?? '')) { push('punct', i, i + 2); continue; }
    const op = PUNCT_BY_FIRST.get(c)?.find((p) => text.startsWith(p, i));
    push('punct', i, i + (op?.length ?? 1));
  }
  if (heads.length > 0 || braces.includes(true)) fail(text.length, 'unterminated template literal');
  const tpl = new Int32Array(tokens.length).fill(-1);
  for (const [head, tail] of tplPairs) { tpl[head] = tail; tpl[tail] = head; }
  return { tokens, comments, match: matchBrackets(tokens, fail), tpl };
}

/** Pairs each `(`, `[`, `{` with its closing token; `fail` on a bracket that does not close or closes the wrong one. */
function matchBrackets(tokens: Token[], fail: Fail): Int32Array {
  const match = new Int32Array(tokens.length).fill(-1);
  const stack: number[] = [];
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  tokens.forEach((t, k) => {
    if (t.kind !== 'punct') return;
    if (t.text === '(' || t.text === '[' || t.text === '{') stack.push(k);
    else if (pairs[t.text]) {
      const open = stack.pop();
      if (open === undefined || tokens[open]!.text !== pairs[t.text]) fail(t.start, `unbalanced '${t.text}'`);
      match[open!] = k;
      match[k] = open!;
    }
  });
  if (stack.length > 0) fail(tokens[stack.at(-1)!]!.start, `unclosed '${tokens[stack.at(-1)!]!.text}'`);
  return match;
}

// ---------------------------------------------------------------------------------------------------------------
// Project

/** One source file under src/. `path` is relative to the repository root, with `/`. */
export interface SourceFile {
  path: string;
  text: string;
  lines: string[];
  /** Undefined when the file could not be tokenized; `error` says why. */
  tok?: Tokenized;
  error?: string;
}

/** All of src/**\/*.ts, read once. */
export interface Project { root: string; files: SourceFile[]; byPath: Map<string, SourceFile> }

function walk(dir: string, out: string[]): string[] {
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else if (name.endsWith('.ts')) out.push(full);
  }
  return out;
}

/** Tokenizes one file's text; a file the tokenizer cannot read keeps its `error`. */
function sourceFile(path: string, text: string): SourceFile {
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (lines.at(-1) === '') lines.pop();
  try {
    return { path, text, lines, tok: tokenize(text) };
  } catch (e) {
    return { path, text, lines, error: (e as Error).message };
  }
}

/** A project from texts by path (`src/...`), for checking the checkers on small inputs. */
export function projectOf(root: string, texts: Record<string, string>): Project {
  const files = Object.entries(texts).sort(([a], [b]) => (a < b ? -1 : 1)).map(([path, text]) => sourceFile(path, text));
  return { root, files, byPath: new Map(files.map((f) => [f.path, f])) };
}

/** Reads and tokenizes every `.ts` file under `root`/src. */
export function loadProject(root: string): Project {
  const texts: Record<string, string> = {};
  for (const full of walk(join(root, 'src'), [])) texts[full.slice(root.length + 1).split('\\').join('/')] = readFileSync(full, 'utf8');
  return projectOf(root, texts);
}

const byLocation = (a: string, b: string): number => {
  const [pa, la] = splitLocation(a);
  const [pb, lb] = splitLocation(b);
  return pa < pb ? -1 : pa > pb ? 1 : la - lb || (a < b ? -1 : a > b ? 1 : 0);
};
function splitLocation(v: string): [string, number] {
  const m = /^([^:]*):(\d+):/.exec(v);
  return m ? [m[1]!, Number(m[2])] : [v, 0];
}
const sorted = (v: string[]): string[] => [...new Set(v)].sort(byLocation);

/** Violations for files the tokenizer could not read (each token-based rule reports them, so none passes silently). */
function unreadable(project: Project): string[] {
  return project.files.filter((f) => f.error).map((f) => `${f.path}:${/line (\d+)/.exec(f.error!)?.[1] ?? 1}: could not tokenize: ${f.error}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Token helpers

const isP = (t: Token | undefined, text: string): boolean => t?.kind === 'punct' && t.text === text;
const isId = (t: Token | undefined, text?: string): boolean => t?.kind === 'id' && (text === undefined || t.text === text);
const isOpen = (t: Token | undefined): boolean => t?.kind === 'punct' && (t.text === '(' || t.text === '[' || t.text === '{');
const isClose = (t: Token | undefined): boolean => t?.kind === 'punct' && (t.text === ')' || t.text === ']' || t.text === '}');
const isTplHead = (tk: Tokenized, j: number): boolean => tk.tokens[j]?.kind === 'tpl' && tk.tokens[j]!.text.startsWith('`') && tk.tpl[j]! > j;
const isTplTail = (tk: Tokenized, j: number): boolean => tk.tokens[j]?.kind === 'tpl' && tk.tokens[j]!.text.startsWith('}');

/** From a `<` at `j`: the index after its `>`, or -1 when the brackets do not close (then it was not a type list). */
function skipAngle(tk: Tokenized, j: number): number {
  let depth = 0;
  for (; j < tk.tokens.length; j++) {
    const t = tk.tokens[j]!;
    if (isP(t, '<')) depth++;
    else if (isP(t, '>') && --depth === 0) return j + 1;
    else if (isOpen(t)) j = tk.match[j]!;
    else if (isTplHead(tk, j)) j = tk.tpl[j]!;
    else if (isClose(t) || isP(t, ';')) return -1;
  }
  return -1;
}

/** From a `>` at `j`: the index of its `<`, or -1. */
function skipAngleBack(tk: Tokenized, j: number): number {
  let depth = 0;
  for (; j >= 0; j--) {
    const t = tk.tokens[j]!;
    if (isP(t, '>')) depth++;
    else if (isP(t, '<') && --depth === 0) return j;
    else if (isClose(t)) j = tk.match[j]!;
    else if (isTplTail(tk, j)) j = tk.tpl[j]!;
    else if (isOpen(t) || isP(t, ';')) return -1;
  }
  return -1;
}

const TYPE_OPERATORS = new Set(['keyof', 'typeof', 'infer', 'readonly', 'unique', 'is', 'asserts', 'extends', 'new', 'abstract']);

/**
 * Reads a type starting at `j` (after a `:`) and returns the index of the first token after it. A `{` where a type
 * may start is an object type; a `{` after a complete type is not part of it (a function body). With
 * `arrow = false` a top-level `=>` ends the type (an arrow function's return type cannot be a bare function type).
 */
function typeEnd(tk: Tokenized, j: number, arrow = true): number {
  const t = tk.tokens;
  let expect = true;
  while (j < t.length) {
    const x = t[j]!;
    if (isP(x, '{')) {
      if (!expect) return j;
      j = tk.match[j]! + 1;
      expect = false;
    } else if (isP(x, '(') || isP(x, '[')) {
      if (isP(x, '(') && !expect) return j;
      j = tk.match[j]! + 1;
      expect = false;
    } else if (isP(x, '<')) {
      const after = skipAngle(tk, j);
      if (after < 0) return j;
      j = after;
      expect = false;
    } else if (isP(x, '=>') && arrow) {
      j++;
      expect = true;
    } else if (['|', '&', '.', '?', ':', '-'].some((p) => isP(x, p))) {
      j++;
      expect = true;
    } else if (x.kind === 'id' && TYPE_OPERATORS.has(x.text)) {
      j++;
      expect = true;
    } else if (x.kind === 'id' || x.kind === 'str' || x.kind === 'num' || x.kind === 'tpl') {
      if (!expect) return j;
      j = isTplHead(tk, j) ? tk.tpl[j]! + 1 : j + 1;
      expect = false;
    } else {
      return j;
    }
  }
  return j;
}

/** After a parameter list's `)` at `j - 1`: the index of the body's `{`, or -1 when there is no body. */
function findBody(tk: Tokenized, j: number): number {
  const t = tk.tokens;
  if (isP(t[j], '{')) return j;
  if (!isP(t[j], ':')) return -1;
  const end = typeEnd(tk, j + 1);
  return isP(t[end], '{') ? end : -1;
}

// ---------------------------------------------------------------------------------------------------------------
// Rule 4: function length

/** A function with a block body: its name (or how it is used), the line of its head and the lines of `{` and `}`. */
export interface FunctionSpan { name: string; line: number; open: number; close: number; lines: number }

/** Keywords that are followed by `(` without being a method name. */
const NOT_METHOD = new Set(['if', 'for', 'while', 'switch', 'catch', 'with', 'function', 'return', 'typeof', 'await', 'yield', 'new',
  'void', 'delete', 'throw', 'in', 'of', 'instanceof', 'case', 'super', 'import', 'else', 'do', 'as', 'satisfies', 'extends']);

/** A name for a function expression that starts at token `start`, from what it is assigned or passed to. */
function inferName(tk: Tokenized, start: number): string {
  const t = tk.tokens;
  let j = start - 1;
  if (isId(t[j], 'async')) j--;
  const p = t[j];
  if (isP(p, '=')) {
    for (let k = j - 1; k >= 0; k--) { // a typed declarator or property: `const f: (x: number) => void = ...`
      const x = t[k]!;
      if (isClose(x)) { k = tk.match[k]!; continue; }
      if (isOpen(x) || isP(x, ';') || isP(x, ',') || isP(x, '=')) break;
      if (isP(x, ':') && isId(t[k - 1])) return t[k - 1]!.text;
    }
    if (isId(t[j - 1])) return t[j - 1]!.text;
  }
  if (isP(p, ':') && (isId(t[j - 1]) || t[j - 1]?.kind === 'str')) return t[j - 1]!.text;
  if (isP(p, '(') || isP(p, ',')) {
    let k = j;
    while (k >= 0 && !isP(t[k], '(')) {
      if (isClose(t[k]) ) k = tk.match[k]!;
      else if (isOpen(t[k])) return '<anonymous>';
      k--;
    }
    if (isP(t[k - 1], '>')) k = skipAngleBack(tk, k - 1);
    if (k > 0 && isId(t[k - 1]) && !NOT_METHOD.has(t[k - 1]!.text)) return `<callback to ${t[k - 1]!.text}>`;
  }
  if (isId(p, 'default')) return 'default';
  return '<anonymous>';
}

/** The first token of an arrow function whose `=>` is at `i` (its parameter list, a lone parameter or `<T>`). */
function arrowStart(tk: Tokenized, i: number): number {
  const t = tk.tokens;
  const prev = i - 1;
  let params = -1;
  if (isP(t[prev], ')') && !(isP(t[tk.match[prev]! - 1], ':') && isP(t[tk.match[prev]! - 2], ')'))) {
    params = tk.match[prev]!;
  } else {
    let j = prev; // walk back over a return type: `(...): Promise<T[]> => {`
    for (;;) {
      while (isP(t[j], ']') || isP(t[j], '>')) j = isP(t[j], ']') ? tk.match[j]! - 1 : skipAngleBack(tk, j) - 1;
      if (j < 0) break;
      if (isP(t[j], ')') || isP(t[j], '}')) j = tk.match[j]! - 1;
      else if (isTplTail(tk, j)) j = tk.tpl[j]! - 1;
      else if (isId(t[j]) || t[j]?.kind === 'str' || t[j]?.kind === 'num' || t[j]?.kind === 'tpl') j--;
      else break;
      if (['.', '|', '&', '=>'].some((p) => isP(t[j], p)) || (isId(t[j]) && TYPE_OPERATORS.has(t[j]!.text))) { j--; continue; }
      break;
    }
    if (j > 0 && isP(t[j], ':') && isP(t[j - 1], ')')) params = tk.match[j - 1]!;
    else params = prev;
  }
  if (params > 0 && isP(t[params - 1], '>')) {
    const lt = skipAngleBack(tk, params - 1);
    if (lt >= 0) params = lt;
  }
  return params;
}

/** Every function with a block body: declarations, expressions, arrows with `{`, methods, accessors, constructors. */
export function functionSpans(tk: Tokenized): FunctionSpan[] {
  const t = tk.tokens;
  const found = new Map<number, { name: string; head: number }>();
  const add = (body: number, name: string, head: number): void => { if (!found.has(body)) found.set(body, { name, head }); };
  for (let i = 0; i < t.length; i++) {
    const x = t[i]!;
    if (isId(x, 'function') && !isP(t[i - 1], '.')) {
      let j = i + 1;
      if (isP(t[j], '*')) j++;
      const name = isId(t[j]) ? t[j++]!.text : undefined;
      if (isP(t[j], '<')) j = skipAngle(tk, j);
      if (j < 0 || !isP(t[j], '(')) continue;
      const body = findBody(tk, tk.match[j]! + 1);
      if (body >= 0) add(body, name ?? inferName(tk, i), i);
    } else if (isP(x, '=>')) {
      if (!isP(t[i + 1], '{')) continue;
      const start = arrowStart(tk, i);
      add(i + 1, inferName(tk, start), start);
    } else if (isP(x, '(') && i > 0) {
      let p = i - 1;
      if (isP(t[p], '>')) p = skipAngleBack(tk, p) - 1;
      if (p < 0) continue;
      const n = t[p]!;
      let name: string;
      if (n.kind === 'id') {
        if (NOT_METHOD.has(n.text) || isP(t[p - 1], '.') || isP(t[p - 1], '?.') || isId(t[p - 1], 'function')) continue;
        if (isP(t[p - 1], '*') && isId(t[p - 2], 'function')) continue;
        name = n.text;
      } else if (n.kind === 'str' || n.kind === 'num') {
        name = n.text;
      } else if (isP(n, ']')) {
        name = `[${t.slice(tk.match[p]! + 1, p).map((y) => y.text).join('')}]`;
        p = tk.match[p]!;
      } else {
        continue;
      }
      const body = findBody(tk, tk.match[i]! + 1);
      if (body >= 0) add(body, name, p);
    }
  }
  return [...found].map(([body, { name, head }]) => {
    const open = t[body]!.line;
    const close = t[tk.match[body]!]!.line;
    return { name, line: t[head]?.line ?? open, open, close, lines: close - open + 1 };
  }).sort((a, b) => a.open - b.open);
}

/** Rule 4: no function body over `max` lines, counted from the line of its `{` to the line of its `}`, both included. */
export function checkFunctionLength(project: Project, max = 100): string[] {
  const out = unreadable(project);
  for (const f of project.files) {
    if (!f.tok) continue;
    for (const s of functionSpans(f.tok)) {
      if (s.lines > max) out.push(`${f.path}:${s.line}: function ${s.name} is ${s.lines} lines (max ${max}; body lines ${s.open}-${s.close})`);
    }
  }
  return sorted(out);
}

// ---------------------------------------------------------------------------------------------------------------
// Imports and exports

/** A static `import`/`export ... from`, `import type`, `import x = require()` or `import('...')` with a literal. */
export interface ImportSite { spec: string; line: number }

const unquote = (s: string): string => s.slice(1, -1);
const isLiteral = (t: Token | undefined): boolean =>
  t?.kind === 'str' || (t?.kind === 'tpl' && t.text.startsWith('`') && t.text.endsWith('`') && t.text.length > 1);

/** Finds `from 'spec'` for the import or export statement whose keyword is at `i`. */
function fromClause(tk: Tokenized, i: number): number {
  const t = tk.tokens;
  for (let k = i + 1, steps = 0; k < t.length && steps < 40; k++, steps++) {
    const x = t[k]!;
    if (isP(x, '{')) { k = tk.match[k]!; continue; }
    if (isId(x, 'from') && t[k + 1]?.kind === 'str') return k + 1;
    if (isP(x, ';') || isP(x, '=') || isP(x, '(') || isP(x, ')') || isP(x, '}') || isId(x, 'import') || isId(x, 'export')) return -1;
    if (isId(x) && ['function', 'class', 'const', 'let', 'var', 'interface', 'enum', 'namespace', 'declare', 'default', 'abstract', 'async']
      .includes(x.text) && k === i + 1) return -1;
    if (isId(x, 'type') && k === i + 1 && isId(t[k + 1]) && isP(t[k + 2], '=')) return -1; // export type X = ...
  }
  return -1;
}

/** Every module specifier a file names, wherever it appears (dynamic imports may be nested anywhere). */
export function importSites(tk: Tokenized): ImportSite[] {
  const t = tk.tokens;
  const out: ImportSite[] = [];
  for (let i = 0; i < t.length; i++) {
    const x = t[i]!;
    if (x.kind !== 'id' || (x.text !== 'import' && x.text !== 'export')) continue;
    if (isP(t[i - 1], '.') || isP(t[i - 1], '?.') || isP(t[i + 1], ':')) continue; // a property named import
    if (x.text === 'import') {
      if (isP(t[i + 1], '(')) {
        if (isLiteral(t[i + 2]) && (isP(t[i + 3], ')') || isP(t[i + 3], ','))) out.push({ spec: unquote(t[i + 2]!.text), line: x.line });
        continue;
      }
      if (isP(t[i + 1], '.')) continue; // import.meta
      if (t[i + 1]?.kind === 'str') { out.push({ spec: unquote(t[i + 1]!.text), line: x.line }); continue; }
      let k = i + 1;
      if (isId(t[k], 'type')) k++;
      if (isId(t[k]) && isP(t[k + 1], '=') && isId(t[k + 2], 'require') && isP(t[k + 3], '(') && t[k + 4]?.kind === 'str') {
        out.push({ spec: unquote(t[k + 4]!.text), line: x.line });
        continue;
      }
    }
    const spec = fromClause(tk, i);
    if (spec >= 0) out.push({ spec: unquote(t[spec]!.text), line: x.line });
  }
  return out;
}

/** A top-level declaration: its name, kind, line, whether it is exported, a function, and the first token of its statement. */
export interface Declaration { name: string; kind: string; line: number; exported: boolean; isFunction: boolean; start: number }

/** What a module declares, imports and exports at its top level. */
export interface ModuleInfo {
  declarations: Declaration[];
  /** `export { local as exported }` without `from`. */
  localExports: { local: string; exported: string; line: number; start: number }[];
  /** `export { imported as exported } from 'from'`, and `export * as exported from 'from'` (imported `*`). */
  reexports: { imported: string; exported: string; from: string; line: number; start: number }[];
  /** `export * from 'from'` and `export type * from 'from'`. */
  stars: { from: string; line: number }[];
  /** `import { imported as local } from 'from'`, `import local from` (imported `default`), `import * as local` (`*`). */
  imports: Map<string, { imported: string; from: string }>;
}

const STATEMENT_KEYWORDS = new Set(['export', 'import', 'function', 'class', 'interface', 'type', 'enum', 'const', 'let', 'var',
  'declare', 'abstract', 'async', 'namespace', 'module']);

/** From `j` in an initializer: the index of the `,` or `;` that ends it (or of the next statement after a line break). */
function initializerEnd(tk: Tokenized, j: number): number {
  const t = tk.tokens;
  const first = j;
  for (; j < t.length; j++) {
    const x = t[j]!;
    if (isOpen(x)) { j = tk.match[j]!; continue; }
    if (isTplHead(tk, j)) { j = tk.tpl[j]!; continue; }
    if (isP(x, '<')) { // type arguments of a call: `new Map<string, number>()`
      const after = skipAngle(tk, j);
      if (after >= 0 && isP(t[after], '(')) { j = after - 1; continue; }
    }
    if (isP(x, ',') || isP(x, ';') || isClose(x)) return j;
    if (j > first && x.nl && isId(x) && STATEMENT_KEYWORDS.has(x.text) && isId(t[j + 1])) return j;
  }
  return j;
}

/** Whether the initializer starting at `j` is a function: `function`, `async`, an arrow (with optional `<T>` and return type). */
function isFunctionInit(tk: Tokenized, j: number): boolean {
  const t = tk.tokens;
  if (isId(t[j], 'function')) return true;
  if (isId(t[j], 'async')) {
    if (isId(t[j + 1], 'function')) return true;
    j++;
  }
  if (isId(t[j]) && isP(t[j + 1], '=>')) return true;
  if (isP(t[j], '<')) j = skipAngle(tk, j);
  if (j < 0 || !isP(t[j], '(')) return false;
  const after = tk.match[j]! + 1;
  if (isP(t[after], '=>')) return true;
  return isP(t[after], ':') && isP(t[typeEnd(tk, after + 1, false)], '=>');
}

/** Parses the declaration whose first keyword (after `export`, `default`, `declare`, ...) is at `j`. */
function declarationAt(tk: Tokenized, j: number, exported: boolean, start: number): Declaration[] {
  const t = tk.tokens;
  while (isId(t[j]) && ['default', 'declare', 'abstract', 'async'].includes(t[j]!.text) && isId(t[j + 1])) j++;
  const k = t[j];
  if (!isId(k)) return [];
  const one = (kind: string, nameAt: number, isFunction = false): Declaration[] =>
    (isId(t[nameAt]) ? [{ name: t[nameAt]!.text, kind, line: t[nameAt]!.line, exported, isFunction, start }] : []);
  switch (k!.text) {
    case 'function': {
      const nameAt = isP(t[j + 1], '*') ? j + 2 : j + 1;
      const declared = t.slice(start, j).some((x) => isId(x, 'declare'));
      return one('function', nameAt, !declared);
    }
    case 'class': case 'interface': case 'enum': case 'namespace': case 'module':
      return one(k!.text, j + 1);
    case 'type':
      return isId(t[j + 1]) ? one('type', j + 1) : [];
    case 'const': case 'let': case 'var': {
      if (isId(t[j + 1], 'enum')) return one('enum', j + 2);
      const out: Declaration[] = [];
      for (let d = j + 1; d < t.length;) {
        const name = t[d];
        if (isId(name)) d++;
        else if (isP(name, '{') || isP(name, '[')) d = tk.match[d]! + 1; // a destructuring pattern: names not read
        else break;
        if (isP(t[d], '!')) d++;
        if (isP(t[d], ':')) d = typeEnd(tk, d + 1);
        let isFunction = false;
        if (isP(t[d], '=')) {
          isFunction = isFunctionInit(tk, d + 1);
          d = initializerEnd(tk, d + 1);
        }
        if (isId(name)) out.push({ name: name!.text, kind: k!.text, line: name!.line, exported, isFunction, start });
        if (!isP(t[d], ',')) break;
        d++;
      }
      return out;
    }
    default:
      return [];
  }
}

/** Reads `a`, `a as b`, `type a as b`, `default as b` from an export or import brace list `{ ... }` at `open`. */
function specifiers(tk: Tokenized, open: number): { name: string; alias: string }[] {
  const t = tk.tokens;
  const out: { name: string; alias: string }[] = [];
  const close = tk.match[open]!;
  for (let k = open + 1; k < close;) {
    if (isId(t[k], 'type') && (isId(t[k + 1]) || t[k + 1]?.kind === 'str') && !isP(t[k + 1], ',')) {
      if (!(isId(t[k + 1], 'as') && !isId(t[k + 2]))) k++;
    }
    const name = t[k]!.kind === 'str' ? unquote(t[k]!.text) : t[k]!.text;
    let alias = name;
    k++;
    if (isId(t[k], 'as')) { alias = t[k + 1]!.kind === 'str' ? unquote(t[k + 1]!.text) : t[k + 1]!.text; k += 2; }
    out.push({ name, alias });
    while (k < close && !isP(t[k], ',')) k++;
    k++;
  }
  return out;
}

/** Whether the token at `i` begins a statement (so `as const` or a property `type` are not declarations). */
function statementStart(tk: Tokenized, i: number): boolean {
  const prev = tk.tokens[i - 1];
  if (!prev || isP(prev, ';') || isP(prev, '}')) return true;
  if (!tk.tokens[i]!.nl) return false;
  return prev.kind !== 'punct' || isP(prev, ')') || isP(prev, ']');
}

/** Walks back from `export` over decorators (`@a.b(...)`) to the first token of the statement. */
function decoratorsBefore(tk: Tokenized, i: number): number {
  const t = tk.tokens;
  for (;;) {
    let j = i - 1;
    if (isP(t[j], ')')) j = tk.match[j]! - 1;
    while (isId(t[j]) && isP(t[j - 1], '.')) j -= 2;
    if (isId(t[j]) && isP(t[j - 1], '@')) i = j - 1;
    else return i;
  }
}

/** Reads the top level of a module: declarations, local exports, re-exports, `export *` and imports. */
export function moduleInfo(tk: Tokenized): ModuleInfo {
  const t = tk.tokens;
  const info: ModuleInfo = { declarations: [], localExports: [], reexports: [], stars: [], imports: new Map() };
  for (let i = 0; i < t.length; i++) {
    const x = t[i]!;
    if (isOpen(x)) { i = tk.match[i]!; continue; }
    if (isTplHead(tk, i)) { i = tk.tpl[i]!; continue; }
    if (!isId(x) || !STATEMENT_KEYWORDS.has(x.text) || !statementStart(tk, i) || isP(t[i + 1], '.') || isP(t[i + 1], '(')) continue;
    if (x.text === 'import') {
      const spec = fromClause(tk, i);
      if (spec < 0) continue;
      const from = unquote(t[spec]!.text);
      let k = i + 1;
      if (isId(t[k], 'type') && !isId(t[k + 1], 'from') && !isP(t[k + 1], ',')) k++;
      if (isId(t[k]) && !isId(t[k], 'from')) { info.imports.set(t[k]!.text, { imported: 'default', from }); k++; if (isP(t[k], ',')) k++; }
      if (isP(t[k], '*') && isId(t[k + 1], 'as')) info.imports.set(t[k + 2]!.text, { imported: '*', from });
      if (isP(t[k], '{')) for (const s of specifiers(tk, k)) info.imports.set(s.alias, { imported: s.name, from });
      continue;
    }
    if (x.text !== 'export') {
      info.declarations.push(...declarationAt(tk, i, false, i));
      continue;
    }
    const start = decoratorsBefore(tk, i);
    let k = i + 1;
    if (isId(t[k], 'type') && (isP(t[k + 1], '{') || isP(t[k + 1], '*'))) k++;
    if (isP(t[k], '*')) {
      const spec = fromClause(tk, i);
      if (spec < 0) continue;
      const from = unquote(t[spec]!.text);
      if (isId(t[k + 1], 'as')) {
        const alias = t[k + 2]!.kind === 'str' ? unquote(t[k + 2]!.text) : t[k + 2]!.text;
        info.reexports.push({ imported: '*', exported: alias, from, line: x.line, start });
      } else {
        info.stars.push({ from, line: x.line });
      }
    } else if (isP(t[k], '{')) {
      const close = tk.match[k]!;
      const list = specifiers(tk, k);
      if (isId(t[close + 1], 'from') && t[close + 2]?.kind === 'str') {
        const from = unquote(t[close + 2]!.text);
        for (const s of list) info.reexports.push({ imported: s.name, exported: s.alias, from, line: x.line, start });
      } else {
        for (const s of list) info.localExports.push({ local: s.name, exported: s.alias, line: x.line, start });
      }
      i = close;
    } else if (isId(t[k], 'default') && !isId(t[k + 1], 'function') && !isId(t[k + 1], 'class') && !isId(t[k + 1], 'abstract')
      && !isId(t[k + 1], 'async') && !isId(t[k + 1], 'interface')) {
      info.declarations.push({ name: 'default', kind: 'default', line: x.line, exported: true, isFunction: isFunctionInit(tk, k + 1), start });
    } else if (isId(t[k])) {
      const decls = declarationAt(tk, k, true, start);
      if (isId(t[k], 'default')) for (const d of decls) info.declarations.push({ ...d, name: 'default' }, { ...d, exported: false });
      else info.declarations.push(...decls);
    }
  }
  return info;
}

// ---------------------------------------------------------------------------------------------------------------
// Rules 1 and 2: layers and cycles

/** The layers of src/, top to bottom. Folders by name; files at the top of src/ by file name. */
export const LAYERS = ['cli', 'index.ts', 'engine', 'pull', 'deploy', 'evolutions', 'database', 'dialects', 'plan', 'diff', 'model', 'ir', 'errors.ts'];

/** The top-level node of src/ a path under src/ belongs to (`src/dialects/postgres/x.ts` → `dialects`), or undefined outside src/. */
function nodeOf(project: Project, path: string): string | undefined {
  if (!path.startsWith('src/')) return undefined;
  const parts = path.slice(4).split('/');
  if (parts.length > 1) return parts[0];
  const base = parts[0]!.replace(/\.(d\.ts|[cm]?[jt]sx?)$/, '');
  try {
    if (statSync(join(project.root, 'src', base)).isDirectory()) return base;
  } catch { /* not a folder */ }
  return `${base}.ts`;
}

/** An import between two top-level nodes of src/. */
interface Edge { from: string; to: string; path: string; line: number; spec: string }

const edgeCache = new WeakMap<Project, Edge[]>();

/** Every import between two different top-level nodes of src/ (relative specifiers only). */
function edges(project: Project): Edge[] {
  if (edgeCache.has(project)) return edgeCache.get(project)!;
  const out: Edge[] = [];
  edgeCache.set(project, out);
  for (const f of project.files) {
    if (!f.tok) continue;
    const from = nodeOf(project, f.path)!;
    for (const s of importSites(f.tok)) {
      if (!s.spec.startsWith('./') && !s.spec.startsWith('../')) continue;
      const to = nodeOf(project, posix.normalize(posix.join(posix.dirname(f.path), s.spec)));
      if (to !== undefined && to !== from) out.push({ from, to, path: f.path, line: s.line, spec: s.spec });
    }
  }
  return out;
}

/** Rule 1: every import points to the importer's own layer or one below it; every top-level entry of src/ is a layer. */
export function checkLayers(project: Project): string[] {
  const out = unreadable(project);
  const rank = new Map(LAYERS.map((l, k) => [l, k]));
  const unknown = new Map<string, string>();
  for (const f of project.files) {
    const node = nodeOf(project, f.path)!;
    if (!rank.has(node) && !unknown.has(node)) unknown.set(node, f.path);
  }
  for (const [node, first] of unknown) {
    const what = node.endsWith('.ts') ? `file src/${node}` : `folder src/${node}`;
    out.push(`${first}:1: ${what} is not in the layer list (${LAYERS.join(' > ')})`);
  }
  for (const e of edges(project)) {
    const a = rank.get(e.from);
    const b = rank.get(e.to);
    if (a === undefined || b === undefined || b >= a) continue;
    out.push(`${e.path}:${e.line}: upward import '${e.spec}': ${e.from} (layer ${a + 1}) may not import from ${e.to} (layer ${b + 1})`);
  }
  return sorted(out);
}

/** Strongly connected components with more than one node (Tarjan). */
function components(nodes: string[], next: Map<string, Set<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    on.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const c: string[] = [];
      let w: string;
      do { w = stack.pop()!; on.delete(w); c.push(w); } while (w !== v);
      if (c.length > 1) out.push(c.sort());
    }
  };
  for (const v of nodes) if (!index.has(v)) visit(v);
  return out;
}

/**
 * Rule 2: no cycle between the top-level nodes of src/. Lists each elementary cycle (numbered), then every import that
 * makes an edge of some cycle, once, with the numbers of the cycles it is part of.
 */
export function checkCycles(project: Project, limit = 50): string[] {
  const out = unreadable(project);
  const all = edges(project);
  const next = new Map<string, Set<string>>();
  for (const e of all) {
    if (!next.has(e.from)) next.set(e.from, new Set());
    next.get(e.from)!.add(e.to);
  }
  const nodes = [...new Set(all.flatMap((e) => [e.from, e.to]))].sort();
  const cycles: string[][] = [];
  let truncated = false;
  for (const scc of components(nodes, next)) {
    const inside = new Set(scc);
    for (const s of scc) { // cycles whose smallest node is s
      const path = [s];
      const dfs = (v: string): void => {
        for (const w of [...(next.get(v) ?? [])].sort()) {
          if (truncated || !inside.has(w) || w < s) continue;
          if (w === s) {
            if (cycles.length < limit) cycles.push([...path, s]);
            else truncated = true;
          } else if (!path.includes(w)) { path.push(w); dfs(w); path.pop(); }
        }
      };
      dfs(s);
    }
  }
  const inCycles = new Map<string, number[]>(); // "from>to" -> numbers of the cycles using that edge
  cycles.forEach((c, n) => {
    out.push(`cycle ${n + 1}: ${c.join(' -> ')}`);
    for (let k = 0; k + 1 < c.length; k++) {
      const key = `${c[k]}>${c[k + 1]}`;
      inCycles.set(key, [...(inCycles.get(key) ?? []), n + 1]);
    }
  });
  if (truncated) out.push(`cycle ${limit + 1}...: more than ${limit} cycles; only the first ${limit} are listed`);
  const sites: string[] = [];
  for (const e of all) {
    const used = inCycles.get(`${e.from}>${e.to}`);
    if (used) sites.push(`${e.path}:${e.line}: '${e.spec}' makes edge ${e.from} -> ${e.to} (cycle${used.length > 1 ? 's' : ''} ${used.join(', ')})`);
  }
  return [...out, ...sorted(sites)];
}

// ---------------------------------------------------------------------------------------------------------------
// Rules 3, 5, 6: lines

/** Rule 3: no line longer than `max` characters (code points), wherever it is (strings and comments included). */
export function checkLineLength(project: Project, max = 160): string[] {
  const out: string[] = [];
  for (const f of project.files) {
    f.lines.forEach((l, k) => {
      const n = [...l].length;
      if (n > max) out.push(`${f.path}:${k + 1}: line is ${n} characters (max ${max})`);
    });
  }
  return sorted(out);
}

/** The pattern of rule 5: a comparison with, a `case` of, or a `Record` keyed by a dialect's name. */
export const DIALECT_BRANCH =
  /(dialect(\.name)?|\.dialect|dialectName|name) *(===|!==) *'(sqlite|postgres|mysql)'|case '(sqlite|postgres|mysql)'|Record<DialectName/;

/** Rule 5: outside src/dialects/, no line matches {@link DIALECT_BRANCH}. */
export function checkDialectBranches(project: Project): string[] {
  const out: string[] = [];
  for (const f of project.files) {
    if (f.path.startsWith('src/dialects/')) continue;
    f.lines.forEach((l, k) => {
      const m = DIALECT_BRANCH.exec(l);
      if (m) out.push(`${f.path}:${k + 1}: branches on a dialect's name (${m[0]}): ${l.trim().slice(0, 120)}`);
    });
  }
  return sorted(out);
}

/** Rule 6: every file in src/engine/ (any depth) has at most `max` lines. */
export function checkEngineFileSize(project: Project, max = 300): string[] {
  return sorted(project.files.filter((f) => f.path.startsWith('src/engine/') && f.lines.length > max)
    .map((f) => `${f.path}:${max + 1}: file is ${f.lines.length} lines (max ${max} in src/engine/)`));
}

// ---------------------------------------------------------------------------------------------------------------
// Rules 7 and 8: exports

const infos = new WeakMap<SourceFile, ModuleInfo>();
function infoOf(f: SourceFile): ModuleInfo | undefined {
  if (!f.tok) return undefined;
  if (!infos.has(f)) infos.set(f, moduleInfo(f.tok));
  return infos.get(f);
}

/** Rule 7: no two files of src/ export a function (declaration or const holding one) under the same name. */
export function checkDuplicateExports(project: Project): string[] {
  const out = unreadable(project);
  const defs = new Map<string, Map<string, number>>(); // name -> path -> first line
  const add = (name: string, path: string, line: number): void => {
    if (!defs.has(name)) defs.set(name, new Map());
    const files = defs.get(name)!;
    if (!files.has(path)) files.set(path, line);
  };
  for (const f of project.files) {
    const info = infoOf(f);
    if (!info) continue;
    for (const d of info.declarations) if (d.exported && d.isFunction && d.name !== 'default') add(d.name, f.path, d.line);
    for (const e of info.localExports) {
      const d = info.declarations.find((x) => x.name === e.local && x.isFunction);
      if (d && e.exported !== 'default') add(e.exported, f.path, d.line);
    }
  }
  for (const [name, files] of defs) {
    if (files.size < 2) continue;
    const at = [...files].map(([p, l]) => `${p}:${l}`);
    out.push(`${at[0]}: exported function ${name} is also defined at ${at.slice(1).join(', ')}`);
  }
  return sorted(out);
}

/** Whether a comment is TSDoc (`/** ... *\/`, not the file's `@packageDocumentation`). */
const isTsDoc = (c: Comment | undefined): boolean =>
  c !== undefined && c.text.startsWith('/**') && c.text !== '/**/' && !c.text.includes('@packageDocumentation');

/** Resolves a relative module specifier of `from` to a file of the project. */
function resolveModule(project: Project, from: SourceFile, spec: string): SourceFile | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = posix.normalize(posix.join(posix.dirname(from.path), spec));
  const stem = base.replace(/\.([cm]?js|[cm]?ts)$/, '');
  for (const p of [`${stem}.ts`, `${stem}.d.ts`, `${base}/index.ts`, `${stem}/index.ts`]) {
    const f = project.byPath.get(p);
    if (f) return f;
  }
  return undefined;
}

/** Where an exported name is declared: the file and the first token of the declaring statement. */
interface Definition { file: SourceFile; line: number; start: number }

/** Follows re-exports, local exports and imports to the declaration of `name` exported by `file`. */
function definitionOf(project: Project, file: SourceFile, name: string, seen = new Set<string>()): Definition | undefined {
  const key = `${file.path}#${name}`;
  if (seen.has(key)) return undefined;
  seen.add(key);
  const info = infoOf(file);
  if (!info) return undefined;
  const local = (n: string): Definition | undefined => {
    const d = info.declarations.find((x) => x.name === n);
    if (d) return { file, line: d.line, start: d.start };
    const imp = info.imports.get(n);
    const target = imp && resolveModule(project, file, imp.from);
    if (imp && target && imp.imported !== '*') return definitionOf(project, target, imp.imported, seen);
    return undefined;
  };
  const own = info.declarations.find((x) => x.exported && x.name === name);
  if (own) return { file, line: own.line, start: own.start };
  for (const e of info.localExports.filter((x) => x.exported === name)) {
    const d = local(e.local);
    if (d) return d;
  }
  for (const r of info.reexports.filter((x) => x.exported === name)) {
    if (r.imported === '*') return { file, line: r.line, start: r.start };
    const target = resolveModule(project, file, r.from);
    const d = target && definitionOf(project, target, r.imported, seen);
    if (d) return d;
  }
  for (const s of info.stars) {
    const target = resolveModule(project, file, s.from);
    const d = target && definitionOf(project, target, name, seen);
    if (d) return d;
  }
  return undefined;
}

/** Every name a module exports, through its own re-exports and `export *`. */
function exportedNames(project: Project, file: SourceFile, seen = new Set<string>()): string[] {
  if (seen.has(file.path)) return [];
  seen.add(file.path);
  const info = infoOf(file);
  if (!info) return [];
  const names = [
    ...info.declarations.filter((d) => d.exported).map((d) => d.name),
    ...info.localExports.map((e) => e.exported),
    ...info.reexports.map((r) => r.exported),
  ];
  for (const s of info.stars) {
    const target = resolveModule(project, file, s.from);
    if (target) names.push(...exportedNames(project, target, seen).filter((n) => n !== 'default'));
  }
  return [...new Set(names)];
}

/** One name of the public API: where src/index.ts exports it, where it is declared, and whether that declaration has TSDoc. */
export interface PublicName { name: string; line: number; declared?: { path: string; line: number }; documented: boolean }

/**
 * Every name `entry` exports (`export { a } from`, `export type { A } from`, `export * from`, `export type * from` —
 * for a star, every name the target module exports), each followed to the statement that declares it.
 */
export function publicApi(project: Project, entry = 'src/index.ts'): PublicName[] {
  const index = project.byPath.get(entry);
  const info = index && infoOf(index);
  if (!index || !info) return [];
  const wanted: { name: string; line: number }[] = [];
  for (const r of info.reexports) wanted.push({ name: r.exported, line: r.line });
  for (const e of info.localExports) wanted.push({ name: e.exported, line: e.line });
  for (const d of info.declarations.filter((x) => x.exported)) wanted.push({ name: d.name, line: d.line });
  for (const s of info.stars) {
    const target = resolveModule(project, index, s.from);
    for (const n of target ? exportedNames(project, target) : []) if (n !== 'default') wanted.push({ name: n, line: s.line });
  }
  const out = new Map<string, PublicName>();
  for (const w of wanted) {
    if (out.has(w.name)) continue;
    const d = definitionOf(project, index, w.name);
    out.set(w.name, d
      ? { ...w, declared: { path: d.file.path, line: d.line }, documented: isTsDoc(d.file.tok!.tokens[d.start]!.comment) }
      : { ...w, documented: false });
  }
  return [...out.values()];
}

/** Rule 8: every name src/index.ts exports is declared right after a TSDoc comment in the file that defines it. */
export function checkPublicTsDoc(project: Project, entry = 'src/index.ts'): string[] {
  const out = unreadable(project);
  const index = project.byPath.get(entry);
  if (!index) return [`${entry}:1: not found`];
  for (const s of infoOf(index)?.stars ?? []) {
    if (!resolveModule(project, index, s.from)) out.push(`${entry}:${s.line}: cannot resolve '${s.from}'`);
  }
  for (const p of publicApi(project, entry)) {
    if (!p.declared) out.push(`${entry}:${p.line}: cannot find where ${p.name} is declared`);
    else if (!p.documented) out.push(`${entry}:${p.line}: ${p.name} (${p.declared.path}:${p.declared.line}) has no TSDoc`);
  }
  return sorted(out);
}
