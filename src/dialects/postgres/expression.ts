/**
 * PostgreSQL expressions (defaults, partial-index predicates): a small tokenizer, parser and
 * printer giving one canonical spelling for what a model writes and what PostgreSQL's deparser
 * prints back (parentheses, inferred `::text` casts, `= ANY (ARRAY[...])` for IN, `~~` for
 * LIKE, BETWEEN expanded, `now()`). Text that does not parse keeps its own spelling.
 */
import type { ColumnType } from '../../ir/schema.js';
import { canonicalLiteral } from './literals.js';
import { parseNumber, stripOuterParens } from '../shared/defaults.js';
import { quoteString, quoteWith } from '../shared/quote.js';
import { parsePgType, pgTypeSql } from './sql-builder.js';

// ---------------------------------------------------------------------------------------------
// Tokens

type Tok = { readonly k: 'str' | 'num' | 'word' | 'qid' | 'op' | 'p'; readonly v: string };

const OP_CHARS = '+-*/<>=~!@#%^&|`?';

function tokenize(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const quoted = (q: string): string => {
    let v = '';
    for (i++; ; i++) {
      if (i >= s.length) throw new Error('unterminated quote');
      if (s[i] === q) { if (s[i + 1] === q) { v += q; i++; continue; } i++; return v; }
      v += s[i];
    }
  };
  while (i < s.length) {
    const ch = s[i]!;
    const rest = s.slice(i);
    if (/\s/.test(ch)) { i++; continue; }
    if (rest.startsWith('--') || rest.startsWith('/*')) throw new Error('comment');
    if ((ch === 'E' || ch === 'e') && s[i + 1] === "'") {
      // E'...' strings: backslash escapes (only the common ones; others are refused).
      let v = '';
      for (i += 2; ; i++) {
        if (i >= s.length) throw new Error('unterminated string');
        const c = s[i]!;
        if (c === '\\') {
          const e = s[++i]!;
          const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '\\': '\\', "'": "'" };
          if (!(e in map)) throw new Error('escape');
          v += map[e];
        } else if (c === "'") { if (s[i + 1] === "'") { v += "'"; i++; continue; } i++; break; } else v += c;
      }
      out.push({ k: 'str', v });
      continue;
    }
    if (ch === "'") { out.push({ k: 'str', v: quoted("'") }); continue; }
    if (ch === '"') { out.push({ k: 'qid', v: quoted('"') }); continue; }
    let m: RegExpExecArray | null;
    if ((m = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(rest))) { out.push({ k: 'num', v: m[0] }); i += m[0].length; continue; }
    if ((m = /^[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*/.exec(rest))) { out.push({ k: 'word', v: m[0] }); i += m[0].length; continue; }
    if ('(),[].'.includes(ch)) { out.push({ k: 'p', v: ch }); i++; continue; }
    if (rest.startsWith('::')) { out.push({ k: 'op', v: '::' }); i += 2; continue; }
    if (OP_CHARS.includes(ch)) {
      let j = i;
      while (j < s.length && OP_CHARS.includes(s[j]!)) j++;
      let op = s.slice(i, j);
      if (op.includes('--') || op.includes('/*')) throw new Error('comment');
      // PostgreSQL's lexer: a multi-character operator ends in + or - only if it has one of these.
      if (!/[~!@#%^&|`?]/.test(op)) while (op.length > 1 && /[+-]$/.test(op)) op = op.slice(0, -1);
      out.push({ k: 'op', v: op });
      i += op.length;
      continue;
    }
    throw new Error(`unexpected ${ch}`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Syntax tree and parser (a precedence-climbing parser for PostgreSQL's operator table)

export type Node =
  | { t: 'str'; v: string }
  | { t: 'num'; v: string }
  | { t: 'kw'; v: string }
  | { t: 'id'; parts: string[] }
  | { t: 'call'; name: string[]; args: Node[]; star: boolean }
  | { t: 'cast'; e: Node; type: string }
  | { t: 'not'; e: Node }
  | { t: 'neg'; e: Node }
  | { t: 'bool'; op: 'AND' | 'OR'; items: Node[] }
  | { t: 'bin'; op: string; l: Node; r: Node }
  | { t: 'is'; e: Node; what: string }
  | { t: 'in'; e: Node; not: boolean; items: Node[] }
  | { t: 'arr'; items: Node[] }
  | { t: 'any'; op: string; quant: string; l: Node; r: Node }
  | { t: 'extract'; field: string; e: Node };

const CMP = new Set(['=', '<>', '!=', '<', '>', '<=', '>=']);
const LIKE_OPS: Record<string, string> = { '~~': 'LIKE', '!~~': 'NOT LIKE', '~~*': 'ILIKE', '!~~*': 'NOT ILIKE' };
const VALUE_KEYWORDS = new Set(['current_timestamp', 'current_date', 'current_time', 'localtime', 'localtimestamp',
  'current_user', 'session_user', 'user', 'current_role', 'current_catalog', 'current_schema']);
const TYPE_WORDS = new Set(['interval', 'date', 'time', 'timestamp', 'timestamptz', 'boolean', 'bool', 'numeric', 'decimal',
  'int', 'integer', 'int2', 'int4', 'int8', 'bigint', 'smallint', 'text', 'varchar', 'uuid', 'json', 'jsonb', 'bytea',
  'real', 'float4', 'float8', 'double', 'character', 'char']);
const TYPE_CONTINUATIONS = new Set(['precision', 'varying', 'with', 'without', 'time', 'zone']);

/** Binding strength of each operator, as in PostgreSQL's documentation (higher binds tighter). */
function binPrec(op: string): number {
  if (op === 'OR') return 1;
  if (op === 'AND') return 2;
  if (op.startsWith('IS ')) return 4;
  if (CMP.has(op)) return 5;
  if (/LIKE$/.test(op)) return 6;
  if (op === '+' || op === '-') return 8;
  if (op === '*' || op === '/' || op === '%') return 9;
  if (op === '^') return 10;
  if (op === 'AT TIME ZONE') return 10.5;
  return 7;
}

class Parser {
  private i = 0;
  constructor(private readonly toks: Tok[]) {}

  private peek(o = 0): Tok | undefined { return this.toks[this.i + o]; }
  private word(t: Tok | undefined, ...ws: string[]): boolean { return t?.k === 'word' && ws.includes(t.v.toLowerCase()); }
  private p(t: Tok | undefined, v: string): boolean { return t?.k === 'p' && t.v === v; }
  private take(): Tok { const t = this.toks[this.i++]; if (!t) throw new Error('unexpected end'); return t; }
  private expect(k: Tok['k'], v: string): void { const t = this.take(); if (t.k !== k || t.v.toLowerCase() !== v) throw new Error(`expected ${v}`); }

  parse(): Node {
    const n = this.expr(0);
    if (this.i < this.toks.length) throw new Error('trailing tokens');
    return n;
  }

  private expr(min: number): Node {
    let left = this.prefix();
    for (;;) {
      const t = this.peek();
      if (!t) return left;
      const lw = t.k === 'word' ? t.v.toLowerCase() : '';
      if (lw === 'or' || lw === 'and') {
        const p = lw === 'or' ? 1 : 2;
        if (p < min) return left;
        this.i++;
        left = { t: 'bool', op: lw === 'or' ? 'OR' : 'AND', items: [left, this.expr(p + 1)] };
      } else if (lw === 'is' || lw === 'isnull' || lw === 'notnull') {
        if (4 < min) return left;
        this.i++;
        if (lw !== 'is') { left = { t: 'is', e: left, what: lw === 'isnull' ? 'NULL' : 'NOT NULL' }; continue; }
        const not = this.word(this.peek(), 'not') ? (this.i++, 'NOT ') : '';
        const w = this.take();
        const wv = w.v.toLowerCase();
        if (w.k === 'word' && ['null', 'true', 'false', 'unknown'].includes(wv)) left = { t: 'is', e: left, what: not + wv.toUpperCase() };
        else if (w.k === 'word' && wv === 'distinct') {
          this.expect('word', 'from');
          left = { t: 'bin', op: `IS ${not}DISTINCT FROM`, l: left, r: this.expr(5) };
        }
        else throw new Error('IS what?');
      } else if (lw === 'not' || lw === 'like' || lw === 'ilike' || lw === 'in' || lw === 'between') {
        const not = lw === 'not';
        const kw = (not ? this.peek(1)?.v ?? '' : lw).toLowerCase();
        if (!['like', 'ilike', 'in', 'between'].includes(kw) || 6 < min) return left;
        this.i += not ? 2 : 1;
        left = this.afterKeyword(left, kw, not);
      } else if (lw === 'at' && this.word(this.peek(1), 'time') && this.word(this.peek(2), 'zone')) {
        if (10.5 < min) return left;
        this.i += 3;
        left = { t: 'bin', op: 'AT TIME ZONE', l: left, r: this.expr(11) };
      } else if (t.k === 'op') {
        if (t.v === '::') { if (12 < min) return left; this.i++; left = { t: 'cast', e: left, type: this.type() }; continue; }
        const op = LIKE_OPS[t.v] ?? t.v;
        const p = binPrec(op);
        if (p < min) return left;
        this.i++;
        if (CMP.has(op) && this.word(this.peek(), 'any', 'all', 'some') && this.p(this.peek(1), '(')) {
          const quant = this.take().v.toUpperCase();
          this.i++;
          const r = this.expr(0);
          this.expect('p', ')');
          left = { t: 'any', op, quant: quant === 'SOME' ? 'ANY' : quant, l: left, r };
          continue;
        }
        left = { t: 'bin', op, l: left, r: this.expr(p + 1) };
      } else return left;
    }
  }

  private afterKeyword(left: Node, kw: string, not: boolean): Node {
    if (kw === 'like' || kw === 'ilike') {
      const r = this.expr(7);
      if (this.word(this.peek(), 'escape')) throw new Error('ESCAPE');
      return { t: 'bin', op: `${not ? 'NOT ' : ''}${kw.toUpperCase()}`, l: left, r };
    }
    if (kw === 'in') {
      this.expect('p', '(');
      if (this.word(this.peek(), 'select', 'values')) throw new Error('subquery');
      const items = this.list(')');
      return { t: 'in', e: left, not, items };
    }
    const lo = this.expr(7);
    this.expect('word', 'and');
    const hi = this.expr(7);
    // PostgreSQL stores BETWEEN as the two comparisons.
    return not
      ? { t: 'bool', op: 'OR', items: [{ t: 'bin', op: '<', l: left, r: lo }, { t: 'bin', op: '>', l: left, r: hi }] }
      : { t: 'bool', op: 'AND', items: [{ t: 'bin', op: '>=', l: left, r: lo }, { t: 'bin', op: '<=', l: left, r: hi }] };
  }

  private list(close: string): Node[] {
    const items: Node[] = [];
    if (this.p(this.peek(), close)) { this.i++; return items; }
    for (;;) {
      items.push(this.expr(0));
      const t = this.take();
      if (t.k === 'p' && t.v === close) return items;
      if (!(t.k === 'p' && t.v === ',')) throw new Error('expected ,');
    }
  }

  private prefix(): Node {
    const t = this.peek();
    if (t?.k === 'op' && (t.v === '-' || t.v === '+')) {
      this.i++;
      const e = this.expr(11);
      if (t.v === '+') return e;
      return e.t === 'num' ? { t: 'num', v: e.v.startsWith('-') ? e.v.slice(1) : '-' + e.v } : { t: 'neg', e };
    }
    if (this.word(t, 'not')) { this.i++; return { t: 'not', e: this.expr(3) }; }
    return this.primary();
  }

  /** A type name after `::` or `AS`, in `format_type()` spelling. */
  private type(): string {
    const words: string[] = [];
    let quotedName = false;
    const first = this.take();
    if (first.k === 'qid') { words.push(quoteWith('"', first.v)); quotedName = true; } else if (first.k === 'word') words.push(first.v.toLowerCase());
    else throw new Error('type expected');
    while (this.p(this.peek(), '.')) {
      this.i++;
      const n = this.take();
      words[words.length - 1] += '.' + (n.k === 'qid' ? quoteWith('"', n.v) : n.v.toLowerCase());
      quotedName ||= n.k === 'qid';
    }
    const continuation = (): void => { while (this.word(this.peek(), ...TYPE_CONTINUATIONS)) words.push(this.take().v.toLowerCase()); };
    continuation();
    if (this.p(this.peek(), '(') && this.peek(1)?.k === 'num') {
      this.i++;
      const mods = this.list(')').map((n) => { if (n.t !== 'num') throw new Error('type modifier'); return n.v; });
      words[words.length - 1] += `(${mods.join(',')})`;
      continuation();
    }
    let text = words.join(' ');
    while (this.p(this.peek(), '[')) {
      this.i++;
      if (this.peek()?.k === 'num') this.i++;
      this.expect('p', ']');
      text += '[]';
    }
    return quotedName ? text : pgTypeSql(parsePgType(text));
  }

  private primary(): Node {
    const t = this.take();
    if (t.k === 'str') return { t: 'str', v: t.v };
    if (t.k === 'num') return { t: 'num', v: t.v };
    if (t.k === 'p' && t.v === '(') {
      if (this.word(this.peek(), 'select', 'values')) throw new Error('subquery');
      const e = this.expr(0);
      this.expect('p', ')');
      return e;
    }
    if (t.k === 'qid') return this.nameOrCall(t.v);
    if (t.k !== 'word') throw new Error(`unexpected ${t.v}`);
    const lw = t.v.toLowerCase();
    if (lw === 'true' || lw === 'false' || lw === 'null') return { t: 'kw', v: lw.toUpperCase() };
    if (VALUE_KEYWORDS.has(lw)) {
      if (this.p(this.peek(), '(')) throw new Error('keyword with arguments');
      return { t: 'kw', v: lw.toUpperCase() };
    }
    if (lw === 'cast' && this.p(this.peek(), '(')) {
      this.i++;
      const e = this.expr(0);
      this.expect('word', 'as');
      const type = this.type();
      this.expect('p', ')');
      return { t: 'cast', e, type };
    }
    if (lw === 'array' && this.p(this.peek(), '[')) { this.i++; return { t: 'arr', items: this.list(']') }; }
    if (lw === 'extract' && this.p(this.peek(), '(')) {
      this.i++;
      const f = this.take();
      if (f.k !== 'word' && f.k !== 'str') throw new Error('EXTRACT field');
      this.expect('word', 'from');
      const e = this.expr(0);
      this.expect('p', ')');
      return { t: 'extract', field: f.v.toLowerCase(), e };
    }
    if (['case', 'select', 'exists', 'row', 'values'].includes(lw)) throw new Error(`unsupported ${lw}`);
    if (TYPE_WORDS.has(lw)) {
      // A typed literal: interval '1 day', date '2020-01-01', timestamp with time zone '...'.
      const save = this.i;
      this.i--;
      try {
        const type = this.type();
        const s = this.peek();
        if (s?.k === 'str') { this.i++; return { t: 'cast', e: { t: 'str', v: s.v }, type }; }
      } catch { /* not a typed literal */ }
      this.i = save;
    }
    return this.nameOrCall(lw);
  }

  private nameOrCall(first: string): Node {
    const parts = [first];
    while (this.p(this.peek(), '.')) {
      this.i++;
      const n = this.take();
      if (n.k !== 'word' && n.k !== 'qid') throw new Error('name expected');
      parts.push(n.k === 'word' ? n.v.toLowerCase() : n.v);
    }
    if (!this.p(this.peek(), '(')) return { t: 'id', parts };
    this.i++;
    if (this.peek()?.k === 'op' && this.peek()!.v === '*' && this.p(this.peek(1), ')')) {
      this.i += 2;
      return { t: 'call', name: parts, args: [], star: true };
    }
    if (this.word(this.peek(), 'distinct', 'all')) throw new Error('aggregate modifiers');
    const args = this.list(')');
    if (this.word(this.peek(), 'over', 'filter', 'within')) throw new Error('window or aggregate');
    return { t: 'call', name: parts, args, star: false };
  }
}

// ---------------------------------------------------------------------------------------------
// Canonical form

/** What the canonical form may assume about the expression's table. */
export interface ExprContext {
  /** The table's columns and their types: PostgreSQL types literals after the column they meet. */
  readonly columns: ReadonlyMap<string, ColumnType>;
}

export const NO_CONTEXT: ExprContext = { columns: new Map() };
/** Keywords whose value is of type `name`: PostgreSQL casts them to text. */
const NAME_KEYWORDS = new Set(['CURRENT_USER', 'SESSION_USER', 'USER', 'CURRENT_ROLE', 'CURRENT_CATALOG', 'CURRENT_SCHEMA']);

/** The type of a column reference, when the context knows it. */
function columnType(n: Node, ctx: ExprContext): ColumnType | undefined {
  return n.t === 'id' ? ctx.columns.get(n.parts[n.parts.length - 1]!) : undefined;
}

/**
 * A literal next to a column of type `type`, as PostgreSQL prints it: the cast it adds (the
 * column's own type) dropped, the text in the type's output form ('2020-01-01' for a timestamp
 * is '2020-01-01 00:00:00').
 */
function typedLiteral(n: Node, type: ColumnType | undefined): Node {
  if (!type) return n;
  const s = n.t === 'str' ? n.v : n.t === 'cast' && n.e.t === 'str' && n.type === pgTypeSql(type) ? n.e.v : undefined;
  if (s === undefined) return n;
  const numeric = type.kind === 'integer' || type.kind === 'bigint' || type.kind === 'real' || type.kind === 'decimal';
  if (numeric && parseNumber(s) !== undefined) return { t: 'num', v: s.trim() };
  return { t: 'str', v: canonicalLiteral(s, type) };
}
const TEXT_CASTS = new Set(['text', 'character varying', 'text[]', 'character varying[]']);
const NUMERIC_CASTS = /^(integer|bigint|smallint|real|double precision|numeric(\(\d+(,\d+)?\))?)$/;

/** Undo what PostgreSQL's deparser adds: casts it inferred, ANY(ARRAY[...]) for IN, ~~ for LIKE, now(). */
function canon(n: Node, ctx: ExprContext): Node {
  switch (n.t) {
    case 'str': case 'num': case 'kw': case 'id': return n;
    case 'cast': {
      const e = canon(n.e, ctx);
      const ct = columnType(e, ctx);
      if (TEXT_CASTS.has(n.type)
        && (e.t === 'str' || e.t === 'arr' || (ct && (ct.kind === 'text' || ct.kind === 'varchar')) || (e.t === 'kw' && NAME_KEYWORDS.has(e.v)))) return e;
      if (n.type === 'regclass' && e.t === 'str') return e;
      if (NUMERIC_CASTS.test(n.type)) {
        if (e.t === 'num') return e;
        if (e.t === 'str' && parseNumber(e.v) !== undefined) return { t: 'num', v: e.v };
      }
      return { t: 'cast', e, type: n.type };
    }
    case 'call':
      if (n.name.length === 1 && n.name[0] === 'now' && n.args.length === 0 && !n.star) return { t: 'kw', v: 'CURRENT_TIMESTAMP' };
      return { ...n, args: n.args.map((a) => canon(a, ctx)) };
    case 'not': return { t: 'not', e: canon(n.e, ctx) };
    case 'neg': { const e = canon(n.e, ctx); return e.t === 'num' && !e.v.startsWith('-') ? { t: 'num', v: '-' + e.v } : { t: 'neg', e }; }
    case 'bool': {
      const items = n.items.map((x) => canon(x, ctx)).flatMap((x) => (x.t === 'bool' && x.op === n.op ? x.items : [x]));
      return { t: 'bool', op: n.op, items };
    }
    case 'bin': {
      const l = canon(n.l, ctx);
      const r = canon(n.r, ctx);
      return { t: 'bin', op: n.op === '!=' ? '<>' : n.op, l: typedLiteral(l, columnType(r, ctx)), r: typedLiteral(r, columnType(l, ctx)) };
    }
    case 'extract': return { t: 'extract', field: n.field, e: canon(n.e, ctx) };
    case 'is': return { t: 'is', e: canon(n.e, ctx), what: n.what };
    case 'in': {
      const e = canon(n.e, ctx);
      const items = n.items.map((x) => typedLiteral(canon(x, ctx), columnType(e, ctx)));
      // PostgreSQL stores `x IN (a)` as `x = a`.
      if (items.length === 1) return { t: 'bin', op: n.not ? '<>' : '=', l: e, r: items[0]! };
      return { t: 'in', e, not: n.not, items };
    }
    case 'arr': return { t: 'arr', items: n.items.map((x) => canon(x, ctx)) };
    case 'any': {
      const l = canon(n.l, ctx);
      const r = canon(n.r, ctx);
      const op = n.op === '!=' ? '<>' : n.op;
      if (r.t === 'arr' && ((op === '=' && n.quant === 'ANY') || (op === '<>' && n.quant === 'ALL'))) {
        return canon({ t: 'in', e: l, not: op === '<>', items: r.items }, ctx);
      }
      return { t: 'any', op, quant: n.quant, l, r };
    }
  }
}

/** Words that must be quoted as column names (PostgreSQL's reserved and non-column keywords). */
const RESERVED = new Set(('all analyse analyze and any array as asc asymmetric both case cast check collate column constraint create ' +
  'current_catalog current_date current_role current_time current_timestamp current_user default deferrable desc distinct do else end ' +
  'except false fetch for foreign from grant group having in initially intersect into lateral leading limit localtime localtimestamp not ' +
  'null offset on only or order placing primary references returning select session_user some symmetric system_user table then to ' +
  'trailing true union unique user using variadic when where window with authorization binary collation concurrently cross ' +
  'current_schema freeze full ilike inner is isnull join left like natural notnull outer overlaps right similar tablesample verbose ' +
  'between bigint bit boolean char character coalesce dec decimal exists extract float greatest grouping inout int integer interval ' +
  'json least national nchar none normalize nullif numeric out overlay position precision real row setof smallint substring time ' +
  'timestamp treat trim values varchar xmlattributes xmlconcat xmlelement xmlexists xmlforest xmlnamespaces xmlparse xmlpi xmlroot ' +
  'xmlserialize xmltable').split(' '));
const KEYWORD_FUNCTIONS = new Set(['coalesce', 'nullif', 'greatest', 'least']);

function identSql(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) && !RESERVED.has(name) ? name : quoteWith('"', name);
}

function prec(n: Node): number {
  switch (n.t) {
    case 'bool': return n.op === 'OR' ? 1 : 2;
    case 'not': return 3;
    case 'is': return 4;
    case 'any': return 5;
    case 'extract': return 100;
    case 'in': return 6;
    case 'bin': return binPrec(n.op);
    case 'neg': return 11;
    case 'num': return n.v.startsWith('-') ? 11 : 100;
    case 'cast': return 12;
    default: return 100;
  }
}

function wrap(n: Node, min: number): string {
  return prec(n) < min ? `(${print(n)})` : print(n);
}

export function print(n: Node): string {
  switch (n.t) {
    case 'str': return quoteString(n.v);
    case 'num': case 'kw': return n.v;
    case 'id': return n.parts.map(identSql).join('.');
    case 'call': {
      const name = n.name.length === 1 && KEYWORD_FUNCTIONS.has(n.name[0]!) ? n.name[0]!.toUpperCase()
        : n.name.map((p) => (/^[a-z_][a-z0-9_$]*$/.test(p) ? p : quoteWith('"', p))).join('.');
      return `${name}(${n.star ? '*' : n.args.map(print).join(', ')})`;
    }
    case 'cast': return `${wrap(n.e, 12)}::${n.type}`;
    case 'not': return `NOT ${wrap(n.e, 12)}`;
    case 'neg': return `-${wrap(n.e, 12)}`;
    case 'bool': return n.items.map((x) => wrap(x, n.op === 'OR' ? 2 : 3)).join(` ${n.op} `);
    case 'bin': {
      const p = binPrec(n.op);
      const assoc = p >= 7;
      return `${wrap(n.l, assoc ? p : p + 1)} ${n.op} ${wrap(n.r, p + 1)}`;
    }
    case 'is': return `${wrap(n.e, 5)} IS ${n.what}`;
    case 'in': return `${wrap(n.e, 7)} ${n.not ? 'NOT IN' : 'IN'} (${n.items.map(print).join(', ')})`;
    case 'arr': return `ARRAY[${n.items.map(print).join(', ')}]`;
    case 'any': return `${wrap(n.l, 6)} ${n.op} ${n.quant} (${print(n.r)})`;
    case 'extract': return `EXTRACT(${n.field} FROM ${print(n.e)})`;
  }
}

export function fallback(sql: string): string {
  return stripOuterParens(sql).replace(/\s+/g, ' ').trim();
}

export function parseExpression(sql: string, ctx: ExprContext): Node {
  return canon(new Parser(tokenize(sql)).parse(), ctx);
}

/**
 * The canonical spelling of an SQL expression (a default or a partial-index predicate), the
 * same for what a model says and what PostgreSQL reports back for it. `columns` gives the
 * table's column types (PostgreSQL casts varchar columns to text, and literals to the type of
 * the column they are compared with).
 */
export function canonicalExpression(sql: string, columns: ReadonlyMap<string, ColumnType> = new Map()): string {
  try {
    return print(parseExpression(sql, { columns }));
  } catch {
    return fallback(sql);
  }
}
