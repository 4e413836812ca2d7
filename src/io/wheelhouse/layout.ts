/**
 * The names a wheelhouse (DIR) is made of, in one place:
 *
 *   DIR/                       the files (flat layout, for pip --find-links)
 *   DIR/files/ + DIR/simple/   the files and a static PEP 503/691 index (simple layout)
 *   DIR/lockhouse.json         the manifest
 *   DIR/.lockhouse/            lockhouse's own state:
 *     tmp/                     files being written (DIR's filesystem: one rename puts them in place)
 *     partial/                 downloads stopped part-way, kept for the next run to resume (io/store/partials.ts)
 *     build/                   the build frontends' work folders
 *     logs/                    build logs
 *     sdists/                  sdists kept only to be built, when there is no cache
 *     git-v1/                  git checkouts, when there is no cache
 *
 * and the one rule that tells the layout of an existing DIR — including a
 * bundle extracted into DIR (`python3 NAME.pyz extract DIR`, or a delta's
 * update of one), whose files are in DIR/wheels.
 */
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { MANIFEST_FILE } from '../../output/manifest.js';
import { SIMPLE_DIR } from '../../output/simple-index.js';
import { WHEELS_DIR } from '../../output/bundle-contents.js';
import type { Manifest } from '../../output/manifest.js';

export { MANIFEST_FILE, SIMPLE_DIR };

export type LayoutKind = 'flat' | 'simple';

/** The simple layout's folder of files. */
export const FILES_DIR = 'files';
/** lockhouse's state folder in DIR. */
export const STATE_DIR = '.lockhouse';

/** The folders of DIR/.lockhouse, by what they hold. */
export const STATE = {
  tmp: 'tmp',
  partial: 'partial',
  build: 'build',
  logs: 'logs',
  sdists: 'sdists',
  git: 'git-v1',
} as const;
export type StateFolder = keyof typeof STATE;

/** DIR/.lockhouse/<folder>. */
export function statePath(dir: string, folder: StateFolder): string {
  return join(dir, STATE_DIR, STATE[folder]);
}

/** Where the files are for a layout: DIR, or DIR/files. */
export function filesDirOf(dir: string, layout: LayoutKind): string {
  return layout === 'simple' ? join(dir, FILES_DIR) : dir;
}

/**
 * The layout of an existing DIR: what its manifest says (no `layout`: flat);
 * with no manifest, a DIR/files entry means the simple layout.
 */
export async function detectLayout(dir: string, manifest: { readonly layout?: LayoutKind | undefined } | null): Promise<LayoutKind> {
  if (manifest) return manifest.layout ?? 'flat';
  return (await lstat(join(dir, FILES_DIR)).catch(() => null)) ? 'simple' : 'flat';
}

/**
 * Where an existing DIR holds its files, for a reader: DIR/wheels when DIR
 * is an extracted bundle — its manifest says every file came from a bundle
 * (origin "bundle") and DIR/wheels is a real folder — else by its layout.
 */
export async function existingFilesDir(dir: string, manifest: Manifest | null, layout: LayoutKind): Promise<string> {
  if (manifest && !manifest.layout && manifest.artifacts.every((artifact) => artifact.origin === 'bundle')) {
    const wheels = await lstat(join(dir, WHEELS_DIR)).catch(() => null);
    if (wheels?.isDirectory()) return join(dir, WHEELS_DIR);
  }
  return filesDirOf(dir, layout);
}
