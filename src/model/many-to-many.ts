/**
 * Many-to-many relations: a join table between two models, built as an ordinary model so it
 * is created, fingerprinted and evolved like any other table.
 */
import { EvolveError, ErrorCode } from '../errors.js';
import { ColumnBuilder, type ReferenceOptions } from './column.js';
import { index, table, type Table } from './table.js';

/** Options of {@link manyToMany}. */
export interface ManyToManyOptions {
  /** Column referencing the left model (default `<left>_id`, or `from_<left>_id` for a self-relation). */
  leftColumn?: string;
  /** Column referencing the right model (default `<right>_id`, or `to_<right>_id` for a self-relation). */
  rightColumn?: string;
  /**
   * Former name(s) of the left column. By default (when `leftColumn` is not given) the default
   * names of the left model's former names (its `aka`) are former names too, so renaming a side
   * table renames its join column and keeps the links.
   */
  leftColumnAka?: string | string[];
  /** Former name(s) of the right column (see `leftColumnAka`). */
  rightColumnAka?: string | string[];
  /** Former name(s) of the join table. */
  aka?: string | string[];
  /** What deleting a row on either side does to its links (default `cascade`). */
  onDelete?: ReferenceOptions['onDelete'];
}

const asList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function keyOf(model: Table, role: string): { column: string; builder: ColumnBuilder } {
  const pk = Object.entries(model.builders).filter(([, b]) => b.definition().primaryKey);
  const composite = model.options?.primaryKey;
  if (pk.length !== 1 || composite) {
    throw new EvolveError(ErrorCode.ModelInvalid, `manyToMany: the ${role} model '${model.name}' needs a single-column primary key.`, {
      hint: 'Give it one (e.g. id: integer().primaryKey({ autoIncrement: true })), or write the join table yourself with table().',
    });
  }
  const [key, builder] = pk[0]!;
  return { column: builder.definition().name ?? key, builder };
}

/**
 * A join table linking `left` and `right`: two NOT NULL columns typed like the two primary
 * keys, each a foreign key (ON DELETE CASCADE by default), together the primary key, with an
 * index for lookups from the right side. Renaming a side model (with `aka`) renames its
 * default-named join column too, so the links survive; give `leftColumnAka` / `rightColumnAka`
 * for columns renamed otherwise.
 *
 * @example
 * ```ts
 * export const post = table('post', { id: integer().primaryKey({ autoIncrement: true }), title: text() });
 * export const tag = table('tag', { id: integer().primaryKey({ autoIncrement: true }), label: text() });
 * export const postTag = manyToMany('post_tag', post, tag);
 * ```
 */
export function manyToMany(name: string, left: Table, right: Table, options: ManyToManyOptions = {}): Table {
  const l = keyOf(left, 'left');
  const r = keyOf(right, 'right');
  const self = left.name === right.name;
  const leftName = (n: string): string => (self ? `from_${n}_id` : `${n}_id`);
  const rightName = (n: string): string => (self ? `to_${n}_id` : `${n}_id`);
  const lc = options.leftColumn ?? leftName(left.name);
  const rc = options.rightColumn ?? rightName(right.name);
  // Former column names: given, and the defaults of the side models' former names.
  const formerOf = (
    given: string | string[] | undefined, explicit: string | undefined, model: Table, named: (n: string) => string, current: string,
  ): string[] => {
    const derived = explicit === undefined ? asList(model.options?.aka).map(named) : [];
    return [...new Set([...asList(given), ...derived])].filter((n) => n !== current);
  };
  const lAka = formerOf(options.leftColumnAka, options.leftColumn, left, leftName, lc);
  const rAka = formerOf(options.rightColumnAka, options.rightColumn, right, rightName, rc);
  if (lc === rc) {
    throw new EvolveError(ErrorCode.ModelInvalid, `manyToMany('${name}'): both columns are named '${lc}'.`, {
      hint: 'Give leftColumn and rightColumn distinct names.',
    });
  }
  const onDelete = options.onDelete ?? 'cascade';
  const col = (b: ColumnBuilder, target: Table, targetColumn: string, aka: string[]): ColumnBuilder =>
    new ColumnBuilder(b.definition().type).notNull().references(() => ({ tableName: target.name, columnName: targetColumn }), { onDelete }).aka(...aka);
  return table(name, { [lc]: col(l.builder, left, l.column, lAka), [rc]: col(r.builder, right, r.column, rAka) }, {
    primaryKey: [lc, rc],
    indexes: [index(`${name}_${rc}_idx`).on(rc)],
    ...(options.aka !== undefined ? { aka: options.aka } : {}),
  });
}
