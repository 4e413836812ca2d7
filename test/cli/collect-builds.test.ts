/**
 * collect builds wheels where the lock has none that fits, with a real
 * PEP 517 frontend (pip here; uv or build where installed) and sdists,
 * git repositories and projects whose in-tree backend needs nothing from
 * any index. Skipped, saying why, without python3 and pip (git tests: git).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Manifest } from '../../src/output/manifest.js';
import { makeSdist, makeWheel, type Artifact } from '../helpers/artifacts.js';
import { runCli } from '../helpers/cli.js';
import { fixtureUvLock, type FixtureLockOptions } from '../helpers/fixture-lock.js';
import { startIndexServer, type IndexServer } from '../helpers/index-server.js';
import { pipMissing } from '../helpers/pip.js';
import { failLine, hostWheelTag } from '../helpers/sdist-backend.js';
import { gitMissing, lockedGit, makeGitRepo, writeProject } from '../helpers/source-tree.js';
import { testdir } from '../helpers/testdir.js';

const why = pipMissing();
const THREE = [
  '--python-platform', 'x86_64-manylinux_2_28',
  '--python-platform', 'aarch64-apple-darwin',
  '--python-platform', 'x86_64-pc-windows-msvc',
  '--python-version', '3.11',
];

let server: IndexServer;
beforeAll(async () => {
  server = await startIndexServer();
});
afterAll(async () => {
  await server.close();
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  out: string;
  manifest: Manifest;
}

function setup(artifacts: Artifact[], extra: Partial<FixtureLockOptions> = {}, files: Record<string, string> = {}) {
  for (const artifact of artifacts) server.add(artifact);
  const dir = testdir({ 'uv.lock': fixtureUvLock(artifacts, { base: server.url, requiresPython: '>=3.9', ...extra }), ...files });
  const out = join(dir, 'wheelhouse');
  const collect = async (...flags: string[]): Promise<Run> => {
    const run = await runCli(['collect', '--lock', join(dir, 'uv.lock'), '-o', out, '--cache-dir', join(dir, 'cache'), ...flags]);
    const manifest = Manifest.parse(JSON.parse(readFileSync(join(out, 'lockhouse.json'), 'utf8')));
    return { ...run, out, manifest };
  };
  return { dir, out, collect };
}

const wheels = (out: string): string[] => readdirSync(out).filter((name) => name.endsWith('.whl')).sort();

describe.skipIf(why !== null)(`builds (${why ?? 'pip in python3'})`, () => {
  it('a pure-Python build serves three targets, and a re-run builds nothing', async () => {
    const { collect } = setup([makeSdist({ name: 'puresrc', version: '1.0' }), makeWheel({ name: 'other', version: '2.0' })]);
    const first = await collect(...THREE);
    expect(first.stderr).toMatch(/builds with .* use pip/);
    expect(first.code).toBe(0);
    const built = first.manifest.artifacts.find((a) => a.kind === 'built-wheel')!;
    expect(built).toMatchObject({ filename: 'puresrc-1.0-py3-none-any.whl', origin: 'build', builtFrom: { kind: 'sdist', ref: 'puresrc-1.0.tar.gz' } });
    expect(built.targets).toHaveLength(3);
    expect(existsSync(join(first.out, '.lockhouse', 'logs', 'puresrc-1.0.log'))).toBe(true);

    const again = await collect(...THREE);
    expect(again.code).toBe(0);
    expect(again.stderr).not.toMatch(/building puresrc/);
    expect(again.manifest.artifacts.find((a) => a.kind === 'built-wheel')!.origin).toBe('existing');
  });

  it('a warm build cache fills a new directory without building', async () => {
    const { dir, collect } = setup([makeSdist({ name: 'cached-src', version: '1.0' })]);
    expect((await collect(...THREE)).code).toBe(0);
    const other = await runCli(['collect', '--lock', join(dir, 'uv.lock'), '-o', join(dir, 'second'), '--cache-dir', join(dir, 'cache'), ...THREE]);
    expect(other.code).toBe(0);
    expect(other.stderr).not.toMatch(/building cached-src/);
    expect(wheels(join(dir, 'second'))).toEqual(['cached_src-1.0-py3-none-any.whl']);
  });

  it('a platform wheel serves this machine only; another target is told what to do, or gets the sdist with --sdist', async () => {
    const host = hostWheelTag().split('-')[2]!; // e.g. manylinux_2_36_x86_64
    const sdist = makeSdist({ name: 'native-src', version: '1.0', backend: 'platform' });
    const { collect } = setup([sdist]);
    const targets = ['--platform', host, '--python-platform', 'x86_64-pc-windows-msvc', '--python-version', '3.11'];
    const run = await collect(...targets);
    expect(run.code).toBe(1);
    const built = run.manifest.artifacts.find((a) => a.kind === 'built-wheel')!;
    expect(built.filename).toBe(`native_src-1.0-${hostWheelTag()}.whl`);
    expect(built.targets).toEqual([`${host}-cp311`]);
    const failure = run.manifest.failures.find((f) => f.code === 'BUILD_WRONG_PLATFORM')!;
    expect(failure.target).toBe('x86_64-pc-windows-msvc-cp311');
    expect(failure.reason).toMatch(/run lockhouse on such a machine, or pass --sdist/);

    const shipped = await collect(...targets, '--sdist');
    expect(shipped.code).toBe(0);
    expect(readdirSync(shipped.out)).toContain(sdist.filename);
    expect(shipped.stderr).toMatch(/its sdist is shipped instead \(--sdist\)/);
  });

  it('a platform wheel that serves no target is reported and not left in DIR (nor anything the manifest does not list)', async () => {
    const { collect } = setup([makeSdist({ name: 'elsewhere-src', version: '1.0', backend: 'platform' })]);
    const run = await collect('--python-platform', 'x86_64-pc-windows-msvc', '--python-version', '3.11');
    expect(run.code).toBe(1);
    expect(run.manifest.failures.map((f) => f.code)).toEqual(['BUILD_WRONG_PLATFORM']);
    expect(wheels(run.out)).toEqual([]);
    expect(run.manifest.artifacts).toEqual([]);
  });

  it('a failing build: exit 1, the last 20 lines of its log and its path, the other files collected', async () => {
    const { collect } = setup([makeSdist({ name: 'broken', version: '1.0', backend: 'fail' }), makeWheel({ name: 'fine', version: '1.0' })]);
    const run = await collect(...THREE);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('[BUILD_FAILED]');
    // The log's last 20 lines (the backend's own error among them), and where the whole log is.
    expect(run.stderr.split('\n').filter((line) => line.startsWith('    | '))).toHaveLength(20);
    expect(run.stderr).toContain('build_wheel fails on purpose');
    expect(run.stderr).not.toContain(failLine(1));
    const log = /log: (.*\.lockhouse\/logs\/broken-1\.0\.log)/.exec(run.stderr)![1]!;
    expect(readFileSync(log, 'utf8')).toContain(failLine(1));
    expect(wheels(run.out)).toEqual(['fine-1.0-py3-none-any.whl']);
  });

  it.each(['wrong-name', 'wrong-version'] as const)('a built wheel with the %s is refused', async (backend) => {
    const { collect } = setup([makeSdist({ name: 'liar', version: '1.0', backend })]);
    const run = await collect(...THREE);
    expect(run.code).toBe(1);
    expect(run.manifest.failures.map((f) => f.code)).toEqual(['BUILD_WRONG_WHEEL']);
    expect(wheels(run.out)).toEqual([]);
  });

  it('--no-binary builds even where a wheel fits', async () => {
    const both = [makeSdist({ name: 'choice', version: '1.0' }), makeWheel({ name: 'choice', version: '1.0', tags: 'py3-none-any' })];
    const { collect } = setup(both);
    const run = await collect(...THREE, '--no-binary', 'choice');
    expect(run.code).toBe(0);
    expect(run.manifest.artifacts.map((a) => [a.filename, a.kind])).toEqual([['choice-1.0-py3-none-any.whl', 'built-wheel']]);
  });

  it('--no-build: a package that needs a build is a failure; with --sdist its sdist is kept, unbuilt', async () => {
    const { collect } = setup([makeSdist({ name: 'nobuild', version: '1.0' })]);
    const refused = await collect(...THREE, '--no-build');
    expect(refused.code).toBe(1);
    expect(refused.manifest.failures.every((f) => f.code === 'PLAN_BUILD_FORBIDDEN')).toBe(true);
    const kept = await collect(...THREE, '--no-build', '--sdist');
    expect(kept.code).toBe(0);
    expect(kept.manifest.artifacts.map((a) => [a.filename, a.kind])).toEqual([['nobuild-1.0.tar.gz', 'sdist']]);
    expect(kept.stderr).toContain('unbuilt');
  });

  it('--build-python that does not run is a clear failure for the packages that need a build', async () => {
    const { dir, collect } = setup([makeSdist({ name: 'needs-python', version: '1.0' }), makeWheel({ name: 'fine-too', version: '1.0' })]);
    const run = await collect(...THREE, '--build-python', join(dir, 'no-such-python'));
    expect(run.code).toBe(1);
    expect(run.manifest.failures.map((f) => f.code)).toEqual(['BUILD_NO_PYTHON', 'BUILD_NO_PYTHON', 'BUILD_NO_PYTHON']);
    expect(run.stderr).toContain(`--build-python ${join(dir, 'no-such-python')} does not run`);
    expect(wheels(run.out)).toEqual(['fine_too-1.0-py3-none-any.whl']);
  });

  it('two builds run in parallel (--build-jobs 2), each with its own log', async () => {
    const { collect } = setup([makeSdist({ name: 'first-src', version: '1.0' }), makeSdist({ name: 'second-src', version: '1.0' })]);
    const run = await collect(...THREE, '--build-jobs', '2');
    expect(run.code).toBe(0);
    expect(wheels(run.out)).toEqual(['first_src-1.0-py3-none-any.whl', 'second_src-1.0-py3-none-any.whl']);
    const logs = readdirSync(join(run.out, '.lockhouse', 'logs')).sort();
    expect(logs).toEqual(['first-src-1.0.log', 'second-src-1.0.log']);
    for (const log of logs) expect(readFileSync(join(run.out, '.lockhouse', 'logs', log), 'utf8')).toContain('pip wheel');
  });

  it('a workspace member (editable) and a local directory project are built; --only-deps leaves them out', async () => {
    const dir = testdir();
    writeProject(join(dir, 'project', 'packages', 'member'), { name: 'member', version: '0.3.0' });
    writeProject(join(dir, 'project', 'vendor', 'local-lib'), { name: 'local-lib', version: '2.0' });
    const lock = fixtureUvLock([], {
      base: server.url,
      editables: [{ name: 'member', version: '0.3.0', path: 'packages/member' }],
      directories: [{ name: 'local-lib', version: '2.0', path: 'vendor/local-lib' }],
    });
    const lockPath = join(dir, 'project', 'uv.lock');
    writeFileSync(lockPath, lock);
    const out = join(dir, 'out');
    const run = await runCli(['collect', '--lock', lockPath, '-o', out, '--no-cache', ...THREE]);
    expect(run.code).toBe(0);
    expect(wheels(out)).toEqual(['local_lib-2.0-py3-none-any.whl', 'member-0.3.0-py3-none-any.whl']);
    // Nothing but local projects: --only-deps leaves nothing, which is SELECT_EMPTY unless --allow-empty says it is wanted.
    const only = await runCli(['collect', '--lock', lockPath, '-o', join(dir, 'deps'), '--no-cache', ...THREE, '--only-deps']);
    expect(only.code).toBe(2);
    expect(only.stderr).toContain('error[SELECT_EMPTY]');
    const allowed = await runCli(['collect', '--lock', lockPath, '-o', join(dir, 'deps'), '--no-cache', ...THREE, '--only-deps', '--allow-empty']);
    expect(allowed.code).toBe(0);
    expect(existsSync(join(dir, 'deps')) ? wheels(join(dir, 'deps')) : []).toEqual([]);
  });
});

describe.skipIf(why !== null || gitMissing() !== null)(`git sources (${why ?? gitMissing() ?? 'git and pip'})`, () => {
  it('clones the locked commit (not the tip) over file://, honours subdirectory, and caches the checkout', async () => {
    const dir = testdir();
    const repo = makeGitRepo(join(dir, 'repos'), { name: 'from-git', version: '1.0', subdirectory: 'python/pkg' });
    const { collect } = setup([], { git: [lockedGit(repo, 0)] });
    const run = await collect(...THREE);
    expect(run.code, run.stderr).toBe(0);
    const built = run.manifest.artifacts.find((a) => a.kind === 'built-wheel')!;
    // The first commit's version, not the tip's.
    expect(built.filename).toBe('from_git-1.0-py3-none-any.whl');
    expect(built.builtFrom).toMatchObject({ kind: 'vcs', ref: `${repo.url}#${repo.commits[0]}` });
    const again = await collect(...THREE);
    expect(again.stderr).not.toMatch(/building from-git/);
  });
});

