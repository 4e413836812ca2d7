#!/usr/bin/env node
// The lockhouse command: a thin client of the library, run from its start-up
// bundle (dist/bundle/, which `npm run build` makes from dist/: scripts/bundle-cli.js).
//
// CommonJS on purpose: libuv's thread pool (every file write, fdatasync and
// open) is sized once, on its first use, and the ES module loader uses it to
// read the entry file. Only a CommonJS entry, read synchronously, runs before
// that, and can give the pool more than its default four threads, which let
// a few slow flushes stall the writes of every other download
// (docs/performance.md). A value the user set is kept.
'use strict';
process.env.UV_THREADPOOL_SIZE ??= '16';

import('../dist/bundle/main.js').then(
  async ({ main }) => {
    process.exitCode = await main(process.argv.slice(2));
  },
  (error) => {
    console.error(`lockhouse: cannot load its library (dist/; \`npm run build\` makes it): ${error && error.message}`);
    process.exitCode = 1;
  },
);
