/** Human and JSON output of the CLI. Passwords never reach it: URLs are shown redacted. */
import type { Hazard, PlanStatement } from '../plan/plan.js';
import { describeHazard } from '../plan/describe.js';
import { redact } from '../dialects/url.js';
import { commentLine } from '../ir/names.js';

export interface Out {
  json: boolean;
  write(text: string): void;
  error(text: string): void;
}

export function stdio(json: boolean): Out {
  return {
    json,
    write: (t) => process.stdout.write(redact(t) + (t.endsWith('\n') ? '' : '\n')),
    error: (t) => process.stderr.write(redact(t) + (t.endsWith('\n') ? '' : '\n')),
  };
}

/** JSON for stdout (one document per command). */
export function printJson(out: Out, value: unknown): void {
  out.write(JSON.stringify(value, null, 2));
}

export function formatHazards(hazards: readonly Hazard[], prefix = ''): string[] {
  return hazards.map((h) => `${prefix}${h.severity === 'error' ? '!' : '~'} ${describeHazard(h)}`);
}

export function formatStatements(statements: readonly PlanStatement[]): string[] {
  const lines: string[] = [];
  let last = '';
  for (const s of statements) {
    if (s.comment !== last) { lines.push(`-- ${commentLine(s.comment)}`); last = s.comment; } // one line, whatever a name holds
    // Online steps (issue 16): where the statement runs and why.
    if (s.online) lines.push(`-- ${s.inTransaction ? 'own transaction' : 'outside any transaction'}: ${commentLine(s.online)}`);
    lines.push(`${s.sql};`);
  }
  return lines;
}
