/**
 * One emit function per part of the IR: what `evolve pull` writes for a column type, a default,
 * a column (generated, identity), an index, a unique constraint, a foreign key, a primary key, a
 * check, the storage options — and, for what the models DSL cannot state (a check naming what
 * the DSL takes for an unknown column), the name it lists as not expressible.
 * Supporting a new DSL construct is a change to the one function for its part.
 */
import type { CheckIR, ColumnIR, ColumnType, DefaultValue, ForeignKeyIR, IndexIR, TableIR, UniqueIR } from '../ir/schema.js';
import { assertNever, isEvolveError } from '../errors.js';
import { checkDefaultLiteral } from '../model/default-literals.js';
import { unknownColumnIn } from '../model/compile-checks.js';
import { isIntegerType } from '../model/dialect-types.js';
import { emitDialectType } from './emit-dialect-type.js';
import { key, member, sqlTemplate, str } from './identifiers.js';

/** What the emit functions need from the module being written. */
export interface EmitContext {
  /** The export name of a pulled table; undefined for a table that is not pulled. */
  exportOf(table: string): string | undefined;
  /** Note a DSL function the code uses (for the import line). */
  use(name: string): void;
  /**
   * List something the DSL cannot state, by name (`check t.t_price_ck`); `adopted`: apply keeps
   * the database's own (objects, checks, table options, ON UPDATE, identity ALWAYS), else
   * applying the models to the pulled database would change it.
   */
  missing(what: string, adopted: boolean): void;
  /** Claim the name of an index of `table` (unique across the schema, or on MySQL within the table, as the DSL checks); false when taken. */
  claimIndex(table: string, name: string): boolean;
  /** An auto-increment column may lead a composite primary key (MySQL/MariaDB): it says `.autoIncrement()`. */
  readonly autoIncrementLeadingKey: boolean;
  /** Any integer column may auto-increment (PostgreSQL serial outside the key): it says `.autoIncrement()`. */
  readonly autoIncrementAnyColumn: boolean;
  /** The dialect's spelling of a type, whose defaults the DSL does not judge (MySQL/MariaDB; see `EmitOptions.nativeType`); undefined elsewhere. */
  readonly nativeType?: ((t: ColumnType) => string) | undefined;
  /** True when a reference from table `from` to table `to` closes a cycle (its arrow then states its return type). */
  inCycle(from: string, to: string): boolean;
  /** The export name of the enum type or domain the module states for column type text `sql` (`mood`, `year`), if any. */
  enumOf(sql: string): string | undefined;
  /** The indexes on expressions or with a method of table `table`, as the DSL states them. */
  indexObjectsOf(table: string): string[];
  /** The comments (PostgreSQL) of table `table` and its columns. */
  commentsOf(table: string): { table?: string; columns: ReadonlyMap<string, string> } | undefined;
}

/** A column type: `integer()`, `varchar(100)`, `jsonb()` (a dialect's type with a helper), `rawType('point')`. */
export function emitType(ctx: Pick<EmitContext, 'use' | 'enumOf'>, t: ColumnType): string {
  const call = (fn: string, args = ''): string => { ctx.use(fn); return `${fn}(${args})`; };
  switch (t.kind) {
    case 'integer': case 'bigint': case 'real': case 'text': case 'boolean': case 'date': case 'json': case 'bytes': case 'uuid':
      return call(t.kind);
    // Sizes the DSL refuses (varchar(0), a precision below 1) keep the database's spelling.
    case 'varchar': return t.length >= 1 ? call('varchar', String(t.length)) : call('rawType', str(`varchar(${t.length})`));
    case 'decimal':
      if (t.precision < 1 || t.scale > t.precision) return call('rawType', str(`decimal(${t.precision},${t.scale})`));
      return call('decimal', t.scale === 0 ? String(t.precision) : `${t.precision}, ${t.scale}`);
    case 'timestamp': return call('timestamp', t.withTimeZone ? '{ withTimeZone: true }' : '');
    case 'raw': {
      const e = ctx.enumOf(t.sql);
      return e !== undefined ? `${e}.column()` : emitDialectType((n) => ctx.use(n), t.sql) ?? call('rawType', str(t.sql));
    }
    default: return assertNever(t, 'column type');
  }
}

/** A default's argument: a literal, or `sql\`…\`` for an expression. */
export function emitDefault(ctx: EmitContext, d: DefaultValue): string {
  if (d.kind === 'expression') { ctx.use('sql'); return sqlTemplate(d.sql); }
  if (typeof d.value === 'string') return str(d.value);
  if (typeof d.value === 'number' && !Number.isFinite(d.value)) { ctx.use('sql'); return sqlTemplate(String(d.value)); }
  return Object.is(d.value, -0) ? '-0' : String(d.value);
}

/**
 * `() => department.columns.id` (or a list of them) for the columns foreign key `fk` of table
 * `from` references; `(): ColumnRef => …` where the reference closes a cycle (TS7022 otherwise).
 */
function emitTarget(ctx: EmitContext, from: string, fk: ForeignKeyIR): string {
  const refs = fk.refColumns.map((c) => member(`${ctx.exportOf(fk.refTable)!}.columns`, c));
  const typed = ctx.inCycle(from, fk.refTable);
  if (typed) ctx.use('ColumnRef');
  const arrow = typed ? `(): ColumnRef${refs.length === 1 ? '' : '[]'} =>` : '() =>';
  return refs.length === 1 ? `${arrow} ${refs[0]}` : `${arrow} [${refs.join(', ')}]`;
}

/** `{ onDelete: 'cascade' }` (the actions other than `no action`), or '' when there are none. */
function emitActions(fk: ForeignKeyIR): string {
  const parts = [
    ...(fk.onDelete !== 'no action' ? [`onDelete: ${str(fk.onDelete)}`] : []),
    ...(fk.onUpdate !== 'no action' ? [`onUpdate: ${str(fk.onUpdate)}`] : []),
  ];
  return parts.length ? `{ ${parts.join(', ')} }` : '';
}

/** A generated column: `.generatedAs(sql\`…\`)` (STORED), `{ stored: false }` for VIRTUAL; '' for another column. */
function emitGenerated(ctx: EmitContext, c: ColumnIR): string {
  if (!c.generated) return '';
  ctx.use('sql');
  return `.generatedAs(${sqlTemplate(c.generated.expression)}${c.generated.stored ? '' : ', { stored: false }'})`;
}

/**
 * PostgreSQL identity ALWAYS on the whole primary key: `.identity('always')` (which makes the
 * key); elsewhere the DSL cannot state it (listed; apply keeps the database's).
 */
function emitIdentity(ctx: EmitContext, table: string, c: ColumnIR, keyed: boolean): string | null {
  if (c.identity !== 'always' || keyed) return null;
  ctx.missing(`identity ALWAYS of ${table}.${c.name}`, true);
  return 'GENERATED ALWAYS AS IDENTITY';
}

/** MySQL ON UPDATE: `.onUpdate(sql\`CURRENT_TIMESTAMP\`)`, or '' when the column has none. */
function emitOnUpdate(ctx: EmitContext, c: ColumnIR): string {
  if (!c.onUpdate) return '';
  ctx.use('sql');
  return `.onUpdate(${sqlTemplate(c.onUpdate)})`;
}

/**
 * The type to state column `c` with so that the DSL takes its default: its own; where the DSL
 * refuses the default for it (MySQL `tinyint(1) DEFAULT 7`, read as boolean; a zero date
 * `'0000-00-00 00:00:00'` on a datetime), the dialect's spelling of it (`rawType('tinyint(1)')`,
 * `datetime()`), which reads back as the same type and whose defaults the DSL leaves to the
 * database; null (listed) where the dialect has no such spelling.
 */
function typeForDefault(ctx: EmitContext, table: string, c: ColumnIR): ColumnType | null {
  try { checkDefaultLiteral(table, c.name, c.type, c.default); return c.type; } catch (e) {
    if (!isEvolveError(e)) throw e;
    if (ctx.nativeType && c.type.kind !== 'raw') return { kind: 'raw', sql: ctx.nativeType(c.type) };
    ctx.missing(`default of ${table}.${c.name}, not a value of its type`, false);
    return null;
  }
}

/** How a column takes part in its table's keys, decided by {@link emitTable}. */
interface ColumnRole { primaryKey: boolean; leadsKey: boolean; unique: boolean; foreignKey: ForeignKeyIR | null }

/** One column: its type and modifiers, and a trailing comment naming what the DSL cannot state. */
export function emitColumn(ctx: EmitContext, t: TableIR, c: ColumnIR, role: ColumnRole): string {
  const type = c.default !== null && !c.generated ? typeForDefault(ctx, t.name, c) : c.type;
  let code = emitType(ctx, type ?? c.type);
  if (!c.nullable && !role.primaryKey) code += '.notNull()';
  if (type !== null && c.default !== null && !c.generated) code += `.default(${emitDefault(ctx, c.default)})`;
  code += emitGenerated(ctx, c);
  code += emitOnUpdate(ctx, c);
  const increments = c.autoIncrement && isIntegerType(c.type);
  const always = role.primaryKey && increments && c.identity === 'always';
  if (always) code += ".identity('always')";
  else if (role.primaryKey) code += increments ? '.primaryKey({ autoIncrement: true })' : '.primaryKey()';
  const ownModifier = increments && !role.primaryKey && (ctx.autoIncrementAnyColumn || (role.leadsKey && ctx.autoIncrementLeadingKey));
  if (ownModifier) code += '.autoIncrement()';
  if (c.autoIncrement && !role.primaryKey && !ownModifier) ctx.missing(`auto-increment of ${t.name}.${c.name}, which is not the whole primary key`, false);
  else if (c.autoIncrement && !increments) {
    ctx.missing(`auto-increment of ${t.name}.${c.name}, of type ${c.type.kind === 'raw' ? c.type.sql : c.type.kind}`, false);
  }
  if (role.unique) code += '.unique()';
  if (c.collation) code += `.collation(${str(c.collation)})`;
  const comment = ctx.commentsOf(t.name)?.columns.get(c.name);
  if (comment !== undefined) code += `.comment(${str(comment)})`;
  if (role.foreignKey) {
    const fk = role.foreignKey;
    const actions = emitActions(fk);
    code += `.references(${emitTarget(ctx, t.name, fk)}${actions ? `, ${actions}` : ''})`;
  }
  const unsaid = [emitIdentity(ctx, t.name, c, always)].filter((x) => x !== null);
  const note = unsaid.length ? ` // not expressible yet: ${oneLine(unsaid.join('; '))}` : '';
  return `  ${key(c.name)}: ${code},${note}`;
}

/** An index: `index('name').on('a', 'b').unique().where(sql\`…\`)`; null (listed) when another table's index has its name. */
export function emitIndex(ctx: EmitContext, table: string, i: IndexIR): string | null {
  if (!ctx.claimIndex(table, i.name)) {
    ctx.missing(`index ${i.name} on table ${table}, a name another table's index has`, false);
    return null;
  }
  ctx.use('index');
  let code = `index(${str(i.name)}).on(${i.columns.map(str).join(', ')})`;
  if (i.unique) code += '.unique()';
  if (i.where !== null) { ctx.use('sql'); code += `.where(${sqlTemplate(i.where)})`; }
  return code;
}

/** A unique constraint over several columns (the table option): `['a', 'b']`. */
export function emitUnique(u: UniqueIR): string {
  return `[${u.columns.map(str).join(', ')}]`;
}

/** A foreign key over several columns (or a second key on one column): the table option's entry. */
export function emitForeignKey(ctx: EmitContext, table: string, fk: ForeignKeyIR): string {
  const actions = emitActions(fk);
  return `{ columns: [${fk.columns.map(str).join(', ')}], references: ${emitTarget(ctx, table, fk)}` +
    `${actions ? `, ${actions.slice(2, -2)}` : ''} }`;
}

/** A composite primary key (the table option): `['a', 'b']`. */
export function emitPrimaryKey(columns: readonly string[]): string {
  return `[${columns.map(str).join(', ')}]`;
}

/**
 * A table's CHECK constraints, the table option's entries: `check('name', sql\`…\`)` or
 * `sql\`…\``. When one names a word the DSL would take for a column the table lacks (it refuses
 * those), none is stated (a table stating a check manages all of its checks): each is listed,
 * and written as a comment in `notes`, and apply keeps the database's.
 */
export function emitChecks(ctx: EmitContext, t: TableIR, notes: string[]): string[] {
  const checks = t.checks ?? [];
  const names = t.columns.map((col) => col.name);
  if (checks.some((c) => unknownColumnIn(c.expression, names) !== undefined)) {
    for (const c of checks) {
      ctx.missing(c.name ? `check ${t.name}.${c.name}` : `check (${oneLine(c.expression)}) on table ${t.name}`, true);
      notes.push(`// not expressible yet: CHECK (${oneLine(c.expression)})${c.name ? ` named ${c.name}` : ''}`);
    }
    return [];
  }
  return checks.map((c) => {
    ctx.use('sql');
    if (c.name === null) return sqlTemplate(c.expression);
    ctx.use('check');
    return `check(${str(c.name)}, ${sqlTemplate(c.expression)})`;
  });
}

/** The storage options (SQLite STRICT, MySQL ENGINE, …), the table option: `{ strict: true, engine: 'MyISAM' }`. */
export function emitStorage(options: Readonly<Record<string, string>>): string {
  const entries = Object.entries(options).sort(([a], [b]) => (a < b ? -1 : 1));
  return `{ ${entries.map(([k, v]) => `${key(k)}: ${v === 'true' ? 'true' : str(v)}`).join(', ')} }`;
}

/** Text for a `//` comment: one line. */
const oneLine = (s: string): string => s.replace(/\s+/g, ' ').trim();

/** The single-column constraints a column states itself (`.unique()`, `.references()`); the rest go to the table's options. */
function splitKeys(ctx: EmitContext, t: TableIR): { uniqueOn: Set<string>; fkOn: Map<string, ForeignKeyIR>; uniques: UniqueIR[]; fks: ForeignKeyIR[] } {
  const uniqueOn = new Set<string>();
  const uniques: UniqueIR[] = [];
  for (const u of t.uniques) {
    if (u.columns.length === 1 && !uniqueOn.has(u.columns[0]!)) uniqueOn.add(u.columns[0]!);
    else uniques.push(u);
  }
  const fkOn = new Map<string, ForeignKeyIR>();
  const fks: ForeignKeyIR[] = [];
  for (const fk of t.foreignKeys) {
    if (ctx.exportOf(fk.refTable) === undefined) {
      ctx.missing(`foreign key ${t.name}(${fk.columns.join(', ')}) to ${fk.refTable}, a table not pulled`, false);
    } else if (fk.columns.length === 1 && !fkOn.has(fk.columns[0]!)) fkOn.set(fk.columns[0]!, fk);
    else fks.push(fk);
  }
  return { uniqueOn, fkOn, uniques, fks };
}

/** A whole table: `export const x = table('x', { …columns }, { …options });`, with comments for what the DSL cannot state. */
export function emitTable(ctx: EmitContext, t: TableIR): string {
  ctx.use('table');
  const pk = t.primaryKey?.columns ?? [];
  const { uniqueOn, fkOn, uniques, fks } = splitKeys(ctx, t);
  const columns = t.columns.map((c) => emitColumn(ctx, t, c, {
    primaryKey: pk.length === 1 && pk[0] === c.name, leadsKey: pk.length > 1 && pk[0] === c.name,
    unique: uniqueOn.has(c.name), foreignKey: fkOn.get(c.name) ?? null,
  }));
  const options: string[] = [];
  if (pk.length > 1) options.push(`  primaryKey: ${emitPrimaryKey(pk)},`);
  if (uniques.length) options.push(`  unique: [${uniques.map(emitUnique).join(', ')}],`);
  const list = (name: string, items: string[]): void => {
    if (items.length) options.push(`  ${name}: [\n${items.map((x) => `    ${x},`).join('\n')}\n  ],`);
  };
  list('indexes', [...t.indexes.map((i) => emitIndex(ctx, t.name, i)).filter((x): x is string => x !== null), ...ctx.indexObjectsOf(t.name)]);
  list('foreignKeys', fks.map((fk) => emitForeignKey(ctx, t.name, fk)));
  const notes: string[] = [];
  list('checks', emitChecks(ctx, t, notes));
  if (Object.keys(t.options ?? {}).length) options.push(`  storage: ${emitStorage(t.options!)},`);
  const comment = ctx.commentsOf(t.name)?.table;
  if (comment !== undefined) options.push(`  comment: ${str(comment)},`);
  const name = ctx.exportOf(t.name)!;
  const body = `table(${str(t.name)}, {\n${columns.join('\n')}\n}${options.length ? `, {\n${options.join('\n')}\n}` : ''})`;
  return `${notes.map((n) => `${n}\n`).join('')}export const ${name} = ${body};\n`;
}
