/** `evolve hash`: the checksum file that protects the stored evolutions (B5). */
import { join as joinPath } from 'node:path';
import { signedFiles } from '../evolutions/load.js';
import { writeSum } from '../evolutions/checksum.js';

/** Re-sign an evolutions directory (`evolve hash`): rewrites evolve.sum. */
export function hashEvolutions(dir: string): { file: string; files: number } {
  const files = signedFiles(dir);
  writeSum(dir, files);
  return { file: joinPath(dir, 'evolve.sum'), files: files.length };
}
