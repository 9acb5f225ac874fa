/** One-line descriptions of hazards, for messages and files. */
import type { Hazard } from './plan.js';
import { commentLine } from '../ir/names.js';

/** `CODE table.column: message (N rows); e.g. … — fix`, always one line (see {@link commentLine}). */
export function describeHazard(h: Hazard): string {
  const rows = h.rows === null ? '' : ` (${h.rows} row${h.rows === 1 ? '' : 's'})`;
  const ex = h.examples?.length ? `; e.g. ${h.examples.slice(0, 3).map((v) => JSON.stringify(v)).join(', ')}` : '';
  return commentLine(`${h.code} ${h.table}${h.column ? '.' + h.column : ''}: ${h.message}${rows}${ex} — ${h.fix}`);
}
