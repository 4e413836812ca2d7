/**
 * Folders lockhouse owns — in the cache (`tmp`, `content-v2/sha256`, `content-v1/sha256/ab/cd`,
 * `builds-v1/xx`, `git-v1/<url>`) and in DIR (`.lockhouse` and everything
 * under it) — are made and entered only as real directories. A cache or a
 * wheelhouse may be shared, copied from an image or unpacked from an
 * archive, with a symbolic link planted at any of those levels; following
 * it would write verified files (or remove damaged ones) outside the cache
 * or DIR. So every folder on the way from the root the user named down to
 * the one lockhouse works in is:
 *
 * - made with mkdir(2), one level at a time: mkdir never follows a link at
 *   its last component (EEXIST), unlike `mkdir -p`, whose stat of an
 *   existing level follows one;
 * - checked with lstat(2) when it already exists: a symbolic link, or
 *   anything that is not a directory, is refused — never followed, never
 *   removed (it is not lockhouse's to remove).
 *
 * Each level is checked once per run, not once per file, when the caller
 * passes its `known` set (knownRealDirs): the checks showed in the profile
 * of many small downloads.
 *
 * The root itself may be a link: the user chose it (`--cache-dir`, `-o`).
 * Node has no openat(2), so a link swapped in between this check and the
 * use that follows is not caught; what this rules out is a link planted
 * before or between runs, which is how a shared or copied folder carries one.
 */
import { lstat, mkdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { errnoCode, reason, storeError, type StoreErrorCode } from './store-error.js';

/** The levels from `root` (excluded) down to `dir` (included); `dir` must be `root` or inside it. */
function levels(root: string, dir: string): string[] {
  const rel = relative(root, dir);
  if (rel === '') return [];
  if (rel === '..' || rel.startsWith(`..${sep}`) || rel.startsWith(sep)) throw new Error(`${dir} is not inside ${root}`);
  const parts = rel.split(sep);
  return parts.map((_, i) => join(root, ...parts.slice(0, i + 1)));
}

/** Why what lstat found at `path` is not a folder lockhouse may use, or null when it is a real directory. */
function notAFolder(path: string, stats: { isSymbolicLink(): boolean; isDirectory(): boolean }): string | null {
  if (stats.isSymbolicLink()) return `${path} is a symbolic link; lockhouse never follows links in its own folders`;
  if (!stats.isDirectory()) return `${path} is not a directory`;
  return null;
}

function refused(code: StoreErrorCode, why: string, path: string) {
  return storeError(code, why, { hint: `remove ${path} (lockhouse makes it again as a folder)` });
}

/**
 * Make `dir` and every folder between `root` and it, each a real directory
 * (the root is made too, following links: it is the user's). A link or a
 * file on the way is refused with `code` (OUTPUT_UNSAFE_PATH in DIR,
 * CACHE_UNSAFE_PATH in the cache); a folder that cannot be made is
 * `unwritable` (OUTPUT_NOT_WRITABLE, CACHE_UNWRITABLE).
 */
export async function makeRealDirs(
  root: string,
  dir: string,
  code: StoreErrorCode,
  unwritable: StoreErrorCode = 'OUTPUT_NOT_WRITABLE',
  known?: Set<string>,
): Promise<void> {
  if (known?.has(dir)) return;
  if (!known?.has(root)) {
    await mkdir(root, { recursive: true }).catch((error: unknown) => {
      throw storeError(unwritable, `cannot create ${root}: ${reason(error)}`, { cause: error });
    });
    known?.add(root);
  }
  for (const level of levels(root, dir)) {
    if (known?.has(level)) continue;
    // lstat first: in a run, nearly every level is already there, and one
    // lstat is cheaper than a mkdir that fails with EEXIST and then an lstat
    // (a failed call also builds an Error: per file, for every level, it
    // showed in the profile of many small downloads). lstat never follows a
    // link, so the check is the same.
    const seen = await lstat(level).catch((error: unknown) => {
      if (errnoCode(error) === 'ENOENT') return null;
      throw storeError(unwritable, `cannot create ${level}: ${reason(error)}`, { cause: error });
    });
    if (seen === null) {
      try {
        await mkdir(level);
        continue;
      } catch (error) {
        if (errnoCode(error) !== 'EEXIST') throw storeError(unwritable, `cannot create ${level}: ${reason(error)}`, { cause: error });
      }
    }
    const why = notAFolder(level, seen ?? (await lstat(level)));
    if (why !== null) throw refused(code, why, level);
    known?.add(level);
  }
}

/**
 * Are `dir` and the folders between `root` and it real directories, without
 * making any? 'absent' when one level does not exist yet (nothing under it
 * either); a link or a file on the way is refused with `code`.
 */
export async function checkRealDirs(root: string, dir: string, code: StoreErrorCode, known?: Set<string>): Promise<'present' | 'absent'> {
  if (known?.has(dir)) return 'present';
  for (const level of levels(root, dir)) {
    if (known?.has(level)) continue;
    const stats = await lstat(level).catch((error: unknown) => {
      if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return null;
      throw error;
    });
    if (stats === null) return 'absent';
    const why = notAFolder(level, stats);
    if (why !== null) throw refused(code, why, level);
    known?.add(level);
  }
  return 'present';
}

/**
 * The folders a store has found to be real directories in this run
 * (`known` above): each level is checked once per run instead of once per
 * file. A store is opened per run, so a link planted before or between runs
 * is still refused — the guarantee above; one swapped in during the run was
 * never caught (no openat). A store forgets them (clear()) when an
 * operation finds a folder gone (ENOENT), so a folder removed mid-run is
 * made and checked again.
 */
export function knownRealDirs(): Set<string> {
  return new Set<string>();
}
