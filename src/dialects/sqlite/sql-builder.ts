/** SQLite's SQL builder: the only place SQLite identifiers, literals and types are spelled. */
import type { ColumnIR, ColumnType, DefaultValue, IndexIR, TableIR } from '../../ir/schema.js';
import type { SqlBuilder } from '../dialect.js';
import { numberLiteral, quoteString, quoteWith } from '../shared/quote.js';

function type(t: ColumnType): string {
  switch (t.kind) {
    case 'integer': return 'integer';
    case 'bigint': return 'bigint';
    case 'real': return 'real';
    case 'text': return 'text';
    case 'boolean': return 'boolean';
    case 'date': return 'date';
    case 'json': return 'json';
    case 'bytes': return 'blob';
    case 'uuid': return 'uuid';
    case 'varchar': return `varchar(${t.length})`;
    case 'decimal': return `decimal(${t.precision},${t.scale})`;
    case 'timestamp': return t.withTimeZone ? 'timestamptz' : 'timestamp';
    case 'raw': return t.sql;
  }
}

export const sqliteSql: SqlBuilder = {
  ident: (name) => quoteWith('"', name),
  table: (name) => quoteWith('"', name),
  literal: (v) => (typeof v === 'string' ? quoteString(v) : typeof v === 'boolean' ? (v ? 'TRUE' : 'FALSE') : numberLiteral(v)),
  type,
};

const q = sqliteSql.ident;

/** `DEFAULT …` text for a default. */
export function sqliteDefaultSql(d: DefaultValue): string {
  if (d.kind === 'value') return sqliteSql.literal(d.value);
  // Keywords SQLite accepts bare; anything else goes in parentheses.
  return /^(CURRENT_TIMESTAMP|CURRENT_DATE|CURRENT_TIME)$/i.test(d.sql) ? d.sql : `(${d.sql})`;
}

/** A column definition inside CREATE TABLE / ADD COLUMN. */
export function sqliteColumnSql(c: ColumnIR, inlinePk: boolean): string {
  const parts = [q(c.name)];
  const t = type(c.type);
  if (t !== '') parts.push(t);
  if (c.collation) parts.push(`COLLATE ${q(c.collation)}`);
  if (inlinePk) parts.push('PRIMARY KEY AUTOINCREMENT');
  if (!c.nullable) parts.push('NOT NULL');
  if (c.generated) parts.push(`GENERATED ALWAYS AS (${c.generated.expression}) ${c.generated.stored ? 'STORED' : 'VIRTUAL'}`);
  else if (c.default) parts.push('DEFAULT ' + sqliteDefaultSql(c.default));
  return parts.join(' ');
}

/** CREATE TABLE for a table (its indexes separately, see {@link sqliteCreateIndexSql}). */
export function sqliteCreateTableSql(t: TableIR, name = t.name): string {
  const auto = t.columns.find((c) => c.autoIncrement);
  const lines = t.columns.map((c) => '  ' + sqliteColumnSql(c, c === auto));
  if (t.primaryKey && !auto) lines.push(`  PRIMARY KEY (${t.primaryKey.columns.map(q).join(', ')})`);
  for (const u of t.uniques) lines.push(`  UNIQUE (${u.columns.map(q).join(', ')})`);
  for (const fk of t.foreignKeys) {
    lines.push(`  FOREIGN KEY (${fk.columns.map(q).join(', ')}) REFERENCES ${q(fk.refTable)} (${fk.refColumns.map(q).join(', ')})` +
      (fk.onDelete !== 'no action' ? ` ON DELETE ${fk.onDelete.toUpperCase()}` : '') +
      (fk.onUpdate !== 'no action' ? ` ON UPDATE ${fk.onUpdate.toUpperCase()}` : ''));
  }
  for (const ck of t.checks ?? []) lines.push(`  ${ck.name ? `CONSTRAINT ${q(ck.name)} ` : ''}CHECK (${ck.expression})`);
  const options = [t.options?.without_rowid === 'true' ? 'WITHOUT ROWID' : '', t.options?.strict === 'true' ? 'STRICT' : ''].filter(Boolean);
  return `CREATE TABLE ${q(name)} (\n${lines.join(',\n')}\n)${options.length ? ' ' + options.join(', ') : ''}`;
}

/** CREATE INDEX. */
export function sqliteCreateIndexSql(table: string, i: IndexIR): string {
  return `CREATE ${i.unique ? 'UNIQUE ' : ''}INDEX ${q(i.name)} ON ${q(table)} (${i.columns.map(q).join(', ')})${i.where ? ` WHERE ${i.where}` : ''}`;
}
