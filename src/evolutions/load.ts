/** Reading an evolutions directory, verifying its checksums before any of it is used. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EvolveError, ErrorCode, isEvolveError } from '../errors.js';
import { sumNames, verifySum } from './checksum.js';
import { checkSet } from './select.js';
import { splitSql } from '../dialects/shared/sql-split.js';
import { topLevelLines, type TopLevelLine } from '../dialects/shared/sql-lines.js';
import { importModuleFile, loadFailure } from '../model/load.js';
import { EVOLUTION_FILE, FINGERPRINTS_FILE, SUM_FILE, type Evolution, type EvolutionDefinition, type Step } from './format.js';

/** The contents of an evolutions directory. */
export interface EvolutionSet {
  readonly dir: string;
  /** Known fingerprints, oldest first. */
  readonly known: readonly string[];
  /** Evolutions in file order. */
  readonly evolutions: readonly Evolution[];
}

const FP = /^fv\d+:[0-9a-f]+$/;
/** A to-fingerprint not known yet, written by hand (as in the seed): `fv1:` and x's only. */
export const PLACEHOLDER = /^fv\d+:x+$/i;

/** Is `fp` a placeholder to-fingerprint (`fv1:xxxxxxxx`), to be filled in by `evolve complete`? */
export function isPlaceholder(fp: string): boolean {
  return PLACEHOLDER.test(fp);
}

/** Options of {@link loadEvolutions}. */
export interface LoadOptions {
  /**
   * Keep evolutions whose to-fingerprint is a placeholder (`evolve complete` does); by default
   * one is refused with `E_EVOLUTION_INVALID`, naming the completion command.
   */
  readonly placeholders?: boolean;
  /** Check that every evolution goes forward between known fingerprints (default true; `lint` reads statements only). */
  readonly checkKnown?: boolean;
  /**
   * An evolution file that may be missing from evolve.sum (the one `evolve complete` signs);
   * a directory with no evolve.sum at all is then accepted as never signed.
   */
  readonly unsigned?: string;
}

/** The placeholder to-fingerprint in an evolution file's text, if it has one. */
export function placeholderIn(name: string, text: string): string | null {
  const m = name.endsWith('.sql') ? /^--\s*evolve:to\s+(fv\d+:x+)\s*$/mi.exec(text) : /\bto\s*:\s*['"`](fv\d+:x+)['"`]/i.exec(text);
  return m ? m[1]! : null;
}

function placeholderError(file: string, fp: string): EvolveError {
  return new EvolveError(ErrorCode.EvolutionInvalid,
    `Evolution '${file}' has a placeholder to-fingerprint (${fp}): it has not been completed, so nothing can verify it.`, {
      hint: `Run \`evolve complete ${file} --db DEV_DB\` against a development database at its from-fingerprint: it runs the evolution there, ` +
        `writes the real to-fingerprint into the file and ${FINGERPRINTS_FILE}, and re-signs evolve.sum.`,
      details: { file, placeholder: fp },
    });
}

function invalid(file: string, why: string): EvolveError {
  return new EvolveError(ErrorCode.EvolutionInvalid, `Evolution '${file}' is malformed: ${why}.`, {
    hint: 'See docs/evolutions.md for the format; `evolve record` writes a correct file to start from.',
    details: { file },
  });
}

/** Signed files, in order: the fingerprint list, then every evolution file. */
export function signedFiles(dir: string): { name: string; content: string }[] {
  if (!existsSync(dir)) return [];
  const names = readdirSync(dir).filter((n) => EVOLUTION_FILE.test(n)).sort(compareNames);
  const files = names.map((name) => ({ name, content: readFileSync(join(dir, name), 'utf8') }));
  const fp = join(dir, FINGERPRINTS_FILE);
  return existsSync(fp) ? [{ name: FINGERPRINTS_FILE, content: readFileSync(fp, 'utf8') }, ...files] : files;
}

/** Order of evolution files: by number, then by name. */
export function compareNames(a: string, b: string): number {
  const na = Number(EVOLUTION_FILE.exec(a)?.[1] ?? 0);
  const nb = Number(EVOLUTION_FILE.exec(b)?.[1] ?? 0);
  return na !== nb ? na - nb : a < b ? -1 : a > b ? 1 : 0;
}

/** The header line of a SQL evolution's consent to lose data (in its forward part, outside strings and bodies). */
export const ALLOW_DATA_LOSS = /^--\s*evolve:allow-data-loss\s*$/i;

/** Parse a `.sql` evolution. */
export function parseSqlEvolution(name: string, text: string): Evolution {
  // Markers count only on lines outside strings and bodies: a value can never become one.
  const lines = topLevelLines(text);
  const marker = (re: RegExp): TopLevelLine[] => lines.filter((l) => re.test(l.text));
  const header = (key: string): string | undefined => {
    const re = new RegExp(`^--\\s*evolve:${key}\\s+(\\S+)\\s*$`, 'i');
    const first = marker(re)[0];
    return first ? re.exec(first.text)?.[1] : undefined;
  };
  const from = header('from');
  const to = header('to');
  if (!from || !FP.test(from)) throw invalid(name, 'no valid `-- evolve:from fv1:…` line');
  if (!to || !(FP.test(to) || isPlaceholder(to))) throw invalid(name, 'no valid `-- evolve:to fv1:…` line');
  const reverts = marker(/^--\s*evolve:revert\s*$/i);
  if (reverts.length > 1) throw invalid(name, 'more than one `-- evolve:revert` line');
  const at = reverts[0];
  const parts = at ? [text.slice(0, at.index), text.slice(at.index + at.text.length)] : [text];
  const steps = (t: string): Step[] => splitSql(t).map((sql) => ({ kind: 'sql' as const, sql }));
  return {
    id: name, file: name, from, to,
    steps: steps(parts[0]!),
    revert: parts.length === 2 ? steps(parts[1]!) : null,
    foreignKeysOff: marker(/^--\s*evolve:foreign-keys\s+off\s*$/i).length > 0,
    allowDataLoss: marker(ALLOW_DATA_LOSS).some((l) => at === undefined || l.index < at.index),
  };
}

async function loadModuleEvolution(dir: string, name: string): Promise<Evolution> {
  const abs = resolve(dir, name);
  let mod: { default?: EvolutionDefinition };
  try {
    mod = await importModuleFile(abs) as { default?: EvolutionDefinition };
  } catch (e) {
    if (isEvolveError(e)) throw e;
    throw invalid(name, `it did not load (${loadFailure(e, abs)})`);
  }
  // A module loaded as CommonJS nests the default export once more.
  let def = mod.default as (EvolutionDefinition & { default?: EvolutionDefinition }) | undefined;
  if (def && def.from === undefined && def.default) def = def.default;
  if (!def || typeof def !== 'object') throw invalid(name, 'no default export (use `export default evolution({ from, to, up, down })`)');
  if (typeof def.from !== 'string' || !FP.test(def.from)) throw invalid(name, '`from` is not a fingerprint');
  if (typeof def.to !== 'string' || !(FP.test(def.to) || isPlaceholder(def.to))) throw invalid(name, '`to` is not a fingerprint');
  const steps = (list: readonly unknown[] | undefined, what: string): Step[] => {
    if (!Array.isArray(list)) throw invalid(name, `\`${what}\` is not an array`);
    return list.map((s, i) => {
      if (typeof s === 'string') return { kind: 'sql' as const, sql: s };
      if (typeof s === 'function') return { kind: 'function' as const, name: s.name || `${what}[${i}]`, fn: s as never };
      throw invalid(name, `\`${what}[${i}]\` is neither SQL text nor a function`);
    });
  };
  return {
    id: name, file: name, from: def.from, to: def.to,
    steps: steps(def.up, 'up'),
    revert: def.down === undefined ? null : steps(def.down, 'down'),
    foreignKeysOff: def.foreignKeysOff === true,
    allowDataLoss: def.allowDataLoss === true,
  };
}

/**
 * Load `dir` (a missing directory is an empty set). Checksums are verified first, so an
 * edited TypeScript evolution is refused before its code runs. Then every evolution must go
 * forward between fingerprints of `fingerprints.txt`, and none may hold a placeholder
 * to-fingerprint (unless `options` say otherwise).
 * @throws EvolveError `E_INTEGRITY`, `E_EVOLUTION_INVALID`.
 */
export async function loadEvolutions(dir: string, options: LoadOptions = {}): Promise<EvolutionSet> {
  if (!existsSync(dir)) return { dir, known: [], evolutions: [] };
  const files = signedFiles(dir);
  if (!options.placeholders) {
    for (const f of files) {
      const p = f.name === FINGERPRINTS_FILE ? null : placeholderIn(f.name, f.content);
      if (p) throw placeholderError(f.name, p);
    }
  }
  if (options.unsigned === undefined || existsSync(join(dir, SUM_FILE))) {
    const skip = options.unsigned !== undefined && !sumNames(dir).includes(options.unsigned) ? options.unsigned : null;
    verifySum(dir, skip === null ? files : files.filter((f) => f.name !== skip));
  } // else: a directory never signed, whose first evolution is being completed (and signed)
  const known = (files.find((f) => f.name === FINGERPRINTS_FILE)?.content ?? '')
    .split('\n').map((l) => l.replace(/#.*$/, '').trim()).filter(Boolean);
  for (const k of known) if (!FP.test(k)) throw invalid(FINGERPRINTS_FILE, `'${k}' is not a fingerprint`);
  const evolutions: Evolution[] = [];
  for (const f of files) {
    if (f.name === FINGERPRINTS_FILE) continue;
    evolutions.push(f.name.endsWith('.sql') ? parseSqlEvolution(f.name, f.content) : await loadModuleEvolution(dir, f.name));
  }
  for (const e of evolutions) if (!options.placeholders && isPlaceholder(e.to)) throw placeholderError(e.file, e.to);
  const set = { dir, known, evolutions };
  if (options.checkKnown !== false) checkSet({ ...set, evolutions: evolutions.filter((e) => !isPlaceholder(e.to)) });
  return set;
}
