/**
 * The re-run trust rule: a file lockhouse wrote into DIR is taken as
 * unchanged, without hashing it, when its size and mtime are what the
 * manifest recorded right after the rename (unless --verify). mtime is
 * compared exactly (a float in ms survives JSON unchanged); ctime is not
 * used, because hardlinking a cache entry into another DIR changes the
 * ctime of every link. Pass lstat's answer: a symlink at the name is never
 * trusted. Collect, its builds, and the static index all decide by this.
 */
import type { Stats } from 'node:fs';
import { lstat } from 'node:fs/promises';

export interface Recorded {
  readonly size: number;
  readonly mtimeMs: number;
}

/** What to record in the manifest for a file just written. */
export function recordOf(stats: Stats): Recorded {
  return { size: stats.size, mtimeMs: stats.mtimeMs };
}

export function isUnchanged(recorded: Recorded, stats: Stats): boolean {
  return stats.isFile() && stats.size === recorded.size && stats.mtimeMs === recorded.mtimeMs;
}

/** lstat `path` and compare; a missing file is not unchanged. */
export async function isTrusted(path: string, recorded: Recorded): Promise<boolean> {
  const stats = await lstat(path).catch(() => null);
  return stats !== null && isUnchanged(recorded, stats);
}
