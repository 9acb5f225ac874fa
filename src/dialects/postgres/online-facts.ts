/**
 * What the PostgreSQL planner needs to plan online (issue 16), read just before planning: which
 * tables the online-capable changes touch hold rows (`EXISTS (SELECT 1 …)`: exact, one index or
 * heap page per table, where `reltuples` is -1 until a table is first analysed), and what a
 * killed or failed online step left behind in the primary schema — indexes a concurrent build
 * left invalid (`pg_index.indisvalid`) and constraints added `NOT VALID` never validated.
 * Kept apart from introspect.ts: none of it is part of the schema or its fingerprint.
 */
import type { Connection } from '../connection.js';
import type { Diff } from '../../diff/differ.js';
import type { OnlineFacts } from '../../plan/plan.js';
import { postgresSql, qualifiedIdent } from './sql-builder.js';

/** The live names of the tables whose changes have an online strategy. */
function candidateTables(diff: Diff): string[] {
  const out = new Set<string>();
  const live = new Set(diff.from.tables.map((t) => t.name));
  for (const c of diff.changes) {
    const online = c.kind === 'addIndex' || c.kind === 'dropIndex' || c.kind === 'addUnique' || c.kind === 'addForeignKey' ||
      c.kind === 'addCheck' || (c.kind === 'alterColumn' && c.changed.nullable && !c.to.nullable);
    if (!online) continue;
    const name = diff.liveName.get(c.table) ?? c.table;
    if (live.has(name)) out.add(name);
  }
  return [...out];
}

/** Read the {@link OnlineFacts} for planning `diff`. */
export async function postgresOnlineFacts(conn: Connection, diff: Diff): Promise<OnlineFacts> {
  const tables = candidateTables(diff);
  const tablesWithRows = new Set<string>();
  if (tables.length) {
    const sql = tables.map((t) => `SELECT ${postgresSql.literal(t)} AS t WHERE EXISTS (SELECT 1 FROM ${qualifiedIdent(t)})`).join(' UNION ALL ');
    for (const r of await conn.query(sql)) tablesWithRows.add(String(r.t));
  }
  const invalid = await conn.query(`SELECT c.relname AS name, t.relname AS tbl FROM pg_index i
      JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE NOT i.indisvalid AND n.nspname = current_schema() ORDER BY 1`);
  const unvalidated = await conn.query(`SELECT c.conname AS name, t.relname AS tbl FROM pg_constraint c
      JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE NOT c.convalidated AND c.contype IN ('f', 'c') AND n.nspname = current_schema() ORDER BY 1`);
  const pairs = (rows: readonly Record<string, unknown>[]): { table: string; name: string }[] =>
    rows.map((r) => ({ table: String(r.tbl), name: String(r.name) }));
  return { tablesWithRows, invalidIndexes: pairs(invalid), unvalidated: pairs(unvalidated) };
}
