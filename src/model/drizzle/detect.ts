/**
 * Recognising Drizzle ORM values among a module's exports without loading drizzle-orm: Drizzle
 * marks its tables, enums and views with global symbols (`Symbol.for('drizzle:…')`) and its
 * classes with an `entityKind` string, so a value made by any copy of drizzle-orm is known by
 * them. The wrapper {@link drizzleModels} (declared renames beside a Drizzle schema) lives here
 * too, so a models module can use it without Evolve loading Drizzle's code.
 */
import { EvolveError, ErrorCode } from '../../errors.js';

const IS_TABLE = Symbol.for('drizzle:IsDrizzleTable');
const IS_VIEW = Symbol.for('drizzle:IsDrizzleView');
const IS_PG_ENUM = Symbol.for('drizzle:isPgEnum');
const ENTITY_KIND = Symbol.for('drizzle:entityKind');
const WRAPPER_BRAND = Symbol.for('evolve.drizzle');

/** The Drizzle table kinds Evolve converts, by Drizzle's own class names. */
export type DrizzleTableKind = 'PgTable' | 'MySqlTable' | 'SQLiteTable';
const TABLE_KINDS: readonly DrizzleTableKind[] = ['PgTable', 'MySqlTable', 'SQLiteTable'];

/** The `entityKind` strings of `v`'s class and the classes it extends, nearest first. */
export function entityKinds(v: unknown): string[] {
  if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return [];
  const out: string[] = [];
  let cls = (Object.getPrototypeOf(v) as { constructor?: unknown } | null)?.constructor as object | null | undefined;
  for (; cls && cls !== Object && cls !== Function; cls = Object.getPrototypeOf(cls) as object | null) {
    const k = (cls as Record<symbol, unknown>)[ENTITY_KIND];
    if (typeof k === 'string' && Object.prototype.hasOwnProperty.call(cls, ENTITY_KIND)) out.push(k);
  }
  return out;
}

/** True when `v` is an instance of the Drizzle class whose `entityKind` is `kind` (or of one extending it). */
export const isKind = (v: unknown, kind: string): boolean => entityKinds(v).includes(kind);

/** True when `v` is a Drizzle table (any dialect, any copy of drizzle-orm). */
export function isDrizzleTable(v: unknown): boolean {
  return typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[IS_TABLE] === true;
}

/** The kind of a Drizzle table, or null for one of a dialect Evolve does not convert (SingleStore, Gel, …). */
export function drizzleTableKind(v: unknown): DrizzleTableKind | null {
  const kinds = entityKinds(v);
  return TABLE_KINDS.find((k) => kinds.includes(k)) ?? null;
}

/** True when `v` is a Drizzle view (`pgView`, `mysqlView`, `sqliteView`). */
export function isDrizzleView(v: unknown): boolean {
  return typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[IS_VIEW] === true;
}

/** A `pgEnum()` value: a function carrying its name, values and schema. */
export interface DrizzlePgEnum { readonly enumName: string; readonly enumValues: readonly string[]; readonly schema?: string }

/** True when `v` is made by `pgEnum()` (or `pgSchema(…).enum()`). */
export function isDrizzlePgEnum(v: unknown): v is DrizzlePgEnum {
  return typeof v === 'function' && (v as unknown as Record<symbol, unknown>)[IS_PG_ENUM] === true;
}

/** A Drizzle value Evolve reads from a models module (tables, enums, views, the wrapper). */
export function isDrizzleValue(v: unknown): boolean {
  return isDrizzleTable(v) || isDrizzlePgEnum(v) || isDrizzleView(v) || isDrizzleModels(v);
}

/** True for a Drizzle value that belongs to a schema without being converted (a `pgSchema()`, `relations()`). */
export const isDrizzleCompanion = (v: unknown): boolean => ['PgSchema', 'MySqlSchema', 'Relations'].some((k) => isKind(v, k));

/** Former names of a Drizzle schema's parts, by their names in the database. */
export interface DrizzleModelsOptions {
  /**
   * Former names: a table's (`'writer': 'author'`, `'shop.order': ['orders']`) or a column's
   * (`'writer.heading': 'title'`), keyed by the current names in the database. A rename is
   * planned from the first former name found live; a key naming no table or column is refused.
   */
  readonly aka?: Readonly<Record<string, string | readonly string[]>>;
  /** Former values of a PostgreSQL enum's values: `{ mood: { fine: 'ok' } }` renames `ok` to `fine`. */
  readonly enumAka?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

/** A Drizzle schema with what Evolve needs beside it; made by {@link drizzleModels}. */
export interface DrizzleModels {
  readonly [WRAPPER_BRAND]: true;
  /** The schema module's exports (`import * as schema from './schema.js'`). */
  readonly schema: Readonly<Record<string, unknown>>;
  readonly options: DrizzleModelsOptions;
}

/**
 * A Drizzle ORM schema as Evolve's models, with declared renames: export it from a small models
 * module beside the Drizzle schema (which stays as it is), and give that module as `--models`.
 * A Drizzle schema module given as `--models` directly works too, without renames.
 *
 * @example
 * ```ts
 * // evolve-models.ts
 * import { drizzleModels } from 'evolve';
 * import * as schema from './db/schema.js';
 * export default drizzleModels(schema, { aka: { writer: 'author', 'writer.heading': 'title' } });
 * ```
 */
export function drizzleModels(schema: Readonly<Record<string, unknown>>, options: DrizzleModelsOptions = {}): DrizzleModels {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw new EvolveError(ErrorCode.ModelInvalid, 'drizzleModels() needs the Drizzle schema module\'s exports.', {
      hint: "Write import * as schema from './schema.js'; drizzleModels(schema, { aka: { … } }).",
    });
  }
  for (const [key, former] of Object.entries(options.aka ?? {})) {
    const list = typeof former === 'string' ? [former] : former;
    if (!Array.isArray(list) || list.length === 0 || list.some((f) => typeof f !== 'string' || f.trim() === '')) {
      throw new EvolveError(ErrorCode.ModelInvalid, `drizzleModels(): aka '${key}' needs former names, got ${JSON.stringify(former)}.`, {
        hint: `Write aka: { '${key}': 'old_name' } or { '${key}': ['old_name', 'older_name'] }.`, details: { aka: key },
      });
    }
  }
  return Object.freeze({ [WRAPPER_BRAND]: true as const, schema, options });
}

/** True when `v` was made by {@link drizzleModels} (works across module instances). */
export function isDrizzleModels(v: unknown): v is DrizzleModels {
  return typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[WRAPPER_BRAND] === true;
}
