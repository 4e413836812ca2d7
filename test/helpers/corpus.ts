/**
 * The shared corpora of real locks (../shared/corpus, ../shared/corpus-uvexport
 * beside the repository, or under $LOCKHOUSE_SHARED_DIR). Tests that read
 * them skip, saying so, where they are absent; they are other projects' data
 * and never copied into the repo.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '..', '..');
export const sharedDir = resolve(process.env['LOCKHOUSE_SHARED_DIR'] ?? resolve(repoRoot, '..', 'shared'));
export const corpusDir = resolve(sharedDir, 'corpus');
export const uvExportDir = resolve(sharedDir, 'corpus-uvexport');

const warned = new Set<string>();

/** Is the corpus there? When it is not, say so once on stderr: a skipped test must say why. */
export function corpusAvailable(dir: string = corpusDir): boolean {
  const there = existsSync(dir) && statSync(dir).isDirectory();
  if (!there && !warned.has(dir)) {
    warned.add(dir);
    console.warn(`lockhouse tests: ${dir} is absent; the tests that read it are skipped (set LOCKHOUSE_SHARED_DIR to its parent)`);
  }
  return there;
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
