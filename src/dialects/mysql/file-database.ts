/**
 * A SQL file that makes its own database — `DROP SCHEMA IF EXISTS shop; CREATE SCHEMA shop;
 * USE shop;`, as the Sakila schema, Chinook and many dumps begin — describes that one database:
 * loaded natively with the mysql client, its tables land there, and that is the database Evolve
 * is pointed at. Loaded as models, the file's database is the scratch itself: its `CREATE` and
 * `DROP DATABASE` and `USE` statements are left out (the character set and collation `CREATE`
 * gives become the scratch's, by `ALTER DATABASE`), and `shop.t` names the scratch's `t`.
 * A file that names more than one database this way is left as it is: the sandbox refuses the
 * statements that reach another database.
 */
import { statementHead } from '../shared/sql-file.js';
import { stripDatabaseQualifier } from './objects.js';

const NAME = String.raw`(\`(?:[^\`]|\`\`)+\`|[\w$]+)`;
const VERSIONED_IF = String.raw`(?:\/\*!\d*\s*IF\s+(?:NOT\s+)?EXISTS\s*\*\/\s*|IF\s+(?:NOT\s+)?EXISTS\s+)?`;
const CREATE = new RegExp(String.raw`^CREATE\s+(?:DATABASE|SCHEMA)\s+${VERSIONED_IF}${NAME}([\s\S]*)$`, 'i');
const DROP = new RegExp(String.raw`^DROP\s+(?:DATABASE|SCHEMA)\s+${VERSIONED_IF}${NAME}\s*$`, 'i');
const USE = new RegExp(String.raw`^USE\s+${NAME}\s*$`, 'i');

const unquote = (name: string): string => (name.startsWith('`') ? name.slice(1, -1).replace(/``/g, '`') : name);

/** The database a `CREATE`/`DROP DATABASE` or `USE` statement names, with what follows a CREATE's name. */
function databaseStatement(statement: string): { name: string; options: string } | null {
  const head = statementHead(statement);
  const m = CREATE.exec(head) ?? DROP.exec(head) ?? USE.exec(head);
  return m ? { name: unquote(m[1]!), options: CREATE.test(head) ? (m[2] ?? '') : '' } : null;
}

/**
 * The statements of a file, its own database made the scratch the statements run in (see the
 * module comment); unchanged when the file names no database, or more than one.
 */
export function intoScratchDatabase(statements: readonly string[]): string[] {
  const named = new Set(statements.map(databaseStatement).filter((d) => d !== null).map((d) => d.name));
  if (named.size !== 1) return [...statements];
  const [own] = named as Set<string>;
  const out: string[] = [];
  for (const s of statements) {
    const d = databaseStatement(s);
    if (d === null) { out.push(stripDatabaseQualifier(s, own!)); continue; }
    // CREATE DATABASE … CHARACTER SET x COLLATE y: the scratch gets the same defaults.
    if (/\b(?:CHARACTER\s+SET|CHARSET|COLLATE)\b/i.test(d.options)) out.push(`ALTER DATABASE ${d.options.trim()}`);
  }
  return out;
}
