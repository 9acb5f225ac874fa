/** `npm run docs:cli`: write docs/cli.md from the CLI's own definitions (src/cli/reference.ts). */
import { writeFileSync } from 'node:fs';
import { buildProgram, commonOptions } from '../src/cli/main.js';
import { cliReference } from '../src/cli/reference.js';

writeFileSync(new URL('../docs/cli.md', import.meta.url), cliReference(buildProgram(() => {}), commonOptions()));
console.log('wrote docs/cli.md');
