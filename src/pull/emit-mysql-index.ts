/**
 * A MySQL/MariaDB index the table IR cannot hold — FULLTEXT, SPATIAL, or with key-part prefix
 * lengths — as the models DSL states it: `index('ft', { using: 'fulltext' }).on('title', 'body')`,
 * `index('name_prefix').on(sql\`name(10)\`)`. The introspector reads them as objects whose
 * statement is `ALTER TABLE t ADD [FULLTEXT|SPATIAL|UNIQUE] INDEX n (parts)` (src/dialects/mysql/objects.ts).
 */
import type { ObjectIR } from '../ir/schema.js';
import { isPlainName } from '../model/objects.js';
import { sqlTemplate, str } from './identifiers.js';

const NAME = '`((?:[^`]|``)+)`';
const STATEMENT = new RegExp(`^ALTER TABLE ${NAME} ADD (FULLTEXT |SPATIAL |UNIQUE )?INDEX ${NAME} \\((.*)\\)$`, 's');
const PART = new RegExp(`^${NAME}(?:\\((\\d+)\\))?$`, 's');
const unquote = (n: string): string => n.replace(/``/g, '`');

/**
 * The DSL's entry for MySQL index object `o` (noting the DSL names it uses), or null where its
 * statement is not one the introspector writes for such an index.
 */
export function emitMysqlIndexObject(use: (name: string) => void, o: ObjectIR): string | null {
  const m = STATEMENT.exec(o.create[0] ?? '');
  if (!m || unquote(m[1]!) !== o.table) return null;
  const parts: string[] = [];
  for (const p of m[4]!.split(', ')) {
    const k = PART.exec(p);
    if (!k) return null;
    const col = unquote(k[1]!);
    if (k[2] === undefined) { parts.push(str(col)); continue; }
    // A prefix key part, `col(n)`: written as MySQL reads it in CREATE INDEX.
    use('sql');
    parts.push(sqlTemplate(`${isPlainName(col) ? col : `\`${k[1]!}\``}(${k[2]})`));
  }
  const kind = m[2]?.trim().toLowerCase();
  const using = kind === 'fulltext' || kind === 'spatial' ? `, { using: '${kind}' }` : '';
  use('index');
  return `index(${str(unquote(m[3]!))}${using}).on(${parts.join(', ')})${kind === 'unique' ? '.unique()' : ''}`;
}
