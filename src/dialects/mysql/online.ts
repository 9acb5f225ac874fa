/**
 * Online ALTERs on MySQL/MariaDB (issue 16): which clause of an ALTER TABLE the server can
 * run without blocking the application, stated in every ALTER Evolve generates.
 *
 * - `INSTANT`: only the table's metadata changes (a brief exclusive metadata lock);
 * - `INPLACE`, `LOCK=NONE`: the table is rebuilt or an index built in place while reads and
 *   writes go on (a brief exclusive metadata lock at the start and at the end);
 * - `COPY`, `LOCK=SHARED`: the rows are copied into a new table; reads go on, writes wait for the
 *   whole copy.
 *
 * The table below was measured on MariaDB 10.11 (test/behaviour/online-mysql.test.ts keeps it
 * honest). At run time the stated clause is tried first; when the server answers that it cannot
 * (ER_ALTER_OPERATION_NOT_SUPPORTED_REASON, 1845/1846 — MySQL 8 differs from MariaDB in places),
 * the next weaker one is tried (see run.ts).
 */
import type { Change } from '../../diff/changes.js';
import type { ColumnIR } from '../../ir/schema.js';
import { topLevelClauses } from '../shared/sql-clauses.js';

/** The algorithms, strongest first. */
export type MysqlAlgorithm = 'instant' | 'inplace' | 'copy';
const ORDER: readonly MysqlAlgorithm[] = ['instant', 'inplace', 'copy'];

/** The clause each algorithm is stated with. */
export const ALGORITHM_CLAUSE: Readonly<Record<MysqlAlgorithm, string>> = {
  instant: 'ALGORITHM=INSTANT',
  inplace: 'ALGORITHM=INPLACE, LOCK=NONE',
  copy: 'ALGORITHM=COPY, LOCK=SHARED',
};

/** The weaker of two algorithms (a statement with several clauses runs as its weakest). */
export const weaker = (a: MysqlAlgorithm, b: MysqlAlgorithm): MysqlAlgorithm => (ORDER.indexOf(a) >= ORDER.indexOf(b) ? a : b);
/** The algorithm to try after `a` failed, or null after COPY. */
export const nextWeaker = (a: MysqlAlgorithm): MysqlAlgorithm | null => ORDER[ORDER.indexOf(a) + 1] ?? null;

/**
 * What each clause of an ALTER TABLE costs on MariaDB 10.11, by its leading words (first match
 * wins). MODIFY/CHANGE COLUMN depends on what changes: see {@link modifyAlgorithm}; read from
 * text alone (a stored evolution) it counts as a copy.
 */
export const CLAUSE_ALGORITHMS: readonly { readonly re: RegExp; readonly algorithm: MysqlAlgorithm; readonly what: string }[] = [
  { re: /^ADD\s+(?:COLUMN\s+)?(?:IF\s+NOT\s+EXISTS\s+)?\S+\s[\s\S]*\bSTORED\b/i, algorithm: 'copy', what: 'add a stored generated column' },
  { re: /^ADD\s+(?:COLUMN\s+)?(?:IF\s+NOT\s+EXISTS\s+)?\S+\s[\s\S]*\bAUTO_INCREMENT\b/i, algorithm: 'copy', what: 'add an AUTO_INCREMENT column' },
  { re: /^ADD\s+(?:CONSTRAINT\s+\S+\s+)?FOREIGN\s+KEY\b/i, algorithm: 'copy', what: 'add a foreign key (checked row by row)' },
  { re: /^ADD\s+(?:CONSTRAINT\s+\S+\s+)?CHECK\b/i, algorithm: 'copy', what: 'add a check (checked row by row)' },
  { re: /^ADD\s+(?:CONSTRAINT\s+\S+\s+)?PRIMARY\s+KEY\b/i, algorithm: 'inplace', what: 'add a primary key (rebuilds in place)' },
  { re: /^ADD\s+(?:CONSTRAINT\s+\S+\s+)?(?:UNIQUE\s+)?(?:INDEX|KEY)\b|^ADD\s+(?:CONSTRAINT\s+\S+\s+)?UNIQUE\b/i,
    algorithm: 'inplace', what: 'build an index' },
  { re: /^ADD\s+(?:FULLTEXT|SPATIAL)\b/i, algorithm: 'copy', what: 'build a full-text or spatial index' },
  { re: /^ADD\b/i, algorithm: 'instant', what: 'add a column' },
  { re: /^DROP\s+PRIMARY\s+KEY\b/i, algorithm: 'copy', what: 'drop the primary key' },
  { re: /^DROP\s+(?:INDEX|KEY)\b/i, algorithm: 'inplace', what: 'drop an index' },
  { re: /^DROP\s+FOREIGN\s+KEY\b/i, algorithm: 'instant', what: 'drop a foreign key' },
  { re: /^DROP\s+(?:CONSTRAINT|CHECK)\b/i, algorithm: 'instant', what: 'drop a constraint' },
  { re: /^DROP\b/i, algorithm: 'instant', what: 'drop a column' },
  { re: /^RENAME\s+(?:COLUMN|INDEX|KEY)\b/i, algorithm: 'instant', what: 'rename' },
  { re: /^(?:MODIFY|CHANGE)\b/i, algorithm: 'copy', what: 'change a column definition (may copy the table)' },
  { re: /^ALTER\s+(?:COLUMN\s+)?\S+\s+(?:SET|DROP)\s+DEFAULT\b/i, algorithm: 'instant', what: 'change a default' },
  { re: /^ENGINE\b/i, algorithm: 'copy', what: 'change the storage engine' },
  { re: /^CONVERT\s+TO\b/i, algorithm: 'copy', what: 'convert the character set' },
  { re: /^(?:DEFAULT\s+)?(?:CHARSET|CHARACTER\s+SET|COLLATE)\b/i, algorithm: 'instant', what: 'change the default character set' },
];

/** The top-level clauses of an ALTER TABLE's body. */
export const alterClauses = topLevelClauses;

const ALTER = /^\s*ALTER\s+(?:ONLINE\s+|IGNORE\s+)*TABLE\s+(`(?:[^`]|``)+`|[\w$.]+)\s+([\s\S]*)$/i;
const STATED = /\bALGORITHM\s*=\s*(INSTANT|INPLACE|COPY|NOCOPY|DEFAULT)\b/i;

/** An ALTER TABLE's table (as written) and body; null for other statements. */
export function parseAlter(sql: string): { table: string; body: string } | null {
  const m = ALTER.exec(sql);
  return m ? { table: m[1]!, body: m[2]! } : null;
}

/** The algorithm a statement states (`ALGORITHM=…`), or null. NOCOPY counts as INPLACE. */
export function statedAlgorithm(sql: string): MysqlAlgorithm | null {
  const m = STATED.exec(sql);
  if (!m) return null;
  const a = m[1]!.toLowerCase();
  return a === 'instant' ? 'instant' : a === 'copy' ? 'copy' : a === 'default' ? null : 'inplace';
}

/** What the ALTER's clauses need, read from its text: the weakest clause wins (a drop and add of the primary key together rebuild in place). */
export function textAlgorithm(body: string): MysqlAlgorithm {
  const clauses = alterClauses(body).filter((c) => !/^(?:ALGORITHM|LOCK)\s*=/i.test(c));
  const pkSwap = clauses.some((c) => /^ADD\s+(?:CONSTRAINT\s+\S+\s+)?PRIMARY\s+KEY\b/i.test(c));
  let a: MysqlAlgorithm = 'instant';
  for (const c of clauses) {
    if (pkSwap && /^DROP\s+PRIMARY\s+KEY\b/i.test(c)) { a = weaker(a, 'inplace'); continue; }
    a = weaker(a, CLAUSE_ALGORITHMS.find((r) => r.re.test(c))?.algorithm ?? 'copy');
  }
  return a;
}

const isVarchar = (c: ColumnIR): number | null => (c.type.kind === 'varchar' ? c.type.length : null);

/** The most bytes one character takes in each character set (`SHOW CHARACTER SET`'s Maxlen); absent: not known here. */
const MAX_BYTES: Readonly<Record<string, number>> = {
  utf8mb4: 4, utf8mb3: 3, utf8: 3, utf16: 4, utf16le: 4, utf32: 4, ucs2: 2, latin1: 1, latin2: 1, latin5: 1, latin7: 1, ascii: 1,
  binary: 1, cp1250: 1, cp1251: 1, cp1256: 1, cp1257: 1, cp850: 1, cp852: 1, cp866: 1, greek: 1, hebrew: 1, koi8r: 1, koi8u: 1,
  swe7: 1, tis620: 1, big5: 2, gbk: 2, gb2312: 2, euckr: 2, sjis: 2, cp932: 2, ujis: 3, eucjpms: 3, gb18030: 4,
};

/** The most bytes a character of `charset` takes, or null for a character set not in the table. */
export const charsetMaxBytes = (charset: string): number | null => MAX_BYTES[charset.toLowerCase()] ?? null;

/**
 * What InnoDB needs to know about a column's table to tell whether widening a VARCHAR is instant:
 * the most bytes a character of the column's character set takes (null: not known), and whether
 * the table's rows are ROW_FORMAT=REDUNDANT (whose length prefix does not depend on the maximum).
 */
export interface WidenFacts { readonly maxBytes: number | null; readonly redundant: boolean }

/**
 * Does widening a VARCHAR from `from` to `to` characters change the size of its length prefix:
 * one byte up to 255 bytes of maximum length, two above (COMPACT and DYNAMIC rows)? MariaDB and
 * MySQL then refuse INSTANT and INPLACE alike, and only a copy can do it (measured on MariaDB
 * 10.11: utf8mb4 varchar(40) to (63) is instant, to (64) — 256 bytes — copies).
 */
export function widensPastPrefix(from: number, to: number, facts: WidenFacts | undefined): boolean {
  if (!facts || facts.maxBytes === null || facts.redundant) return false;
  return from * facts.maxBytes <= 255 && to * facts.maxBytes > 255;
}

/**
 * What a MODIFY COLUMN for `c` needs on MariaDB 10.11: a new default, dropping NOT NULL's
 * opposite or widening a VARCHAR is instant — unless the widening makes its length prefix two
 * bytes ({@link widensPastPrefix}), which copies; NULL ↔ NOT NULL rebuilds in place; another
 * type, collation, AUTO_INCREMENT or generated change copies the table.
 */
export function modifyAlgorithm(c: Extract<Change, { kind: 'alterColumn' }>, facts?: WidenFacts): MysqlAlgorithm {
  const { changed, from, to } = c;
  let a: MysqlAlgorithm = 'instant';
  if (changed.type) {
    const f = isVarchar(from);
    const t = isVarchar(to);
    a = weaker(a, f !== null && t !== null && t >= f && !widensPastPrefix(f, t, facts) ? 'instant' : 'copy');
  }
  if (changed.nullable) a = weaker(a, 'inplace');
  if (changed.collation || changed.autoIncrement || changed.generated) a = weaker(a, 'copy');
  return a;
}

/** `sql, ALGORITHM=…` (a statement that already states one is left as it is). */
export function withAlgorithm(sql: string, a: MysqlAlgorithm): string {
  return statedAlgorithm(sql) ? sql : `${sql}, ${ALGORITHM_CLAUSE[a]}`;
}

/** The statement with its stated clause replaced by algorithm `a`'s. */
export function restate(sql: string, a: MysqlAlgorithm): string {
  const bare = sql.replace(/,\s*ALGORITHM\s*=\s*\w+(?:\s*,\s*LOCK\s*=\s*\w+)?\s*$/i, '');
  return `${bare}, ${ALGORITHM_CLAUSE[a]}`;
}
