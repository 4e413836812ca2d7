/**
 * A deterministic zip, written with yazl (DESIGN.md's base): the same
 * entries give the same bytes on any machine, in any timezone.
 * - Entries are written in the order given (the caller sorts them), every
 *   one stored, not deflated: wheels are compressed already, and deflate's
 *   output may change with the zlib version, which would break byte
 *   equality across machines for the few small text files.
 * - Every entry has the same DOS timestamp (1980-01-01 00:00, the format's
 *   earliest) and no extended-timestamp field (whose UTC seconds would
 *   depend on the timezone); mode 0644, regular file.
 * - Files are streamed one at a time, never read whole: memory stays flat
 *   with a 2 GB wheel. Each is hashed on its way in and must match the
 *   sha256 and size the caller vouches for (a file changed since it was
 *   verified fails the zip, it is not shipped). Its bytes are read into
 *   pooled buffers that the zip's writer gives back once written.
 * - Each byte is hashed once on this thread (that check); the zip's own
 *   sha256 is taken by a hashing thread reading the zip back as it lands
 *   (file-sink.ts), and background fdatasyncs keep the closing one short.
 * - The zip lands as everything does (land.ts): a temporary file beside
 *   the final one, flushed, then renamed over it — a reader sees the old
 *   file or the new one, never a part, and a failure leaves nothing under
 *   the final name.
 * - CRC-32 is zlib's native one: yazl's own (buffer-crc32, in JavaScript)
 *   ran at ~260 MB/s and was a fifth of a bundle's time (docs/performance.md).
 */
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Readable, type PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32 } from 'node:zlib';
import yazl from 'yazl';
import { LockhouseError } from '../../errors.js';
import { giveBack, takeBuffer } from './buffer-pool.js';
import { HashedFileSink } from './file-sink.js';
import { landWith } from './land.js';
import { lendView } from './lent-buffers.js';
import { reason, storeError } from './store-error.js';

export type ZipEntry =
  | { readonly name: string; readonly data: Buffer }
  | { readonly name: string; readonly path: string; readonly size: number; readonly sha256: string };

/** 1980-01-01 00:00 in local time: yazl writes local date fields, so every timezone writes the same bytes. */
const EPOCH = new Date(1980, 0, 1, 0, 0, 0);
const OPTIONS = { compress: false, mtime: EPOCH, mode: 0o100644, forceDosTimestamp: true } as const;

interface BufferCrc32 {
  unsigned(data: string | Uint8Array, previous?: number): number;
}

/**
 * yazl calls `require('buffer-crc32').unsigned(chunk, crcSoFar)` on every
 * chunk of every entry, looking the property up each time. Its own copy of
 * that module gets zlib's native CRC-32 in place of the JavaScript one: the
 * same function (the zip tests read every CRC back), about ten times faster.
 */
export const nativeCrc32 = (data: string | Uint8Array, previous = 0): number => crc32(data, previous);
let crcPatched = false;
function useNativeCrc32(): void {
  if (crcPatched) return;
  const fromYazl = createRequire(createRequire(import.meta.url).resolve('yazl'));
  (fromYazl('buffer-crc32') as BufferCrc32).unsigned = nativeCrc32;
  crcPatched = true;
}

/** Bytes the zip's writer may hold before reading pauses: reads and writes overlap by a few chunks. */
const WRITE_AHEAD = 8 << 20;

/** Bytes a file's reader keeps read ahead of the zip. */
const READ_AHEAD = 4 << 20;

export interface ZipWriteResult {
  readonly bytes: number;
  readonly sha256: string;
}

export async function writeZipAtomic(path: string, entries: readonly ZipEntry[]): Promise<ZipWriteResult> {
  useNativeCrc32();
  try {
    return await landWith(path, (temp) => writeZip(temp, entries));
  } catch (error) {
    if (error instanceof LockhouseError) throw error;
    throw storeError('OUTPUT_NOT_WRITABLE', `cannot write ${path}: ${reason(error)}`, { cause: error });
  }
}

/**
 * The zip at `temp`. yazl starts reading the first file as soon as the
 * entries are added, so the zip is made here, once the temporary name is
 * reserved, and its output is piped in the same tick: a file found wrong
 * at its first chunk fails the pipeline, never an output nobody listens to.
 */
async function writeZip(temp: string, entries: readonly ZipEntry[]): Promise<ZipWriteResult> {
  const zip = new yazl.ZipFile();
  // yazl reports its own errors on the ZipFile and ignores its sources'
  // errors: both end the output, so the pipeline below fails, not stalls.
  let failure: Error | null = null;
  const fail = (error: Error): void => {
    failure ??= error;
    (zip.outputStream as PassThrough).destroy(error);
  };
  zip.on('error', fail);
  const checks: Array<Promise<void>> = [];
  for (const entry of entries) {
    if ('data' in entry) {
      zip.addBuffer(entry.data, entry.name, OPTIONS);
    } else {
      // Opened when yazl reaches the entry: one file open at a time.
      zip.addReadStreamLazy(entry.name, { ...OPTIONS, size: entry.size }, (callback) => {
        const source = new VouchedFile(entry);
        checks.push(source.done);
        source.once('error', fail);
        callback(null, source);
      });
    }
  }
  zip.end();
  // The zip's own sha256 is taken by a hashing thread reading the file back
  // as it lands, and the file is flushed before the rename makes it the
  // bundle (file-sink.ts). WRITE_AHEAD: with the default 16 KiB of room,
  // every chunk waited for its write before the next read began
  // (docs/performance.md, "bundle").
  const sink = new HashedFileSink(temp, { highWaterMark: WRITE_AHEAD });
  try {
    await pipeline(zip.outputStream, sink);
  } catch (error) {
    // The first cause (a file that is not the one vouched for), not what it did downstream.
    throw failure ?? error;
  }
  await Promise.all(checks);
  return sink.result;
}

/**
 * A file's bytes for the zip, read into pooled buffers lent down the
 * pipeline (lent-buffers.ts), hashed as read: the stream fails when they
 * are not the sha256 and size the caller vouched for.
 */
class VouchedFile extends Readable {
  readonly done: Promise<void>;
  readonly #entry: { readonly name: string; readonly path: string; readonly size: number; readonly sha256: string };
  readonly #hash = createHash('sha256');
  #handle: FileHandle | null = null;
  #position = 0;
  #reading = false;
  #settle!: (error?: Error) => void;

  constructor(entry: { readonly name: string; readonly path: string; readonly size: number; readonly sha256: string }) {
    super({ highWaterMark: READ_AHEAD });
    this.#entry = entry;
    this.done = new Promise((resolve, reject) => {
      this.#settle = (error) => (error ? reject(error) : resolve());
    });
    this.done.catch(() => undefined);
  }

  override _construct(callback: (error?: Error | null) => void): void {
    open(this.#entry.path, 'r').then((handle) => {
      this.#handle = handle;
      callback();
    }, callback);
  }

  override _read(): void {
    if (this.#reading) return;
    this.#reading = true;
    const buffer = takeBuffer();
    this.#handle!.read(buffer, 0, buffer.length, this.#position).then(
      ({ bytesRead }) => {
        this.#reading = false;
        if (bytesRead === 0) {
          giveBack(buffer);
          this.#end();
          return;
        }
        const chunk = lendView(buffer, bytesRead);
        this.#hash.update(chunk);
        this.#position += bytesRead;
        if (this.#position > this.#entry.size) this.destroy(this.#mismatch(null));
        else this.push(chunk);
      },
      (error: Error) => this.destroy(error),
    );
  }

  #end(): void {
    const actual = this.#hash.digest('hex');
    if (actual !== this.#entry.sha256 || this.#position !== this.#entry.size) {
      this.destroy(this.#mismatch(actual));
      return;
    }
    this.#settle();
    this.push(null);
  }

  #mismatch(actual: string | null): LockhouseError {
    const found = actual === null ? `more than ${this.#entry.size} bytes` : `sha256 ${actual}, ${this.#position} bytes`;
    return new LockhouseError(
      'INTEGRITY_MISMATCH',
      `${this.#entry.path} is not the file vouched for (${found}; expected ${this.#entry.sha256}, ${this.#entry.size} bytes): not put in the zip as ${this.#entry.name}`,
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (error) this.#settle(error);
    const handle = this.#handle;
    this.#handle = null;
    (handle ? handle.close() : Promise.resolve()).then(
      () => callback(error),
      (closeError: unknown) => callback(error ?? (closeError as Error)),
    );
  }
}
