/**
 * The shared corpora of real locks (../shared/corpus, ../shared/corpus-uvexport
 * beside the repository). Tests that read them skip, saying so, where they
 * are absent; they are other projects' data and never copied into the repo.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '..', '..');
export const corpusDir = resolve(repoRoot, '..', 'shared', 'corpus');
export const uvExportDir = resolve(repoRoot, '..', 'shared', 'corpus-uvexport');

export function corpusAvailable(dir: string = corpusDir): boolean {
  return existsSync(dir) && statSync(dir).isDirectory();
}

export interface CorpusLock {
  /** "owner__repo" directory name. */
  readonly name: string;
  /** The lock file name inside it: uv.lock, pylock.toml, pylock.minimal.toml … */
  readonly file: string;
  readonly path: string;
  readonly dir: string;
}

const isLockName = (file: string): boolean => file === 'uv.lock' || /^pylock(\.[^.]+)?\.toml$/.test(file);

/** Every uv.lock and pylock*.toml under a corpus directory, in a stable order. */
export function corpusLocks(dir: string = corpusDir): CorpusLock[] {
  if (!corpusAvailable(dir)) return [];
  const locks: CorpusLock[] = [];
  for (const name of readdirSync(dir).sort()) {
    const sub = join(dir, name);
    if (!statSync(sub).isDirectory()) continue;
    for (const file of readdirSync(sub).sort()) {
      if (isLockName(file)) locks.push({ name, file, path: join(sub, file), dir: sub });
    }
  }
  return locks;
}
