/**
 * Compile models (what `table()` returns) into the IR, validating as it goes.
 * The result is dialect-neutral; each dialect's `normalise` then maps it to what that
 * database would report.
 */
import type { CheckIR, ColumnIR, DialectName, ForeignKeyIR, IndexIR, SchemaIR, TableIR, UniqueIR } from '../ir/schema.js';
import { deepFreeze, freezeTable } from '../ir/schema.js';
import { controlCharacterIn, CONTROL_CHARACTER_FIX } from '../ir/names.js';
import { EvolveError, ErrorCode } from '../errors.js';
import { isTable, isIndexBuilder, type Table } from './table.js';
import type { ColumnDefinition } from './column.js';
import { checkForeignKeys } from './foreign-keys.js';
import { checkDefaultLiteral } from './default-literals.js';
import { compileChecks, generatedFields, storageOptions } from './compile-checks.js';
import { isModelObject, type ModelObject } from './objects.js';
import { isIntegerType } from './dialect-types.js';

function invalid(message: string, hint: string, details?: Record<string, unknown>): EvolveError {
  return new EvolveError(ErrorCode.ModelInvalid, message, { hint, ...(details ? { details } : {}) });
}

function checkName(what: string, name: unknown): string {
  if (typeof name !== 'string' || name.length === 0 || name.trim() !== name) {
    throw invalid(`${what} has an invalid name ${JSON.stringify(name)}.`, 'Names must be non-empty strings without leading or trailing spaces.');
  }
  const control = controlCharacterIn(name);
  if (control) throw invalid(`${what} has a name holding ${control}: ${JSON.stringify(name)}.`, CONTROL_CHARACTER_FIX, { name });
  return name;
}

/** A constraint or index name the model gives (null: the database names it): no control characters. */
function checkOptionalName(what: string, name: string | null | undefined): string | null {
  if (name === null || name === undefined) return null;
  const control = typeof name === 'string' ? controlCharacterIn(name) : null;
  if (control) throw invalid(`${what} has a name holding ${control}: ${JSON.stringify(name)}.`, CONTROL_CHARACTER_FIX, { name });
  return name;
}

const NO_AKA: string[] = [];

/** Default name of an index that the model did not name. */
export function defaultIndexName(table: string, columns: readonly string[]): string {
  return `${table}_${columns.join('_')}_idx`;
}

/** A name {@link checkName} takes as it is (the test it makes, without building the message it would give). */
function plainName(name: unknown): name is string {
  return typeof name === 'string' && name.length > 0 && name.trim() === name && controlCharacterIn(name) === null;
}

/** Columns past which a table's names are looked up in a Map rather than searched. */
const WIDE = 32;

/** An IR column while it is built (it is frozen with its table). */
type ColumnDraft = { -readonly [K in keyof ColumnIR]: ColumnIR[K] };

/** The columns of a table's model, compiled, and what they declare themselves. */
interface CompiledColumns {
  columns: ColumnDraft[];
  /** The columns' names, in order. */
  names: string[];
  pkFromColumns: string[];
  uniques: UniqueIR[];
  foreignKeys: ForeignKeyIR[];
  /** The columns with checks of their own (`.check()`), with their names. */
  defs: [string, ColumnDefinition][];
  /** Whether a column is auto-increment, or has former names. */
  anyAuto: boolean;
  anyAka: boolean;
}

/**
 * The columns of table `tname`'s model, with what they declare themselves: primary key
 * columns, single-column unique constraints and foreign keys.
 */
function compileColumns(model: Table, tname: string, dialect: DialectName | null, rules: CompileRules): CompiledColumns {
  // Keys and values read at once (as Object.entries would, without a pair per column).
  const props = Object.keys(model.builders);
  const builders = Object.values(model.builders);
  const columns: ColumnDraft[] = [];
  const names: string[] = [];
  const keys: string[] = [];
  // Names compare case-insensitively: SQLite and MySQL treat `Name` and `name` as one column,
  // and PostgreSQL folds unquoted names to lower case, so two names differing only in case
  // would either fail late (E_SQL_FAILED) or make a schema no one can query unquoted. A model
  // with both is a mistake on every dialect: refuse it here, naming both. The lower-case names in
  // order, and for a wide table a Map of them to their position (a narrow one is searched faster).
  const lowers: string[] = [];
  const seen = props.length > WIDE ? new Map<string, number>() : null;
  const pkFromColumns: string[] = [];
  const uniques: UniqueIR[] = [];
  const foreignKeys: ForeignKeyIR[] = [];
  const defs: [string, ColumnDefinition][] = [];
  let anyAuto = false;
  let anyAka = false;
  for (let i = 0; i < props.length; i++) {
    const key = props[i]!;
    const d = builders[i]!.definition();
    const given = d.name ?? key;
    const cname = plainName(given) ? given : checkName(`Column '${key}' of table '${tname}'`, given);
    const lower = cname.toLowerCase();
    const at = seen !== null ? seen.get(lower) ?? -1 : lowers.indexOf(lower);
    if (at !== -1) {
      const prior = { key: keys[at]!, name: names[at]! };
      const named = prior.name === cname
        ? `two columns named '${cname}'`
        : `two columns named '${prior.name}' and '${cname}' (names differing only in case are the same column)`;
      throw invalid(`Table '${tname}' has ${named} (properties '${prior.key}' and '${key}').`,
        'Give each column a distinct name (check .named() calls).', { table: tname, column: cname });
    }
    seen?.set(lower, names.length);
    lowers.push(lower);
    names.push(cname);
    keys.push(key);
    if (d.autoIncrement && !isIntegerType(d.type)) {
      throw invalid(`Column '${tname}.${cname}' is auto-increment but of type ${d.type.kind === 'raw' ? d.type.sql : d.type.kind}.`,
        'Only integer types can auto-increment: integer(), bigint(), smallint(), and on MySQL tinyint(), mediumint() (signed or ' +
        "{ unsigned: true }), unsignedInt(), rawType('bigint unsigned').", { table: tname, column: cname });
    }
    const aka = d.aka.length ? [...new Set(d.aka.map((a) => checkName(`A former name (aka) of '${tname}.${cname}'`, a)))] : NO_AKA;
    if (aka.length && aka.includes(cname)) {
      throw invalid(`Column '${tname}.${cname}' lists its own name in aka().`, 'Remove the current name from aka(); list only former names.');
    }
    const collation = d.collation === null || d.collation === undefined ? null : checkOptionalName(`The collation of '${tname}.${cname}'`, d.collation);
    if (collation !== null && (typeof collation !== 'string' || collation.trim() === '')) {
      throw invalid(`Column '${tname}.${cname}' has an empty collation name.`,
        "Name the collation as the database does, e.g. .collation('nocase'), or leave .collation() out.");
    }
    checkDefaultLiteral(tname, cname, d.type, d.default);
    if (d.onUpdate !== null) checkOnUpdate(tname, cname, d, dialect, rules);
    if (d.checks.length) defs.push([cname, d]);
    // The optional fields in the order the IR has always listed them (JSON, and the goldens, keep it).
    const c: ColumnDraft = { name: cname, type: d.type, nullable: d.nullable, default: d.default, autoIncrement: d.autoIncrement };
    if (d.generated || d.identity !== null) {
      const g = generatedFields(tname, cname, d);
      if (g.generated) c.generated = g.generated;
      if (g.identity) c.identity = g.identity;
    }
    if (collation) c.collation = collation;
    if (d.onUpdate !== null) c.onUpdate = d.onUpdate;
    if (aka.length) { c.aka = aka; anyAka = true; }
    if (d.autoIncrement) anyAuto = true;
    columns.push(c);
    if (d.primaryKey) pkFromColumns.push(cname);
    if (d.unique) uniques.push({ name: checkOptionalName(`The unique constraint of '${tname}.${cname}'`, d.uniqueName), columns: [cname] });
    if (d.references) {
      let target;
      try { target = d.references.target(); } catch (e) {
        throw invalid(`The foreign key on '${tname}.${cname}' could not resolve its target.`,
          'Write references(() => other.columns.id) with a model defined in the same module.', { cause: String(e) });
      }
      const o = d.references.options;
      foreignKeys.push({
        name: o.name === undefined ? null : checkOptionalName(`The foreign key of '${tname}.${cname}'`, o.name), columns: [cname],
        refTable: target.tableName, refColumns: [target.columnName],
        onDelete: o.onDelete ?? 'no action', onUpdate: o.onUpdate ?? 'no action',
      });
    }
  }
  return { columns, names, pkFromColumns, uniques, foreignKeys, defs, anyAuto, anyAka };
}

/**
 * What the target dialect allows that the DSL checks (its capabilities of the same names): index
 * names per table rather than per schema, `ON UPDATE CURRENT_TIMESTAMP`, a view's `SQL SECURITY INVOKER`.
 */
export interface CompileRules {
  readonly indexNamesPerTable?: boolean;
  readonly onUpdateTimestamp?: boolean;
  readonly viewSqlSecurity?: boolean;
  readonly autoIncrementLeadingKey?: boolean;
  readonly autoIncrementAnyColumn?: boolean;
}

/** Refuse `.onUpdate()` on a dialect without ON UPDATE (`dialect` null: not known yet), and on a column that is no date and time. */
function checkOnUpdate(tname: string, cname: string, d: ColumnDefinition, dialect: DialectName | null, rules: CompileRules): void {
  if (dialect !== null && rules.onUpdateTimestamp !== true) {
    throw new EvolveError(ErrorCode.Unsupported, `Column '${tname}.${cname}' has .onUpdate(), and ${dialect} has no ON UPDATE clause.`, {
      hint: `Remove .onUpdate() for this database (set the column in the application, or with a trigger()).`, details: { table: tname, column: cname },
    });
  }
  const t = d.type;
  if (!(t.kind === 'timestamp' || (t.kind === 'raw' && /^(datetime|timestamp)\b/.test(t.sql)))) {
    throw invalid(`Column '${tname}.${cname}' has .onUpdate(${d.onUpdate}) but is of type ${t.kind === 'raw' ? t.sql : t.kind}.`,
      'ON UPDATE CURRENT_TIMESTAMP is for timestamp() and datetime() columns.', { table: tname, column: cname });
  }
  if (d.generated) {
    throw invalid(`Column '${tname}.${cname}' is generated and has .onUpdate(); a generated column's value is its expression.`,
      'Keep one: .generatedAs(sql`…`) or .onUpdate(sql`CURRENT_TIMESTAMP`).', { table: tname, column: cname });
  }
}

/** Refuse former column names (aka) that are another column's name, or claimed by two columns of table `tname`. */
function checkColumnAka(tname: string, columns: readonly ColumnIR[], names: readonly string[]): void {
  for (const c of columns) {
    for (const a of c.aka ?? []) {
      if (names.includes(a)) {
        throw invalid(`Column '${tname}.${c.name}' has former name '${a}', but the table also has a column named '${a}'.`,
          `Remove '${a}' from the aka() of '${c.name}', or rename the other column; a former name cannot exist beside the new one.`,
          { table: tname, column: c.name, aka: a });
      }
    }
  }
  const akaCount = new Map<string, number>();
  for (const c of columns) for (const a of c.aka ?? []) akaCount.set(a, (akaCount.get(a) ?? 0) + 1);
  for (const [a, n] of akaCount) {
    if (n > 1) throw invalid(`Two columns of '${tname}' claim the former name '${a}'.`, 'A former name can belong to one column only.');
  }
}

/** True when `cols` is a non-empty list of distinct columns of `names` (what {@link mustExist} checks, without its messages). */
function listsColumns(names: readonly string[], cols: readonly string[]): boolean {
  if (!Array.isArray(cols) || cols.length === 0) return false;
  for (let i = 0; i < cols.length; i++) {
    const col = cols[i]!;
    if (!names.includes(col) || cols.indexOf(col) !== i) return false;
  }
  return true;
}

/** Refuse a list of columns of table `tname` (`what`: a primary key, an index, …) that is empty, names a column the table lacks, or one twice. */
function mustExist(tname: string, names: readonly string[], what: string, cols: readonly string[]): void {
  if (listsColumns(names, cols)) return;
  if (!Array.isArray(cols) || cols.length === 0) throw invalid(`${what} of table '${tname}' lists no columns.`, 'List at least one column name.');
  for (const col of cols) {
    if (!names.includes(col)) {
      throw invalid(`${what} of table '${tname}' names column '${col}', which the table does not have.`, `Use one of: ${names.join(', ')}.`);
    }
  }
  throw invalid(`${what} of table '${tname}' lists a column twice.`, 'List each column once.');
}

const NO_COLUMNS: readonly ColumnIR[] = Object.freeze([]);

/**
 * One model as a table of the IR, validated; `allNames` holds the (lower-case) index names used so
 * far in the schema, or is null where index names are per table (MySQL/MariaDB: two tables may each
 * have an index `city`; SQLite and PostgreSQL name indexes in the schema's namespace).
 */
function compileTable(model: Table, allNames: Set<string> | null, dialect: DialectName | null, rules: CompileRules): TableIR {
  const tname = plainName(model.name) ? model.name : checkName('A table', model.name);
  const { columns, names, pkFromColumns, uniques, foreignKeys, defs, anyAuto, anyAka } = compileColumns(model, tname, dialect, rules);
  if (columns.length === 0) throw invalid(`Table '${tname}' has no columns.`, 'Give the table at least one column.');
  if (anyAka) checkColumnAka(tname, columns, names);

  const opts = model.options ?? {};
  let pk: string[] | null = pkFromColumns.length ? pkFromColumns : null;
  if (opts.primaryKey) {
    if (pk) {
      throw invalid(`Table '${tname}' declares its primary key both on columns and in options.`,
        'Use either .primaryKey() on one column or the primaryKey option, not both.');
    }
    mustExist(tname, names, 'The primary key', opts.primaryKey);
    pk = [...opts.primaryKey];
  }
  // PostgreSQL: a serial or identity column may be any column (its sequence is its own).
  const autos = rules.autoIncrementAnyColumn === true || !anyAuto ? NO_COLUMNS : columns.filter((c) => c.autoIncrement);
  const leads = rules.autoIncrementLeadingKey === true && autos.length === 1 && pk !== null && pk[0] === autos[0]!.name;
  if (pk && pk.length > 1 && autos.length > 0 && !leads) {
    throw invalid(`Table '${tname}' has an auto-increment column in a composite primary key.`, rules.autoIncrementLeadingKey
      ? 'On MySQL/MariaDB the auto-increment column must be the first column of the primary key (and the only one).'
      : 'Auto-increment needs a single-column primary key.', { table: tname });
  }
  if (autos.some((c) => !(pk && pk.includes(c.name)))) {
    throw invalid(`Table '${tname}': auto-increment column is not the primary key.`,
      'Use .primaryKey({ autoIncrement: true }) (only PostgreSQL lets a column outside the primary key auto-increment).', { table: tname });
  }
  // The key's columns are NOT NULL (the columns are this compile's own objects, not frozen yet).
  if (pk) for (const c of columns) if (c.nullable && pk.includes(c.name)) c.nullable = false;

  for (const u of opts.unique ?? []) {
    const cols = Array.isArray(u) ? u : u.columns;
    mustExist(tname, names, 'A unique constraint', cols);
    uniques.push({ name: Array.isArray(u) ? null : checkOptionalName(`A unique constraint of table '${tname}'`, u.name), columns: [...cols] });
  }
  const indexes: IndexIR[] = [];
  for (const ib of opts.indexes ?? []) {
    if (!isIndexBuilder(ib)) throw invalid(`An index of table '${tname}' is not built with index().`, "Write index('name').on('column').");
    const d = ib.definition();
    const special = d.using !== null || d.parts.length !== d.columns.length || d.include.length > 0;
    if (special && d.name === null) {
      throw invalid(`An index of table '${tname}' on an expression or with a method (using) has no name.`,
        `Name it: index('${tname}_lower_name').on(sql\`lower(name)\`).`, { table: tname });
    }
    if (special && d.parts.length === 0) throw invalid(`Index ${d.name} of table '${tname}' lists no columns.`, 'List at least one column or expression.');
    if ((!special || d.columns.length > 0) && !listsColumns(names, d.columns)) mustExist(tname, names, `Index ${d.name ?? ''}`.trim(), d.columns);
    if (d.include.length > 0) mustExist(tname, names, `The INCLUDE columns of index ${d.name ?? ''}`.trim(), d.include);
    const name = (d.name === null ? null : checkOptionalName(`An index of table '${tname}'`, d.name)) ?? defaultIndexName(tname, d.columns);
    const lower = name.toLowerCase();
    if (indexes.some((i) => i.name.toLowerCase() === lower)) {
      throw invalid(`Table '${tname}' has two indexes named '${name}'.`, 'Give each index a distinct name (names differing only in case are the same).');
    }
    if (allNames !== null) {
      if (allNames.has(lower)) {
        throw invalid(`Index name '${name}' is used twice.`, 'Index names must be unique across the schema (names differing only in case are the same).');
      }
      allNames.add(lower);
    }
    // An expression index, or one with a method, is an object read back from the database (model-objects.ts).
    if (!special) indexes.push({ name, columns: d.columns, unique: d.unique, where: d.where });
  }
  for (const fk of opts.foreignKeys ?? []) {
    mustExist(tname, names, 'A foreign key', fk.columns);
    const targets = fk.references();
    foreignKeys.push({
      name: checkOptionalName(`A foreign key of table '${tname}'`, fk.name), columns: [...fk.columns],
      refTable: targets[0]?.tableName ?? '', refColumns: targets.map((t) => t.columnName),
      onDelete: fk.onDelete ?? 'no action', onUpdate: fk.onUpdate ?? 'no action',
    });
  }
  let aka: string[] = NO_AKA;
  if (opts.aka !== undefined) {
    const rawAka = Array.isArray(opts.aka) ? opts.aka : [opts.aka];
    aka = [...new Set(rawAka.map((a) => checkName(`A former name (aka) of table '${tname}'`, a)))];
    if (aka.includes(tname)) throw invalid(`Table '${tname}' lists its own name in aka.`, 'List only former names.');
  }
  const checks = defs.length > 0 || (opts.checks !== undefined && opts.checks !== null) ? compileChecks(tname, defs, opts, names) : NO_CHECKS;
  const options = opts.storage === undefined || opts.storage === null ? null : storageOptions(tname, opts.storage);
  const t: { -readonly [K in keyof TableIR]: TableIR[K] } = {
    name: tname, columns, primaryKey: pk ? { name: null, columns: pk } : null, uniques, indexes, foreignKeys,
  };
  // Optional fields in the IR's order (checks, options, aka), only where there are any.
  if (checks.length) t.checks = checks;
  if (options !== null && Object.keys(options).length) t.options = options;
  if (aka.length) t.aka = aka;
  return t;
}

const NO_CHECKS: readonly CheckIR[] = Object.freeze([]);

/**
 * Compile models into a (not yet dialect-normalised) schema; `rules`: what the dialect allows
 * (its `capabilities`; without them, index names are the schema's and `.onUpdate()` is refused).
 * @throws EvolveError `E_MODEL_INVALID` naming the table and column at fault; `E_UNSUPPORTED`
 *   for `.onUpdate()` where the dialect has no ON UPDATE.
 */
export function compileModels(models: readonly (Table | ModelObject)[], dialect: DialectName, rules: CompileRules = {}): SchemaIR {
  const tables: TableIR[] = [];
  const allNames = rules.indexNamesPerTable ? null : new Set<string>();
  // Lookups by name (a schema of thousands of tables must not compile in quadratic time).
  const byLowerName = new Map<string, TableIR>();
  const byName = new Map<string, TableIR>();
  const objects: ModelObject[] = [];
  for (const m of models) {
    if (isModelObject(m)) { objects.push(m); continue; }
    if (!isTable(m)) throw invalid('An exported model is not a table().', 'Export only values made with table().');
    const t = compileTable(m, allNames, dialect, rules);
    // Case-insensitively, as for columns (see compileColumns).
    const twin = byLowerName.get(t.name.toLowerCase());
    if (twin) {
      throw invalid(twin.name === t.name
        ? `Two models define table '${t.name}'.`
        : `Two models define tables '${twin.name}' and '${t.name}', names differing only in case.`,
        'Give each table a distinct name (names differing only in case are the same table).', { table: t.name });
    }
    tables.push(t);
    byLowerName.set(t.name.toLowerCase(), t);
    byName.set(t.name, t);
  }
  const akaOwner = new Map<string, TableIR>();
  for (const t of tables) {
    for (const a of t.aka ?? []) {
      if (byName.has(a)) {
        throw invalid(`Table '${t.name}' has former name '${a}', but a model named '${a}' also exists.`,
          `Remove '${a}' from the aka of '${t.name}', or rename the other model; a former name cannot exist beside the new one.`, { table: t.name, aka: a });
      }
      const owner = akaOwner.get(a);
      if (owner && owner !== t) throw invalid(`Two tables claim the former name '${a}'.`, 'A former name can belong to one table only.');
      akaOwner.set(a, t);
    }
  }
  for (const t of tables) {
    for (const fk of t.foreignKeys) {
      const target = byName.get(fk.refTable);
      if (!target) {
        throw invalid(`A foreign key of '${t.name}' references table '${fk.refTable}', which is not among the models.`,
          'Export the referenced model from the same models module.');
      }
      for (const c of fk.refColumns) {
        if (!target.columns.some((x) => x.name === c)) {
          throw invalid(`A foreign key of '${t.name}' references '${fk.refTable}.${c}', which does not exist.`, 'Reference an existing column.');
        }
      }
      if (fk.refColumns.length !== fk.columns.length) {
        throw invalid(`A foreign key of '${t.name}' has ${fk.columns.length} columns but references ${fk.refColumns.length}.`,
          'Reference as many columns as the key has.');
      }
    }
  }
  checkForeignKeys(tables);
  checkObjects(objects, byName, rules);
  // Frozen by a walk of the fields a table has (what deepFreeze does, without its `for…in` over every object).
  for (const t of tables) freezeTable(t);
  return deepFreeze({ dialect, tables });
}

/** Refuse two objects of one kind and name, and an object reading a table the models lack. */
function checkObjects(objects: readonly ModelObject[], tables: ReadonlyMap<string, TableIR>, rules: CompileRules): void {
  const seen = new Set<string>();
  for (const o of objects) {
    if (o.sqlSecurity && rules.viewSqlSecurity !== true) {
      throw new EvolveError(ErrorCode.Unsupported, `View '${o.name}' says sqlSecurity: '${o.sqlSecurity}', which only MySQL/MariaDB views have.`, {
        hint: 'Remove sqlSecurity for this database.', details: { view: o.name },
      });
    }
    const key = `${o.kind}:${o.name.toLowerCase()}`;
    if (seen.has(key)) throw invalid(`Two ${o.kind} models are named '${o.name}'.`, `Give each ${o.kind} a distinct name.`, { name: o.name });
    seen.add(key);
    let reads: readonly Table[];
    try { reads = o.reads(); } catch (e) {
      throw invalid(`The tables of ${o.kind} '${o.name}' could not be resolved.`,
        'Give reads: [someTable] (or () => [someTable]) with models of this module.', { cause: String(e) });
    }
    for (const t of reads) {
      const name = isTable(t) ? t.name : String(t);
      if (!tables.has(name)) {
        throw invalid(`${o.kind} '${o.name}' reads table '${name}', which is not among the models.`,
          `Export the model of '${name}' from the models module, or remove it from the ${o.kind}'s tables.`, { [o.kind]: o.name, table: name });
      }
    }
  }
}

/**
 * Compile one model on its own (no cross-model checks: its foreign keys may name tables that
 * exist only in the database). Used by the operations API of numbered upgrade steps.
 */
export function compileTableModel(model: Table): TableIR {
  if (!isTable(model)) throw invalid('createTable() needs a table() model.', "Pass a model made with table('name', { ... }).");
  const special = (model.options?.indexes ?? []).map((i) => i.definition())
    .find((d) => d.using !== null || d.parts.length !== d.columns.length || d.include.length > 0);
  if (special) {
    throw invalid(`createTable('${model.name}'): index ${special.name} is on an expression or has a method, which createTable() does not create.`,
      'Create it in the step with ops.sql(`CREATE INDEX …`), or leave it to the models (evolve apply).', { table: model.name, index: special.name });
  }
  return freezeTable(compileTable(model, new Set(), null, {}));
}
