/**
 * Snapshots: the normalised schema of each fingerprint `evolve record` has seen, stored as
 * JSON under `snapshots/`, so drift can be explained (what differs from the nearest known
 * state), not just detected.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SchemaIR, TableIR, ColumnIR } from '../ir/schema.js';
import { fingerprint } from '../ir/fingerprint.js';
import { diffSchemas } from '../diff/differ.js';
import { describeChange, type Change } from '../diff/changes.js';
import { typeToString } from '../ir/types.js';
import { defaultToString } from '../ir/canonical.js';
import { SNAPSHOT_DIR } from './format.js';

const fileOf = (fp: string): string => `${fp.replace(':', '_')}.json`;

function strip(schema: SchemaIR): SchemaIR {
  const col = ({ aka: _a, ...c }: ColumnIR): ColumnIR => c;
  const tbl = ({ aka: _a, ...t }: TableIR): TableIR => ({ ...t, columns: t.columns.map(col) });
  return { ...schema, tables: schema.tables.map(tbl) };
}

/** Store the schema of `fp` (no-op when present). */
export function writeSnapshot(dir: string, schema: SchemaIR): string {
  const fp = fingerprint(schema);
  const sd = join(dir, SNAPSHOT_DIR);
  mkdirSync(sd, { recursive: true });
  const path = join(sd, fileOf(fp));
  if (!existsSync(path)) writeFileSync(path, JSON.stringify(strip(schema), null, 1) + '\n');
  return fp;
}

/** Every stored snapshot whose content still hashes to its name. */
export function readSnapshots(dir: string): Map<string, SchemaIR> {
  const out = new Map<string, SchemaIR>();
  const sd = join(dir, SNAPSHOT_DIR);
  if (!existsSync(sd)) return out;
  for (const name of readdirSync(sd)) {
    if (!name.endsWith('.json')) continue;
    try {
      const schema = JSON.parse(readFileSync(join(sd, name), 'utf8')) as SchemaIR;
      const fp = fingerprint(schema);
      if (fileOf(fp) === name) out.set(fp, schema);
    } catch { /* an unreadable snapshot only weakens drift reports */ }
  }
  return out;
}

/** One line per difference: table, column, attribute, old → new. */
export function describeDifference(c: Change): string[] {
  if (c.kind !== 'alterColumn') return [describeChange(c)];
  const lines: string[] = [];
  const at = `${c.table}.${c.to.name}`;
  if (c.changed.type) lines.push(`${at}: type ${typeToString(c.from.type)} → ${typeToString(c.to.type)}`);
  if (c.changed.nullable) lines.push(`${at}: ${c.from.nullable ? 'NULL' : 'NOT NULL'} → ${c.to.nullable ? 'NULL' : 'NOT NULL'}`);
  if (c.changed.default) lines.push(`${at}: default ${defaultToString(c.from.default) ?? 'none'} → ${defaultToString(c.to.default) ?? 'none'}`);
  if (c.changed.autoIncrement) lines.push(`${at}: auto-increment ${c.from.autoIncrement} → ${c.to.autoIncrement}`);
  return lines;
}

/** Drift report: the known fingerprint nearest to `live`, and what differs (known → live). */
export interface Drift {
  readonly nearest: string;
  readonly differences: readonly string[];
}

/** The nearest known state to `live` among the snapshots of `known` fingerprints. */
export function drift(dir: string, known: readonly string[], live: SchemaIR): Drift | null {
  const snaps = readSnapshots(dir);
  let best: Drift | null = null;
  for (const fp of known) {
    const s = snaps.get(fp);
    if (!s || s.dialect !== live.dialect) continue;
    let differences: string[];
    try { differences = diffSchemas(s, live).changes.flatMap(describeDifference); } catch { continue; }
    if (best === null || differences.length < best.differences.length) best = { nearest: fp, differences };
  }
  return best;
}
