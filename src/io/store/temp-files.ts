/**
 * Temporary files that hash what they write, for DIR/.lockhouse/tmp (and
 * anywhere else a verified file is built before one rename puts it in place).
 *
 * - Opened with `wx` (O_CREAT|O_EXCL) under a fresh `<pid>-<random>.tmp`:
 *   never an existing file, never through a symlink planted at that name.
 * - Hashed as written, in file order, so the digests describe exactly the
 *   bytes in the file. Where: on this thread, each buffer as it goes to
 *   disk; once a file passes 32 MiB, on a hashing thread (hash-pool.ts
 *   openStreamHasher) when the pool has one: the thread reads the file back
 *   through its descriptor from the first byte (the page cache still holds
 *   them) and then each span as its write lands, so no byte is copied
 *   between threads and this thread only receives and writes. Only large
 *   files: for the many small and middling files of a lock the messages and
 *   the second read cost more CPU than the hashing saved on two cores
 *   (docs/performance.md). The thread is handed the bytes in spans of 8 MiB and may be at most 8 spans behind (writes
 *   wait beyond that); if it stops, finish() hashes the whole file again
 *   here, from disk.
 * - Few syscalls, hashing and disk overlapped: chunks are copied into one of
 *   two 1 MiB buffers; a full buffer is written (one pwrite) while the other
 *   fills, and filling waits when both are busy — awaiting write() is the
 *   backpressure, and at most 2 MiB per file is in memory. write() resolves
 *   once the chunk is copied, so the caller may reuse its memory at once.
 * - Durability (`durable`, default on): finish() calls fdatasync before it
 *   resolves, and a large file gets one in the background every 64 MiB
 *   written, so the last has only the tail to flush (a 2 GiB file waited
 *   about a second in it without them; docs/performance.md). Without it, a power cut after the rename can leave the final
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
import { openStreamHasher, StreamHashLost, type StreamHasher } from './hash-pool.js';
import { BackgroundSync } from './background-sync.js';

/** Bytes gathered before one write: HTTP bodies arrive in 16–64 KiB chunks. */
export const WRITE_BUFFER_SIZE = POOLED_BUFFER_SIZE;

export interface TempFilesOptions {
  /** fdatasync each file in finish() (default true), and every `syncEveryBytes` while it is written. */
  readonly durable?: boolean;
  /** Bytes between background fdatasyncs of a durable file (default SYNC_EVERY_BYTES). */
  readonly syncEveryBytes?: number;
  /** Where files larger than one write buffer are hashed (default: a hashing thread, openStreamHasher; null: here). */
  readonly hasher?: (algorithm: Algorithm) => StreamHasher | null;
}

export function createTempFiles(dir: string, options: TempFilesOptions = {}): TempFiles {
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
        // Read and write: a hashing thread reads each span back through this descriptor.
        return { path, handle: await open(path, 'wx+', 0o666) };
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
      return new HashingTempFile(path, handle, algorithm, options);
    },
  };
}

/**
 * A TempFile made of the bytes already at `path` — a temporary name this
 * process holds (temp-name.ts), such as a claimed partial download — read
 * through the hashers, with writes continuing after them. Never through a
 * link (O_NOFOLLOW), never anything but a regular file.
 */
export async function adoptTempFile(path: string, algorithm: Algorithm, options: TempFilesOptions = {}): Promise<AdoptedTempFile> {
  const handle = await open(path, constants.O_RDWR | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw Object.assign(new Error(`${path} is not a regular file`), { code: 'ENOTREG', path });
    const file = new HashingTempFile(path, handle, algorithm, options);
    await file.absorb(stats.size);
    return file;
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
}

/** An adopted file, which the thread it was lent to releases when done with it (HashingTempFile.release). */
export type AdoptedTempFile = TempFile & { release(): Promise<Actual | null> };

type State = 'open' | 'failed' | 'finished' | 'moved' | 'discarded' | 'lent' | 'released';

/** Where a file's bytes are hashed (see the header). */
type Mode = 'here' | 'thread';

/** Bytes from which a file is hashed on a hashing thread instead of this one (see the header). */
export const THREAD_HASH_FROM = 32 * 2 ** 20;

/** Spans handed to a hashing thread and not yet hashed, per file: the write path waits beyond it. */
export const RANGES_AHEAD = 8;

/**
 * Bytes written before they are handed to the hashing thread as one span: a
 * message per write buffer (1 MiB) cost more on the main thread than the
 * hashing it saved (postMessage measured ~0.4 ms each here).
 */
export const SPAN_BYTES = 8 * 2 ** 20;

/** Bytes written between two fdatasyncs started in the background (see the header). */
export const SYNC_EVERY_BYTES = 64 * 2 ** 20;

class HashingTempFile implements TempFile {
  readonly path: string;
  readonly #durable: boolean;
  readonly #algorithm: Algorithm;
  readonly #openHasher: (algorithm: Algorithm) => StreamHasher | null;
  readonly #sync: BackgroundSync;
  #digests: Digests;
  #mode: Mode = 'here';
  /** A hashing thread was asked for (once per file: the pool may have none). */
  #asked = false;
  #hasher: StreamHasher | null = null;
  /** The hashing thread stopped: finish() hashes the file from its first byte, here. */
  #rehash = false;
  /** Where the bytes handed to the hashing thread end. */
  #handedTo = 0;
  /** Spans handed to the hashing thread and not yet hashed, oldest first; they never reject. */
  #ranges: Array<Promise<void>> = [];
  #handle: FileHandle | null;
  /** The buffer being filled, and the other one (being written, or free). */
  #current: Buffer | null = null;
  #other: Buffer | null = null;
  #fill = 0;
  /** Bytes handed to the disk (written or being written); the gathered ones follow them. */
  #flushed = 0;
  /** The write of the other buffer, if one is under way; it never rejects: a failure lands in #failure. */
  #inflight: Promise<void> | null = null;
  /** Where the last background fdatasync began, and that fdatasync while it runs. */
  #failure: unknown = null;
  #state: State = 'open';
  #busy = false;
  #discarding: Promise<void> | null = null;
  /** The digests the thread a file was lent to found (reclaim). */
  #reclaimed: Actual | null = null;

  constructor(path: string, handle: FileHandle, algorithm: Algorithm, options: TempFilesOptions) {
    this.path = path;
    this.#handle = handle;
    this.#algorithm = algorithm;
    this.#digests = new Digests(algorithm);
    this.#durable = options.durable ?? true;
    this.#openHasher = options.hasher ?? openStreamHasher;
    this.#sync = new BackgroundSync(options.syncEveryBytes ?? SYNC_EVERY_BYTES, (error) => {
      this.#failure ??= error;
    });
  }

  get bytesWritten(): number {
    return this.#flushed + this.#fill;
  }

  /** Hash the `size` bytes already in the file (adoptTempFile), here; writes then continue after them. */
  async absorb(size: number): Promise<void> {
    const position = await this.#hashHere(size, true);
    // Anything past what was read (a file truncated or grown meanwhile) is cut, so the file is exactly what was hashed.
    await this.#handle!.truncate(position);
    this.#flushed = position;
  }

  write(chunk: Uint8Array): Promise<void> {
    return this.#guarded('write', ['open'], async () => {
      if (this.#failure !== null) throw this.#failure;
      // Copy into the buffer being filled; a full one goes to disk (and to
      // its hasher) while the next fills (memcpy is ~10× faster than sha256).
      for (let offset = 0; offset < chunk.length; ) {
        this.#current ??= takeBuffer();
        const n = Math.min(chunk.length - offset, WRITE_BUFFER_SIZE - this.#fill);
        this.#current.set(n === chunk.length ? chunk : chunk.subarray(offset, offset + n), this.#fill);
        this.#fill += n;
        offset += n;
        if (this.#fill === WRITE_BUFFER_SIZE) await this.#flush(false);
      }
    });
  }

  restart(): Promise<void> {
    return this.#guarded('restart', ['open', 'failed'], async () => {
      // A write, a hash or an fdatasync still under way must end before the truncate, not after it.
      await this.#quiesce();
      this.#failure = null;
      this.#fill = 0;
      this.#flushed = 0;
      this.#sync.reset();
      this.#handedTo = 0;
      this.#mode = 'here';
      this.#asked = false;
      this.#rehash = false;
      this.#digests.reset();
      await this.#handle!.truncate(0);
      this.#state = 'open';
    });
  }

  finish(): Promise<Actual> {
    // A file another thread finished (reclaim): its digests, again.
    if (this.#state === 'finished' && this.#reclaimed) return Promise.resolve(this.#reclaimed);
    return this.#guarded('finish', ['open'], async () => {
      const handle = this.#handle!;
      if (this.#fill > 0) await this.#flush(true);
      await this.#settle();
      // The last bytes, when the last write was a full buffer (not a `last` flush).
      this.#handOver(handle, this.#flushed);
      await Promise.all(this.#ranges);
      this.#ranges = [];
      // No write is under way: the buffers go back before the fdatasync, so
      // files waiting on the disk hold no memory (only those still receiving do).
      giveBack(this.#current, this.#other);
      this.#current = this.#other = null;
      const actual = await this.#result();
      await this.#sync.running;
      if (this.#failure !== null) throw this.#failure;
      if (this.#durable) await handle.datasync();
      this.#handle = null;
      await handle.close();
      if (this.#state !== 'open') throw new Error(`TempFile.finish: ${this.path} was ${this.#state} meanwhile`);
      this.#state = 'finished';
      return actual;
    });
  }

  /**
   * Let another thread write the rest of the file (io/fetch-threads): what
   * is gathered goes to disk, this descriptor closes, and until reclaim()
   * this object touches the file no more. The bytes already in it: the
   * other thread opens the file after them (adoptTempFile) and hashes them
   * again, so its digests describe the whole file.
   */
  lend(): Promise<void> {
    return this.#guarded('lend', ['open'], async () => {
      if (this.#fill > 0) await this.#flush(true);
      await this.#quiesce();
      if (this.#failure !== null) throw this.#failure;
      giveBack(this.#current, this.#other);
      this.#current = this.#other = null;
      const handle = this.#handle!;
      this.#handle = null;
      await handle.close();
      this.#state = 'lent';
    });
  }

  /**
   * The file is back from the thread it was lent to, `bytes` long. With
   * `actual`, the thread finished it (every byte on disk, synced, closed):
   * it is finished here too, finish() answers `actual`, and it can be moved
   * or kept. Without, it failed: it can only be discarded.
   */
  reclaim(bytes: number, actual: Actual | null): void {
    if (this.#state !== 'lent') throw new Error(`TempFile.reclaim: ${this.path} is ${this.#state}, not lent`);
    this.#flushed = bytes;
    this.#fill = 0;
    this.#reclaimed = actual;
    this.#state = actual ? 'finished' : 'failed';
  }

  /**
   * The thread a file was lent to is done with it, whatever happened: what
   * was written goes to disk (synced, when durable) and the descriptor
   * closes, the file stays. Its digests when that worked; null when the
   * file had failed (it is then only worth discarding).
   */
  async release(): Promise<Actual | null> {
    if (this.#state === 'open' && !this.#busy) {
      try {
        return await this.finish();
      } catch {
        // failed: closed below
      }
    }
    if (this.#state === 'finished' || this.#state === 'moved' || this.#state === 'discarded') return null;
    this.#state = 'released';
    await this.#close();
    return null;
  }

  /**
   * Let what is under way end, then close the descriptor and give the
   * buffers back. Nothing may read or write the descriptor once it is
   * closed (another file could get its number): the write, the hashing
   * thread's reads and the fdatasync end first; close() waits for its own
   * operations too.
   */
  async #close(): Promise<void> {
    await this.#quiesce().catch(() => undefined);
    const handle = this.#handle;
    this.#handle = null;
    await handle?.close().catch(() => undefined);
    giveBack(this.#current, this.#other);
    this.#current = this.#other = null;
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
      await this.#close();
      await unlink(this.path).catch((error: unknown) => {
        if (errnoCode(error) !== 'ENOENT') throw error;
      });
      releaseTempName(this.path);
    })();
    return this.#discarding;
  }

  /** Let the write, the spans being hashed and the fdatasync under way end; forget the thread's hash. */
  async #quiesce(): Promise<void> {
    await this.#inflight;
    this.#inflight = null;
    await Promise.all(this.#ranges);
    this.#ranges = [];
    await this.#sync.running;
    const hasher = this.#hasher;
    this.#hasher = null;
    await hasher?.drop().catch(() => undefined);
  }

  /**
   * Send the gathered bytes to disk once the previous write is done; fill the
   * other buffer meanwhile. `last`: finish() sends the rest.
   */
  async #flush(last: boolean): Promise<void> {
    await this.#settle();
    // The hashing thread may be only so far behind; past that, wait for it.
    while (this.#ranges.length >= RANGES_AHEAD) await this.#ranges.shift();
    const buffer = this.#current!;
    const length = this.#fill;
    const position = this.#flushed;
    const data = buffer.subarray(0, length);
    // Past 32 MiB the file moves to a hashing thread, which is handed every
    // byte from the first (read back from the page cache; what this thread
    // hashed of them is dropped), then the rest by spans as writes land.
    if (this.#mode === 'here' && !last && !this.#asked && position + length >= THREAD_HASH_FROM) {
      this.#asked = true;
      this.#hasher = this.#openHasher(this.#algorithm);
      if (this.#hasher) {
        this.#mode = 'thread';
        this.#handedTo = 0;
      }
    }
    if (this.#mode === 'here') this.#digests.update(data);
    this.#flushed += length;
    this.#fill = 0;
    this.#current = this.#other;
    this.#other = buffer;
    const handle = this.#handle!;
    this.#inflight = writeFully(handle, data, position)
      .then(() => this.#landed(handle, position + length, last))
      .catch((error: unknown) => {
        this.#failure ??= error;
      });
  }

  /** A write that ends at `end` is on disk: the thread gets the bytes up to it (by spans), and an fdatasync starts every so many bytes. */
  #landed(handle: FileHandle, end: number, last: boolean): void {
    if (last || end - this.#handedTo >= SPAN_BYTES) this.#handOver(handle, end);
    // Started while the next bytes arrive, so the one in finish() has only the
    // last few to flush (a 2 GiB file waited a second there for all of them).
    if (this.#durable && !last) this.#sync.after(handle, end);
  }

  /** Hand the bytes written since the last span, up to `end`, to the hashing thread. */
  #handOver(handle: FileHandle, end: number): void {
    const hasher = this.#hasher;
    const from = this.#handedTo;
    // Never once a discard has begun: it closes the descriptor after the spans it saw.
    if (this.#mode !== 'thread' || !hasher || this.#rehash || end <= from || this.#state === 'discarded') return;
    this.#handedTo = end;
    this.#ranges.push(
      hasher.range(handle.fd, from, end - from).catch((error: unknown) => {
        if (error instanceof StreamHashLost) this.#rehash = true;
        else this.#failure ??= error;
      }),
    );
  }

  /** The digests of every byte written: the thread's, else this thread's (reading the file again if the thread stopped). */
  async #result(): Promise<Actual> {
    if (this.#mode === 'thread' && !this.#rehash) {
      const hasher = this.#hasher!;
      this.#hasher = null;
      try {
        const actual = await hasher.result();
        if (actual.size !== this.#flushed) throw new Error(`the hashing thread read ${actual.size} bytes of ${this.#flushed}`);
        return actual;
      } catch (error) {
        if (!(error instanceof StreamHashLost)) throw error;
        this.#rehash = true;
      }
    }
    if (this.#mode === 'thread') {
      // The thread stopped: every byte again, here.
      this.#digests.reset();
      await this.#hashHere(this.#flushed, false);
    }
    return this.#digests.result();
  }

  /** Read the file's first `size` bytes through this thread's hashers; how many there were (a shorter file is an error unless `shorter`). */
  async #hashHere(size: number, shorter: boolean): Promise<number> {
    const buffer = takeBuffer();
    try {
      let position = 0;
      while (position < size) {
        const { bytesRead } = await this.#handle!.read(buffer, 0, Math.min(buffer.length, size - position), position);
        if (bytesRead === 0) {
          if (shorter) break; // truncated meanwhile: what was read is what there is
          throw Object.assign(new Error(`${this.path} ended at ${position} bytes, before the ${size} written`), { code: 'EIO' });
        }
        this.#digests.update(buffer.subarray(0, bytesRead));
        position += bytesRead;
      }
      return position;
    } finally {
      giveBack(buffer);
    }
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
