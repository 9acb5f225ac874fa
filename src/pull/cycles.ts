/**
 * Tables whose foreign keys form a cycle (a table referencing itself, or `a → b → a`): there a
 * reference's arrow needs its return type written (`(): ColumnRef => employee.columns.id`), or
 * TypeScript cannot type the tables (TS7022, "referenced directly or indirectly in its own
 * initializer").
 */
import type { TableIR } from '../ir/schema.js';

/** For each table in a cycle, the id of its cycle (tables of one cycle share it); tables in none are absent. */
export function foreignKeyCycles(tables: readonly TableIR[]): Map<string, number> {
  const edges = new Map(tables.map((t) => [t.name, [...new Set(t.foreignKeys.map((f) => f.refTable))]]));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out = new Map<string, number>();
  let next = 0;
  let cycle = 0;
  // Tarjan's strongly connected components, iteratively (a chain of thousands of tables must not overflow the stack).
  for (const root of edges.keys()) {
    if (index.has(root)) continue;
    const work: { node: string; i: number }[] = [{ node: root, i: 0 }];
    index.set(root, next); low.set(root, next++); stack.push(root); onStack.add(root);
    while (work.length) {
      const top = work[work.length - 1]!;
      const succ = edges.get(top.node)!;
      if (top.i < succ.length) {
        const w = succ[top.i++]!;
        if (!edges.has(w)) continue;
        if (!index.has(w)) {
          index.set(w, next); low.set(w, next++); stack.push(w); onStack.add(w);
          work.push({ node: w, i: 0 });
        } else if (onStack.has(w)) low.set(top.node, Math.min(low.get(top.node)!, index.get(w)!));
        continue;
      }
      work.pop();
      if (work.length) { const parent = work[work.length - 1]!.node; low.set(parent, Math.min(low.get(parent)!, low.get(top.node)!)); }
      if (low.get(top.node) !== index.get(top.node)) continue;
      const members: string[] = [];
      let w: string;
      do { w = stack.pop()!; onStack.delete(w); members.push(w); } while (w !== top.node);
      const selfLoop = edges.get(top.node)!.includes(top.node);
      if (members.length > 1 || selfLoop) { for (const m of members) out.set(m, cycle); cycle++; }
    }
  }
  return out;
}
