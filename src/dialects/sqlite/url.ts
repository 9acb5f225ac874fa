/** SQLite URLs: `sqlite:PATH`, `sqlite::memory:`, or a bare path ending in `.db`, `.sqlite` or `.sqlite3`. */
import { badUrl, type DatabaseUrl } from '../shared/url-helpers.js';

/** Parse a SQLite URL; null when `raw` is not one. */
export function parseSqliteUrl(raw: string): DatabaseUrl | null {
  if (/^sqlite:/i.test(raw)) {
    let path = raw.replace(/^sqlite:(\/\/)?/i, '');
    if (path === '') throw badUrl(raw, 'no file path after sqlite:');
    if (path === 'memory' || path === ':memory:') path = ':memory:';
    return { dialect: 'sqlite', raw, display: raw, path };
  }
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) && /\.(db|sqlite|sqlite3)$/i.test(raw)) return { dialect: 'sqlite', raw, display: raw, path: raw };
  return null;
}
