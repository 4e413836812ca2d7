/**
 * The content-addressed cache: `<root>/content-v1/sha256/ab/cd/<rest-of-hex>`
 * (cacache's layout, keyed by the sha256 the lock gives), with `<root>/tmp/`
 * beside it on the same filesystem for inserts, and a CACHEDIR.TAG so backup
 * tools that honour the Cache Directory Tagging spec (tar --exclude-caches,
 * borg, restic) skip it. Bump `content-v1` when the layout changes.
 *
 * - An entry appears only by rename(2) of a complete file, so two processes
 *   sharing a cache never see a partial entry; "already there" is success,
 *   since the address is the content.
 * - Every read hashes the entry first (cacache, pacote): a bad entry is
 *   deleted and reported as absent — a cache problem, never an integrity
 *   error — and the caller tries its next source.
 * - Files move by hardlink where they can (no bytes copied), else by the
 *   kernel's copy (reflink where the filesystem has it).
 */
import { constants, type Stats } from 'node:fs';
import { copyFile, link, lstat, mkdir, open, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isHexDigest } from './digest.js';
import { hashFile } from './hash-file.js';
import { errnoCode, reason, storeError } from './store-error.js';
import { newTempName, releaseTempName } from './temp-name.js';
import type { Actual, ContentCache } from './types.js';

export const CONTENT_DIR = 'content-v1';

const CACHEDIR_TAG =
  'Signature: 8a477f597d28d172789f06886806bc55\n' +
  '# This file is a cache directory tag created by lockhouse.\n' +
  '# For information about cache directory tags, see https://bford.info/cachedir/\n';

/**
 * link(2) failures that mean "this cannot be a link here", so a copy is
 * tried instead; any other error is a real one.
 */
const LINK_UNSUPPORTED = new Set([
  'EXDEV', // the cache and DIR are on different filesystems
  'EPERM', // the filesystem has no hardlinks, or protected_hardlinks refuses another user's file
  'EACCES', // same, on some network filesystems
  'EMLINK', // the file has as many links as the filesystem allows
  'ENOTSUP',
  'EOPNOTSUPP',
  'ENOSYS',
]);

export type CacheProblem =
  | { readonly kind: 'corrupt'; readonly sha256: string; readonly path: string; readonly actual: Actual }
  | { readonly kind: 'not-a-file' | 'unreadable' | 'unremovable'; readonly sha256: string; readonly path: string; readonly error: unknown };

export interface CacheOptions {
  /** Make a hardlink (default fs.link); tests inject failures such as EXDEV. */
  readonly link?: (existing: string, newPath: string) => Promise<void>;
  /** fdatasync files this cache copies (default true), as TempFile does. */
  readonly durable?: boolean;
  /** Told about bad or unreadable entries (which are then treated as absent), for a debug log. */
  readonly onProblem?: (problem: CacheProblem) => void;
}

export interface Cache extends ContentCache {
  contains(sha256: string): Promise<boolean>;
  /** Where the entry for sha256 lives (it may not exist). */
  entryPath(sha256: string): string;
  readonly tmpDir: string;
}

export function openCache(root: string, options: CacheOptions = {}): Cache {
  const linkFile = options.link ?? link;
  const durable = options.durable ?? true;
  const tmpDir = join(root, 'tmp');
  const inserting = new Map<string, Promise<void>>();
  let prepared: Promise<void> | null = null;

  const entryPath = (sha256: string): string => {
    if (!isHexDigest('sha256', sha256)) throw new TypeError(`not a lower-case sha256 hex digest: ${JSON.stringify(sha256)}`);
    return join(root, CONTENT_DIR, 'sha256', sha256.slice(0, 2), sha256.slice(2, 4), sha256.slice(4));
  };

  const prepare = (): Promise<void> => {
    prepared ??= (async () => {
      await mkdir(tmpDir, { recursive: true });
      await writeFile(join(root, 'CACHEDIR.TAG'), CACHEDIR_TAG, { flag: 'wx' }).catch((error: unknown) => {
        if (errnoCode(error) !== 'EEXIST') throw error;
      });
    })().catch((error: unknown) => {
      prepared = null;
      throw error;
    });
    return prepared;
  };

  /** Hash the entry: its path when good; null when absent or bad (a bad one is removed). */
  async function verified(sha256: string): Promise<string | null> {
    const path = entryPath(sha256);
    let actual: Actual;
    try {
      actual = await hashFile(path, 'sha256', { noFollow: true });
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'ENOENT') return null;
      if (code === 'ENOTREG' || code === 'ELOOP') {
        // A symlink, FIFO… where an entry should be: nothing lockhouse wrote.
        options.onProblem?.({ kind: 'not-a-file', sha256, path, error });
        await remove(sha256, path);
      } else {
        options.onProblem?.({ kind: 'unreadable', sha256, path, error });
      }
      return null;
    }
    if (actual.sha256 === sha256) return path;
    options.onProblem?.({ kind: 'corrupt', sha256, path, actual });
    await remove(sha256, path);
    return null;
  }

  async function remove(sha256: string, path: string): Promise<void> {
    await unlink(path).catch((error: unknown) => {
      if (errnoCode(error) !== 'ENOENT') options.onProblem?.({ kind: 'unremovable', sha256, path, error });
    });
  }

  /** Put `from` at `to` (a fresh name): hardlink, else a copy that is synced. */
  async function linkOrCopy(from: string, to: string, fromStats?: Stats): Promise<'link' | 'copy'> {
    // link(2) would link a symlink itself, not its target.
    if (!fromStats?.isSymbolicLink()) {
      try {
        await linkFile(from, to);
        return 'link';
      } catch (error) {
        if (!LINK_UNSUPPORTED.has(errnoCode(error) ?? '')) throw error;
      }
    }
    // COPYFILE_FICLONE: a reflink (copy-on-write, instant) on btrfs, XFS,
    // APFS…; elsewhere libuv falls back to an ordinary in-kernel copy.
    await copyFile(from, to, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
    if (durable) {
      const handle = await open(to, 'r+');
      try {
        await handle.datasync();
      } finally {
        await handle.close();
      }
    }
    return 'copy';
  }

  async function insertOnce(from: string, sha256: string): Promise<void> {
    const final = entryPath(sha256);
    const existing = await lstat(final).catch(() => null);
    if (existing?.isFile()) return;
    let tmp: string | null = null;
    try {
      const fromStats = await lstat(from);
      await prepare();
      await mkdir(dirname(final), { recursive: true });
      tmp = join(tmpDir, newTempName());
      await linkOrCopy(from, tmp, fromStats);
      await rename(tmp, final);
    } catch (error) {
      // Another writer may have put it there meanwhile (on Windows, rename
      // onto an open file fails): the address is the content, so that is done.
      if ((await lstat(final).catch(() => null))?.isFile()) return;
      throw storeError('CACHE_UNWRITABLE', `cannot add ${from} to the cache at ${root}: ${reason(error)}`, {
        cause: error,
        hint: 'check the cache directory is writable, or pass --cache-dir or --no-cache',
      });
    } finally {
      if (tmp !== null) {
        // Also after a rename: when tmp and final were already links to one
        // file, rename(2) does nothing and leaves tmp behind.
        await unlink(tmp).catch(() => undefined);
        releaseTempName(tmp);
      }
    }
  }

  return {
    root,
    tmpDir,
    entryPath,

    insert(from, sha256) {
      try {
        entryPath(sha256); // refuse a malformed digest before anything else
      } catch (error) {
        return Promise.reject(error);
      }
      // Writers of the same content in this process share one insert (cacache's moveOperations).
      let pending = inserting.get(sha256);
      if (!pending) {
        pending = insertOnce(from, sha256).finally(() => inserting.delete(sha256));
        inserting.set(sha256, pending);
      }
      return pending;
    },

    async contains(sha256) {
      return (await verified(sha256)) !== null;
    },

    async placeInto(sha256, dest, temps) {
      const entry = await verified(sha256);
      if (entry === null) return null;
      // A fresh name beside the temporary files of dest's directory (same
      // filesystem, so the rename is atomic; swept like them if we die).
      const tmp = temps.reserve ? await temps.reserve() : join(dirname(dest), newTempName());
      try {
        let how: 'link' | 'copy';
        try {
          how = await linkOrCopy(entry, tmp);
        } catch (error) {
          // The entry vanished between the hash and the link (another process cleaned the cache).
          if (errnoCode(error) === 'ENOENT' && !(await lstat(entry).catch(() => null))) return null;
          throw error;
        }
        await rename(tmp, dest);
        return how;
      } catch (error) {
        throw storeError('OUTPUT_NOT_WRITABLE', `cannot place ${entry} at ${dest}: ${reason(error)}`, { cause: error });
      } finally {
        await unlink(tmp).catch(() => undefined);
        if (temps.release) temps.release(tmp);
        else releaseTempName(tmp);
      }
    },
  };
}
