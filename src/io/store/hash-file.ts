/**
 * Reading local files through the hasher: hashing a file in place (an
 * existing file in DIR, a cache entry) and copying one into a TempFile
 * (--find-links, a `path` source), which hashes as it writes. Reads are
 * 1 MiB and double-buffered: the next read is in flight while the current
 * chunk is hashed or written, so hashing and I/O overlap.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { Digests, type Algorithm } from './digest.js';
import { hashFileInWorker } from './hash-pool.js';
import type { DownloadSink } from '../http/types.js';
import type { Actual } from './types.js';

export const READ_SIZE = 1 << 20;

export interface ReadOptions {
  /**
   * Refuse a symlink at `path` (ELOOP) instead of reading its target: for
   * files in DIR and in the cache, where lockhouse never follows links.
   * (O_NOFOLLOW; on Windows, where it does not exist, links are followed.)
   */
  readonly noFollow?: boolean;
}

/**
 * Open a regular file for reading, or throw with code ENOTREG (errno-style,
 * as fs's own ENOENT: not a lockhouse code, see src/errors.ts). O_NONBLOCK
 * keeps open() from hanging on a FIFO planted where a file was expected; it
 * changes nothing for regular files.
 */
export async function openRegularFile(path: string, options: ReadOptions = {}): Promise<{ handle: FileHandle; size: number }> {
  const flags = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (options.noFollow ? (constants.O_NOFOLLOW ?? 0) : 0);
  const handle = await open(path, flags);
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw Object.assign(new Error(`${path} is not a regular file`), { code: 'ENOTREG', path });
    return { handle, size: stats.size };
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
}

/**
 * Call `consume` with each chunk of the file, in order; the chunk's memory is
 * reused once `consume` resolves. `sizeHint` (the file's size) keeps small
 * files from costing two 1 MiB buffers each.
 */
async function readChunks(handle: FileHandle, consume: (chunk: Buffer) => void | Promise<void>, sizeHint = READ_SIZE): Promise<number> {
  const size = Math.max(4096, Math.min(READ_SIZE, sizeHint));
  let current = Buffer.allocUnsafe(size);
  let spare = Buffer.allocUnsafe(size);
  let position = 0;
  let pending = handle.read(current, 0, size, position);
  try {
    for (;;) {
      const { bytesRead } = await pending;
      if (bytesRead === 0) return position;
      const chunk = current.subarray(0, bytesRead);
      position += bytesRead;
      // Start the next read into the other buffer before using this one.
      [current, spare] = [spare, current];
      pending = handle.read(current, 0, size, position);
      await consume(chunk);
    }
  } finally {
    // A read still in flight when `consume` threw: let it settle quietly.
    await pending.catch(() => undefined);
  }
}

/** sha256 (and `algorithm`'s digest) and size of a file, streamed: by a hashing thread where there is one (hash-pool.ts). */
export async function hashFile(path: string, algorithm: Algorithm, options: ReadOptions = {}): Promise<Actual> {
  const inWorker = await hashFileInWorker(path, algorithm, options.noFollow ?? false);
  if (inWorker) return inWorker;
  const { handle, size } = await openRegularFile(path, options);
  try {
    const digests = new Digests(algorithm);
    await readChunks(handle, (chunk) => digests.update(chunk), size);
    return digests.result();
  } finally {
    await handle.close();
  }
}

/** One hex digest of any algorithm node:crypto knows (md5 and sha1 for --allow-weak-hashes). */
export async function digestFile(path: string, algorithm: string, options: ReadOptions = {}): Promise<string> {
  const { handle, size } = await openRegularFile(path, options);
  try {
    const hash = createHash(algorithm);
    await readChunks(handle, (chunk) => void hash.update(chunk), size);
    return hash.digest('hex');
  } finally {
    await handle.close();
  }
}

/** Stream a local file into a sink (a TempFile hashes it on the way); symlinks at `srcPath` are followed unless `noFollow`. */
export async function copyThrough(srcPath: string, sink: DownloadSink, options: ReadOptions = {}): Promise<void> {
  const { handle, size } = await openRegularFile(srcPath, options);
  try {
    await readChunks(handle, (chunk) => sink.write(chunk), size);
  } finally {
    await handle.close();
  }
}
