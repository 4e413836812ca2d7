#!/usr/bin/env node
// `npm run demo`: lockhouse end to end on the example workspace in
// examples/demo/, with no network beyond 127.0.0.1:
//   1. synthesize every file examples/demo/uv.lock names (scripts/demo/),
//      write a static index for them (lockhouse index) and serve it;
//   2. lockhouse collect for this machine and two other targets into
//      ./wheelhouse, through --mirror (the lock names a private index the
//      demo stands in for), building the sdist-only package, emitting a
//      pylock and hashed requirements;
//   3. lockhouse verify; lockhouse bundle (one self-installing file);
//   4. where python3 exists: pip installs ./wheelhouse into a fresh venv
//      offline, and a module is imported.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { main } from '../dist/cli/main.js';
import { serveDirectory } from '../test/helpers/static-server.js';
import { synthesize, withHashes } from './demo/synthesize.js';

const demoDir = new URL('../examples/demo/', import.meta.url).pathname;
const out = resolve('wheelhouse');
const bundlePath = resolve('lockhouse-demo.pyz');
const work = mkdtempSync(join(tmpdir(), 'lockhouse-demo-'));
const bold = (text) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);
const say = (text) => process.stdout.write(`\n${bold(`== ${text}`)}\n\n`);
/** A path as short as it reads: relative to where the demo runs when inside it, else as it is. */
const short = (path) => {
  const rel = relative(process.cwd(), path);
  return rel === '' ? '.' : rel.startsWith('..') ? path : rel;
};
const show = (argv) => process.stdout.write(`$ lockhouse ${argv.map((a) => (a.startsWith('/') ? short(a) : a)).join(' ')}\n`);

/** This machine as a target, in uv's names (manylinux_2_17 on Linux: the oldest a wheel of the demo needs), and its Python. */
function host() {
  const probe = spawnSync('python3', ['-c', 'import platform, sys; print(sys.platform, platform.machine(), "%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' });
  if (probe.status !== 0) return null;
  const [system, machine, version] = probe.stdout.trim().split(' ');
  const arch = { AMD64: 'x86_64', x86_64: 'x86_64', arm64: 'aarch64', aarch64: 'aarch64' }[machine];
  const platform =
    system === 'linux' ? `${arch}-manylinux_2_17` : system === 'darwin' ? `${arch}-apple-darwin` : system === 'win32' ? `${arch}-pc-windows-msvc` : null;
  return arch && platform ? { platform, version } : null;
}

let code = 0;
const run = async (argv, { expect = 0 } = {}) => {
  show(argv);
  const result = await main(argv);
  if (result !== expect) {
    process.stderr.write(`demo: lockhouse exited ${result}, expected ${expect}\n`);
    code ||= 1;
  }
  return result;
};

const here = host();
const others = ['x86_64-manylinux_2_17', 'aarch64-apple-darwin', 'x86_64-pc-windows-msvc'].filter((p) => p !== here?.platform).slice(0, 2);
const platforms = [...(here ? [here.platform] : []), ...others];
const targets = [...platforms.flatMap((p) => ['--python-platform', p]), '--python-version', here?.version ?? '3.12'];
const selection = ['--only-deps', '--extra', 'cli'];

let server;
try {
  say('1. Synthesize the files examples/demo/uv.lock names, index them, serve them on 127.0.0.1');
  const lockText = readFileSync(join(demoDir, 'uv.lock'), 'utf8');
  const files = await synthesize(lockText);
  const index = join(work, 'index');
  mkdirSync(join(index, 'files'), { recursive: true });
  for (const file of files) writeFileSync(join(index, 'files', file.filename), file.bytes);
  let lock = join(demoDir, 'uv.lock');
  if (withHashes(lockText, files) !== lockText) {
    // Another zlib can gzip the sdists to other bytes than the lock records.
    process.stdout.write('(this Node gzips the demo sdists differently from the one that wrote the lock: using a copy of the lock with their hashes)\n');
    mkdirSync(join(work, 'project'));
    writeFileSync(join(work, 'project', 'uv.lock'), withHashes(lockText, files));
    copyFileSync(join(demoDir, 'pyproject.toml'), join(work, 'project', 'pyproject.toml'));
    lock = join(work, 'project', 'uv.lock');
  }
  process.stdout.write(`${files.length} files synthesized\n`);
  await run(['index', index, '-q']);
  server = await serveDirectory(index);
  const mirror = ['--mirror', `demo=${server.url}/simple`];
  process.stdout.write(`serving ${server.url}/simple/ — the lock names https://demo.lockhouse.invalid/simple; --mirror points there instead\n`);

  say(`2. Collect for ${platforms.length} targets into ./wheelhouse (${here ? 'this machine first' : 'no python3 here: nothing is built'})`);
  const build = here ? [] : ['--no-build', '--sdist'];
  await run([
    'collect', '--lock', lock, '-o', out, ...mirror, ...selection, ...targets, ...build,
    '--emit-pylock', join(out, 'pylock.toml'), '--emit-requirements', join(out, 'requirements.txt'),
  ]);

  say('3. Verify it, and make one self-installing bundle of the same');
  await run(['verify', '--lock', lock, '-o', out, ...selection, ...targets, ...build]);
  await run(['bundle', '--lock', lock, '-o', bundlePath, ...mirror, ...selection, ...targets, ...build, '-q']);
  process.stdout.write(`wrote ${relative(process.cwd(), bundlePath)}: python3 ${relative(process.cwd(), bundlePath)} list | install --venv DIR | extract DIR\n`);

  if (!here) {
    say('4. No python3 here: the install step is skipped');
  } else {
    say('4. Install ./wheelhouse offline into a fresh venv with pip, and import what it installed');
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('PIP_')));
    Object.assign(env, { PIP_CONFIG_FILE: '/dev/null', PIP_DISABLE_PIP_VERSION_CHECK: '1' });
    execFileSync('python3', ['-m', 'venv', join(work, 'venv')], { env });
    const python = join(work, 'venv', process.platform === 'win32' ? 'Scripts/python.exe' : 'bin/python');
    const pip = ['-m', 'pip', 'install', '--no-index', '--find-links', out, '--require-hashes', '-r', join(out, 'requirements.txt')];
    process.stdout.write(`$ python -m pip install --no-index --find-links wheelhouse --require-hashes -r wheelhouse/requirements.txt\n`);
    const installed = spawnSync(python, pip, { env, encoding: 'utf8' });
    process.stdout.write(installed.stdout.split('\n').filter((line) => line.startsWith('Successfully')).join('\n') + '\n');
    if (installed.status !== 0) {
      process.stderr.write(installed.stderr);
      code ||= 1;
    } else {
      const imported = spawnSync(python, ['-c', 'import fastmath, legacy_tool, numlike, tinyhttp; print(fastmath.hello()); print(legacy_tool.hello()); print(numlike.hello())'], { env, encoding: 'utf8' });
      process.stdout.write(imported.stdout);
      if (imported.status !== 0) {
        process.stderr.write(imported.stderr);
        code ||= 1;
      }
    }
  }
} finally {
  await server?.close();
  rmSync(work, { recursive: true, force: true });
}

process.stdout.write(
  code === 0
    ? `\nDone: ./wheelhouse (with pylock.toml, requirements.txt, lockhouse.json) and ${relative(process.cwd(), bundlePath)}. Next: lockhouse --help, docs/getting-started.md.\n`
    : '\nThe demo failed: see the messages above.\n',
);
process.exitCode = code;
