/**
 * `evolve graph`: the known fingerprints and stored evolutions drawn — SVG or a self-contained
 * HTML page (`--out graph.html`), or Mermaid / DOT text — with the live database placed on it
 * when a database is given.
 */
import { writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import { evolutionGraph } from '../../engine/graph.js';
import { EvolveError, ErrorCode } from '../../errors.js';
import { resolveSettings } from '../config.js';
import { printJson, type Out } from '../output.js';
import type { CommonFlags } from '../main.js';
import { dot, mermaid } from '../graph/text.js';
import { svg } from '../graph/svg.js';
import { html } from '../graph/html.js';

const FORMATS = { svg, html, mermaid, dot } as const;
type Format = keyof typeof FORMATS;
const BY_EXTENSION: Record<string, Format> = { '.svg': 'svg', '.html': 'html', '.htm': 'html', '.dot': 'dot', '.gv': 'dot', '.mmd': 'mermaid' };

/** The format: --format, else --out's extension, else Mermaid (text for a terminal). */
function formatOf(format: string | undefined, outFile: string | undefined): Format {
  if (format !== undefined) {
    if (format in FORMATS) return format as Format;
    throw new EvolveError(ErrorCode.Usage, `Unknown graph format '${format}'.`, { hint: `Use --format ${Object.keys(FORMATS).join(', ')}.` });
  }
  return (outFile && BY_EXTENSION[extname(outFile).toLowerCase()]) || (outFile ? 'html' : 'mermaid');
}

export async function graphCommand(flags: CommonFlags & { format?: string; out?: string }, out: Out): Promise<number> {
  const format = formatOf(flags.format, flags.out);
  const s = await resolveSettings(flags, out);
  if (!s.scope.evolutions && !s.models) {
    throw new EvolveError(ErrorCode.Usage, 'No evolutions directory given.', {
      hint: 'Pass --evolutions DIR, or --models PATH (its directory holds evolutions/), or put them in evolve.config.ts.',
    });
  }
  const g = await evolutionGraph({ ...s.scope, ...(s.models ? { models: s.models } : {}), ...(s.db ? { db: s.db } : {}) });
  const text = FORMATS[format](g);
  if (flags.out) writeFileSync(flags.out, text);
  if (out.json) { printJson(out, { ok: true, format, ...(flags.out ? { file: flags.out } : {}), ...g }); return 0; }
  if (flags.out) out.write(`Wrote ${flags.out} (${format}): ${g.fingerprints.length} known fingerprint(s), ${g.evolutions.length} evolution(s).`);
  else out.write(text);
  return 0;
}
