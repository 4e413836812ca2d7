/**
 * Built wheels, kept by what they were built from — (sdist sha256 or git
 * commit, interpreter, frontend, isolation) — so a re-run, or another
 * wheelhouse, builds nothing again. `<cache>/builds-v1/<xx>/<key>/` holds
 * the wheel and `info.json` (its sha256); an entry lands whole, as a folder
 * (land.ts: made under a temporary name, renamed into place; one already
 * there wins), and is hashed when read. Its folders are real directories
 * (real-dirs.ts): an entry behind a planted link is neither read nor
 * removed, and a new one is not written through it (CACHE_UNSAFE_PATH).
 * `info.json` is read as a regular file only (never a link, never waiting
 * on a FIFO), and its wheel name must be a plain file name.
 */
import { createHash } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { CACHE_DIRS } from './cache.js';
import { hashFile, openRegularFile } from './hash-file.js';
import { landDir, linkOrCopy } from './land.js';
import { checkRealDirs } from './real-dirs.js';

/** info.json is some hundred bytes; anything much larger is not one lockhouse wrote. */
const MAX_INFO_BYTES = 64 * 1024;

export interface BuiltEntry {
  /** The wheel inside the cache entry. */
  readonly path: string;
  readonly filename: string;
  readonly sha256: string;
}

export interface BuildCache {
  get(key: string): Promise<BuiltEntry | null>;
  put(key: string, wheel: string, filename: string, sha256: string): Promise<void>;
}

/** A stable key for a build: sha256 of its parts. */
export function buildKey(parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex');
}

/** The entry's info.json, or null when it is absent, not a regular file, or not one lockhouse wrote. */
async function readInfo(dir: string): Promise<{ filename: string; sha256: string } | null> {
  try {
    const { handle, size } = await openRegularFile(join(dir, 'info.json'), { noFollow: true });
    try {
      if (size > MAX_INFO_BYTES) return null;
      const info = JSON.parse(await handle.readFile('utf8')) as { filename?: unknown; sha256?: unknown } | null;
      const { filename, sha256 } = info ?? {};
      if (typeof filename !== 'string' || typeof sha256 !== 'string') return null;
      // A name that would lead out of the entry's folder is not one lockhouse wrote.
      if (basename(filename) !== filename || filename === '..' || filename.includes('\\')) return null;
      return { filename, sha256 };
    } finally {
      await handle.close();
    }
  } catch {
    return null;
  }
}

export function openBuildCache(root: string): BuildCache {
  const base = join(root, CACHE_DIRS.builds);
  const entryDir = (key: string): string => join(base, key.slice(0, 2), key);
  return {
    async get(key) {
      const dir = entryDir(key);
      // A link on the way: not this cache's entry; put() says so when it cannot write one.
      if ((await checkRealDirs(root, dir, 'CACHE_UNSAFE_PATH').catch(() => 'absent' as const)) === 'absent') return null;
      // Entries land whole: one without a sound info.json, or whose wheel
      // does not hash to it, is damaged or half-removed: gone, and built again.
      const info = await readInfo(dir);
      const actual = info && (await hashFile(join(dir, info.filename), 'sha256', { noFollow: true }).catch(() => null));
      if (!info || actual?.sha256 !== info.sha256) {
        await rm(dir, { recursive: true, force: true });
        return null;
      }
      return { path: join(dir, info.filename), filename: info.filename, sha256: info.sha256 };
    },
    async put(key, wheel, filename, sha256) {
      // Another run putting the same build first is fine: the key is the content.
      await landDir(
        entryDir(key),
        async (staging) => {
          await linkOrCopy(wheel, join(staging, filename));
          await writeFile(join(staging, 'info.json'), `${JSON.stringify({ filename, sha256 })}\n`);
        },
        { root, unsafeCode: 'CACHE_UNSAFE_PATH' },
      );
    },
  };
}
