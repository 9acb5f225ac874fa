/**
 * Random schemas for the property test, as plain specs (so fast-check can print and shrink
 * them), plus random edits (renames through aka included) and random rows.
 */
import fc from 'fast-check';
import { table, index, integer, bigint, real, decimal, text, varchar, boolean, date, manyToMany, type Table, type ColumnBuilder } from '../../src/index.js';

export type TypeSpec =
  | { k: 'integer' } | { k: 'bigint' } | { k: 'real' } | { k: 'text' } | { k: 'boolean' } | { k: 'date' }
  | { k: 'varchar'; n: number } | { k: 'decimal'; p: number; s: number };
export interface ColSpec { name: string; type: TypeSpec; nullable: boolean; def: string | number | boolean | null; aka?: string[] }
export interface IndexSpec { name: string; cols: string[]; unique: boolean }
/** A foreign key from a link column to a table's `id`. */
export interface FkSpec { ref: string; onDelete: 'cascade' | 'set null' | 'no action' }
/**
 * Link columns: `fk` (to an earlier table), `sf` (to the table itself), `bk` (back to a later
 * table: a cycle). Each is a nullable column typed like the `id` it references.
 */
export const LINKS = ['fk', 'sf', 'bk'] as const;
export interface TableSpec {
  name: string; aka?: string[]; cols: ColSpec[]; indexes: IndexSpec[]; uniques: string[][];
  /** The table's `id` is a bigint (widened from integer). */
  bigId?: boolean;
  /** Link column name → the foreign key it carries (null: a plain column, no foreign key). */
  links?: Record<string, FkSpec | null>;
  /** A many-to-many join table between two tables (maybe the same one): columns l_id, r_id when `named`, else manyToMany's defaults. */
  join?: { left: string; right: string; named: boolean };
}

/** The two columns of a join table (as manyToMany names them). */
export function joinColumns(t: TableSpec): [string, string] {
  const j = t.join!;
  if (j.named) return ['l_id', 'r_id'];
  return j.left === j.right ? [`from_${j.left}_id`, `to_${j.right}_id`] : [`${j.left}_id`, `${j.right}_id`];
}
export type SchemaSpec = TableSpec[];
export type Row = Record<string, string | number | boolean | null>;

const typeArb: fc.Arbitrary<TypeSpec> = fc.oneof(
  fc.constant({ k: 'integer' as const }), fc.constant({ k: 'bigint' as const }), fc.constant({ k: 'real' as const }),
  fc.constant({ k: 'text' as const }), fc.constant({ k: 'boolean' as const }), fc.constant({ k: 'date' as const }),
  fc.integer({ min: 5, max: 40 }).map((n) => ({ k: 'varchar' as const, n })),
  fc.record({ p: fc.integer({ min: 6, max: 12 }), s: fc.integer({ min: 0, max: 3 }) }).map(({ p, s }) => ({ k: 'decimal' as const, p, s })),
);

const numberText: fc.Arbitrary<string> = fc.oneof(fc.integer().map(String), fc.integer({ min: -1e12, max: 1e12 }).map((n) => ` ${n}`), fc.constantFrom('1.5', '', '12abc'));

export function valueArb(t: TypeSpec): fc.Arbitrary<string | number | boolean> {
  switch (t.k) {
    case 'integer': return fc.integer({ min: -100000, max: 100000 });
    case 'bigint': return fc.integer({ min: -1e12, max: 1e12 });
    case 'real': return fc.integer({ min: -4000, max: 4000 }).map((n) => n / 4);
    // Text that does and does not convert to a number (numbers beyond the integer range included).
    case 'text': return fc.oneof(fc.string({ maxLength: 30 }), numberText).map((s) => s.replace(/\u0000/g, ''));
    case 'varchar': return fc.oneof(fc.string({ maxLength: t.n }), numberText.filter((x) => x.length <= t.n)).map((s) => s.replace(/\u0000/g, ''));
    case 'boolean': return fc.boolean();
    case 'date': return fc.date({ min: new Date('1990-01-01'), max: new Date('2030-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    case 'decimal': return fc.integer({ min: -(10 ** (t.p - 1)) + 1, max: 10 ** (t.p - 1) - 1 }).map((n) => n / 10 ** t.s);
  }
}

function defaultArb(t: TypeSpec): fc.Arbitrary<string | number | boolean> {
  switch (t.k) {
    case 'text': case 'varchar': return fc.constantFrom('x', "it's", 'none');
    default: return valueArb(t);
  }
}

const colArb = (name: string): fc.Arbitrary<ColSpec> => typeArb.chain((type) => fc.record({
  name: fc.constant(name), type: fc.constant(type), nullable: fc.boolean(), def: fc.option(defaultArb(type), { nil: null }),
}));

const tableArb = (name: string): fc.Arbitrary<TableSpec> =>
  fc.uniqueArray(fc.constantFrom('c0', 'c1', 'c2', 'c3', 'c4', 'c5'), { minLength: 1, maxLength: 5 }).chain((names) =>
    fc.tuple(...names.map(colArb)).chain((cols) => fc.record({
      name: fc.constant(name),
      cols: fc.constant(cols),
      indexes: fc.uniqueArray(fc.subarray(cols.map((c) => c.name), { minLength: 1, maxLength: Math.min(2, cols.length) }), { maxLength: 2, selector: (a) => a.join() })
        .map((sets) => sets.map((cs, i) => ({ name: `${name}_ix${i}`, cols: cs, unique: false }))),
      uniques: fc.constant([] as string[][]),
    })));

const plainArb: fc.Arbitrary<SchemaSpec> = fc.uniqueArray(fc.constantFrom('t0', 't1', 't2', 't3'), { minLength: 1, maxLength: 3 })
  .chain((names) => fc.tuple(...names.map(tableArb)));

/**
 * Tables, some with a foreign key to an earlier table, some referencing themselves, maybe the
 * first one referencing the last (a cycle), and maybe a many-to-many join table (between two
 * tables or one and itself; with its own column names or manyToMany's defaults).
 */
export const schemaArb: fc.Arbitrary<SchemaSpec> = plainArb.chain((ts) => fc.tuple(
  fc.array(fc.option(fc.constantFrom('cascade' as const, 'set null' as const, 'no action' as const), { nil: null }), { minLength: ts.length, maxLength: ts.length }),
  fc.array(fc.boolean(), { minLength: ts.length, maxLength: ts.length }),
  fc.boolean(),
  fc.option(fc.record({ self: fc.boolean(), named: fc.boolean() }), { nil: null }),
).map(([fks, selfs, back, join]) => {
  const link = (name: string, ref: string, onDelete: FkSpec['onDelete']): [ColSpec, [string, FkSpec]] =>
    [{ name, type: { k: 'integer' }, nullable: true, def: null }, [name, { ref, onDelete }]];
  const out: SchemaSpec = ts.map((t, i) => {
    const add: [ColSpec, [string, FkSpec]][] = [];
    if (i > 0 && fks[i]) add.push(link('fk', ts[i - 1]!.name, fks[i]!));
    if (selfs[i]) add.push(link('sf', t.name, 'set null'));
    if (i === 0 && back && ts.length >= 2) add.push(link('bk', ts[ts.length - 1]!.name, 'set null'));
    return add.length ? { ...t, cols: [...t.cols, ...add.map((x) => x[0])], links: Object.fromEntries(add.map((x) => x[1])) } : t;
  });
  if (join && (join.self || ts.length >= 2)) {
    out.push({ name: 'j0', cols: [], indexes: [], uniques: [], join: { left: ts[0]!.name, right: join.self ? ts[0]!.name : ts[1]!.name, named: join.named } });
  }
  return out;
}));

/** Rows for every table of a schema (ids 1..n). */
export function rowsArb(s: SchemaSpec): fc.Arbitrary<Record<string, Row[]>> {
  const plain = s.filter((t) => !t.join);
  return fc.tuple(
    fc.tuple(...plain.map((t) => fc.array(fc.tuple(...t.cols.map((c) => c.nullable ? fc.option(valueArb(c.type), { nil: null }) : valueArb(c.type))), { maxLength: 4 })
      .map((vals) => vals.map((v, i) => ({ id: i + 1, ...Object.fromEntries(t.cols.map((c, j) => [c.name, v[j]!])) }) as Row)))),
    fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 6 }),
  ).map(([all, pairs]) => {
    const data: Record<string, Row[]> = Object.fromEntries(plain.map((t, i) => [t.name, all[i]!]));
    // Foreign keys point at existing parents (or are NULL); a row references only earlier rows of its own table.
    for (const t of plain) {
      for (const [col, fk] of Object.entries(t.links ?? {})) {
        if (!fk) continue;
        for (const r of data[t.name]!) {
          const n = fk.ref === t.name ? Number(r.id) - 1 : data[fk.ref]!.length;
          r[col] = n <= 0 || r[col] === null ? null : (Math.abs(Number(r[col])) % n) + 1;
        }
      }
    }
    for (const t of s) {
      if (!t.join) continue;
      const nl = data[t.join.left]!.length;
      const nr = data[t.join.right]!.length;
      const [lc, rc] = joinColumns(t);
      const seen = new Set<string>();
      data[t.name] = nl && nr ? pairs.map(([a, b]) => ({ [lc]: (a % nl) + 1, [rc]: (b % nr) + 1 })).filter((r) => { const k = `${r[lc]}:${r[rc]}`; if (seen.has(k)) return false; seen.add(k); return true; }) : [];
    }
    return data;
  });
}

/** A widening (or always-converting) type change for `t`, if any. */
function widen(t: TypeSpec, r: number): TypeSpec | null {
  switch (t.k) {
    case 'integer': return [{ k: 'bigint' as const }, { k: 'text' as const }][r % 2]!;
    case 'varchar': return r % 2 ? { k: 'varchar', n: t.n + 10 } : { k: 'text' };
    case 'decimal': return { k: 'decimal', p: t.p + 2, s: t.s };
    case 'bigint': return { k: 'text' };
    default: return null;
  }
}

/** A narrowing type change for `t`: values may or may not convert. */
function narrow(t: TypeSpec, r: number): TypeSpec | null {
  switch (t.k) {
    case 'varchar': return r % 2 ? { k: 'varchar', n: Math.max(1, Math.floor(t.n / 3)) } : { k: 'integer' };
    case 'text': return r % 2 ? { k: 'varchar', n: 3 } : { k: 'integer' };
    case 'bigint': return { k: 'integer' };
    case 'real': return { k: 'integer' };
    case 'decimal': return t.p - t.s > 2 ? { k: 'decimal', p: t.p - 2, s: t.s } : null;
    default: return null;
  }
}

/**
 * Derive schema B from A with edits chosen by `dice`: tables kept, renamed (aka) or dropped;
 * columns kept, dropped, renamed (aka), widened, made nullable / not null with a default, given
 * a new default, narrowed (values may not convert); ids widened to bigint together with every
 * foreign key to them; foreign keys kept (following renamed tables) or removed; columns,
 * indexes and tables added.
 */
export function derive(a: SchemaSpec, dice: number[]): SchemaSpec {
  let i = 0;
  const roll = (n: number): number => (dice[i++ % dice.length]! % n);
  const out: SchemaSpec = [];
  const names = new Map<string, string>(); // A name → B name, for surviving tables
  const bigIds = new Set<string>(); // B names of tables whose id is (now) a bigint
  for (const t of a) {
    if (t.join) continue;
    const op = roll(6);
    if (op === 0 && a.filter((x) => !x.join).length > 1) continue; // drop table
    names.set(t.name, op === 1 ? `${t.name}_r` : t.name);
    // Sometimes widen the id: every foreign key to it (and join column) widens with it.
    if (t.bigId || roll(4) === 0) bigIds.add(names.get(t.name)!);
  }
  const links = new Map<string, Record<string, FkSpec | null>>(); // B table → its links
  for (const t of a) {
    if (t.join || !names.has(t.name) || !t.links) continue;
    links.set(names.get(t.name)!, Object.fromEntries(Object.entries(t.links).map(([col, fk]) =>
      [col, fk && names.has(fk.ref) && roll(3) !== 0 ? { ...fk, ref: names.get(fk.ref)! } : null])));
  }
  for (const t of a) {
    if (t.join) continue;
    if (!names.has(t.name)) continue;
    const name = names.get(t.name)!;
    const renames = new Map<string, string>();
    const cols: ColSpec[] = [];
    for (const c of t.cols) {
      if ((LINKS as readonly string[]).includes(c.name)) {
        const fk = links.get(name)?.[c.name];
        cols.push(fk ? { ...c, type: { k: bigIds.has(fk.ref) ? 'bigint' : 'integer' } } : { ...c });
        continue;
      }
      const cop = roll(9);
      if (cop === 0 && (cols.length > 0 || c !== t.cols[t.cols.length - 1])) continue; // drop column (one always stays)
      let col: ColSpec = { ...c };
      delete col.aka;
      if (cop === 1) { col = { ...col, name: `${c.name}_r`, aka: [c.name] }; renames.set(c.name, col.name); }
      if (cop === 2) { const w = widen(c.type, roll(2)); if (w) col = { ...col, type: w, def: null }; }
      if (cop === 3) col = { ...col, nullable: true };
      if (cop === 4) col = c.def !== null ? { ...col, nullable: false } : { ...col, nullable: true };
      if (cop === 5) col = { ...col, def: null };
      if (cop === 6) { const n = narrow(c.type, roll(2)); if (n) col = { ...col, type: n, def: null }; }
      cols.push(col);
    }
    if (roll(3) === 0) cols.push({ name: 'n0', type: { k: 'integer' }, nullable: roll(2) === 0, def: 7 });
    const surviving = new Map(cols.map((c) => [c.aka?.[0] ?? c.name, c.name]));
    const indexes = t.indexes
      .filter((ix) => ix.cols.every((c) => surviving.has(c)) && roll(4) !== 0)
      .map((ix) => ({ ...ix, cols: ix.cols.map((c) => surviving.get(c)!) }));
    if (roll(3) === 0 && cols.length) indexes.push({ name: `${name}_nx`, cols: [cols[0]!.name], unique: false });
    out.push({
      name, ...(name !== t.name ? { aka: [t.name] } : {}), cols, indexes, uniques: [],
      ...(bigIds.has(name) ? { bigId: true } : {}), ...(links.has(name) ? { links: links.get(name)! } : {}),
    });
  }
  for (const t of a) {
    if (!t.join || !names.has(t.join.left) || !names.has(t.join.right) || roll(4) === 0) continue;
    const rename = roll(3) === 0;
    out.push({ name: rename ? `${t.name}_r` : t.name, ...(rename ? { aka: [t.name] } : {}), cols: [], indexes: [], uniques: [], join: { left: names.get(t.join.left)!, right: names.get(t.join.right)!, named: t.join.named } });
  }
  if (roll(4) === 0) out.push({ name: 'tn', cols: [{ name: 'c0', type: { k: 'text' }, nullable: true, def: null }], indexes: [], uniques: [] });
  return out;
}

function builder(t: TypeSpec): ColumnBuilder {
  switch (t.k) {
    case 'integer': return integer();
    case 'bigint': return bigint();
    case 'real': return real();
    case 'text': return text();
    case 'boolean': return boolean();
    case 'date': return date();
    case 'varchar': return varchar(t.n);
    case 'decimal': return decimal(t.p, t.s);
  }
}

/** Models for a spec. Every table has an `id integer` primary key. */
export function toModels(s: SchemaSpec): Table[] {
  const byName = new Map<string, Table>();
  const out: Table[] = [];
  for (const t of s.filter((x) => !x.join)) {
    const cols: Record<string, ColumnBuilder> = { id: (t.bigId ? bigint() : integer()).primaryKey() };
    for (const c of t.cols) {
      let b = builder(c.type);
      const fk = t.links?.[c.name];
      if (fk) b = b.references(() => ({ tableName: fk.ref, columnName: 'id' }), { onDelete: fk.onDelete });
      if (!c.nullable) b = b.notNull();
      if (c.def !== null) b = b.default(c.def);
      if (c.aka) b = b.aka(...c.aka);
      cols[c.name] = b;
    }
    const model = table(t.name, cols, { ...(t.aka ? { aka: t.aka } : {}), indexes: t.indexes.map((ix) => (ix.unique ? index(ix.name).on(...ix.cols).unique() : index(ix.name).on(...ix.cols))) });
    byName.set(t.name, model);
    out.push(model);
  }
  for (const t of s) {
    if (!t.join) continue;
    out.push(manyToMany(t.name, byName.get(t.join.left)!, byName.get(t.join.right)!, { ...(t.join.named ? { leftColumn: 'l_id', rightColumn: 'r_id' } : {}), ...(t.aka ? { aka: t.aka } : {}) }));
  }
  return out;
}
