/**
 * Which values survive a type change on SQLite. SQLite itself keeps any value in any column
 * (type affinity), so "would not convert" means: the value is not a proper value of the new
 * type as the other dialects would require it.
 */
import type { ColumnIR } from '../../ir/schema.js';

export function sqliteLossyPredicate(col: string, from: ColumnIR, to: ColumnIR): string | null | undefined {
  const t = to.type;
  switch (t.kind) {
    case 'text': case 'bytes': return null;
    case 'varchar': return `length(CAST(${col} AS TEXT)) > ${t.length}`;
    case 'integer': return `NOT (CAST(${col} AS INTEGER) = ${col} AND CAST(${col} AS INTEGER) BETWEEN -2147483648 AND 2147483647)`;
    case 'bigint': return `NOT (CAST(${col} AS INTEGER) = ${col})`;
    case 'real': return `NOT (CAST(${col} AS REAL) = ${col})`;
    case 'decimal': {
      const limit = `1e${t.precision - t.scale}`;
      return `NOT (CAST(${col} AS REAL) = ${col} AND abs(CAST(${col} AS REAL)) < ${limit} AND round(CAST(${col} AS REAL), ${t.scale}) = CAST(${col} AS REAL))`;
    }
    case 'boolean': return from.type.kind === 'integer' || from.type.kind === 'bigint' ? `${col} NOT IN (0, 1)` : `${col} NOT IN (0, 1, '0', '1')`;
    case 'date': return `date(${col}) IS NOT CAST(${col} AS TEXT)`;
    case 'timestamp': return `datetime(${col}) IS NULL`;
    case 'json': return `json_valid(${col}) = 0`;
    case 'uuid': return `length(CAST(${col} AS TEXT)) <> 36`;
    case 'raw': return undefined;
  }
}
