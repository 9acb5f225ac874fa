/** `evolve diff FROM TO`: the SQL that turns one source into another. */
import { diffSources } from '../../engine/diff-sources.js';
import { EvolveError, ErrorCode } from '../../errors.js';
import { dialectNames } from '../../dialects/registry.js';
import { formatStatements, printJson, type Out } from '../output.js';
import type { CommonFlags } from '../main.js';

export async function diffCommand(from: string, to: string, flags: CommonFlags & { dialect?: string; scratch?: string }, out: Out): Promise<number> {
  if (flags.dialect !== undefined && !dialectNames().includes(flags.dialect)) {
    throw new EvolveError(ErrorCode.Usage, `Unknown dialect '${flags.dialect}'.`, { hint: `Use --dialect ${dialectNames().join(', ')}.` });
  }
  const r = await diffSources(from, to, {
    ...(flags.dialect ? { dialect: flags.dialect } : {}), ...(flags.scratch ? { scratch: flags.scratch } : {}),
    ...(flags.schema !== undefined ? { schema: flags.schema } : {}), ...(flags.schemas ? { schemas: flags.schemas } : {}),
    ...(flags.include ? { include: flags.include } : {}), ...(flags.exclude ? { exclude: flags.exclude } : {}),
  });
  if (out.json) { printJson(out, { ok: true, ...r }); return 0; }
  for (const [side, list] of [['FROM', r.unmanaged.from], ['TO', r.unmanaged.to]] as const) for (const u of list) out.error(`not managed (${side}): ${u}`);
  if (r.statements.length === 0) { out.write(`-- no differences (${r.dialect}, ${r.fromFingerprint})`); return 0; }
  out.write([
    `-- ${r.dialect}: ${r.fromFingerprint} → ${r.toFingerprint}`,
    ...r.renames.map((x) => out.paint.rename(`-- rename via aka: ${x.kind} ${x.kind === 'column' ? x.table + '.' : ''}${x.from} → ${x.to}`)),
    ...formatStatements(r.statements, out.paint),
  ].join('\n'));
  return flags.exitCode ? 3 : 0;
}
