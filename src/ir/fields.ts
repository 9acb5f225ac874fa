/**
 * What each IR record is made of, field by field, in one place: for every field of
 * {@link ColumnIR}, {@link TableIR}, {@link IndexIR}, {@link ForeignKeyIR}, {@link CheckIR}
 * (and the records they hold: {@link GeneratedIR}, {@link PrimaryKeyIR}, {@link UniqueIR}),
 * whether the canonical form (and so the fingerprint) holds it, how the differ compares it and
 * which changes a difference makes, how the drift report words it, and whether model
 * compilation can produce it.
 *
 * Each table is a `Record` over `keyof Required<…>`: a field added to a record does not compile
 * until it has a rule here. The differ compares column attributes by these rules
 * (`src/diff/differ.ts`), the drift report words column, index and foreign-key differences by
 * them (`src/evolutions/snapshots.ts`), and `test/unit/ir-fields.test.ts` checks every rule
 * against the canonical form, the differ, the drift report and the model compiler.
 */
import { defaultToString } from './canonical.js';
import type {
  CheckIR, ColumnIR, DefaultValue, ForeignKeyIR, GeneratedIR, IndexIR, PrimaryKeyIR, TableIR, UniqueIR,
} from './schema.js';
import { sameType, typeToString } from './types.js';

/**
 * The flags of a column change: `ColumnChangeFlags` (src/diff/changes.ts) has exactly these,
 * which the compiler checks there (the IR does not import the differ).
 */
export type ColumnChangeFlag = 'type' | 'nullable' | 'default' | 'autoIncrement' | 'generated' | 'collation' | 'onUpdate';

/** The kinds of change a difference in a field can make; src/diff/changes.ts checks that each is a `ChangeKind`. */
export type FieldChangeKind =
  | 'createTable' | 'dropTable' | 'renameTable'
  | 'addColumn' | 'dropColumn' | 'renameColumn' | 'alterColumn'
  | 'addIndex' | 'dropIndex' | 'addUnique' | 'dropUnique' | 'alterPrimaryKey'
  | 'addForeignKey' | 'dropForeignKey' | 'addCheck' | 'dropCheck' | 'alterTableOptions';

/**
 * Compared as an attribute of a matched record: `same` says whether two values are the same
 * (with the meaning of comparing canonical forms, without building them), `describe` words a
 * difference (`from` → `to`) for the drift report.
 */
export interface AttributeRule<R> {
  readonly as: 'attribute';
  /** The kinds of change a difference in this field makes the differ report. */
  readonly changes: readonly FieldChangeKind[];
  readonly same: (a: R, b: R) => boolean;
  readonly describe: (from: R, to: R) => string;
}

/** A column attribute: also names the column-change flag a difference sets. */
export interface ColumnAttributeRule extends AttributeRule<ColumnIR> {
  readonly flag: ColumnChangeFlag;
}

/**
 * How the differ treats a field.
 * - `attribute`: compared between matched records (see {@link AttributeRule}).
 * - `identity`: what matches a live record with a desired one. Records that differ here are
 *   different records: the differ drops one and adds the other, and the drift report names both.
 * - `structure`: compared by the differ's own code (lists compared member by member by their own
 *   rules, renames applied); the changes it makes are named by `describeChange`.
 * - `renames`: former names, read only to plan renames (never in a live schema or a snapshot).
 * - `ignored`: not compared at all; `why` says why (it must also be left out of the canonical form).
 */
export type DifferRule<A> =
  | A
  | { readonly as: 'identity'; readonly changes: readonly FieldChangeKind[] }
  | { readonly as: 'structure'; readonly changes: readonly FieldChangeKind[] }
  | { readonly as: 'renames'; readonly changes: readonly FieldChangeKind[]; readonly why: string }
  | { readonly as: 'ignored'; readonly why: string };

/** One field's rule. */
export interface FieldRule<A> {
  /** `true` when the canonical form (and so the fingerprint) holds the field; otherwise why not. */
  readonly fingerprinted: true | { readonly no: string };
  readonly differ: DifferRule<A>;
  /** `true` when model compilation can produce the field; otherwise why not (yet). */
  readonly model: true | { readonly notYet: string };
}

/** Rules for every field of `R`, optional ones included. */
export type FieldRules<R, A = AttributeRule<R>> = { readonly [K in keyof Required<R>]: FieldRule<A> };

const none = (v: string | null | undefined): string => (v === null || v === undefined || v === '' ? 'none' : v);
const list = (cols: readonly string[]): string => `(${cols.join(', ')})`;
const sameList = (a: readonly string[], b: readonly string[]): boolean => {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
};

/** defaultToString(a) === defaultToString(b), without building the strings. */
export function sameDefault(a: DefaultValue | null, b: DefaultValue | null): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  const av = a.kind === 'value';
  if (av !== (b.kind === 'value')) return false;
  if (!av) return (a as { sql: string }).sql === (b as { sql: string }).sql;
  const x = (a as { value: unknown }).value;
  const y = (b as { value: unknown }).value;
  // Distinct strings and booleans have distinct JSON; numbers may not (NaN, Infinity: null).
  if (x === y) return true;
  return typeof x !== 'string' && typeof y !== 'string' && typeof x !== 'boolean' && typeof y !== 'boolean' && JSON.stringify(x) === JSON.stringify(y);
}

const NOT_IN_DSL = 'the model DSL cannot state it yet (issue 18); SQL-file models and introspection can';
const CONSTRAINT_NAME = 'databases invent constraint names; the canonical form leaves them out (docs/fingerprint.md)';
const FORMER_NAMES = 'former names are part of the models, not of the schema';

type Same<R> = (a: R, b: R) => boolean;
type Describe<R> = (from: R, to: R) => string;

/** A column attribute: a difference is an `alterColumn` with `flag` set. */
function columnAttribute(flag: ColumnChangeFlag, same: Same<ColumnIR>, describe: Describe<ColumnIR>): ColumnAttributeRule {
  return { as: 'attribute', flag, changes: ['alterColumn'], same, describe };
}
/** An index attribute: the differ drops the index and creates it again. */
function indexAttribute(same: Same<IndexIR>, describe: Describe<IndexIR>): AttributeRule<IndexIR> {
  return { as: 'attribute', changes: ['addIndex', 'dropIndex'], same, describe };
}
/** A foreign-key attribute: the differ drops the key and adds it again. */
function foreignKeyAttribute(same: Same<ForeignKeyIR>, describe: Describe<ForeignKeyIR>): AttributeRule<ForeignKeyIR> {
  return { as: 'attribute', changes: ['addForeignKey', 'dropForeignKey'], same, describe };
}
/** A field of a generated column's expression: the column's `generated` attribute. */
function generatedAttribute(same: Same<GeneratedIR>, describe: Describe<GeneratedIR>): AttributeRule<GeneratedIR> {
  return { as: 'attribute', changes: ['alterColumn'], same, describe };
}
/** A constraint name: neither fingerprinted nor compared. */
function constraintName(model: FieldRule<never>['model']): FieldRule<never> {
  return { fingerprinted: { no: CONSTRAINT_NAME }, model, differ: { as: 'ignored', why: CONSTRAINT_NAME } };
}

/** The fields of a generated column's expression (compared as one attribute of the column: `generated`). */
export const GENERATED_FIELDS: FieldRules<GeneratedIR> = {
  expression: {
    fingerprinted: true, model: { notYet: NOT_IN_DSL },
    differ: generatedAttribute((a, b) => a.expression === b.expression, (f, t) => `expression ${f.expression} → ${t.expression}`),
  },
  stored: {
    fingerprinted: true, model: { notYet: NOT_IN_DSL },
    differ: generatedAttribute((a, b) => a.stored === b.stored, (f, t) => `${storage(f)} → ${storage(t)}`),
  },
};
const storage = (g: GeneratedIR): string => (g.stored ? 'stored' : 'virtual');
const GENERATED_ATTRIBUTES = attributes(GENERATED_FIELDS);

function sameGenerated(a: GeneratedIR | null | undefined, b: GeneratedIR | null | undefined): boolean {
  if (a === b) return true;
  if (!a || !b) return !a === !b;
  for (const r of GENERATED_ATTRIBUTES) if (!r.same(a, b)) return false;
  return true;
}
const generatedText = (g: GeneratedIR | null | undefined): string => (g ? `${storage(g)} ${g.expression}` : 'none');

/** `generated none → stored a + 1`; between two generated columns, what differs (`generated virtual → stored`). */
function describeGenerated(f: GeneratedIR | null | undefined, t: GeneratedIR | null | undefined): string {
  const parts = f && t ? GENERATED_ATTRIBUTES.filter((r) => !r.same(f, t)).map((r) => r.describe(f, t)) : [];
  return parts.length ? `generated ${parts.join(', ')}` : `generated ${generatedText(f)} → ${generatedText(t)}`;
}

/** Every field of a column. */
export const COLUMN_FIELDS: FieldRules<ColumnIR, ColumnAttributeRule> = {
  name: { fingerprinted: true, model: true, differ: { as: 'identity', changes: ['addColumn', 'dropColumn'] } },
  type: {
    fingerprinted: true, model: true,
    differ: columnAttribute('type', (a, b) => sameType(a.type, b.type), (f, t) => `type ${typeToString(f.type)} → ${typeToString(t.type)}`),
  },
  nullable: {
    fingerprinted: true, model: true,
    differ: columnAttribute('nullable', (a, b) => a.nullable === b.nullable, (f, t) => `${nullText(f)} → ${nullText(t)}`),
  },
  default: {
    fingerprinted: true, model: true,
    differ: columnAttribute('default', (a, b) => sameDefault(a.default, b.default),
      (f, t) => `default ${defaultToString(f.default) ?? 'none'} → ${defaultToString(t.default) ?? 'none'}`),
  },
  autoIncrement: {
    fingerprinted: true, model: true,
    differ: columnAttribute('autoIncrement', (a, b) => a.autoIncrement === b.autoIncrement, (f, t) => `auto-increment ${f.autoIncrement} → ${t.autoIncrement}`),
  },
  generated: {
    fingerprinted: true, model: { notYet: NOT_IN_DSL },
    differ: columnAttribute('generated', (a, b) => sameGenerated(a.generated, b.generated), (f, t) => describeGenerated(f.generated, t.generated)),
  },
  collation: {
    fingerprinted: true, model: true,
    differ: columnAttribute('collation', (a, b) => (a.collation ?? null) === (b.collation ?? null),
      (f, t) => `collation ${none(f.collation)} → ${none(t.collation)}`),
  },
  identity: {
    fingerprinted: true, model: { notYet: NOT_IN_DSL },
    // An identity column is a kind of auto-increment: the planners change both together.
    differ: columnAttribute('autoIncrement', (a, b) => (a.identity ?? null) === (b.identity ?? null),
      (f, t) => `identity ${none(f.identity)} → ${none(t.identity)}`),
  },
  onUpdate: {
    fingerprinted: true, model: { notYet: NOT_IN_DSL },
    differ: columnAttribute('onUpdate', (a, b) => (a.onUpdate ?? null) === (b.onUpdate ?? null),
      (f, t) => `on update ${none(f.onUpdate)} → ${none(t.onUpdate)}`),
  },
  aka: {
    fingerprinted: { no: FORMER_NAMES }, model: true,
    differ: { as: 'renames', changes: ['renameColumn'], why: 'a former name that the live table has makes a rename instead of a drop and an add' },
  },
};
const nullText = (c: ColumnIR): string => (c.nullable ? 'NULL' : 'NOT NULL');

/** Every field of an index (indexes are matched by name; any other difference drops and recreates it). */
export const INDEX_FIELDS: FieldRules<IndexIR> = {
  name: { fingerprinted: true, model: true, differ: { as: 'identity', changes: ['addIndex', 'dropIndex'] } },
  columns: {
    fingerprinted: true, model: true,
    differ: indexAttribute((a, b) => sameList(a.columns, b.columns), (f, t) => `columns ${list(f.columns)} → ${list(t.columns)}`),
  },
  unique: { fingerprinted: true, model: true, differ: indexAttribute((a, b) => a.unique === b.unique, (f, t) => `unique ${f.unique} → ${t.unique}`) },
  where: { fingerprinted: true, model: true, differ: indexAttribute((a, b) => a.where === b.where, (f, t) => `where ${none(f.where)} → ${none(t.where)}`) },
};

/**
 * Every field of a foreign key. The differ matches keys by their whole structure (a difference
 * anywhere drops and adds the key); the drift report pairs a dropped and an added key on the
 * same columns and words what differs.
 */
export const FOREIGN_KEY_FIELDS: FieldRules<ForeignKeyIR> = {
  name: constraintName(true),
  columns: { fingerprinted: true, model: true, differ: { as: 'identity', changes: ['addForeignKey', 'dropForeignKey'] } },
  refTable: {
    fingerprinted: true, model: true,
    differ: foreignKeyAttribute((a, b) => a.refTable === b.refTable, (f, t) => `references table ${f.refTable} → ${t.refTable}`),
  },
  refColumns: {
    fingerprinted: true, model: true,
    differ: foreignKeyAttribute((a, b) => sameList(a.refColumns, b.refColumns), (f, t) => `references columns ${list(f.refColumns)} → ${list(t.refColumns)}`),
  },
  onDelete: {
    fingerprinted: true, model: true,
    differ: foreignKeyAttribute((a, b) => a.onDelete === b.onDelete, (f, t) => `on delete ${f.onDelete} → ${t.onDelete}`),
  },
  onUpdate: {
    fingerprinted: true, model: true,
    differ: foreignKeyAttribute((a, b) => a.onUpdate === b.onUpdate, (f, t) => `on update ${f.onUpdate} → ${t.onUpdate}`),
  },
};

const NO_CHECKS_IN_DSL = 'the model DSL has no CHECK constraints yet (issue 18); SQL-file models and introspection have them';

/** Every field of a CHECK constraint (matched by expression: a new expression drops one and adds another). */
export const CHECK_FIELDS: FieldRules<CheckIR> = {
  name: constraintName({ notYet: NO_CHECKS_IN_DSL }),
  expression: { fingerprinted: true, model: { notYet: NO_CHECKS_IN_DSL }, differ: { as: 'identity', changes: ['addCheck', 'dropCheck'] } },
};

/** Every field of a primary key. */
export const PRIMARY_KEY_FIELDS: FieldRules<PrimaryKeyIR> = {
  name: constraintName({ notYet: 'the model DSL does not name primary keys' }),
  columns: { fingerprinted: true, model: true, differ: { as: 'structure', changes: ['alterPrimaryKey'] } },
};

/** Every field of a unique constraint (matched by its columns). */
export const UNIQUE_FIELDS: FieldRules<UniqueIR> = {
  name: constraintName(true),
  columns: { fingerprinted: true, model: true, differ: { as: 'identity', changes: ['addUnique', 'dropUnique'] } },
};

/** Every field of a table: its parts are compared member by member, by the rules above. */
export const TABLE_FIELDS: FieldRules<TableIR> = {
  name: { fingerprinted: true, model: true, differ: { as: 'identity', changes: ['createTable', 'dropTable'] } },
  columns: { fingerprinted: true, model: true, differ: { as: 'structure', changes: ['addColumn', 'dropColumn', 'renameColumn', 'alterColumn'] } },
  primaryKey: { fingerprinted: true, model: true, differ: { as: 'structure', changes: ['alterPrimaryKey'] } },
  uniques: { fingerprinted: true, model: true, differ: { as: 'structure', changes: ['addUnique', 'dropUnique'] } },
  indexes: { fingerprinted: true, model: true, differ: { as: 'structure', changes: ['addIndex', 'dropIndex'] } },
  foreignKeys: { fingerprinted: true, model: true, differ: { as: 'structure', changes: ['addForeignKey', 'dropForeignKey'] } },
  checks: { fingerprinted: true, model: { notYet: NO_CHECKS_IN_DSL }, differ: { as: 'structure', changes: ['addCheck', 'dropCheck'] } },
  options: {
    fingerprinted: true, model: { notYet: 'the model DSL cannot state storage options yet (issue 18); SQL-file models and introspection can' },
    differ: { as: 'structure', changes: ['alterTableOptions'] },
  },
  aka: {
    fingerprinted: { no: FORMER_NAMES }, model: true,
    differ: { as: 'renames', changes: ['renameTable'], why: 'a former name that the database has makes a rename instead of a drop and a create' },
  },
};

/** The attribute rules of a table of rules, in field order, each with its field's name. */
export function attributes<R, A extends AttributeRule<R>>(rules: FieldRules<R, A>): readonly (A & { readonly field: keyof R })[] {
  const out: (A & { field: keyof R })[] = [];
  for (const field of Object.keys(rules) as (keyof R)[]) {
    const d = (rules as Record<keyof R, FieldRule<A>>)[field].differ;
    if (d.as === 'attribute') out.push({ ...(d as A), field });
  }
  return out;
}

/** The column attributes the differ compares, in field order. */
export const COLUMN_ATTRIBUTES = attributes(COLUMN_FIELDS);
