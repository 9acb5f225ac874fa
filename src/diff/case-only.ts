/**
 * Names that differ only in case. SQLite and MySQL/MariaDB take `ID` and `id` for one column
 * (and MySQL one index, SQLite one table), yet their catalogs keep the case written, and so does
 * the fingerprint; PostgreSQL tells quoted `"ID"` from `id`. Either way a desired name that
 * differs from a live one only in case is that name, written differently: the differ pairs
 * them as a case-only rename (never a drop and an add, which those databases refuse or which
 * would lose the column's values), and the planners carry it out as each database can.
 */

/**
 * The name a table takes for a moment where the database cannot rename it to a name that
 * differs only in case (SQLite; MySQL with lower_case_table_names=2): Evolve's own (`_evolve…`
 * tables are never part of a schema), renamed on at once.
 */
export const CASE_RENAME_TABLE = '_evolve_case_rename';

/** The form in which names that differ only in case are equal. */
export const foldCase = (name: string): string => name.toLowerCase();

/** True when `a` and `b` are different names that differ only in case. */
export const differsOnlyInCase = (a: string, b: string): boolean => a !== b && foldCase(a) === foldCase(b);

/**
 * Pairs of a desired name left unmatched (`targets`) with a live name left unclaimed (`live`)
 * that differs from it only in case, where each is the only one of its side with that folded
 * form (`ID` and `Id` both unclaimed: no pair, nothing is guessed). Returns target → live.
 */
export function caseOnlyPairs(targets: readonly string[], live: readonly string[]): Map<string, string> {
  const pairs = new Map<string, string>();
  if (targets.length === 0 || live.length === 0) return pairs;
  const group = (names: readonly string[]): Map<string, string[]> => {
    const m = new Map<string, string[]>();
    for (const n of names) (m.get(foldCase(n)) ?? m.set(foldCase(n), []).get(foldCase(n))!).push(n);
    return m;
  };
  const liveBy = group(live);
  for (const [folded, ts] of group(targets)) {
    const ls = liveBy.get(folded);
    if (ts.length === 1 && ls?.length === 1 && ts[0] !== ls[0]) pairs.set(ts[0]!, ls[0]!);
  }
  return pairs;
}
