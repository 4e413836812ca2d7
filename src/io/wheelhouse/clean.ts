/**
 * `--clean`: remove from the artifacts' folder (DIR, or DIR/files for the
 * simple layout) what lockhouse itself put there and this collection does
 * not contain — never anything else. A file is lockhouse's when the previous
 * manifest of this DIR records it (an artifact, or a file it emitted), or
 * when it is a distribution file (a wheel, an sdist, or the `.metadata`
 * beside one) that no collection recorded: a wheelhouse collects those.
 * The lock, pyproject.toml, a README or any other file is never a
 * candidate; nor are the manifest, dot-files (`.lockhouse/`), folders and
 * symbolic links. A static index's `<wheel>.metadata` stays while its wheel
 * does.
 *
 * And the guard before any of it: a DIR that holds the lock or the project
 * (`collect -o . --clean` in a project folder) is refused outright, before
 * anything is fetched.
 */
import { lstat, readdir, realpath, unlink } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { LockhouseError } from '../../errors.js';
import type { Manifest } from '../../output/manifest.js';
import { parseSdistFilename, parseWheelFilename } from '../../python/names.js';
import { MANIFEST_FILE } from './layout.js';

const METADATA = '.metadata';

/** A wheel or an sdist (.tar.gz, .zip) by the grammar of its name. */
export function isDistributionName(name: string): boolean {
  if (name.endsWith('.whl')) return parses(() => parseWheelFilename(name));
  if (name.endsWith('.tar.gz') || name.endsWith('.zip')) return parses(() => parseSdistFilename(name));
  return false;
}

function parses(parse: () => unknown): boolean {
  try {
    parse();
    return true;
  } catch {
    return false;
  }
}

export interface StaleQuery {
  /** The artifacts' folder: DIR, or DIR/files. */
  readonly filesDir: string;
  /** The files' folder relative to DIR, POSIX, with a trailing slash ('' or 'files/'): the manifest's `emitted` paths are relative to DIR. */
  readonly prefix: string;
  /** What this collection contains (artifacts and the files it emits there): never a candidate. */
  readonly keep: ReadonlySet<string>;
  /** The manifest the previous run left in DIR, if any. */
  readonly previous: Manifest | null;
}

/** The files --clean would remove: lockhouse's (see above), not in this collection. Sorted. */
export async function staleFiles(query: StaleQuery): Promise<string[]> {
  const recorded = new Set(query.previous?.artifacts.map((artifact) => artifact.filename) ?? []);
  const emitted = new Set(
    (query.previous?.emitted ?? []).flatMap((path) => (path.startsWith(query.prefix) && !path.slice(query.prefix.length).includes('/') ? [path.slice(query.prefix.length)] : [])),
  );
  const stale: string[] = [];
  for (const entry of await readdir(query.filesDir, { withFileTypes: true }).catch(() => [])) {
    const name = entry.name;
    if (!entry.isFile() || name.startsWith('.') || name === MANIFEST_FILE || query.keep.has(name)) continue;
    const metadataOf = name.endsWith(METADATA) ? name.slice(0, -METADATA.length) : null;
    if (metadataOf !== null && query.keep.has(metadataOf)) continue;
    const lockhouses = recorded.has(name) || emitted.has(name) || isDistributionName(name) || (metadataOf !== null && (recorded.has(metadataOf) || isDistributionName(metadataOf)));
    if (lockhouses) stale.push(name);
  }
  return stale.sort();
}

/** Remove `names` from `filesDir` (each checked again to be a regular file: never a link or a folder planted since the listing). Returns those removed. */
export async function removeFiles(filesDir: string, names: readonly string[]): Promise<string[]> {
  const removed: string[] = [];
  for (const name of names) {
    const path = join(filesDir, name);
    const stats = await lstat(path).catch(() => null);
    if (!stats?.isFile()) continue;
    await unlink(path);
    removed.push(name);
  }
  return removed;
}

export interface CleanGuard {
  /** DIR, absolute. */
  readonly dir: string;
  /** The lock, absolute. */
  readonly lock: string;
  /** The project's folder (where pyproject.toml is, or would be), absolute. */
  readonly projectDir: string;
}

/**
 * Refuse --clean where DIR holds the lock or is (or holds) the project's
 * folder, or any folder with a pyproject.toml: a wheelhouse is a folder of
 * its own, and a mistaken `-o .` must not cost a project anything.
 * OUTPUT_CLEAN_REFUSED (exit 2), before anything is fetched.
 */
export async function refuseUnsafeClean(guard: CleanGuard): Promise<void> {
  const dir = await real(guard.dir);
  if (dir === null) return; // DIR does not exist yet: there is nothing in it to remove.
  const lock = (await real(guard.lock)) ?? guard.lock;
  const project = (await real(guard.projectDir)) ?? guard.projectDir;
  const why = inside(lock, dir)
    ? `it holds the lock ${guard.lock}`
    : inside(project, dir)
      ? `it ${project === dir ? 'is' : 'holds'} the project's folder ${guard.projectDir}`
      : (await lstat(join(dir, 'pyproject.toml')).catch(() => null))
        ? "it holds a pyproject.toml: it is a project's folder"
        : null;
  if (why === null) return;
  throw new LockhouseError('OUTPUT_CLEAN_REFUSED', `--clean refused for ${guard.dir}: ${why}`, {
    hint: 'collect into a folder of its own (the default is ./wheelhouse), e.g. -o wheelhouse --clean; without --clean, nothing in DIR is removed',
  });
}

async function real(path: string): Promise<string | null> {
  return realpath(path).catch(() => null);
}

/** `path` is `dir` or below it. */
function inside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}
