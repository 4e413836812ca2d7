/**
 * Find, read and parse the lock (and the pyproject.toml beside it, for
 * default groups and index names). The I/O half of "parse": the parsing
 * itself is pure (lock/parse.ts).
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
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
  /** Milliseconds spent parsing (TOML, validation, conversion). */
  readonly parseMs: number;
}

const EMPTY_SETTINGS: ProjectSettings = { defaultGroups: null, indexes: new Map() };

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function findLock(request: LockRequest): Promise<string> {
  if (request.lock) return request.lock;
  const base = request.project ?? '.';
  for (const name of ['uv.lock', 'pylock.toml']) {
    const candidate = join(base, name);
    if (await exists(resolve(request.cwd, candidate))) return candidate;
  }
  throw new LockhouseError('LOCK_NOT_FOUND', `no uv.lock or pylock.toml in ${resolve(request.cwd, base)}`, {
    hint: 'run lockhouse where the lock is, or pass --lock FILE',
  });
}

export async function loadLock(request: LockRequest): Promise<LoadedLock> {
  const path = await findLock(request);
  const absolute = resolve(request.cwd, path);
  let bytes: Buffer;
  try {
    bytes = await readFile(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new LockhouseError('LOCK_NOT_FOUND', `cannot read the lock ${path}: ${code === 'ENOENT' ? 'no such file' : String(code ?? error)}`, {
      hint: 'check the path given to --lock',
      cause: error,
    });
  }
  const started = performance.now();
  const graph = parseLock(bytes.toString('utf8'), path);
  const parseMs = performance.now() - started;
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const settings = await loadSettings(request.project ?? dirname(absolute), request.cwd);
  return { graph, path, sha256, settings, parseMs };
}

async function loadSettings(projectDir: string, cwd: string): Promise<ProjectSettings> {
  const pyproject = resolve(cwd, projectDir, 'pyproject.toml');
  let text: string;
  try {
    text = await readFile(pyproject, 'utf8');
  } catch {
    return EMPTY_SETTINGS;
  }
  return parseProjectSettings(text, pyproject);
}
