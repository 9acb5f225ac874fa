/**
 * What the PostgreSQL planner needs to plan online (issue 16), read just before planning: which
 * tables the online-capable changes touch hold rows (`EXISTS (SELECT 1 …)`: exact, one index or
 * heap page per table, where `reltuples` is -1 until a table is first analysed), and what a
 * killed or failed online step left behind in the primary schema — indexes a concurrent build
 * left invalid (`pg_index.indisvalid`), constraints added `NOT VALID` never validated, and the
 * shadow columns, triggers and functions of an expand/contract type change that did not swap;
 * and, for a type change on a table with rows, what depends on the column (expand-contract.ts).
 * Kept apart from introspect.ts: none of it is part of the schema or its fingerprint.
 */
import type { Connection } from '../connection.js';
import type { Diff } from '../../diff/differ.js';
import type { ColumnFacts, OnlineFacts, OnlineState } from '../../plan/plan.js';
import { postgresSql, qualifiedIdent, splitName } from './sql-builder.js';
import { SHADOW_PREFIX, SYNC_PREFIX } from './expand-names.js';

/** The live names of the tables whose changes have an online strategy. */
function candidateTables(diff: Diff): string[] {
  const out = new Set<string>();
  const live = new Set(diff.from.tables.map((t) => t.name));
  for (const c of diff.changes) {
    const online = c.kind === 'addIndex' || c.kind === 'dropIndex' || c.kind === 'addUnique' || c.kind === 'addForeignKey' ||
      c.kind === 'addCheck' || (c.kind === 'alterColumn' && ((c.changed.nullable && !c.to.nullable) || c.changed.type));
    if (!online) continue;
    const name = diff.liveName.get(c.table) ?? c.table;
    if (live.has(name)) out.add(name);
  }
  return [...out];
}

/**
 * The type changes of `diff` on tables of the primary schema that hold rows: the columns an
 * expand/contract may change (expand-contract.ts decides), by live table and column name.
 */
function typeChanges(diff: Diff, withRows: ReadonlySet<string>): { table: string; column: string }[] {
  const out: { table: string; column: string }[] = [];
  for (const c of diff.changes) {
    if (c.kind !== 'alterColumn' || !c.changed.type || splitName(c.table)[0] !== null) continue;
    const table = diff.liveName.get(c.table) ?? c.table;
    if (withRows.has(table)) out.push({ table, column: c.from.name });
  }
  return out;
}

/** A LIKE pattern for names starting with `prefix` (its `_` taken as themselves). */
const likePrefix = (prefix: string): string => postgresSql.literal(`${prefix.replace(/_/g, '\\_')}%`);

/** What the catalog says about each column (see {@link ColumnFacts}). */
async function columnFacts(conn: Connection, cols: readonly { table: string; column: string }[]): Promise<OnlineFacts['columns']> {
  const out = new Map<string, Map<string, ColumnFacts>>();
  if (!cols.length) return out;
  const lit = postgresSql.literal;
  const one = ({ table, column }: { table: string; column: string }): string => `SELECT ${lit(table)} AS tbl, a.attname AS col,
    ARRAY(SELECT pg_describe_object(d.classid, d.objid, d.objsubid) FROM pg_depend d
      WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = a.attrelid AND d.refobjsubid = a.attnum AND d.deptype IN ('n', 'a')
        AND NOT (d.classid = 'pg_attrdef'::regclass AND d.objid IN (SELECT ad.oid FROM pg_attrdef ad WHERE ad.adrelid = a.attrelid AND ad.adnum = a.attnum))
        AND NOT (d.classid = 'pg_class'::regclass AND d.objid IN (SELECT i.indexrelid FROM pg_index i WHERE i.indrelid = a.attrelid))
        -- PostgreSQL 18 records NOT NULL as a constraint: the swap restates it
        AND NOT (d.classid = 'pg_constraint'::regclass AND d.objid IN (SELECT x.oid FROM pg_constraint x WHERE x.conrelid = a.attrelid AND x.contype = 'n'))
      ORDER BY 1) AS deps,
    ARRAY(SELECT ic.relname::text FROM pg_depend d JOIN pg_class ic ON ic.oid = d.objid JOIN pg_index i ON i.indexrelid = ic.oid
      WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.refobjid = a.attrelid AND d.refobjsubid = a.attnum
        AND i.indrelid = a.attrelid ORDER BY 1) AS idx,
    a.attacl IS NOT NULL AS acl,
    ARRAY(SELECT tg.tgname::text FROM pg_trigger tg WHERE tg.tgrelid = a.attrelid AND NOT tg.tgisinternal
      AND tg.tgname NOT LIKE ${likePrefix(SYNC_PREFIX)} ORDER BY 1) AS trg
    FROM pg_attribute a WHERE a.attrelid = ${lit(qualifiedIdent(table))}::regclass AND a.attname = ${lit(column)} AND NOT a.attisdropped`;
  const strs = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
  for (const r of await conn.query(cols.map(one).join(' UNION ALL '))) {
    const table = String(r.tbl);
    let m = out.get(table);
    if (!m) out.set(table, m = new Map());
    m.set(String(r.col), {
      dependents: strs(r.deps), indexes: strs(r.idx), privileges: r.acl === true, triggers: strs(r.trg),
    });
  }
  return out;
}

/**
 * What a killed or failed online step left in the primary schema (see {@link OnlineState}), in
 * one statement, so that all of it is read while the plan is made (a second statement would wait
 * for the first's answer to be taken): `part` says what a row is — `i` an index a concurrent build
 * left invalid, `v` a constraint never validated, and what an unfinished expand/contract type
 * change left (expand-names.ts): `c` a shadow column, `t` a sync trigger, `f` a sync function.
 */
const STATE_SQL = `SELECT * FROM (
    SELECT 'i', t.relname::text, c.relname::text, NULL FROM pg_index i
      JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE NOT i.indisvalid AND n.nspname = current_schema()
    UNION ALL SELECT 'v', t.relname::text, c.conname::text, NULL FROM pg_constraint c
      JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE NOT c.convalidated AND c.contype IN ('f', 'c') AND n.nspname = current_schema()
    UNION ALL SELECT 'c', t.relname::text, a.attname::text, format_type(a.atttypid, a.atttypmod)
      FROM pg_attribute a JOIN pg_class t ON t.oid = a.attrelid JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE a.attname LIKE ${likePrefix(SHADOW_PREFIX)} AND a.attnum > 0 AND NOT a.attisdropped AND t.relkind IN ('r', 'p') AND n.nspname = current_schema()
    UNION ALL SELECT 't', t.relname::text, tg.tgname::text, NULL FROM pg_trigger tg
      JOIN pg_class t ON t.oid = tg.tgrelid JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE tg.tgname LIKE ${likePrefix(SYNC_PREFIX)} AND NOT tg.tgisinternal AND n.nspname = current_schema()
    UNION ALL SELECT 'f', NULL, p.proname::text, NULL FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE p.proname LIKE ${likePrefix(SYNC_PREFIX)} AND p.pronargs = 0 AND n.nspname = current_schema()
  ) AS s (part, tbl, name, type)
  ORDER BY part, CASE WHEN part IN ('i', 'v') THEN name END COLLATE "C", tbl COLLATE "C", name COLLATE "C"`;

/** What a killed or failed online step left in the primary schema (see {@link OnlineState}): read before the diff. */
export async function postgresOnlineState(conn: Connection): Promise<OnlineState> {
  const rows = await conn.query(STATE_SQL);
  const part = (p: string): Record<string, unknown>[] => rows.filter((r) => r.part === p);
  const pairs = (p: string): { table: string; name: string }[] => part(p).map((r) => ({ table: String(r.tbl), name: String(r.name) }));
  // Each part in the order it had when read alone: indexes and constraints by name, the rest by table, then name.
  return {
    invalidIndexes: pairs('i'),
    unvalidated: pairs('v'),
    expansions: {
      columns: part('c').map((r) => ({ table: String(r.tbl), name: String(r.name), type: String(r.type) })),
      triggers: pairs('t'),
      functions: part('f').map((r) => String(r.name)),
    },
  };
}

/** Read the {@link OnlineFacts} for planning `diff` (`state`: what {@link postgresOnlineState} read, else read here). */
export async function postgresOnlineFacts(conn: Connection, diff: Diff, state?: OnlineState): Promise<OnlineFacts> {
  const tables = candidateTables(diff);
  const tablesWithRows = new Set<string>();
  if (tables.length) {
    const sql = tables.map((t) => `SELECT ${postgresSql.literal(t)} AS t WHERE EXISTS (SELECT 1 FROM ${qualifiedIdent(t)})`).join(' UNION ALL ');
    for (const r of await conn.query(sql)) tablesWithRows.add(String(r.t));
  }
  const left = state ?? await postgresOnlineState(conn);
  const columns = await columnFacts(conn, typeChanges(diff, tablesWithRows));
  return { tablesWithRows, ...left, ...(columns ? { columns } : {}) };
}
