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
 *   verified fails the zip, it is not shipped).
 * - The zip lands as everything does (land.ts): a temporary file beside
 *   the final one, flushed, then renamed over it — a reader sees the old
 *   file or the new one, never a part, and a failure leaves nothing under
 *   the final name.
 * - CRC-32 is zlib's native one: yazl's own (buffer-crc32, in JavaScript)
 *   ran at ~260 MB/s and was a fifth of a bundle's time (docs/performance.md).
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { createRequire } from 'node:module';
import { Transform, type PassThrough, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32 } from 'node:zlib';
import yazl from 'yazl';
import { LockhouseError } from '../../errors.js';
import { landWith } from './land.js';
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

export interface ZipWriteResult {
  readonly bytes: number;
  readonly sha256: string;
}

export async function writeZipAtomic(path: string, entries: readonly ZipEntry[]): Promise<ZipWriteResult> {
  useNativeCrc32();
  const zip = new yazl.ZipFile();
  // yazl reports its own errors on the ZipFile and ignores its sources'
  // errors: both end the output, so the pipeline below fails, not stalls.
  const fail = (error: Error): void => void (zip.outputStream as PassThrough).destroy(error);
  zip.on('error', fail);
  const checks: Array<Promise<void>> = [];
  for (const entry of entries) {
    if ('data' in entry) {
      zip.addBuffer(entry.data, entry.name, OPTIONS);
    } else {
      const check = new HashCheck(entry);
      checks.push(check.done);
      // Opened when yazl reaches the entry: one file open at a time.
      zip.addReadStreamLazy(entry.name, { ...OPTIONS, size: entry.size }, (callback) => {
        // 1 MiB reads: a sixteenth of the chunks (and of the per-chunk work) of the 64 KiB default.
        const source = createReadStream(entry.path, { highWaterMark: 1 << 20 });
        source.once('error', (error) => check.destroy(error));
        check.once('error', fail);
        callback(null, source.pipe(check));
      });
    }
  }
  zip.end();
  const sha256 = createHash('sha256');
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      sha256.update(chunk);
      bytes += chunk.length;
      callback(null, chunk);
    },
  });
  try {
    await landWith(path, async (temp) => {
      // flush: the bytes reach the disk before the rename makes them the bundle.
      // WRITE_AHEAD: with the default 16 KiB of room, every 1 MiB chunk
      // waited for its write before the next read began, and the main thread
      // idled through both (docs/performance.md, "bundle").
      await pipeline(zip.outputStream, counter, createWriteStream(temp, { flags: 'wx', mode: 0o644, flush: true, highWaterMark: WRITE_AHEAD }));
      await Promise.all(checks);
    });
  } catch (error) {
    if (error instanceof LockhouseError) throw error;
    throw storeError('OUTPUT_NOT_WRITABLE', `cannot write ${path}: ${reason(error)}`, { cause: error });
  }
  return { bytes, sha256: sha256.digest('hex') };
}

/** Passes a file's bytes through and fails the stream when they are not the ones vouched for. */
class HashCheck extends Transform {
  private readonly hash = createHash('sha256');
  private size = 0;
  readonly done: Promise<void>;
  private settle!: (error?: Error) => void;

  constructor(private readonly entry: { readonly name: string; readonly path: string; readonly size: number; readonly sha256: string }) {
    super();
    this.done = new Promise((resolve, reject) => {
      this.settle = (error) => (error ? reject(error) : resolve());
    });
    this.done.catch(() => undefined);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    const actual = this.hash.digest('hex');
    if (actual !== this.entry.sha256 || this.size !== this.entry.size) {
      const error = new LockhouseError(
        'INTEGRITY_MISMATCH',
        `${this.entry.path} changed after it was verified (sha256 ${actual}, ${this.size} bytes; expected ${this.entry.sha256}, ${this.entry.size} bytes): not put in the zip as ${this.entry.name}`,
      );
      this.settle(error);
      callback(error);
      return;
    }
    this.settle();
    callback();
  }
}
