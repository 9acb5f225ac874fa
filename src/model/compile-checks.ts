/**
 * The parts of a model table written as SQL expressions: CHECK constraints (on a column or
 * the table), generated columns and identity kinds, compiled into the IR and checked before
 * any database sees them (issue 18 point 5): a check naming a column the table lacks, a
 * generated column with a default.
 */
import type { CheckIR, ColumnIR } from '../ir/schema.js';
import { EvolveError, ErrorCode } from '../errors.js';
import { isSqlExpression } from './sql-expression.js';
import type { ColumnDefinition } from './column.js';
import type { TableOptions } from './table.js';

function invalid(message: string, hint: string, details?: Record<string, unknown>): EvolveError {
  return new EvolveError(ErrorCode.ModelInvalid, message, { hint, ...(details ? { details } : {}) });
}

/** Words of SQL that are not column names (operators, literals, functions without parentheses, type names). */
const KEYWORDS = new Set(`and or not null is in between like ilike glob regexp rlike match true false unknown case when then else end cast as
  exists any all some similar to escape collate distinct from current_date current_timestamp current_time localtime localtimestamp
  current_user session_user user interval date time timestamp with without zone varchar text integer int bigint smallint numeric decimal
  char character varying boolean bool real double precision float json jsonb uuid asc desc nulls first last on div mod xor binary
  year month day hour minute second epoch dow doy isodow isoyear week quarter decade century millennium timezone array row value values
  over partition by overlaps symmetric leading trailing both signed unsigned nchar varbinary blob ascii unicode`.split(/\s+/).filter(Boolean));

/**
 * The first name in `expression` that looks like a column and is not one of `columns`, or
 * undefined. Quoted names (`"x"`, `` `x` ``) are names; bare words are names unless they are
 * SQL words, function calls (`lower(`), qualified (`x.y`: not checked), or follow `::`,
 * `AS` or `COLLATE` (type and collation names).
 */
export function unknownColumnIn(expression: string, columns: readonly string[]): string | undefined {
  const lower = new Set(columns.map((c) => c.toLowerCase()));
  const text = expression.replace(/'(?:[^']|'')*'/g, "''");
  const re = /"((?:[^"]|"")+)"|`((?:[^`]|``)+)`|([A-Za-z_][A-Za-z0-9_$]*)/g;
  let prev = '';
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const before = text.slice(0, m.index).trimEnd();
    const after = text.slice(m.index + m[0].length).trimStart();
    const word = m[3];
    // `E'…'`, `N'…'`, `x'ff'`, `_utf8mb4'…'`: a string's prefix, not a name.
    const skip = before.endsWith('::') || before.endsWith('.') || after.startsWith('.') || after.startsWith("'") || /^(as|collate)$/i.test(prev)
      || /\d$/.test(before) && word !== undefined && /^e/i.test(word);
    prev = word ?? '';
    if (skip) continue;
    if (word === undefined) {
      const name = (m[1] ?? m[2]!).replace(/""|``/g, (q) => q[0]!);
      if (!columns.includes(name) && !lower.has(name.toLowerCase())) return name;
      continue;
    }
    if (after.startsWith('(') || KEYWORDS.has(word.toLowerCase())) continue;
    if (!lower.has(word.toLowerCase())) return word;
  }
  return undefined;
}

/**
 * The table's CHECK constraints: those written on its columns (`.check()`), in column order,
 * then those of its options (`checks: [...]`), each checked to name only the table's columns.
 */
export function compileChecks(tname: string, defs: readonly [string, ColumnDefinition][], opts: TableOptions, names: readonly string[]): CheckIR[] {
  const out: CheckIR[] = [];
  const add = (where: string, name: string | null, expression: string): void => {
    if (expression.trim() === '') throw invalid(`${where} is empty.`, 'Write the condition, e.g. sql`price >= 0`.', { table: tname });
    const missing = unknownColumnIn(expression, names);
    if (missing !== undefined) {
      throw invalid(`${where} (${expression}) names column '${missing}', which table '${tname}' does not have.`,
        `Use one of: ${names.join(', ')} (a check reads only its own table's columns).`, { table: tname, column: missing, check: expression });
    }
    if (name !== null && out.some((c) => c.name !== null && c.name.toLowerCase() === name.toLowerCase())) {
      throw invalid(`Table '${tname}' has two checks named '${name}'.`, 'Give each check a distinct name.', { table: tname, check: name });
    }
    out.push({ name, expression });
  };
  for (const [cname, d] of defs) for (const c of d.checks) add(`The check on '${tname}.${cname}'${c.name ? ` '${c.name}'` : ''}`, c.name, c.expression);
  for (const c of opts.checks ?? []) {
    const ck = isSqlExpression(c) ? { name: null, expression: c.text } : c;
    if (typeof ck?.expression !== 'string') {
      throw invalid(`A check of table '${tname}' is not built with check() or sql\`…\`.`, "Write checks: [check('name', sql`…`)].");
    }
    add(`A check of table '${tname}'${ck.name ? ` '${ck.name}'` : ''}`, ck.name ?? null, ck.expression);
  }
  return out;
}

/** A column's generated expression and identity kind, as IR fields; refused together with a default. */
export function generatedFields(tname: string, cname: string, d: ColumnDefinition): Pick<ColumnIR, 'generated' | 'identity'> {
  if (d.generated) {
    if (d.default !== null) {
      throw invalid(`Column '${tname}.${cname}' is generated (${d.generated.expression}) and has a default too; a generated column's value is its expression.`,
        `Remove .default(…) from '${cname}', or make it an ordinary column without .generatedAs().`, { table: tname, column: cname });
    }
    if (d.autoIncrement) {
      throw invalid(`Column '${tname}.${cname}' is both generated and auto-increment.`, 'Keep one: .generatedAs(sql`…`) or an auto-increment key.',
        { table: tname, column: cname });
    }
  }
  if (d.identity !== null && d.default !== null) {
    throw invalid(`Column '${tname}.${cname}' is an identity column and has a default; its values come from the database.`,
      `Remove .default(…) from '${cname}'.`, { table: tname, column: cname });
  }
  return {
    ...(d.generated ? { generated: { expression: d.generated.expression, stored: d.generated.stored } } : {}),
    ...(d.identity === 'always' ? { identity: 'always' as const } : {}),
  };
}

/** A table's storage options (`storage: { strict: true }`) as the IR's `key → value` text; true is `'true'`, false left out. */
export function storageOptions(tname: string, storage: TableOptions['storage']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(storage ?? {})) {
    if (typeof v !== 'string' && typeof v !== 'boolean') {
      throw invalid(`Storage option '${k}' of table '${tname}' is ${JSON.stringify(v)}.`, "Give each storage option as text or true/false: { strict: true }.");
    }
    if (v !== false) out[k.toLowerCase()] = v === true ? 'true' : v;
  }
  return out;
}
