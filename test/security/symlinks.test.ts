/**
 * Symlinks planted in the output directory (a checked-in or unpacked
 * wheelhouse may carry them, pointing anywhere) are never written through
 * (DESIGN.md "Trust and safety"): whatever the link's target — a file, a
 * folder, nothing yet — the target's bytes, mtime and folder are the same
 * after the run. Where lockhouse writes a file under a link's name, the
 * rename replaces the link; where it needs a folder (DIR/.lockhouse and its
 * subfolders, DIR/files, DIR/simple), a link there is refused
 * (OUTPUT_UNSAFE_PATH, exit 2) or the run goes on without writing through
 * it, as docs/collect.md and docs/errors.md say.
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeSdist, makeWheel, type Artifact } from '../helpers/artifacts.js';
import { runCli, type CliRun } from '../helpers/cli.js';
import { fixtureUvLock, fixturePylock } from '../helpers/fixture-lock.js';
import { startIndexServer, type IndexServer } from '../helpers/index-server.js';
import { testdir } from '../helpers/testdir.js';
import { changes, hostileCounter, outside, snapshot } from './helpers.js';

const TARGET = ['--python-platform', 'x86_64-manylinux_2_28', '--python-version', '3.12'];
const counter = hostileCounter('symlinks');

const pkg = makeWheel({ name: 'pkg', version: '1.0' });
const lib = makeWheel({ name: 'lib', version: '2.0' });
const built = makeSdist({ name: 'built', version: '3.0' });
const artifacts: Artifact[] = [pkg, lib];

let server: IndexServer;
beforeAll(async () => {
  server = await startIndexServer({ artifacts: [...artifacts, built] });
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => server.resetLog());

const OLD = new Date('2001-02-03T04:05:06Z');
const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

interface Project {
  readonly root: string;
  readonly lock: string;
  readonly out: string;
  readonly cache: string;
  /** root/outside: victim.txt (old mtime), dir/keep.txt; never to change. */
  readonly victims: string;
  collect(...flags: string[]): Promise<CliRun>;
  /** Everything under root, for changes(). */
  snap(): ReturnType<typeof snapshot>;
}

function project(format: 'uv.lock' | 'pylock.toml' = 'uv.lock', locked: readonly Artifact[] = artifacts): Project {
  const root = testdir();
  const victims = join(root, 'outside');
  mkdirSync(join(victims, 'dir'), { recursive: true });
  writeFileSync(join(victims, 'victim.txt'), 'must not change\n');
  writeFileSync(join(victims, 'dir', 'keep.txt'), 'must not change either\n');
  for (const path of [join(victims, 'victim.txt'), join(victims, 'dir', 'keep.txt'), join(victims, 'dir')]) utimesSync(path, OLD, OLD);
  const lock = join(root, format);
  writeFileSync(lock, (format === 'uv.lock' ? fixtureUvLock : fixturePylock)(locked, { base: server.url }));
  const out = join(root, 'out');
  const cache = join(root, 'cache');
  return {
    root,
    lock,
    out,
    cache,
    victims,
    collect: (...flags) => runCli(['collect', '--lock', lock, '-o', out, '--retries', '0', ...TARGET, ...(flags.includes('--no-cache') ? [] : ['--cache-dir', cache]), ...flags]),
    snap: () => snapshot(root),
  };
}

/** A symlink at `at` (its folder made) pointing at `target`. */
function plant(at: string, target: string): void {
  mkdirSync(dirname(at), { recursive: true });
  symlinkSync(target, at);
}

/** Nothing outside DIR and the cache changed; the victims are as they were. */
function expectVictimsIntact(p: Project, before: ReturnType<typeof snapshot>, ...alsoAllowed: string[]): void {
  expect(changes(before, p.snap(), outside('out', 'cache', ...alsoAllowed))).toEqual([]);
  expect(readFileSync(join(p.victims, 'victim.txt'), 'utf8')).toBe('must not change\n');
  expect(lstatSync(join(p.victims, 'victim.txt')).mtimeMs).toBe(OLD.getTime());
  expect(existsSync(join(p.victims, 'new.whl'))).toBe(false);
}

/** The link at `at` is gone, a regular file with `artifact`'s bytes in its place. */
function expectReplaced(at: string, artifact: Artifact): void {
  const stats = lstatSync(at);
  expect(stats.isSymbolicLink()).toBe(false);
  expect(stats.isFile()).toBe(true);
  expect(sha256(at)).toBe(artifact.sha256);
}

describe('a symlink at an artifact\'s final name is replaced, never written through', () => {
  const targets = [
    ['a file outside', (p: Project) => join(p.victims, 'victim.txt')],
    ['a folder outside', (p: Project) => join(p.victims, 'dir')],
    ['nothing yet (dangling)', (p: Project) => join(p.victims, 'new.whl')],
    ['a relative path out of DIR', () => '../outside/victim.txt'],
  ] as const;
  const sources = [
    ['download', async (_p: Project): Promise<string[]> => ['--no-cache']],
    [
      'the cache (hard link, then rename)',
      async (p: Project): Promise<string[]> => {
        expect((await runCli(['collect', '--lock', p.lock, '-o', join(p.root, 'warm'), '--cache-dir', p.cache, ...TARGET])).code).toBe(0);
        return [];
      },
    ],
    [
      '--find-links (copy, then rename)',
      async (p: Project): Promise<string[]> => {
        expect((await runCli(['collect', '--lock', p.lock, '-o', join(p.root, 'warm'), '--no-cache', ...TARGET])).code).toBe(0);
        return ['--no-cache', '--find-links', join(p.root, 'warm')];
      },
    ],
  ] as const;

  it.each(sources.flatMap(([source, prepare]) => targets.map(([target, to]) => ({ label: `from ${source}, link to ${target}`, prepare, to }))))(
    '$label',
    async ({ prepare, to }) => {
      counter.add();
      const p = project();
      const flags = await prepare(p);
      const at = join(p.out, pkg.filename);
      plant(at, to(p));
      const before = p.snap();
      const run = await p.collect(...flags);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toContain(`${at} is not a regular file; it will be replaced`);
      expectReplaced(at, pkg);
      expectVictimsIntact(p, before, 'warm');
    },
  );

  it('with --layout simple, at DIR/files/<file>', async () => {
    counter.add();
    const p = project();
    const at = join(p.out, 'files', pkg.filename);
    plant(at, join(p.victims, 'victim.txt'));
    const before = p.snap();
    const run = await p.collect('--no-cache', '--layout', 'simple');
    expect(run.code, run.stderr).toBe(0);
    expectReplaced(at, pkg);
    expectVictimsIntact(p, before);
  });

  it('a symlink at DIR/lockhouse.json (the manifest) is replaced by the manifest', async () => {
    counter.add();
    const p = project();
    const at = join(p.out, 'lockhouse.json');
    plant(at, join(p.victims, 'victim.txt'));
    const before = p.snap();
    const run = await p.collect('--no-cache');
    expect(run.code, run.stderr).toBe(0);
    expect(lstatSync(at).isFile()).toBe(true);
    expect(JSON.parse(readFileSync(at, 'utf8')).artifacts).toHaveLength(2);
    expectVictimsIntact(p, before);
  });

  it('--clean leaves a symlink in DIR alone and its target untouched', async () => {
    counter.add();
    const p = project();
    const stale = join(p.out, 'stale-1.0-py3-none-any.whl');
    plant(stale, join(p.victims, 'victim.txt'));
    const before = p.snap();
    const run = await p.collect('--no-cache', '--clean');
    expect(run.code, run.stderr).toBe(0);
    expect(readlinkSync(stale)).toBe(join(p.victims, 'victim.txt'));
    expectVictimsIntact(p, before);
  });
});

describe('a symlink where lockhouse needs a folder is refused (OUTPUT_UNSAFE_PATH, exit 2), before any request', () => {
  const cases = [
    ['DIR/.lockhouse → a folder outside', '.lockhouse', (p: Project) => join(p.victims, 'dir'), []],
    ['DIR/.lockhouse → nothing yet (dangling)', '.lockhouse', (p: Project) => join(p.victims, 'newdir'), []],
    ['DIR/.lockhouse/tmp → a folder outside', '.lockhouse/tmp', (p: Project) => join(p.victims, 'dir'), []],
    ['DIR/files → a folder outside (--layout simple)', 'files', (p: Project) => join(p.victims, 'dir'), ['--layout', 'simple']],
    ['DIR/files → a file outside (--layout simple)', 'files', (p: Project) => join(p.victims, 'victim.txt'), ['--layout', 'simple']],
  ] as const;

  it.each(cases)('%s', async (_label, link, to, flags) => {
    counter.add();
    const p = project();
    plant(join(p.out, link), to(p));
    const before = p.snap();
    const run = await p.collect('--no-cache', ...flags);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain('error[OUTPUT_UNSAFE_PATH]');
    expect(run.stderr).toContain(join(p.out, link));
    expect(server.requests.length).toBe(0);
    expectVictimsIntact(p, before);
    expect(existsSync(join(p.victims, 'newdir'))).toBe(false);
    // Nothing in DIR but the link and lockhouse's state folder: no file under a final name, no manifest.
    expect(changes(before, p.snap(), (rel) => rel.startsWith('out/') && !rel.startsWith('out/.lockhouse'))).toEqual([]);
  });

  it.each([
    ['DIR/simple → a folder outside', 'simple'],
    ['DIR/simple/pkg → a folder outside', 'simple/pkg'],
  ])('%s: the files are collected, the index is refused, nothing is written through', async (_label, link) => {
    counter.add();
    const p = project();
    plant(join(p.out, link), join(p.victims, 'dir'));
    const before = p.snap();
    const run = await p.collect('--no-cache', '--layout', 'simple');
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain('error[OUTPUT_UNSAFE_PATH]');
    expectVictimsIntact(p, before);
    expect(lstatSync(join(p.out, link)).isSymbolicLink()).toBe(true);
  });
});

describe('emitted files and the bundle replace a link at their path', () => {
  it.each([
    ['--emit-pylock', 'pylock.toml', 'inside DIR'],
    ['--emit-requirements', 'requirements.txt', 'inside DIR'],
    ['--emit-pylock', 'pylock.toml', 'beside DIR'],
    ['--emit-requirements', 'requirements.txt', 'beside DIR'],
  ])('%s %s (%s)', async (flag, name, where) => {
    counter.add();
    const p = project();
    const at = where === 'inside DIR' ? join(p.out, name) : join(p.root, 'emitted', name);
    plant(at, join(p.victims, 'victim.txt'));
    const before = p.snap();
    const run = await p.collect('--no-cache', flag, at);
    expect(run.code, run.stderr).toBe(0);
    expect(lstatSync(at).isFile()).toBe(true);
    expect(readFileSync(at, 'utf8')).toContain(pkg.sha256);
    expectVictimsIntact(p, before, 'emitted');
  });

  it('bundle -o at a symlink', async () => {
    counter.add();
    const p = project();
    const at = join(p.root, 'dist', 'app.pyz');
    plant(at, join(p.victims, 'victim.txt'));
    const before = p.snap();
    const run = await runCli(['bundle', '--lock', p.lock, '-o', at, '--no-cache', '--retries', '0', ...TARGET]);
    expect(run.code, run.stderr).toBe(0);
    expect(lstatSync(at).isFile()).toBe(true);
    expect(readFileSync(at).length).toBeGreaterThan(pkg.size);
    expectVictimsIntact(p, before, 'dist');
  });
});

describe('lockhouse\'s own folders under DIR/.lockhouse are never reached through a link', () => {
  // A package with only an sdist is built (the in-tree backend, no index
  // needed); without a cache its sdist is kept under DIR/.lockhouse/sdists,
  // the frontend writes under DIR/.lockhouse/build and logs to
  // DIR/.lockhouse/logs; git checkouts without a cache go to DIR/.lockhouse/git-v1.
  it.each([
    ['DIR/.lockhouse/sdists → a folder outside (--no-cache)', '.lockhouse/sdists', ['--no-cache']],
    ['DIR/.lockhouse/build → a folder outside', '.lockhouse/build', []],
    ['DIR/.lockhouse/logs → a folder outside', '.lockhouse/logs', []],
    ['DIR/.lockhouse/git-v1 → a folder outside (--no-cache)', '.lockhouse/git-v1', ['--no-cache']],
  ] as const)('%s: refused up front', async (_label, link, flags) => {
    counter.add();
    const p = project('uv.lock', [pkg, built]);
    plant(join(p.out, link), join(p.victims, 'dir'));
    const before = p.snap();
    const run = await p.collect(...flags);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(`error[OUTPUT_UNSAFE_PATH]: ${join(p.out, link)} is a symbolic link`);
    expect(server.requests.length).toBe(0);
    expectVictimsIntact(p, before);
  });

  it('DIR/.lockhouse/logs/<name>-<version>.log → a file outside: the log replaces the link', async () => {
    counter.add();
    const p = project('uv.lock', [pkg, built]);
    const log = join(p.out, '.lockhouse', 'logs', 'built-3.0.log');
    plant(log, join(p.victims, 'victim.txt'));
    const before = p.snap();
    const run = await p.collect();
    expect(run.code, run.stderr).toBe(0);
    expect(lstatSync(log).isFile()).toBe(true);
    expect(readFileSync(log, 'utf8')).toContain('==== lockhouse');
    expectVictimsIntact(p, before);
  });
});
