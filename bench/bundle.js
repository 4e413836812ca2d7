#!/usr/bin/env node
// `lockhouse bundle` next to `collect` alone, for a corpus lock made
// collectable on 127.0.0.1 by ../shared/tools/mirror-lock (default:
// PrefectHQ__fastmcp for Linux x86_64, Linux aarch64 and Windows x64 at this
// machine's Python): cold collect, cold bundle, warm bundle, the bundle's
// size, entries and sha256 over two builds, and a real
// `python3 NAME.pyz install --venv` on this machine.
//
//   node bench/bundle.js [CASE_DIR] [--runs N] [--size-scale S]
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { bin, mirroredCase, pipEnv, python, readOptions, shared, spread, timed } from './common.js';

const options = readOptions(process.argv.slice(2), { valued: ['--runs', '--size-scale'] });
const caseDir = options.positional ?? join(shared, 'corpus', 'PrefectHQ__fastmcp');
const runs = Number(options.option('--runs', '3'));
const sizeScale = options.option('--size-scale', '0.1');
const hostVersion = execFileSync(python, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])']).toString().trim();
const TARGETS = ['x86_64-manylinux_2_28', 'aarch64-manylinux_2_28', 'x86_64-pc-windows-msvc']
  .flatMap((p) => ['--python-platform', p])
  .concat(['--python-version', hostVersion, '--only-deps', '--no-dev', '-q']);

const mirrored = await mirroredCase(caseDir, { sizeScale, prefix: 'lockhouse-bench-bundle-' });
const { work } = mirrored;
const lock = join(mirrored.projectDir, 'uv.lock');
const env = pipEnv();
const sha256 = (path) => createHash('sha256').update(readFileSync(path)).digest('hex');

try {
  const results = { collect: [], bundleCold: [], bundleWarm: [] };
  const digests = [];
  for (let i = 0; i < runs; i++) {
    results.collect.push(timed(process.execPath, [bin, 'collect', '--lock', lock, '-o', join(work, `out-${i}`), '--cache-dir', join(work, `cache-c-${i}`), ...TARGETS], { env }));
    const pyz = join(work, `app-${i}.pyz`);
    results.bundleCold.push(timed(process.execPath, [bin, 'bundle', '--lock', lock, '-o', pyz, '--cache-dir', join(work, `cache-b-${i}`), ...TARGETS], { env }));
    digests.push(sha256(pyz));
    const warm = join(work, `warm-${i}.pyz`);
    results.bundleWarm.push(timed(process.execPath, [bin, 'bundle', '--lock', lock, '-o', warm, '--cache-dir', join(work, `cache-b-${i}`), ...TARGETS], { env }));
    digests.push(sha256(warm));
  }
  const pyz = join(work, 'app-0.pyz');
  const listed = JSON.parse(execFileSync(python, [pyz, 'list', '--json'], { env, maxBuffer: 1 << 28 }).toString());
  console.log(`lock: ${caseDir} (mirrored at size scale ${sizeScale}), targets: ${TARGETS.filter((t) => !t.startsWith('-')).join(', ')}`);
  console.log(`bundle: ${(statSync(pyz).size / 2 ** 20).toFixed(1)} MiB, ${listed.artifacts.length} files for ${listed.targets.length} targets`);
  console.log(`collect alone, cold cache:  ${spread(results.collect)}`);
  console.log(`bundle, cold cache:         ${spread(results.bundleCold)}`);
  console.log(`bundle, warm cache:         ${spread(results.bundleWarm)}`);
  console.log(`sha256 of ${digests.length} bundles: ${[...new Set(digests)].join(', ')}${new Set(digests).size === 1 ? ' (all equal)' : ' (DIFFERENT)'}`);
  const venv = join(work, 'venv');
  const install = timed(python, [pyz, 'install', '--venv', venv], { env });
  const installed = JSON.parse(execFileSync(join(venv, 'bin', 'python'), ['-m', 'pip', 'list', '--format=json'], { env }).toString());
  console.log(`python3 app.pyz install --venv: ${install.toFixed(2)} s, ${installed.length} packages in the venv (PIP_* cleared, PIP_CONFIG_FILE=/dev/null)`);
} finally {
  mirrored.close();
}
