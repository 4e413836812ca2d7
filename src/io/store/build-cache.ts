/**
 * Built wheels, kept by what they were built from — (sdist sha256 or git
 * commit, interpreter, frontend, isolation) — so a re-run, or another
 * wheelhouse, builds nothing again. `<cache>/builds-v1/<xx>/<key>/` holds
 * the wheel and `info.json` (its sha256); an entry lands whole, as a folder
 * (land.ts: made under a temporary name, renamed into place; one already
 * there wins), and is hashed when read.
 */
import { createHash } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hashFile } from './hash-file.js';
import { landDir, linkOrCopy } from './land.js';

const BUILDS_DIR = 'builds-v1';

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

export function openBuildCache(root: string): BuildCache {
  const base = join(root, BUILDS_DIR);
  const entryDir = (key: string): string => join(base, key.slice(0, 2), key);
  return {
    async get(key) {
      const dir = entryDir(key);
      let info: { filename: string; sha256: string };
      try {
        info = JSON.parse(await readFile(join(dir, 'info.json'), 'utf8')) as { filename: string; sha256: string };
      } catch {
        return null;
      }
      const path = join(dir, info.filename);
      const actual = await hashFile(path, 'sha256', { noFollow: true }).catch(() => null);
      if (actual?.sha256 !== info.sha256) {
        // Damaged or half-removed: gone, and built again.
        await rm(dir, { recursive: true, force: true });
        return null;
      }
      return { path, filename: info.filename, sha256: info.sha256 };
    },
    async put(key, wheel, filename, sha256) {
      // Another run putting the same build first is fine: the key is the content.
      await landDir(entryDir(key), async (staging) => {
        await linkOrCopy(wheel, join(staging, filename));
        await writeFile(join(staging, 'info.json'), `${JSON.stringify({ filename, sha256 })}\n`);
      });
    },
  };
}
