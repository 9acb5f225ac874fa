/**
 * MySQL/MariaDB SQL builder: the only place MySQL identifiers, literals, types and column
 * definitions are spelled.
 */
import { createHash } from 'node:crypto';
import type { CheckIR, ColumnIR, ColumnType, DefaultValue, ForeignKeyIR, TableIR } from '../../ir/schema.js';
import type { SqlBuilder } from '../dialect.js';
import { numberLiteral, quoteWith } from '../shared/quote.js';

/** MySQL's limit on the length of table, column, index and constraint names. */
export const MAX_IDENTIFIER_LENGTH = 64;

/**
 * A MySQL spelling of each column type. Choices (mapped back by `parseMysqlType`):
 * - `real` is `double` (MySQL's `float` is single precision);
 * - `boolean` is `tinyint(1)`, which is what MySQL's own BOOLEAN is;
 * - `timestamp()` is `datetime` (a wall-clock value, like SQL's TIMESTAMP WITHOUT TIME ZONE),
 *   and `timestamp({ withTimeZone: true })` is `timestamp`, which MySQL converts from the
 *   session time zone to UTC and back: an instant, like TIMESTAMP WITH TIME ZONE;
 * - `bytes` is `longblob` (no length limit short of 4 GB, like PostgreSQL's bytea);
 * - `uuid` is `char(36)` on both servers: MySQL has no uuid type, MariaDB only since 10.7,
 *   and one spelling keeps plans and fingerprints the same on either server;
 * - `json` is `json` (on MariaDB an alias of longtext with CHECK (json_valid(col))).
 */
export function mysqlType(t: ColumnType): string {
  switch (t.kind) {
    case 'integer': return 'int';
    case 'bigint': return 'bigint';
    case 'real': return 'double';
    case 'text': return 'text';
    case 'boolean': return 'tinyint(1)';
    case 'date': return 'date';
    case 'json': return 'json';
    case 'bytes': return 'longblob';
    case 'uuid': return 'char(36)';
    case 'varchar': return `varchar(${t.length})`;
    case 'decimal': return `decimal(${t.precision},${t.scale})`;
    case 'timestamp': return t.withTimeZone ? 'timestamp' : 'datetime';
    case 'raw': return t.sql;
  }
}

/** Escape a string literal: both `'` and `\` matter in MySQL unless NO_BACKSLASH_ESCAPES. */
export function mysqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "''").replace(/\u0000/g, '\\0')}'`;
}

export const mysqlSql: SqlBuilder = {
  ident: (name) => quoteWith('`', name),
  // The database is the connection's (the one named in the URL); names are never qualified.
  table: (name) => quoteWith('`', name),
  literal: (v) => (typeof v === 'string' ? mysqlString(v) : typeof v === 'boolean' ? (v ? '1' : '0') : numberLiteral(v)),
  type: mysqlType,
};

const q = mysqlSql.ident;

/**
 * A name MySQL accepts: names longer than 64 characters are cut and given a hash of the full
 * name, so the result is deterministic (normalisation and planning agree on it).
 */
export function mysqlName(name: string): string {
  if (name.length <= MAX_IDENTIFIER_LENGTH) return name;
  const hash = createHash('sha256').update(name, 'utf8').digest('hex').slice(0, 8);
  return `${name.slice(0, MAX_IDENTIFIER_LENGTH - 9)}_${hash}`;
}

/** The name Evolve gives a foreign key the model did not name (unique per database, as InnoDB requires). */
export function foreignKeyName(table: string, columns: readonly string[]): string {
  return mysqlName(`${table}_${columns.join('_')}_fkey`);
}

/** The name Evolve gives a unique constraint the model did not name. */
export function uniqueName(table: string, columns: readonly string[]): string {
  return mysqlName(`${table}_${columns.join('_')}_key`);
}

/** Types whose values MySQL cannot index without a prefix length (TEXT, BLOB and JSON families). */
export function isLobType(t: ColumnType): boolean {
  if (t.kind === 'text' || t.kind === 'bytes' || t.kind === 'json') return true;
  return t.kind === 'raw' && /^(tiny|medium|long)?(text|blob)\b/.test(t.sql);
}

/** Prefix length used when a plain (non-unique) index covers a TEXT/BLOB column. */
export const LOB_INDEX_PREFIX = 255;

/**
 * The key part list of an index: `(`a`, `b`(255))`. A non-unique index on a TEXT/BLOB column
 * gets a prefix length (MySQL requires one); a unique key does not, since a prefix would change
 * what is unique (MariaDB then builds a hash-based unique key; MySQL refuses with a clear error).
 */
export function keyPartsSql(table: TableIR | undefined, columns: readonly string[], unique: boolean): string {
  return `(${columns.map((c) => {
    const col = table?.columns.find((x) => x.name === c);
    return !unique && col && isLobType(col.type) ? `${q(c)}(${LOB_INDEX_PREFIX})` : q(c);
  }).join(', ')})`;
}

/**
 * True for expressions MySQL accepts bare after DEFAULT: CURRENT_TIMESTAMP only. MySQL 8 needs
 * any other expression in parentheses (8.0.13+); MariaDB accepts both.
 */
function bareExpression(sql: string): boolean {
  return /^CURRENT_TIMESTAMP(\(\d*\))?$/.test(sql);
}

/** `DEFAULT …` text for a column of type `type`. */
export function mysqlDefaultSql(type: ColumnType, d: DefaultValue): string {
  if (d.kind === 'expression') return bareExpression(d.sql) ? d.sql : `(${d.sql})`;
  const lit = mysqlSql.literal(d.value);
  // MySQL 8 accepts only expression defaults on TEXT/BLOB/JSON; MariaDB reads `('x')` as the literal 'x'.
  return isLobType(type) ? `(${lit})` : lit;
}

/** The SQL value of a default, for `UPDATE ... SET col = <value>`. */
export function defaultValueSql(d: DefaultValue): string {
  return d.kind === 'expression' ? (bareExpression(d.sql) ? d.sql : `(${d.sql})`) : mysqlSql.literal(d.value);
}

/** `CHARACTER SET cs COLLATE coll` for a collation (its character set is the name's first word). */
export function collationSql(collation: string): string {
  return `CHARACTER SET ${q(collation.split('_')[0]!)} COLLATE ${q(collation)}`;
}

/**
 * A full column definition, as CREATE TABLE, ADD COLUMN and MODIFY COLUMN take it; `check`
 * is a column-level CHECK to keep (MariaDB drops a column's own check when it is modified).
 * A generated column is `type AS (expr) STORED|VIRTUAL`, with NOT NULL only when asked for
 * (MariaDB refuses NULL/NOT NULL there and always reports generated columns as nullable).
 */
export function mysqlColumnSql(c: ColumnIR, check?: string): string {
  const parts = [q(c.name), mysqlType(c.type)];
  if (c.collation) parts.push(collationSql(c.collation));
  if (c.generated) {
    parts.push(`AS (${c.generated.expression}) ${c.generated.stored ? 'STORED' : 'VIRTUAL'}`);
    if (!c.nullable) parts.push('NOT NULL');
    if (check) parts.push(`CHECK (${check})`);
    return parts.join(' ');
  }
  // NULL is spelled out: without it, older servers make a TIMESTAMP column NOT NULL.
  parts.push(c.nullable ? 'NULL' : 'NOT NULL');
  if (c.default && !c.autoIncrement) parts.push('DEFAULT ' + mysqlDefaultSql(c.type, c.default));
  if (c.onUpdate) parts.push(`ON UPDATE ${c.onUpdate}`);
  if (c.autoIncrement) parts.push('AUTO_INCREMENT');
  if (check) parts.push(`CHECK (${check})`);
  return parts.join(' ');
}

/** `CONSTRAINT name CHECK (expr)` (or an unnamed CHECK). */
export function mysqlCheckSql(ck: CheckIR): string {
  return `${ck.name ? `CONSTRAINT ${q(ck.name)} ` : ''}CHECK (${ck.expression})`;
}

/**
 * The character set of a table whose model states none. CREATE TABLE always states it, so the
 * database's default character set (a setting the models did not ask for) never decides it.
 */
export const MODEL_CHARSET = 'utf8mb4';

/**
 * Table options as CREATE TABLE ends with them: `ENGINE=…`, `DEFAULT CHARSET=…`, `COLLATE=…`
 * (names quoted; options absent from `options` are left out).
 */
export function tableOptionsSql(options: Readonly<Record<string, string>> | undefined): string {
  const o = options ?? {};
  const parts: string[] = [];
  if (o.engine) parts.push(`ENGINE=${q(o.engine)}`);
  if (o.charset) parts.push(`DEFAULT CHARSET=${q(o.charset)}`);
  if (o.collation) parts.push(`COLLATE=${q(o.collation)}`);
  return parts.join(' ');
}

/** `ON DELETE … ON UPDATE …` clauses ('no action' is the default and left out). */
function actionsSql(fk: ForeignKeyIR): string {
  return (fk.onDelete !== 'no action' ? ` ON DELETE ${fk.onDelete.toUpperCase()}` : '') +
    (fk.onUpdate !== 'no action' ? ` ON UPDATE ${fk.onUpdate.toUpperCase()}` : '');
}

/** `CONSTRAINT name FOREIGN KEY (...) REFERENCES ...` for a foreign key of `table`. */
export function mysqlForeignKeySql(table: string, fk: ForeignKeyIR): string {
  const name = fk.name ?? foreignKeyName(table, fk.columns);
  return `CONSTRAINT ${q(name)} FOREIGN KEY (${fk.columns.map(q).join(', ')}) ` +
    `REFERENCES ${q(fk.refTable)} (${fk.refColumns.map(q).join(', ')})${actionsSql(fk)}`;
}

/** CREATE TABLE with its keys, indexes and the given foreign keys (the others are added later). */
export function mysqlCreateTableSql(t: TableIR, foreignKeys: readonly ForeignKeyIR[]): string {
  const lines = t.columns.map((c) => '  ' + mysqlColumnSql(c));
  if (t.primaryKey) lines.push(`  PRIMARY KEY (${t.primaryKey.columns.map(q).join(', ')})`);
  for (const u of t.uniques) lines.push(`  UNIQUE KEY ${q(u.name ?? uniqueName(t.name, u.columns))} ${keyPartsSql(t, u.columns, true)}`);
  for (const i of t.indexes) lines.push(`  ${i.unique ? 'UNIQUE KEY' : 'KEY'} ${q(i.name)} ${keyPartsSql(t, i.columns, i.unique)}`);
  for (const fk of foreignKeys) lines.push('  ' + mysqlForeignKeySql(t.name, fk));
  for (const ck of t.checks ?? []) lines.push('  ' + mysqlCheckSql(ck));
  // Without a charset or collation of its own, a table gets utf8mb4 with the server's default
  // collation for it, whatever the database's default (see MysqlDefaults in introspect.ts).
  const o = t.options ?? {};
  const options = tableOptionsSql(o.charset || o.collation ? o : { ...o, charset: MODEL_CHARSET });
  return `CREATE TABLE ${q(t.name)} (\n${lines.join(',\n')}\n)${options ? ` ${options}` : ''}`;
}
