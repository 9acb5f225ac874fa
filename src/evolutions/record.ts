/**
 * `evolve record`: store the pending generated change (live → models) as a reviewable SQL
 * evolution with its generated revert, add the new fingerprint to the known list, snapshot
 * both states and re-sign the directory.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SchemaIR, TableIR } from '../ir/schema.js';
import type { Diff } from '../diff/differ.js';
import { diffSchemas } from '../diff/differ.js';
import { describeChange } from '../diff/changes.js';
import type { Dialect } from '../dialects/dialect.js';
import type { Hazard, Plan } from '../plan/plan.js';
import { describeHazard } from '../plan/describe.js';
import { EVOLUTION_FILE, FINGERPRINTS_FILE } from './format.js';
import { writeSnapshot } from './snapshots.js';
import { writeSum } from './checksum.js';
import { signedFiles } from './load.js';

/** The live schema annotated with the reverse of the renames `forward` used, so diffing models → live plans the renames back. */
export function reverseTarget(forward: Diff): SchemaIR {
  const tables: TableIR[] = forward.from.tables.map((t) => {
    const tr = forward.renames.find((r) => r.kind === 'table' && r.from === t.name);
    const target = tr ? tr.to : t.name;
    const columns = t.columns.map((c) => {
      const cr = forward.renames.find((r) => r.kind === 'column' && r.table === target && r.from === c.name);
      return cr ? { ...c, aka: [cr.to] } : c;
    });
    return { ...t, columns, ...(tr ? { aka: [tr.to] } : {}) };
  });
  return { ...forward.from, tables };
}

/** The revert plan of a forward diff. */
export function revertPlan(dialect: Dialect, forward: Diff): Plan {
  return dialect.plan(diffSchemas(forward.to, reverseTarget(forward)));
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 48) || 'evolution';
}

/** Render an evolution file. */
export function evolutionText(from: string, to: string, forward: Plan, revert: Plan, hazards: readonly Hazard[], note: string): string {
  const lines = [`-- evolve:from ${from}`, `-- evolve:to ${to}`];
  if (forward.foreignKeysOff || revert.foreignKeysOff) lines.push('-- evolve:foreign-keys off');
  lines.push(`-- ${note}`);
  for (const c of forward.changes) lines.push(`--   ${describeChange(c)}`);
  for (const h of hazards) lines.push(`-- hazard: ${describeHazard(h)}`);
  lines.push('');
  for (const s of forward.statements) lines.push(`${s.sql};`);
  lines.push('', '-- evolve:revert');
  for (const c of revert.changes) lines.push(`--   ${describeChange(c)}`);
  for (const s of revert.statements) lines.push(`${s.sql};`);
  return lines.join('\n') + '\n';
}

/** Append to `fingerprints.txt` (created when missing) those of `fps` it does not list yet, in order. */
export function addKnown(dir: string, fps: readonly string[]): void {
  const fpPath = join(dir, FINGERPRINTS_FILE);
  const known = existsSync(fpPath) ? readFileSync(fpPath, 'utf8') : '# Known schema fingerprints, oldest first. Evolve appends to this list; never reorder it.\n';
  const list = known.split('\n').map((l) => l.replace(/#.*$/, '').trim()).filter(Boolean);
  let text = known.endsWith('\n') ? known : known + '\n';
  for (const fp of fps) if (!list.includes(fp)) { text += fp + '\n'; list.push(fp); }
  writeFileSync(fpPath, text);
}

/** Write a recorded evolution into `dir`; returns the file name. */
export function writeRecorded(dir: string, args: { name?: string; from: SchemaIR; to: SchemaIR; fromFp: string; toFp: string; text: string; firstChange: string }): string {
  mkdirSync(dir, { recursive: true });
  const numbers = existsSync(dir) ? readdirSync(dir).map((n) => EVOLUTION_FILE.exec(n)).filter((m) => m !== null).map((m) => Number(m![1])) : [];
  const next = (numbers.length ? Math.max(...numbers) : 0) + 1;
  const file = `${String(next).padStart(4, '0')}-${slug(args.name ?? args.firstChange)}.sql`;
  writeFileSync(join(dir, file), args.text);
  addKnown(dir, [args.fromFp, args.toFp]);
  writeSnapshot(dir, args.from);
  writeSnapshot(dir, args.to);
  writeSum(dir, signedFiles(dir));
  return file;
}
