/**
 * Diffing objects beyond tables (views, triggers, functions, enums, …): compared by their
 * normalised definitions, recreated when a table they depend on changes shape, and ordered by
 * their dependencies — dependents dropped first, dependencies created first.
 */
import type { ObjectIR, SchemaIR } from '../ir/schema.js';
import { isEvolveTable } from '../ir/canonical.js';
import { objectKey, objectPhase } from '../ir/schema.js';
import type { Change } from './changes.js';
import type { DiffHooks } from './hooks.js';

/** Kinds bound to the tables and objects their definition names (recreated when those change). */
const BOUND: ReadonlySet<string> = new Set(['view', 'materializedView', 'trigger', 'index', 'exclusion', 'comment']);

/**
 * When an object is created relative to tables: its kind's phase, except that a function whose
 * catalog dependencies name a table or view (a row type in its signature, `RETURNS SETOF
 * customer`; a `BEGIN ATOMIC` body) comes after them.
 */
export function phaseOf(o: ObjectIR): 'before' | 'after' {
  if (o.kind === 'function' && (o.dependsOn ?? []).some((d) => /^(?:table|view|materializedView):/.test(d))) return 'after';
  return objectPhase(o.kind);
}

/** Identifier-like words of a definition, unquoted and lower-cased (a deliberate over-approximation). */
function words(sql: string): Set<string> {
  const out = new Set<string>();
  for (const m of sql.matchAll(/"((?:[^"]|"")+)"|`((?:[^`]|``)+)`|\[([^\]]+)\]|([A-Za-z_][\w$]*)/g)) {
    out.add((m[1] ?? m[2] ?? m[3] ?? m[4]!).toLowerCase());
  }
  return out;
}

/** The bare name an object is referred to by in SQL (`f(integer)` → `f`; `t.trg` → `trg`). */
function bareName(o: { kind: string; name: string; table?: string | null }): string {
  let n = o.name;
  if (o.kind === 'function' || o.kind === 'aggregate') n = n.replace(/\(.*$/s, '');
  return n.toLowerCase();
}

/**
 * What an object depends on: the catalog's list, its table, and every table or object of the
 * schema whose name appears among the words of its definition.
 */
export function objectDependencies(schema: SchemaIR, o: ObjectIR, names = nameIndex(schema)): Set<string> {
  const deps = new Set<string>(o.dependsOn ?? []);
  if (o.table) deps.add(`table:${o.table}`);
  for (const w of words(o.definition)) for (const k of names.get(w) ?? []) deps.add(k);
  deps.delete(objectKey(o));
  return deps;
}

/** Lower-case names by which SQL can refer to a table or object → their keys. */
export function nameIndex(schema: SchemaIR): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (name: string, key: string): void => { const l = out.get(name); if (l) l.push(key); else out.set(name, [key]); };
  for (const t of schema.tables) add(t.name.toLowerCase(), `table:${t.name}`);
  for (const x of schema.objects ?? []) {
    if (x.kind === 'comment' || x.kind === 'trigger' || x.kind === 'index' || x.kind === 'exclusion') continue;
    add(bareName(x), objectKey(x));
  }
  return out;
}

/** Sort objects so each comes after what it depends on (ties and cycles: by kind and name). */
function topological(objects: readonly ObjectIR[], depsOf: (o: ObjectIR) => Set<string>): ObjectIR[] {
  const byKey = new Map(objects.map((o) => [objectKey(o), o]));
  const sorted = [...objects].sort((a, b) => (objectKey(a) < objectKey(b) ? -1 : objectKey(a) > objectKey(b) ? 1 : 0));
  const out: ObjectIR[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (o: ObjectIR): void => {
    const k = objectKey(o);
    if (state.get(k)) return; // done, or a cycle: stop here
    state.set(k, 'visiting');
    for (const d of [...depsOf(o)].sort()) { const dep = byKey.get(d); if (dep) visit(dep); }
    state.set(k, 'done');
    out.push(o);
  };
  for (const o of sorted) visit(o);
  return out;
}

/** Object changes of a diff, in the four places a plan runs them. */
export interface ObjectChanges {
  /** Before anything else: drops of after-phase objects (removed, changed, or depending on a changing table). */
  readonly dropFirst: Change[];
  /** Before the table changes: new and changed before-phase objects (types, functions, …). */
  readonly createBeforeTables: Change[];
  /** After the table changes: drops of removed before-phase objects. */
  readonly dropAfterTables: Change[];
  /** Last: creates of after-phase objects (new, changed, or recreated). */
  readonly createLast: Change[];
}

/**
 * Diff the objects of two schemas, given the table changes already found.
 * `liveName` maps target table names to live ones (renames); `hooks.keepsDependents` says
 * which table changes leave a table's dependents standing (any other recreates them).
 */
export function diffObjects(
  from: SchemaIR, to: SchemaIR, tableChanges: readonly Change[], liveName: ReadonlyMap<string, string>, hooks: DiffHooks,
): ObjectChanges {
  const inScope = (o: ObjectIR): boolean => !(o.table && isEvolveTable(o.table));
  const live = new Map((from.objects ?? []).filter(inScope).map((o) => [objectKey(o), o]));
  const want = new Map((to.objects ?? []).filter(inScope).map((o) => [objectKey(o), o]));
  const result: ObjectChanges = { dropFirst: [], createBeforeTables: [], dropAfterTables: [], createLast: [] };
  if (live.size === 0 && want.size === 0) return result;

  // Tables whose change takes their dependents down (live and target names).
  const shaken = new Map<string, string>(); // `table:name` → reason
  const shakenBy = new Map<string, Change[]>(); // `table:name` → the changes that may take its dependents down
  for (const c of tableChanges) {
    if (c.kind === 'createObject' || c.kind === 'dropObject' || c.kind === 'replaceObject') continue;
    if (hooks.keepsDependents(c)) continue;
    const names = c.kind === 'renameTable' ? [c.from, c.to]
      : c.kind === 'createTable' || c.kind === 'dropTable' ? [c.table.name]
      : [c.table, liveName.get(c.table) ?? c.table];
    for (const n of new Set(names)) {
      const k = `table:${n}`;
      if (!shaken.has(k)) shaken.set(k, `table ${n} changes`);
      const by = shakenBy.get(k);
      if (by) by.push(c); else shakenBy.set(k, [c]);
    }
  }

  const liveNames = nameIndex(from);
  const wantNames = nameIndex(to);
  const liveDeps = new Map([...live.values()].map((o) => [objectKey(o), objectDependencies(from, o, liveNames)]));
  const wantDeps = new Map([...want.values()].map((o) => [objectKey(o), objectDependencies(to, o, wantNames)]));

  const removed = [...live.values()].filter((o) => !want.has(objectKey(o)));
  const added = [...want.values()].filter((o) => !live.has(objectKey(o)));
  const changed = [...want.values()].filter((o) => live.has(objectKey(o)) && live.get(objectKey(o))!.definition !== o.definition);
  const inPlace = (o: ObjectIR): boolean => o.replace !== undefined;

  // Objects going away in the live database (removed, or dropped to be recreated): their live
  // dependents that stay must be recreated too, transitively.
  const down = new Map<string, string>(shaken); // key → reason
  const objectDown = new Set<string>(); // the objects among them (a table is down only by its changes)
  const fall = (k: string, reason: string): void => { down.set(k, reason); objectDown.add(k); };
  for (const o of removed) fall(objectKey(o), `${o.kind} ${o.name} is dropped`);
  for (const o of changed) if (!inPlace(o)) fall(objectKey(o), `${o.kind} ${o.name} changes`);
  /** Whether `o` falls with `d`, which is down: a table's changes may each leave this dependent standing. */
  const keep = hooks.keepsDependent;
  const fallsWith = (o: ObjectIR, d: string): boolean => {
    if (!down.has(d)) return false;
    const by = keep && !objectDown.has(d) ? shakenBy.get(d) : undefined;
    return by === undefined || !by.every((c) => keep!(c, o));
  };
  const recreate = new Map<string, string>(); // unchanged object key → reason
  for (let grew = true; grew;) {
    grew = false;
    for (const o of want.values()) {
      const k = objectKey(o);
      if (!live.has(k) || recreate.has(k) || down.has(k)) continue;
      // Views, triggers, indexes and comments are bound to what they name; a function or a
      // type is only when the catalog says so (bodies are resolved when they run).
      const falls = (d: string): boolean => fallsWith(o, d);
      const hit = BOUND.has(o.kind)
        ? [...liveDeps.get(k)!].find(falls) ?? [...wantDeps.get(k)!].find(falls)
        : [...(live.get(k)!.dependsOn ?? []), ...(o.dependsOn ?? [])].find(falls);
      if (hit !== undefined) { const reason = down.get(hit)!; recreate.set(k, reason); fall(k, reason); grew = true; }
    }
  }

  const liveSorted = topological([...live.values()], (o) => liveDeps.get(objectKey(o))!);
  const wantSorted = topological([...want.values()], (o) => wantDeps.get(objectKey(o))!);
  const changedKeys = new Set(changed.map(objectKey));
  const removedKeys = new Set(removed.map(objectKey));

  // Drops, dependents first (reverse dependency order).
  for (const o of [...liveSorted].reverse()) {
    const k = objectKey(o);
    const after = phaseOf(o) === 'after';
    if (removedKeys.has(k)) (after ? result.dropFirst : result.dropAfterTables).push({ kind: 'dropObject', object: o });
    else if (recreate.has(k)) result.dropFirst.push({ kind: 'dropObject', object: o, reason: recreate.get(k)! });
    else if (changedKeys.has(k) && !inPlace(want.get(k)!)) result.dropFirst.push({ kind: 'dropObject', object: o, reason: 'its definition changes' });
  }
  // before-phase objects that are dropped to be recreated go right before their new version.
  const early = result.dropFirst.filter((c) => c.kind === 'dropObject' && phaseOf(c.object) === 'before');
  result.dropFirst.splice(0, result.dropFirst.length, ...result.dropFirst.filter((c) => !early.includes(c)), ...early);

  // Creates, dependencies first.
  const addedKeys = new Set(added.map(objectKey));
  for (const o of wantSorted) {
    const k = objectKey(o);
    const target = phaseOf(o) === 'before' ? result.createBeforeTables : result.createLast;
    if (addedKeys.has(k)) target.push({ kind: 'createObject', object: o });
    else if (recreate.has(k)) target.push({ kind: 'createObject', object: o, reason: recreate.get(k)! }); // dropped above: created anew
    else if (changedKeys.has(k)) {
      target.push(inPlace(o) ? { kind: 'replaceObject', from: live.get(k)!, to: o } : { kind: 'createObject', object: o, reason: 'its definition changes' });
    }
  }
  return result;
}
