/**
 * Drizzle ORM tables as Evolve's models (issue 18 point 4): each `pgTable`, `mysqlTable` or
 * `sqliteTable` becomes the `table()` a person would write for it — columns, primary keys,
 * unique constraints, indexes, foreign keys and checks, under the names drizzle-kit gives them —
 * and each `pgEnum` an `enumType()`, so a Drizzle schema goes the one way every models module
 * goes (compile, normalise, compare). Drizzle's own reader of a table (`getTableConfig` of
 * `drizzle-orm/pg-core`, `mysql-core` or `sqlite-core`) is imported only here, and this file only
 * when a module holds a Drizzle table: Evolve never needs drizzle-orm otherwise.
 */
import { createRequire } from 'node:module';
import { EvolveError, ErrorCode } from '../../errors.js';
import { table, index, uniqueIndex, check, type Table, type TableOptions, type IndexBuilder, type ForeignKeyDefinition } from '../table.js';
import type { ReferentialAction } from '../../ir/schema.js';
import { enumType, type ModelObject } from '../objects.js';
import type { ColumnBuilder } from '../column.js';
import {
  drizzleTableKind, isDrizzlePgEnum, isDrizzleTable, isDrizzleView, type DrizzleModelsOptions, type DrizzlePgEnum, type DrizzleTableKind,
} from './detect.js';
import { convertColumn, isEnumColumn, unsupported, type DrizzleColumn } from './columns.js';
import { asSql, isDrizzleSql, drizzleSqlText } from './sql-text.js';

/** The Evolve dialects a Drizzle table kind's schema is for. */
export const DRIZZLE_DIALECTS: Readonly<Record<DrizzleTableKind, readonly string[]>> = {
  PgTable: ['postgres'], MySqlTable: ['mysql', 'galera'], SQLiteTable: ['sqlite'],
};
const CORE: Readonly<Record<DrizzleTableKind, string>> = { PgTable: 'pg-core', MySqlTable: 'mysql-core', SQLiteTable: 'sqlite-core' };
const NAME = Symbol.for('drizzle:Name');
const SCHEMA = Symbol.for('drizzle:Schema');

/** What `getTableConfig` gives (the parts Evolve reads). */
interface TableConfig {
  readonly name: string;
  readonly schema?: string;
  readonly columns: readonly DrizzleColumn[];
  readonly indexes: readonly { readonly config: IndexConfig }[];
  readonly foreignKeys: readonly ForeignKey[];
  readonly checks: readonly { readonly name: string; readonly value: unknown }[];
  readonly primaryKeys: readonly { readonly columns: readonly DrizzleColumn[] }[];
  readonly uniqueConstraints: readonly { readonly columns: readonly DrizzleColumn[]; readonly nullsNotDistinct?: boolean; getName(): string }[];
  readonly policies?: readonly unknown[];
  readonly enableRLS?: boolean;
}
interface IndexConfig {
  readonly name?: string; readonly columns: readonly unknown[]; readonly unique: boolean; readonly where?: unknown;
  readonly method?: string; readonly using?: unknown; readonly with?: Record<string, unknown>;
}
interface ForeignKey {
  readonly onDelete?: ReferentialAction; readonly onUpdate?: ReferentialAction; getName(): string;
  reference(): { readonly columns: readonly DrizzleColumn[]; readonly foreignColumns: readonly (DrizzleColumn & { readonly table: unknown })[] };
}

/** What a Drizzle schema converts to: the models, and the dialects they are for. */
export interface DrizzleConversion {
  readonly tables: readonly Table[];
  readonly objects: readonly ModelObject[];
  readonly dialects: readonly string[];
}

/** Drizzle's `getTableConfig` for `kind`: from the copy of drizzle-orm the models module sees, else from Evolve's. */
async function tableConfigReader(kind: DrizzleTableKind, from: string | null): Promise<(t: unknown) => TableConfig> {
  const spec = `drizzle-orm/${CORE[kind]}`;
  let failure: unknown;
  for (const load of [() => (from ? createRequire(from)(spec) as unknown : undefined), () => import(spec) as Promise<unknown>]) {
    try {
      const core = await load() as { getTableConfig?: (t: unknown) => TableConfig } | undefined;
      if (typeof core?.getTableConfig === 'function') return core.getTableConfig;
    } catch (e) { failure = e; }
  }
  throw new EvolveError(ErrorCode.ModelsLoad, `The models hold Drizzle tables, but ${spec} could not be loaded.`, {
    hint: 'Install drizzle-orm where the models module is (npm install drizzle-orm): Evolve reads Drizzle tables with it.',
    cause: failure, details: { module: spec },
  });
}

/** A Drizzle table's name in the models: `schema.name` for a `pgSchema()` table. */
function qualified(t: unknown): string {
  const r = t as Record<symbol, string | undefined>;
  return r[SCHEMA] ? `${r[SCHEMA]}.${r[NAME]}` : String(r[NAME]);
}

const EVOLVE_VIEW_HINT = 'Leave the view out of the Drizzle schema given to Evolve and state it as Evolve\'s view(name, sql`SELECT …`) '
  + 'in the models module beside it (Evolve compares a view by the database\'s own text of it).';

/** The kind shared by every table, refusing a mix and a dialect Evolve does not convert. */
function kindOf(tables: readonly unknown[]): DrizzleTableKind {
  const kinds = new Set<DrizzleTableKind>();
  for (const t of tables) {
    const k = drizzleTableKind(t);
    if (!k) {
      throw unsupported(`table '${qualified(t)}'`, 'a table of a dialect other than PostgreSQL, MySQL and SQLite',
        'Give Evolve pgTable, mysqlTable or sqliteTable tables.', { table: qualified(t) });
    }
    kinds.add(k);
  }
  if (kinds.size > 1) {
    throw new EvolveError(ErrorCode.ModelInvalid, `The Drizzle schema mixes tables of several dialects (${[...kinds].join(', ')}).`, {
      hint: 'Give Evolve one dialect\'s tables per models module (a schema per database).', details: { kinds: [...kinds] },
    });
  }
  return [...kinds][0]!;
}

/** Former names as a list. */
const formerNames = (v: string | readonly string[]): string[] => (typeof v === 'string' ? [v] : [...v]);

/** A Drizzle index as a DSL index, or a refusal for what the DSL cannot state. */
function convertIndex(kind: DrizzleTableKind, tname: string, cfg: IndexConfig): IndexBuilder {
  const where = `index '${cfg.name ?? '(unnamed)'}' of table '${tname}'`;
  const parts = cfg.columns.map((c) => {
    if (isDrizzleSql(c)) return asSql(drizzleSqlText(kind, c, where));
    const ic = (c as { indexConfig?: { order?: string; nulls?: string; opClass?: string } }).indexConfig;
    if (ic && (ic.order === 'desc' || ic.nulls === 'first' || ic.opClass)) {
      throw unsupported(where, 'a column in DESC order, with NULLS FIRST or an operator class',
        'Write the index with the column in ascending order, or state it as an expression: index(…).on(sql`…`).', { index: cfg.name });
    }
    return (c as { name: string }).name;
  });
  if (cfg.with && Object.keys(cfg.with).length > 0) {
    throw unsupported(where, 'storage parameters (.with())', 'Leave .with() out.', { index: cfg.name });
  }
  const method = typeof cfg.method === 'string' ? cfg.method : typeof cfg.using === 'string' ? cfg.using : null;
  const columns = parts.filter((p): p is string => typeof p === 'string');
  // drizzle-kit's name for an index without one.
  const name = cfg.name ?? (columns.length === parts.length ? `${tname}_${columns.join('_')}_index` : undefined);
  const b = index(name, method && method !== 'btree' ? { using: method } : {}).on(...parts);
  if (cfg.unique) b.unique();
  if (cfg.where !== undefined) b.where(asSql(drizzleSqlText(kind, cfg.where, `${where} (where)`)));
  return b;
}

/** A Drizzle foreign key as a DSL foreign key. */
function convertForeignKey(fk: ForeignKey): ForeignKeyDefinition {
  const ref = fk.reference();
  const targets = ref.foreignColumns.map((c) => ({ tableName: qualified(c.table), columnName: c.name }));
  return {
    name: fk.getName(), columns: ref.columns.map((c) => c.name), references: () => targets,
    onDelete: fk.onDelete ?? 'no action', onUpdate: fk.onUpdate ?? 'no action',
  };
}

/** The primary key: `single` the one column holding it alone, `composite` the columns of a table-level one. */
function primaryKeyOf(tname: string, cfg: TableConfig): { single: string | null; composite: string[] | undefined } {
  const onColumns = cfg.columns.filter((c) => c.primary).map((c) => c.name);
  const table = cfg.primaryKeys.map((p) => p.columns.map((c) => c.name));
  if (table.length > 1 || (table.length && onColumns.length)) {
    throw new EvolveError(ErrorCode.ModelInvalid, `Drizzle table '${tname}' declares more than one primary key.`, {
      hint: 'Declare it once: .primaryKey() on one column, or primaryKey({ columns: [...] }).', details: { table: tname },
    });
  }
  const cols = table[0] ?? onColumns;
  return cols.length === 1 ? { single: cols[0]!, composite: undefined } : { single: null, composite: cols.length ? cols : undefined };
}

/** One Drizzle table as a model; `aka` the former names given, consumed as they are used. */
function convertTable(kind: DrizzleTableKind, read: (t: unknown) => TableConfig, t: unknown, aka: Map<string, string[]>): Table {
  const cfg = read(t);
  const tname = cfg.schema ? `${cfg.schema}.${cfg.name}` : cfg.name;
  if (cfg.schema && kind !== 'PgTable') {
    throw unsupported(`table '${tname}'`, 'a table in another database (mysqlSchema)', 'Give Evolve the tables of the database it evolves.');
  }
  if (cfg.enableRLS || (cfg.policies?.length ?? 0) > 0) {
    throw unsupported(`table '${tname}'`, 'row level security or policies', 'Leave policies and .enableRLS() out of the schema given to Evolve.',
      { table: tname });
  }
  const pk = primaryKeyOf(tname, cfg);
  const builders: Record<string, ColumnBuilder> = {};
  const unique: { name?: string; columns: string[] }[] = [];
  for (const c of cfg.columns) {
    const b = convertColumn(kind, tname, c, c.name === pk.single);
    const former = aka.get(`${tname}.${c.name}`);
    if (former) { b.aka(...former); aka.delete(`${tname}.${c.name}`); }
    builders[c.name] = b;
    if (c.isUnique) unique.push({ ...(c.uniqueName ? { name: c.uniqueName } : {}), columns: [c.name] });
  }
  for (const u of cfg.uniqueConstraints) {
    if (u.nullsNotDistinct) {
      throw unsupported(`unique constraint '${u.getName()}' of table '${tname}'`, 'NULLS NOT DISTINCT', 'Leave .nullsNotDistinct() out.');
    }
    unique.push({ name: u.getName(), columns: u.columns.map((c) => c.name) });
  }
  const checks = cfg.checks.map((c) => check(c.name, asSql(drizzleSqlText(kind, c.value, `check '${c.name}' of table '${tname}'`))));
  const tableAka = aka.get(tname);
  aka.delete(tname);
  const indexes = cfg.indexes.map((i) => convertIndex(kind, tname, i.config));
  // drizzle-kit makes a SQLite unique constraint a unique index of that name (CREATE UNIQUE INDEX).
  if (kind === 'SQLiteTable') indexes.unshift(...unique.splice(0).map((u) => uniqueIndex(u.name).on(...u.columns)));
  return table(tname, builders, {
    ...(tableAka ? { aka: tableAka } : {}), ...(pk.composite ? { primaryKey: pk.composite } : {}),
    ...(unique.length ? { unique } : {}), ...(indexes.length ? { indexes } : {}),
    ...(cfg.foreignKeys.length ? { foreignKeys: cfg.foreignKeys.map(convertForeignKey) } : {}), ...(checks.length ? { checks } : {}),
  });
}

/** The enum types: those exported, and those a column uses, once each. */
function enumsOf(values: readonly unknown[], configs: readonly TableConfig[], options: DrizzleModelsOptions): ModelObject[] {
  const found = new Map<string, DrizzlePgEnum>();
  const add = (e: DrizzlePgEnum): void => { found.set(e.schema ? `${e.schema}.${e.enumName}` : e.enumName, e); };
  values.filter(isDrizzlePgEnum).forEach(add);
  for (const c of configs.flatMap((x) => x.columns)) if (isEnumColumn(c)) add({ enumValues: [], ...c.enum });
  const enumAka = { ...options.enumAka };
  const out = [...found].map(([name, e]) => {
    const a = enumAka[name];
    delete enumAka[name];
    return enumType(name, e.enumValues, a ? { aka: Object.fromEntries(Object.entries(a).map(([k, v]) => [k, formerNames(v)])) } : {});
  });
  const left = Object.keys(enumAka);
  if (left.length) {
    throw new EvolveError(ErrorCode.ModelInvalid, `drizzleModels(): enumAka names '${left[0]}', which is no enum of the Drizzle schema.`, {
      hint: `Key enumAka by a pgEnum's name: one of ${[...found.keys()].join(', ') || '(none)'}.`, details: { enum: left[0] },
    });
  }
  return out;
}

/**
 * The Drizzle values among `values` (tables, `pgEnum`s) as Evolve's models; `options` the
 * renames declared beside them; `from` the models module's path (Drizzle is loaded as it sees it).
 * @throws EvolveError `E_UNSUPPORTED` for what Evolve's models cannot state (naming it and the fix),
 *   `E_MODEL_INVALID` for an `aka` naming no table or column, `E_MODELS_LOAD` when drizzle-orm does not load.
 */
export async function convertDrizzle(values: readonly unknown[], options: DrizzleModelsOptions, from: string | null): Promise<DrizzleConversion> {
  const view = values.find(isDrizzleView);
  if (view) {
    const name = ((view as Record<symbol, { name?: string } | undefined>)[Symbol.for('drizzle:ViewBaseConfig')])?.name ?? '';
    throw unsupported(`view '${name}'`, 'a Drizzle view', EVOLVE_VIEW_HINT, { view: name });
  }
  const tables = [...new Set(values.filter(isDrizzleTable))];
  if (tables.length === 0) return { tables: [], objects: [], dialects: [] };
  const kind = kindOf(tables);
  const read = await tableConfigReader(kind, from);
  const aka = new Map(Object.entries(options.aka ?? {}).map(([k, v]) => [k, formerNames(v)] as const));
  const converted = tables.map((t) => convertTable(kind, read, t, aka));
  const left = [...aka.keys()];
  if (left.length) {
    throw new EvolveError(ErrorCode.ModelInvalid, `drizzleModels(): aka names '${left[0]}', which is no table or column of the Drizzle schema.`, {
      hint: "Key aka by the names in the database: 'table' or 'table.column' (a pgSchema table: 'schema.table').", details: { aka: left[0] },
    });
  }
  const objects = enumsOf(values, tables.map(read), options);
  return { tables: converted, objects, dialects: DRIZZLE_DIALECTS[kind] };
}
