/**
 * The planner's last pass on MySQL/MariaDB (issue 16): every ALTER TABLE states the strongest
 * algorithm the server can use for it (online.ts), and each table the plan would copy under a
 * write lock gets a data check counting its rows — a TABLE_COPY warning, with `--online` an
 * error that no consent passes, unless pt-online-schema-change can run the copy online.
 *
 * A statement that only adds foreign keys to a table with rows (OnlineFacts.tablesWithRows) is
 * stated INPLACE instead, and run with foreign_key_checks off and its rows checked by a query after
 * (online-foreign-key.ts): no write lock, no TABLE_COPY. That is the default, as PostgreSQL's
 * `NOT VALID` + `VALIDATE` is for a table with rows; a table created in the plan, or one without
 * rows, keeps the plain statement (nothing to check, nothing to copy). Keys a killed run left
 * unchecked (OnlineFacts.unvalidated) are checked first, by the same statement run again.
 */
import type { Change } from '../../diff/changes.js';
import { HazardCode, type DataCheck, type PlanOptions, type PlanStatement } from '../../plan/plan.js';
import { mysqlForeignKeySql, mysqlSql } from './sql-builder.js';
import {
  alterClauses, charsetMaxBytes, modifyAlgorithm, parseAlter, statedAlgorithm, textAlgorithm, weaker, widensPastPrefix, withAlgorithm,
  type MysqlAlgorithm, type WidenFacts,
} from './online.js';
import { ptOscPath, ptOscRefusal } from './pt-osc.js';
import { foreignKeyAlter } from './online-foreign-key.js';
import type { Diff } from '../../diff/differ.js';
import { tableNamed } from '../../ir/schema.js';
import { MODEL_CHARSET } from './sql-builder.js';
import { collationCharset } from './introspect.js';

/** `name` of a quoted identifier as the planner wrote it. */
const unquote = (s: string): string => (s.startsWith('`') ? s.slice(1, -1).replace(/``/g, '`') : s);

type AlterColumn = Extract<Change, { kind: 'alterColumn' }>;

/**
 * The most bytes a character of the changed column takes: its collation's character set, else
 * its table's (the IR names a table's only where it is not utf8mb4); null where the live and the
 * models' table differ in it (the MODIFY's character set is then not known before it runs).
 */
export function columnMaxBytes(diff: Diff, c: AlterColumn): number | null {
  const collation = c.to.collation ?? c.from.collation;
  if (collation) return charsetMaxBytes(collationCharset(collation));
  const live = tableNamed(diff.from, diff.liveName.get(c.table) ?? c.table)?.options?.charset ?? MODEL_CHARSET;
  const target = tableNamed(diff.to, c.table)?.options?.charset ?? MODEL_CHARSET;
  return live === target ? charsetMaxBytes(live) : null;
}

/** Does `c` widen a VARCHAR past one byte of length prefix, by its character set alone (row format not yet known)? */
export function mayWidenPastPrefix(diff: Diff, c: Change): c is AlterColumn {
  if (c.kind !== 'alterColumn' || !c.changed.type || c.from.type.kind !== 'varchar' || c.to.type.kind !== 'varchar') return false;
  return widensPastPrefix(c.from.type.length, c.to.type.length, { maxBytes: columnMaxBytes(diff, c), redundant: false });
}

/** What {@link modifyAlgorithm} needs to know of `c`'s table (the row format from `facts`; without them, the default DYNAMIC). */
export function widenFacts(diff: Diff, c: AlterColumn, facts: PlanOptions['onlineFacts']): WidenFacts {
  return { maxBytes: columnMaxBytes(diff, c), redundant: facts?.redundantRows?.has(diff.liveName.get(c.table) ?? c.table) === true };
}

/** The algorithm a planned ALTER needs: its clauses by text, a MODIFY COLUMN by what its change changes. */
function planAlgorithm(body: string, origin: Change | undefined, widen: (c: AlterColumn) => WidenFacts): MysqlAlgorithm {
  const clauses = alterClauses(body);
  const modifies = clauses.filter((c) => /^MODIFY\b/i.test(c));
  if (!modifies.length || origin?.kind !== 'alterColumn') return textAlgorithm(body);
  const rest = clauses.filter((c) => !/^MODIFY\b/i.test(c));
  return weaker(rest.length ? textAlgorithm(rest.join(', ')) : 'instant', modifyAlgorithm(origin, widen(origin)));
}

/**
 * A count of the rows of `table` that is never 0 for a table with rows: InnoDB's estimate
 * (information_schema.TABLES.TABLE_ROWS, which can be off by a good part), at least 1 when a row exists.
 */
export function estimatedRowsSql(table: string): string {
  return `SELECT GREATEST(COALESCE((SELECT TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ` +
    `${mysqlSql.literal(table)}), 0), (SELECT COUNT(*) FROM (SELECT 1 FROM ${mysqlSql.ident(table)} LIMIT 1) AS one)) AS n`;
}

const FK_ONLINE = (table: string): string => `${table} holds rows: the key is added in place with foreign_key_checks off ` +
  '(ALGORITHM=INPLACE, LOCK=NONE: reads and writes go on), then a query checks the rows (no locks)';

/**
 * The statements that check the keys a killed run added without their row check: each key's ADD
 * run again (the key is there: only its rows are checked, online-foreign-key.ts), first in the
 * plan. A key the plan drops, or that is no longer there, needs none.
 */
export function pendingKeyChecks(diff: Diff, facts: PlanOptions['onlineFacts']): PlanStatement[] {
  const out: PlanStatement[] = [];
  for (const p of facts?.unvalidated ?? []) {
    const live = tableNamed(diff.from, p.table);
    const fk = live?.foreignKeys.find((k) => k.name === p.name);
    const dropped = diff.changes.some((c) => (c.kind === 'dropTable' && c.table.name === p.table) ||
      (c.kind === 'dropForeignKey' && (diff.liveName.get(c.table) ?? c.table) === p.table && c.foreignKey.name === p.name));
    if (!live || !fk || dropped) continue;
    out.push({
      sql: withAlgorithm(`ALTER TABLE ${mysqlSql.ident(p.table)} ADD ${mysqlForeignKeySql(p.table, fk)}`, 'inplace'),
      comment: `check foreign key ${p.name} on ${p.table}, added without its row check by an apply that did not finish`, inTransaction: false,
      online: 'the key is there: only its rows are checked, by a query (no locks)',
    });
  }
  return out;
}

/** The statements with their algorithm stated, and the TABLE_COPY checks. */
export function onlinePlan(
  statements: readonly PlanStatement[], origins: readonly (Change | undefined)[], options: PlanOptions,
  liveName: (table: string) => string, created: ReadonlySet<string>, widen: (c: AlterColumn) => WidenFacts,
): { statements: PlanStatement[]; checks: DataCheck[] } {
  const copies = new Map<string, { bodies: string[]; change: Change }>();
  const withRows = options.onlineFacts?.tablesWithRows;
  const out = statements.map((s, i) => {
    const alter = parseAlter(s.sql);
    if (!alter || statedAlgorithm(s.sql)) return s;
    const table = unquote(alter.table);
    if (foreignKeyAlter(s.sql) && !created.has(table) && withRows?.has(liveName(table))) {
      return { ...s, sql: withAlgorithm(s.sql, 'inplace'), online: FK_ONLINE(table) };
    }
    const a = planAlgorithm(alter.body, origins[i], widen);
    const change = origins[i] ?? origins.find((o) => o !== undefined);
    if (a === 'copy' && !created.has(table) && change) {
      const entry = copies.get(table) ?? copies.set(table, { bodies: [], change }).get(table)!;
      entry.bodies.push(alter.body);
    }
    return { ...s, sql: withAlgorithm(s.sql, a) };
  });
  const tool = options.online ? ptOscPath() : null;
  const checks = [...copies].map(([table, { bodies, change }]): DataCheck => {
    const refusal = bodies.map(ptOscRefusal).find((r) => r !== null) ?? null;
    const viaTool = options.online === true && tool !== null && refusal === null;
    const blocked = options.online === true && !viaTool;
    const n = bodies.length === 1 ? 'a statement' : `${bodies.length} statements`;
    const verb = bodies.length === 1 ? 'copies' : 'copy';
    const why = !options.online ? '' : tool === null ? '; pt-online-schema-change is not installed' : refusal ? `; ${refusal}` : '';
    return {
      change,
      countSql: estimatedRowsSql(liveName(table)),
      hazard: {
        code: HazardCode.TableCopy, severity: blocked ? 'error' : 'warning', table, column: null, allowable: !blocked,
        message: viaTool
          ? `${n} that MariaDB/MySQL can only run by copying the table under a write lock ${bodies.length === 1 ? 'runs' : 'run'} ` +
            'through pt-online-schema-change instead (rows estimated from information_schema.TABLES)'
          : `${n} ${verb} the table under a lock (ALGORITHM=COPY, LOCK=SHARED): reads go on, writes wait until the copy ends ` +
            `(rows estimated from information_schema.TABLES)${why}`,
        fix: viaTool ? 'nothing to do: writes go on during the copy'
          : blocked ? 'install percona-toolkit (pt-online-schema-change) and apply with --online again, or apply without --online ' +
            'when writes may wait for the copy, or make the change in online steps (a new column, a backfill, a swap)'
            : 'apply when writes may wait for the copy, or apply with --online to refuse it or run it through pt-online-schema-change',
      },
    };
  });
  return { statements: out, checks };
}
