/**
 * The one way anything lands under a final name: made under a temporary
 * name (temp-name.ts) on the final name's filesystem, then one rename(2).
 * A reader sees the old thing or the new one, never a part; a failure
 * leaves nothing under the final name, and a killed run leaves only
 * temporary names, which the sweeper (sweep.ts) removes by one rule.
 *
 * - Files: `landBytes` (a small file from memory: a manifest, an emitted
 *   lock, an index page), `landWith` (the caller makes the file at the
 *   temporary path: a stream, a link, a copy), `landFile` (a temporary file
 *   already made: a verified download). rename(2) replaces a symlink at the
 *   final name; it never writes through it.
 * - Folders: `landDir` (a build-cache entry, a git checkout), where a
 *   folder already there wins: its name says what it holds.
 * - `workDir`: a folder used and removed (a build's output, a bundle's
 *   staging wheelhouse), named so a killed run's is swept.
 * - `linkOrCopy`: a hard link where the filesystem allows, else the
 *   kernel's copy (a reflink where it can), synced.
 * - `moveBetween`: the one rename that lands nothing — a file moved between
 *   two of lockhouse's own non-final names (a partial download claimed into
 *   tmp/, a killed run's download kept as a partial: partials.ts).
 *
 * When the temporary name and the final name are already links to one file
 * (two runs placing the same cache entry), rename(2) succeeds and does
 * nothing: the temporary name is unlinked after every rename for that reason.
 */
import { constants } from 'node:fs';
import { copyFile, link as linkFs, lstat, mkdir, open, rename, rm, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isLockhouseError } from '../../errors.js';
import { checkRealDirs, makeRealDirs } from './real-dirs.js';
import { errnoCode, reason, storeError, type StoreErrorCode } from './store-error.js';
import { sweepLeftovers } from './sweep.js';
import { newTempName, releaseTempName } from './temp-name.js';

export interface LandOptions {
  /**
   * The folder for the temporary name: one of lockhouse's own on the final
   * name's filesystem (DIR/.lockhouse/tmp, the cache's tmp). Default: the
   * final name's folder, with the final name as the label, and that
   * folder's leftovers of the same label swept first.
   */
  readonly tempDir?: string;
  /** fdatasync before the rename (default true): a power cut must not leave an empty file under the final name. */
  readonly durable?: boolean;
  /** The error code when the final step fails (default OUTPUT_NOT_WRITABLE). */
  readonly code?: StoreErrorCode;
}

/**
 * Temporary folders this process has made or found: landing a file there
 * skips the mkdir (two syscalls per file for many small files). One removed
 * meanwhile shows as ENOENT when the file is made there: landWith makes it
 * again and tries once more.
 */
const madeTempDirs = new Set<string>();

async function makeTempDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  madeTempDirs.add(dir);
}

/** A fresh temporary path for `final` (its folder is made). */
async function reserve(final: string, options: LandOptions): Promise<string> {
  if (options.tempDir !== undefined) {
    if (!madeTempDirs.has(options.tempDir)) await makeTempDir(options.tempDir);
    return join(options.tempDir, newTempName());
  }
  const folder = dirname(final);
  await mkdir(folder, { recursive: true });
  await sweepLeftovers(folder, { label: basename(final) }).catch(() => undefined);
  return join(folder, newTempName(basename(final)));
}

/** Done with a temporary path: unlinked if still there (absent is fine), and its name released. */
async function release(temp: string): Promise<void> {
  await unlink(temp).catch((error: unknown) => {
    if (errnoCode(error) !== 'ENOENT') throw error;
  });
  releaseTempName(temp);
}

/** Rename `temp` (a file made under a temporary name) to `final`. */
export async function landFile(temp: string, final: string, options: Pick<LandOptions, 'code'> = {}): Promise<void> {
  try {
    await rename(temp, final);
  } catch (error) {
    throw storeError(options.code ?? 'OUTPUT_NOT_WRITABLE', `cannot move ${temp} to ${final}: ${reason(error)}`, { cause: error });
  } finally {
    // After a rename between two links to one file, `temp` is still there.
    await release(temp).catch(() => undefined);
  }
}

/**
 * Move `from` to `to`, both lockhouse's own names that are not final (one
 * rename(2), on one filesystem). Node's errno error as it is — ENOENT says
 * another process moved it first, which is how a claim is lost.
 */
export async function moveBetween(from: string, to: string): Promise<void> {
  await rename(from, to);
}

/**
 * Make a file at a temporary path with `make` (which must create it, e.g.
 * with the `wx` flag), then land it at `final`. On any failure the
 * temporary file is removed and nothing is under `final`.
 */
export async function landWith<T>(final: string, make: (temp: string) => Promise<T>, options: LandOptions = {}): Promise<T> {
  const temp = await reserve(final, options);
  try {
    const result = await make(temp).catch(async (error: unknown) => {
      // The temporary folder was removed since this process made it: make it again, once.
      if (options.tempDir === undefined || errnoCode(error) !== 'ENOENT') throw error;
      await makeTempDir(options.tempDir);
      return make(temp);
    });
    await landFile(temp, final, options);
    return result;
  } catch (error) {
    await release(temp).catch(() => undefined);
    throw error;
  }
}

/** Write `data` at `final` through a temporary file, synced, then one rename. */
export async function landBytes(final: string, data: string | Uint8Array, options: LandOptions = {}): Promise<void> {
  try {
    await landWith(
      final,
      async (temp) => {
        const handle = await open(temp, 'wx', 0o666);
        try {
          await handle.writeFile(data);
          if (options.durable ?? true) await handle.datasync();
        } finally {
          await handle.close();
        }
      },
      options,
    );
  } catch (error) {
    if (isLockhouseError(error)) throw error;
    throw storeError(options.code ?? 'OUTPUT_NOT_WRITABLE', `cannot write ${final}: ${reason(error)}`, { cause: error });
  }
}

/** Where landDir may make the folders above the one it lands. */
export interface LandDirOptions {
  /**
   * The folder lockhouse owns from (the cache, DIR/.lockhouse): every folder
   * between it and `final` is made or entered as a real directory, a link
   * there refused with `unsafeCode` (real-dirs.ts). Default: `final`'s
   * parent is made as `mkdir -p` makes it.
   */
  readonly root?: string;
  readonly unsafeCode?: StoreErrorCode;
}

/**
 * Make a folder at a temporary name beside `final` with `make`, then
 * rename it to `final`. A folder already at `final` wins (its name says
 * what it holds: another process made the same one first) and the new one
 * is removed. The parent's leftovers are swept first. Says which happened.
 */
export async function landDir(final: string, make: (temp: string) => Promise<void>, options: LandDirOptions = {}): Promise<'landed' | 'existing'> {
  const parent = dirname(final);
  if (options.root === undefined) await mkdir(parent, { recursive: true });
  else {
    const code = options.unsafeCode ?? 'OUTPUT_UNSAFE_PATH';
    await makeRealDirs(options.root, parent, code);
    // Already there, whole (its name says what it holds); a link there is refused, not followed.
    if ((await checkRealDirs(parent, final, code)) === 'present') return 'existing';
  }
  await sweepLeftovers(parent);
  const temp = join(parent, newTempName());
  try {
    await mkdir(temp);
    await make(temp);
    try {
      await rename(temp, final);
      return 'landed';
    } catch (error) {
      if ((await lstat(final).catch(() => null))?.isDirectory()) return 'existing';
      throw error;
    }
  } finally {
    await rm(temp, { recursive: true, force: true });
    releaseTempName(temp);
  }
}

/** A folder under `parent` to work in and remove: named so a killed run's is swept. `label` names it beside a file that is not lockhouse's. */
export interface WorkDir {
  readonly path: string;
  remove(): Promise<void>;
}

export async function workDir(parent: string, label?: string): Promise<WorkDir> {
  await mkdir(parent, { recursive: true });
  await sweepLeftovers(parent, label === undefined ? {} : { label });
  const path = join(parent, newTempName(label));
  await mkdir(path);
  return {
    path,
    remove: async () => {
      await rm(path, { recursive: true, force: true });
      releaseTempName(path);
    },
  };
}

/**
 * link(2) failures that mean "this cannot be a link here", so a copy is
 * tried instead; any other error is a real one.
 */
const LINK_UNSUPPORTED = new Set([
  'EXDEV', // the two names are on different filesystems
  'EPERM', // the filesystem has no hardlinks, or protected_hardlinks refuses another user's file
  'EACCES', // same, on some network filesystems
  'EMLINK', // the file has as many links as the filesystem allows
  'ENOTSUP',
  'EOPNOTSUPP',
  'ENOSYS',
]);

export interface LinkOptions {
  /** fdatasync a copy (default true). */
  readonly durable?: boolean;
  /** Make a hardlink (default fs.link); tests inject failures such as EXDEV. */
  readonly link?: (existing: string, newPath: string) => Promise<void>;
  /** `from` is a symlink: never link it (link(2) would link the symlink itself), copy what it points to. */
  readonly fromIsSymlink?: boolean;
}

/** Put `from` at `to` (a fresh name): a hard link, else a copy that is synced. Says which. */
export async function linkOrCopy(from: string, to: string, options: LinkOptions = {}): Promise<'link' | 'copy'> {
  if (!options.fromIsSymlink) {
    try {
      await (options.link ?? linkFs)(from, to);
      return 'link';
    } catch (error) {
      if (!LINK_UNSUPPORTED.has(errnoCode(error) ?? '')) throw error;
    }
  }
  // COPYFILE_FICLONE: a reflink (copy-on-write, instant) on btrfs, XFS,
  // APFS…; elsewhere libuv falls back to an ordinary in-kernel copy.
  await copyFile(from, to, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
  if (options.durable ?? true) {
    const handle = await open(to, 'r+');
    try {
      await handle.datasync();
    } finally {
      await handle.close();
    }
  }
  return 'copy';
}
