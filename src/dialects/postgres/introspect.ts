/**
 * PostgreSQL introspection from pg_catalog: four queries whatever the number of tables
 * (columns, constraints, indexes, and objects beyond tables — see `objects.ts`), whatever the
 * number of schemas: the primary schema (names unqualified) and the extra schemas opted into
 * (`--schemas`; names `schema.name`), passed as one text array. Evolve's own `_evolve*` tables,
 * partitions and other schemas are left out.
 */
import type { CheckIR, ColumnIR, ForeignKeyIR, IndexIR, ObjectIR, ReferentialAction, SchemaIR, TableIR, UniqueIR } from '../../ir/schema.js';
import type { Connection, Row } from '../connection.js';
import type { IntrospectOptions } from '../dialect.js';
import { DEFAULT_SCHEMA, isPgConnection } from './connection.js';
import { normalisePostgres, parsePgDefault } from './normalise.js';
import { parsePgType } from './sql-builder.js';
import { indexObject, introspectObjects, stripSchema } from './objects.js';
import { NS, qual } from './objects-sql.js';

/** Ordinary and partitioned tables of the schemas $1 (not partitions, not Evolve's own tables). */
const TABLES = `c.relnamespace IN ${NS}
  AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname NOT LIKE '\\_evolve%'`;

const COLUMNS_SQL = `
SELECT ${qual('c.relnamespace', 'c.relname')} AS tbl, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
  (SELECT n.nspname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.oid = a.atttypid) AS type_schema,
  a.attnotnull AS notnull, a.attidentity AS identity, a.attgenerated AS generated,
  pg_get_expr(d.adbin, d.adrelid) AS dflt,
  -- serial: the default takes nextval() of a sequence the column owns
  (d.adbin IS NOT NULL AND pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%' AND EXISTS (
    SELECT 1 FROM pg_depend dep JOIN pg_class s ON s.oid = dep.objid AND s.relkind = 'S'
    WHERE dep.classid = 'pg_class'::regclass AND dep.refclassid = 'pg_class'::regclass
      AND dep.refobjid = c.oid AND dep.refobjsubid = a.attnum AND dep.deptype = 'a')) AS serial
FROM pg_class c
LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
WHERE ${TABLES}
ORDER BY tbl, a.attnum`;

/** Column names of a constraint key, in key order. */
const keyNames = (key: string, rel: string): string =>
  `array_to_json(ARRAY(SELECT a.attname FROM unnest(${key}) WITH ORDINALITY k(n, o)
    JOIN pg_attribute a ON a.attrelid = ${rel} AND a.attnum = k.n ORDER BY k.o))`;

const CONSTRAINTS_SQL = `
SELECT ${qual('c.relnamespace', 'c.relname')} AS tbl, con.conname AS name, con.contype AS type, ${keyNames('con.conkey', 'con.conrelid')} AS cols,
  -- a table of a schema Evolve does not manage is named with its schema (schema.table): it is
  -- not the managed schema's table of the same name
  CASE WHEN r.relnamespace IN ${NS} THEN ${qual('r.relnamespace', 'r.relname')}
    ELSE (SELECT n.nspname::text FROM pg_namespace n WHERE n.oid = r.relnamespace) || '.' || r.relname END AS ref_table, ${keyNames('con.confkey', 'con.confrelid')} AS ref_cols,
  con.confdeltype AS on_delete, con.confupdtype AS on_update,
  CASE WHEN con.contype = 'c' THEN pg_get_constraintdef(con.oid) END AS def
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
LEFT JOIN pg_class r ON r.oid = con.confrelid
WHERE ${TABLES} AND con.contype IN ('p', 'u', 'f', 'c')
ORDER BY tbl, con.conname`;

// Indexes that back a primary key, unique or exclusion constraint are the constraint's business.
// plain: a btree on columns, in default order, opclass and collation, without INCLUDE — what
// IndexIR says; any other index is an object, defined by pg_get_indexdef.
const INDEXES_SQL = `
SELECT ${qual('c.relnamespace', 'c.relname')} AS tbl, ic.relname AS name, i.indisunique AS uniq, pg_get_expr(i.indpred, i.indrelid) AS pred,
  (am.amname = 'btree' AND i.indexprs IS NULL AND i.indnatts = i.indnkeyatts
    AND NOT EXISTS (SELECT 1 FROM unnest(i.indoption::int2[]) o WHERE o <> 0)
    AND NOT EXISTS (SELECT 1 FROM unnest(i.indclass::oid[]) oc JOIN pg_opclass op ON op.oid = oc WHERE NOT op.opcdefault)
    AND NOT EXISTS (SELECT 1 FROM unnest(i.indcollation::oid[], i.indkey::int2[]) k(coll, att)
      JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.att WHERE k.coll <> 0 AND k.coll <> a.attcollation)) AS plain,
  pg_get_indexdef(i.indexrelid) AS def,
  array_to_json(ARRAY(
    SELECT CASE WHEN k.n = 0 THEN '(' || pg_get_indexdef(i.indexrelid, k.o::int, false) || ')' ELSE a.attname::text END
    FROM unnest(i.indkey) WITH ORDINALITY k(n, o)
    LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n
    WHERE k.o <= i.indnkeyatts ORDER BY k.o)) AS cols
FROM pg_index i
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_am am ON am.oid = ic.relam
WHERE ${TABLES} AND NOT EXISTS (
  SELECT 1 FROM pg_constraint x WHERE x.conindid = i.indexrelid AND x.conrelid = i.indrelid AND x.contype IN ('p', 'u', 'x'))
ORDER BY tbl, ic.relname`;

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
  const autoIncrement = identity || r.serial === true;
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
  };
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
  const [cols, cons, idx, found] = [
    await conn.query(COLUMNS_SQL, [schemas]),
    await conn.query(CONSTRAINTS_SQL, [schemas]),
    await conn.query(INDEXES_SQL, [schemas]),
    await introspectObjects(conn, schema, extra),
  ];
  const objects: ObjectIR[] = [...found.objects];
  const consBy = groupBy(cons);
  const idxBy = groupBy(idx);
  const tables: TableIR[] = [];
  for (const [name, rows] of groupBy(cols)) {
    const columns = rows.filter((r) => r.name !== null).map((r) => column(r, schema, extra));
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
      if (i.plain !== true) { objects.push(indexObject(String(i.name), name, String(i.def), schema)); continue; }
      indexes.push({ name: String(i.name), columns: strings(i.cols), unique: i.uniq === true, where: i.pred === null ? null : stripSchema(String(i.pred), schema) });
    }
    tables.push({ name, columns, primaryKey, uniques, indexes, foreignKeys, ...(checks.length ? { checks } : {}) });
  }
  return normalisePostgres({
    dialect: 'postgres', tables,
    ...(objects.length ? { objects } : {}),
    ...(found.unmanaged.length ? { unmanaged: found.unmanaged } : {}),
  });
}
