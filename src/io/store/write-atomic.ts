/**
 * Write a small text file (an emitted lock, an index page) so that a reader
 * sees the old file or the new one, never a part: a temporary file in the
 * same folder, flushed to disk, then one rename over the final name. A
 * symlink at the final name is replaced, never written through. The folder
 * is made if missing.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { reason, storeError } from './store-error.js';

export async function writeTextAtomic(path: string, text: string): Promise<void> {
  const folder = dirname(path);
  const temp = join(folder, `.${basename(path)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    await mkdir(folder, { recursive: true });
    const handle = await open(temp, 'wx', 0o644);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw storeError('OUTPUT_NOT_WRITABLE', `cannot write ${path}: ${reason(error)}`, { cause: error });
  }
}
