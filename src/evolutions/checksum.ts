/**
 * The checksum file `evolve.sum`, in the spirit of atlas.sum: one line per evolution file
 * (`name sha256`) and a first line holding a hash chained over all of them in order, so an
 * edited, removed, added or reordered evolution is caught before anything runs.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EvolveError, ErrorCode } from '../errors.js';
import { FINGERPRINTS_FILE, SUM_FILE, type Step } from './format.js';

const sha = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** File hash of one evolution (content only, line endings normalised). */
export function fileHash(content: string): string {
  return sha(content.replace(/\r\n/g, '\n'));
}

/**
 * Checksum of steps as they run: each SQL statement's text, each TypeScript function's name
 * and source. What the history keeps of the steps of an evolution that stopped part-way, so a
 * fixed file can be told to begin with exactly the steps that ran.
 */
export function stepsChecksum(steps: readonly Step[]): string {
  const text = (s: Step): string => (s.kind === 'sql' ? `sql\n${s.sql}` : `function ${s.name}\n${s.fn.toString()}`);
  return sha(steps.map((s) => text(s).replace(/\r\n/g, '\n')).join('\n\0\n'));
}

/** The chained total over `[name, hash]` pairs in order. */
export function chainHash(entries: readonly (readonly [string, string])[]): string {
  let h = sha('evolve.sum v1');
  for (const [name, hash] of entries) h = sha(`${h}\n${name}\n${hash}`);
  return h;
}

/** Text of the sum file for `files` (names in application order, with contents). */
export function sumText(files: readonly { name: string; content: string }[]): string {
  const entries = files.map((f) => [f.name, fileHash(f.content)] as const);
  return [`total ${chainHash(entries)}`, ...entries.map(([n, h]) => `${n} ${h}`)].join('\n') + '\n';
}

/** Write `evolve.sum` for `files`. */
export function writeSum(dir: string, files: readonly { name: string; content: string }[]): string {
  const text = sumText(files);
  writeFileSync(join(dir, SUM_FILE), text);
  return text;
}

/** The file names `evolve.sum` lists (empty when there is none). */
export function sumNames(dir: string): string[] {
  const path = join(dir, SUM_FILE);
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('total ')).map((l) => l.slice(0, l.lastIndexOf(' ')));
}

/** How messages name a signed file: the fingerprint list is not an evolution. */
function label(name: string): string {
  return name === FINGERPRINTS_FILE ? `The known-fingerprints list '${name}'` : `Evolution '${name}'`;
}

function integrity(message: string, file: string | null): EvolveError {
  return new EvolveError(ErrorCode.Integrity, message, {
    hint: file
      ? `Restore '${file}' from version control (shipped evolutions must not change); ` +
        'if the change is intended and nothing deployed has run it, run `evolve hash` to re-sign the directory.'
      : 'Run `evolve hash` to sign the evolutions directory, review the result and commit it.',
    details: { file },
  });
}

/**
 * Verify `evolve.sum` against `files` (in application order).
 * @throws EvolveError `E_INTEGRITY` naming the first file that was edited, removed, added or moved.
 */
export function verifySum(dir: string, files: readonly { name: string; content: string }[]): void {
  const path = join(dir, SUM_FILE);
  if (!existsSync(path)) {
    if (files.length === 0) return;
    throw integrity(`The evolutions in '${dir}' have no checksum file (${SUM_FILE}).`, null);
  }
  const lines = readFileSync(path, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
  const total = lines[0]?.startsWith('total ') ? lines[0].slice(6) : null;
  const recorded = lines.slice(1).map((l) => { const i = l.lastIndexOf(' '); return [l.slice(0, i), l.slice(i + 1)] as const; });
  const actual = files.map((f) => [f.name, fileHash(f.content)] as const);
  const recordedMap = new Map(recorded);
  const actualMap = new Map(actual);
  for (const [name, hash] of actual) {
    const r = recordedMap.get(name);
    if (r === undefined) {
      const was = recorded.find(([n, h]) => h === hash && !actualMap.has(n));
      if (was) throw integrity(`${label(name)} was renamed from '${was[0]}' since it was hashed (renumbering reorders the evolutions).`, name);
      throw integrity(`${label(name)} is not in ${SUM_FILE}: it was added without re-hashing.`, name);
    }
    if (r !== hash) throw integrity(`${label(name)} was edited after it was hashed (its checksum no longer matches ${SUM_FILE}).`, name);
  }
  for (const [name] of recorded) if (!actualMap.has(name)) throw integrity(`${label(name)} listed in ${SUM_FILE} is missing.`, name);
  const order = recorded.map(([n]) => n).join('\n');
  if (order !== actual.map(([n]) => n).join('\n')) throw integrity(`The evolutions were reordered since they were hashed.`, null);
  if (total !== chainHash(recorded)) throw integrity(`${SUM_FILE} itself was edited (its total does not match its lines).`, SUM_FILE);
}
