#!/usr/bin/env node
// The lockhouse command: a thin client of the library (dist/, built by `npm run build`).
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
