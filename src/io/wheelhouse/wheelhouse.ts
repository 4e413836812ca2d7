/**
 * A wheelhouse opened for writing (collect, bundle's staging): DIR made,
 * DIR/.lockhouse and its tmp real directories (never a planted link), a
 * killed run's leftovers swept, the previous manifest read, and every path
 * inside DIR handed out from here — the artifacts' folder by layout, the
 * state folders, safe joining of file names from the lock.
 */
import { mkdirSync } from 'node:fs';
import type { Manifest } from '../../output/manifest.js';
import { logPathFor } from '../build/build-log.js';
import { sweepCache } from '../store/cache.js';
import { sweepLeftovers } from '../store/sweep.js';
import { createTempFiles } from '../store/temp-files.js';
import type { TempFiles } from '../store/types.js';
import { filesDirOf, statePath, type LayoutKind, type StateFolder } from './layout.js';
import { manifestPath, readManifestFile, writeManifestFile, type ManifestRead } from './manifest-file.js';
import { ensureOutputDir, ensureRealDir, outputPath } from './safe-paths.js';

export interface Wheelhouse {
  /** DIR, absolute. */
  readonly dir: string;
  readonly layout: LayoutKind;
  /** Where the artifacts go: DIR itself (flat), or DIR/files (simple, beside the DIR/simple index). */
  readonly filesDir: string;
  /** DIR/.lockhouse/tmp: files being written, on DIR's filesystem. */
  readonly tmp: string;
  readonly manifestPath: string;
  /** Hashing temporary files in DIR/.lockhouse/tmp. */
  readonly temps: TempFiles;
  /** The manifest the last run left, or why there is none. */
  readonly previous: ManifestRead;
  /** Leftovers of killed runs swept at the start. */
  readonly swept: readonly string[];
  /** The artifact's path (DIR/<filename>, or DIR/files/<filename>), after checking the name is a plain file name. */
  pathFor(filename: string): string;
  /** DIR/.lockhouse/<folder> (not made). */
  stateDir(folder: StateFolder): string;
  /** DIR/.lockhouse/<folder>/<filename>, the folder made: e.g. an sdist kept only to be built when there is no cache. */
  stateFile(folder: StateFolder, filename: string): string;
  /** DIR/.lockhouse/logs/<name>-<version>.log */
  logPath(name: string, version: string | null): string;
  writeManifest(manifest: Manifest): Promise<string>;
}

export async function openWheelhouse(dir: string, layout: LayoutKind = 'flat'): Promise<Wheelhouse> {
  const { root, state, tmp } = await ensureOutputDir(dir);
  const filesDir = filesDirOf(root, layout);
  // A symlink planted at DIR/files is refused, never written through.
  if (layout === 'simple') await ensureRealDir(filesDir);
  // A killed run's leftovers: temporary files (tmp/), build work folders
  // (build/), and git checkouts being made (git-v1/<url>/, kept in DIR when
  // there is no cache, in the cache's own layout: sweepCache).
  const swept = [...(await sweepCache(state)), ...(await sweepLeftovers(statePath(root, 'build')))].sort();
  const previous = await readManifestFile(root);
  return {
    dir: root,
    layout,
    filesDir,
    tmp,
    manifestPath: manifestPath(root),
    temps: createTempFiles(tmp),
    previous,
    swept,
    pathFor: (filename) => outputPath(filesDir, filename),
    stateDir: (folder) => statePath(root, folder),
    stateFile: (folder, filename) => {
      const sub = statePath(root, folder);
      mkdirSync(sub, { recursive: true });
      return outputPath(sub, filename);
    },
    logPath: (name, version) => logPathFor(statePath(root, 'logs'), name, version),
    writeManifest: (manifest) => writeManifestFile(root, manifest),
  };
}
