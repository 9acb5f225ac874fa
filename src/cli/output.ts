/** Human and JSON output of the CLI. Passwords never reach it: URLs are shown redacted. */
import pc from 'picocolors';
import { describeLock, type Hazard, type PlanStatement } from '../plan/plan.js';
import { describeHazard } from '../plan/describe.js';
import { redact } from '../dialects/url.js';
import { commentLine } from '../ir/names.js';
import type { ProgressReporter } from '../plan/progress.js';
import type { NodeCheck } from '../dialects/dialect.js';
import { terminalProgress } from './progress.js';

/** Colours of the human output: hazards, additions, drops, renames (identity when colours are off). */
export interface Paint {
  readonly enabled: boolean;
  error(text: string): string;
  warning(text: string): string;
  addition(text: string): string;
  drop(text: string): string;
  rename(text: string): string;
  dim(text: string): string;
}

export interface Out {
  json: boolean;
  paint: Paint;
  /** Progress of long operations on stderr: only on a terminal, never with `--json`; undefined otherwise. */
  progress?: ProgressReporter;
  write(text: string): void;
  error(text: string): void;
  /** A cluster's nodes checked after the command changed the database (Galera): part of `--json` output as `nodes`. */
  nodesChecked?: readonly NodeCheck[];
}

interface Env { readonly [name: string]: string | undefined }

/** How many `not managed:` lines a command prints before it counts the rest. */
export const NOT_MANAGED_SHOWN = 10;

/**
 * The `not managed:` lines of `items` (each prefixed by `indent`): every one up to
 * {@link NOT_MANAGED_SHOWN}, past it the first ones and a count of the rest — a schema of a
 * thousand tables may hold a hundred views the models do not state, and a hundred lines on every
 * command tell nothing the first ones and `--json` (which lists each) do not.
 */
export function notManagedLines(items: readonly string[], indent = ''): string[] {
  if (items.length <= NOT_MANAGED_SHOWN) return items.map((u) => `${indent}not managed: ${u}`);
  const shown = items.slice(0, NOT_MANAGED_SHOWN - 1).map((u) => `${indent}not managed: ${u}`);
  return [...shown, `${indent}not managed: … and ${items.length - shown.length} more (--json lists every one)`];
}

/**
 * Whether output on `stream` is coloured: never with `--json`; `FORCE_COLOR` (anything but `0` or
 * `false`) forces colours; `NO_COLOR` (not empty) turns them off; otherwise only on a terminal
 * (not `TERM=dumb`).
 */
export function colourWanted(json: boolean, stream: { isTTY?: boolean }, env: Env = process.env): boolean {
  if (json) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  if (env.NO_COLOR) return false;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

export function paintWith(enabled: boolean): Paint {
  const c = pc.createColors(enabled);
  return {
    enabled, error: (t) => c.bold(c.red(t)), warning: c.yellow, addition: c.green, drop: c.red, rename: c.cyan, dim: c.dim,
  };
}

export function stdio(json: boolean): Out {
  const progress = json ? undefined : terminalProgress(process.stderr, process.env);
  return {
    json,
    paint: paintWith(colourWanted(json, process.stdout)),
    ...(progress ? { progress } : {}),
    write: (t) => process.stdout.write(redact(t) + (t.endsWith('\n') ? '' : '\n')),
    error: (t) => process.stderr.write(redact(t) + (t.endsWith('\n') ? '' : '\n')),
  };
}

/** JSON for stdout (one document per command). */
export function printJson(out: Out, value: unknown): void {
  const nodes = out.nodesChecked;
  const withNodes = nodes && value && typeof value === 'object' && !Array.isArray(value) ? { ...value, nodes } : value;
  out.write(JSON.stringify(withNodes, null, 2));
}

const NO_PAINT = paintWith(false);

export function formatHazards(hazards: readonly Hazard[], prefix = '', paint: Paint = NO_PAINT): string[] {
  return hazards.map((h) => `${prefix}${h.severity === 'error' ? paint.error(`! ${describeHazard(h)}`) : paint.warning(`~ ${describeHazard(h)}`)}`);
}

/** The colour of a change by what it does (its description: "add column …", "drop table …", "rename …"). */
export function toneOf(description: string, paint: Paint): (text: string) => string {
  if (/^(create|add)\b/.test(description)) return paint.addition;
  if (/^drop\b/.test(description)) return paint.drop;
  if (/^rename\b/.test(description)) return paint.rename;
  return (t) => t;
}

export function formatStatements(statements: readonly PlanStatement[], paint: Paint = NO_PAINT): string[] {
  const lines: string[] = [];
  let last = '';
  for (const s of statements) {
    const tone = toneOf(s.comment, paint);
    if (s.comment !== last) { lines.push(tone(`-- ${commentLine(s.comment)}`)); last = s.comment; } // one line, whatever a name holds
    // Online steps (issue 16): where the statement runs and why.
    if (s.online) lines.push(tone(`-- ${s.inTransaction ? 'own transaction' : 'outside any transaction'}: ${commentLine(s.online)}`));
    lines.push(tone(`${s.sql};`));
    if (s.lock) lines.push(`--   ${describeLock(s.lock)}`);
  }
  return lines;
}
