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
import type { CheckIR, ColumnIR, ForeignKeyIR, IndexIR, ObjectIR, ReferentialAction, SchemaIR, TableIR, UniqueIR } from '../../ir/schema.js';
import type { Connection, Row } from '../connection.js';
import type { IntrospectOptions } from '../dialect.js';
import { DEFAULT_SCHEMA, isPgConnection } from './connection.js';
import { normalisePostgres, parsePgDefault } from './normalise.js';
import { parsePgType, postgresSql } from './sql-builder.js';
import { postgresIndexObject, postgresIntrospectObjects, stripSchema } from './objects.js';
import { HAVE, NS, qual, REL_CTE } from './objects-sql.js';
import { isShadowName } from './expand-names.js';

const q = postgresSql.ident;
/** What a shadow column is, where the schema's unmanaged things are listed. */
const UNFINISHED = 'the new column of a type change that did not finish: evolve apply resumes it, or removes it';

/**
 * The oids of the ordinary and partitioned tables of the schemas $1 (`tables`; partitions too,
 * not Evolve's own tables), and what kinds of object the schemas hold (`have`, see `HAVE`).
 */
const START_SQL = `WITH ${REL_CTE}
SELECT ARRAY(SELECT oid FROM rel WHERE relkind IN ('r', 'p') AND relname NOT LIKE '\\_evolve%') AS tables,
  ${HAVE} AS have`;

/**
 * The tables of `START_SQL` ($2, an oid array) as `c`: a join on the array's elements (a filter
 * `c.oid = ANY($2)` on a scan of pg_class compares every row of it with every element).
 */
const TABLES = `unnest($2::oid[]) u(oid) JOIN pg_class c ON c.oid = u.oid`;

const COLUMNS_SQL = `
SELECT ${qual('c.relnamespace', 'c.relname')} AS tbl, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
  tn.nspname AS type_schema,
  a.attnotnull AS notnull, a.attidentity AS identity, a.attgenerated AS generated,
  pg_get_expr(d.adbin, d.adrelid) AS dflt,
  -- a collation other than the type's own (the database default for text): see collationName()
  CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation THEN (
    SELECT json_build_array(co.collname, cn.nspname) FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace
    WHERE co.oid = a.attcollation) END AS coll,
  -- the column owns a sequence (serial when the default takes its nextval(): see column())
  (d.adbin IS NOT NULL AND EXISTS (
    SELECT 1 FROM pg_depend dep
    WHERE dep.refclassid = 'pg_class'::regclass AND dep.refobjid = c.oid AND dep.refobjsubid = a.attnum
      AND dep.classid = 'pg_class'::regclass AND dep.deptype = 'a'
      AND (SELECT s.relkind FROM pg_class s WHERE s.oid = dep.objid) = 'S')) AS owns_seq
FROM ${TABLES}
LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
LEFT JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_namespace tn ON tn.oid = t.typnamespace
ORDER BY tbl, a.attnum`;

/** Column names of a constraint key, in key order (each looked up by its number: no scan of the table's columns). */
const keyNames = (key: string, rel: string): string =>
  `array_to_json(ARRAY(SELECT (SELECT a.attname FROM pg_attribute a WHERE a.attrelid = ${rel} AND a.attnum = k.n)
    FROM unnest(${key}) WITH ORDINALITY k(n, o) ORDER BY k.o))`;

// Constraints (part 'c') and indexes (part 'i'): one round trip, one row shape.
const KEYS_SQL = `
SELECT 'c' AS part, ${qual('c.relnamespace', 'c.relname')} AS tbl, con.conname AS name, con.contype::text AS type,
  ${keyNames('con.conkey', 'con.conrelid')} AS cols,
  -- a table of a schema Evolve does not manage is named with its schema (schema.table): it is
  -- not the managed schema's table of the same name
  CASE WHEN r.relnamespace IN ${NS} THEN ${qual('r.relnamespace', 'r.relname')}
    ELSE (SELECT n.nspname::text FROM pg_namespace n WHERE n.oid = r.relnamespace) || '.' || r.relname END AS ref_table,
  ${keyNames('con.confkey', 'con.confrelid')} AS ref_cols,
  con.confdeltype::text AS on_delete, con.confupdtype::text AS on_update,
  CASE WHEN con.contype = 'c' THEN pg_get_constraintdef(con.oid) END AS def,
  NULL::bool AS uniq, NULL::text AS pred, NULL::bool AS plain
FROM ${TABLES}
JOIN pg_constraint con ON con.conrelid = c.oid
LEFT JOIN pg_class r ON r.oid = con.confrelid
-- not what a partition or an INHERITS child has from its parent (its parent's, created with it)
WHERE con.contype IN ('p', 'u', 'f', 'c') AND con.conislocal AND con.conparentid = 0
UNION ALL
-- Indexes that back a primary key, unique or exclusion constraint are the constraint's business.
-- plain: a btree on columns, in default order, opclass and collation, without INCLUDE — what
-- IndexIR says, read as columns and predicate; any other index is an object, defined by
-- pg_get_indexdef (only then asked for: it is the dearest call here).
SELECT 'i', ${qual('c.relnamespace', 'c.relname')}, ic.relname, NULL,
  CASE WHEN x.plain THEN array_to_json(ARRAY(
    SELECT (SELECT a.attname FROM pg_attribute a WHERE a.attrelid = i.indrelid AND a.attnum = k.n)
    FROM unnest(i.indkey) WITH ORDINALITY k(n, o)
    WHERE k.o <= i.indnkeyatts ORDER BY k.o)) END,
  NULL, NULL, NULL, NULL, CASE WHEN x.plain THEN NULL ELSE pg_get_indexdef(i.indexrelid) END, i.indisunique,
  CASE WHEN x.plain THEN pg_get_expr(i.indpred, i.indrelid) END, x.plain
FROM ${TABLES}
JOIN pg_index i ON i.indrelid = c.oid
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_am am ON am.oid = ic.relam
CROSS JOIN LATERAL (SELECT (am.amname = 'btree' AND i.indexprs IS NULL AND i.indnatts = i.indnkeyatts
    AND 0 = ALL (i.indoption::int2[])
    AND NOT (i.indclass::oid[] && ARRAY(SELECT op.oid FROM pg_opclass op WHERE NOT op.opcdefault))
    AND NOT EXISTS (SELECT 1 FROM unnest(i.indcollation::oid[], i.indkey::int2[]) k(coll, att)
      WHERE k.coll <> 0 AND k.coll <> (SELECT a.attcollation FROM pg_attribute a WHERE a.attrelid = i.indrelid AND a.attnum = k.att))) AS plain
  OFFSET 0) x
WHERE NOT EXISTS (
  SELECT 1 FROM pg_constraint x WHERE x.conindid = i.indexrelid AND x.conrelid = i.indrelid AND x.contype IN ('p', 'u', 'x'))
  -- a partition's index attached to its partitioned table's index is the parent's
  AND NOT ic.relispartition
ORDER BY part, tbl, name`;

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

function groupBy(rows: Row[]): Map<string, Row[]> {
  const m = new Map<string, Row[]>();
  for (const r of rows) {
    const k = String(r.tbl);
    const list = m.get(k);
    if (list) list.push(r); else m.set(k, [r]);
  }
  return m;
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

function column(r: Row, schema: string, extra: readonly string[]): ColumnIR {
  const identity = typeof r.identity === 'string' && r.identity !== '';
  // serial: the default takes nextval() of a sequence the column owns
  const serial = r.owns_seq === true && typeof r.dflt === 'string' && r.dflt.startsWith('nextval(');
  const autoIncrement = identity || serial;
  // A generated column's expression lives where defaults do; it is not a default.
  const generated = typeof r.generated === 'string' && r.generated !== '';
  return {
    name: String(r.name),
    type: parsePgType(typeText(r, schema, extra)),
    nullable: r.notnull !== true,
    default: autoIncrement || generated ? null : parsePgDefault(r.dflt as string | null),
    autoIncrement,
    ...(r.identity === 'a' ? { identity: 'always' as const } : {}),
    ...(generated && typeof r.dflt === 'string' ? { generated: { expression: stripSchema(r.dflt, schema), stored: r.generated === 's' } } : {}),
    ...(Array.isArray(r.coll) ? { collation: collationName(String(r.coll[0]), String(r.coll[1]), schema) } : {}),
  };
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
  const schemas = [schema, ...extra];
  const start = (await conn.query(START_SQL, [schemas]))[0];
  const oids = (start?.tables as unknown[] | undefined) ?? [];
  const have = new Set((start?.have as string[] | undefined) ?? []);
  const none = Promise.resolve([]);
  const lineage = oids.length && (have.has('rel:p') || have.has('inh'));
  const [cols, keys, found, lines] = [
    await (oids.length ? conn.query(COLUMNS_SQL, [schemas, oids]) : none),
    await (oids.length ? conn.query(KEYS_SQL, [schemas, oids]) : none),
    await postgresIntrospectObjects(conn, schema, extra, have),
    await (lineage ? conn.query(LINEAGE_SQL, [schemas, oids]) : none),
  ];
  const lineageBy = new Map(lines.map((r) => [String(r.tbl), lineageOptions(r, schema)]));
  // An expand/contract type change that has not swapped yet is not part of the schema (expand-names.ts).
  const cons = keys.filter((r) => r.part === 'c' && !isShadowName(String(r.name)));
  const idx = keys.filter((r) => r.part === 'i' && !isShadowName(String(r.name)));
  const objects: ObjectIR[] = [...found.objects];
  const consBy = groupBy(cons);
  const idxBy = groupBy(idx);
  const tables: TableIR[] = [];
  const unmanaged = [...found.unmanaged];
  for (const [name, rows] of groupBy(cols)) {
    for (const r of rows) {
      // Said, never fingerprinted: `evolve status` shows a change in progress.
      if (r.name !== null && isShadowName(String(r.name))) unmanaged.push({ kind: 'column', name: `${String(r.name)} (${UNFINISHED})`, table: name });
    }
    const columns = rows.filter((r) => r.name !== null && !isShadowName(String(r.name))).map((r) => column(r, schema, extra));
    const checks: CheckIR[] = [];
    let primaryKey: TableIR['primaryKey'] = null;
    const uniques: UniqueIR[] = [];
    const foreignKeys: ForeignKeyIR[] = [];
    for (const c of consBy.get(name) ?? []) {
      const cname = String(c.name);
      if (c.type === 'p') primaryKey = { name: cname, columns: strings(c.cols) };
      else if (c.type === 'u') uniques.push({ name: cname, columns: strings(c.cols) });
      else if (c.type === 'c') checks.push({ name: cname, expression: stripSchema(checkExpression(String(c.def)), schema) });
      else {
        foreignKeys.push({
          name: cname, columns: strings(c.cols), refTable: String(c.ref_table), refColumns: strings(c.ref_cols),
          onDelete: ACTIONS[String(c.on_delete)] ?? 'no action', onUpdate: ACTIONS[String(c.on_update)] ?? 'no action',
        });
      }
    }
    const indexes: IndexIR[] = [];
    for (const i of idxBy.get(name) ?? []) {
      if (i.plain !== true) { objects.push(postgresIndexObject(String(i.name), name, String(i.def), schema)); continue; }
      indexes.push({
        name: String(i.name), columns: strings(i.cols), unique: i.uniq === true, where: i.pred === null ? null : stripSchema(String(i.pred), schema),
      });
    }
    const opts = lineageBy.get(name);
    tables.push({ name, columns, primaryKey, uniques, indexes, foreignKeys, ...(checks.length ? { checks } : {}), ...(opts ? { options: opts } : {}) });
  }
  return normalisePostgres({
    dialect: 'postgres', tables,
    ...(objects.length ? { objects } : {}),
    ...(unmanaged.length ? { unmanaged } : {}),
  });
}
