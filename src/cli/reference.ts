/**
 * The command reference (docs/cli.md), generated from the commander definitions of
 * {@link buildProgram}, so it cannot drift: `npm run docs:cli` writes it and
 * test/unit/cli-docs.test.ts fails when the committed file differs.
 */
import type { Command, Option } from 'commander';

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function optionRows(options: readonly Option[]): string[] {
  return ['| option | meaning |', '|---|---|', ...options.filter((o) => !o.hidden).map((o) => `| \`${o.flags}\` | ${cell(o.description)} |`)];
}

function usage(cmd: Command): string {
  const args = cmd.registeredArguments.map((a) => (a.required ? `<${a.name()}>` : `[${a.name()}]`));
  return ['evolve', cmd.name(), ...args, '[options]'].join(' ');
}

/**
 * Markdown for every command of `program`: usage, aliases, arguments and options. Options every
 * database command takes (`common`) are listed once, at the top, and named on each such command.
 */
export function cliReference(program: Command, common: readonly Option[]): string {
  const commonFlags = new Set(common.map((o) => o.flags));
  const lines = [
    '# Command reference',
    '',
    '<!-- Generated from the CLI\'s own definitions (src/cli/main.ts) by `npm run docs:cli`; do not edit by hand.',
    '     test/unit/cli-docs.test.ts fails when this file is stale. -->',
    '',
    `${program.description()}`,
    '',
    'Exit codes: 0 success or in sync; 1 error (a stable code such as `E_DATA_LOSS` and a fix); 2 bad usage;',
    '3 out of sync (`sql --exit-code`, `diff --exit-code`, `check`, `lint` with an error).',
    '',
    'Environment: `EVOLVE_DATABASE_URL` (the database when `--db` is not given), `NO_COLOR` / `FORCE_COLOR` (colours),',
    '`EVOLVE_NO_PROGRESS` (no progress bars; there are none off a terminal or with `--json` anyway), `EVOLVE_DEBUG` (stack',
    'traces of unexpected errors). What the commands do in depth: [commands.md](commands.md).',
    '',
    '| command | alias | what it does |',
    '|---|---|---|',
    ...program.commands.map((c) => `| [\`${c.name()}\`](#evolve-${c.name()}) | ${c.aliases().map((a) => `\`${a}\``).join(', ')} | ` +
      `${cell(c.description())} |`),
    '',
    '## Options of every database command',
    '',
    'Each command below says whether it takes these beside its own.',
    '',
    ...optionRows(common),
  ];
  for (const cmd of program.commands) {
    const own = cmd.options.filter((o) => !commonFlags.has(o.flags));
    const hasCommon = common.length > 0 && common.every((o) => cmd.options.some((x) => x.flags === o.flags));
    lines.push('', `## evolve ${cmd.name()}`, '', cell(cmd.description()), '', '```sh', usage(cmd), '```');
    if (cmd.aliases().length) lines.push('', `Alias: ${cmd.aliases().map((a) => `\`evolve ${a}\``).join(', ')}.`);
    if (cmd.registeredArguments.length) {
      lines.push('', '| argument | meaning |', '|---|---|',
        ...cmd.registeredArguments.map((a) => `| \`${a.name()}\`${a.required ? '' : ' (optional)'} | ${cell(a.description)} |`));
    }
    if (own.length) lines.push('', ...optionRows(own));
    if (hasCommon) lines.push('', 'And the [common options](#options-of-every-database-command).');
  }
  return lines.join('\n') + '\n';
}
