/**
 * The output directory: DIR itself, DIR/.lockhouse/tmp for files being
 * written (same filesystem, so the final rename is atomic), the manifest's
 * path, and safe joining of file names. Stale temporary files of killed
 * runs are swept at the start.
 */
import { join } from 'node:path';
import { MANIFEST_FILE } from '../../output/manifest.js';
import { FILES_DIR } from '../index-dir.js';
import { mkdirSync } from 'node:fs';
import { outputPath, ensureOutputDir, ensureRealDir, STATE_DIR } from '../../io/store/safe-paths.js';
import { sweepTemps } from '../../io/store/sweep.js';
import { createTempFiles } from '../../io/store/temp-files.js';
import type { TempFiles } from '../../io/store/types.js';

export { FILES_DIR };

export type LayoutKind = 'flat' | 'simple';

export interface OutputLayout {
  readonly dir: string;
  readonly kind: LayoutKind;
  /** Where the artifacts go: DIR itself (flat), or DIR/files (simple, beside the DIR/simple index). */
  readonly filesDir: string;
  readonly tmp: string;
  readonly manifest: string;
  readonly temps: TempFiles;
  /** The artifact's path (DIR/<filename>, or DIR/files/<filename>), after checking the name is a plain file name. */
  pathFor(filename: string): string;
  /** DIR/.lockhouse/<folder>/<filename> (the folder is made): lockhouse's own files, e.g. sdists kept only to be built when there is no cache. */
  statePath(folder: string, filename: string): string;
  /** Temporary files swept at the start (left by killed runs). */
  readonly swept: readonly string[];
}


const DAY = 24 * 60 * 60 * 1000;

export async function outputLayout(dir: string, kind: LayoutKind = 'flat'): Promise<OutputLayout> {
  await ensureOutputDir(dir);
  const filesDir = kind === 'simple' ? join(dir, FILES_DIR) : dir;
  // A symlink planted at DIR/files is refused, never written through.
  if (kind === 'simple') await ensureRealDir(filesDir);
  const tmp = join(dir, '.lockhouse', 'tmp');
  // A dead writer's files go at once: a killed run's leftovers, never a live run's.
  const swept = await sweepTemps(tmp, { olderThanMs: DAY, deadGraceMs: 0 });
  return {
    dir,
    kind,
    filesDir,
    tmp,
    manifest: join(dir, MANIFEST_FILE),
    temps: createTempFiles(tmp),
    pathFor: (filename) => outputPath(filesDir, filename),
    statePath: (folder, filename) => {
      const sub = join(dir, STATE_DIR, folder);
      mkdirSync(sub, { recursive: true });
      return outputPath(sub, filename);
    },
    swept,
  };
}

/** Write a small file (the manifest) through a temporary file and one rename. */
export async function writeFileAtomic(layout: OutputLayout, path: string, text: string): Promise<void> {
  const temp = await layout.temps.create('sha256');
  try {
    await temp.write(Buffer.from(text, 'utf8'));
    await temp.finish();
    await temp.moveTo(path);
  } finally {
    await temp.discard();
  }
}
