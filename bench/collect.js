#!/usr/bin/env node
// Cold collect, re-run, and `curl --parallel --parallel-max 16` on the same
// URLs, for a corpus lock made collectable on 127.0.0.1 by
// ../shared/tools/mirror-lock (default: pydantic__pydantic-ai for the six
// corpus platforms — about a thousand files). Each measurement is repeated
// (alternating) and reported as median, min and max wall time.
//
//   node bench/collect.js [CASE_DIR] [--runs N] [--size-scale S]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bin, median, mirroredCase, readOptions, shared, timed } from './common.js';

const options = readOptions(process.argv.slice(2), { valued: ['--runs', '--size-scale'] });
const caseDir = options.positional ?? join(shared, 'corpus', 'pydantic__pydantic-ai');
const runs = Number(options.option('--runs', '3'));
const sizeScale = options.option('--size-scale', '0.02');
const TARGETS = ['x86_64-manylinux_2_28', 'aarch64-manylinux_2_28', 'x86_64-unknown-linux-musl', 'aarch64-apple-darwin', 'x86_64-apple-darwin', 'x86_64-pc-windows-msvc']
  .flatMap((p) => ['--python-platform', p])
  .concat(['--python-version', '3.12', '--only-deps']);

const mirrored = await mirroredCase(caseDir, { sizeScale });
const { work } = mirrored;
const lock = join(mirrored.projectDir, existsSync(join(caseDir, 'uv.lock')) ? 'uv.lock' : 'pylock.toml');

try {
  const plan = JSON.parse(execFileSync(process.execPath, [bin, 'plan', '--lock', lock, ...TARGETS, '--json'], { maxBuffer: 1 << 28 }).toString());
  const files = plan.artifacts.filter((a) => a.url && (a.kind === 'wheel' || (a.kind === 'sdist' && !a.build)));
  const bytes = files.reduce((sum, a) => sum + (a.size ?? 0), 0);
  console.log(`lock: ${caseDir} (mirrored at size scale ${sizeScale})`);
  console.log(`files: ${files.length} for ${plan.targets.length} targets, ${(bytes / 2 ** 20).toFixed(1)} MiB by the lock's sizes`);

  const curlConfig = join(work, 'curl.txt');
  writeFileSync(curlConfig, files.map((a) => `url = "${a.url}"\noutput = "${a.filename}"\n`).join(''));
  const results = { curl: [], cold: [], rerun: [] };
  for (let i = 0; i < runs; i++) {
    const curlOut = join(work, `curl-${i}`);
    mkdirSync(curlOut);
    results.curl.push(timed('curl', ['--silent', '--fail', '--parallel', '--parallel-max', '16', '--config', curlConfig], { cwd: curlOut, stdio: ['ignore', 'ignore', 'pipe'] }));
    const collect = [bin, 'collect', '--lock', lock, '-o', join(work, `out-${i}`), '--cache-dir', join(work, `cache-${i}`), ...TARGETS, '-q'];
    // Exit 1 is expected where the lock has packages that need a build.
    results.cold.push(timed(process.execPath, collect, { stdio: 'ignore', okCodes: [0, 1] }));
    results.rerun.push(timed(process.execPath, collect, { stdio: 'ignore', okCodes: [0, 1] }));
    rmSync(curlOut, { recursive: true, force: true });
  }
  console.log(`measure                           median     min     max   (${runs} runs, wall seconds)`);
  for (const [label, key] of [['curl --parallel --parallel-max 16', 'curl'], ['lockhouse collect, cold', 'cold'], ['lockhouse collect, re-run', 'rerun']]) {
    const values = results[key];
    console.log(`${label.padEnd(32)} ${median(values).toFixed(2).padStart(7)} ${Math.min(...values).toFixed(2).padStart(7)} ${Math.max(...values).toFixed(2).padStart(7)}`);
  }
} finally {
  mirrored.close();
}
