#!/usr/bin/env node
// Writes docs/commands.md from the clipanion definitions of the commands (run
// `npm run build` first; `npm run docs:commands` does both). A test fails
// when the committed file is stale.
import { writeFileSync } from 'node:fs';
import { commands, createCli } from '../dist/cli/main.js';
import { renderCommandReference } from './command-reference.js';

const path = 'docs/commands.md';
writeFileSync(new URL(`../${path}`, import.meta.url), renderCommandReference(createCli(), commands));
console.log(`wrote ${path}`);
