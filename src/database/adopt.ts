/**
 * What a TypeScript models module leaves unsaid, kept from the live database (adoption), and
 * what a SQL file states that Evolve does not create — both reported by name.
 */
import { describeUnmanaged, objectKey, type SchemaIR } from '../ir/schema.js';
import { objectLabel } from '../diff/changes.js';
import { nameIndex, objectDependencies } from '../diff/objects.js';

/**
 * What a models module cannot say yet — objects beyond tables (views, triggers, …), CHECK
 * constraints, table options, MySQL ON UPDATE and PostgreSQL identity GENERATED ALWAYS — or
 * leaves unsaid — a column's collation, where it has no `.collation()` — is not managed by
 * it: the live database's own are kept as they are (adopted into the desired schema), and
 * reported. A SQL file says everything, so
 * nothing is adopted for one. Two exceptions, reported in `dropped`: a live object that reads
 * a table the models drop (a view, a trigger — transitively) goes with the table, and a live
 * object whose name the models give to something of their own (an index the DSL cannot
 * express, `name DESC` or a prefix index, under the name of a model's index; a view under a
 * model table's name) is replaced by it, dropped before the new one is created.
 */
export function adoptUnmodelled(models: SchemaIR, live: SchemaIR): { schema: SchemaIR; adopted: string[]; dropped: string[] } {
  // Partitions of the models' tables (which a models module cannot state) are kept, like their parents' partitioning.
  const partitions = livePartitions(models, live);
  const desired = partitions.length ? { ...models, tables: [...models.tables, ...partitions] } : models;
  const tables = new Map(desired.tables.map((t) => [t.name, t]));
  const aka = new Map<string, string>(); // live name → target name
  for (const t of desired.tables) for (const a of t.aka ?? []) aka.set(a, t.name);
  const liveTables = new Map(live.tables.map((t) => [t.name, t]));
  const adopted: string[] = partitions.map((t) => `partition ${t.name} of table ${t.options!.partition_of}`);
  const dropped: string[] = [];
  // What the models say themselves (PostgreSQL: the extra schemas their tables live in) stays.
  const own = new Set((desired.objects ?? []).map(objectKey));
  // An object on a (materialized) view — an index, a trigger, a comment — goes with the view (kept where it is, or stated).
  const views = new Set([...(live.objects ?? []), ...(desired.objects ?? [])]
    .filter((o) => o.kind === 'view' || o.kind === 'materializedView').map((o) => o.name));
  const candidates = (live.objects ?? []).filter((o) => !own.has(objectKey(o))
    && (o.table === null || tables.has(o.table) || aka.has(o.table) || (views.has(o.table) && !liveTables.has(o.table))));
  // Whether the models declare an index or unique constraint named `name` on (target) table `table`.
  const declares = (table: string, name: string): boolean => {
    const t = tables.get(table);
    return t !== undefined && (t.indexes.some((i) => i.name === name) || t.uniques.some((u) => u.name === name));
  };
  const bare = (name: string): string => name.slice(name.lastIndexOf('.') + 1);
  const gone = new Map<string, string>(); // key → why it goes
  for (const t of live.tables) if (!tables.has(t.name) && !aka.has(t.name)) gone.set(`table:${t.name}`, `reads table ${t.name}, which the models drop`);
  for (const o of candidates) {
    const target = o.table === null ? null : tables.has(o.table) ? o.table : aka.get(o.table)!;
    if (o.kind === 'index' && target !== null && declares(target, bare(o.name))) {
      gone.set(objectKey(o), `the models declare an index ${bare(o.name)} on table ${target}: replaced by it`);
    } else if ((o.kind === 'view' || o.kind === 'materializedView') && tables.has(o.name) && !liveTables.has(o.name)) {
      gone.set(objectKey(o), `the models declare a table ${o.name}: replaced by it`);
    }
  }
  if (gone.size > 0) {
    // Dependents of what goes, transitively: views and triggers by what they name; functions
    // and types only where the catalog says so (bodies are resolved when they run).
    const names = nameIndex(live);
    const deps = new Map(candidates.map((o) => [objectKey(o), ['function', 'aggregate', 'collation', 'enum', 'composite', 'domain', 'sequence'].includes(o.kind)
      ? new Set(o.dependsOn ?? []) : objectDependencies(live, o, names)]));
    for (let grew = true; grew;) {
      grew = false;
      for (const o of candidates) {
        const k = objectKey(o);
        if (gone.has(k)) continue;
        const hit = [...deps.get(k)!].find((x) => gone.has(x));
        if (hit === undefined) continue;
        gone.set(k, hit.startsWith('table:') ? gone.get(hit)! : `depends on ${hit.replace(':', ' ')}, which goes`);
        grew = true;
      }
    }
  }
  const kept = candidates.filter((o) => !gone.has(objectKey(o)));
  for (const o of candidates) if (gone.has(objectKey(o))) dropped.push(`${objectLabel(o)} (${gone.get(objectKey(o))}: dropped)`);
  // A live extra schema the models do not use is kept, and not worth a note.
  for (const o of kept) if (o.kind !== 'schema') adopted.push(objectLabel(o));
  const objects = [...(desired.objects ?? []), ...kept];
  const out: SchemaIR = {
    ...desired,
    tables: desired.tables.map((t) => {
      const l = liveTables.get(t.name) ?? (t.aka ?? []).map((a) => liveTables.get(a)).find((x) => x !== undefined);
      if (!l) return t;
      // Column attributes the DSL cannot state (a MySQL ON UPDATE, identity ALWAYS) or that a
      // column leaves unsaid (a collation: `.collation()` states one).
      const special = specialColumns(l);
      const columns = special.length === 0 ? t.columns : t.columns.map((c) => {
        const lc = special.find((x) => x.name === c.name) ?? special.find((x) => c.aka?.includes(x.name));
        if (!lc) return c;
        const always = lc.identity === 'always' && c.autoIncrement && !c.identity;
        if (always) adopted.push(`identity generated always of column ${t.name}.${c.name}`);
        const onUpdate = lc.onUpdate && !c.onUpdate ? lc.onUpdate : null;
        if (onUpdate) adopted.push(`on update ${onUpdate} of column ${t.name}.${c.name}`);
        const collation = lc.collation && !c.collation ? lc.collation : null;
        if (collation) adopted.push(`collation ${collation} of column ${t.name}.${c.name}`);
        if (!always && !onUpdate && !collation) return c;
        return {
          ...c, ...(always ? { identity: 'always' as const } : {}), ...(onUpdate ? { onUpdate } : {}), ...(collation ? { collation } : {}),
        };
      });
      // (Nothing adopted: the models' own table, not a copy, so what is known of it stays known:
      // its canonical text, for one, when the models schema was kept: ir/canonical-text.ts.)
      const liveChecks = (l.checks?.length ?? 0) > 0;
      const liveOptions = l.options !== undefined && l.options !== null && Object.keys(l.options).length > 0;
      if ((t.checks?.length ?? 0) > 0 || Object.keys(t.options ?? {}).length > 0 || (!liveChecks && !liveOptions)) {
        return columns === t.columns ? t : { ...t, columns };
      }
      for (const c of l.checks ?? []) adopted.push(`check (${c.expression}) on table ${t.name}`);
      for (const [k, v] of Object.entries(l.options ?? {})) adopted.push(`option ${k}=${v} of table ${t.name}`);
      return {
        ...t, columns, ...(l.checks?.length ? { checks: l.checks } : {}), ...(l.options && Object.keys(l.options).length ? { options: l.options } : {}),
      };
    }),
    ...(objects.length ? { objects } : {}),
  };
  return { schema: out, adopted, dropped };
}

/** The columns of `t` with attributes the DSL cannot state or a column leaves unsaid (see adoptUnmodelled). */
function specialColumns(t: SchemaIR['tables'][number]): SchemaIR['tables'][number]['columns'][number][] {
  // (An indexed loop, no callback: a command runs this once per table, in V8's interpreter.)
  const out: SchemaIR['tables'][number]['columns'][number][] = [];
  const columns = t.columns;
  for (let k = 0; k < columns.length; k++) {
    const x = columns[k]!;
    if (x.onUpdate || x.collation || x.identity === 'always') out.push(x);
  }
  return out;
}

/**
 * The live partitions (tables whose options name a `partition_of` parent) of the models'
 * tables, and of those partitions, transitively, that the models do not name themselves.
 */
function livePartitions(models: SchemaIR, live: SchemaIR): SchemaIR['tables'][number][] {
  const named = new Set(models.tables.flatMap((t) => [t.name, ...(t.aka ?? [])]));
  const out: SchemaIR['tables'][number][] = [];
  const kept = new Set(models.tables.map((t) => t.name));
  for (let grew = true; grew;) {
    grew = false;
    for (const t of live.tables) {
      const parent = t.options?.partition_of;
      if (!parent || named.has(t.name) || kept.has(t.name) || !kept.has(parent)) continue;
      out.push(t);
      kept.add(t.name);
      grew = true;
    }
  }
  return out;
}

/**
 * What a SQL file states that Evolve does not manage and the live database lacks (an FTS5
 * virtual table, a policy, a procedure, a table's partitioning): such things are never created,
 * so each is reported — `virtual table search (in the SQL file; Evolve does not create it)` —
 * rather than letting a plan claim the database now matches the file. What both sides have
 * is already reported as the live database's.
 */
export function unmanagedOnlyInFile(file: SchemaIR, live: SchemaIR): string[] {
  const have = new Set((live.unmanaged ?? []).map(describeUnmanaged));
  return (file.unmanaged ?? []).map(describeUnmanaged).filter((u) => !have.has(u))
    .map((u) => `${u} (in the SQL file; Evolve does not create it)`);
}
