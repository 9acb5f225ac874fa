/**
 * A SQL file that makes its own database — `DROP SCHEMA IF EXISTS shop; CREATE SCHEMA shop;
 * USE shop;`, as the Sakila schema, Chinook and many dumps begin — describes that one database:
 * loaded natively with the mysql client, its tables land there, and that is the database Evolve
 * is pointed at. Loaded as models, the database the file `USE`s is the scratch itself: the
 * file's `USE`, `CREATE` and `DROP DATABASE` of it are left out (the character set and collation
 * `CREATE` gives become the scratch's, by `ALTER DATABASE`), and `shop.t` names the scratch's `t`.
 * A file that uses more than one database is left as it is, and so is any statement naming
 * another database: the sandbox refuses those.
 */
import { statementHead } from '../shared/sql-file.js';
import { stripDatabaseQualifier } from './objects.js';

const NAME = String.raw`(\`(?:[^\`]|\`\`)+\`|[\w$]+)`;
const VERSIONED_IF = String.raw`(?:\/\*!\d*\s*IF\s+(?:NOT\s+)?EXISTS\s*\*\/\s*|IF\s+(?:NOT\s+)?EXISTS\s+)?`;
const CREATE = new RegExp(String.raw`^CREATE\s+(?:DATABASE|SCHEMA)\s+${VERSIONED_IF}${NAME}([\s\S]*)$`, 'i');
const DROP = new RegExp(String.raw`^DROP\s+(?:DATABASE|SCHEMA)\s+${VERSIONED_IF}${NAME}\s*$`, 'i');
const USE = new RegExp(String.raw`^USE\s+${NAME}\s*$`, 'i');

const unquote = (name: string): string => (name.startsWith('`') ? name.slice(1, -1).replace(/``/g, '`') : name);

/** What a `CREATE`/`DROP DATABASE` or `USE` statement does, to which database (with what follows a CREATE's name). */
function databaseStatement(statement: string): { verb: 'create' | 'drop' | 'use'; name: string; options: string } | null {
  const head = statementHead(statement);
  const create = CREATE.exec(head);
  if (create) return { verb: 'create', name: unquote(create[1]!), options: create[2] ?? '' };
  const m = DROP.exec(head) ?? USE.exec(head);
  return m ? { verb: DROP.test(head) ? 'drop' : 'use', name: unquote(m[1]!), options: '' } : null;
}

/**
 * The statements of a file, its own database made the scratch the statements run in (see the
 * module comment): the one database the file `USE`s. Unchanged when it uses none, or more than
 * one; a `CREATE`/`DROP DATABASE` of any other database stays (and the sandbox refuses it).
 */
export function intoScratchDatabase(statements: readonly string[]): string[] {
  const used = new Set(statements.map(databaseStatement).filter((d) => d?.verb === 'use').map((d) => d!.name));
  if (used.size !== 1) return [...statements];
  const [own] = used as Set<string>;
  const out: string[] = [];
  for (const s of statements) {
    const d = databaseStatement(s);
    if (d === null || d.name !== own) { out.push(stripDatabaseQualifier(s, own!)); continue; }
    // CREATE DATABASE … CHARACTER SET x COLLATE y: the scratch gets the same defaults.
    if (d.verb === 'create' && /\b(?:CHARACTER\s+SET|CHARSET|COLLATE)\b/i.test(d.options)) out.push(`ALTER DATABASE ${d.options.trim()}`);
  }
  return out;
}
