/**
 * PostgreSQL introspection from pg_catalog: four queries at most whatever the number of tables
 * (the tables' oids with what kinds of object the schemas hold; columns; constraints and
 * indexes; the objects beyond tables of those kinds — see `objects.ts`), whatever the number of schemas:
 * the primary schema (names unqualified) and the extra schemas opted into (`--schemas`; names
 * `schema.name`), passed as one text array. Evolve's own `_evolve*` tables and other schemas are
 * left out, and so is what an expand/contract type change that has not swapped yet made
 * (`_evolve_new_*` columns, checks and indexes, `_evolve_sync_*` triggers and functions).
 * Partitions and INHERITS children are tables, with what they have of their own (what
 * their parents give them is the parents'), their lineage in their options.
 *
 * pg_class has no index by schema: it is scanned once, by the first query, and the queries that
 * follow look the tables up by oid (`$2`), so that their cost follows the size of the schema,
 * not of the server's catalogs (a shared server may hold many schemas).
 */
import type {
  CheckIR, ColumnIR, ColumnType, DefaultValue, ForeignKeyIR, IndexIR, ObjectIR, ReferentialAction, SchemaIR, TableIR, UniqueIR,
} from '../../ir/schema.js';
import { deepFreeze } from '../../ir/schema.js';
import { besideReader, type Connection, type Row } from '../connection.js';
import type { IntrospectOptions } from '../dialect.js';
import { DEFAULT_SCHEMA, isPgConnection } from './connection.js';
import { canonicalExpression, normaliseColumnDefault, normaliseType, parsePgDefault } from './normalise.js';
import { parsePgType, postgresSql, splitName, truncateIdentifier } from './sql-builder.js';
import { postgresIndexObject, postgresIntrospectObjects, stripSchema } from './objects.js';
import { HAVE, NS, qual, REL_CTE } from './objects-sql.js';
import { isShadowName } from './expand-names.js';

const q = postgresSql.ident;
/** What a shadow column is, where the schema's unmanaged things are listed. */
const UNFINISHED = 'the new column of a type change that did not finish: evolve apply resumes it, or removes it';

/**
 * The ordinary and partitioned tables of the schemas $1 (`tables`: `[oid, name]` pairs in the
 * order of their names; partitions too, not Evolve's own tables), and what kinds of object the
 * schemas hold (`have`, see `HAVE`). The queries that follow take the oids (`$2`) and answer
 * with each table's position in that list (`t`, from 1), so no row repeats a table's name and
 * nothing sorts by text.
 */
const START_SQL = `WITH ${REL_CTE}
SELECT (SELECT json_agg(json_build_array(x.oid, x.name) ORDER BY x.name) FROM (
    SELECT c.oid, ${qual('c.relnamespace', 'c.relname')} AS name FROM rel JOIN pg_class c ON c.oid = rel.oid
    WHERE rel.relkind IN ('r', 'p') AND rel.relname NOT LIKE '\\_evolve%') x) AS tables,
  ${HAVE} AS have,
  pg_catalog.txid_current_if_assigned() IS NULL AS quiet`;

/**
 * The tables of `START_SQL` ($2, an oid array) as `c`: a join on the array's elements (a filter
 * `c.oid = ANY($2)` on a scan of pg_class compares every row of it with every element).
 */
const TABLES = `unnest($2::oid[]) u(oid) JOIN pg_class c ON c.oid = u.oid`;

/** The tables of parameter `p` (an oid array) as `u`, with each one's position (`u.ord`, from 1), without their pg_class rows. */
const tableOrd = (p: string): string => `unnest(${p}::oid[]) WITH ORDINALITY u(oid, ord)`;

/**
 * Types of OIDs below 10000 are the built-in ones (assigned at bootstrap), all of pg_catalog:
 * only another type's schema is looked up. The collatable built-in types whose own collation is
 * the database default (text, character, character varying and their arrays) skip the lookup of
 * the type's collation when the column has that one.
 */
const COLUMNS_SQL = `
SELECT u.ord::int AS t, a.attnum AS num, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
  CASE WHEN a.atttypid >= 10000 THEN (
    SELECT tn.nspname FROM pg_type ty JOIN pg_namespace tn ON tn.oid = ty.typnamespace WHERE ty.oid = a.atttypid) END AS type_schema,
  a.attnotnull AS notnull, a.attidentity AS identity, a.attgenerated AS generated,
  pg_get_expr(d.adbin, d.adrelid) AS dflt, a.attcollation AS collid,
  -- a collation other than the type's own (the database default for text): see collationName()
  CASE WHEN a.attcollation <> 0 AND NOT (a.attcollation = 100 AND a.atttypid IN (25, 1042, 1043, 1009, 1014, 1015))
    AND a.attcollation <> (SELECT ty.typcollation FROM pg_type ty WHERE ty.oid = a.atttypid) THEN (
    SELECT json_build_array(co.collname, cn.nspname) FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace
    WHERE co.oid = a.attcollation) END AS coll,
  -- the column owns a sequence (serial when the default takes its nextval(): see column())
  -- (nextval is function 1574 in every version: its call in the default's node tree)
  (d.adbin IS NOT NULL AND d.adbin::text LIKE '%:funcid 1574 %' AND EXISTS (
    SELECT 1 FROM pg_depend dep
    WHERE dep.refclassid = 'pg_class'::regclass AND dep.refobjid = a.attrelid AND dep.refobjsubid = a.attnum
      AND dep.classid = 'pg_class'::regclass AND dep.deptype = 'a'
      AND (SELECT s.relkind FROM pg_class s WHERE s.oid = dep.objid) = 'S')) AS owns_seq
FROM ${tableOrd('$1')}
JOIN pg_attribute a ON a.attrelid = u.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum`;

/** Column names of a constraint key, in key order (each looked up by its number: no scan of the table's columns). */
const keyNames = (key: string, rel: string): string =>
  `array_to_json(ARRAY(SELECT (SELECT a.attname FROM pg_attribute a WHERE a.attrelid = ${rel} AND a.attnum = k.n)
    FROM unnest(${key}) WITH ORDINALITY k(n, o) ORDER BY k.o))`;

/** `r` is one of the tables of `START_SQL` (whose columns the introspector has read). */
const READ_TABLE = `(r.relnamespace IN ${NS} AND r.relkind IN ('r', 'p') AND r.relname NOT LIKE '\\_evolve%')`;

// Constraints (part 'c') and indexes (part 'i'): one round trip, one row shape. Keys come as
// column numbers (`cols`, `ref_nums`), named from the columns read (a reference to a table not
// read, in a schema Evolve does not manage, comes named: `ref_cols`, `ref_table`).
const KEYS_SQL = `
SELECT 'c' AS part, u.ord::int AS t, con.conname AS name, con.contype::text AS type, con.conkey AS cols,
  con.confrelid AS ref, con.confkey AS ref_nums,
  -- a table of a schema Evolve does not manage is named with its schema (schema.table): it is
  -- not the managed schema's table of the same name
  CASE WHEN con.contype = 'f' AND NOT ${READ_TABLE} THEN CASE WHEN r.relnamespace IN ${NS} THEN ${qual('r.relnamespace', 'r.relname')}
    ELSE (SELECT n.nspname::text FROM pg_namespace n WHERE n.oid = r.relnamespace) || '.' || r.relname END END AS ref_table,
  CASE WHEN con.contype = 'f' AND NOT ${READ_TABLE} THEN ${keyNames('con.confkey', 'con.confrelid')} END AS ref_cols,
  con.confdeltype::text AS on_delete, con.confupdtype::text AS on_update,
  CASE WHEN con.contype = 'c' THEN pg_get_constraintdef(con.oid) END AS def,
  NULL::bool AS uniq, NULL::text AS pred, NULL::bool AS plain, NULL::oid[] AS colls, NULL::oid AS ioid
FROM ${tableOrd('$2')}
JOIN pg_constraint con ON con.conrelid = u.oid
LEFT JOIN pg_class r ON r.oid = con.confrelid
-- not what a partition or an INHERITS child has from its parent (its parent's, created with it)
WHERE con.contype IN ('p', 'u', 'f', 'c') AND con.conislocal AND con.conparentid = 0
UNION ALL
-- Indexes that back a primary key, unique or exclusion constraint are the constraint's business
-- (a primary key's always does; only a unique or exclusion index may).
-- plain: a btree on columns, in default order and opclass, without INCLUDE — what IndexIR says,
-- read as columns and predicate, once the introspector has compared its collations with its
-- columns' (colls); any other index is an object, defined by pg_get_indexdef (only then asked
-- for: it is the dearest call here).
SELECT 'i', u.ord::int, ic.relname, NULL, i.indkey::int2[], NULL, NULL, NULL, NULL, NULL, NULL,
  CASE WHEN x.plain THEN NULL ELSE pg_get_indexdef(i.indexrelid) END, i.indisunique,
  CASE WHEN x.plain THEN pg_get_expr(i.indpred, i.indrelid) END, x.plain, i.indcollation::oid[], i.indexrelid
FROM ${tableOrd('$2')}
JOIN pg_index i ON i.indrelid = u.oid
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_am am ON am.oid = ic.relam
CROSS JOIN LATERAL (SELECT (am.amname = 'btree' AND i.indexprs IS NULL AND i.indnatts = i.indnkeyatts
    AND 0 = ALL (i.indoption::int2[])
    AND NOT (i.indclass::oid[] && ARRAY(SELECT op.oid FROM pg_opclass op WHERE NOT op.opcdefault))) AS plain
  OFFSET 0) x
WHERE NOT i.indisprimary AND (NOT (i.indisunique OR i.indisexclusion) OR NOT EXISTS (
  SELECT 1 FROM pg_constraint x WHERE x.conindid = i.indexrelid AND x.conrelid = i.indrelid AND x.contype IN ('p', 'u', 'x')))
  -- a partition's index attached to its partitioned table's index is the parent's
  AND NOT ic.relispartition`;

/** The definitions of the indexes $1 (oids) found not plain by their collations. */
const INDEXDEF_SQL = `SELECT u.oid AS ioid, pg_get_indexdef(u.oid) AS def FROM unnest($1::oid[]) u(oid)`;

/**
 * How the tables of `$2` are partitioned or inherit (only those that do): a partitioned
 * table's key (`pg_get_partkeydef`), a partition's bound, the parents of a partition or an
 * INHERITS child in order (named as foreign keys name tables).
 */
const LINEAGE_SQL = `
SELECT ${qual('c.relnamespace', 'c.relname')} AS tbl, c.relispartition AS partition,
  CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partkey,
  CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS bound,
  (SELECT json_agg(CASE WHEN pc.relnamespace IN ${NS} THEN ${qual('pc.relnamespace', 'pc.relname')}
      ELSE (SELECT n.nspname::text FROM pg_namespace n WHERE n.oid = pc.relnamespace) || '.' || pc.relname END ORDER BY h.inhseqno)
    FROM pg_inherits h JOIN pg_class pc ON pc.oid = h.inhparent WHERE h.inhrelid = c.oid) AS parents
FROM ${TABLES}
WHERE c.relkind = 'p' OR c.relispartition OR EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = c.oid)`;

/**
 * A table's partitioning and inheritance as its options (see docs/fingerprint.md):
 * `partition_by` (a partitioned table's key), `partition_of` and `partition_bound` (a
 * partition's parent and bound), `inherits` (an INHERITS child's parents, comma-separated).
 */
function lineageOptions(r: Row, schema: string): Record<string, string> {
  const out: Record<string, string> = {};
  const parents = strings(r.parents);
  if (typeof r.partkey === 'string') out.partition_by = stripSchema(r.partkey, schema);
  if (r.partition === true) {
    out.partition_of = parents[0] ?? '';
    out.partition_bound = stripSchema(String(r.bound), schema);
  } else if (parents.length) {
    out.inherits = parents.join(', ');
  }
  return out;
}

const ACTIONS: Record<string, ReferentialAction> = { a: 'no action', r: 'restrict', c: 'cascade', n: 'set null', d: 'set default' };

/**
 * Rows grouped by their table's position (`t`, from 1): index `t - 1`, each group in `cmp`'s
 * order (the queries do not sort: the server's sort cost more than these small ones).
 */
function byTable(rows: Row[], n: number, cmp: (a: Row, b: Row) => number): Row[][] {
  const out: Row[][] = Array.from({ length: n }, () => []);
  for (const r of rows) out[Number(r.t) - 1]?.push(r);
  for (const g of out) {
    for (let i = 1; i < g.length; i++) if (cmp(g[i - 1]!, g[i]!) > 0) { g.sort(cmp); break; }
  }
  return out;
}

/** Columns by number. */
const byNumber = (a: Row, b: Row): number => Number(a.num) - Number(b.num);

/** Constraints, then indexes, each by name in the order of type `name` (its C collation: bytes of UTF-8). */
const byPartAndName = (a: Row, b: Row): number => (a.part === b.part ? utf8Order(String(a.name), String(b.name)) : a.part === 'c' ? -1 : 1);

/** The order of UTF-8 bytes, for JavaScript strings: UTF-16 order but for a surrogate against U+E000–U+FFFF. */
function utf8Order(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

/**
 * A type name without its schema (a type of this schema, or one an extension put elsewhere);
 * a type of an extra schema keeps it (`billing.mood`), as its name in the IR does.
 */
function typeText(r: Row, schema: string, extra: readonly string[]): string {
  const text = String(r.type);
  const ns = typeof r.type_schema === 'string' ? r.type_schema : null;
  if (ns !== null && ns !== schema && extra.includes(ns)) return text;
  return ns === null || ns === 'pg_catalog' ? text : stripSchema(text, ns === schema ? schema : ns);
}

/** A CHECK constraint's expression from `pg_get_constraintdef`: `CHECK ((a > 0)) NOT VALID` → `(a > 0)`. */
export function checkExpression(def: string): string {
  return def.replace(/^\s*CHECK\s*/i, '').replace(/\s+NO INHERIT\s*$/i, '').replace(/\s+NOT VALID\s*$/i, '').replace(/\s+NO INHERIT\s*$/i, '').trim();
}

/**
 * A column's collation as the IR names it: its own name for one of `pg_catalog` (`C`,
 * `en_US.utf8`, `und-x-icu`) or of the schema introspected (the session's `search_path` finds
 * both); quoted and qualified (`"other"."coll"`) for one of any other schema. Names are kept
 * as they are: collation names are case-sensitive, and may hold dots.
 */
export function collationName(name: string, namespace: string, schema: string): string {
  return namespace === 'pg_catalog' || namespace === schema ? name : `${q(namespace)}.${q(name)}`;
}

/**
 * Indexes read as plain whose key collations are not their columns' own are objects: their
 * rows get `plain: false` and their statement (read now, in one query: rare).
 */
async function readOddIndexes(conn: Connection, keys: Row[], colsBy: readonly Row[][]): Promise<void> {
  const collAt = (t: number, num: number): number => {
    for (const r of colsBy[t]!) if (Number(r.num) === num) return Number(r.collid ?? 0);
    return 0;
  };
  const odd = keys.filter((r) => r.part === 'i' && r.plain === true && Array.isArray(r.colls)
    && (r.colls as unknown[]).some((c, k) => Number(c) !== 0 && Number(c) !== collAt(Number(r.t) - 1, Number((r.cols as unknown[])[k]))));
  if (odd.length === 0) return;
  const defs = new Map((await conn.query(INDEXDEF_SQL, [odd.map((r) => r.ioid)])).map((r) => [Number(r.ioid), r.def]));
  for (const r of odd) { r.plain = false; r.def = defs.get(Number(r.ioid)); r.pred = null; }
}

/**
 * The catalog rows of one introspection: the tables first (START_SQL), then the columns on the
 * session and the keys, objects and lineage beside it on the catalog reader when the session
 * has written nothing uncommitted (its transaction has no id, so the reader sees what it sees),
 * else on the session too.
 */
async function readCatalog(conn: Connection, schema: string, extra: readonly string[]): Promise<{
  list: [number, string][]; oids: number[]; cols: Row[]; keys: Row[]; found: Awaited<ReturnType<typeof postgresIntrospectObjects>>; lines: Row[];
}> {
  const schemas = [schema, ...extra];
  // The catalog reader opens while the first query runs.
  const opening = isPgConnection(conn) ? conn.catalogReader?.() : undefined;
  opening?.catch(() => undefined);
  const start = (await conn.query(START_SQL, [schemas]))[0];
  const list = (start?.tables as [number, string][] | null | undefined) ?? [];
  const oids = list.map((x) => x[0]);
  const have = new Set((start?.have as string[] | undefined) ?? []);
  const none = Promise.resolve([]);
  const lineage = oids.length && (have.has('rel:p') || have.has('inh'));
  const other = await besideReader(conn, start?.quiet === true ? opening : undefined);
  const [cols, keys, found, lines] = await Promise.all([
    oids.length ? conn.query(COLUMNS_SQL, [oids]) : none,
    oids.length ? other.query(KEYS_SQL, [schemas, oids]) : none,
    postgresIntrospectObjects(other, schema, extra, have),
    lineage ? other.query(LINEAGE_SQL, [schemas, oids]) : none,
  ]);
  return { list, oids, cols, keys, found, lines };
}

/**
 * Read one schema (`options.schema`, else the connection's, else `public`) into the IR,
 * normalised, with the extra schemas (`options.schemas`, else the connection's): their tables
 * and objects named `schema.name`, each schema itself a `schema` object. A schema that does
 * not exist reads as empty (an extra one: as absent).
 */
export async function introspectPostgres(conn: Connection, options: IntrospectOptions = {}): Promise<SchemaIR> {
  let schema = options.schema ?? (isPgConnection(conn) ? conn.schema : DEFAULT_SCHEMA);
  // Generated SQL names tables unqualified: the session must address the schema introspected.
  if (isPgConnection(conn)) await conn.useSchema(schema);
  else schema = options.schema ?? DEFAULT_SCHEMA;
  const extra = [...new Set(options.schemas ?? (isPgConnection(conn) ? conn.schemas : []))].filter((x) => x !== schema);
  const { list, oids, cols, keys, found, lines } = await readCatalog(conn, schema, extra);
  const lineageBy = new Map(lines.map((r) => [String(r.tbl), lineageOptions(r, schema)]));
  const colsBy = byTable(cols, list.length, byNumber);
  // An expand/contract type change that has not swapped yet is not part of the schema (expand-names.ts).
  const keysBy = byTable(keys.filter((r) => !isShadowName(String(r.name))), list.length, byPartAndName);
  // Column names and collations by number, per table (keys come as column numbers).
  const position = new Map(oids.map((oid, i) => [Number(oid), i]));
  const nameAt = colsBy.map((rows) => { const a: string[] = []; for (const r of rows) a[Number(r.num)] = String(r.name); return a; });
  const names = (t: number, nums: unknown): string[] => (Array.isArray(nums) ? nums.map((n) => nameAt[t]![Number(n)] ?? '') : []);
  await readOddIndexes(conn, keys, colsBy);
  const objects: ObjectIR[] = [...found.objects];
  const tables: TableIR[] = [];
  const unmanaged = [...found.unmanaged];
  const ctx: ColumnContext = { schema, extra };
  for (let t = 0; t < list.length; t++) {
    const name = String(list[t]![1]);
    const rows: Row[] = [];
    for (const r of colsBy[t]!) {
      // Said, never fingerprinted: `evolve status` shows a change in progress.
      if (isShadowName(String(r.name))) unmanaged.push({ kind: 'column', name: `${String(r.name)} (${UNFINISHED})`, table: name });
      else rows.push(r);
    }
    let primaryKey: TableIR['primaryKey'] = null;
    let pk: ReadonlySet<string> = NO_PK;
    const uniques: UniqueIR[] = [];
    const foreignKeys: ForeignKeyIR[] = [];
    const checkRows: Row[] = [];
    const indexRows: Row[] = [];
    for (const c of keysBy[t]!) {
      if (c.part === 'i') { indexRows.push(c); continue; }
      const cname = cut(String(c.name));
      if (c.type === 'p') {
        const raw = names(t, c.cols);
        pk = new Set(raw);
        primaryKey = Object.freeze({ name: cname, columns: cutAll(raw) });
      } else if (c.type === 'u') uniques.push(Object.freeze({ name: cname, columns: cutAll(names(t, c.cols)) }));
      else if (c.type === 'c') checkRows.push(c);
      else {
        const ref = position.get(Number(c.ref));
        foreignKeys.push(Object.freeze({
          name: cname, columns: cutAll(names(t, c.cols)),
          refTable: cutName(ref === undefined ? String(c.ref_table) : String(list[ref]![1])),
          refColumns: cutAll(ref === undefined ? strings(c.ref_cols) : names(ref, c.ref_nums)),
          onDelete: ACTIONS[String(c.on_delete)] ?? 'no action', onUpdate: ACTIONS[String(c.on_update)] ?? 'no action',
        }));
      }
    }
    const columns = rows.map((r) => column(r, pk, ctx));
    // Expressions (generated columns, predicates, checks) are read knowing the columns' types.
    let types: Map<string, ColumnType> | undefined;
    const typesOf = (): Map<string, ColumnType> => (types ??= new Map(columns.map((c) => [c.name, c.type])));
    for (let k = 0; k < columns.length; k++) {
      const g = columns[k]!.generated;
      if (g) columns[k] = Object.freeze({ ...columns[k]!, generated: Object.freeze({ ...g, expression: canonicalExpression(g.expression, typesOf()) }) });
    }
    const indexes: IndexIR[] = [];
    for (const i of indexRows) {
      if (i.plain !== true) { objects.push(postgresIndexObject(String(i.name), name, String(i.def), schema)); continue; }
      indexes.push(Object.freeze({
        name: cut(String(i.name)), columns: cutAll(names(t, i.cols)), unique: i.uniq === true,
        where: i.pred === null ? null : canonicalExpression(stripSchema(String(i.pred), schema), typesOf()),
      }));
    }
    const checks: CheckIR[] = checkRows.map((c) => Object.freeze({
      name: cut(String(c.name)), expression: canonicalExpression(stripSchema(checkExpression(String(c.def)), schema), typesOf()),
    }));
    const opts = lineageBy.get(name);
    tables.push(Object.freeze({
      name: cutName(name), columns: Object.freeze(columns), primaryKey, uniques: Object.freeze(uniques), indexes: Object.freeze(indexes),
      foreignKeys: Object.freeze(foreignKeys), ...(checks.length ? { checks: Object.freeze(checks) } : {}), ...(opts ? { options: Object.freeze(opts) } : {}),
    }));
  }
  // Built normalised (normalisePostgres's rules: see normalise.ts) and frozen bottom-up, so
  // deepFreeze walks only the top and the objects.
  return deepFreeze({
    dialect: 'postgres' as const, tables,
    ...(objects.length ? { objects } : {}),
    ...(unmanaged.length ? { unmanaged } : {}),
  });
}

const NO_PK: ReadonlySet<string> = new Set();

/** An identifier cut as PostgreSQL cuts it; names of up to 21 UTF-16 units fit in 63 bytes whatever they hold. */
const cut = (n: string): string => (n.length <= 21 ? n : truncateIdentifier(n));
const cutAll = (names: readonly string[]): readonly string[] => Object.freeze(names.map(cut));
/** A table name cut as PostgreSQL cuts it: each part of `schema.table` on its own. */
function cutName(n: string): string {
  if (n.length <= 21) return n;
  const [s, bare] = splitName(n);
  return s === null ? truncateIdentifier(n) : `${truncateIdentifier(s)}.${truncateIdentifier(bare)}`;
}

interface ColumnContext { readonly schema: string; readonly extra: readonly string[] }

/** Column types by the type text read (one frozen object per spelling: they repeat across thousands of columns). */
const typeCache = new Map<string, ColumnType>();
/** Normalised defaults by column type and default text. */
const defaultCache = new Map<ColumnType, Map<string, DefaultValue | null>>();

function columnType(text: string): ColumnType {
  let type = typeCache.get(text);
  if (type === undefined) {
    type = deepFreeze(normaliseType(parsePgType(text)));
    if (typeCache.size >= 10_000) { typeCache.clear(); defaultCache.clear(); }
    typeCache.set(text, type);
  }
  return type;
}

function columnDefault(type: ColumnType, text: string): DefaultValue | null {
  let byText = defaultCache.get(type);
  if (byText === undefined) defaultCache.set(type, byText = new Map());
  let d = byText.get(text);
  if (d === undefined) {
    d = deepFreeze(normaliseColumnDefault(type, parsePgDefault(text)));
    byText.set(text, d);
  }
  return d;
}

/**
 * A column from its catalog row, normalised (normalisePostgres's column rules) and frozen; a
 * generated column's expression still to be made canonical (it needs every column's type).
 */
function column(r: Row, pk: ReadonlySet<string>, ctx: ColumnContext): ColumnIR {
  const identity = typeof r.identity === 'string' && r.identity !== '';
  const dflt = typeof r.dflt === 'string' ? r.dflt : null;
  // serial: the default takes nextval() of a sequence the column owns
  const serial = r.owns_seq === true && dflt !== null && dflt.startsWith('nextval(');
  const autoIncrement = identity || serial;
  // A generated column's expression lives where defaults do; it is not a default.
  const generated = typeof r.generated === 'string' && r.generated !== '';
  const raw = String(r.name);
  const type = columnType(typeText(r, ctx.schema, ctx.extra));
  const out: { -readonly [K in keyof ColumnIR]: ColumnIR[K] } = {
    name: cut(raw),
    type,
    // Identity and serial columns are NOT NULL, and their values come from a sequence, not a default.
    nullable: autoIncrement || pk.has(raw) ? false : r.notnull !== true,
    default: autoIncrement || generated || dflt === null ? null : columnDefault(type, dflt),
    autoIncrement,
  };
  if (r.identity === 'a') out.identity = 'always';
  if (generated && dflt !== null) out.generated = { expression: stripSchema(dflt, ctx.schema), stored: r.generated === 's' };
  if (Array.isArray(r.coll)) {
    // "default" is the type's own collation: what a column without one has.
    const collation = collationName(String(r.coll[0]), String(r.coll[1]), ctx.schema);
    if (collation && collation !== 'default') out.collation = collation;
  }
  return Object.freeze(out);
}
