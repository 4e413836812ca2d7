/**
 * --clean: remove the files in DIR that this collection does not contain.
 * Only regular files at the top of DIR are candidates; the manifest, the
 * .lockhouse folder, other dot-files, folders and symlinks are never touched.
 */
import { readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { MANIFEST_FILE } from '../../output/manifest.js';
import type { OutputLayout } from './output-dir.js';

export async function cleanOutput(layout: OutputLayout, keep: ReadonlySet<string>): Promise<string[]> {
  const removed: string[] = [];
  for (const entry of await readdir(layout.dir, { withFileTypes: true })) {
    if (!entry.isFile() || entry.name.startsWith('.') || entry.name === MANIFEST_FILE || keep.has(entry.name)) continue;
    await unlink(join(layout.dir, entry.name));
    removed.push(entry.name);
  }
  return removed.sort();
}
