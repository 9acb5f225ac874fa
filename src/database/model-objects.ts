/**
 * The models' objects beyond tables — views, triggers, functions, sequences, enum types, domains, and
 * indexes on expressions or with a method — as the database prints them. Their definitions are
 * the database's own rendering (PostgreSQL's `pg_get_viewdef`, a trigger's stored text, …),
 * which no model can predict; so they are read back the way a SQL file is (B13): the models'
 * tables and these objects' statements are loaded into the dialect's scratch database and
 * introspected, and the objects it reports join the compiled tables. A SQL file holding the same
 * statements therefore gives the same schema and fingerprint. Models with no such object need
 * no scratch, and compile without a database as before.
 */
import type { Dialect } from '../dialects/dialect.js';
import { parseDatabaseUrl, type DatabaseUrl } from '../dialects/url.js';
import { deepFreeze, objectKey, type ObjectIR, type SchemaIR } from '../ir/schema.js';
import { EvolveError, ErrorCode } from '../errors.js';
import type { Table } from '../model/table.js';
import { writtenName, type ModelObject } from '../model/objects.js';

/**
 * CREATE INDEX statements of the models' indexes that the table IR cannot hold (on expressions, with a method),
 * and of every index of a materialized view.
 */
function specialIndexes(tables: readonly Table[], objects: readonly ModelObject[], dialect: Dialect): string[] {
  const s = dialect.sql;
  const out: string[] = [];
  const owners = [...tables.map((t) => ({ name: t.name, indexes: t.options?.indexes ?? [], all: false })),
    ...objects.map((o) => ({ name: o.name, indexes: o.indexes ?? [], all: true }))];
  for (const t of owners) {
    for (const ib of t.indexes) {
      const d = ib.definition();
      if (!t.all && d.using === null && d.parts.length === d.columns.length && d.include.length === 0) continue;
      // An expression as written: MySQL wants it in parentheses of its own, `sql\`(lower(name))\``.
      const parts = d.parts.map((p) => (typeof p === 'string' ? (p.includes('.') ? s.ident(p) : writtenName(s, p)) : p.expression)).join(', ');
      // MySQL/MariaDB spell a FULLTEXT or SPATIAL key as a kind of index, and a method after the key parts.
      const mysqlLike = dialect.capabilities.indexKindKeywords === true;
      const keyKind = mysqlLike && d.using !== null && /^(fulltext|spatial)$/i.test(d.using) ? `${d.using.toUpperCase()} ` : null;
      const using = d.using && keyKind === null && !mysqlLike ? ` USING ${d.using}` : '';
      const after = d.using && keyKind === null && mysqlLike ? ` USING ${d.using}` : '';
      const include = d.include.length ? ` INCLUDE (${d.include.map((c) => writtenName(s, c)).join(', ')})` : '';
      const on = `${writtenName(s, t.name)}${using} (${parts})${include}${after}`;
      out.push(`CREATE ${d.unique ? 'UNIQUE ' : keyKind ?? ''}INDEX ${writtenName(s, d.name!)} ON ${on}` +
        (d.where !== null ? ` WHERE ${d.where}` : ''));
    }
  }
  return out;
}

/** COMMENT ON statements of the models' table and column comments (`comment`, `.comment()`). */
function comments(tables: readonly Table[], dialect: Dialect): string[] {
  const s = dialect.sql;
  const out: string[] = [];
  for (const t of tables) {
    const text = t.options?.comment;
    if (typeof text === 'string') out.push(`COMMENT ON TABLE ${writtenName(s, t.name)} IS ${s.literal(text)}`);
    for (const [key, b] of Object.entries(t.builders)) {
      const d = b.definition();
      if (d.comment === null) continue;
      const col = d.name ?? key;
      out.push(`COMMENT ON COLUMN ${writtenName(s, t.name)}.${/^[a-z_][a-z0-9_]*$/.test(col) ? col : s.ident(col)} IS ${s.literal(d.comment)}`);
    }
  }
  if (out.length > 0 && dialect.capabilities.comments !== true) {
    throw new EvolveError(ErrorCode.Unsupported, `The models give tables or columns comments, which ${dialect.name} does not keep as part of the schema.`, {
      hint: 'Remove comment / .comment() for this database (comments are managed on PostgreSQL).',
    });
  }
  return out;
}

/** Refuse domains, composite types and extensions where the database has none (before anything runs). */
function refuseTypeObjects(objects: readonly ModelObject[], dialect: Dialect): void {
  if (dialect.capabilities.typeObjects === true) return;
  const o = objects.find((x) => x.kind === 'domain' || x.kind === 'composite' || x.kind === 'extension' || x.kind === 'exclusion');
  if (!o) return;
  const what = o.kind === 'composite' ? 'composite type' : o.kind === 'exclusion' ? 'exclusion constraint' : o.kind;
  throw new EvolveError(ErrorCode.Unsupported, `The models hold ${what} '${o.name}', which ${dialect.name} does not have (PostgreSQL has them).`, {
    hint: o.kind === 'domain' ? 'Give its columns the base type and a check instead, e.g. integer().check(sql`release_year >= 1901`).'
      : `Remove ${what} '${o.name}' from the models for ${dialect.name}.`,
    details: { [o.kind]: o.name, dialect: dialect.name },
  });
}

/** The words COMMENT ON gives an object of each kind. */
const COMMENT_WORD: Partial<Record<ModelObject['kind'], string>> = {
  view: 'VIEW', materializedView: 'MATERIALIZED VIEW', enum: 'TYPE', domain: 'DOMAIN', sequence: 'SEQUENCE', function: 'FUNCTION',
  composite: 'TYPE', extension: 'EXTENSION',
};

/** COMMENT ON statements of the models' objects that have a comment (PostgreSQL). */
function objectComments(objects: readonly ModelObject[], dialect: Dialect): string[] {
  const s = dialect.sql;
  const out: string[] = [];
  for (const o of objects) {
    if (o.comment === undefined) continue;
    if (dialect.capabilities.comments !== true) {
      const msg = `The models give ${o.kind} '${o.name}' a comment, which ${dialect.name} does not keep as part of the schema.`;
      throw new EvolveError(ErrorCode.Unsupported, msg, {
        hint: 'Remove its comment option for this database (comments are managed on PostgreSQL).', details: { [o.kind]: o.name },
      });
    }
    let word = COMMENT_WORD[o.kind];
    if (word === undefined) {
      throw new EvolveError(ErrorCode.ModelInvalid, `${o.kind} '${o.name}' cannot take a comment here.`, { hint: 'Remove its comment option.' });
    }
    // A function's name may carry its arguments (`f(x integer)`, as `evolve pull` writes it); a procedure is commented on as one.
    const paren = o.name.indexOf('(');
    const name = paren < 0 ? writtenName(s, o.name) : `${writtenName(s, o.name.slice(0, paren))}${o.name.slice(paren)}`;
    if (o.kind === 'function' && o.statements(s).some((t) => /^\s*CREATE\s+(?:OR\s+REPLACE\s+)?PROCEDURE\b/i.test(t))) word = 'PROCEDURE';
    out.push(`COMMENT ON ${word} ${name} IS ${s.literal(o.comment)}`);
  }
  return out;
}

/**
 * Statements in an order the database takes: types and functions, then (after the tables) the
 * rest — and a function whose signature names a model table (`RETURNS SETOF customer`: the
 * table's row type must exist), with the objects reading it.
 */
function objectStatements(objects: readonly ModelObject[], tables: readonly Table[], dialect: Dialect): { before: string[]; after: string[] } {
  const before: string[] = [];
  const after: string[] = [];
  const extensions: string[] = [];
  const tableNames = new Set(tables.map((t) => t.name.split('.').pop()!.toLowerCase()));
  const late = new Set<string>();
  for (const [o, statements] of readersLast(objects, dialect)) {
    const said = words(statements.join(' '));
    const header = o.kind === 'function' ? words(statements.join(' ').split(/\bAS\s+(?:\$[A-Za-z_]*\$|')|\bBEGIN\s+ATOMIC\b/i)[0]!) : new Set<string>();
    const isLate = !['enum', 'domain', 'composite', 'extension', 'sequence', 'function', 'aggregate'].includes(o.kind)
      || [...header].some((w) => tableNames.has(w)) || [...late].some((w) => said.has(w));
    if (isLate && o.kind !== 'trigger') late.add(o.name.replace(/\(.*$/s, '').split('.').pop()!.toLowerCase());
    if (o.kind === 'extension') extensions.push(...statements);
    else (isLate ? after : before).push(...statements);
  }
  // Extensions first: the types and functions they bring may be used by anything else.
  return { before: [...extensions, ...before], after };
}

/** Identifier-like words of SQL text, unquoted and lower-cased. */
const words = (sql: string): Set<string> =>
  new Set([...sql.matchAll(/"((?:[^"]|"")+)"|`((?:[^`]|``)+)`|([A-Za-z_][\w$]*)/g)].map((m) => (m[1] ?? m[2] ?? m[3]!).toLowerCase()));

/**
 * The objects with their statements, each after the other objects its statements name (a view
 * reading another view): a module's exports come in the order of their names, not of what reads what.
 */
function readersLast(objects: readonly ModelObject[], dialect: Dialect): [ModelObject, string[]][] {
  const items = objects.map((o) => ({ o, statements: o.statements(dialect.sql), bare: o.name.replace(/\(.*$/s, '').split('.').pop()!.toLowerCase() }));
  const out: [ModelObject, string[]][] = [];
  const state = new Map<number, 'visiting' | 'done'>();
  const visit = (i: number): void => {
    if (state.has(i)) return;
    state.set(i, 'visiting');
    const said = words(items[i]!.statements.join(' '));
    items.forEach((other, j) => { if (j !== i && other.o.kind !== 'trigger' && said.has(other.bare)) visit(j); });
    state.set(i, 'done');
    out.push([items[i]!.o, items[i]!.statements]);
  };
  items.forEach((_, i) => visit(i));
  return out;
}

/**
 * `schema` (the compiled, normalised tables of `tables`) with the objects of `objects` and the
 * tables' special indexes, as `dialect` reports them once created.
 * @throws EvolveError `E_USAGE` when the dialect parses SQL only on a server and none is near;
 *   `E_SQL_FAILED` naming the statement the database rejected.
 */
export async function withModelObjects(
  dialect: Dialect, near: DatabaseUrl | null, schema: SchemaIR, tables: readonly Table[], objects: readonly ModelObject[],
): Promise<SchemaIR> {
  refuseTypeObjects(objects, dialect);
  const { before, after } = objectStatements(objects, tables, dialect);
  after.push(...specialIndexes(tables, objects, dialect), ...comments(tables, dialect), ...objectComments(objects, dialect));
  if (before.length === 0 && after.length === 0) return schema;
  const scratch = near ?? (dialect.localScratch === null ? null : parseDatabaseUrl(dialect.localScratch));
  if (!scratch) {
    throw new EvolveError(ErrorCode.Usage,
      `The models' views, triggers, functions or special indexes are read back from a ${dialect.name} database, and none is given.`, {
      hint: `Give a ${dialect.name} database (--db URL, or --scratch URL for evolve diff): the models are loaded into a scratch database there and dropped.`,
    });
  }
  const creates = dialect.plan(dialect.diff({ dialect: schema.dialect, tables: [] }, { ...schema, objects: [] })).statements.map((s) => s.sql);
  // PostgreSQL checks a LANGUAGE sql function's body at creation, and the models create functions before the tables they
  // may read: as pg_dump does (and as apply does, SET LOCAL), the scratch session does not check them.
  const unchecked = dialect.capabilities.uncheckedFunctionBodies;
  if (unchecked !== undefined && objects.some((o) => o.kind === 'function')) before.unshift(unchecked);
  const text = [...before, ...creates, ...after].map((s) => `${s.trim().replace(/;$/, '')};\n`).join('');
  const loaded = await dialect.schemaFromSql(scratch, text, 'the models module');
  const own = new Set((schema.objects ?? []).map(objectKey));
  const aka = new Map(objects.filter((o) => o.aka).map((o) => [`${o.kind}:${o.name}`, o.aka!]));
  const found: ObjectIR[] = (loaded.objects ?? []).filter((o) => !own.has(objectKey(o)))
    .map((o) => (aka.has(objectKey(o)) ? { ...o, aka: aka.get(objectKey(o))! } : o));
  return deepFreeze({ ...schema, objects: [...(schema.objects ?? []), ...found] });
}
