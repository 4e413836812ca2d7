/**
 * Find, read and parse the lock (and the pyproject.toml beside it, for
 * default groups and index names). The I/O half of "parse": the parsing
 * itself is pure (lock/parse.ts).
 */
import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { openProblem, readRegularFile } from '../io/regular-file.js';
import { dirname, join, resolve } from 'node:path';
import { LockhouseError } from '../errors.js';
import type { LockGraph, ProjectSettings } from '../model.js';
import { parseLock } from '../lock/parse.js';
import { parseProjectSettings } from '../lock/pyproject.js';

export interface LockRequest {
  /** `--lock FILE`; default: ./uv.lock, else ./pylock.toml. */
  readonly lock?: string | undefined;
  /** `--project DIR`: where pyproject.toml is (default: beside the lock). */
  readonly project?: string | undefined;
  readonly cwd: string;
}

export interface LoadedLock {
  readonly graph: LockGraph;
  /** The lock's path as the user gave it (or the default that was found). */
  readonly path: string;
  readonly sha256: string;
  readonly settings: ProjectSettings;
  /** The pyproject.toml the settings were read from (absolute), or null when there is none: the default groups are then assumed. */
  readonly pyproject: string | null;
  /** Where the pyproject.toml was looked for (absolute). */
  readonly projectDir: string;
  /** Milliseconds spent parsing (TOML, validation, conversion). */
  readonly parseMs: number;
}

const EMPTY_SETTINGS: ProjectSettings = { defaultGroups: null, indexes: new Map() };

const LOCK_NAMES = ['uv.lock', 'pylock.toml'];
/** PEP 751's other lock names: pylock.<name>.toml. */
const NAMED_PYLOCK = /^pylock\.[^.]+\.toml$/;

async function kindOf(path: string): Promise<'file' | 'directory' | null> {
  try {
    const stats = await stat(path);
    return stats.isDirectory() ? 'directory' : 'file';
  } catch {
    return null;
  }
}

/** The lock in `dir` (relative to cwd, as given): uv.lock, else pylock.toml; `flag` says how the folder was named, for the error. */
async function lockIn(dir: string, cwd: string, flag: string): Promise<string> {
  for (const name of LOCK_NAMES) {
    const candidate = join(dir, name);
    if ((await kindOf(resolve(cwd, candidate))) === 'file') return candidate;
  }
  const absolute = resolve(cwd, dir);
  const named = (await readdir(absolute).catch(() => [] as string[])).filter((name) => NAMED_PYLOCK.test(name)).sort();
  throw new LockhouseError('LOCK_NOT_FOUND', `no uv.lock or pylock.toml in ${absolute}`, {
    hint: named.length
      ? `name the lock file: ${named.map((name) => `--lock ${join(dir, name)}`).join(' or ')}`
      : flag === '--lock'
        ? '--lock takes the lock file (uv.lock, pylock.toml or pylock.<name>.toml), or a folder holding uv.lock or pylock.toml'
        : 'run lockhouse where the lock is, or pass --lock FILE',
  });
}

/** `--lock FILE`, `--lock DIR` (its uv.lock, else pylock.toml), or the lock in --project DIR or the current folder. */
async function findLock(request: LockRequest): Promise<string> {
  if (request.lock) {
    return (await kindOf(resolve(request.cwd, request.lock))) === 'directory' ? lockIn(request.lock, request.cwd, '--lock') : request.lock;
  }
  return lockIn(request.project ?? '.', request.cwd, request.project ? '--project' : 'default');
}

export async function loadLock(request: LockRequest): Promise<LoadedLock> {
  const path = await findLock(request);
  const absolute = resolve(request.cwd, path);
  let bytes: Buffer;
  try {
    bytes = await readRegularFile(absolute);
  } catch (error) {
    throw new LockhouseError('LOCK_NOT_FOUND', `cannot read the lock ${path}: ${openProblem(error)}`, {
      hint: 'check the path given to --lock',
      cause: error,
    });
  }
  const started = performance.now();
  const graph = parseLock(bytes.toString('utf8'), path);
  const parseMs = performance.now() - started;
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const projectDir = resolve(request.cwd, request.project ?? dirname(absolute));
  const { settings, pyproject } = await loadSettings(projectDir);
  return { graph, path, sha256, settings, pyproject, projectDir, parseMs };
}

async function loadSettings(projectDir: string): Promise<{ settings: ProjectSettings; pyproject: string | null }> {
  const pyproject = join(projectDir, 'pyproject.toml');
  let text: string;
  try {
    text = (await readRegularFile(pyproject)).toString('utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { settings: EMPTY_SETTINGS, pyproject: null };
    // Present but not readable as a file: its default groups and indexes would silently be lost.
    throw new LockhouseError('PYPROJECT_INVALID', `cannot read ${pyproject}: ${openProblem(error)}`, { hint: 'pyproject.toml must be a regular file, or --project must name another folder', cause: error });
  }
  return { settings: parseProjectSettings(text, pyproject), pyproject };
}
