#!/usr/bin/env node
// The evolve command. All logic lives in dist/cli/main.js; this file only sets the exit code,
// and V8's young generation to grow in larger steps: a command is one short burst of
// allocation (catalog rows, two schemas), which at V8's default growth meets a dozen scavenges
// on the way up (~25 ms at 1,000 tables), five at this one (~10 ms); the semi-space's upper bound
// (so peak memory) stays V8's own. Set before the command's modules load (a dynamic import).
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--semi-space-growth-factor=32');
const { main } = await import('../dist/cli/main.js');
process.exitCode = await main(process.argv);
