/**
 * MySQL/MariaDB normalisation: the one form in which models and introspected schemas compare,
 * so that a model applied to an empty database introspects back with no difference.
 *
 * Type names and default texts are read by the same functions on both sides: introspected
 * `COLUMN_TYPE` / `COLUMN_DEFAULT` text, and the raw types and `sql\`...\`` defaults of models.
 */
import type { CheckIR, ColumnIR, ColumnType, DefaultValue, ForeignKeyIR, IndexIR, ReferentialAction, SchemaIR, TableIR, UniqueIR } from '../../ir/schema.js';
import { normaliseTypeText } from '../../ir/types.js';
import { EvolveError, ErrorCode } from '../../errors.js';
import { identityAlwaysRefused, normaliseDefault, parseDefaultSql, parseNumber, stripOuterParens } from '../shared/defaults.js';
import { foreignKeyName, mysqlName, mysqlSql, uniqueName } from './sql-builder.js';
import { enumTypeSql, parseEnumType } from './enum-type.js';
import { withQuotedColumns } from './expression-names.js';

const INT_TYPE = /^(tinyint|smallint|mediumint|int|integer|bigint)(?:\((\d+)\))?( unsigned)?( zerofill)?$/;

/**
 * A MySQL type as a column type: the DSL's types come back as their kinds (see `mysqlType`),
 * anything else stays `raw` in a normalised spelling: integer display widths dropped (MySQL
 * 8.0.19+ no longer reports them, MariaDB does), `integer` → `int`, `numeric` → `decimal`,
 * `(0)` fractional-second precision dropped, `year(4)` → `year`; ENUM and SET keep their value
 * lists exactly (see `enum-type.ts`); UNSIGNED and ZEROFILL are kept.
 */
export function parseMysqlType(text: string): ColumnType {
  // Type texts repeat across thousands of columns: one frozen object per spelling (frozen, it
  // is also skipped by deepFreeze).
  let type = mysqlTypeCache.get(text);
  if (type === undefined) {
    type = Object.freeze(readMysqlType(text));
    if (mysqlTypeCache.size > 10_000) mysqlTypeCache.clear();
    mysqlTypeCache.set(text, type);
  }
  return type;
}
const mysqlTypeCache = new Map<string, ColumnType>();

function readMysqlType(text: string): ColumnType {
  // ENUM and SET keep their values exactly (case, spaces, commas inside values).
  const e = parseEnumType(text);
  if (e) return { kind: 'raw', sql: enumTypeSql(e) };
  const t = normaliseTypeText(text);
  const int = INT_TYPE.exec(t);
  if (int) {
    const base = int[1] === 'integer' ? 'int' : int[1]!;
    const unsigned = int[3] ?? '';
    // Zerofill keeps its width on every server: the width is part of the values' display.
    if (int[4]) return { kind: 'raw', sql: `${base}${int[2] ? `(${int[2]})` : ''}${unsigned} zerofill` };
    if (base === 'tinyint' && int[2] === '1' && !unsigned) return { kind: 'boolean' };
    if (!unsigned && base === 'int') return { kind: 'integer' };
    if (!unsigned && base === 'bigint') return { kind: 'bigint' };
    return { kind: 'raw', sql: `${base}${unsigned}` };
  }
  const dec = /^(?:decimal|numeric|dec|fixed)(?:\((\d+)(?:,(\d+))?\))?$/.exec(t);
  if (dec) return { kind: 'decimal', precision: dec[1] === undefined ? 10 : Number(dec[1]), scale: dec[2] === undefined ? 0 : Number(dec[2]) };
  const vc = /^(?:varchar|character varying)\((\d+)\)$/.exec(t);
  if (vc) return { kind: 'varchar', length: Number(vc[1]) };
  switch (t) {
    case 'bool': case 'boolean': return { kind: 'boolean' };
    case 'double': case 'double precision': case 'real': return { kind: 'real' };
    case 'text': return { kind: 'text' };
    case 'longblob': return { kind: 'bytes' };
    case 'char(36)': case 'character(36)': return { kind: 'uuid' };
    case 'json': return { kind: 'json' };
    case 'date': return { kind: 'date' };
    case 'datetime': case 'datetime(0)': return { kind: 'timestamp', withTimeZone: false };
    case 'timestamp': case 'timestamp(0)': return { kind: 'timestamp', withTimeZone: true };
    case 'char': case 'character': return { kind: 'raw', sql: 'char(1)' };
    case 'binary': return { kind: 'raw', sql: 'binary(1)' };
    case 'year(4)': return { kind: 'raw', sql: 'year' };
    default: break;
  }
  const ch = /^character\((\d+)\)$/.exec(t);
  if (ch) return { kind: 'raw', sql: `char(${ch[1]})` };
  const frac = /^(datetime|timestamp|time)\(0\)$/.exec(t);
  if (frac) return { kind: 'raw', sql: frac[1]! };
  return { kind: 'raw', sql: t };
}

/** True for raw types whose values are numbers (their literal defaults read as numbers). */
export function isNumericRaw(t: ColumnType): boolean {
  return t.kind === 'raw' && /^(tinyint|smallint|mediumint|int|bigint|float|double|decimal)\b/.test(t.sql);
}

/** Split SQL text into quoted strings/identifiers and the code between them. */
export function segments(sql: string): { quoted: boolean; text: string }[] {
  const out: { quoted: boolean; text: string }[] = [];
  let code = '';
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    if (ch === "'" || ch === '"' || ch === '`') {
      if (code) { out.push({ quoted: false, text: code }); code = ''; }
      let j = i + 1;
      while (j < sql.length) {
        if (sql[j] === '\\' && ch !== '`') { j += 2; continue; }
        if (sql[j] === ch) { if (sql[j + 1] === ch) { j += 2; continue; } break; }
        j++;
      }
      out.push({ quoted: true, text: sql.slice(i, j + 1) });
      i = j + 1;
    } else { code += ch; i++; }
  }
  if (code) out.push({ quoted: false, text: code });
  return out;
}

const NOW = /^(current_timestamp|now|localtime|localtimestamp)(\(\))?$/;
const NOW_P = /^(current_timestamp|now|localtime|localtimestamp)\((\d+)\)$/;

/**
 * Normalise an SQL expression the way both servers print it back: outer parentheses gone,
 * code (not strings or quoted names) in lower case with no spaces around punctuation, and the
 * synonyms of the current time in one spelling (`CURRENT_TIMESTAMP`, `CURRENT_TIMESTAMP(6)`,
 * `CURRENT_DATE`, `CURRENT_TIME`), as the other dialects write them.
 */
export function normaliseMysqlExpression(sql: string): string {
  const s = segments(stripOuterParens(sql)).map((seg) => seg.quoted ? seg.text : seg.text
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/\s*([(),+\-*/%=<>!|&^~])\s*/g, '$1')).join('').trim();
  if (NOW.test(s)) return 'CURRENT_TIMESTAMP';
  const p = NOW_P.exec(s);
  if (p) return p[2] === '0' ? 'CURRENT_TIMESTAMP' : `CURRENT_TIMESTAMP(${p[2]})`;
  if (/^(current_date|curdate)(\(\))?$/.test(s)) return 'CURRENT_DATE';
  if (/^(current_time|curtime)(\(\))?$/.test(s)) return 'CURRENT_TIME';
  return s;
}

const ESCAPES: Record<string, string> = { '0': '\u0000', b: '\b', n: '\n', r: '\r', t: '\t', Z: '\u001a' };

/** Unquote a MySQL string literal (`''` and backslash escapes), or undefined when `text` is not one. */
export function parseMysqlString(text: string): string | undefined {
  const m = /^'((?:[^'\\]|''|\\[\s\S])*)'$/.exec(text);
  if (!m) return undefined;
  // Backslash-escaped % and _ keep their backslash (MySQL's rule, for LIKE patterns).
  return m[1]!.replace(/''|\\([\s\S])/g, (all, ch: string | undefined) =>
    all === "''" ? "'" : ch === '%' || ch === '_' ? all : ESCAPES[ch!] ?? ch!);
}

/**
 * Read default text written as SQL (MariaDB's COLUMN_DEFAULT, MySQL's DEFAULT_GENERATED
 * expressions, a model's sql`...`): NULL means none; numbers and quoted strings are values;
 * anything else is a normalised expression.
 */
export function parseMysqlDefault(text: string | null | undefined): DefaultValue | null {
  // A number beyond JavaScript's exact range (a large BIGINT) stays exact, as text.
  return parseDefaultSql(text, { parseString: parseMysqlString, normaliseExpression: normaliseMysqlExpression, exactBigIntegers: true });
}

/**
 * MySQL 8 prints generated defaults with escaped quotes and charset introducers
 * (`concat(_utf8mb4\'a\',_utf8mb4\'b\')`); bring them to plain SQL.
 */
export function unescapeMysql8Expression(text: string): string {
  return text.replace(/\\'/g, "'").replace(/(^|[(,\s=<>+\-*/])_[a-z0-9]+(?=')/gi, '$1');
}

/**
 * A table as this dialect normalises it. `implicitIndexes` holds the indexes that exist only to
 * serve a foreign key (see {@link normaliseMysql}): set aside from `indexes`, so they are
 * neither compared nor fingerprinted (the canonical form reads only the IR's own fields), but
 * the planner still knows they exist.
 */
export interface MysqlTableIR extends TableIR {
  readonly implicitIndexes?: readonly IndexIR[];
}

/**
 * A CHECK constraint as this dialect reads it: MariaDB's column-level checks (written in a
 * column's definition) name their `column`; they go when that column is modified, and cannot
 * be dropped by name.
 */
export interface MysqlCheckIR extends CheckIR {
  readonly column?: string;
}

/** Bring a default to the form its column's type implies (see the module comment). */
export function normaliseMysqlDefault(type: ColumnType, d: DefaultValue | null): DefaultValue | null {
  if (d === null) return null;
  // A model's sql`'x'` or sql`0` is a literal: read it as the database will report it.
  const parsed = d.kind === 'expression' ? parseMysqlDefault(d.sql) : d;
  if (parsed === null || parsed.kind === 'expression') return parsed;
  let v = normaliseDefault(type, parsed)!;
  if (v.kind !== 'value') return v;
  if (isNumericRaw(type)) {
    if (typeof v.value === 'boolean') v = { kind: 'value', value: v.value ? 1 : 0 };
    else if (typeof v.value === 'string') { const n = parseNumber(v.value.trim()); if (n !== undefined) v = { kind: 'value', value: n }; }
  }
  // A date given for a datetime column is stored (and reported) at midnight.
  if (type.kind === 'timestamp' && typeof v.value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v.value)) v = { kind: 'value', value: `${v.value} 00:00:00` };
  return v;
}

/**
 * InnoDB checks NO ACTION and RESTRICT alike (immediately), and MariaDB reports an omitted
 * action as RESTRICT while MySQL reports NO ACTION: both are 'no action' here.
 */
function action(a: ReferentialAction): ReferentialAction {
  return a === 'restrict' ? 'no action' : a;
}

const sameColumns = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** True when `name` is what MySQL names an index after `column`: the column's name, or it with `_2`, `_3`... */
export function namedAfterColumn(name: string, column: string): boolean {
  return name === column || (name.startsWith(`${column}_`) && /^\d+$/.test(name.slice(column.length + 1)));
}

/**
 * True when an index looks like the one MySQL creates for a foreign key that has no usable
 * index: named after the constraint, or (for an unnamed constraint) after its first column.
 */
export function servesForeignKey(i: IndexIR, fks: readonly ForeignKeyIR[]): boolean {
  if (i.unique) return false;
  return fks.some((fk) => sameColumns(i.columns, fk.columns) && (i.name === fk.name || namedAfterColumn(i.name, fk.columns[0]!)));
}

/**
 * A copy of `src` with its own fields in their order, those in `replace` replaced (and appended
 * when `src` lacks them), those in `drop` left out: what an object rest and spread gave, built
 * by plain stores in a fixed order so that the copies share one hidden class (an object rest
 * gives each its own, and every later reader of columns and tables goes megamorphic).
 */
function inOrder(src: object, replace: Record<string, unknown>, drop: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k in src) {
    if (drop.includes(k)) continue;
    out[k] = Object.prototype.hasOwnProperty.call(replace, k) ? replace[k] : (src as Record<string, unknown>)[k];
  }
  for (const k in replace) if (!(k in out)) out[k] = replace[k];
  return out;
}

function normaliseColumn(c: ColumnIR, pk: readonly string[]): ColumnIR {
  const type = c.type.kind === 'raw' ? parseMysqlType(c.type.sql) : c.type;
  const generated = c.generated;
  const collation = c.collation;
  const gen = generated ? { expression: normaliseMysqlExpression(generated.expression), stored: generated.stored } : null;
  // JSON has its own collation on MariaDB (utf8mb4_bin, the server's choice): never compared.
  const coll = collation && type.kind !== 'json' ? collation.toLowerCase() : null;
  // Primary key columns are NOT NULL in MySQL whatever their definition says.
  const nullable = pk.includes(c.name) ? false : c.nullable;
  // AUTO_INCREMENT and generated columns cannot have a default.
  const dflt = c.autoIncrement || gen ? null : normaliseMysqlDefault(type, c.default);
  // Already in this form (most introspected columns, built moments ago): the column itself, a
  // copy would be equal. Not a model's (frozen) column: those come in many hidden classes, and
  // the copies below share one.
  if (!Object.isFrozen(c) && type === c.type && nullable === c.nullable && typeof nullable === 'boolean' && dflt === c.default
    && !('generated' in c) && !('collation' in c)) return c;
  // `{ ...rest, type, nullable, default, ...gen, ...coll }`, with one hidden class for every column.
  const out = inOrder(c, { type, nullable, default: dflt }, ['generated', 'collation']);
  if (gen) out.generated = gen;
  if (coll) out.collation = coll;
  return out as unknown as ColumnIR;
}

/** The CHECK that MariaDB adds to a JSON column (`json_valid(`col`)`), as normalised text. */
export function jsonValidCheck(column: string): string {
  return `json_valid(${mysqlSql.ident(column)})`;
}

/** CHECK constraints, normalised; the ones the server adds itself (MariaDB's json_valid) left out. */
function normaliseChecks(t: TableIR, columns: readonly ColumnIR[]): CheckIR[] {
  if (!t.checks?.length) return [];
  const implied = new Set(columns.filter((c) => c.type.kind === 'json').map((c) => jsonValidCheck(c.name)));
  const out: CheckIR[] = [];
  for (const ck of t.checks ?? []) {
    const expression = normaliseMysqlExpression(ck.expression);
    if (implied.has(expression) || out.some((x) => x.expression === expression)) continue;
    out.push({ ...ck, name: ck.name === null ? null : mysqlName(ck.name), expression });
  }
  return out;
}

/** Table options in one spelling (lower case), empty ones left out. */
function normaliseOptions(o: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o ?? {})) if (v) out[k.toLowerCase()] = v.toLowerCase();
  return out;
}

function normaliseTable(t: TableIR): MysqlTableIR {
  const pk = t.primaryKey?.columns ?? [];
  const partial = t.indexes.find((i) => i.where !== null);
  if (partial) {
    throw new EvolveError(ErrorCode.Unsupported,
      `Index '${partial.name}' of table '${t.name}' is partial (WHERE ${partial.where}), and MySQL/MariaDB have no partial indexes.`, {
        hint: 'Remove .where() from the index for this database, or index the whole table.',
        details: { table: t.name, index: partial.name },
      });
  }
  for (let k = 0; k < t.columns.length; k++) {
    if (t.columns[k]!.identity === 'always') throw identityAlwaysRefused('MySQL/MariaDB', t.name, t.columns[k]!.name);
  }
  const setDefault = t.foreignKeys.find((fk) => fk.onDelete === 'set default' || fk.onUpdate === 'set default');
  if (setDefault) {
    throw new EvolveError(ErrorCode.Unsupported,
      `The foreign key (${setDefault.columns.join(', ')}) of table '${t.name}' uses SET DEFAULT, which InnoDB refuses.`, {
        hint: "Use 'set null', 'cascade', 'restrict' or 'no action' for this database.",
        details: { table: t.name, columns: setDefault.columns },
      });
  }
  const foreignKeys = t.foreignKeys.map((fk) => ({
    ...fk, name: mysqlName(fk.name ?? foreignKeyName(t.name, fk.columns)), onDelete: action(fk.onDelete), onUpdate: action(fk.onUpdate),
  }));
  // MySQL cannot tell a UNIQUE constraint from a unique index (both are unique indexes): every
  // unique index, of the model or the database, is a `uniques` entry (its name kept for DROP).
  // A unique index's name is therefore not compared; only its columns are.
  const uniques: UniqueIR[] = [];
  const all = [
    ...t.uniques.map((u) => ({ name: mysqlName(u.name ?? uniqueName(t.name, u.columns)), columns: u.columns })),
    ...t.indexes.filter((i) => i.unique).map((i) => ({ name: mysqlName(i.name), columns: i.columns })),
  ];
  for (const u of all) if (!uniques.some((x) => sameColumns(x.columns, u.columns))) uniques.push(u);
  // MySQL creates an index for a foreign key that lacks one, and keeps it when the key is
  // dropped. Such indexes are set aside on both sides, so they never make a false difference;
  // a model index of that shape (named after the key or its first column) is set aside too:
  // the database serves the key with an index of its own naming.
  const indexes: IndexIR[] = [];
  const implicitIndexes: IndexIR[] = [];
  for (const i of t.indexes.filter((x) => !x.unique)) {
    const n = { ...i, name: mysqlName(i.name) };
    (servesForeignKey(n, foreignKeys) ? implicitIndexes : indexes).push(n);
  }
  const options = normaliseOptions(t.options);
  // A column's collation is kept only where it is not its table's (as introspection reads it).
  let columns = t.columns.map((c) => {
    const n = normaliseColumn(c, pk);
    return options.collation && n.collation === options.collation ? inOrder(n, {}, ['collation']) as unknown as ColumnIR : n;
  });
  const quoted = withQuotedColumns(columns, t.checks);
  const checks = normaliseChecks(quoted.checks === t.checks ? t : { ...t, checks: quoted.checks }, quoted.columns);
  columns = quoted.columns;
  const primaryKey = t.primaryKey ? { name: 'PRIMARY', columns: t.primaryKey.columns } : null;
  // The table's own fields in their order (checks and options left out, the normalised ones
  // replaced), then checks, options and the implicit indexes: what
  // `{ ...base, columns, primaryKey, uniques, indexes, foreignKeys, ...checks, ...options }` gave,
  // by plain stores so that tables share hidden classes (see normaliseColumn).
  const out = inOrder(t, { columns, primaryKey, uniques, indexes, foreignKeys }, ['checks', 'options']);
  if (checks.length) out.checks = checks;
  if (Object.keys(options).length) out.options = options;
  if (implicitIndexes.length) out.implicitIndexes = implicitIndexes;
  return out as unknown as MysqlTableIR;
}

/**
 * Normalise a schema (compiled models, or what introspection read) for MySQL/MariaDB:
 * - types in this dialect's spelling (see `parseMysqlType`), raw types re-read the same way;
 * - defaults as the column's type implies (`'0.00'` → 0, `1` → true on a boolean,
 *   `current_timestamp()` → CURRENT_TIMESTAMP, a model's sql`'x'` → the value 'x');
 * - every unique index is a unique constraint; implicit foreign-key indexes set aside;
 * - RESTRICT is NO ACTION; names are cut to MySQL's 64 characters (deterministically);
 * - generated names filled in for foreign keys and unique constraints (not fingerprinted).
 * - generated columns' expressions and CHECK expressions as `normaliseMysqlExpression` writes
 *   them; MariaDB's json_valid check on JSON columns left out (the server adds it itself);
 * - collations and table options in lower case; JSON columns' collation left out.
 * Character sets and collations appear only where they differ from the table's (columns) or
 * from utf8mb4 with the server's default collation for it (tables; see `MysqlDefaults`), so a
 * database's default charset never reaches the fingerprint. Objects beyond tables and the unmanaged list are kept as they are (the
 * introspector builds them normalised).
 * @throws EvolveError `E_UNSUPPORTED` for a partial index.
 */
export function normaliseMysql(schema: SchemaIR): SchemaIR {
  return { ...schema, dialect: 'mysql', tables: schema.tables.map(normaliseTable) };
}
