/**
 * The end of a stream pipeline that writes a new file (the bundle's zip)
 * and answers its sha256 and size — each byte hashed once, and not on this
 * thread where a hashing thread exists:
 *
 * - The file is created with `wx+` (never an existing file, never through a
 *   link planted at the name) and written with writev at known positions,
 *   as many chunks per call as have gathered (up to the stream's
 *   highWaterMark of room, so reads and writes overlap).
 * - Hashing: as spans of the file land, a hashing thread reads them back
 *   through the same descriptor (hash-pool.ts openStreamHasher, as a
 *   TempFile past 32 MiB does): no byte is copied between threads, and the
 *   digest describes the bytes in the file. Without a hashing thread, or if
 *   it stops, this thread hashes (as the chunks go, or the file again at the end).
 * - Chunks lent from the buffer pool (lent-buffers.ts) go back once written.
 * - Durable (default): an fdatasync starts in the background every 64 MiB
 *   written, and the last one ends the stream, so `finish` means the bytes
 *   are on disk and the closing flush has only the tail to write.
 * - A failure closes the file once the hashing thread will read no more of
 *   it; removing the file is the caller's (land.ts does it).
 */
import { createHash, type Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { BackgroundSync } from './background-sync.js';
import { hashFile } from './hash-file.js';
import { openStreamHasher, StreamHashLost, type StreamHasher } from './hash-pool.js';
import { returnBuffer } from './lent-buffers.js';
import { RANGES_AHEAD, SPAN_BYTES, SYNC_EVERY_BYTES } from './temp-files.js';

export interface FileSinkOptions {
  /** Bytes the stream may hold before its writer pauses. */
  readonly highWaterMark?: number;
  /** fdatasync before `finish` (default true), and every `syncEveryBytes` in the background. */
  readonly durable?: boolean;
  readonly syncEveryBytes?: number;
  /** Where the sha256 is computed (default: a hashing thread, openStreamHasher; null: here). */
  readonly hasher?: () => StreamHasher | null;
}

export interface FileSinkResult {
  readonly bytes: number;
  readonly sha256: string;
}

export class HashedFileSink extends Writable {
  readonly path: string;
  readonly #durable: boolean;
  readonly #sync: BackgroundSync;
  readonly #openHasher: () => StreamHasher | null;
  #handle: FileHandle | null = null;
  #hasher: StreamHasher | null = null;
  /** This thread's hash: without a hashing thread. */
  #here: Hash | null = null;
  /** The hashing thread stopped: the file is hashed again from disk at the end. */
  #rehash = false;
  #position = 0;
  #handedTo = 0;
  #ranges: Array<Promise<void>> = [];
  #failure: unknown = null;
  #result: FileSinkResult | null = null;

  constructor(path: string, options: FileSinkOptions = {}) {
    super({ highWaterMark: options.highWaterMark ?? 16 * 1024, decodeStrings: true });
    this.path = path;
    this.#durable = options.durable ?? true;
    this.#sync = new BackgroundSync(options.syncEveryBytes ?? SYNC_EVERY_BYTES, (error) => {
      this.#failure ??= error;
    });
    this.#openHasher = options.hasher ?? (() => openStreamHasher('sha256'));
  }

  /** The file's size and sha256, once the stream has finished. */
  get result(): FileSinkResult {
    if (this.#result === null) throw new Error(`${this.path} is not finished`);
    return this.#result;
  }

  override _construct(callback: (error?: Error | null) => void): void {
    open(this.path, 'wx+', 0o644).then((handle) => {
      this.#handle = handle;
      this.#hasher = this.#openHasher();
      if (this.#hasher === null) this.#here = createHash('sha256');
      callback();
    }, callback);
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, callback: (error?: Error | null) => void): void {
    this.#write(chunks.map(({ chunk }) => chunk)).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#finish().then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#close().then(
      () => callback(error),
      (closeError: unknown) => callback(error ?? (closeError as Error)),
    );
  }

  async #write(buffers: Buffer[]): Promise<void> {
    const handle = this.#handle!;
    for (const buffer of buffers) this.#here?.update(buffer);
    const position = this.#position;
    await writeAll(handle, buffers, position);
    let length = 0;
    for (const buffer of buffers) {
      length += buffer.length;
      returnBuffer(buffer);
    }
    this.#position = position + length;
    if (this.#position - this.#handedTo >= SPAN_BYTES) this.#handOver();
    if (this.#durable) this.#sync.after(handle, this.#position);
    // The hashing thread may be only so far behind; past that, wait for it.
    while (this.#ranges.length > RANGES_AHEAD) await this.#ranges.shift();
    if (this.#failure !== null) throw this.#failure;
  }

  /** The bytes written since the last span go to the hashing thread. */
  #handOver(): void {
    const hasher = this.#hasher;
    const from = this.#handedTo;
    const end = this.#position;
    if (hasher === null || this.#rehash || end <= from) return;
    this.#handedTo = end;
    this.#ranges.push(
      hasher.range(this.#handle!.fd, from, end - from).catch((error: unknown) => {
        if (error instanceof StreamHashLost) this.#rehash = true;
        else this.#failure ??= error;
      }),
    );
  }

  async #finish(): Promise<void> {
    this.#handOver();
    await Promise.all(this.#ranges);
    this.#ranges = [];
    await this.#sync.running;
    if (this.#failure !== null) throw this.#failure;
    if (this.#durable) await this.#handle!.datasync();
    this.#result = { bytes: this.#position, sha256: await this.#sha256() };
  }

  async #sha256(): Promise<string> {
    if (this.#here !== null) return this.#here.digest('hex');
    const hasher = this.#hasher!;
    this.#hasher = null;
    if (!this.#rehash) {
      try {
        const actual = await hasher.result();
        if (actual.size !== this.#position) throw new Error(`the hashing thread read ${actual.size} bytes of ${this.#position}`);
        return actual.sha256;
      } catch (error) {
        if (!(error instanceof StreamHashLost)) throw error;
      }
    } else {
      await hasher.drop().catch(() => undefined);
    }
    // The thread stopped: hash the file as it is on disk (synced above).
    const actual = await hashFile(this.path, 'sha256');
    if (actual.size !== this.#position) throw new Error(`${this.path} has ${actual.size} bytes, ${this.#position} were written`);
    return actual.sha256;
  }

  /** Close the file once the hashing thread and the background fdatasync are done with its descriptor. */
  async #close(): Promise<void> {
    const handle = this.#handle;
    if (handle === null) return;
    this.#handle = null;
    await Promise.all(this.#ranges);
    await this.#sync.running;
    const hasher = this.#hasher;
    this.#hasher = null;
    await hasher?.drop().catch(() => undefined);
    await handle.close();
  }
}

/** writev until every byte is written: a regular file may take fewer bytes than asked (a signal, a quota edge). */
async function writeAll(handle: FileHandle, buffers: Buffer[], position: number): Promise<void> {
  let pending = buffers.filter((buffer) => buffer.length > 0);
  while (pending.length > 0) {
    const { bytesWritten } = await handle.writev(pending, position);
    if (bytesWritten === 0) throw Object.assign(new Error(`write returned 0 bytes at offset ${position}`), { code: 'EIO' });
    position += bytesWritten;
    let skip = bytesWritten;
    const rest: Buffer[] = [];
    for (const buffer of pending) {
      if (skip >= buffer.length) {
        skip -= buffer.length;
        continue;
      }
      rest.push(skip > 0 ? buffer.subarray(skip) : buffer);
      skip = 0;
    }
    pending = rest;
  }
}
