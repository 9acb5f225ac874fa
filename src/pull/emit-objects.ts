/**
 * Objects beyond tables as the models DSL states them: `enumType()`, `sequence()`,
 * `sqlFunction()`, `view()`, `materializedView()`, `trigger()`, and PostgreSQL comments (on the
 * tables and columns that have them). One emit function per kind; each returns null where the
 * DSL cannot state the object exactly as the database has it (the caller lists it by name).
 */
import type { ColumnType, ObjectIR } from '../ir/schema.js';
import { enumType } from '../model/objects.js';
import { exportNames, sqlTemplate, str } from './identifiers.js';
import { emitMysqlIndexObject } from './emit-mysql-index.js';

/** What the object emitters need from the module being written. */
export interface ObjectContext {
  use(name: string): void;
  /** The export name of a pulled table; undefined for a table that is not pulled. */
  exportOf(table: string): string | undefined;
}

/** An object the DSL states: its export name, whether it goes before the tables, and its code. */
export interface EmittedObject { readonly object: ObjectIR; readonly name: string; readonly before: boolean; readonly code: string }

/** Whitespace squeezed, for comparing statement texts. */
const ws = (s: string): string => s.replace(/\s+/g, ' ').trim();

/** A plain lower-case name, as the DSL writes it bare (see `writtenName`). */
const plain = (n: string): boolean => /^[a-z_][a-z0-9_]*$/.test(n);

/** A name as the DSL writes it in a statement: bare where plain, else in double quotes. */
const written = (n: string): string => (plain(n) ? n : `"${n.replace(/"/g, '""')}"`);

/** True when the database keeps the statement as written (its definition is the statement: SQLite), so the DSL's must be that text. */
const keptAsWritten = (o: ObjectIR): boolean => o.create.length === 1 && ws(o.definition) === ws(o.create[0]!);

/** The parts of an index's column list, split at top-level commas; null when the parentheses do not balance. */
function indexParts(list: string): string[] | null {
  const out: string[] = [];
  let depth = 0; let start = 0; let quote: string | null = null;
  for (let i = 0; i < list.length; i++) {
    const ch = list[i]!;
    if (quote) { if (ch === quote) quote = null; continue; }
    if (ch === "'" || ch === '"' || ch === '`') quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')') { if (--depth < 0) return null; }
    else if (ch === ',' && depth === 0) { out.push(list.slice(start, i).trim()); start = i + 1; }
  }
  if (depth !== 0 || quote) return null;
  out.push(list.slice(start).trim());
  return out.every((p) => p !== '') ? out : null;
}

/** The `(…)` list at the start of `text` and what follows it, or null. */
function leadingList(text: string): { list: string; rest: string } | null {
  if (!text.startsWith('(')) return null;
  let depth = 0; let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) { if (ch === quote) quote = null; continue; }
    if (ch === "'" || ch === '"' || ch === '`') quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) return { list: text.slice(1, i), rest: text.slice(i + 1) };
  }
  return null;
}

/**
 * An index on expressions or with a method, of a pulled table: `index('n', { using: 'gin' }).on(sql\`lower(name)\`, 'id')`,
 * the table option's entry; null where its statement is not `CREATE [UNIQUE] INDEX name ON table [USING m] (…) [WHERE …]`
 * (MySQL's prefix, FULLTEXT and SPATIAL keys are `emit-mysql-index.ts`'s), or where the database keeps the text and the DSL's would differ.
 */
export function emitIndexObject(ctx: ObjectContext, o: ObjectIR): string | null {
  if (o.kind !== 'index' || o.table === null || ctx.exportOf(o.table) === undefined || o.create.length !== 1) return null;
  if (/^ALTER TABLE `/.test(o.create[0]!)) return emitMysqlIndexObject((n) => ctx.use(n), o);
  const name = o.name.startsWith(`${o.table}.`) ? o.name.slice(o.table.length + 1) : o.name;
  const m = /^\s*CREATE\s+(UNIQUE\s+)?INDEX\s+(\S+)\s+ON\s+(?:ONLY\s+)?(\S+)\s+(?:USING\s+(\w+)\s+)?([\s\S]*)$/i.exec(o.create[0]!);
  if (!m || name.includes('.')) return null;
  const head = leadingList(m[5]!.trim());
  const parts = head ? indexParts(head.list) : null;
  const where = head ? /^\s*(?:WHERE\s+([\s\S]+?))?\s*;?\s*$/i.exec(head.rest) : null;
  if (!head || !parts || !where) return null;
  const using = m[4] ? m[4].toLowerCase() : null;
  if (keptAsWritten(o)) {
    const again = `CREATE ${m[1] ? 'UNIQUE ' : ''}INDEX ${written(name)} ON ${written(o.table)}${using ? ` USING ${using}` : ''} (${parts.join(', ')})` +
      (where[1] ? ` WHERE ${where[1]}` : '');
    if (ws(again) !== ws(o.create[0]!)) return null;
  }
  ctx.use('index');
  const on = parts.map((p) => (plain(p) ? str(p) : (ctx.use('sql'), sqlTemplate(p))));
  let code = `index(${str(name)}${using ? `, { using: ${str(using)} }` : ''}).on(${on.join(', ')})`;
  if (m[1]) code += '.unique()';
  if (where[1]) { ctx.use('sql'); code += `.where(${sqlTemplate(where[1])})`; }
  return code;
}

/** A PostgreSQL enum type: `enumType('mood', ['sad', 'ok'])`, from its definition (the labels, as JSON). */
function emitEnum(ctx: ObjectContext, o: ObjectIR): string | null {
  let labels: unknown;
  try { labels = JSON.parse(o.definition); } catch { return null; }
  if (!Array.isArray(labels) || labels.length === 0 || labels.some((l) => typeof l !== 'string')) return null;
  if (new Set(labels).size !== labels.length || o.name.includes('.')) return null;
  ctx.use('enumType');
  return `enumType(${str(o.name)}, [${(labels as string[]).map(str).join(', ')}])`;
}

/** A sequence the DSL makes (`sequence('n', { start, increment })`): bigint, default bounds and cache, no cycle. */
function emitSequence(ctx: ObjectContext, o: ObjectIR): string | null {
  const m = /^AS bigint INCREMENT BY (\d+) MINVALUE 1 MAXVALUE 9223372036854775807 START WITH (\d+) CACHE 1 NO CYCLE$/.exec(o.definition);
  if (!m || o.name.includes('.')) return null;
  ctx.use('sequence');
  const opts = [...(m[2] !== '1' ? [`start: ${m[2]}`] : []), ...(m[1] !== '1' ? [`increment: ${m[1]}`] : [])];
  return `sequence(${str(o.name)}${opts.length ? `, { ${opts.join(', ')} }` : ''})`;
}

/**
 * A function: `sqlFunction('f', sql\`CREATE FUNCTION …\`)`, its whole statement. Not one whose
 * body the database checks at creation (`LANGUAGE sql`): the models create functions before
 * the tables they may read.
 */
function emitFunction(ctx: ObjectContext, o: ObjectIR): string | null {
  const creates = o.create.filter((s) => /^\s*CREATE\b/i.test(s));
  if (creates.length !== 1 || /\bLANGUAGE\s+'?sql'?\b/i.test(creates[0]!)) return null;
  ctx.use('sqlFunction'); ctx.use('sql');
  return `sqlFunction(${str(o.name)}, ${sqlTemplate(creates[0]!)})`;
}

/** A trigger on a pulled table: `trigger('t', { on: person }, sql\`CREATE TRIGGER …\`)`. */
function emitTrigger(ctx: ObjectContext, o: ObjectIR): string | null {
  const on = o.table === null ? undefined : ctx.exportOf(o.table);
  if (on === undefined || o.create.length !== 1 || !/^\s*CREATE\s+TRIGGER\b/i.test(o.create[0]!)) return null;
  ctx.use('trigger'); ctx.use('sql');
  return `trigger(${str(o.name)}, { on: ${on} }, ${sqlTemplate(o.create[0]!)})`;
}

/**
 * A view or materialized view: `view('v', sql\`SELECT …\`)`, its query. Where the database keeps
 * the statement as written (its definition is the statement: SQLite), only when the DSL's
 * statement is that text; a view with options between CREATE and VIEW (MySQL ALGORITHM) is not.
 */
function emitView(ctx: ObjectContext, o: ObjectIR): string | null {
  if (o.create.length !== 1) return null;
  // MySQL/MariaDB: `CREATE SQL SECURITY INVOKER VIEW` is view()'s `sqlSecurity: 'invoker'` (other view attributes are listed).
  const invoker = /^CREATE SQL SECURITY INVOKER VIEW /.test(o.create[0]!);
  const m = /^\s*CREATE\s+(MATERIALIZED\s+)?VIEW\s+("(?:[^"]|"")+"|`(?:[^`]|``)+`|[^\s(]+)\s+AS\s+([\s\S]*?)(\s+WITH\s+DATA)?\s*;?\s*$/i
    .exec(invoker ? o.create[0]!.replace('SQL SECURITY INVOKER ', '') : o.create[0]!);
  if (!m || !!m[1] !== (o.kind === 'materializedView') || o.name.includes('.')) return null;
  const query = m[3]!;
  const word = o.kind === 'view' ? 'VIEW' : 'MATERIALIZED VIEW';
  if (keptAsWritten(o) && ws(o.create[0]!) !== ws(`CREATE ${word} ${written(o.name)} AS ${query}`)) return null;
  const fn = o.kind === 'view' ? 'view' : 'materializedView';
  ctx.use(fn); ctx.use('sql');
  return `${fn}(${str(o.name)}, ${sqlTemplate(query)}${invoker ? ", { sqlSecurity: 'invoker' }" : ''})`;
}

/** The code of object `o` as the DSL states it, or null where it cannot (or where its kind has no DSL construct). */
export function emitObjectModel(ctx: ObjectContext, o: ObjectIR): string | null {
  switch (o.kind) {
    case 'enum': return emitEnum(ctx, o);
    case 'sequence': return emitSequence(ctx, o);
    case 'function': return emitFunction(ctx, o);
    case 'trigger': return emitTrigger(ctx, o);
    case 'view': case 'materializedView': return emitView(ctx, o);
    default: return null;
  }
}

/** A column type that is an enum the module states: the enum's column type, by type text, with its export name. */
export function enumColumns(objects: readonly EmittedObject[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of objects) {
    if (e.object.kind !== 'enum') continue;
    const type: ColumnType = enumType(e.object.name, JSON.parse(e.object.definition) as string[]).column().definition().type;
    if (type.kind === 'raw') out.set(type.sql, e.name);
  }
  return out;
}

/** Export names for the objects: the name (a function's without its arguments), never one `taken` has, never twice. */
export function objectExportName(o: ObjectIR, taken: Set<string>): string {
  const base = o.name.replace(/\(.*$/s, '');
  const name = exportNames([base], taken).get(base)!;
  taken.add(name);
  return name;
}

/** The comments of PostgreSQL tables and columns, by table: `{ table?: text, columns: column → text }`. */
export interface TableComments { table?: string; columns: Map<string, string> }

/** Comment objects on pulled tables and their columns, by table (the rest stay objects, listed). */
export function tableComments(objects: readonly ObjectIR[], pulled: (table: string) => boolean): Map<string, TableComments> {
  const out = new Map<string, TableComments>();
  for (const o of objects) {
    if (o.kind !== 'comment' || o.table === null || !pulled(o.table)) continue;
    const entry = out.get(o.table) ?? { columns: new Map<string, string>() };
    if (o.name === `table ${o.table}`) entry.table = o.definition;
    else if (o.name.startsWith(`column ${o.table}.`)) entry.columns.set(o.name.slice(`column ${o.table}.`.length), o.definition);
    else continue;
    out.set(o.table, entry);
  }
  return out;
}

/** True when comment object `o` is stated by its table (see {@link tableComments}). */
export function isTableComment(o: ObjectIR, comments: ReadonlyMap<string, TableComments>): boolean {
  if (o.kind !== 'comment' || o.table === null) return false;
  const c = comments.get(o.table);
  if (!c) return false;
  const column = `column ${o.table}.`;
  return (o.name === `table ${o.table}` && c.table !== undefined) || (o.name.startsWith(column) && c.columns.has(o.name.slice(column.length)));
}
