/**
 * Symbolic links planted inside the cache (a shared cache, one copied from
 * an image or restored by CI may carry them) and deeper in DIR/.lockhouse
 * are never followed (issue 17, finding 12): at every level of the cache's
 * own folders — `tmp`, `content-v2`, `content-v2/sha256`, the earlier
 * layout's `content-v1`, `content-v1/sha256`, `…/ab`, `…/ab/cd` (read only),
 * `builds-v1`, `builds-v1/xx`, `git-v1`, `git-v1/<url>` — a link pointing
 * outside leaves what it points at exactly as it was (bytes, mtimes,
 * entries): no verified file is written there, no "damaged entry" there is
 * removed, no checkout there is built as the locked commit. The link itself
 * stays (it is not lockhouse's to remove), the run says why the cache was
 * not used (CACHE_UNSAFE_PATH), and the files are still collected.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkoutPath } from '../../src/io/build/git.js';
import { makeSdist, makeWheel, type Artifact } from '../helpers/artifacts.js';
import { runCli } from '../helpers/cli.js';
import { fixtureUvLock } from '../helpers/fixture-lock.js';
import { startIndexServer, type IndexServer } from '../helpers/index-server.js';
import { pipMissing } from '../helpers/pip.js';
import { gitMissing, lockedGit, makeGitRepo, writeProject } from '../helpers/source-tree.js';
import { testdir } from '../helpers/testdir.js';
import { changes, hostileCounter, snapshot } from './helpers.js';

const TARGET = ['--python-platform', 'x86_64-manylinux_2_28', '--python-version', '3.12'];
const counter = hostileCounter('cache-links');

const pkg = makeWheel({ name: 'pkg', version: '1.0' });
const lib = makeWheel({ name: 'lib', version: '2.0' });
const artifacts: Artifact[] = [pkg, lib];
const src = makeSdist({ name: 'linksrc', version: '1.0' });

let server: IndexServer;
beforeAll(async () => {
  server = await startIndexServer({ artifacts: [...artifacts, src] });
});
afterAll(async () => {
  await server?.close();
});

/** A project: its lock, DIR, the cache, and `outside/`, where the planted links point. */
function project(locked: readonly Artifact[] = artifacts, lockOptions: Partial<Parameters<typeof fixtureUvLock>[1]> = {}) {
  const root = testdir({ 'uv.lock': fixtureUvLock(locked, { base: server.url, ...lockOptions }) });
  const out = join(root, 'out');
  const cache = join(root, 'cache');
  const outside = join(root, 'outside');
  mkdirSync(outside);
  writeFileSync(join(outside, 'victim.txt'), 'must not change\n');
  return {
    root,
    out,
    cache,
    outside,
    collect: (...flags: string[]) => runCli(['collect', '--lock', join(root, 'uv.lock'), '-o', out, '--retries', '0', ...TARGET, ...(flags.includes('--no-cache') ? [] : ['--cache-dir', cache]), ...flags]),
    /** A link at `at` (its folder made) to a new folder outside/<name>, holding `files`. */
    plant(at: string, name: string, files: Record<string, string> = {}): string {
      const target = join(outside, name);
      mkdirSync(target, { recursive: true });
      for (const [file, text] of Object.entries(files)) {
        mkdirSync(dirname(join(target, file)), { recursive: true });
        writeFileSync(join(target, file), text);
      }
      mkdirSync(dirname(at), { recursive: true });
      symlinkSync(target, at);
      counter.add();
      return target;
    },
  };
}

const v1Path = (cache: string, sha256: string, depth: number): string =>
  join(cache, 'content-v1', ...['sha256', sha256.slice(0, 2), sha256.slice(2, 4)].slice(0, depth));

describe('a link at a level of the content cache', () => {
  const levels = [
    ['tmp', (cache: string) => join(cache, 'tmp'), ''],
    ['content-v2', (cache: string) => join(cache, 'content-v2'), `sha256/${pkg.sha256}`],
    ['content-v2/sha256', (cache: string) => join(cache, 'content-v2', 'sha256'), pkg.sha256],
  ] as const;

  it.each(levels)('%s: nothing outside is written or removed, the link stays, the files are collected', async (_level, at, entry) => {
    const p = project();
    // Behind the link, a "damaged entry" where pkg's would be: read, hashed and removed, were the link followed.
    const target = p.plant(at(p.cache), 'elsewhere', entry ? { [entry]: 'not the wheel' } : { 'keep.txt': 'keep' });
    const before = snapshot(p.outside);
    const run = await p.collect();
    expect(changes(before, snapshot(p.outside))).toEqual([]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('is a symbolic link; lockhouse never follows links in its own folders');
    expect(readdirSync(target).length).toBeGreaterThan(0);
    // A second run does the same: the link is still there, still not followed.
    const again = await p.collect();
    expect(again.code).toBe(0);
    expect(changes(before, snapshot(p.outside))).toEqual([]);
  });
});

describe("a link at a level of the earlier layout (content-v1, read only)", () => {
  const levels = [
    ['content-v1', (cache: string) => join(cache, 'content-v1'), `sha256/${pkg.sha256.slice(0, 2)}/${pkg.sha256.slice(2, 4)}/${pkg.sha256.slice(4)}`],
    ['content-v1/sha256', (cache: string) => v1Path(cache, pkg.sha256, 1), `${pkg.sha256.slice(0, 2)}/${pkg.sha256.slice(2, 4)}/${pkg.sha256.slice(4)}`],
    ['content-v1/sha256/ab', (cache: string) => v1Path(cache, pkg.sha256, 2), `${pkg.sha256.slice(2, 4)}/${pkg.sha256.slice(4)}`],
    ['content-v1/sha256/ab/cd', (cache: string) => v1Path(cache, pkg.sha256, 3), pkg.sha256.slice(4)],
  ] as const;

  it.each(levels)('%s: the entry behind it is neither read nor removed, nothing outside changes, the file is downloaded', async (_level, at, entry) => {
    const p = project();
    // The folders above the link are real (an earlier version's cache); behind it, a "damaged entry" where pkg's would be.
    const target = p.plant(at(p.cache), 'elsewhere', { [entry]: 'not the wheel' });
    const before = snapshot(p.outside);
    const run = await p.collect();
    expect(changes(before, snapshot(p.outside))).toEqual([]);
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(join(target, entry), 'utf8')).toBe('not the wheel');
    expect(existsSync(join(p.cache, 'content-v2', 'sha256', pkg.sha256))).toBe(true);
  });
});

const why = pipMissing();
describe.skipIf(why !== null)(`a link in the build cache${why ? ` (skipped: ${why})` : ''}`, () => {
  it.each(['builds-v1', 'builds-v1/xx', 'builds-v1/xx/<key>'])('%s: the sdist is built, nothing is written through it', async (level) => {
    const p = project([src]);
    expect((await p.collect()).code).toBe(0);
    const builds = join(p.cache, 'builds-v1');
    const [prefix] = readdirSync(builds).filter((name) => /^[0-9a-f]{2}$/.test(name));
    const [key] = readdirSync(join(builds, prefix!));
    const at = level === 'builds-v1' ? builds : level === 'builds-v1/xx' ? join(builds, prefix!) : join(builds, prefix!, key!);
    rmSync(at, { recursive: true });
    const target = p.plant(at, 'elsewhere', { 'keep.txt': 'keep' });
    const before = snapshot(p.outside);
    rmSync(p.out, { recursive: true });
    const run = await p.collect();
    expect(changes(before, snapshot(p.outside))).toEqual([]);
    expect(run.code, run.stderr).toBe(0);
    expect(readdirSync(p.out).filter((name) => name.startsWith('linksrc-'))).toHaveLength(1);
    expect(run.stderr).toContain('is a symbolic link; lockhouse never follows links in its own folders');
    expect(readdirSync(target)).toEqual(['keep.txt']);
  });
});

const whyGit = gitMissing() ?? pipMissing();
describe.skipIf(whyGit !== null)(`a link where git checkouts are kept${whyGit ? ` (skipped: ${whyGit})` : ''}`, () => {
  /** A git source, and outside/ holding a "checkout" of its commit whose code is not the commit's. */
  function gitProject() {
    const base = testdir();
    const repo = makeGitRepo(join(base, 'repos'), { name: 'gitpkg', version: '1.0' });
    const locked = lockedGit(repo, 0);
    const p = project([], { git: [locked] });
    return { p, repo, commit: locked.commit };
  }

  for (const [where, rootOf, flags] of [
    ['the cache', (p: ReturnType<typeof project>) => p.cache, [] as string[]],
    ['DIR/.lockhouse (--no-cache)', (p: ReturnType<typeof project>) => join(p.out, '.lockhouse'), ['--no-cache']],
  ] as const) {
    it(`in ${where}, at git-v1/<url>: the planted checkout is not built; CACHE_UNSAFE_PATH, exit 1`, async () => {
      const { p, repo, commit } = gitProject();
      const final = checkoutPath(rootOf(p), repo.url, commit);
      const target = p.plant(dirname(final), 'checkouts');
      writeProject(join(target, commit), { name: 'gitpkg', version: '1.0' });
      writeFileSync(join(target, commit, 'planted.txt'), 'not the locked commit\n');
      const before = snapshot(p.outside);
      const run = await p.collect(...flags);
      expect(readdirSync(p.out).filter((name) => name.startsWith('gitpkg-'))).toEqual([]);
      expect(changes(before, snapshot(p.outside))).toEqual([]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('CACHE_UNSAFE_PATH');
    });
  }
});
