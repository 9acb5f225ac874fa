/**
 * PostgreSQL introspection from pg_catalog: three queries whatever the number of tables
 * (columns, constraints, indexes), scoped to one schema. Evolve's own `_evolve*` tables,
 * partitions, views and other schemas are left out.
 */
import type { ColumnIR, ForeignKeyIR, IndexIR, ReferentialAction, SchemaIR, TableIR, UniqueIR } from '../../ir/schema.js';
import type { Connection, Row } from '../connection.js';
import type { IntrospectOptions } from '../dialect.js';
import { DEFAULT_SCHEMA, isPgConnection } from './connection.js';
import { normalisePostgres, parsePgDefault } from './normalise.js';
import { parsePgType } from './sql-builder.js';

/** Ordinary and partitioned tables of schema $1 (not partitions, not Evolve's own tables). */
const TABLES = `c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1)
  AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname NOT LIKE '\\_evolve%'`;

const COLUMNS_SQL = `
SELECT c.relname AS tbl, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
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
ORDER BY c.relname, a.attnum`;

/** Column names of a constraint key, in key order. */
const keyNames = (key: string, rel: string): string =>
  `array_to_json(ARRAY(SELECT a.attname FROM unnest(${key}) WITH ORDINALITY k(n, o)
    JOIN pg_attribute a ON a.attrelid = ${rel} AND a.attnum = k.n ORDER BY k.o))`;

const CONSTRAINTS_SQL = `
SELECT c.relname AS tbl, con.conname AS name, con.contype AS type, ${keyNames('con.conkey', 'con.conrelid')} AS cols,
  r.relname AS ref_table, ${keyNames('con.confkey', 'con.confrelid')} AS ref_cols,
  con.confdeltype AS on_delete, con.confupdtype AS on_update
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
LEFT JOIN pg_class r ON r.oid = con.confrelid
WHERE ${TABLES} AND con.contype IN ('p', 'u', 'f')
ORDER BY c.relname, con.conname`;

// Indexes that back a primary key, unique or exclusion constraint are the constraint's business.
const INDEXES_SQL = `
SELECT c.relname AS tbl, ic.relname AS name, i.indisunique AS uniq, pg_get_expr(i.indpred, i.indrelid) AS pred,
  array_to_json(ARRAY(
    SELECT CASE WHEN k.n = 0 THEN '(' || pg_get_indexdef(i.indexrelid, k.o::int, false) || ')' ELSE a.attname::text END
    FROM unnest(i.indkey) WITH ORDINALITY k(n, o)
    LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n
    WHERE k.o <= i.indnkeyatts ORDER BY k.o)) AS cols
FROM pg_index i
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_class ic ON ic.oid = i.indexrelid
WHERE ${TABLES} AND NOT EXISTS (
  SELECT 1 FROM pg_constraint x WHERE x.conindid = i.indexrelid AND x.conrelid = i.indrelid AND x.contype IN ('p', 'u', 'x'))
ORDER BY c.relname, ic.relname`;

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

function column(r: Row): ColumnIR {
  const identity = typeof r.identity === 'string' && r.identity !== '';
  const autoIncrement = identity || r.serial === true;
  // A generated column's expression lives where defaults do; it is not a default.
  const generated = typeof r.generated === 'string' && r.generated !== '';
  return {
    name: String(r.name),
    type: parsePgType(String(r.type)),
    nullable: r.notnull !== true,
    default: autoIncrement || generated ? null : parsePgDefault(r.dflt as string | null),
    autoIncrement,
  };
}

/**
 * Read one schema (`options.schema`, else the connection's, else `public`) into the IR, normalised.
 * A schema that does not exist reads as empty.
 */
export async function introspectPostgres(conn: Connection, options: IntrospectOptions = {}): Promise<SchemaIR> {
  let schema = options.schema ?? (isPgConnection(conn) ? conn.schema : DEFAULT_SCHEMA);
  // Generated SQL names tables unqualified: the session must address the schema introspected.
  if (isPgConnection(conn)) await conn.useSchema(schema);
  else schema = options.schema ?? DEFAULT_SCHEMA;
  const [cols, cons, idx] = [
    await conn.query(COLUMNS_SQL, [schema]),
    await conn.query(CONSTRAINTS_SQL, [schema]),
    await conn.query(INDEXES_SQL, [schema]),
  ];
  const consBy = groupBy(cons);
  const idxBy = groupBy(idx);
  const tables: TableIR[] = [];
  for (const [name, rows] of groupBy(cols)) {
    const columns = rows.filter((r) => r.name !== null).map(column);
    let primaryKey: TableIR['primaryKey'] = null;
    const uniques: UniqueIR[] = [];
    const foreignKeys: ForeignKeyIR[] = [];
    for (const c of consBy.get(name) ?? []) {
      const cname = String(c.name);
      if (c.type === 'p') primaryKey = { name: cname, columns: strings(c.cols) };
      else if (c.type === 'u') uniques.push({ name: cname, columns: strings(c.cols) });
      else {
        foreignKeys.push({
          name: cname, columns: strings(c.cols), refTable: String(c.ref_table), refColumns: strings(c.ref_cols),
          onDelete: ACTIONS[String(c.on_delete)] ?? 'no action', onUpdate: ACTIONS[String(c.on_update)] ?? 'no action',
        });
      }
    }
    const indexes: IndexIR[] = (idxBy.get(name) ?? []).map((i) => ({
      name: String(i.name), columns: strings(i.cols), unique: i.uniq === true, where: (i.pred as string | null) ?? null,
    }));
    tables.push({ name, columns, primaryKey, uniques, indexes, foreignKeys });
  }
  return normalisePostgres({ dialect: 'postgres', tables });
}
