/**
 * `evolve complete`: finish a hand-written evolution whose to-fingerprint is a placeholder
 * (`fv1:xxxxxxxx`, as in the seed). It runs the evolution on a development database at its
 * from-fingerprint (in a transaction where the dialect allows), reads the real fingerprint,
 * writes it into the file, adds both fingerprints to `fingerprints.txt`, snapshots both
 * schemas and re-signs `evolve.sum`. The development database is left at the new fingerprint.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { EvolveError, ErrorCode } from '../errors.js';
import { withDatabase, type DatabaseOptions } from '../database/database.js';
import { evolutionsDir } from './evolution-set.js';
import type { ModelsInput } from '../database/sources.js';
import { fingerprint } from '../ir/fingerprint.js';
import { recorded, type HistoryOptions } from '../deploy/record.js';
import { writeSum } from '../evolutions/checksum.js';
import { FINGERPRINTS_FILE } from '../evolutions/format.js';
import { runStoredEvolution } from '../evolutions/run.js';
import { isPlaceholder, loadEvolutions, placeholderIn, signedFiles } from '../evolutions/load.js';
import { addKnown } from '../evolutions/record.js';
import { writeSnapshot } from '../evolutions/snapshots.js';

/** Options of {@link completeEvolution}. */
export interface CompleteOptions extends DatabaseOptions {
  /** The development database, at the evolution's from-fingerprint. It is changed. */
  readonly db: string;
  /** The evolutions directory (default: `evolutions/` beside the models). */
  readonly evolutions?: string;
  readonly models?: ModelsInput;
  /** The evolution file (name or path); default: the only one with a placeholder. */
  readonly file?: string;
  /** The deployment record's history (see `EvolveOptions.record`). */
  readonly record?: HistoryOptions;
}

/** What {@link completeEvolution} did. */
export interface CompleteReport {
  /** Path of the completed evolution file. */
  readonly file: string;
  readonly from: string;
  /** The real to-fingerprint, now written in the file and in `fingerprints.txt`. */
  readonly to: string;
  /** The placeholder it replaced. */
  readonly placeholder: string;
}

function usage(message: string, hint: string): EvolveError {
  return new EvolveError(ErrorCode.Usage, message, { hint });
}

/** The evolution file to complete: the one named, or the only one with a placeholder. */
function pickFile(dir: string, file: string | undefined): string {
  const withPlaceholder = signedFiles(dir).filter((f) => f.name !== FINGERPRINTS_FILE && placeholderIn(f.name, f.content) !== null).map((f) => f.name);
  if (file !== undefined) {
    const name = basename(file);
    if (!signedFiles(dir).some((f) => f.name === name)) {
      throw usage(`There is no evolution '${name}' in '${dir}'.`, 'Name a file of the evolutions directory (NNNN-name.sql or .ts), or give --evolutions DIR.');
    }
    return name;
  }
  if (withPlaceholder.length === 1) return withPlaceholder[0]!;
  if (withPlaceholder.length === 0) {
    throw usage(`No evolution in '${dir}' has a placeholder to-fingerprint.`,
      'Write the evolution with `-- evolve:to fv1:xxxxxxxx` (or `to: \'fv1:xxxxxxxx\'`), or name the file to complete.');
  }
  throw usage(`Several evolutions have a placeholder to-fingerprint: ${withPlaceholder.join(', ')}.`,
    'Complete them one at a time, in order: evolve complete FILE --db DEV_DB.');
}

/** The file's text with its placeholder to-fingerprint replaced by `to`. */
function filledIn(name: string, text: string, placeholder: string, to: string): string {
  const line = name.endsWith('.sql') ? /^(--\s*evolve:to\s+)(fv\d+:x+)(\s*)$/mi : /(\bto\s*:\s*['"`])(fv\d+:x+)(['"`])/i;
  const out = text.replace(line, (_m, a: string, p: string, b: string) => `${a}${p === placeholder ? to : p}${b}`);
  if (out === text) {
    throw new EvolveError(ErrorCode.EvolutionInvalid, `Could not find the placeholder ${placeholder} to replace in '${name}'.`, {
      hint: `Write the to-fingerprint ${to} into the file by hand, add it to ${FINGERPRINTS_FILE} and run \`evolve hash\`.`,
    });
  }
  return out;
}

/**
 * Complete a hand-written evolution (`evolve complete [FILE] --db DEV_DB`): check the
 * database is at its from-fingerprint, run it (in one transaction, verified not to be a no-op
 * nor a step back along the known list, where the dialect allows), and write the real
 * to-fingerprint into the file, `fingerprints.txt`, `snapshots/` and `evolve.sum`.
 *
 * @example
 * ```ts
 * const r = await completeEvolution({ db: 'sqlite:dev.db', evolutions: 'evolutions' });
 * console.log(`${r.file}: ${r.from} → ${r.to}`);
 * ```
 * @throws EvolveError `E_CONFLICT` when the database is not at the evolution's from-fingerprint
 *   or the evolution is already complete; `E_EVOLUTION_INVALID` when it changes nothing the
 *   fingerprint covers or leads back to an earlier known fingerprint; `E_SQL_FAILED` when a step fails.
 */
export async function completeEvolution(options: CompleteOptions): Promise<CompleteReport> {
  const dir = evolutionsDir(options);
  if (!dir) throw usage('No evolutions directory given.', 'Pass --evolutions DIR, or --models PATH (its directory holds evolutions/).');
  const name = pickFile(dir, options.file);
  // Everything else must be signed; the file being completed may be new (it is signed here).
  const set = await loadEvolutions(dir, { placeholders: true, unsigned: name });
  const evo = set.evolutions.find((e) => e.file === name)!;
  if (!isPlaceholder(evo.to)) {
    throw new EvolveError(ErrorCode.Conflict, `Evolution '${name}' is already complete: it leads to ${evo.to}.`, {
      hint: 'Apply it with `evolve apply` (or `--stored-only`); only a placeholder to-fingerprint (fv1:xxxxxxxx) is filled in.',
    });
  }
  const from = set.known.indexOf(evo.from);
  return withDatabase(options.db, false, options, async (d) => {
    const before = await d.introspect();
    const live = fingerprint(before);
    if (live !== evo.from) {
      throw new EvolveError(ErrorCode.Conflict, `The database is at ${live}, but '${name}' starts at ${evo.from}.`, {
        hint: 'Complete it on a development database at its from-fingerprint (`evolve fingerprint` shows where one is; ' +
          '`evolve apply --stored-only` brings it along the evolutions before this one).',
        details: { live, from: evo.from },
      });
    }
    const refuse = (after: string): EvolveError | null => {
      const at = set.known.indexOf(after);
      if (after === evo.from) {
        return new EvolveError(ErrorCode.EvolutionInvalid,
          `Evolution '${name}' changes nothing the fingerprint covers (the schema is still ${after}); it was rolled back where the dialect allows.`, {
            hint: 'An evolution must change the schema; a pure data fix belongs in the evolution that changes the schema with it.',
          });
      }
      if (at >= 0 && (from < 0 || at <= from)) {
        return new EvolveError(ErrorCode.EvolutionInvalid, `Evolution '${name}' leads to ${after}, position ${at + 1} of ${FINGERPRINTS_FILE}, ` +
          'which is not after its from-fingerprint; it was rolled back where the dialect allows.', {
            hint: 'A way back is a revert section, run by `evolve revert`.',
          });
      }
      return null;
    };
    const to = await recorded(d, options.record ?? {}, { kind: 'stored', name, fromFingerprint: live, toFingerprint: null, checksum: null },
      () => runStoredEvolution(d, evo, 'up', null, refuse), (after) => ({ toFingerprint: after }));
    const path = join(dir, name);
    const text = readFileSync(path, 'utf8');
    writeFileSync(path, filledIn(name, text, evo.to, to));
    addKnown(dir, [evo.from, to]);
    writeSnapshot(dir, before);
    writeSnapshot(dir, await d.introspect());
    writeSum(dir, signedFiles(dir));
    return { file: path, from: evo.from, to, placeholder: evo.to };
  });
}
