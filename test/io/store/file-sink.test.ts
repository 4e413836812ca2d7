/**
 * HashedFileSink (file-sink.ts), the end of the bundle's zip pipeline: the
 * file holds every byte written, in order; its sha256 comes from a hashing
 * thread reading the file back (or from this thread without one, or from
 * the file again when the thread stops) and always describes the bytes in
 * the file; lent pool buffers go back once written; a durable file is
 * synced as it grows and before `finish`; an existing file is never
 * overwritten.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { takeBuffer } from '../../../src/io/store/buffer-pool.js';
import { HashedFileSink } from '../../../src/io/store/file-sink.js';
import { closeHashPool, StreamHashLost, type StreamHasher } from '../../../src/io/store/hash-pool.js';
import { lendView } from '../../../src/io/store/lent-buffers.js';
import { tempdir } from './helpers.js';

afterEach(async () => {
  vi.restoreAllMocks();
  await closeHashPool();
});

const MiB = 1 << 20;
const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** Bytes that differ from one MiB to the next: a span hashed twice or skipped changes the digest. */
function content(size: number): Buffer {
  const data = Buffer.alloc(size + 4);
  for (let i = 0; i < size; i += 4) data.writeUInt32LE(Math.imul(i, 2654435761) >>> 0, i);
  return data.subarray(0, size);
}

/** `data` as a stream of chunks of uneven sizes (small headers between large bodies, as yazl writes). */
function chunksOf(data: Buffer): Readable {
  const chunks: Buffer[] = [];
  for (let offset = 0, i = 0; offset < data.length; i++) {
    const n = Math.min(i % 3 === 0 ? 46 : MiB - (i % 7), data.length - offset);
    chunks.push(data.subarray(offset, offset + n));
    offset += n;
  }
  return Readable.from(chunks, { objectMode: false });
}

/** A hasher that reads the spans back from the descriptor, as the thread does, and records them; `lose` makes it stop at the nth span. */
function recordingHasher(spans: Array<[number, number]>, options: { lose?: number } = {}): () => StreamHasher {
  return () => {
    const hash = createHash('sha256');
    let size = 0;
    let dropped = false;
    return {
      async range(fd, position, length) {
        spans.push([position, length]);
        if (options.lose !== undefined && spans.length >= options.lose) throw new StreamHashLost('the hashing thread stopped: test');
        const bytes = Buffer.allocUnsafe(length);
        const n = readSync(fd, bytes, 0, length, position);
        hash.update(bytes.subarray(0, n));
        size += n;
      },
      async result() {
        if (dropped) throw new Error('result after drop');
        const hex = hash.digest('hex');
        return { sha256: hex, digest: hex, size };
      },
      async drop() {
        dropped = true;
      },
    };
  };
}

describe('HashedFileSink', () => {
  it('writes every byte in order and answers the sha256 and size of the file, from a real hashing thread', async () => {
    const path = join(tempdir(), 'out.zip');
    const data = content(40 * MiB + 123);
    const sink = new HashedFileSink(path, { highWaterMark: 8 * MiB });
    await pipeline(chunksOf(data), sink);
    expect(readFileSync(path).equals(data)).toBe(true);
    expect(sink.result).toEqual({ bytes: data.length, sha256: sha256(data) });
  });

  it('hands the file to the hasher in spans that cover it exactly, in order', async () => {
    const spans: Array<[number, number]> = [];
    const path = join(tempdir(), 'out.zip');
    const data = content(30 * MiB + 5);
    const sink = new HashedFileSink(path, { highWaterMark: 8 * MiB, hasher: recordingHasher(spans) });
    await pipeline(chunksOf(data), sink);
    expect(sink.result.sha256).toBe(sha256(data));
    let end = 0;
    for (const [position, length] of spans) {
      expect(position).toBe(end);
      expect(length).toBeGreaterThan(0);
      end += length;
    }
    expect(end).toBe(data.length);
    // Spans of several MiB, not one message per chunk.
    expect(spans.length).toBeLessThan(10);
  });

  it('without a hashing thread, hashes here; when the thread stops mid-file, hashes the file again: the digest is right both ways', async () => {
    const data = content(20 * MiB + 77);
    const here = new HashedFileSink(join(tempdir(), 'here.zip'), { hasher: () => null });
    await pipeline(chunksOf(data), here);
    expect(here.result).toEqual({ bytes: data.length, sha256: sha256(data) });

    const spans: Array<[number, number]> = [];
    const lost = new HashedFileSink(join(tempdir(), 'lost.zip'), { highWaterMark: 8 * MiB, hasher: recordingHasher(spans, { lose: 2 }) });
    await pipeline(chunksOf(data), lost);
    expect(spans.length).toBeGreaterThanOrEqual(2);
    expect(lost.result).toEqual({ bytes: data.length, sha256: sha256(data) });
  });

  it('gives lent pool buffers back once written, so the next reader gets the same memory', async () => {
    const buffer = takeBuffer();
    buffer.fill(7);
    const view = lendView(buffer, 1000);
    const sink = new HashedFileSink(join(tempdir(), 'out.zip'), { hasher: () => null });
    await pipeline(Readable.from([view], { objectMode: false }), sink);
    expect(sink.result.bytes).toBe(1000);
    expect(takeBuffer() === buffer, "the same pooled buffer").toBe(true);
  });

  it('a durable file is synced in the background as it grows and once more before finish; a non-durable one never', async () => {
    const probe = await open(join(tempdir(), 'probe'), 'w');
    const proto = Object.getPrototypeOf(probe) as { datasync(): Promise<void> };
    await probe.close();
    const datasync = vi.spyOn(proto, 'datasync');
    const data = content(12 * MiB);
    const durable = new HashedFileSink(join(tempdir(), 'durable.zip'), { syncEveryBytes: 2 * MiB, hasher: () => null });
    await pipeline(chunksOf(data), durable);
    // Background ones as it grew, and the last one before finish.
    expect(datasync.mock.calls.length).toBeGreaterThanOrEqual(2);
    datasync.mockClear();
    // Below the background threshold, the one before finish is still there.
    const small = new HashedFileSink(join(tempdir(), 'small.zip'), { syncEveryBytes: 64 * MiB, hasher: () => null });
    await pipeline(chunksOf(data), small);
    expect(datasync).toHaveBeenCalledTimes(1);
    datasync.mockClear();
    const loose = new HashedFileSink(join(tempdir(), 'loose.zip'), { durable: false, syncEveryBytes: 2 * MiB, hasher: () => null });
    await pipeline(chunksOf(data), loose);
    expect(datasync).not.toHaveBeenCalled();
    expect(loose.result.sha256).toBe(sha256(data));
  });

  it('never writes over an existing file (EEXIST), and a failed source closes the file and leaves it to the caller', async () => {
    const dir = tempdir();
    const taken = join(dir, 'taken.zip');
    writeFileSync(taken, 'keep me');
    await expect(pipeline(chunksOf(content(1000)), new HashedFileSink(taken))).rejects.toMatchObject({ code: 'EEXIST' });
    expect(readFileSync(taken, 'utf8')).toBe('keep me');

    const path = join(dir, 'broken.zip');
    const spans: Array<[number, number]> = [];
    const failing = Readable.from(
      (async function* () {
        yield content(9 * MiB);
        throw new Error('the source broke');
      })(),
      { objectMode: false },
    );
    const sink = new HashedFileSink(path, { hasher: recordingHasher(spans) });
    await expect(pipeline(failing, sink)).rejects.toThrow('the source broke');
    expect(sink.destroyed).toBe(true);
    expect(existsSync(path)).toBe(true);
    expect(() => sink.result).toThrow('not finished');
  });
});
