import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { devNull } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildEnv, describeEnvChanges } from '../../../src/io/build/build-env.js';
import { findBuildPython } from '../../../src/io/build/build-python.js';
import { BuildError, buildCommand, runBuild } from '../../../src/io/build/run-build.js';
import type { BuildPython, BuildRequest, Frontend, FrontendName } from '../../../src/io/build/types.js';
import { readWheelIdentity } from '../../../src/io/build/wheel-identity.js';
import { makeSdist } from '../../helpers/artifacts.js';
import { testdir } from '../../helpers/testdir.js';
import { realPython, testEnv } from './helpers.js';

const PY: BuildPython = { command: '/opt/py/bin/python3.12', version: [3, 12, 4], platform: 'manylinux_2_36_x86_64', freeThreaded: false };
const frontendOf = (name: FrontendName): Frontend => ({ name, description: `${name} (test)` });

function request(name: FrontendName, overrides: Partial<BuildRequest> = {}): BuildRequest {
  return {
    source: { kind: 'sdist', path: '/w/foo-1.0.tar.gz' },
    python: PY,
    frontend: frontendOf(name),
    isolation: true,
    indexUrl: 'https://pypi.org/simple',
    findLinks: ['/w/dir', '/w/more links'],
    outDir: '/w/out',
    logPath: '/w/log',
    env: {},
    ...overrides,
  };
}

describe('buildCommand', () => {
  it.each([
    [
      'uv',
      {},
      'uv',
      ['build', '--wheel', '--no-config', '--python', PY.command, '--out-dir', '/w/out', '--default-index', 'https://pypi.org/simple', '--find-links', '/w/dir', '--find-links', '/w/more links', '/w/foo-1.0.tar.gz'],
    ],
    [
      'uv',
      { isolation: false, indexUrl: null, findLinks: [] },
      'uv',
      ['build', '--wheel', '--no-config', '--python', PY.command, '--out-dir', '/w/out', '--no-build-isolation', '--no-index', '/w/foo-1.0.tar.gz'],
    ],
    ['build', {}, PY.command, ['-m', 'build', '--wheel', '--outdir', '/w/out', '/w/foo-1.0.tar.gz']],
    ['build', { isolation: false, indexUrl: null }, PY.command, ['-m', 'build', '--wheel', '--outdir', '/w/out', '--no-isolation', '/w/foo-1.0.tar.gz']],
    [
      'pip',
      {},
      PY.command,
      ['-m', 'pip', 'wheel', '--no-deps', '--no-cache-dir', '--wheel-dir', '/w/out', '--index-url', 'https://pypi.org/simple', '--find-links', '/w/dir', '--find-links', '/w/more links', '/w/foo-1.0.tar.gz'],
    ],
    [
      'pip',
      { isolation: false, indexUrl: null, findLinks: ['/w/dir'], source: { kind: 'tree', path: '/cache/git-v1/ab/cd/sub' } },
      PY.command,
      ['-m', 'pip', 'wheel', '--no-deps', '--no-cache-dir', '--wheel-dir', '/w/out', '--no-build-isolation', '--no-index', '--find-links', '/w/dir', '/cache/git-v1/ab/cd/sub'],
    ],
  ] as const)('%s %j', (name, overrides, file, args) => {
    const command = buildCommand(request(name, overrides as Partial<BuildRequest>));
    expect(command.file).toBe(file);
    expect(command.args).toEqual(args);
    expect(command.cwd).toBe('/w/out');
  });

  it('gives `build` its index through pip’s environment', () => {
    expect(buildCommand(request('build')).envChanges).toEqual({ PIP_INDEX_URL: 'https://pypi.org/simple', PIP_FIND_LINKS: '/w/dir /w/more links' });
    expect(buildCommand(request('build', { indexUrl: null, findLinks: [] })).envChanges).toEqual({ PIP_NO_INDEX: '1' });
    expect(buildCommand(request('pip')).envChanges).toEqual({});
  });

  it.each(['uv', 'build', 'pip'] as const)('%s: an index URL’s credential is never on the command line or in the environment, only in the netrc it is pointed to', (name) => {
    const secret = 'planted-s3cret/with%chars';
    const command = buildCommand(request(name, { indexUrl: `https://robot:${encodeURIComponent(secret)}@mirror.example/simple` }), undefined, '/w/.netrc.1-x.tmp');
    const visible = JSON.stringify([command.file, command.args, command.envChanges]);
    expect(visible).not.toContain('planted-s3cret');
    expect(visible).not.toContain(encodeURIComponent(secret));
    expect(visible).not.toContain('robot');
    expect(visible).toContain('https://mirror.example/simple');
    expect(command.envChanges['NETRC']).toBe('/w/.netrc.1-x.tmp');
    expect(JSON.stringify(command.env)).not.toContain('planted-s3cret');
  });

  it('takes another source path (an unpacked sdist for build)', () => {
    expect(buildCommand(request('build'), '/w/src/foo-1.0').args.at(-1)).toBe('/w/src/foo-1.0');
  });
});

describe('buildEnv', () => {
  it('keeps index credentials and mirror URLs out of the frontend’s (and so the backend’s) environment, naming what it removed', () => {
    const caller = {
      PATH: '/usr/bin',
      UV_INDEX_PRIVATE_USERNAME: 'robot',
      UV_INDEX_PRIVATE_PASSWORD: 'pw-1',
      LOCKHOUSE_INDEX_MY_INDEX_PASSWORD: 'pw-2',
      LOCKHOUSE_MIRROR: 'pypi=https://robot:pw-3@mirror.example/simple',
      LOCKHOUSE_TEST_PIDFILE: '/tmp/pid',
    };
    const env = buildEnv(caller);
    expect(JSON.stringify(env)).not.toMatch(/pw-[123]|robot/);
    expect(env['LOCKHOUSE_TEST_PIDFILE']).toBe('/tmp/pid');
    const described = describeEnvChanges(caller);
    expect(described).toContain('without LOCKHOUSE_INDEX_MY_INDEX_PASSWORD LOCKHOUSE_MIRROR UV_INDEX_PRIVATE_PASSWORD UV_INDEX_PRIVATE_USERNAME');
    expect(described).not.toMatch(/pw-|robot/);
  });

  it('keeps the caller’s env but none of its index, find-links or constraint settings', () => {
    const caller = {
      PATH: '/usr/bin',
      HOME: '/home/u',
      SOURCE_DATE_EPOCH: '315532800',
      PIP_CERT: '/etc/ssl/ca.pem',
      PIP_INDEX_URL: 'https://elsewhere/simple',
      PIP_EXTRA_INDEX_URL: 'file:///opt/pypi/simple',
      PIP_FIND_LINKS: '/opt/wheels',
      PIP_NO_INDEX: '1',
      PIP_CONSTRAINT: '/etc/constraints.txt',
      PIP_REQUIRE_VIRTUALENV: '1',
      PIP_CONFIG_FILE: '/home/u/pip.conf',
      UV_INDEX_URL: 'https://elsewhere/simple',
      UV_FIND_LINKS: '/opt/wheels',
    };
    expect(buildEnv(caller, { PIP_NO_INDEX: '1' })).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/u',
      SOURCE_DATE_EPOCH: '315532800',
      PIP_CERT: '/etc/ssl/ca.pem',
      PIP_CONFIG_FILE: devNull,
      PIP_DISABLE_PIP_VERSION_CHECK: '1',
      PIP_NO_INPUT: '1',
      PYTHONNOUSERSITE: '1',
      PIP_NO_INDEX: '1',
    });
  });
});

// ---------------------------------------------------------------- real builds with pip

const python = realPython();
const withPip = typeof python === 'string' || !python.hasPip ? it.skip : it;

/** A backend that says a few lines and fails. */
const FAILING_BACKEND = `import sys
def get_requires_for_build_wheel(config_settings=None):
    return []
def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    for i in range(30):
        print("compiling part %d" % i)
    sys.stderr.write("error: the compiler is on fire\\n")
    raise SystemExit(1)
`;

/** A backend that takes its time, saying where it runs (LOCKHOUSE_TEST_PIDFILE). */
const SLOW_BACKEND = `import os, time
def get_requires_for_build_wheel(config_settings=None):
    return []
def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    with open(os.environ["LOCKHOUSE_TEST_PIDFILE"], "w") as f:
        f.write(str(os.getpid()))
    print("building slowly", flush=True)
    time.sleep(60)
`;

/** The backend whose pid is in `pidfile` is gone (within a few seconds of the kill). */
async function expectGone(pidfile: string): Promise<void> {
  const pid = Number(readFileSync(pidfile, 'utf8'));
  expect(pid).toBeGreaterThan(1);
  for (let i = 0; i < 60; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the backend (pid ${pid}) is still running`);
}

async function pipRequest(dir: string, sdist: { filename: string; bytes: Buffer }, overrides: Partial<BuildRequest> = {}): Promise<BuildRequest> {
  const env = testEnv({ PIP_FIND_LINKS: '/nowhere', PIP_INDEX_URL: 'http://127.0.0.1:9/simple', PIP_CONSTRAINT: '/nowhere/constraints.txt' });
  const found = await findBuildPython({ env });
  const path = join(dir, sdist.filename);
  writeFileSync(path, sdist.bytes);
  return {
    source: { kind: 'sdist', path },
    python: found!,
    frontend: { name: 'pip', description: 'pip in python3' },
    isolation: true,
    indexUrl: null,
    findLinks: [dir],
    outDir: join(dir, 'out'),
    logPath: join(dir, '.lockhouse', 'logs', 'x-1.0.log'),
    env,
    ...overrides,
  };
}

describe('runBuild with pip', () => {
  withPip('builds an sdist in an isolated environment with no index, and logs the command', async () => {
    const dir = testdir();
    const built = await runBuild(await pipRequest(dir, makeSdist({ name: 'Hello.World', version: '1.0' })));
    expect(built.wheel).toBe(join(dir, 'out', 'hello_world-1.0-py3-none-any.whl'));
    console.info(`pip build, isolated: ${built.durationMs.toFixed(0)} ms`);
    expect(await readWheelIdentity(built.wheel)).toEqual({ name: 'hello-world', version: '1.0', python: ['py3'], abi: ['none'], platform: ['any'] });
    const log = readFileSync(join(dir, '.lockhouse', 'logs', 'x-1.0.log'), 'utf8');
    expect(log).toContain('frontend: pip in python3');
    expect(log).toContain(`command: ${(python as { executable: string }).executable} -m pip wheel --no-deps --no-cache-dir --wheel-dir ${join(dir, 'out')} --no-index --find-links ${dir} ${join(dir, 'hello_world-1.0.tar.gz')}`);
    expect(log).toContain(`cwd: ${join(dir, 'out')}`);
    expect(log).toContain('without PIP_INDEX_URL PIP_FIND_LINKS PIP_CONSTRAINT');
    expect(log).toContain('Successfully built Hello.World');
    expect(log).toContain('==== lockhouse: built hello_world-1.0-py3-none-any.whl');
  });

  withPip('builds without isolation, with the interpreter’s own environment', async () => {
    const dir = testdir();
    const built = await runBuild(await pipRequest(dir, makeSdist({ name: 'plain', version: '2.0' }), { isolation: false }));
    console.info(`pip build, not isolated: ${built.durationMs.toFixed(0)} ms`);
    expect(built.wheel).toBe(join(dir, 'out', 'plain-2.0-py3-none-any.whl'));
    expect(readFileSync(join(dir, '.lockhouse', 'logs', 'x-1.0.log'), 'utf8')).toContain('--no-build-isolation --no-index');
  });

  withPip('a failing backend is a BuildError with the log’s last lines', async () => {
    const dir = testdir();
    const sdist = makeSdist({ name: 'broken', version: '1.0', files: { '_backend/backend.py': FAILING_BACKEND } });
    const error = await runBuild(await pipRequest(dir, sdist, { label: 'broken 1.0 (broken-1.0.tar.gz)' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BuildError);
    const failure = error as BuildError;
    expect(failure.code).toBe('BUILD_FAILED');
    expect(failure.exitCode).toBe(1);
    expect(failure.message).toBe('Building broken 1.0 (broken-1.0.tar.gz) with pip failed: it exited with code 1.');
    expect(failure.logPath).toBe(join(dir, '.lockhouse', 'logs', 'x-1.0.log'));
    expect(failure.tail).toHaveLength(20);
    expect(failure.tail.join('\n')).toContain('the compiler is on fire');
    expect(failure.tail.at(-1)).toBe('==== lockhouse: it exited with code 1');
    expect(readFileSync(failure.logPath, 'utf8')).toContain('compiling part 0');
  });

  withPip('a build that leaves more than one wheel is a BuildError', async () => {
    const dir = testdir({ 'out/other-1.0-py3-none-any.whl': 'x' });
    const error = await runBuild(await pipRequest(dir, makeSdist({ name: 'two', version: '1.0' }))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BuildError);
    expect((error as Error).message).toMatch(/failed: it wrote 2 wheels \(other-1\.0-py3-none-any\.whl, two-1\.0-py3-none-any\.whl\)|two-1\.0-py3-none-any\.whl, other/);
  });

  withPip('a timeout kills the build', async () => {
    const dir = testdir();
    const sdist = makeSdist({ name: 'slow', version: '1.0', files: { '_backend/backend.py': SLOW_BACKEND } });
    const started = Date.now();
    // Long enough for pip to reach the backend on a busy machine; far short of its minute of sleep.
    const base = await pipRequest(dir, sdist, { timeoutMs: 8000 });
    const pidfile = join(dir, 'backend.pid');
    const error = await runBuild({ ...base, env: { ...base.env, LOCKHOUSE_TEST_PIDFILE: pidfile } }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(error).toBeInstanceOf(BuildError);
    expect((error as Error).message).toContain('failed: timed out after 8000 ms');
    // pip's child running the backend's hook is stopped too, not left to run for a minute.
    await expectGone(pidfile);
  });

  withPip('an abort kills the build and rejects with the signal’s reason', async () => {
    const dir = testdir();
    const sdist = makeSdist({ name: 'slow', version: '1.0', files: { '_backend/backend.py': SLOW_BACKEND } });
    const controller = new AbortController();
    const base = await pipRequest(dir, sdist, { signal: controller.signal });
    const pidfile = join(dir, 'backend.pid');
    const pending = runBuild({ ...base, env: { ...base.env, LOCKHOUSE_TEST_PIDFILE: pidfile } }).catch((e: unknown) => e);
    while (!existsSync(pidfile)) await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort(new Error('stop it'));
    const error = await pending;
    expect((error as Error).message).toBe('stop it');
    await expectGone(pidfile);
    expect(readFileSync(join(dir, '.lockhouse', 'logs', 'x-1.0.log'), 'utf8')).toContain('==== lockhouse: aborted');
  });

  withPip('a missing frontend program is a BuildError too', async () => {
    const dir = testdir();
    const base = await pipRequest(dir, makeSdist({ name: 'nouv', version: '1.0' }));
    const error = await runBuild({ ...base, frontend: { name: 'uv', description: 'uv' }, env: { ...base.env, PATH: dir } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BuildError);
    expect((error as Error).message).toContain('failed: uv was not found');
    expect(existsSync(join(dir, 'out'))).toBe(true);
  });
});

// ---------------------------------------------------------------- `python -m build`, with a stand-in module

/**
 * A stand-in for pypa/build (not installed here): it records how it was
 * called and calls the in-tree backend of the source directory it is given,
 * as build does without isolation.
 */
const FAKE_BUILD = `import json, os, sys
args = sys.argv[1:]
if args == ["--version"]:
    print("build 1.2.2 (stand-in)")
    sys.exit(0)
outdir = os.path.abspath(args[args.index("--outdir") + 1])
src = args[-1]
names = ["PIP_NO_INDEX", "PIP_INDEX_URL", "PIP_FIND_LINKS", "PIP_CONFIG_FILE", "PYTHONNOUSERSITE"]
print("stand-in build: " + json.dumps({"args": args, "env": {n: os.environ.get(n) for n in names}, "isdir": os.path.isdir(src)}))
os.chdir(src)
sys.path.insert(0, os.path.join(src, "_backend"))
import backend
print("built " + backend.build_wheel(outdir))
`;

describe('runBuild with python -m build', () => {
  withPip('unpacks the sdist, gives build a directory and pip settings through env', async () => {
    const dir = testdir({ 'modules/build/__init__.py': '', 'modules/build/__main__.py': FAKE_BUILD });
    const base = await pipRequest(dir, makeSdist({ name: 'via-build', version: '3.0' }));
    const built = await runBuild({ ...base, frontend: { name: 'build', description: 'build 1.2.2' }, env: { ...base.env, PYTHONPATH: join(dir, 'modules') } });
    expect(built.wheel).toBe(join(dir, 'out', 'via_build-3.0-py3-none-any.whl'));
    const log = readFileSync(base.logPath, 'utf8');
    const record = JSON.parse(/stand-in build: (.*)/.exec(log)![1]!) as { args: string[]; env: Record<string, string | null>; isdir: boolean };
    expect(record.isdir).toBe(true);
    expect(record.args.slice(0, 3)).toEqual(['--wheel', '--outdir', join(dir, 'out')]);
    expect(record.args.at(-1)).toMatch(/out-src-[^/]+\/via_build-3\.0$/);
    expect(record.env).toEqual({ PIP_NO_INDEX: '1', PIP_INDEX_URL: null, PIP_FIND_LINKS: dir, PIP_CONFIG_FILE: devNull, PYTHONNOUSERSITE: '1' });
    // The unpacked tree is gone.
    expect(existsSync(record.args.at(-1)!)).toBe(false);
  });
});
