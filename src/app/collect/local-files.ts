/**
 * Where a collect may read the local files and projects a lock names (the
 * rule is plan/jobs.ts `LocalFiles`; this finds its roots on disk): the
 * lock's folder, the `--project` folder, and the repository that holds the
 * lock — the nearest folder above the lock with a `.git` (a folder, or the
 * file a worktree or submodule has) or `.hg` — so that a monorepo's
 * `../libs/x`, as uv writes it, is read. Every root with its symbolic links
 * resolved, as every path is before it is judged. `--allow-outside-paths`:
 * no rule.
 */
import { lstatSync, realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { LocalFiles } from '../../plan/jobs.js';

export function localFilesRule(lockDir: string, projectDir: string, allowOutside: boolean): LocalFiles | null {
  if (allowOutside) return null;
  const roots = new Set([realPath(lockDir), realPath(projectDir)]);
  const repository = repositoryOf(realPath(lockDir));
  if (repository) roots.add(repository);
  return { roots: [...roots], realPath };
}

/** `path` (absolute) with its symbolic links resolved, as far as it exists; what does not exist is appended as written. */
export function realPath(path: string): string {
  try {
    return realpathSync.native(path);
  } catch {
    const parent = dirname(path);
    return parent === path ? path : join(realPath(parent), basename(path));
  }
}

/** The nearest folder from `dir` up that holds `.git` or `.hg`, or null. */
function repositoryOf(dir: string): string | null {
  for (let at = dir; ; at = dirname(at)) {
    if (['.git', '.hg'].some((name) => exists(join(at, name)))) return at;
    if (dirname(at) === at) return null;
  }
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
