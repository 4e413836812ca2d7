/**
 * Temporary files that hash what they write, for DIR/.lockhouse/tmp (and
 * anywhere else a verified file is built before one rename puts it in place).
 *
 * - Opened with `wx` (O_CREAT|O_EXCL) under a fresh `<pid>-<random>.tmp`:
 *   never an existing file, never through a symlink planted at that name.
 * - Hashed in the same pass as written: every chunk goes to the hashers and
 *   to the file, in order, so the digests describe exactly the bytes on disk.
 * - Few syscalls, hashing and disk overlapped: chunks are copied into one of
 *   two 1 MiB buffers; a full buffer is written (one pwrite) while the other
 *   fills, and filling waits when both are busy — awaiting write() is the
 *   backpressure, and at most 2 MiB per file is in memory. write() resolves
 *   once the chunk is copied, so the caller may reuse its memory at once.
 * - Durability (`durable`, default on): finish() calls fdatasync before it
 *   resolves. Without it, a power cut after the rename can leave the final
 *   name pointing at a zero-length or zero-filled file (ext4 delayed
 *   allocation, XFS), and a re-run that trusts the manifest's size and mtime
 *   would keep it: a wrong file under a final name. With it, a crash can lose
 *   the rename (the file is simply missing) but not the bytes behind it. The
 *   directory is not synced after the rename: losing a rename loses a file,
 *   which the next run fetches again.
 * - Adopted (`adoptTempFile`): a file of bytes already written — a partial
 *   download an earlier run kept, claimed under a temporary name this
 *   process holds — is opened for writing after them, and its bytes are read
 *   through the hashers first, so the digests still describe the whole file
 *   on disk. (A hash state cannot be saved by one process and taken up by
 *   another: node:crypto's Hash.copy() works within a process only.)
 * - The directory gets the default mode (umask), not 0700: its files become
 *   the wheelhouse's (rename keeps the mode), they are public artifacts, and
 *   a cache shared by a group must stay usable by it; O_EXCL and unguessable
 *   names are what keep other writers out of a temporary file.
 */
import { constants } from 'node:fs';
import { mkdir, open, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Digests, type Algorithm } from './digest.js';
import { landFile } from './land.js';
import { errnoCode, reason, storeError } from './store-error.js';
import { newTempName, releaseTempName } from './temp-name.js';
import type { Actual, TempFile, TempFiles } from './types.js';
import { giveBack, POOLED_BUFFER_SIZE, takeBuffer } from './buffer-pool.js';

/** Bytes gathered before one write: HTTP bodies arrive in 16–64 KiB chunks. */
export const WRITE_BUFFER_SIZE = POOLED_BUFFER_SIZE;

export interface TempFilesOptions {
  /** fdatasync each file in finish() (default true). */
  readonly durable?: boolean;
}

export function createTempFiles(dir: string, options: TempFilesOptions = {}): TempFiles {
  const durable = options.durable ?? true;
  let made: Promise<void> | null = null;
  const ensureDir = (): Promise<void> => {
    made ??= mkdir(dir, { recursive: true }).then(
      () => undefined,
      (error: unknown) => {
        made = null;
        throw storeError('OUTPUT_NOT_WRITABLE', `cannot create ${dir}: ${reason(error)}`, { cause: error });
      },
    );
    return made;
  };

  async function openExclusive(label: string | undefined): Promise<{ path: string; handle: FileHandle }> {
    await ensureDir();
    for (let attempt = 0; ; attempt++) {
      const path = join(dir, newTempName(label));
      try {
        return { path, handle: await open(path, 'wx', 0o666) };
      } catch (error) {
        releaseTempName(path);
        const code = errnoCode(error);
        // EEXIST: a 72-bit name collided (never, in practice). ENOENT: the
        // directory was removed under us (by `rm -rf DIR/.lockhouse`): make it again.
        if (attempt < 2 && (code === 'EEXIST' || code === 'ENOENT')) {
          if (code === 'ENOENT') {
            made = null;
            await ensureDir();
          }
          continue;
        }
        throw storeError('OUTPUT_NOT_WRITABLE', `cannot create a temporary file in ${dir}: ${reason(error)}`, { cause: error });
      }
    }
  }

  return {
    dir,
    async create(algorithm, label) {
      const { path, handle } = await openExclusive(label);
      return new HashingTempFile(path, handle, algorithm, durable);
    },
  };
}

/**
 * A TempFile made of the bytes already at `path` — a temporary name this
 * process holds (temp-name.ts), such as a claimed partial download — read
 * through the hashers, with writes continuing after them. Never through a
 * link (O_NOFOLLOW), never anything but a regular file.
 */
export async function adoptTempFile(path: string, algorithm: Algorithm, options: TempFilesOptions = {}): Promise<TempFile> {
  const handle = await open(path, constants.O_RDWR | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw Object.assign(new Error(`${path} is not a regular file`), { code: 'ENOTREG', path });
    const file = new HashingTempFile(path, handle, algorithm, options.durable ?? true);
    await file.absorb(stats.size);
    return file;
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
}

type State = 'open' | 'failed' | 'finished' | 'moved' | 'discarded';

class HashingTempFile implements TempFile {
  readonly path: string;
  readonly #durable: boolean;
  readonly #digests: Digests;
  #handle: FileHandle | null;
  /** The buffer being filled, and the other one (being written, or free). */
  #current: Buffer | null = null;
  #other: Buffer | null = null;
  #fill = 0;
  /** Bytes handed to the disk (written or being written); the gathered ones follow them. */
  #flushed = 0;
  /** The write of the other buffer, if one is under way; it never rejects: a failure lands in #failure. */
  #inflight: Promise<void> | null = null;
  #failure: unknown = null;
  #state: State = 'open';
  #busy = false;
  #discarding: Promise<void> | null = null;

  constructor(path: string, handle: FileHandle, algorithm: Algorithm, durable: boolean) {
    this.path = path;
    this.#handle = handle;
    this.#digests = new Digests(algorithm);
    this.#durable = durable;
  }

  get bytesWritten(): number {
    return this.#flushed + this.#fill;
  }

  /** Hash the `size` bytes already in the file (adoptTempFile); writes then continue after them. */
  async absorb(size: number): Promise<void> {
    const buffer = takeBuffer();
    try {
      let position = 0;
      while (position < size) {
        const { bytesRead } = await this.#handle!.read(buffer, 0, Math.min(buffer.length, size - position), position);
        if (bytesRead === 0) break; // truncated meanwhile: what was read is what there is
        this.#digests.update(buffer.subarray(0, bytesRead));
        position += bytesRead;
      }
      // Anything past what was read (a file truncated or grown meanwhile) is cut, so the file is exactly what was hashed.
      await this.#handle!.truncate(position);
      this.#flushed = position;
    } finally {
      giveBack(buffer);
    }
  }

  write(chunk: Uint8Array): Promise<void> {
    return this.#guarded('write', ['open'], async () => {
      if (this.#failure !== null) throw this.#failure;
      this.#digests.update(chunk);
      // Copy into the buffer being filled; a full one goes to disk while the
      // next fills, so hashing and writing overlap (memcpy is ~10× faster than sha256).
      for (let offset = 0; offset < chunk.length; ) {
        this.#current ??= takeBuffer();
        const n = Math.min(chunk.length - offset, WRITE_BUFFER_SIZE - this.#fill);
        this.#current.set(n === chunk.length ? chunk : chunk.subarray(offset, offset + n), this.#fill);
        this.#fill += n;
        offset += n;
        if (this.#fill === WRITE_BUFFER_SIZE) await this.#flush();
      }
    });
  }

  restart(): Promise<void> {
    return this.#guarded('restart', ['open', 'failed'], async () => {
      // A write still under way must land before the truncate, not after it.
      await this.#inflight;
      this.#inflight = null;
      this.#failure = null;
      this.#fill = 0;
      this.#flushed = 0;
      this.#digests.reset();
      await this.#handle!.truncate(0);
      this.#state = 'open';
    });
  }

  finish(): Promise<Actual> {
    return this.#guarded('finish', ['open'], async () => {
      const handle = this.#handle!;
      if (this.#fill > 0) await this.#flush();
      await this.#settle();
      // No write is under way: the buffers go back before the fdatasync, so
      // files waiting on the disk hold no memory (only those still receiving do).
      giveBack(this.#current, this.#other);
      this.#current = this.#other = null;
      if (this.#durable) await handle.datasync();
      this.#handle = null;
      await handle.close();
      if (this.#state !== 'open') throw new Error(`TempFile.finish: ${this.path} was ${this.#state} meanwhile`);
      this.#state = 'finished';
      return this.#digests.result();
    });
  }

  /** One call at a time, in an allowed state; a failure leaves the file failed (until restart) and names the file. */
  async #guarded<T>(operation: string, allowed: readonly State[], body: () => Promise<T>): Promise<T> {
    this.#enter(operation, allowed);
    try {
      return await body();
    } catch (error) {
      this.#fail();
      throw this.#writeError(error);
    } finally {
      this.#busy = false;
    }
  }

  async moveTo(finalPath: string): Promise<void> {
    if (this.#state !== 'finished') throw new Error(`TempFile.moveTo: ${this.path} is ${this.#state}, not finished`);
    // One rename (land.ts): a symlink at finalPath is replaced, never written through.
    await landFile(this.path, finalPath);
    this.#state = 'moved';
  }

  discard(): Promise<void> {
    if (this.#state === 'moved') return Promise.resolve();
    this.#discarding ??= (async () => {
      this.#state = 'discarded';
      const handle = this.#handle;
      this.#handle = null;
      // A write still under way must end before its buffer is reused; close() waits for it too.
      await this.#inflight;
      await handle?.close().catch(() => undefined);
      giveBack(this.#current, this.#other);
      this.#current = this.#other = null;
      await unlink(this.path).catch((error: unknown) => {
        if (errnoCode(error) !== 'ENOENT') throw error;
      });
      releaseTempName(this.path);
    })();
    return this.#discarding;
  }

  /** Send the gathered bytes to disk once the previous write is done; fill the other buffer meanwhile. */
  async #flush(): Promise<void> {
    await this.#settle();
    const buffer = this.#current!;
    const length = this.#fill;
    const position = this.#flushed;
    this.#flushed += length;
    this.#fill = 0;
    this.#current = this.#other;
    this.#other = buffer;
    this.#inflight = writeFully(this.#handle!, buffer.subarray(0, length), position).catch((error: unknown) => {
      this.#failure ??= error;
    });
  }

  /** Wait for the write under way; throw what it failed with. */
  async #settle(): Promise<void> {
    if (this.#inflight) {
      await this.#inflight;
      this.#inflight = null;
    }
    if (this.#failure !== null) throw this.#failure;
  }

  /** A failed call leaves the file unusable until restart(); a discard stays a discard. */
  #fail(): void {
    if (this.#state === 'open') this.#state = 'failed';
  }

  #enter(operation: string, allowed: readonly State[]): void {
    if (!allowed.includes(this.#state)) throw new Error(`TempFile.${operation}: ${this.path} is ${this.#state}`);
    // The HTTP layer awaits each call; overlapping calls would interleave the
    // hash and the file differently, so they are a bug, reported as one.
    if (this.#busy) throw new Error(`TempFile.${operation}: called while another write, restart or finish is pending`);
    this.#busy = true;
  }

  #writeError(error: unknown): unknown {
    if (!errnoCode(error)) return error;
    return storeError('OUTPUT_NOT_WRITABLE', `cannot write ${this.path}: ${reason(error)}`, { cause: error });
  }
}

/** pwrite until every byte is written: a regular file may take fewer bytes than asked (a signal, a quota edge). */
async function writeFully(handle: FileHandle, data: Uint8Array, position: number): Promise<void> {
  for (let done = 0; done < data.length; ) {
    const { bytesWritten } = await handle.write(data, done, data.length - done, position + done);
    if (bytesWritten === 0) throw Object.assign(new Error(`write returned 0 bytes at offset ${position + done}`), { code: 'EIO' });
    done += bytesWritten;
  }
}
