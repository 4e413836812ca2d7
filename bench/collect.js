#!/usr/bin/env node
// Cold collect, re-run, and `curl --parallel --parallel-max 16` on the same
// URLs, for a corpus lock made collectable on 127.0.0.1 by
// ../shared/tools/mirror-lock (default: pydantic__pydantic-ai for the six
// corpus platforms — about a thousand files). Each measurement is repeated
// (alternating) and reported as median, min and max wall time.
//
//   node bench/collect.js [CASE_DIR] [--runs N] [--size-scale S]
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : fallback;
};
const root = resolve(new URL('..', import.meta.url).pathname);
const shared = resolve(process.env.LOCKHOUSE_SHARED_DIR ?? join(root, '..', 'shared'));
const caseDir = args.find((arg, i) => !arg.startsWith('--') && !args[i - 1]?.startsWith('--')) ?? join(shared, 'corpus', 'pydantic__pydantic-ai');
const runs = Number(option('--runs', '3'));
const sizeScale = option('--size-scale', '0.02');
const bin = join(root, 'bin', 'lockhouse.cjs');
const TARGETS = ['x86_64-manylinux_2_28', 'aarch64-manylinux_2_28', 'x86_64-unknown-linux-musl', 'aarch64-apple-darwin', 'x86_64-apple-darwin', 'x86_64-pc-windows-msvc']
  .flatMap((p) => ['--python-platform', p])
  .concat(['--python-version', '3.12', '--only-deps']);

const freePort = () =>
  new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });

const work = mkdtempSync(join(tmpdir(), 'lockhouse-bench-'));
const port = await freePort();
const mirrorDir = join(work, 'mirror');
execFileSync(join(shared, 'tools', 'mirror-lock'), [caseDir, mirrorDir, '--port', String(port), '--', '--size-scale', sizeScale, '-q'], { stdio: 'inherit' });
const lockName = readFileSync(join(caseDir, 'uv.lock'), 'utf8') ? 'uv.lock' : 'pylock.toml';
const lock = join(mirrorDir, 'project', lockName);
const serve = spawn('python3', [join(shared, 'tools', 'lib', 'serve.py'), mirrorDir, '--port', String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise((done) => serve.stdout.once('data', done));

try {
  const plan = JSON.parse(execFileSync(process.execPath, [bin, 'plan', '--lock', lock, ...TARGETS, '--json'], { maxBuffer: 1 << 28 }).toString());
  const files = plan.artifacts.filter((a) => a.url && (a.kind === 'wheel' || (a.kind === 'sdist' && !a.build)));
  const bytes = files.reduce((sum, a) => sum + (a.size ?? 0), 0);
  console.log(`lock: ${caseDir} (mirrored at size scale ${sizeScale})`);
  console.log(`files: ${files.length} for ${plan.targets.length} targets, ${(bytes / 2 ** 20).toFixed(1)} MiB by the lock's sizes`);

  const curlConfig = join(work, 'curl.txt');
  writeFileSync(curlConfig, files.map((a) => `url = "${a.url}"\noutput = "${a.filename}"\n`).join(''));
  const time = (file, argv, cwd) => {
    const started = process.hrtime.bigint();
    execFileSync(file, argv, { cwd, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 28 });
    return Number(process.hrtime.bigint() - started) / 1e9;
  };
  const results = { curl: [], cold: [], rerun: [] };
  for (let i = 0; i < runs; i++) {
    const curlOut = join(work, `curl-${i}`);
    mkdirSync(curlOut);
    results.curl.push(time('curl', ['--silent', '--fail', '--parallel', '--parallel-max', '16', '--config', curlConfig], curlOut));
    const out = join(work, `out-${i}`);
    const cache = join(work, `cache-${i}`);
    const collect = [bin, 'collect', '--lock', lock, '-o', out, '--cache-dir', cache, ...TARGETS, '-q'];
    // Exit 1 is expected where the lock has packages that need a build.
    const run = (argv) => {
      const started = process.hrtime.bigint();
      try {
        execFileSync(process.execPath, argv, { stdio: 'ignore' });
      } catch (error) {
        if (error.status !== 1) throw error;
      }
      return Number(process.hrtime.bigint() - started) / 1e9;
    };
    results.cold.push(run(collect));
    results.rerun.push(run(collect));
    rmSync(curlOut, { recursive: true, force: true });
  }
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  console.log(`measure                           median     min     max   (${runs} runs, wall seconds)`);
  for (const [label, key] of [['curl --parallel --parallel-max 16', 'curl'], ['lockhouse collect, cold', 'cold'], ['lockhouse collect, re-run', 'rerun']]) {
    const values = results[key];
    console.log(`${label.padEnd(32)} ${median(values).toFixed(2).padStart(7)} ${Math.min(...values).toFixed(2).padStart(7)} ${Math.max(...values).toFixed(2).padStart(7)}`);
  }
} finally {
  serve.kill();
  rmSync(work, { recursive: true, force: true });
}
