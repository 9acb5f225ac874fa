/**
 * A pulled schema as TypeScript: one models module, or one module per table and an index
 * re-exporting them. What the DSL cannot state is listed by name (and written as comments in
 * the module), never silently left out.
 */
import type { ObjectIR, SchemaIR, TableIR } from '../ir/schema.js';
import { objectLabel } from '../diff/changes.js';
import { emitTable, type EmitContext } from './emit-table.js';
import { exportNames, fileNames } from './identifiers.js';
import { foreignKeyCycles } from './cycles.js';

/** The DSL functions the emitted code may import, in the order the import line lists them. */
const DSL_NAMES = [
  'ColumnRef', 'table', 'index', 'check', 'integer', 'bigint', 'real', 'decimal', 'text', 'varchar', 'boolean', 'date', 'timestamp', 'json', 'bytes',
  'uuid', 'smallint', 'time', 'char', 'jsonb', 'inet', 'cidr', 'citext', 'tsvector', 'interval', 'array', 'tinyint', 'mediumint', 'unsignedInt',
  'mediumtext', 'longtext', 'datetime', 'mysqlEnum', 'mysqlSet', 'rawType', 'sql',
] as const;

/** One file of emitted code: its path relative to the output (`models.ts`, `employee.ts`, `index.ts`). */
export interface EmittedFile { readonly path: string; readonly text: string }

/** The emitted modules and what they could not state. */
export interface EmittedModels {
  readonly files: readonly EmittedFile[];
  /** What the models DSL cannot state, by name (`view active_staff`, `check film.film_length_ck`). */
  readonly notExpressible: readonly string[];
  /** Those of them that `apply` does not adopt: applying the models to the pulled database would change them. */
  readonly notAdopted: readonly string[];
}

/** What the emitters list, as they list it. */
interface Missing { all: string[]; notAdopted: string[] }

/**
 * An object beyond tables: not in the DSL yet, listed — except a PostgreSQL schema holding
 * pulled tables, which the tables' names (`billing.invoice`) state.
 */
export function emitObject(ctx: EmitContext, o: ObjectIR, tableSchemas: ReadonlySet<string>): string | null {
  if (o.kind === 'schema' && tableSchemas.has(o.name)) return null;
  const label = objectLabel(o);
  ctx.missing(label, true);
  return `//   ${label}`;
}

/** What every module of one pull shares: export names, cycles, what is listed, index names taken. */
interface Shared { exports: ReadonlyMap<string, string>; cycles: ReadonlyMap<string, number>; missing: Missing; indexNames: Set<string> }

function context({ exports, cycles, missing, indexNames }: Shared): EmitContext & { used: Set<string> } {
  const used = new Set<string>();
  return {
    used, exportOf: (t) => exports.get(t), use: (n) => used.add(n),
    missing: (w, adopted) => { missing.all.push(w); if (!adopted) missing.notAdopted.push(w); },
    claimIndex: (n) => !indexNames.has(n.toLowerCase()) && !!indexNames.add(n.toLowerCase()),
    inCycle: (from, to) => cycles.has(from) && cycles.get(from) === cycles.get(to),
  };
}

const importLine = (used: ReadonlySet<string>): string =>
  `import { ${DSL_NAMES.filter((n) => used.has(n)).map((n) => (n === 'ColumnRef' ? 'type ColumnRef' : n)).join(', ')} } from 'evolve';\n`;

const HEADER = (dialect: string): string =>
  `// Models pulled from a ${dialect} database by \`evolve pull\`. Edit freely: this is now the schema's source.\n`;

/** The objects' comment block (`// Not expressible in the models yet …`), or '' when there are none. */
function objectsBlock(ctx: EmitContext, schema: SchemaIR): string {
  const schemas = new Set(schema.tables.flatMap((t) => (t.name.includes('.') ? [t.name.slice(0, t.name.indexOf('.'))] : [])));
  const lines = (schema.objects ?? []).map((o) => emitObject(ctx, o, schemas)).filter((l): l is string => l !== null);
  if (lines.length === 0) return '';
  return '// Not expressible in the models yet, kept by the database as they are (evolve adopts them):\n' + `${lines.join('\n')}\n`;
}

/**
 * Emit `schema` as models. `mode` `file`: one module at `file`; `dir`: one module per table
 * and `index.ts` re-exporting them all (the models module to point `--models` at).
 */
export function emitModels(schema: SchemaIR, mode: { kind: 'file'; file: string } | { kind: 'dir' }): EmittedModels {
  // A table without columns (PostgreSQL has them) is no model: listed, like everything else the DSL cannot state.
  const empty = schema.tables.filter((t) => t.columns.length === 0).map((t) => `table ${t.name}, which has no columns`);
  const tables: TableIR[] = schema.tables.filter((t) => t.columns.length > 0);
  const exports = exportNames(tables.map((t) => t.name), new Set(DSL_NAMES));
  const missing: Missing = { all: [...empty], notAdopted: [...empty] };
  const shared: Shared = { exports, cycles: foreignKeyCycles(tables), missing, indexNames: new Set() };
  const result = (files: EmittedFile[]): EmittedModels => ({ files, notExpressible: missing.all, notAdopted: missing.notAdopted });
  if (mode.kind === 'file') {
    const ctx = context(shared);
    const objects = objectsBlock(ctx, schema);
    const body = tables.map((t) => emitTable(ctx, t)).join('\n');
    return result([{ path: mode.file, text: `${HEADER(schema.dialect)}${objects}${importLine(ctx.used)}\n${body}` }]);
  }
  const files = fileNames(exports);
  const out: EmittedFile[] = [];
  for (const t of tables) {
    const ctx = context(shared);
    const body = emitTable(ctx, t);
    const refs = [...new Set(t.foreignKeys.map((fk) => fk.refTable).filter((r) => r !== t.name && exports.has(r)))].sort();
    const imports = refs.map((r) => `import { ${exports.get(r)} } from './${files.get(r)}.js';\n`).join('');
    out.push({ path: `${files.get(t.name)}.ts`, text: `${importLine(ctx.used)}${imports}\n${body}` });
  }
  const ctx = context(shared);
  const objects = objectsBlock(ctx, schema);
  const index = tables.map((t) => `export { ${exports.get(t.name)} } from './${files.get(t.name)}.js';\n`).join('');
  out.push({ path: 'index.ts', text: `${HEADER(schema.dialect)}${objects}${index}` });
  return result(out);
}
