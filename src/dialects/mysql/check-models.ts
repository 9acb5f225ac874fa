/** Checks of a desired schema against the MySQL/MariaDB server it is meant for. */
import type { SchemaIR } from '../../ir/schema.js';
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
