/**
 * Fleet patterns (issue 17), shared by the dialects' `expandTargets`: a name pattern is a glob in
 * which `*` matches any run of characters and `?` any one character; everything else is literal.
 */

/** Does `text` hold a glob character (`*`, or `?` where a name may hold it)? */
export function isNamePattern(text: string, question = true): boolean {
  return text.includes('*') || (question && text.includes('?'));
}

/** The names of `names` that `pattern` matches, sorted (case-sensitive, as the database names them). */
export function matchNames(pattern: string, names: readonly string[]): string[] {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  const re = new RegExp(`^${body}$`, 's');
  return names.filter((n) => re.test(n)).sort();
}
