/**
 * PostgreSQL refuses to change the type or collation of a column a generated column reads
 * ("cannot alter type of a column used by a generated column"). The planner drops such
 * generated columns before the table's first such change and adds them back, as the target
 * defines them, after its last: their values are derived, nothing is lost.
 */
import type { Change } from '../../diff/changes.js';
import type { Diff } from '../../diff/differ.js';
import type { ColumnIR } from '../../ir/schema.js';
import { tableNamed } from '../../ir/schema.js';

type AlterColumn = Extract<Change, { kind: 'alterColumn' }>;

/** The generated columns to take down around one table's column changes. */
export interface GeneratedReaders {
  /** The change before which they are dropped, and the one after which they are added back. */
  readonly first: AlterColumn;
  readonly last: AlterColumn;
  /** Their names when dropped (renames run before column changes: the target name, where the column stays). */
  readonly drop: readonly string[];
  /** Their target definitions, added back (the ones the target drops are not). */
  readonly add: readonly ColumnIR[];
  /** Their own changes, which dropping and adding them replaces. */
  readonly replaced: ReadonlySet<Change>;
}

/** Does SQL expression `expr` name column `col` (bare, or quoted as PostgreSQL prints a name that needs it)? */
function mentions(expr: string, col: string): boolean {
  return new RegExp(`(^|[^\\w$])${col.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\w$])`).test(expr);
}

/** For each table (by target name) whose columns change in a way generated columns block, what to take down. */
export function generatedReaders(diff: Diff): Map<string, GeneratedReaders> {
  const out = new Map<string, GeneratedReaders>();
  const blocking = new Map<string, AlterColumn[]>();
  for (const c of diff.changes) {
    if (c.kind !== 'alterColumn' || !(c.changed.type || c.changed.collation)) continue;
    const list = blocking.get(c.table);
    if (list) list.push(c); else blocking.set(c.table, [c]);
  }
  if (blocking.size === 0) return out;
  for (const [table, alters] of blocking) {
    // By name (tableNamed: a map made once): a search of every table per changed table is quadratic.
    const live = tableNamed(diff.from, diff.liveName.get(table) ?? table);
    const target = tableNamed(diff.to, table);
    if (!live || !target) continue;
    const toTarget = new Map(diff.renames.filter((r) => r.kind === 'column' && r.table === table).map((r) => [r.from, r.to]));
    const changing = alters.flatMap((a) => [a.from.name, a.to.name]);
    const readers = live.columns.filter((g) => g.generated && changing.some((n) => n !== g.name && mentions(g.generated!.expression, n)));
    const drop: string[] = [];
    const add: ColumnIR[] = [];
    const replaced = new Set<Change>();
    for (const g of readers) {
      const name = toTarget.get(g.name) ?? g.name;
      const t = target.columns.find((x) => x.name === name);
      // A column that stops being generated keeps its values (its own change: DROP EXPRESSION).
      if (t && !t.generated) continue;
      drop.push(t ? name : g.name);
      if (t) add.push(t);
      for (const c of diff.changes) {
        if (c.kind === 'alterColumn' && c.table === table && c.to.name === name) replaced.add(c);
        if (c.kind === 'dropColumn' && c.table === table && c.column.name === g.name) replaced.add(c);
      }
    }
    if (drop.length) out.set(table, { first: alters[0]!, last: alters[alters.length - 1]!, drop, add, replaced });
  }
  return out;
}
