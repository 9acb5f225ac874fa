/**
 * Whether a stored evolution only adds to the schema — new tables, columns, indexes, keys,
 * views — so that running it cannot lose or rewrite a single value, whatever schema it runs on.
 * On MySQL, where every DDL statement commits, a chain verifies the fingerprint before each
 * link that is *not* purely additive (and at its end): nothing that can lose data ever runs on
 * a schema that was not verified (docs/evolutions.md, "Where the fingerprint is verified").
 *
 * The test is an allow-list read from the statement text with strings, quoted names and
 * comments blanked out: anything it does not recognise counts as not additive, which costs one
 * verification, never safety. TypeScript steps are never additive (they can do anything).
 */
import type { Evolution } from './format.js';
import { quotedEnd } from '../dialects/shared/sql-split.js';

/** The statement with comments removed and every string or quoted name reduced to a placeholder. */
function blanked(sql: string): string {
  let out = '';
  const n = sql.length;
  for (let i = 0; i < n;) {
    const ch = sql[i]!;
    const next = sql[i + 1];
    if ((ch === '-' && next === '-') || ch === '#') { const end = sql.indexOf('\n', i); i = end === -1 ? n : end; out += ' '; continue; }
    if (ch === '/' && next === '*') { const end = sql.indexOf('*/', i + 2); i = end === -1 ? n : end + 2; out += ' '; continue; }
    if (ch === "'" || ch === '"' || ch === '`') {
      out += ch === "'" ? " 'S' " : ' N ';
      i = quotedEnd(sql, i) + 1;
      continue;
    }
    out += ch;
    i++;
  }
  return out.replace(/\s+/g, ' ').trim().toLowerCase();
}

/** The top-level (outside parentheses) comma-separated parts of `s`. */
function clauses(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    if (ch === ',' && depth === 0) { out.push(cur.trim()); cur = ''; } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

const NAME = String.raw`(?:n|[\w$]+)(?:\.(?:n|[\w$]+))?`;
/** `CREATE TABLE` (not `CREATE OR REPLACE TABLE`, which drops the old one). */
const CREATE_TABLE = new RegExp(String.raw`^create (?:temporary )?table (?:if not exists )?${NAME}\b`);
/** `CREATE [UNIQUE|FULLTEXT|SPATIAL] INDEX … ON …` (not `OR REPLACE`). */
const CREATE_INDEX = new RegExp(String.raw`^create (?:unique |fulltext |spatial )?index (?:if not exists )?${NAME} on ${NAME}\b`);
/** `CREATE VIEW` (a view holds no data; not `OR REPLACE`). */
const CREATE_VIEW = new RegExp(String.raw`^create view (?:if not exists )?${NAME}\b`);
/** `ALTER TABLE name …` — not `ALTER IGNORE TABLE`, which deletes rows that break a new unique key. */
const ALTER_TABLE = new RegExp(String.raw`^alter (?:online )?table (?:only )?(?:if exists )?${NAME} (.*)$`);
/** A clause of `ALTER TABLE` that only adds, or only says how to run the change. */
const ADD_CLAUSE = /^(?:add\b|(?:algorithm|lock) ?=? ?\w+$)/;
/**
 * Words that, after the clauses, start MySQL's partition options (`… ADD COLUMN c INT DROP
 * PARTITION p0` is one statement), a maintenance operation or a change of storage engine (a
 * table copy that can drop foreign keys): any of them makes it not additive.
 */
const NOT_ADD = /\b(?:drop|truncate|remove|coalesce|reorganize|exchange|discard|import|rebuild|repair|optimize|partition by|engine)\b/;

/** Whether one SQL statement can only add to the schema (see the module comment). */
export function isAdditiveStatement(sql: string): boolean {
  const s = blanked(sql).replace(/;$/, '').trim();
  if (s === '') return true;
  if (s.includes(';')) return false; // more than one statement: read each on its own
  if (CREATE_TABLE.test(s) || CREATE_INDEX.test(s) || CREATE_VIEW.test(s)) return true;
  const alter = ALTER_TABLE.exec(s);
  return alter !== null && clauses(alter[1]!).every((c) => ADD_CLAUSE.test(c) && !NOT_ADD.test(c));
}

/** Whether every forward step of `evo` is an additive SQL statement. */
export function isAdditive(evo: Evolution): boolean {
  return evo.steps.every((s) => s.kind === 'sql' && isAdditiveStatement(s.sql));
}
