/**
 * docs/cli.md is generated from the commander definitions (issue 19 point 6): this fails when
 * a command, argument or option changed and `npm run docs:cli` was not run.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { buildProgram, commonOptions } from '../../src/cli/main.js';
import { cliReference } from '../../src/cli/reference.js';

it('docs/cli.md is the reference generated from the CLI definitions (run npm run docs:cli when this fails)', () => {
  const program = buildProgram(() => {});
  const expected = cliReference(program, commonOptions());
  const committed = readFileSync(new URL('../../docs/cli.md', import.meta.url), 'utf8');
  assert.equal(committed, expected, 'docs/cli.md is stale: run npm run docs:cli and commit it');
  // Every command and every option is in it (the generator leaves nothing out).
  for (const cmd of program.commands) {
    assert.ok(committed.includes(`## evolve ${cmd.name()}\n`), cmd.name());
    for (const o of cmd.options) assert.ok(committed.includes(`\`${o.flags}\``), `${cmd.name()} ${o.flags}`);
  }
});
