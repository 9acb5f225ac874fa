/**
 * Progress bars on stderr (cli-progress) for the library's {@link ProgressReporter}: rows done,
 * total and rate, each bar cleared when its task ends. Only on a terminal — a pipe, a file or `--json` gets none — and never while
 * `EVOLVE_NO_PROGRESS` is set.
 */
import { createRequire } from 'node:module';
import type CliProgress from 'cli-progress';
import type { ProgressReporter, ProgressTask } from '../plan/progress.js';

// Loaded at the first bar: most commands draw none, and the package with its dependencies is ~10
// modules of every command's start-up otherwise (it is CommonJS, so a bar starts synchronously).
let loaded: typeof CliProgress | undefined;
const cliProgress = (): typeof CliProgress => (loaded ??= createRequire(import.meta.url)('cli-progress') as typeof CliProgress);

interface Env { readonly [name: string]: string | undefined }

/** Fewer redraws than calls: a row copy reports every row. */
const BATCH = 512;

/** A reporter drawing on `stream` when it is a terminal; undefined otherwise. */
export function terminalProgress(stream: NodeJS.WriteStream, env: Env): ProgressReporter | undefined {
  if (stream.isTTY !== true || env.EVOLVE_NO_PROGRESS || env.TERM === 'dumb') return undefined;
  return {
    start(label: string, total?: number, unit = 'rows'): ProgressTask {
      const started = Date.now();
      const lib = cliProgress();
      const bar = new lib.SingleBar({
        stream, hideCursor: true, clearOnComplete: true, fps: 10, etaBuffer: 50,
        format: `${label} {bar} {value}/{total} ${unit} | {rate} ${unit}/s | eta {eta_formatted}`,
        barsize: 24,
      }, lib.Presets.shades_classic);
      let done = 0;
      let pending = 0;
      const rate = (): string => String(Math.round(done / Math.max((Date.now() - started) / 1000, 0.001)));
      bar.start(total ?? 0, 0, { rate: '0' });
      return {
        add(n = 1): void {
          done += n;
          pending += n;
          if (pending >= BATCH || (total !== undefined && done >= total)) { pending = 0; bar.update(done, { rate: rate() }); }
        },
        end(): void {
          bar.update(done, { rate: rate() });
          bar.stop();
        },
      };
    },
  };
}
