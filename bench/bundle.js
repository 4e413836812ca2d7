#!/usr/bin/env node
// `lockhouse bundle` next to `collect` alone, for a corpus lock made
// collectable on 127.0.0.1 by ../shared/tools/mirror-lock (default:
// PrefectHQ__fastmcp for Linux x86_64, Linux aarch64 and Windows x64 at this
// machine's Python): cold collect, cold bundle, warm bundle, the bundle's
// size, entries and sha256 over two builds, and a real
// `python3 NAME.pyz install --venv` on this machine.
//
//   node bench/bundle.js [CASE_DIR] [--runs N] [--size-scale S]
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
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
const caseDir = args.find((arg, i) => !arg.startsWith('--') && !args[i - 1]?.startsWith('--')) ?? join(shared, 'corpus', 'PrefectHQ__fastmcp');
const runs = Number(option('--runs', '3'));
const sizeScale = option('--size-scale', '0.1');
const bin = join(root, 'bin', 'lockhouse.cjs');
const python = process.env.LOCKHOUSE_TEST_PYTHON ?? 'python3';
const hostVersion = execFileSync(python, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])']).toString().trim();
const TARGETS = ['x86_64-manylinux_2_28', 'aarch64-manylinux_2_28', 'x86_64-pc-windows-msvc']
  .flatMap((p) => ['--python-platform', p])
  .concat(['--python-version', hostVersion, '--only-deps', '--no-dev', '-q']);

const freePort = () =>
  new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });

const work = mkdtempSync(join(tmpdir(), 'lockhouse-bench-bundle-'));
const port = await freePort();
const mirrorDir = join(work, 'mirror');
execFileSync(join(shared, 'tools', 'mirror-lock'), [caseDir, mirrorDir, '--port', String(port), '--', '--size-scale', sizeScale, '-q'], { stdio: 'inherit' });
const lock = join(mirrorDir, 'project', 'uv.lock');
const serve = spawn('python3', [join(shared, 'tools', 'lib', 'serve.py'), mirrorDir, '--port', String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise((done) => serve.stdout.once('data', done));

const cleanEnv = () => {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('PIP_')) env[key] = value;
  return { ...env, PIP_CONFIG_FILE: '/dev/null' };
};
const timed = (file, argv) => {
  const started = process.hrtime.bigint();
  execFileSync(file, argv, { stdio: ['ignore', 'ignore', 'inherit'], env: cleanEnv(), maxBuffer: 1 << 28 });
  return Number(process.hrtime.bigint() - started) / 1e9;
};
const sha256 = (path) => createHash('sha256').update(readFileSync(path)).digest('hex');
const stats = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return `${sorted[Math.floor(sorted.length / 2)].toFixed(2)} s (min ${sorted[0].toFixed(2)}, max ${sorted.at(-1).toFixed(2)})`;
};

try {
  const results = { collect: [], bundleCold: [], bundleWarm: [] };
  const digests = [];
  for (let i = 0; i < runs; i++) {
    results.collect.push(timed(process.execPath, [bin, 'collect', '--lock', lock, '-o', join(work, `out-${i}`), '--cache-dir', join(work, `cache-c-${i}`), ...TARGETS]));
    const pyz = join(work, `app-${i}.pyz`);
    results.bundleCold.push(timed(process.execPath, [bin, 'bundle', '--lock', lock, '-o', pyz, '--cache-dir', join(work, `cache-b-${i}`), ...TARGETS]));
    digests.push(sha256(pyz));
    const warm = join(work, `warm-${i}.pyz`);
    results.bundleWarm.push(timed(process.execPath, [bin, 'bundle', '--lock', lock, '-o', warm, '--cache-dir', join(work, `cache-b-${i}`), ...TARGETS]));
    digests.push(sha256(warm));
  }
  const pyz = join(work, 'app-0.pyz');
  const listed = JSON.parse(execFileSync(python, [pyz, 'list', '--json'], { env: cleanEnv(), maxBuffer: 1 << 28 }).toString());
  console.log(`lock: ${caseDir} (mirrored at size scale ${sizeScale}), targets: ${TARGETS.filter((t) => !t.startsWith('-')).join(', ')}`);
  console.log(`bundle: ${(statSync(pyz).size / 2 ** 20).toFixed(1)} MiB, ${listed.artifacts.length} files for ${listed.targets.length} targets`);
  console.log(`collect alone, cold cache:  ${stats(results.collect)}`);
  console.log(`bundle, cold cache:         ${stats(results.bundleCold)}`);
  console.log(`bundle, warm cache:         ${stats(results.bundleWarm)}`);
  console.log(`sha256 of ${digests.length} bundles: ${[...new Set(digests)].join(', ')}${new Set(digests).size === 1 ? ' (all equal)' : ' (DIFFERENT)'}`);
  const venv = join(work, 'venv');
  const install = timed(python, [pyz, 'install', '--venv', venv]);
  const installed = JSON.parse(execFileSync(join(venv, 'bin', 'python'), ['-m', 'pip', 'list', '--format=json'], { env: cleanEnv() }).toString());
  console.log(`python3 app.pyz install --venv: ${install.toFixed(2)} s, ${installed.length} packages in the venv (PIP_* cleared, PIP_CONFIG_FILE=/dev/null)`);
} finally {
  serve.kill();
  rmSync(work, { recursive: true, force: true });
}
