/**
 * What the MySQL/MariaDB planner needs to plan foreign keys online (issue 16), read just before
 * planning: which tables that get a foreign key hold rows (`EXISTS (SELECT 1 …)`, one page per
 * table), and which keys a run that did not finish added without checking their rows
 * (online-foreign-key.ts, `_evolve_fk_pending`); and the row format of a table whose VARCHAR is
 * widened past 255 bytes (REDUNDANT rows widen it instantly, others copy the table: online.ts).
 * None of it is part of the schema or its fingerprint.
 */
import type { Connection } from '../connection.js';
import type { Diff } from '../../diff/differ.js';
import type { OnlineFacts } from '../../plan/plan.js';
import { mysqlSql } from './sql-builder.js';
import { pendingKeys } from './online-foreign-key.js';
import { mayWidenPastPrefix } from './online-plan.js';

/**
 * The live names of the tables a foreign key is added to: the children of new keys, and of keys
 * dropped and added again around a type change (either side's column).
 */
function candidateTables(diff: Diff): string[] {
  const live = new Set(diff.from.tables.map((t) => t.name));
  const out = new Set<string>();
  const typeChanged = new Set<string>();
  for (const c of diff.changes) {
    if (c.kind === 'addForeignKey' && live.has(diff.liveName.get(c.table) ?? c.table)) out.add(diff.liveName.get(c.table) ?? c.table);
    if (c.kind === 'alterColumn' && c.changed.type) typeChanged.add(diff.liveName.get(c.table) ?? c.table);
  }
  for (const t of diff.from.tables) {
    if (t.foreignKeys.some((fk) => typeChanged.has(t.name) || typeChanged.has(fk.refTable))) out.add(t.name);
  }
  return [...out];
}

/** Read the {@link OnlineFacts} for planning `diff` on MySQL/MariaDB. */
export async function mysqlOnlineFacts(conn: Connection, diff: Diff): Promise<OnlineFacts> {
  const tables = candidateTables(diff);
  const tablesWithRows = new Set<string>();
  if (tables.length) {
    const sql = tables.map((t) => `SELECT ${mysqlSql.literal(t)} AS t FROM DUAL WHERE EXISTS (SELECT 1 FROM ${mysqlSql.table(t)})`).join(' UNION ALL ');
    for (const r of await conn.query(sql)) tablesWithRows.add(String(r.t));
  }
  const unvalidated = (await pendingKeys(conn)).map((p) => ({ table: p.table, name: p.name }));
  const redundantRows = new Set<string>();
  const widened = [...new Set(diff.changes.filter((c) => mayWidenPastPrefix(diff, c)).map((c) => diff.liveName.get(c.table) ?? c.table))];
  if (widened.length) {
    // One equality lookup per table: information_schema opens only that table's definition.
    const sql = widened.map((t) => `SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ` +
      `AND TABLE_NAME = ${mysqlSql.literal(t)} AND ROW_FORMAT = 'Redundant'`).join(' UNION ALL ');
    for (const r of await conn.query(sql)) redundantRows.add(String(r.t));
  }
  return { tablesWithRows, invalidIndexes: [], unvalidated, redundantRows };
}
