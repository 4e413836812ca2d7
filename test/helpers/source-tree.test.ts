/**
 * Local projects and git repositories to build from: what is written, that
 * pip builds them with no index, and that a checkout at the first commit is
 * told apart from the second.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { devNull } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtWheelFilename } from './artifacts.js';
import { uvGitUrl } from './fixture-lock.js';
import { pipEnv, pipMissing, PYTHON, run } from './pip.js';
import { hostWheelTag } from './sdist-backend.js';
import { git, gitEnv, gitMissing, lockedGit, makeGitRepo, type Project, writeProject } from './source-tree.js';
import { removeFolder, tempFolder, testdir } from './testdir.js';

const noPip = pipMissing();
const noGit = gitMissing();

function pipWheel(sources: readonly string[], out: string, env: NodeJS.ProcessEnv = pipEnv()): ReturnType<typeof run> {
  return run(PYTHON, ['-m', 'pip', 'wheel', '--no-deps', '--no-index', '--no-cache-dir', '-w', out, ...sources], { env });
}

/** Requires-Dist lines etc. of a wheel's METADATA. */
async function metadataOf(wheel: string): Promise<string> {
  const script = 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(z.read(next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))).decode(), end="")';
  return (await run(PYTHON, ['-c', script, wheel])).stdout;
}

const files = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();

describe('writeProject', () => {
  it('writes pyproject.toml with [project], the backend and the module', () => {
    const dir = testdir();
    const project = writeProject(join(dir, 'lib'), { name: 'Demo.Lib', version: '1.0-RC1', dependencies: ['idna>=2'], requiresPython: '>=3.8', files: { 'README.md': 'hi\n' } });
    expect(project).toEqual({ path: join(dir, 'lib'), name: 'Demo.Lib', version: '1.0rc1', module: 'demo_lib' });
    expect(files(project.path)).toEqual(['README.md', '_backend/backend.py', 'demo_lib/__init__.py', 'pyproject.toml']);
    expect(readFileSync(join(project.path, 'pyproject.toml'), 'utf8')).toBe(
      '[project]\nname = "Demo.Lib"\nversion = "1.0rc1"\ndependencies = ["idna>=2"]\nrequires-python = ">=3.8"\n\n' +
        '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["_backend"]\n',
    );
    expect(readFileSync(join(project.path, 'demo_lib/__init__.py'), 'utf8')).toContain('__version__ = "1.0rc1"\n');
    expect(readFileSync(join(project.path, '_backend/backend.py'), 'utf8')).toContain('\nKIND = "pure"\n');
    writeProject(project.path, { name: 'Demo.Lib', version: '2.0', backend: 'platform' });
    expect(readFileSync(join(project.path, '_backend/backend.py'), 'utf8')).toContain('\nKIND = "platform"\n');
  });

  describe.skipIf(noPip)('pip', () => {
    // One pip run builds the three that the tests below read (pip starts
    // once, not three times): a folder, a platform folder, and the sdist
    // that the backend's build_sdist makes of a third folder.
    let dir: string | undefined;
    let lib: Project;
    let native: Project;
    let sdists: SpawnSyncReturns<string>[];
    let build: Awaited<ReturnType<typeof run>>;
    const out = (): string => join(dir!, 'out');
    const sdistScript = 'import sys; sys.path.insert(0, "_backend"); import backend; print(backend.build_sdist(sys.argv[1]))';

    beforeAll(async () => {
      dir = tempFolder();
      lib = writeProject(join(dir, 'lib'), { name: 'Demo.Lib', version: '1.0', dependencies: ['idna>=2', 'rich; extra == "cli"'], requiresPython: '>=3.8' });
      native = writeProject(join(dir, 'native'), { name: 'native', version: '0.3', backend: 'platform' });
      const packed = writeProject(join(dir, 'packed'), { name: 'Demo.Packed', version: '1.0', dependencies: ['idna'] });
      sdists = [join(dir, 'a'), join(dir, 'b')].map((to) => spawnSync(PYTHON, ['-B', '-c', sdistScript, to], { cwd: packed.path, encoding: 'utf8', env: pipEnv() }));
      build = await pipWheel([lib.path, native.path, join(dir, 'a', 'demo_packed-1.0.tar.gz')], out());
    }, 120_000);
    afterAll(() => removeFolder(dir));

    it('builds the folder into a wheel, with its dependencies as Requires-Dist', async () => {
      expect(build.code, build.stderr).toBe(0);
      expect(readdirSync(out()).sort()).toEqual([builtWheelFilename(lib), builtWheelFilename({ ...native, backend: 'platform' }), 'demo_packed-1.0-py3-none-any.whl'].sort());
      expect(await metadataOf(join(out(), 'demo_lib-1.0-py3-none-any.whl'))).toBe(
        'Metadata-Version: 2.1\nName: Demo.Lib\nVersion: 1.0\nSummary: synthesized by lockhouse test helpers\n' +
          'Requires-Python: >=3.8\nRequires-Dist: idna>=2\nRequires-Dist: rich; extra == "cli"\nProvides-Extra: cli\n\n',
      );
    });

    it('builds a platform wheel from a folder', () => {
      expect(build.code, build.stderr).toBe(0);
      expect(readdirSync(out())).toContain(`native-0.3-${hostWheelTag()}.whl`);
    });

    it('reads [project] the same without tomllib (Python < 3.11)', () => {
      const dir = testdir();
      writeProject(dir, { name: 'Demo.Lib', version: '1.0', dependencies: ['idna>=2', 'x; python_version < "3.10"'], requiresPython: '>=3.8' });
      const script = (block: boolean) =>
        `import json, os, sys\n${block ? 'sys.modules["tomllib"] = None\n' : ''}sys.path.insert(0, "_backend")\nimport backend\nprint(json.dumps(backend._project()))`;
      const read = (block: boolean) => spawnSync(PYTHON, ['-c', script(block)], { cwd: dir, encoding: 'utf8', env: pipEnv() });
      const [fallback, tomllib] = [read(true), read(false)];
      expect(fallback.stderr).toBe('');
      expect(JSON.parse(fallback.stdout)).toEqual({ name: 'Demo.Lib', version: '1.0', dependencies: ['idna>=2', 'x; python_version < "3.10"'], 'requires-python': '>=3.8' });
      if (tomllib.status === 0) expect(JSON.parse(tomllib.stdout)).toEqual(JSON.parse(fallback.stdout));
    });

    it("build_sdist makes a deterministic sdist of the folder that pip builds", async () => {
      expect(sdists.map((m) => [m.status, m.stdout.trim()])).toEqual([[0, 'demo_packed-1.0.tar.gz'], [0, 'demo_packed-1.0.tar.gz']]);
      expect(readFileSync(join(dir!, 'a', 'demo_packed-1.0.tar.gz')).equals(readFileSync(join(dir!, 'b', 'demo_packed-1.0.tar.gz')))).toBe(true);
      expect(build.code, build.stderr).toBe(0);
      expect(await metadataOf(join(out(), 'demo_packed-1.0-py3-none-any.whl'))).toContain('Name: Demo.Packed\nVersion: 1.0\n');
    });
  });
});

describe.skipIf(noGit)('makeGitRepo', () => {
  it('makes a bare repository with two commits, the same ids for the same spec', () => {
    const [one, two] = [testdir(), testdir()];
    const repo = makeGitRepo(one, { name: 'Git.Dep', version: '1.0', subdirectory: 'python/pkg' });
    expect(repo).toMatchObject({ name: 'Git.Dep', path: join(one, 'git_dep.git'), versions: ['1.0', '1.1'], subdirectory: 'python/pkg', module: 'git_dep' });
    expect(repo.url).toBe(`file://${join(one, 'git_dep.git')}`);
    expect(repo.commits[0]).toMatch(/^[0-9a-f]{40}$/);
    expect(repo.commits[1]).not.toBe(repo.commits[0]);
    expect(readdirSync(one)).toEqual(['git_dep.git']); // the work tree is gone
    expect(git(repo.path, ['rev-parse', '--is-bare-repository'])).toBe('true');
    expect(git(repo.path, ['log', '--format=%H %s', 'main']).split('\n')).toEqual([`${repo.commits[1]} Git.Dep 1.1`, `${repo.commits[0]} Git.Dep 1.0`]);
    expect(git(repo.path, ['diff', '--name-only', ...repo.commits]).split('\n')).toEqual(['python/pkg/git_dep/__init__.py', 'python/pkg/pyproject.toml']);
    expect(makeGitRepo(two, { name: 'Git.Dep', version: '1.0', subdirectory: 'python/pkg' }).commits).toEqual(repo.commits);
    expect(makeGitRepo(two, { name: 'Git.Dep', version: '1.0' }).commits).not.toEqual(repo.commits);
  });

  it('gives the lock entry uv writes', () => {
    const repo = makeGitRepo(testdir(), { name: 'gitdep', version: '2.0', nextVersion: '3.0', subdirectory: 'libs/gitdep' });
    const entry = lockedGit(repo);
    expect(entry).toEqual({ name: 'gitdep', version: '2.0', url: repo.url, commit: repo.commits[0], subdirectory: 'libs/gitdep' });
    expect(uvGitUrl(entry)).toBe(`${repo.url}?subdirectory=libs%2Fgitdep&rev=${repo.commits[0]}#${repo.commits[0]}`);
    expect(lockedGit(repo, 1, ['idna'])).toMatchObject({ version: '3.0', commit: repo.commits[1], dependencies: ['idna'] });
  });

  it('fetches just the first commit over file://, and its checkout has the first version', () => {
    const dir = testdir();
    const repo = makeGitRepo(dir, { name: 'gitdep', version: '1.0', subdirectory: 'pkg' });
    const checkout = join(dir, 'checkout');
    mkdirSync(checkout);
    git(checkout, ['init', '-q']);
    git(checkout, ['fetch', '-q', '--depth', '1', repo.url, repo.commits[0]]);
    git(checkout, ['checkout', '-q', '--detach', 'FETCH_HEAD']);
    expect(git(checkout, ['rev-list', '--count', 'HEAD'])).toBe('1');
    expect(readFileSync(join(checkout, 'pkg/pyproject.toml'), 'utf8')).toContain('version = "1.0"');
    expect(readFileSync(join(checkout, 'pkg/gitdep/__init__.py'), 'utf8')).toContain('__version__ = "1.0"');
    expect(readFileSync(join(checkout, 'README.md'), 'utf8')).toContain('pkg/');
  });

  it.skipIf(noPip)('pip builds the subdirectory at the first commit from a git+file URL', async () => {
    const dir = testdir();
    const repo = makeGitRepo(dir, { name: 'gitdep', version: '1.0', subdirectory: 'pkg' });
    const env = { ...pipEnv(), GIT_CONFIG_GLOBAL: devNull, GIT_CONFIG_NOSYSTEM: '1' };
    const build = await pipWheel([`git+${repo.url}@${repo.commits[0]}#subdirectory=pkg`], join(dir, 'out'), env);
    expect(build.code, build.stderr).toBe(0);
    expect(readdirSync(join(dir, 'out'))).toEqual(['gitdep-1.0-py3-none-any.whl']);
    expect(gitEnv()['GIT_CONFIG_NOSYSTEM']).toBe('1');
  });
});
