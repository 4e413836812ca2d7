/**
 * Removing temporary files that killed runs left behind (cacache's
 * `cleanTmp` step, run at start-up rather than trusting cleanup after a
 * crash). Two collects may share DIR or a cache, so a live writer's files
 * are never touched. The rules, for each `*.tmp` file:
 *
 * - held by this process (see temp-name.ts): kept;
 * - `<pid>-…` with a dead pid: removed once untouched for `deadGraceMs`
 *   (default 1 min). The grace covers writers in another pid namespace (two
 *   containers sharing a cache mount) whose pid means nothing here: a live
 *   writer touches its file with every write;
 * - otherwise (a live pid, or a name without one): removed once untouched
 *   for `olderThanMs` (default a day) — a pid can be reused after a reboot
 *   or in a new container, and no write stalls for a day.
 */
import type { Dirent } from 'node:fs';
import { lstat, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode } from './store-error.js';
import { isHeldTempName, tempNamePid } from './temp-name.js';

export const DAY_MS = 24 * 60 * 60 * 1000;

export interface SweepOptions {
  /** Age after which any temporary file goes (default a day). */
  readonly olderThanMs?: number;
  /** Age after which a dead writer's file goes (default 60 s; 0 for at once). */
  readonly deadGraceMs?: number;
  /** Now, in ms (tests). */
  readonly now?: number;
  /** Is this pid a live process? (default: signal 0). */
  readonly isAlive?: (pid: number) => boolean;
}

/** Remove stale temporary files in `dir`; returns the paths removed (for a debug log). A missing dir is empty. */
export async function sweepTemps(dir: string, options: SweepOptions = {}): Promise<string[]> {
  const olderThanMs = options.olderThanMs ?? DAY_MS;
  const deadGraceMs = options.deadGraceMs ?? 60_000;
  const now = options.now ?? Date.now();
  const isAlive = options.isAlive ?? isProcessAlive;

  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return [];
    throw error;
  }
  const removed: string[] = [];
  await Promise.all(
    entries.map(async (entry) => {
      if (!entry.name.endsWith('.tmp') || entry.isDirectory() || isHeldTempName(entry.name)) return;
      const path = join(dir, entry.name);
      const stats = await lstat(path).catch(() => null);
      if (!stats || stats.isDirectory()) return;
      const age = now - stats.mtimeMs;
      const pid = tempNamePid(entry.name);
      const stale = age >= olderThanMs || (pid !== null && age >= deadGraceMs && !isAlive(pid));
      if (!stale) return;
      try {
        await unlink(path);
        removed.push(path);
      } catch (error) {
        // Another sweeper got there first, or it is not ours to remove.
        if (errnoCode(error) !== 'ENOENT' && errnoCode(error) !== 'EACCES' && errnoCode(error) !== 'EPERM') throw error;
      }
    }),
  );
  return removed.sort();
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
