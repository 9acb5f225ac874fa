/**
 * A raw column type as the DSL's typed helper for it (`jsonb()`, `tinyint({ unsigned: true })`,
 * `array(text())`, `mysqlEnum('a', 'b')`, …) — only where the helper gives exactly the type the
 * database has: each candidate is built and its type compared with the pulled one, so the round
 * trip stays exact and anything else keeps `rawType('…')`.
 */
import type { ColumnType } from '../ir/schema.js';
import type { ColumnBuilder } from '../model/column.js';
import { bigint, boolean, date, integer, real, text, uuid } from '../model/column.js';
import {
  array, char, cidr, citext, datetime, inet, interval, jsonb, longtext, mediumint, mediumtext, mysqlEnum, mysqlSet, smallint, time, tinyint,
  tsvector, unsignedInt,
} from '../model/dialect-types.js';
import { str } from './identifiers.js';

/** A candidate: the code to write, the DSL names it uses, and the builder that code makes. */
interface Candidate { code: string; names: string[]; build: () => ColumnBuilder<unknown> }

/** Helpers taking no arguments, by the type text they make. */
const PLAIN: Record<string, () => ColumnBuilder<unknown>> = {
  jsonb, inet, cidr, citext, tsvector, interval, smallint, time, mediumtext, longtext, unsignedInt,
  integer, bigint, real, text, boolean, date, uuid,
};
const PLAIN_TEXT: Record<string, string> = { unsignedInt: 'int unsigned' };

/** The values of a MySQL `enum('a','b')` / `set(…)` type text, or null when it is not one. */
export function mysqlValues(sql: string): { kind: 'enum' | 'set'; values: string[] } | null {
  const m = /^(enum|set)\((.*)\)$/s.exec(sql);
  if (!m) return null;
  const values: string[] = [];
  const re = /'((?:[^'\\]|''|\\.)*)'(,|$)/gys;
  let pos = 0;
  const body = m[2]!;
  while (pos < body.length) {
    re.lastIndex = pos;
    const v = re.exec(body);
    if (!v) return null;
    values.push(v[1]!.replace(/''/g, "'").replace(/\\(.)/gs, '$1'));
    pos = re.lastIndex;
  }
  return values.length ? { kind: m[1] as 'enum' | 'set', values } : null;
}

function candidates(sql: string): Candidate[] {
  const out: Candidate[] = [];
  for (const [name, fn] of Object.entries(PLAIN)) {
    if ((PLAIN_TEXT[name] ?? name) === sql) out.push({ code: `${name}()`, names: [name], build: fn });
  }
  const int = /^(tinyint|smallint|mediumint)( unsigned)?$/.exec(sql);
  if (int) {
    const fn = { tinyint, smallint, mediumint }[int[1] as 'tinyint' | 'smallint' | 'mediumint'];
    out.push({ code: `${int[1]}(${int[2] ? '{ unsigned: true }' : ''})`, names: [int[1]!], build: () => fn({ unsigned: !!int[2] }) });
  }
  const sized = /^(datetime|char)\((\d+)\)$/.exec(sql);
  if (sized) {
    const n = Number(sized[2]);
    out.push({ code: `${sized[1]}(${n})`, names: [sized[1]!], build: () => (sized[1] === 'char' ? char(n) : datetime(n)) });
  }
  if (sql === 'datetime') out.push({ code: 'datetime()', names: ['datetime'], build: () => datetime() });
  const listed = mysqlValues(sql);
  if (listed) {
    const name = listed.kind === 'enum' ? 'mysqlEnum' : 'mysqlSet';
    const fn = listed.kind === 'enum' ? mysqlEnum : mysqlSet;
    out.push({ code: `${name}(${listed.values.map(str).join(', ')})`, names: [name], build: () => fn(...listed.values) });
  }
  const element = /^(.+)\[\]$/.exec(sql);
  if (element) {
    for (const inner of candidates(element[1]!)) {
      out.push({ code: `array(${inner.code})`, names: ['array', ...inner.names], build: () => array(inner.build()) });
    }
  }
  return out;
}

const same = (a: ColumnType, b: ColumnType): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * The typed helper call for raw type text `sql` (`jsonb()`), noting the names it uses, or null
 * when no helper gives exactly that type (the caller writes `rawType('…')`).
 */
export function emitDialectType(use: (name: string) => void, sql: string): string | null {
  const want: ColumnType = { kind: 'raw', sql };
  for (const c of candidates(sql)) {
    let made: ColumnType;
    try { made = c.build().definition().type; } catch { continue; }
    if (!same(made, want)) continue;
    c.names.forEach(use);
    return c.code;
  }
  return null;
}
