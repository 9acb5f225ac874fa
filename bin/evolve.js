#!/usr/bin/env node
// The evolve command. All logic lives in dist/cli/main.js; this file only sets the exit code.
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv);
