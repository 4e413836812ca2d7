/**
 * Built wheels, kept by what they were built from — (sdist sha256 or git
 * commit, interpreter, frontend, isolation) — so a re-run, or another
 * wheelhouse, builds nothing again. `<cache>/builds-v1/<key>/` holds the
 * wheel and `info.json` (its sha256); an entry is made in a temporary
 * folder and renamed into place whole, and hashed when read.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { copyFile, link } from 'node:fs/promises';
import { hashFile } from '../../io/store/index.js';

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
  const base = join(root, 'builds-v1');
  return {
    async get(key) {
      const dir = join(base, key.slice(0, 2), key);
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
      const parent = join(base, key.slice(0, 2));
      await mkdir(parent, { recursive: true });
      const staging = await mkdtemp(join(parent, `.${key}-`));
      try {
        await link(wheel, join(staging, filename)).catch(() => copyFile(wheel, join(staging, filename)));
        await writeFile(join(staging, 'info.json'), `${JSON.stringify({ filename, sha256 })}\n`);
        await rename(staging, join(parent, key)).catch(async (error: NodeJS.ErrnoException) => {
          // Another run put the same build first: the key is the content.
          if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
        });
      } finally {
        await rm(staging, { recursive: true, force: true });
      }
    },
  };
}

/** Files a frontend left in its output folder. */
export async function wheelsIn(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.endsWith('.whl'));
}
