#!/usr/bin/env node
/**
 * The command line's start-up bundle: dist/bundle/, made from dist/ (which
 * `tsc -p tsconfig.build.json` writes first) by `npm run build`.
 *
 * Why: a collect loads about 150 of lockhouse's modules and a few packages;
 * Node's ES module loader resolves, reads and links each one, which was most
 * of the ~0.3 s before a run's first request. Bundled into a few files —
 * still split at every dynamic import, so `--help` loads no command's
 * runtime and a plan no HTTP client — the latency workload took 0.92× the
 * wall time (docs/performance.md "Start-up").
 *
 * bin/lockhouse.cjs runs dist/bundle/main.js; the library (package.json
 * "main") stays dist/index.js, module for module. Two entries, so that a
 * download thread's script is where the bundled pool looks for it (beside
 * it: io/fetch-threads/pool.ts). Left out, loaded from node_modules as they
 * are: the packages lockhouse loads through createRequire (undici's parts,
 * yazl, pino), and those that load files of their own at run time (pino's
 * transports, yauzl, CycloneDX's optional plugins). Paths lockhouse finds
 * from its own module's URL (package.json, bundle/__main__.py) are two
 * levels up from dist/bundle/ as from dist/<folder>/.
 */
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export async function bundleCli() {
  const outdir = join(root, 'dist', 'bundle');
  rmSync(outdir, { recursive: true, force: true });
  await build({
    absWorkingDir: root,
    entryPoints: { main: 'dist/cli/main.js', thread: 'dist/io/fetch-threads/thread.js' },
    outdir,
    entryNames: '[name]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Class and function names as written: error names and messages use them.
    keepNames: true,
    external: ['pino', 'yazl', 'yauzl', '@cyclonedx/cyclonedx-library'],
    // CommonJS packages bundled into ES modules still require Node's own modules.
    banner: { js: "import { createRequire as __lockhouseRequire } from 'node:module'; const require = __lockhouseRequire(import.meta.url);" },
    logLevel: 'warning',
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await bundleCli();
