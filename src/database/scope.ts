/**
 * Table scope: which tables (and the objects tied to them) a command manages, when a database
 * is shared — with another application's tables, or with tables Evolve must leave alone.
 *
 * A scope is a list of include patterns (none: every table) and exclude patterns, globs where
 * `*` is any run of characters and `?` one character (`billing_*`, `app.*`). A pattern starting
 * with `!` in an include list is an exclude. Tables outside the scope are left out at
 * introspection, so every command sees, fingerprints, diffs and changes only its own tables;
 * foreign keys from them to tables outside stay as they are (external references). Evolve's
 * own record tables (`_evolve*`) are always kept.
 */
import type { ObjectIR, SchemaIR, UnmanagedIR } from '../ir/schema.js';
import { isEvolveTable } from '../ir/canonical.js';
import { EvolveError, ErrorCode } from '../errors.js';

/** Include/exclude filters as options take them: a pattern, a comma-separated list, or a list. */
export type TableFilter = string | readonly string[];

/** A resolved scope. */
export interface TableScope {
  /** Include patterns (empty: every table). */
  readonly include: readonly string[];
  /** Exclude patterns. */
  readonly exclude: readonly string[];
  /** Whose scope it is, for messages (`application 'billing'`, `--include/--exclude`). */
  readonly owner: string;
  /** True when `name` is in scope. */
  matches(name: string): boolean;
}

const split = (f: TableFilter | undefined): string[] =>
  (f === undefined ? [] : typeof f === 'string' ? [f] : [...f]).flatMap((x) => String(x).split(',')).map((x) => x.trim()).filter(Boolean);

function glob(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/**
 * Build a scope from include and exclude filters; null when both are empty (everything).
 * @throws EvolveError `E_USAGE` for an empty pattern such as `!`.
 */
export function tableScope(include: TableFilter | undefined, exclude: TableFilter | undefined, owner = '--include/--exclude'): TableScope | null {
  const inc: string[] = [];
  const exc: string[] = split(exclude);
  for (const p of split(include)) (p.startsWith('!') ? exc : inc).push(p.startsWith('!') ? p.slice(1) : p);
  const bad = [...inc, ...exc].find((p) => p === '' || p.startsWith('!'));
  if (bad !== undefined) {
    throw new EvolveError(ErrorCode.Usage, `Table filter '${bad}' is not a pattern.`, {
      hint: "Write table names or globs such as 'billing_*'; '!legacy_*' excludes.",
    });
  }
  if (inc.length === 0 && exc.length === 0) return null;
  const incRe = inc.map(glob);
  const excRe = exc.map(glob);
  return {
    include: inc, exclude: exc, owner,
    matches: (name) => (incRe.length === 0 || incRe.some((r) => r.test(name))) && !excRe.some((r) => r.test(name)),
  };
}

/** The two scopes together: a table must be in both. Either may be null (no limit). */
export function intersectScopes(a: TableScope | null, b: TableScope | null): TableScope | null {
  if (!a) return b;
  if (!b) return a;
  return {
    include: [...a.include, ...b.include], exclude: [...a.exclude, ...b.exclude], owner: `${a.owner} and ${b.owner}`,
    matches: (name) => a.matches(name) && b.matches(name),
  };
}

/** How a scope reads in messages: `include a_*, shared; exclude legacy_*`. */
export function describeScope(s: TableScope): string {
  return [s.include.length ? `include ${s.include.join(', ')}` : '', s.exclude.length ? `exclude ${s.exclude.join(', ')}` : ''].filter(Boolean).join('; ');
}

/**
 * An object is in scope when the table it belongs to is; an object of no table (a view, a
 * function, an enum, …) when its own name matches, or when it depends on a table in scope.
 */
function objectInScope(o: ObjectIR, s: TableScope): boolean {
  if (o.table !== null) return s.matches(o.table);
  if (s.matches(o.name)) return true;
  return (o.dependsOn ?? []).some((k) => k.startsWith('table:') && s.matches(k.slice(6)));
}

function unmanagedInScope(u: UnmanagedIR, s: TableScope): boolean {
  return u.table ? s.matches(u.table) : s.matches(u.name);
}

/** The part of `schema` inside `scope` (the schema itself when there is no scope). */
export function scopeSchema(schema: SchemaIR, scope: TableScope | null): SchemaIR {
  if (!scope) return schema;
  const objects = schema.objects?.filter((o) => objectInScope(o, scope));
  const unmanaged = schema.unmanaged?.filter((u) => unmanagedInScope(u, scope));
  return {
    ...schema,
    tables: schema.tables.filter((t) => isEvolveTable(t.name) || scope.matches(t.name)),
    ...(objects ? { objects } : {}),
    ...(unmanaged ? { unmanaged } : {}),
  };
}

/**
 * Refuse a desired schema (models, a SQL file) with a table outside the scope: it would be
 * created and then never seen again by a command with this scope.
 * @throws EvolveError `E_OUT_OF_SCOPE` naming the tables and the scope.
 */
export function assertInScope(desired: SchemaIR, scope: TableScope | null): void {
  if (!scope) return;
  const outside = desired.tables.filter((t) => !isEvolveTable(t.name) && !scope.matches(t.name)).map((t) => t.name);
  if (outside.length === 0) return;
  throw new EvolveError(ErrorCode.OutOfScope,
    `Model table${outside.length === 1 ? '' : 's'} ${outside.map((x) => `'${x}'`).join(', ')} ${outside.length === 1 ? 'is' : 'are'} ` +
    `outside the tables ${scope.owner} manage${scope.owner.startsWith('--') ? '' : 's'} (${describeScope(scope)}).`, {
      hint: 'Rename the model to fit the scope (its old name in aka), widen the scope (versioned({ tables | prefix }), --include), ' +
        'or move the model to the application that owns it.',
      details: { tables: outside, include: scope.include, exclude: scope.exclude },
    });
}

/**
 * Foreign keys from a table in scope to a table outside it are external references: the models
 * cannot state them (their target is not a model), so the live ones are kept as they are — on
 * the desired table, when it still has the key's columns — rather than planned as drops.
 * Returns the desired schema with them, and a note for each.
 */
export function keepExternalReferences(desired: SchemaIR, live: SchemaIR, scope: TableScope | null): { schema: SchemaIR; kept: string[] } {
  if (!scope) return { schema: desired, kept: [] };
  const liveTables = new Map(live.tables.map((t) => [t.name, t]));
  const kept: string[] = [];
  const tables = desired.tables.map((t) => {
    const l = liveTables.get(t.name) ?? (t.aka ?? []).map((a) => liveTables.get(a)).find((x) => x !== undefined);
    if (!l) return t;
    const have = new Set(t.columns.map((c) => c.name));
    const same = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
    const extra = l.foreignKeys.filter((fk) => !isEvolveTable(fk.refTable) && !scope.matches(fk.refTable)
      && fk.columns.every((c) => have.has(c))
      && !t.foreignKeys.some((x) => x.refTable === fk.refTable && same(x.columns, fk.columns)));
    if (extra.length === 0) return t;
    for (const fk of extra) kept.push(`foreign key ${t.name}(${fk.columns.join(', ')}) → ${fk.refTable} (outside the managed tables: kept as it is)`);
    return { ...t, foreignKeys: [...t.foreignKeys, ...extra] };
  });
  return { schema: kept.length ? { ...desired, tables } : desired, kept };
}
