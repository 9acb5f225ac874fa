/** Checks of a desired schema against the MySQL/MariaDB server it is meant for. */
import type { ColumnType, SchemaIR } from '../../ir/schema.js';
import { sameType, typeToString } from '../../ir/types.js';
import { isEvolveTable } from '../../ir/canonical.js';
import { EvolveError, ErrorCode } from '../../errors.js';
import type { MysqlSchemaIR } from './introspect.js';

/**
 * A server with `lower_case_table_names=1` stores every table name in lower case: a desired
 * table `Users` would be created (or renamed) as `users`, and the result would never be what the
 * models say. Refused before anything runs. (A SQL file is parsed on the same server, which
 * lowers its names itself; a models module names its tables.)
 * @throws EvolveError `E_MODEL_INVALID` naming the table and the lower-case name to give it.
 */
export function checkMysqlTableNames(live: SchemaIR, desired: SchemaIR): void {
  if (!(live as MysqlSchemaIR).lowerCaseTableNames) return;
  for (const t of desired.tables) {
    const lower = t.name.toLowerCase();
    if (lower === t.name || isEvolveTable(t.name)) continue;
    throw new EvolveError(ErrorCode.ModelInvalid,
      `Table '${t.name}' cannot be created on this server: it stores table names in lower case (lower_case_table_names=1), so it would be '${lower}'.`, {
        hint: `Name the table '${lower}' in the models (table('${lower}', …)): on this server that is its name.`,
        details: { table: t.name, name: lower },
      });
  }
}

const isString = (t: ColumnType): boolean => t.kind === 'text' || t.kind === 'varchar' || (t.kind === 'raw' && /^(var)?char\(\d+\)$/.test(t.sql));

/**
 * InnoDB's own rules for a foreign key of normalised models, which it enforces only when it
 * adds the key (after creating the table): the referenced columns are the primary key or a
 * unique key in that order, and each column is of exactly the referenced column's type (size
 * and sign included: `int` cannot reference `bigint`), strings of any length but of one
 * collation. (Keys to a non-unique column set or of another kind are refused for every
 * dialect when the models compile: src/model/foreign-keys.ts.)
 * @throws EvolveError `E_MODEL_INVALID` naming the key and the fix.
 */
export function checkMysqlModels(schema: SchemaIR): void {
  const byName = new Map(schema.tables.map((t) => [t.name, t]));
  for (const t of schema.tables) {
    for (const fk of t.foreignKeys) {
      const target = byName.get(fk.refTable);
      if (!target) continue;
      const key = `The foreign key (${fk.columns.join(', ')}) of table '${t.name}'`;
      const keys = [...(target.primaryKey ? [target.primaryKey.columns] : []), ...target.uniques.map((u) => u.columns)];
      if (!keys.some((k) => k.length === fk.refColumns.length && k.every((c, i) => c === fk.refColumns[i]))) {
        const order = keys.find((k) => k.length === fk.refColumns.length && k.every((c) => fk.refColumns.includes(c)));
        throw new EvolveError(ErrorCode.ModelInvalid,
          `${key} references '${fk.refTable}' (${fk.refColumns.join(', ')}), and InnoDB needs a key of '${fk.refTable}' with those columns in that order.`, {
            hint: order ? `Reference them in the key's order: (${order.join(', ')}), with the key's own columns in the same order.`
              : `Make (${fk.refColumns.join(', ')}) the primary key or a unique key of '${fk.refTable}'.`,
            details: { table: t.name, columns: fk.columns, refTable: fk.refTable, refColumns: fk.refColumns },
          });
      }
      fk.columns.forEach((c, i) => {
        const col = t.columns.find((x) => x.name === c);
        const ref = target.columns.find((x) => x.name === fk.refColumns[i]);
        if (!col || !ref) return;
        const strings = isString(col.type) && isString(ref.type);
        if (strings ? (col.collation ?? null) === (ref.collation ?? null) : sameType(col.type, ref.type)) return;
        const what = strings
          ? `collation ${col.collation ?? 'the table default'}, the referenced one ${ref.collation ?? 'its table\'s default'}`
          : `${typeToString(col.type)}, the referenced one ${typeToString(ref.type)}`;
        throw new EvolveError(ErrorCode.ModelInvalid,
          `${key}: column '${t.name}.${c}' and the column it references, '${fk.refTable}.${ref.name}', differ (${what}); InnoDB refuses such a key.`, {
            hint: strings ? 'Give both columns one collation.'
              : `Give '${t.name}.${c}' exactly the type of '${fk.refTable}.${ref.name}' (${typeToString(ref.type)}).`,
            details: { table: t.name, column: c, refTable: fk.refTable, refColumn: ref.name },
          });
      });
    }
  }
}
