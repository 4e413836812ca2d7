/**
 * Removing what killed runs left behind — temporary files, staging and work
 * folders, all named by temp-name.ts — at start-up rather than trusting
 * cleanup after a crash (cacache's `cleanTmp` step). Two runs may share DIR
 * or a cache, even from two containers with their own pid spaces, so one
 * rule serves every folder and every kind of leftover:
 *
 * - a name this process holds: kept;
 * - a dead writer's (its pid is no live process here): removed once nothing
 *   in it was touched for a minute (GRACE_MS). The grace covers writers in
 *   another pid namespace, whose pid means nothing here: a live writer
 *   touches its file with every write, and its folder's contents as it works;
 * - anything else (a live pid, which may be reused after a reboot or in a
 *   new container): removed once untouched for a day (DAY_MS) — no write
 *   stalls for a day.
 *
 * Names that are not temporary names are never touched, and links are
 * never followed: a folder is judged by the newest mtime inside it (lstat),
 * and removed whole.
 *
 * One kind of leftover is worth more than its space: a download's
 * temporary file in DIR/.lockhouse/tmp, labeled with the hash its file
 * must have. The same rule says when its writer is gone (`isAbandoned`),
 * but it is then kept as a partial download for the next run to resume
 * (partials.ts), and removed only when a day old or no longer wanted.
 * Those labeled names are not this sweep's: it takes unlabeled names, or
 * the one label it is given.
 */
import type { Dirent } from 'node:fs';
import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode } from './store-error.js';
import { isHeldTempName, parseTempName } from './temp-name.js';

export const GRACE_MS = 60_000;
export const DAY_MS = 24 * 60 * 60 * 1000;

export interface SweepOptions {
  /** Sweep only names with this label (`.<label>.<pid>-….tmp`), for a folder that is not lockhouse's own; default: unlabeled names only. */
  readonly label?: string;
  /** Now, in ms (tests). */
  readonly now?: number;
  /** Is this pid a live process? (tests; default: signal 0). */
  readonly isAlive?: (pid: number) => boolean;
}

/** Remove the leftovers in `dir` the rule above condemns; returns their paths, sorted (for a debug log). A missing dir is empty. */
export async function sweepLeftovers(dir: string, options: SweepOptions = {}): Promise<string[]> {
  const now = options.now ?? Date.now();
  const isAlive = options.isAlive ?? isProcessAlive;
  const label = options.label ?? null;
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return [];
    throw error;
  }
  const removed: string[] = [];
  await Promise.all(
    entries.map(async (entry) => {
      const parsed = parseTempName(entry.name);
      if (!parsed || parsed.label !== label || isHeldTempName(entry.name)) return;
      const path = join(dir, entry.name);
      const kept = (touched: number): boolean => !isAbandoned(parsed.pid, touched, now, isAlive);
      // The entry's own mtime first: a folder is walked only when that alone would condemn it.
      const own = await lstat(path).catch(() => null);
      if (!own || kept(own.mtimeMs)) return;
      const touched = own.isDirectory() ? await newestMtime(path) : own.mtimeMs;
      if (touched === null || kept(touched)) return;
      try {
        await rm(path, { recursive: true, force: true });
        removed.push(path);
      } catch (error) {
        // Not ours to remove (another user's, in a shared cache): it stays.
        if (errnoCode(error) !== 'EACCES' && errnoCode(error) !== 'EPERM') throw error;
      }
    }),
  );
  return removed.sort();
}

/** The rule: has the writer `pid` of a leftover last touched at `touched` (ms) gone — dead and a minute untouched, or a day untouched whoever it was? */
export function isAbandoned(pid: number, touched: number, now: number, isAlive: (pid: number) => boolean = isProcessAlive): boolean {
  return now - touched >= DAY_MS || (now - touched >= GRACE_MS && !isAlive(pid));
}

/** The newest mtime of `path` and, for a folder, of everything in it (links not followed); null when it vanished. */
async function newestMtime(path: string): Promise<number | null> {
  const stats = await lstat(path).catch(() => null);
  if (!stats) return null;
  let newest = stats.mtimeMs;
  if (!stats.isDirectory()) return newest;
  const entries = await readdir(path, { withFileTypes: true }).catch(() => [] as Dirent[]);
  for (const entry of entries) {
    const inner = await newestMtime(join(path, entry.name));
    if (inner !== null && inner > newest) newest = inner;
  }
  return newest;
}

/** Signal 0 checks without signalling: ESRCH means no such process; EPERM means one we may not signal (alive). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoCode(error) === 'EPERM';
  }
}
