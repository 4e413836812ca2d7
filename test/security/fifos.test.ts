/**
 * FIFOs (named pipes, made with mkfifo) planted where lockhouse reads or
 * writes in DIR, the cache and the sources: open(2) of a FIFO waits for the
 * other end, so a plain open would hang the run forever (issue 17, finding
 * 5: a FIFO at DIR/lockhouse.json hung `collect`). Every command must go
 * on as if something unreadable were there — replace it, skip it or report
 * it — and finish.
 *
 * Each command runs as a real process. A hang cannot be told from a slow
 * run except by waiting, so a hang fails as the test's timeout (and the
 * process is killed when the test ends); nothing here asserts time.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { makeSdist, makeWheel, type Artifact } from '../helpers/artifacts.js';
import { fixturePylock, fixtureUvLock } from '../helpers/fixture-lock.js';
import { startIndexServer, type IndexServer } from '../helpers/index-server.js';
import { pipMissing } from '../helpers/pip.js';
import { startLockhouse, type Finished } from '../helpers/process.js';
import { testdir } from '../helpers/testdir.js';
import { hostileCounter } from './helpers.js';

const TARGET = ['--python-platform', 'x86_64-manylinux_2_28', '--python-version', '3.12'];
const counter = hostileCounter('fifos');
const noMkfifo = spawnSync('mkfifo', ['--version']).error ? 'mkfifo is not on PATH' : null;

const pkg = makeWheel({ name: 'pkg', version: '1.0' });
const lib = makeWheel({ name: 'lib', version: '2.0' });
const artifacts: Artifact[] = [pkg, lib];
const src = makeSdist({ name: 'fifosrc', version: '1.0' });

let server: IndexServer;
beforeAll(async () => {
  server = await startIndexServer({ artifacts: [...artifacts, src] });
});
afterAll(async () => {
  await server?.close();
});

/** lockhouse as a process, killed when the test ends if it is still running (a hang). */
function lockhouse(...args: string[]): Promise<Finished> {
  const running = startLockhouse(args);
  onTestFinished(() => {
    if (running.child.exitCode === null && running.child.signalCode === null) running.child.kill('SIGKILL');
  });
  return running.done;
}

/** A FIFO at `path`, its folder made (whatever was there is removed). */
function fifo(path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  rmSync(path, { force: true, recursive: true });
  execFileSync('mkfifo', [path]);
  counter.add();
}

const isFifo = (path: string): boolean => lstatSync(path).isFIFO();
const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

function project(locked: readonly Artifact[] = artifacts) {
  const root = testdir({ 'uv.lock': fixtureUvLock(locked, { base: server.url }) });
  const lock = join(root, 'uv.lock');
  const out = join(root, 'out');
  const cache = join(root, 'cache');
  return {
    root,
    lock,
    out,
    cache,
    collect: (...flags: string[]) => lockhouse('collect', '--lock', lock, '-o', out, ...TARGET, ...(flags.includes('--no-cache') ? [] : ['--cache-dir', cache]), ...flags),
    verify: (...flags: string[]) => lockhouse('verify', '--lock', lock, '-o', out, ...TARGET, ...flags),
  };
}

describe.skipIf(noMkfifo !== null)(`a FIFO planted in DIR${noMkfifo ? ` (skipped: ${noMkfifo})` : ''}`, () => {
  it('at DIR/lockhouse.json: collect goes on without a previous manifest and writes the manifest in its place', async () => {
    const p = project();
    mkdirSync(p.out);
    fifo(join(p.out, 'lockhouse.json'));
    const run = await p.collect();
    expect(run.code, run.stderr).toBe(0);
    expect(lstatSync(join(p.out, 'lockhouse.json')).isFile()).toBe(true);
    for (const artifact of artifacts) expect(sha256(join(p.out, artifact.filename))).toBe(artifact.sha256);
  });

  it('at DIR/lockhouse.json: verify checks the files against the lock, and reports the FIFO (NOT_REGULAR)', async () => {
    const p = project();
    expect((await p.collect()).code).toBe(0);
    fifo(join(p.out, 'lockhouse.json'));
    const run = await p.verify('--json');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('lockhouse.json is not a regular file');
    const json = JSON.parse(run.stdout);
    expect(json).toMatchObject({ manifest: false, checked: 2, missing: [], altered: [] });
    expect(json.extra).toEqual([expect.objectContaining({ filename: 'lockhouse.json', code: 'NOT_REGULAR' })]);
  });

  it('at DIR/lockhouse.json: index lists the files without it', async () => {
    const p = project();
    expect((await p.collect()).code).toBe(0);
    fifo(join(p.out, 'lockhouse.json'));
    const run = await lockhouse('index', p.out);
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(join(p.out, 'simple', 'pkg', 'index.html'), 'utf8')).toContain(pkg.filename);
    expect(isFifo(join(p.out, 'lockhouse.json'))).toBe(true);
  });

  it("at an artifact's name: collect replaces it; verify reports it missing (NOT_REGULAR); index leaves it out", async () => {
    const p = project();
    expect((await p.collect()).code).toBe(0);
    fifo(join(p.out, pkg.filename));
    const verified = await p.verify('--json');
    expect(verified.code).toBe(1);
    expect(JSON.parse(verified.stdout).missing).toEqual([expect.objectContaining({ filename: pkg.filename, code: 'NOT_REGULAR' })]);
    const indexed = await lockhouse('index', p.out);
    expect(indexed.code, indexed.stderr).toBe(0);
    expect(readdirSync(join(p.out, 'simple'))).not.toContain('pkg');
    const collected = await p.collect('--verify');
    expect(collected.code, collected.stderr).toBe(0);
    expect(collected.stderr).toContain(`${join(p.out, pkg.filename)} is not a regular file; it will be replaced`);
    expect(sha256(join(p.out, pkg.filename))).toBe(pkg.sha256);
  });
});

describe.skipIf(noMkfifo !== null)(`a FIFO among the sources and in the cache${noMkfifo ? ` (skipped: ${noMkfifo})` : ''}`, () => {
  it('in a --find-links folder under an artifact\'s name: passed over, the file downloaded', async () => {
    const p = project();
    const links = join(p.root, 'links');
    fifo(join(links, pkg.filename));
    const run = await p.collect('--no-cache', '--find-links', links);
    expect(run.code, run.stderr).toBe(0);
    expect(sha256(join(p.out, pkg.filename))).toBe(pkg.sha256);
  });

  it("as a lock's local `path` source: that file fails, named; the rest is collected", async () => {
    const p = project();
    const text = fixturePylock(artifacts, { base: server.url }).replace(/url = "[^"]*\/files\/pkg-1\.0-[^"]*"/, `path = "./local/${pkg.filename}"`);
    expect(text).toContain(`path = "./local/${pkg.filename}"`);
    writeFileSync(join(p.root, 'pylock.toml'), text);
    fifo(join(p.root, 'local', pkg.filename));
    const run = await lockhouse('collect', '--lock', join(p.root, 'pylock.toml'), '-o', p.out, '--no-cache', ...TARGET);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(pkg.filename);
    expect(sha256(join(p.out, lib.filename))).toBe(lib.sha256);
  });

  it("at a cache entry's name: treated as absent, the file downloaded", async () => {
    const p = project();
    expect((await p.collect()).code).toBe(0);
    fifo(join(p.cache, 'content-v2', 'sha256', pkg.sha256));
    rmSync(p.out, { recursive: true });
    const run = await p.collect();
    expect(run.code, run.stderr).toBe(0);
    expect(sha256(join(p.out, pkg.filename))).toBe(pkg.sha256);
  });
});

const why = noMkfifo ?? pipMissing();
describe.skipIf(why !== null)(`a FIFO where a build reads or writes${why ? ` (skipped: ${why})` : ''}`, () => {
  /** A lock with one sdist to build, collected once (so the build cache holds its wheel). */
  async function built() {
    const p = project([src]);
    const first = await p.collect();
    expect(first.code, first.stderr).toBe(0);
    return p;
  }

  it("at the build cache entry's info.json: the entry is not used, the sdist is built again", async () => {
    const p = await built();
    const builds = join(p.cache, 'builds-v1');
    const [prefix] = readdirSync(builds).filter((name) => /^[0-9a-f]{2}$/.test(name));
    const [key] = readdirSync(join(builds, prefix!));
    fifo(join(builds, prefix!, key!, 'info.json'));
    rmSync(p.out, { recursive: true });
    const run = await p.collect();
    expect(run.code, run.stderr).toBe(0);
    expect(readdirSync(p.out).filter((name) => name.startsWith('fifosrc-'))).toHaveLength(1);
  });

  it("at the build log's name in DIR/.lockhouse/logs: the log replaces it", async () => {
    const p = project([src]);
    const log = join(p.out, '.lockhouse', 'logs', 'fifosrc-1.0.log');
    fifo(log);
    const run = await p.collect('--no-cache');
    expect(run.code, run.stderr).toBe(0);
    expect(lstatSync(log).isFile()).toBe(true);
  });

  it('at an sdist kept for a build in DIR/.lockhouse/sdists (--no-cache): replaced by the download', async () => {
    const p = await built();
    fifo(join(p.out, '.lockhouse', 'sdists', src.filename));
    const run = await p.collect('--no-cache');
    expect(run.code, run.stderr).toBe(0);
  });
});

describe.skipIf(noMkfifo !== null)(`a FIFO given as a bundle${noMkfifo ? ` (skipped: ${noMkfifo})` : ''}`, () => {
  it('verify --bundle: BUNDLE_UNREADABLE, exit 1', async () => {
    const dir = testdir();
    fifo(join(dir, 'app.pyz'));
    const run = await lockhouse('verify', '--bundle', join(dir, 'app.pyz'));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('BUNDLE_UNREADABLE');
  });
});

/** lockhouse as a process with `env` added. */
function lockhouseWith(env: NodeJS.ProcessEnv, ...args: string[]): Promise<Finished> {
  const running = startLockhouse(args, { ...process.env, ...env });
  onTestFinished(() => {
    if (running.child.exitCode === null && running.child.signalCode === null) running.child.kill('SIGKILL');
  });
  return running.done;
}

describe.skipIf(noMkfifo !== null)(`a FIFO at a file the user names${noMkfifo ? ` (skipped: ${noMkfifo})` : ''}`, () => {
  it('as the lock (--lock): LOCK_NOT_FOUND, not a regular file, exit 2', async () => {
    const dir = testdir();
    fifo(join(dir, 'pylock.toml'));
    const run = await lockhouse('collect', '--lock', join(dir, 'pylock.toml'), '-o', join(dir, 'out'), '--no-cache', ...TARGET);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain('LOCK_NOT_FOUND');
    expect(run.stderr).toContain('not a regular file');
  });

  it("as the project's pyproject.toml: PYPROJECT_INVALID (its groups and indexes are not silently dropped), exit 2", async () => {
    const p = project();
    fifo(join(p.root, 'pyproject.toml'));
    const run = await p.collect('--no-cache');
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain('PYPROJECT_INVALID');
    expect(run.stderr).toContain('not a regular file');
  });

  it('as NETRC and SSL_CERT_FILE: said unreadable once each, and the collect goes on', async () => {
    const p = project();
    fifo(join(p.root, 'netrc'));
    fifo(join(p.root, 'ca.pem'));
    const run = await lockhouseWith({ NETRC: join(p.root, 'netrc'), SSL_CERT_FILE: join(p.root, 'ca.pem') }, 'collect', '--lock', p.lock, '-o', p.out, ...TARGET, '--no-cache');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('SSL_CERT_FILE');
    expect(run.stderr).toContain('netrc');
  });
});
