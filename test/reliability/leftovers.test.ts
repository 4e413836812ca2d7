/**
 * What killed runs leave behind is removed by a later run, by the one rule
 * of src/io/store/sweep.ts (issue 17, finding 15): a dead writer's leftover
 * once nothing in it was touched for a minute (GRACE_MS), never before —
 * a cache or DIR may be shared by containers whose pids look dead from
 * here, so a fresh one may be a live writer's.
 *
 * - Real kills (SIGKILL, at a moment chosen by an event: the work folder
 *   appeared) of a collect during a build and of a bundle during its
 *   collect: their work folders are gone after the next run once aged
 *   (with utimes) past the grace. At 3efc384 both stayed for ever (`out-*`,
 *   `.NAME.pyz.wheelhouse-*`: names no sweep knew).
 * - Every other kind of leftover, made as a killed run leaves it (a
 *   temporary name with a dead process's pid; the windows in which a kill
 *   leaves them are too short to hit on purpose): kept by the next run
 *   while fresh, gone after it once aged. Among them the build cache's and
 *   the git checkouts' staging folders, which were swept only when another
 *   entry landed beside them — for a package gone from the lock, never.
 * - A git checkout being made by a writer that looks dead, still fresh, is
 *   not removed when another checkout of the same URL is made (at 3efc384
 *   git.ts swept it at once, without the grace).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { checkoutPath } from '../../src/io/build/git.js';
import { GRACE_MS } from '../../src/io/store/sweep.js';
import { makeSdist, makeWheel, type Artifact } from '../helpers/artifacts.js';
import { fixtureUvLock } from '../helpers/fixture-lock.js';
import { startIndexServer, type IndexServer } from '../helpers/index-server.js';
import { pipMissing } from '../helpers/pip.js';
import { startLockhouse, type Finished } from '../helpers/process.js';
import { gitMissing, lockedGit, makeGitRepo } from '../helpers/source-tree.js';
import { testdir } from '../helpers/testdir.js';

const TARGET = ['--python-platform', 'x86_64-manylinux_2_28', '--python-version', '3.12'];
const wheels: Artifact[] = [makeWheel({ name: 'left', version: '1.0', sizeBytes: 400_000 }), makeWheel({ name: 'over', version: '1.0' })];
const src = makeSdist({ name: 'leftsrc', version: '1.0' });

let server: IndexServer;
beforeAll(async () => {
  server = await startIndexServer({ artifacts: [...wheels, src] });
});
afterAll(async () => {
  await server?.close();
});

function lockhouse(...args: string[]): Promise<Finished> {
  return lockhouseWith(process.env, ...args);
}

function lockhouseWith(env: NodeJS.ProcessEnv, ...args: string[]): Promise<Finished> {
  const running = startLockhouse(args, env);
  onTestFinished(() => {
    if (running.child.exitCode === null && running.child.signalCode === null) running.child.kill('SIGKILL');
  });
  return running.done;
}

/** Set the mtime of `path` and of everything in it (links not followed) past the grace. */
function age(path: string): void {
  const when = new Date(Date.now() - GRACE_MS - 60_000);
  if (statSync(path).isDirectory()) for (const name of readdirSync(path)) age(join(path, name));
  utimesSync(path, when, when);
}

/** Start `args`, wait until `ready()` says the work is under way, kill it; what it left, from `where()`. */
async function killWhen(args: string[], ready: () => boolean): Promise<void> {
  const running = startLockhouse(args);
  onTestFinished(() => void running.child.kill('SIGKILL'));
  await new Promise<void>((resolve, reject) => {
    const poll = setInterval(() => {
      if (ready()) {
        clearInterval(poll);
        resolve();
      } else if (running.child.exitCode !== null) {
        clearInterval(poll);
        reject(new Error('the run ended before its work folder appeared'));
      }
    }, 10);
  });
  running.child.kill('SIGKILL');
  expect((await running.done).signal).toBe('SIGKILL');
}

const list = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).sort() : []);

const noPip = pipMissing();
describe('the work folders of killed runs', () => {
  it.skipIf(noPip !== null)(`a collect killed during a build: its work folder in DIR/.lockhouse/build is gone after the next run${noPip ? ` (skipped: ${noPip})` : ''}`, async () => {
    const dir = testdir({ 'uv.lock': fixtureUvLock([src], { base: server.url }) });
    const out = join(dir, 'out');
    const build = join(out, '.lockhouse', 'build');
    const args = ['collect', '--lock', join(dir, 'uv.lock'), '-o', out, '--no-cache', ...TARGET];
    await killWhen(args, () => list(build).length > 0);
    const left = list(build);
    expect(left).toHaveLength(1);
    for (const name of left) age(join(build, name));
    const next = await lockhouse(...args);
    expect(next.code, next.stderr).toBe(0);
    expect(list(build)).toEqual([]);
  });

  it('a bundle killed while it collects: its staging folder beside the bundle is gone after the next bundle', async () => {
    const dir = testdir({ 'uv.lock': fixtureUvLock(wheels, { base: server.url }) });
    const args = ['bundle', '--lock', join(dir, 'uv.lock'), '-o', join(dir, 'app.pyz'), '--cache-dir', join(dir, 'cache'), ...TARGET];
    // Slow bodies: the collect cannot end before the kill.
    server.fault(/^\/files\/left-/, { throttle: 50_000, times: Infinity });
    onTestFinished(() => server.clearFaults());
    await killWhen(args, () => list(dir).some((name) => name.startsWith('.app.pyz.')));
    server.clearFaults();
    const left = list(dir).filter((name) => name.startsWith('.app.pyz.'));
    expect(left).toHaveLength(1);
    for (const name of left) age(join(dir, name));
    const next = await lockhouse(...args);
    expect(next.code, next.stderr).toBe(0);
    expect(list(dir)).toEqual(['app.pyz', 'cache', 'uv.lock']);
  });
});

/** A pid no process has now: one that ran and exited. */
function deadPid(): number {
  const ran = spawnSync(process.execPath, ['-e', '']);
  return ran.pid!;
}

interface Leftover {
  /** The folder it is left in. */
  readonly folder: string;
  /** Its name, as temp-name.ts makes it. */
  readonly name: string;
  /** A folder (work, staging, checkout) or a file. */
  readonly kind: 'folder' | 'file';
}

/** Plant a leftover as a killed run leaves it: a temporary name with a dead pid, a file inside a folder one. */
function plant(leftover: Leftover): string {
  const path = join(leftover.folder, leftover.name);
  mkdirSync(leftover.folder, { recursive: true });
  if (leftover.kind === 'folder') {
    mkdirSync(join(path, 'inner'), { recursive: true });
    writeFileSync(join(path, 'inner', 'partial'), 'half of something');
  } else writeFileSync(path, 'half of something');
  return path;
}

describe('leftovers of every kind, as a killed run leaves them: kept while fresh, gone once a minute old', () => {
  const pid = deadPid();
  const temp = (label?: string): string => `${label === undefined ? '' : `.${label}.`}${pid}-LeftByAKilledRun.tmp`;

  interface Case {
    readonly kind: string;
    readonly leftover: (dir: string) => Leftover;
    /** The run after the kill. */
    readonly next: (dir: string) => string[];
  }
  const collect = (dir: string, ...flags: string[]): string[] => [
    'collect', '--lock', join(dir, 'uv.lock'), '-o', join(dir, 'out'), ...TARGET, ...(flags.includes('--no-cache') ? [] : ['--cache-dir', join(dir, 'cache')]), ...flags,
  ];
  const cases: Case[] = [
    { kind: 'a download in DIR/.lockhouse/tmp', leftover: (dir) => ({ folder: join(dir, 'out', '.lockhouse', 'tmp'), name: temp(), kind: 'file' }), next: (dir) => collect(dir) },
    { kind: 'a build work folder in DIR/.lockhouse/build', leftover: (dir) => ({ folder: join(dir, 'out', '.lockhouse', 'build'), name: temp(), kind: 'folder' }), next: (dir) => collect(dir) },
    { kind: 'a git checkout in DIR/.lockhouse/git-v1/<url> (--no-cache)', leftover: (dir) => ({ folder: join(dir, 'out', '.lockhouse', 'git-v1', '0123456789abcdef'), name: temp(), kind: 'folder' }), next: (dir) => collect(dir, '--no-cache') },
    { kind: "an insert in the cache's tmp", leftover: (dir) => ({ folder: join(dir, 'cache', 'tmp'), name: temp(), kind: 'file' }), next: (dir) => collect(dir) },
    { kind: 'a build-cache entry being landed in builds-v1/<xx>', leftover: (dir) => ({ folder: join(dir, 'cache', 'builds-v1', 'ab'), name: temp(), kind: 'folder' }), next: (dir) => collect(dir) },
    { kind: 'a git checkout in the cache, git-v1/<url>', leftover: (dir) => ({ folder: join(dir, 'cache', 'git-v1', 'fedcba9876543210'), name: temp(), kind: 'folder' }), next: (dir) => collect(dir) },
    { kind: 'an emitted pylock being written beside its name', leftover: (dir) => ({ folder: join(dir, 'emitted'), name: temp('pylock.toml'), kind: 'file' }), next: (dir) => collect(dir, '--emit-pylock', join(dir, 'emitted', 'pylock.toml')) },
    { kind: "a bundle's staging wheelhouse beside it", leftover: (dir) => ({ folder: dir, name: temp('app.pyz'), kind: 'folder' }), next: (dir) => ['bundle', '--lock', join(dir, 'uv.lock'), '-o', join(dir, 'app.pyz'), '--cache-dir', join(dir, 'cache'), ...TARGET] },
    { kind: "a bundle's zip being written beside it", leftover: (dir) => ({ folder: dir, name: `.app.pyz.${pid}-HalfAZip.tmp`, kind: 'file' }), next: (dir) => ['bundle', '--lock', join(dir, 'uv.lock'), '-o', join(dir, 'app.pyz'), '--cache-dir', join(dir, 'cache'), ...TARGET] },
  ];

  it.each(cases)('$kind', async ({ leftover, next }) => {
    const dir = testdir({ 'uv.lock': fixtureUvLock(wheels, { base: server.url }) });
    const spot = leftover(dir);
    const path = plant(spot);
    // Fresh: it may be a live writer's in another pid namespace.
    const first = await lockhouse(...next(dir));
    expect(first.code, first.stderr).toBe(0);
    expect(existsSync(path), `${path} was removed within the grace`).toBe(true);
    age(path);
    const second = await lockhouse(...next(dir));
    expect(second.code, second.stderr).toBe(0);
    expect(existsSync(path), `${path} is still there once a minute old`).toBe(false);
  });
});

describe('verify --bundle --lock', () => {
  it("a killed run's work folder in $TMPDIR: kept while fresh, gone once a minute old", async () => {
    const dir = testdir({ 'uv.lock': fixtureUvLock(wheels, { base: server.url }) });
    const bundle = join(dir, 'app.pyz');
    expect((await lockhouse('bundle', '--lock', join(dir, 'uv.lock'), '-o', bundle, '--no-cache', ...TARGET)).code).toBe(0);
    const tmp = join(dir, 'tmp');
    const path = plant({ folder: tmp, name: `.lockhouse-verify-bundle.${deadPid()}-LeftByAKilledRun.tmp`, kind: 'folder' });
    const env = { ...process.env, TMPDIR: tmp };
    const verify = ['verify', '--bundle', bundle, '--lock', join(dir, 'uv.lock'), ...TARGET];
    expect((await lockhouseWith(env, ...verify)).code).toBe(0);
    expect(existsSync(path)).toBe(true);
    age(path);
    expect((await lockhouseWith(env, ...verify)).code).toBe(0);
    expect(list(tmp)).toEqual([]);
  });
});

const noGit = gitMissing() ?? pipMissing();
describe.skipIf(noGit !== null)(`git checkouts${noGit ? ` (skipped: ${noGit})` : ''}`, () => {
  it("another writer's checkout of the same URL, fresh, is kept while this run makes its own; swept once a minute old", async () => {
    const base = testdir();
    const repo = makeGitRepo(join(base, 'repos'), { name: 'leftgit', version: '1.0' });
    const locked = lockedGit(repo, 0);
    const dir = testdir({ 'uv.lock': fixtureUvLock([], { base: server.url, git: [locked] }) });
    const cache = join(dir, 'cache');
    const folder = dirname(checkoutPath(cache, repo.url, locked.commit));
    const other = plant({ folder, name: `${deadPid()}-AnotherContainer.tmp`, kind: 'folder' });
    const args = ['collect', '--lock', join(dir, 'uv.lock'), '-o', join(dir, 'out'), '--cache-dir', cache, ...TARGET];
    const run = await lockhouse(...args);
    expect(run.code, run.stderr).toBe(0);
    expect(existsSync(other), 'a fresh checkout of a writer that looks dead was removed').toBe(true);
    age(other);
    expect((await lockhouse(...args)).code).toBe(0);
    expect(existsSync(other)).toBe(false);
  });
});
