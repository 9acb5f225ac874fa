/**
 * A pulled schema as TypeScript: one models module, or one module per table, one of the objects
 * beyond tables (`objects.ts`) and an index re-exporting them. What the DSL cannot state is
 * listed by name (and written as comments in the module), never silently left out.
 */
import { objectKey, objectPhase, type ColumnType, type ObjectIR, type SchemaIR, type TableIR } from '../ir/schema.js';
import { nameIndex, objectDependencies } from '../diff/objects.js';
import { objectLabel } from '../diff/changes.js';
import { emitTable, type EmitContext } from './emit-table.js';
import {
  COMMENTED_KINDS, emitIndexObject, emitObjectModel, enumColumns, isTableComment, objectExportName, tableComments, type EmittedObject,
  type ObjectExtras, type TableComments,
} from './emit-objects.js';
import { exportNames, fileNames } from './identifiers.js';
import { foreignKeyCycles } from './cycles.js';

/** The DSL functions the emitted code may import, in the order the import line lists them. */
const DSL_NAMES = [
  'ColumnRef', 'table', 'index', 'check', 'integer', 'bigint', 'real', 'decimal', 'text', 'varchar', 'boolean', 'date', 'timestamp', 'json', 'bytes',
  'uuid', 'smallint', 'time', 'char', 'jsonb', 'inet', 'cidr', 'citext', 'tsvector', 'interval', 'array', 'tinyint', 'mediumint', 'unsignedInt',
  'mediumtext', 'longtext', 'datetime', 'mysqlEnum', 'mysqlSet', 'rawType', 'sql', 'enumType', 'sequence', 'sqlFunction', 'view',
  'materializedView', 'trigger', 'domain', 'sqlAggregate', 'extension', 'compositeType', 'exclusion',
] as const;

/** What the database's dialect allows that the emitted models use (its capabilities of the same names). */
export interface EmitOptions {
  /** Index names are the table's (MySQL/MariaDB): two tables' indexes may share one. */
  readonly indexNamesPerTable?: boolean;
  /** An auto-increment column may lead a composite primary key (MySQL/MariaDB): `.autoIncrement()`. */
  readonly autoIncrementLeadingKey?: boolean;
  /** Any integer column may auto-increment (PostgreSQL): `.autoIncrement()` outside the primary key too. */
  readonly autoIncrementAnyColumn?: boolean;
  /**
   * The dialect's spelling of a column type, where a column spelled so takes any default the
   * database takes (MySQL/MariaDB, capability `nativeTypeDefaults`): a default the DSL refuses for
   * the column's type (`tinyint(1) DEFAULT 2`, read as boolean) is then stated on that spelling
   * (`rawType('tinyint(1)').default(2)`) instead of listed.
   */
  readonly nativeType?: (t: ColumnType) => string;
}

/** One file of emitted code: its path relative to the output (`models.ts`, `employee.ts`, `index.ts`). */
export interface EmittedFile { readonly path: string; readonly text: string }

/** The emitted modules and what they could not state. */
export interface EmittedModels {
  readonly files: readonly EmittedFile[];
  /** What the models DSL cannot state, by name (`view active_staff`, `check film.film_length_ck`). */
  readonly notExpressible: readonly string[];
  /** Those of them that `apply` does not adopt: applying the models to the pulled database would change them. */
  readonly notAdopted: readonly string[];
}

/** What the emitters list, as they list it. */
interface Missing { all: string[]; notAdopted: string[] }

/**
 * An object beyond tables the DSL cannot state: listed — except a PostgreSQL schema holding
 * pulled tables, which the tables' names (`billing.invoice`) state, and what the module states.
 */
export function emitObject(ctx: EmitContext, o: ObjectIR, tableSchemas: ReadonlySet<string>, stated: ReadonlySet<ObjectIR>): string | null {
  if ((o.kind === 'schema' && tableSchemas.has(o.name)) || stated.has(o)) return null;
  const label = objectLabel(o);
  ctx.missing(label, true);
  return `//   ${label}`;
}

/** What every module of one pull shares: export names, cycles, what is listed, index names taken, enums and comments stated. */
interface Shared {
  exports: ReadonlyMap<string, string>; cycles: ReadonlyMap<string, number>; missing: Missing; indexNames: Set<string>; perTableIndexNames: boolean;
  autoIncrementLeadingKey: boolean; autoIncrementAnyColumn: boolean; nativeType: ((t: ColumnType) => string) | undefined;
  enums: ReadonlyMap<string, string>; comments: ReadonlyMap<string, TableComments>; stated: ReadonlySet<ObjectIR>;
  indexObjects: ReadonlyMap<string, readonly ObjectIR[]>;
}

function context({
  exports, cycles, missing, indexNames, perTableIndexNames, autoIncrementLeadingKey, autoIncrementAnyColumn, nativeType, enums, comments, indexObjects,
}: Shared): EmitContext & { used: Set<string> } {
  const used = new Set<string>();
  return {
    used, autoIncrementLeadingKey, autoIncrementAnyColumn, nativeType, exportOf: (t) => exports.get(t), use: (n) => used.add(n),
    missing: (w, adopted) => { missing.all.push(w); if (!adopted) missing.notAdopted.push(w); },
    claimIndex: (t, n) => {
      // MySQL/MariaDB name indexes per table; SQLite and PostgreSQL in the schema (as the DSL checks them).
      const k = perTableIndexNames ? `${t}\0${n.toLowerCase()}` : n.toLowerCase();
      return !indexNames.has(k) && !!indexNames.add(k);
    },
    inCycle: (from, to) => cycles.has(from) && cycles.get(from) === cycles.get(to),
    enumOf: (sql) => enums.get(sql), commentsOf: (t) => comments.get(t),
    indexObjectsOf: (t) => (indexObjects.get(t) ?? []).map((o) => emitIndexObject({ use: (n) => used.add(n), exportOf: (x) => exports.get(x) }, o)!),
  };
}

/**
 * The objects the DSL states, with export names none of the tables' or the DSL's; in the order
 * the schema lists them. None when an object created before the tables (a collation, a range
 * type) is not stated (null): models holding objects are read back by creating them with the
 * tables in a scratch database, where the tables' columns could not find it; all are listed instead.
 */
function statedObjects(schema: SchemaIR, exports: ReadonlyMap<string, string>, tableSchemas: ReadonlySet<string>): EmittedObject[] | null {
  const taken = new Set<string>([...DSL_NAMES, ...exports.values()]);
  const ctx = { use: (): void => undefined, exportOf: (t: string) => exports.get(t) };
  const out: EmittedObject[] = [];
  for (const o of schema.objects ?? []) {
    const code = emitObjectModel(ctx, o);
    const before = objectPhase(o.kind) === 'before';
    if (code === null && before && !(o.kind === 'schema' && tableSchemas.has(o.name))) return null;
    if (code !== null) out.push({ object: o, name: objectExportName(o, taken), before, code });
  }
  return dependencyOrder(schema, withoutUnstatedDependencies(schema, out));
}

/** Leave out (to be listed) the objects that read an object not stated (a view reading a view the DSL cannot state), transitively. */
function withoutUnstatedDependencies(schema: SchemaIR, objects: readonly EmittedObject[]): EmittedObject[] {
  const names = nameIndex(schema);
  const all = new Set((schema.objects ?? []).map(objectKey));
  let kept = [...objects];
  for (let changed = true; changed;) {
    const stated = new Set(kept.map((o) => objectKey(o.object)));
    const next = kept.filter((o) => [...objectDependencies(schema, o.object, names)].every((d) => !all.has(d) || stated.has(d) || d === objectKey(o.object)));
    changed = next.length !== kept.length;
    kept = next;
  }
  return kept;
}

/** The objects, each after those it depends on (a view reading another view): the models create them in the order they are listed. */
function dependencyOrder(schema: SchemaIR, objects: readonly EmittedObject[]): EmittedObject[] {
  const names = nameIndex(schema);
  const byKey = new Map(objects.map((o) => [objectKey(o.object), o]));
  const out: EmittedObject[] = [];
  const seen = new Set<string>();
  const visit = (o: EmittedObject): void => {
    const k = objectKey(o.object);
    if (seen.has(k)) return;
    seen.add(k);
    for (const d of [...objectDependencies(schema, o.object, names)].sort()) { const dep = byKey.get(d); if (dep) visit(dep); }
    out.push(o);
  };
  objects.forEach(visit);
  return out;
}

const schemasOf = (tables: readonly TableIR[]): Set<string> =>
  new Set(tables.flatMap((t) => (t.name.includes('.') ? [t.name.slice(0, t.name.indexOf('.'))] : [])));

/**
 * The stated objects with what their options state (comments on them, a materialized view's indexes), and the
 * comment and index objects so stated.
 */
function withExtras(schema: SchemaIR, objects: readonly EmittedObject[]): { objects: EmittedObject[]; stated: ObjectIR[] } {
  const byKey = new Map(objects.map((o) => [objectKey(o.object), o]));
  const extras = new Map<string, { comment?: string; indexes: string[] }>();
  const entry = (k: string): { comment?: string; indexes: string[] } => extras.get(k) ?? extras.set(k, { indexes: [] }).get(k)!;
  const stated: ObjectIR[] = [];
  for (const o of schema.objects ?? []) {
    const owner = o.dependsOn?.length === 1 ? byKey.get(o.dependsOn[0]!) : undefined;
    if (!owner) continue;
    if (o.kind === 'comment' && COMMENTED_KINDS.has(owner.object.kind)) {
      entry(objectKey(owner.object)).comment = o.definition;
      stated.push(o);
    } else if (o.kind === 'index' && owner.object.kind === 'materializedView' && o.table === owner.object.name) {
      const code = emitIndexObject({ use: () => undefined, exportOf: (t) => (t === owner.object.name ? owner.name : undefined) }, o);
      if (code === null) continue;
      entry(objectKey(owner.object)).indexes.push(code);
      stated.push(o);
    }
  }
  const out = objects.map((o) => {
    const x = extras.get(objectKey(o.object));
    if (!x) return o;
    const e: ObjectExtras = { ...(x.comment !== undefined ? { comment: x.comment } : {}), ...(x.indexes.length ? { indexes: x.indexes } : {}) };
    return { ...o, extras: e };
  });
  return { objects: out, stated };
}

/** The objects' `export const …` lines (noting the DSL names they use), those created before the tables or after them. */
function objectLines(ctx: EmitContext, objects: readonly EmittedObject[], before: boolean): string {
  const mine = objects.filter((o) => o.before === before);
  const lines = mine.map((o) => `export const ${o.name} = ${emitObjectModel(ctx, o.object, o.extras)!};\n`);
  return lines.length ? `${lines.join('')}` : '';
}

const tableImports = (tables: readonly string[], exports: ReadonlyMap<string, string>, files: ReadonlyMap<string, string>): string =>
  tables.map((r) => `import { ${exports.get(r)} } from './${files.get(r)}.js';\n`).join('');

const importLine = (used: ReadonlySet<string>): string =>
  `import { ${DSL_NAMES.filter((n) => used.has(n)).map((n) => (n === 'ColumnRef' ? 'type ColumnRef' : n)).join(', ')} } from 'evolve';\n`;

const HEADER = (dialect: string): string =>
  `// Models pulled from a ${dialect} database by \`evolve pull\`. Edit freely: this is now the schema's source.\n`;

/** The objects' comment block (`// Not expressible in the models yet …`), or '' when there are none. */
function objectsBlock(ctx: EmitContext, schema: SchemaIR, stated: ReadonlySet<ObjectIR>): string {
  const schemas = schemasOf(schema.tables);
  const lines = (schema.objects ?? []).map((o) => emitObject(ctx, o, schemas, stated)).filter((l): l is string => l !== null);
  if (lines.length === 0) return '';
  return '// Not expressible in the models yet, kept by the database as they are (evolve adopts them):\n' + `${lines.join('\n')}\n`;
}

/**
 * Emit `schema` as models. `mode` `file`: one module at `file`; `dir`: one module per table
 * and `index.ts` re-exporting them all (the models module to point `--models` at).
 */
export function emitModels(schema: SchemaIR, mode: { kind: 'file'; file: string } | { kind: 'dir' }, options: EmitOptions = {}): EmittedModels {
  // A table without columns (PostgreSQL has them) is no model: listed, like everything else the DSL cannot state.
  const empty = schema.tables.filter((t) => t.columns.length === 0).map((t) => `table ${t.name}, which has no columns`);
  const tables: TableIR[] = schema.tables.filter((t) => t.columns.length > 0);
  const exports = exportNames(tables.map((t) => t.name), new Set(DSL_NAMES));
  const missing: Missing = { all: [...empty], notAdopted: [...empty] };
  const bare = statedObjects(schema, exports, schemasOf(tables));
  const extras = bare === null ? null : withExtras(schema, bare);
  const found = extras === null ? null : extras.objects;
  const objects = found ?? [];
  const comments = found === null ? new Map<string, TableComments>() : tableComments(schema.objects ?? [], (t) => exports.has(t));
  const indexObjects = new Map<string, ObjectIR[]>();
  const probe = { use: (): void => undefined, exportOf: (t: string) => exports.get(t) };
  for (const o of found === null ? [] : schema.objects ?? []) {
    if (o.table !== null && emitIndexObject(probe, o) !== null) indexObjects.set(o.table, [...(indexObjects.get(o.table) ?? []), o]);
  }
  const stated = new Set([
    ...objects.map((o) => o.object), ...(extras?.stated ?? []), ...(schema.objects ?? []).filter((o) => isTableComment(o, comments)),
    ...[...indexObjects.values()].flat(),
  ]);
  const shared: Shared = {
    exports, cycles: foreignKeyCycles(tables), missing, indexNames: new Set(), perTableIndexNames: options.indexNamesPerTable === true,
    autoIncrementLeadingKey: options.autoIncrementLeadingKey === true, autoIncrementAnyColumn: options.autoIncrementAnyColumn === true,
    nativeType: options.nativeType, enums: new Map(), comments, stated, indexObjects,
  };
  const result = (files: EmittedFile[]): EmittedModels => ({ files, notExpressible: missing.all, notAdopted: missing.notAdopted });
  if (mode.kind === 'file') {
    const ctx = context({ ...shared, enums: enumColumns(objects) });
    const listed = objectsBlock(ctx, schema, stated);
    const before = objectLines(ctx, objects, true);
    const body = tables.map((t) => emitTable(ctx, t)).join('\n');
    const after = objectLines(ctx, objects, false);
    const text = `${HEADER(schema.dialect)}${listed}${importLine(ctx.used)}\n${before ? `${before}\n` : ''}${body}${after ? `\n${after}` : ''}`;
    return result([{ path: mode.file, text }]);
  }
  const files = fileNames(exports);
  const out: EmittedFile[] = [];
  for (const t of tables) {
    const ctx = context(shared);
    const body = emitTable(ctx, t);
    const refs = [...new Set(t.foreignKeys.map((fk) => fk.refTable).filter((r) => r !== t.name && exports.has(r)))].sort();
    out.push({ path: `${files.get(t.name)}.ts`, text: `${importLine(ctx.used)}${tableImports(refs, exports, files)}\n${body}` });
  }
  const ctx = context(shared);
  const listed = objectsBlock(ctx, schema, stated);
  let index = tables.map((t) => `export { ${exports.get(t.name)} } from './${files.get(t.name)}.js';\n`).join('');
  if (objects.length) {
    const taken = new Set([...files.values()].map((f) => f.toLowerCase()));
    let file = 'objects';
    while (taken.has(file)) file = `${file}_`;
    const octx = context(shared);
    const code = `${objectLines(octx, objects, true)}${objectLines(octx, objects, false)}`;
    const onTable = (o: ObjectIR): string[] => ((o.kind === 'trigger' || o.kind === 'exclusion') && o.table !== null ? [o.table] : []);
    const on = [...new Set(objects.flatMap((o) => onTable(o.object)))].sort();
    out.push({ path: `${file}.ts`, text: `${importLine(octx.used)}${tableImports(on, exports, files)}\n${code}` });
    index += `export { ${objects.map((o) => o.name).join(', ')} } from './${file}.js';\n`;
  }
  out.push({ path: 'index.ts', text: `${HEADER(schema.dialect)}${listed}${index}` });
  return result(out);
}
