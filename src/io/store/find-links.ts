/**
 * --find-links directories, indexed once per run: file name → the paths that
 * carry it, in the order the directories were given (the first is tried
 * first). One readdir per directory, whatever the number of files; no
 * recursion, as pip and uv read them.
 *
 * Symlinks are followed (one stat each): these are the user's own read-only
 * sources, farms of links into other wheelhouses are common, nothing is ever
 * written there, and every byte read from them is hashed against the lock
 * before it is used. Dangling links, directories and other non-files are
 * left out.
 */
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { LockhouseError } from '../../errors.js';
import { reason } from './store-error.js';

export type FindLinksIndex = ReadonlyMap<string, readonly string[]>;

export async function scanFindLinks(dirs: readonly string[]): Promise<FindLinksIndex> {
  const unique = [...new Set(dirs.map((dir) => resolve(dir)))];
  const listings = await Promise.all(unique.map(listFiles));
  const index = new Map<string, string[]>();
  for (const files of listings) {
    for (const [name, path] of files) {
      const paths = index.get(name);
      if (paths) paths.push(path);
      else index.set(name, [path]);
    }
  }
  return index;
}

async function listFiles(dir: string): Promise<Array<readonly [string, string]>> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    throw new LockhouseError('USAGE', `--find-links ${dir}: cannot read it as a directory: ${reason(error)}`, {
      cause: error,
      hint: 'pass an existing directory of wheels and sdists',
    });
  }
  const files = await Promise.all(
    entries.map(async (entry): Promise<readonly [string, string] | null> => {
      const path = join(dir, entry.name);
      if (entry.isFile()) return [entry.name, path];
      if (!entry.isSymbolicLink()) return null;
      const target = await stat(path).catch(() => null);
      return target?.isFile() ? [entry.name, path] : null;
    }),
  );
  return files.filter((file) => file !== null);
}
