/** SQLite fleet patterns: `sqlite:tenants/*.db` stands for every file the glob matches in that directory. */
import { readdirSync, statSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { EvolveError, ErrorCode } from '../../errors.js';
import type { ExpandOptions } from '../dialect.js';
import type { DatabaseUrl } from '../url.js';
import { isNamePattern, matchNames } from '../shared/targets.js';

/**
 * The files a SQLite URL's glob matches (its file name may hold `*` and `?`; its directory may
 * not), as `sqlite:` URLs sorted by name; null when the path is no pattern.
 * @throws EvolveError `E_USAGE` for a pattern in the directory part or `--schema-pattern`.
 */
export async function expandSqliteTargets(url: DatabaseUrl, options: ExpandOptions): Promise<string[] | null> {
  if (options.schemaPattern !== undefined) {
    throw new EvolveError(ErrorCode.Usage, `--schema-pattern cannot apply to ${url.display}: a SQLite database has no schemas.`, {
      hint: "Give a glob of files instead: --db 'sqlite:tenants/*.db'.",
    });
  }
  const path = url.path ?? '';
  if (path === ':memory:' || !isNamePattern(path)) return null;
  const dir = dirname(path);
  if (isNamePattern(dir)) {
    throw new EvolveError(ErrorCode.Usage, `The SQLite pattern ${url.display} has a pattern in its directory; only the file name may be one.`, {
      hint: "Put the tenants' files in one directory and match their names: 'sqlite:tenants/*.db'.",
    });
  }
  let names: string[];
  try { names = readdirSync(dir); } catch { names = []; }
  const files = matchNames(basename(path), names).filter((n) => {
    try { return statSync(join(dir, n)).isFile(); } catch { return false; }
  });
  return files.map((n) => `sqlite:${dir === '.' && !path.startsWith('./') ? n : join(dir, n)}`);
}
