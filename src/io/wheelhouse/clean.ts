/**
 * --clean: remove the files in the artifacts' folder (DIR, or DIR/files for
 * the simple layout) that this collection does not contain. Only regular
 * files at its top are candidates; the manifest, the .lockhouse folder,
 * other dot-files, folders, symlinks and the files this run emits are never
 * touched. A static index's `<wheel>.metadata` stays while its wheel does.
 */
import { readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { MANIFEST_FILE } from './layout.js';

export async function cleanOutput(filesDir: string, keep: ReadonlySet<string>): Promise<string[]> {
  const removed: string[] = [];
  for (const entry of await readdir(filesDir, { withFileTypes: true })) {
    if (!entry.isFile() || entry.name.startsWith('.') || entry.name === MANIFEST_FILE || keep.has(entry.name)) continue;
    if (entry.name.endsWith('.metadata') && keep.has(entry.name.slice(0, -'.metadata'.length))) continue;
    await unlink(join(filesDir, entry.name));
    removed.push(entry.name);
  }
  return removed.sort();
}
