/**
 * Source trees to build, for `directory`, `editable` and `git` sources: a
 * local project folder (`writeProject`) and a bare git repository with two
 * commits of one (`makeGitRepo`). Both carry the in-tree backend of
 * sdist-backend.ts, so a build needs nothing from an index.
 *
 *   const project = writeProject(join(dir, 'packages/lib'), { name: 'lib', version: '1.0' });
 *   const repo = makeGitRepo(dir, { name: 'gitdep', version: '1.0', subdirectory: 'python' });
 *   repo.url          // file:///…/gitdep.git
 *   repo.commits[0]   // the commit at version 1.0 (the second is at 1.1)
 *
 * Git runs with the system `git` and no configuration but the repository's
 * own (`gitEnv()`: GIT_CONFIG_GLOBAL=/dev/null, GIT_CONFIG_NOSYSTEM=1, every
 * other GIT_* variable cleared) and fixed author and committer dates, so the
 * same spec gives the same commit ids on every machine.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { devNull } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { distName, moduleName, normalizeVersion } from './artifacts.js';
import type { GitPackage } from './fixture-lock.js';
import { BACKEND_PATH, backendPy, wrongVersion, type BackendKind } from './sdist-backend.js';
import { tomlString } from './toml.js';

export interface ProjectSpec {
  name: string;
  version: string;
  /** What the in-tree backend's build_wheel does (sdist-backend.ts); default 'pure'. */
  backend?: BackendKind;
  /** `[project] dependencies`: PEP 508 requirements, the built wheel's Requires-Dist. */
  dependencies?: string[];
  requiresPython?: string;
  /** Extra files, paths from the project's root. */
  files?: Record<string, string | Buffer>;
}

export interface Project {
  /** The project's folder. */
  readonly path: string;
  readonly name: string;
  /** PEP 440-normalized, as pyproject.toml and the built wheel say it. */
  readonly version: string;
  /** The importable package: `<module>/__init__.py` has `__version__`. */
  readonly module: string;
}

/** pyproject.toml of a project: one key a line, values JSON-compatible (the backend reads it so on Python < 3.11). */
function projectToml(spec: ProjectSpec, version: string): string {
  return [
    '[project]',
    `name = ${tomlString(spec.name)}`,
    `version = ${tomlString(version)}`,
    `dependencies = [${(spec.dependencies ?? []).map(tomlString).join(', ')}]`,
    ...(spec.requiresPython ? [`requires-python = ${tomlString(spec.requiresPython)}`] : []),
    '',
    '[build-system]',
    'requires = []',
    'build-backend = "backend"',
    'backend-path = ["_backend"]',
    '',
  ].join('\n');
}

function write(path: string, data: string | Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data);
}

/**
 * A local project in `dir` (made if missing): pyproject.toml with a
 * `[project]` table and the in-tree backend, `_backend/backend.py`, and
 * `<module>/__init__.py` with `__version__`. Writing again over the same
 * folder rewrites those files (the version, say) and leaves others alone.
 */
export function writeProject(dir: string, spec: ProjectSpec): Project {
  const version = normalizeVersion(spec.version);
  const module = moduleName(spec.name);
  write(join(dir, 'pyproject.toml'), projectToml(spec, version));
  write(join(dir, BACKEND_PATH), backendPy(spec.backend));
  write(join(dir, module, '__init__.py'), `"""${spec.name} ${version}, a lockhouse test project."""\n__version__ = "${version}"\n`);
  for (const [path, data] of Object.entries(spec.files ?? {})) write(join(dir, path), data);
  return { path: dir, name: spec.name, version, module };
}

// ---------------------------------------------------------------- git

/** The environment git runs in here: no global or system configuration, no inherited GIT_* variable, no prompts. */
export function gitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('GIT_')) env[key] = value;
  return { ...env, GIT_CONFIG_GLOBAL: devNull, GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0' };
}

let probed: string | null | undefined;

/** Why the system `git` cannot be used here, or null when it can. Says so once on stderr. */
export function gitMissing(): string | null {
  if (probed !== undefined) return probed;
  const probe = spawnSync('git', ['--version'], { encoding: 'utf8', env: gitEnv() });
  probed = probe.error ? `git is not available (${probe.error.message})` : probe.status !== 0 ? `git --version failed: ${probe.stderr.trim()}` : null;
  if (probed) console.warn(`lockhouse tests: ${probed}; the tests that need git are skipped`);
  return probed;
}

/** Run git; its trimmed stdout. */
export function git(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv = gitEnv()): string {
  return execFileSync('git', args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

export interface GitRepoSpec extends ProjectSpec {
  /** The project's folder in the repository ('/'-separated); default: the root. */
  subdirectory?: string;
  /** The version the second commit sets; default `wrongVersion(version)`: the last release number plus one (1.0 → 1.1). */
  nextVersion?: string;
}

export interface GitRepo {
  /** `file://` URL of the bare repository (`<dir>/<name>.git`). */
  readonly url: string;
  /** Its path. */
  readonly path: string;
  readonly name: string;
  /** The first commit, then the second (the tip of `main`). */
  readonly commits: readonly [string, string];
  /** The project's version at each commit (normalized). */
  readonly versions: readonly [string, string];
  readonly subdirectory: string | null;
  /** The module whose `__version__` tells the commits apart. */
  readonly module: string;
}

const DATES = ['2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z'] as const;

/**
 * A bare repository `<dir>/<name>.git` whose branch `main` has two commits:
 * the project (under `subdirectory` if given, beside a README at the root)
 * at `version`, then the same with the version file (pyproject.toml and
 * `__version__`) at `nextVersion`. The work tree it was made in is removed.
 * Check `gitMissing()` first.
 */
export function makeGitRepo(dir: string, spec: GitRepoSpec): GitRepo {
  const versions = [normalizeVersion(spec.version), normalizeVersion(spec.nextVersion ?? wrongVersion(normalizeVersion(spec.version)))] as const;
  if (versions[0] === versions[1]) throw new Error(`makeGitRepo: the second commit needs another version than ${versions[0]}`);
  const subdirectory = spec.subdirectory?.replace(/^\/+|\/+$/g, '') || null;
  const work = join(dir, `${distName(spec.name)}.work`);
  const bare = join(dir, `${distName(spec.name)}.git`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  git(work, ['-c', 'init.defaultBranch=main', 'init', '-q']);
  for (const [key, value] of [
    ['user.name', 'lockhouse tests'],
    ['user.email', 'tests@lockhouse.invalid'],
    ['commit.gpgsign', 'false'],
    ['core.autocrlf', 'false'],
  ] as const) {
    git(work, ['config', key, value]);
  }
  const projectDir = subdirectory ? join(work, ...subdirectory.split('/')) : work;
  if (subdirectory) write(join(work, 'README.md'), `A repository with the project ${spec.name} in ${subdirectory}/.\n`);

  const commits: string[] = [];
  versions.forEach((version, i) => {
    writeProject(projectDir, { ...spec, version });
    const env = { ...gitEnv(), GIT_AUTHOR_DATE: DATES[i], GIT_COMMITTER_DATE: DATES[i] };
    git(work, ['add', '-A'], env);
    git(work, ['commit', '-q', '-m', `${spec.name} ${version}`], env);
    commits.push(git(work, ['rev-parse', 'HEAD'], env));
  });

  rmSync(bare, { recursive: true, force: true });
  git(dir, ['clone', '-q', '--bare', '--no-local', work, bare]);
  rmSync(work, { recursive: true, force: true });
  return {
    url: pathToFileURL(bare).href,
    path: bare,
    name: spec.name,
    commits: [commits[0]!, commits[1]!],
    versions,
    subdirectory,
    module: moduleName(spec.name),
  };
}

/** The lock entry for the repository at one of its commits (default the first): for `fixtureUvLock({ git: [...] })`. */
export function lockedGit(repo: GitRepo, at: 0 | 1 = 0, dependencies?: string[]): GitPackage {
  return {
    name: repo.name,
    version: repo.versions[at],
    url: repo.url,
    commit: repo.commits[at],
    ...(repo.subdirectory ? { subdirectory: repo.subdirectory } : {}),
    ...(dependencies ? { dependencies } : {}),
  };
}
