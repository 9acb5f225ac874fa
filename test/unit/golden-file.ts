/**
 * Golden files under test/fixtures/golden/: read them, or rewrite them when
 * `EVOLVE_UPDATE_GOLDEN=1` is set. A rewritten golden is a claim about what Evolve should
 * produce: read its diff before committing it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** Set to rewrite the goldens from the current output (the tests then compare with what they wrote). */
export const UPDATE_GOLDEN = process.env.EVOLVE_UPDATE_GOLDEN === '1';

const DIR = fileURLToPath(new URL('../fixtures/golden/', import.meta.url));

/**
 * The golden text of `file`, after writing `actual` there first when updating.
 * Null when the file does not exist (the caller's test then fails, naming the variable).
 */
export function golden(file: string, actual: string): string | null {
  const path = join(DIR, file);
  if (UPDATE_GOLDEN) {
    mkdirSync(DIR, { recursive: true });
    writeFileSync(path, actual);
  }
  return existsSync(path) ? readFileSync(path, 'utf8') : null;
}

/** How to regenerate a golden, for failure messages. */
export function regenerate(file: string): string {
  return `test/fixtures/golden/${file} differs; if the new output is right, rerun with EVOLVE_UPDATE_GOLDEN=1 and review the file's diff`;
}

/** A text golden made of blocks `== name\n…`, as a map from name to the block's text. */
export function blocks(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of text.split(/^== /m).slice(1)) {
    const name = part.slice(0, part.indexOf('\n'));
    out.set(name, `== ${part}`);
  }
  return out;
}
