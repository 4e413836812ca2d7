/**
 * The content-addressed cache: `<root>/content-v2/sha256/<hex>`, keyed by
 * the sha256 the lock gives, with `<root>/tmp/` beside it on the same
 * filesystem for inserts, and a CACHEDIR.TAG so backup tools that honour the
 * Cache Directory Tagging spec (tar --exclude-caches, borg, restic) skip it.
 * Bump `content-v2` when the layout changes. The same root holds built
 * wheels (`builds-v1/`, build-cache.ts) and git checkouts (`git-v1/`,
 * io/build/git.ts): CACHE_DIRS names them all.
 *
 * - One folder for every file, no fan-out: `content-v1` (cacache's
 *   `sha256/ab/cd/<rest>`) made two new folders for most new files of a
 *   cache of a few thousand, and on a cold collect of many small files
 *   those mkdirs were the largest part of the cache's cost (a flat folder
 *   took 0.91× the wall time, 224 small files behind 40 ms of latency:
 *   docs/performance.md). A folder of a hundred thousand names is nothing
 *   to ext4's, XFS's or APFS's indexed directories.
 * - An entry of `content-v1` (a cache an earlier version filled) is still
 *   found: verified like any entry, then linked into `content-v2` (no bytes
 *   copied), where the next run finds it. Nothing is ever written to
 *   `content-v1` or removed from it but a bad entry.
 * - Every folder under the root is made and entered as a real directory
 *   (real-dirs.ts): a symbolic link planted at `tmp`, `content-v2`,
 *   `content-v2/sha256` (or a folder of `content-v1`) is never followed —
 *   an entry behind one is not read, not removed and not written
 *   (CACHE_UNSAFE_PATH).
 * - An entry appears only by rename(2) of a complete file, so two processes
 *   sharing a cache never see a partial entry; "already there" is success,
 *   since the address is the content.
 * - Every read hashes the entry first (cacache, pacote): a bad entry is
 *   deleted and reported as absent — a cache problem, never an integrity
 *   error — and the caller tries its next source.
 * - Files move by hardlink where they can (no bytes copied), else by the
 *   kernel's copy (reflink where the filesystem has it).
 */
import { readdir, lstat, unlink, writeFile } from 'node:fs/promises';
import { isLockhouseError } from '../../errors.js';
import { dirname, join } from 'node:path';
import { isHexDigest } from './digest.js';
import { hashFile } from './hash-file.js';
import { landWith, linkOrCopy } from './land.js';
import { checkRealDirs, knownRealDirs, makeRealDirs } from './real-dirs.js';
import { errnoCode, reason, storeError } from './store-error.js';
import { sweepLeftovers, type SweepOptions } from './sweep.js';
import type { Actual, ContentCache } from './types.js';

/** The folders of a cache root, by what they hold. Bump a version when its layout changes. */
export const CACHE_DIRS = {
  /** Files by sha256: content-v2/sha256/<hex>. */
  content: 'content-v2',
  /** The layout before (cacache's): content-v1/sha256/ab/cd/<rest>; read, never written. */
  contentV1: 'content-v1',
  /** Built wheels by build key: builds-v1/<xx>/<key>/ (build-cache.ts). */
  builds: 'builds-v1',
  /** Git checkouts: git-v1/<sha256(url)[:16]>/<commit>/ (io/build/git.ts). */
  git: 'git-v1',
  /** Files being inserted, on the cache's filesystem. */
  tmp: 'tmp',
} as const;

export const CONTENT_DIR = CACHE_DIRS.content;

const CACHEDIR_TAG =
  'Signature: 8a477f597d28d172789f06886806bc55\n' +
  '# This file is a cache directory tag created by lockhouse.\n' +
  '# For information about cache directory tags, see https://bford.info/cachedir/\n';

export type CacheProblem =
  | { readonly kind: 'corrupt'; readonly sha256: string; readonly path: string; readonly actual: Actual }
  | { readonly kind: 'not-a-file' | 'unreadable' | 'unremovable' | 'behind a link'; readonly sha256: string; readonly path: string; readonly error: unknown };

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
  /** Remove killed runs' leftovers (sweepCache); their paths. */
  sweep(options?: SweepOptions): Promise<string[]>;
}

export function openCache(root: string, options: CacheOptions = {}): Cache {
  const linkOptions = { durable: options.durable ?? true, ...(options.link ? { link: options.link } : {}) };
  const tmpDir = join(root, CACHE_DIRS.tmp);
  const inserting = new Map<string, Promise<void>>();
  /** Folders of this cache checked in this run (real-dirs.ts); forgotten when one turns out gone. */
  const known = knownRealDirs();
  let prepared: Promise<void> | null = null;

  const entryPath = (sha256: string): string => {
    if (!isHexDigest('sha256', sha256)) throw new TypeError(`not a lower-case sha256 hex digest: ${JSON.stringify(sha256)}`);
    return join(root, CONTENT_DIR, 'sha256', sha256);
  };
  const v1Path = (sha256: string): string => join(root, CACHE_DIRS.contentV1, 'sha256', sha256.slice(0, 2), sha256.slice(2, 4), sha256.slice(4));
  /** Whether this cache has a content-v1 folder to look in: asked once per run (a miss must not cost a syscall more). */
  let v1: Promise<boolean> | null = null;
  const hasV1 = (): Promise<boolean> => {
    v1 ??= checkRealDirs(root, join(root, CACHE_DIRS.contentV1, 'sha256'), 'CACHE_UNSAFE_PATH', known).then(
      (state) => state === 'present',
      () => false,
    );
    return v1;
  };

  const prepare = (): Promise<void> => {
    prepared ??= (async () => {
      await makeRealDirs(root, tmpDir, 'CACHE_UNSAFE_PATH', 'CACHE_UNWRITABLE', known);
      await writeFile(join(root, 'CACHEDIR.TAG'), CACHEDIR_TAG, { flag: 'wx' }).catch((error: unknown) => {
        if (errnoCode(error) !== 'EEXIST') throw error;
      });
    })().catch((error: unknown) => {
      prepared = null;
      throw error;
    });
    return prepared;
  };

  /**
   * The entry's path when it is there and good; null when absent or bad.
   * An entry only content-v1 has is linked into content-v2 first.
   */
  async function verified(sha256: string): Promise<string | null> {
    const found = await verifiedAt(sha256, entryPath(sha256));
    if (found !== null || !(await hasV1())) return found;
    const old = await verifiedAt(sha256, v1Path(sha256));
    if (old === null) return null;
    try {
      await insert(old, sha256);
      return entryPath(sha256);
    } catch {
      // Not movable (a read-only cache, a link on the way): the entry is good where it is.
      return old;
    }
  }

  /** The entry's path when a regular file is there, behind no link, unhashed (PlaceOptions.verify false); else null. */
  async function present(sha256: string): Promise<string | null> {
    const path = entryPath(sha256);
    try {
      if ((await checkRealDirs(root, dirname(path), 'CACHE_UNSAFE_PATH', known)) === 'absent') return null;
    } catch {
      return null;
    }
    return (await lstat(path).catch(() => null))?.isFile() ? path : null;
  }

  /** Hash the entry at `path`: its path when good; null when absent or bad (a bad one is removed; one behind a link is left alone). */
  async function verifiedAt(sha256: string, path: string): Promise<string | null> {
    try {
      if ((await checkRealDirs(root, dirname(path), 'CACHE_UNSAFE_PATH', known)) === 'absent') return null;
    } catch (error) {
      options.onProblem?.({ kind: 'behind a link', sha256, path, error });
      return null;
    }
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

  async function insertAttempt(from: string, final: string): Promise<void> {
    // Already there (the address is the content): done, unless a link on the way says otherwise.
    if ((await checkRealDirs(root, dirname(final), 'CACHE_UNSAFE_PATH', known)) === 'present' && (await lstat(final).catch(() => null))?.isFile()) return;
    const fromStats = await lstat(from);
    await prepare();
    await makeRealDirs(root, dirname(final), 'CACHE_UNSAFE_PATH', 'CACHE_UNWRITABLE', known);
    await landWith(final, (temp) => linkOrCopy(from, temp, { ...linkOptions, fromIsSymlink: fromStats.isSymbolicLink() }), { tempDir: tmpDir, code: 'CACHE_UNWRITABLE' });
  }

  async function insertOnce(from: string, sha256: string): Promise<void> {
    const final = entryPath(sha256);
    try {
      await insertAttempt(from, final).catch(async (error: unknown) => {
        if (isLockhouseError(error) && error.code === 'CACHE_UNSAFE_PATH') throw error;
        // A folder this run checked may be gone (a `cache clean` meanwhile): check and make them all again, once.
        known.clear();
        prepared = null;
        await insertAttempt(from, final);
      });
    } catch (error) {
      // A link where a folder of the cache should be: said as it is.
      if (isLockhouseError(error) && error.code === 'CACHE_UNSAFE_PATH') throw error;
      // Another writer may have put it there meanwhile (on Windows, rename
      // onto an open file fails): the address is the content, so that is done.
      if ((await lstat(final).catch(() => null))?.isFile()) return;
      throw storeError('CACHE_UNWRITABLE', `cannot add ${from} to the cache at ${root}: ${reason(error)}`, {
        cause: error,
        hint: 'check the cache directory is writable, or pass --cache-dir or --no-cache',
      });
    }
  }

  function insert(from: string, sha256: string): Promise<void> {
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
  }

  return {
    root,
    tmpDir,
    entryPath,
    sweep: (sweepOptions) => sweepCache(root, sweepOptions),

    insert,

    async contains(sha256) {
      return (await verified(sha256)) !== null;
    },

    async placeInto(sha256, dest, tempDir, placeOptions = {}) {
      // Twice at most: link(2) fails with ENOENT when, between its lookup and the link, another process
      // renamed a new copy of the entry over it and the old inode lost its last name (every collect sharing
      // the cache and DIR lands that way). The entry is there again: link the new one. A second miss means
      // the cache is being cleaned: the caller fetches the file instead.
      for (let attempt = 0; attempt < 2; attempt++) {
        const entry = placeOptions.verify === false ? ((await present(sha256)) ?? (await verified(sha256))) : await verified(sha256);
        if (entry === null) return null;
        try {
          // The temporary name is in dest's own temporary folder: same
          // filesystem, so the rename is atomic, and swept like it if we die.
          return await landWith(dest, (temp) => linkOrCopy(entry, temp, linkOptions), { tempDir });
        } catch (error) {
          known.clear();
          // Only where DIR's temporary folder is there: else the ENOENT is that folder's, a real error.
          if (errnoCode(error) === 'ENOENT' && (await lstat(tempDir).catch(() => null))?.isDirectory()) continue;
          if (isLockhouseError(error)) throw error;
          throw storeError('OUTPUT_NOT_WRITABLE', `cannot place ${entry} at ${dest}: ${reason(error)}`, { cause: error });
        }
      }
      return null;
    },
  };
}

/**
 * A killed run's leftovers under a cache root, by the one rule of
 * sweep.ts: its temporary files (`tmp/`), and the staging folders that
 * build-cache entries (`builds-v1/<xx>/`) and git checkouts
 * (`git-v1/<url>/`) are made in beside their final names — swept here at
 * every run, not only when another entry lands beside them (which, for a
 * package no longer in the lock, may be never). DIR/.lockhouse keeps git
 * checkouts the same way when there is no cache, and is swept with this
 * too. A folder that is a link is not swept through. Returns the paths
 * removed, sorted.
 */
export async function sweepCache(root: string, options: SweepOptions = {}): Promise<string[]> {
  const swept: string[] = [];
  const sweepIn = async (dir: string): Promise<void> => {
    const state = await checkRealDirs(root, dir, 'CACHE_UNSAFE_PATH').catch(() => 'unsafe' as const);
    if (state === 'present') swept.push(...(await sweepLeftovers(dir, options)));
  };
  await sweepIn(join(root, CACHE_DIRS.tmp));
  for (const folder of [CACHE_DIRS.builds, CACHE_DIRS.git]) {
    const parent = join(root, folder);
    if ((await checkRealDirs(root, parent, 'CACHE_UNSAFE_PATH').catch(() => 'unsafe' as const)) !== 'present') continue;
    // withFileTypes reports a link as a link (lstat's view): only real folders are entered.
    const folders = (await readdir(parent, { withFileTypes: true })).filter((entry) => entry.isDirectory());
    for (const found of await Promise.all(folders.map((entry) => sweepLeftovers(join(parent, entry.name), options)))) swept.push(...found);
  }
  return swept.sort();
}
