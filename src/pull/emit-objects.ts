/**
 * Objects beyond tables as the models DSL states them: `extension()`, `enumType()`, `domain()`, `compositeType()`, `sequence()`,
 * `sqlFunction()`, `sqlAggregate()`, `view()`, `materializedView()`, `trigger()`, and PostgreSQL comments (on the
 * tables and columns that have them). One emit function per kind; each returns null where the
 * DSL cannot state the object exactly as the database has it (the caller lists it by name).
 */
import type { ColumnType, ObjectIR } from '../ir/schema.js';
import { compositeType, domain, enumType } from '../model/objects.js';
import { rawType } from '../model/column.js';
import { parsePgType } from '../dialects/postgres/sql-builder.js';
import { emitType } from './emit-table.js';
import { exportNames, key, sqlTemplate, str } from './identifiers.js';
import { emitMysqlIndexObject } from './emit-mysql-index.js';

/** What the object emitters need from the module being written. */
export interface ObjectContext {
  use(name: string): void;
  /** The export name of a pulled table; undefined for a table that is not pulled. */
  exportOf(table: string): string | undefined;
}

/** An object the DSL states: its export name, whether it goes before the tables, and its code. */
export interface EmittedObject {
  readonly object: ObjectIR; readonly name: string; readonly before: boolean; readonly code: string;
  /** Its comment and (a materialized view's) indexes, stated as its options. */
  readonly extras?: ObjectExtras;
}

/** What an object's options state beside it: its comment, a materialized view's indexes (their code). */
export interface ObjectExtras { readonly comment?: string; readonly indexes?: readonly string[] }

/** The options `{ … }` argument: `given` (code of options the object has anyway) and the extras; '' when there are none. */
function withExtras(ctx: ObjectContext, given: readonly string[], x: ObjectExtras): string {
  const opts = [...given, ...(x.comment !== undefined ? [`comment: ${str(x.comment)}`] : [])];
  if (x.indexes?.length) { ctx.use('index'); opts.push(`indexes: [${x.indexes.join(', ')}]`); }
  return opts.length ? `, { ${opts.join(', ')} }` : '';
}

/** The kinds whose comment their DSL function states (`{ comment }`). */
export const COMMENTED_KINDS: ReadonlySet<string> = new Set(['view', 'materializedView', 'enum', 'domain', 'composite', 'function']);

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
  // INCLUDE (a, b): plain column names only.
  const inc = head && /^\s*INCLUDE\s*\(/i.test(head.rest) ? leadingList(head.rest.trim().replace(/^INCLUDE\s*/i, '')) : null;
  const included = inc ? indexParts(inc.list) : [];
  const rest = inc ? inc.rest : head?.rest ?? '';
  const where = head ? /^\s*(?:WHERE\s+([\s\S]+?))?\s*;?\s*$/i.exec(rest) : null;
  if (!head || !parts || !where || !included || !included.every(plain)) return null;
  const using = m[4] ? m[4].toLowerCase() : null;
  if (keptAsWritten(o)) {
    const again = `CREATE ${m[1] ? 'UNIQUE ' : ''}INDEX ${written(name)} ON ${written(o.table)}${using ? ` USING ${using}` : ''} (${parts.join(', ')})` +
      (included.length ? ` INCLUDE (${included.join(', ')})` : '') + (where[1] ? ` WHERE ${where[1]}` : '');
    if (ws(again) !== ws(o.create[0]!)) return null;
  }
  ctx.use('index');
  // PostgreSQL names its default method, btree, in every index's statement (`USING btree (…)`, a place only its syntax has):
  // left out, as a person writes it.
  const method = using === 'btree' ? null : using;
  const on = parts.map((p) => (plain(p) ? str(p) : (ctx.use('sql'), sqlTemplate(p))));
  let code = `index(${str(name)}${method ? `, { using: ${str(method)} }` : ''}).on(${on.join(', ')})`;
  if (included.length) code += `.include(${included.map(str).join(', ')})`;
  if (m[1]) code += '.unique()';
  if (where[1]) { ctx.use('sql'); code += `.where(${sqlTemplate(where[1])})`; }
  return code;
}

/** A PostgreSQL enum type: `enumType('mood', ['sad', 'ok'])`, from its definition (the labels, as JSON). */
function emitEnum(ctx: ObjectContext, o: ObjectIR, x: ObjectExtras): string | null {
  let labels: unknown;
  try { labels = JSON.parse(o.definition); } catch { return null; }
  if (!Array.isArray(labels) || labels.length === 0 || labels.some((l) => typeof l !== 'string')) return null;
  if (new Set(labels).size !== labels.length || o.name.includes('.')) return null;
  ctx.use('enumType');
  return `enumType(${str(o.name)}, [${(labels as string[]).map(str).join(', ')}]${withExtras(ctx, [], x)})`;
}

/** A domain's definition, as the PostgreSQL introspection gives it (see `DomainData`). */
interface DomainDefinition { type: string; notNull: boolean; default: string | null; collation: string | null; checks: [string, string][] }

/**
 * A PostgreSQL domain: `domain('year', integer(), { check: sql\`…\` })`, from its definition. A
 * check named as PostgreSQL names a domain's only unnamed one (`year_check`) is written unnamed;
 * a check `NOT VALID` is not stated.
 */
function emitDomain(ctx: ObjectContext, o: ObjectIR, x: ObjectExtras): string | null {
  let d: DomainDefinition;
  try { d = JSON.parse(o.definition) as DomainDefinition; } catch { return null; }
  if (typeof d?.type !== 'string' || !Array.isArray(d.checks) || o.name.includes('.')) return null;
  const checks: string[] = [];
  for (const [name, def] of d.checks) {
    const m = /^CHECK \(([\s\S]*)\)$/.exec(def);
    if (!m) return null;
    const expr = sqlTemplate(m[1]!);
    checks.push(d.checks.length === 1 && name === `${o.name}_check` ? expr : (ctx.use('check'), `check(${str(name)}, ${expr})`));
  }
  if (checks.length) ctx.use('sql');
  const opts = [
    ...(checks.length === 1 ? [`check: ${checks[0]}`] : checks.length ? [`check: [${checks.join(', ')}]`] : []),
    ...(d.notNull ? ['notNull: true'] : []),
    ...(d.default !== null ? [(ctx.use('sql'), `default: ${sqlTemplate(d.default)}`)] : []),
    ...(d.collation !== null ? [`collation: ${str(d.collation)}`] : []),
  ];
  const base = emitType({ use: (n) => ctx.use(n), enumOf: () => undefined }, parsePgType(d.type));
  ctx.use('domain');
  return `domain(${str(o.name)}, ${base}${withExtras(ctx, opts, x)})`;
}

/** An extension: `extension('citext')`, `{ schema }` where it is installed in another schema. */
function emitExtension(ctx: ObjectContext, o: ObjectIR): string | null {
  const m = /^(\S+)(?: schema (\S+))?$/.exec(o.definition);
  if (!m || m[1] !== o.name || o.name.includes('.')) return null;
  ctx.use('extension');
  return `extension(${str(o.name)}${m[2] ? `, { schema: ${str(m[2])} }` : ''})`;
}

/** A composite type: `compositeType('t', { a: text(), b: integer() })`, from its CREATE TYPE … AS (…) (as the introspection writes it). */
function emitComposite(ctx: ObjectContext, o: ObjectIR, x: ObjectExtras): string | null {
  const m = /^CREATE TYPE "(?:[^"]|"")+" AS \(([\s\S]*)\)$/.exec(o.definition);
  const parts = m ? indexParts(m[1]!) : null;
  if (!parts || o.name.includes('.')) return null;
  const attrs: string[] = [];
  for (const p of parts) {
    const a = /^"((?:[^"]|"")+)" ([\s\S]+?)(?: COLLATE "((?:[^"]|"")+)")?$/.exec(p);
    if (!a) return null;
    const type = emitType({ use: (n) => ctx.use(n), enumOf: () => undefined }, parsePgType(a[2]!));
    const collation = a[3] !== undefined ? `.collation(${str(a[3].replace(/""/g, '"'))})` : '';
    attrs.push(`${key(a[1]!.replace(/""/g, '"'))}: ${type}${collation}`);
  }
  ctx.use('compositeType');
  return `compositeType(${str(o.name)}, { ${attrs.join(', ')} }${withExtras(ctx, [], x)})`;
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
 * A function: `sqlFunction('f', sql\`CREATE FUNCTION …\`)`, its whole statement. Not one with a
 * SQL-standard body (`BEGIN ATOMIC`), which the database checks at creation: the models create
 * functions before the tables they may read.
 */
function emitFunction(ctx: ObjectContext, o: ObjectIR, x: ObjectExtras): string | null {
  const creates = o.create.filter((s) => /^\s*CREATE\b/i.test(s));
  if (creates.length !== 1) return null;
  // A body as a string (`AS $function$ … $function$`) is not checked when the models create it (check_function_bodies off);
  // a SQL-standard body (`BEGIN ATOMIC …`, `RETURN …`) always is, and may read tables created later.
  if (/\bLANGUAGE\s+'?sql'?\b/i.test(creates[0]!) && !/\bAS\s+(?:\$[A-Za-z_]*\$|')/.test(creates[0]!)) return null;
  ctx.use('sqlFunction'); ctx.use('sql');
  return `sqlFunction(${str(o.name)}, ${sqlTemplate(creates[0]!)}${withExtras(ctx, [], x)})`;
}

/** An aggregate: `sqlAggregate('agg(text)', sql\`CREATE AGGREGATE …\`)`, its whole statement. */
function emitAggregate(ctx: ObjectContext, o: ObjectIR): string | null {
  if (o.create.length !== 1 || !/^\s*CREATE\s+AGGREGATE\b/i.test(o.create[0]!) || o.name.includes('.')) return null;
  ctx.use('sqlAggregate'); ctx.use('sql');
  return `sqlAggregate(${str(o.name)}, ${sqlTemplate(o.create[0]!)})`;
}

/** An exclusion constraint on a pulled table: `exclusion('t_no_overlap', { on: t }, sql\`EXCLUDE …\`)`. */
function emitExclusion(ctx: ObjectContext, o: ObjectIR): string | null {
  const on = o.table === null ? undefined : ctx.exportOf(o.table);
  if (on === undefined || !o.name.startsWith(`${o.table}.`) || !/^EXCLUDE\b/.test(o.definition)) return null;
  ctx.use('exclusion'); ctx.use('sql');
  return `exclusion(${str(o.name.slice(o.table!.length + 1))}, { on: ${on} }, ${sqlTemplate(o.definition)})`;
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
function emitView(ctx: ObjectContext, o: ObjectIR, x: ObjectExtras): string | null {
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
  return `${fn}(${str(o.name)}, ${sqlTemplate(query)}${withExtras(ctx, invoker ? ["sqlSecurity: 'invoker'"] : [], x)})`;
}

/** The code of object `o` as the DSL states it, or null where it cannot (or where its kind has no DSL construct). */
export function emitObjectModel(ctx: ObjectContext, o: ObjectIR, x: ObjectExtras = {}): string | null {
  switch (o.kind) {
    case 'enum': return emitEnum(ctx, o, x);
    case 'domain': return emitDomain(ctx, o, x);
    case 'sequence': return emitSequence(ctx, o);
    case 'function': return emitFunction(ctx, o, x);
    case 'aggregate': return emitAggregate(ctx, o);
    case 'extension': return emitExtension(ctx, o);
    case 'composite': return emitComposite(ctx, o, x);
    case 'exclusion': return emitExclusion(ctx, o);
    case 'trigger': return emitTrigger(ctx, o);
    case 'view': case 'materializedView': return emitView(ctx, o, x);
    default: return null;
  }
}

/** A column type that is an enum or a domain the module states: its column type, by type text, with its export name. */
export function enumColumns(objects: readonly EmittedObject[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of objects) {
    if (e.object.kind !== 'enum' && e.object.kind !== 'domain' && e.object.kind !== 'composite') continue;
    const type: ColumnType = (e.object.kind === 'enum' ? enumType(e.object.name, JSON.parse(e.object.definition) as string[])
      : e.object.kind === 'domain' ? domain(e.object.name, rawType('integer'))
        : compositeType(e.object.name, { a: rawType('integer') })).column().definition().type;
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
