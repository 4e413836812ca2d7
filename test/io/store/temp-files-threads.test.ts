/**
 * TempFile's hashing of large files on a hashing thread and its background
 * fdatasyncs (temp-files.ts): the digests are those of the bytes in the
 * file whichever thread hashed them — from the switch at 32 MiB on, after a
 * restart, when the thread stops mid-file — the descriptor is never closed
 * while the thread may still read it, and a durable file is synced as it
 * grows, not only at the end.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { closeHashPool, openStreamHasher, StreamHashLost, type StreamHasher } from '../../../src/io/store/hash-pool.js';
import { createTempFiles, THREAD_HASH_FROM, WRITE_BUFFER_SIZE } from '../../../src/io/store/temp-files.js';
import { listDir, tempdir } from './helpers.js';

afterEach(async () => {
  vi.restoreAllMocks();
  await closeHashPool();
});

/** `size` bytes that differ from one buffer to the next (a span hashed twice or skipped changes the digest). */
function content(size: number): Buffer {
  const data = Buffer.alloc(size + 4);
  for (let i = 0; i < size; i += 4) data.writeUInt32LE(Math.imul(i, 2654435761) >>> 0, i);
  return data.subarray(0, size);
}

/** Write `data` in chunks of odd sizes, as a socket hands them over, reusing one chunk buffer. */
async function writeInChunks(temp: { write(chunk: Uint8Array): Promise<void> }, data: Buffer): Promise<void> {
  const chunk = Buffer.allocUnsafe(70_001);
  for (let offset = 0; offset < data.length; ) {
    const n = Math.min(chunk.length - (offset % 3), data.length - offset);
    data.copy(chunk, 0, offset, offset + n);
    await temp.write(chunk.subarray(0, n));
    offset += n;
  }
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

interface Recorded {
  ranges: Array<[number, number]>;
  dropped: number;
}

/** A stream hasher that hashes the spans it is given from the file (as the thread does) and records them; `lose` makes it stop at the nth span. */
function recordingHasher(recorded: Recorded, options: { lose?: number; hold?: Promise<void> } = {}): (algorithm: 'sha256' | 'sha384' | 'sha512') => StreamHasher {
  return () => {
    const hash = createHash('sha256');
    let size = 0;
    return {
      async range(fd, position, length) {
        recorded.ranges.push([position, length]);
        if (options.lose !== undefined && recorded.ranges.length >= options.lose) throw new StreamHashLost('the hashing thread stopped: test');
        await options.hold;
        const handle = Buffer.allocUnsafe(length);
        const { readSync } = await import('node:fs');
        const n = readSync(fd, handle, 0, length, position);
        hash.update(handle.subarray(0, n));
        size += n;
      },
      async result() {
        const hex = hash.digest('hex');
        return { sha256: hex, digest: hex, size };
      },
      async drop() {
        recorded.dropped++;
      },
    };
  };
}

describe('TempFile on a hashing thread', () => {
  it('a file past 32 MiB is hashed on a real hashing thread: the digest is that of the bytes in the file', async () => {
    const data = content(THREAD_HASH_FROM + 5 * WRITE_BUFFER_SIZE + 12_345);
    const temps = createTempFiles(join(tempdir(), 'tmp'));
    for (const algorithm of ['sha256', 'sha512'] as const) {
      const temp = await temps.create(algorithm);
      await writeInChunks(temp, data);
      const actual = await temp.finish();
      expect(actual.sha256).toBe(sha256(data));
      expect(actual.digest).toBe(createHash(algorithm).update(data).digest('hex'));
      expect(actual.size).toBe(data.length);
      expect(readFileSync(temp.path).equals(data)).toBe(true);
      await temp.discard();
    }
  });

  it('moves to the thread once past 32 MiB, handing it every byte from the first, then each span in order; smaller files never ask', async () => {
    const recorded: Recorded = { ranges: [], dropped: 0 };
    const temps = createTempFiles(join(tempdir(), 'tmp'), { hasher: recordingHasher(recorded) });
    const small = await temps.create('sha256');
    const smallData = content(THREAD_HASH_FROM - 1);
    await writeInChunks(small, smallData);
    expect((await small.finish()).sha256).toBe(sha256(smallData));
    expect(recorded.ranges).toEqual([]);

    const data = content(THREAD_HASH_FROM + 3 * WRITE_BUFFER_SIZE + 99);
    const temp = await temps.create('sha256');
    await writeInChunks(temp, data);
    const actual = await temp.finish();
    expect(actual.sha256).toBe(sha256(data));
    expect(recorded.ranges[0]).toEqual([0, THREAD_HASH_FROM]);
    // Contiguous spans (8 MiB at least, but the last), ending at the file's end.
    let end = 0;
    for (const [position, length] of recorded.ranges) {
      expect(position).toBe(end);
      end += length;
    }
    expect(end).toBe(data.length);
  });

  it('when the thread stops mid-file, finish() hashes the whole file here, from disk: the digest is still right', async () => {
    const recorded: Recorded = { ranges: [], dropped: 0 };
    const temps = createTempFiles(join(tempdir(), 'tmp'), { hasher: recordingHasher(recorded, { lose: 2 }) });
    const data = content(THREAD_HASH_FROM + 20 * 2 ** 20 + 3);
    const temp = await temps.create('sha256');
    await writeInChunks(temp, data);
    expect(await temp.finish()).toEqual({ sha256: sha256(data), digest: sha256(data), size: data.length });
    // No span is handed over after the thread was lost (spans of 8 MiB: 32, 40, 48 MiB and the rest otherwise).
    expect(recorded.ranges.length).toBe(2);
  });

  it('restart() after the move drops the thread’s hash; the digest is that of the bytes written after it', async () => {
    const recorded: Recorded = { ranges: [], dropped: 0 };
    const temps = createTempFiles(join(tempdir(), 'tmp'), { hasher: recordingHasher(recorded) });
    const temp = await temps.create('sha256');
    await writeInChunks(temp, content(THREAD_HASH_FROM + 2 * WRITE_BUFFER_SIZE));
    await temp.restart();
    expect(recorded.dropped).toBe(1);
    const data = content(THREAD_HASH_FROM + WRITE_BUFFER_SIZE + 7).reverse();
    await writeInChunks(temp, data);
    expect((await temp.finish()).sha256).toBe(sha256(data));
    expect(readFileSync(temp.path).equals(data)).toBe(true);
  });

  it('discard() closes the file only once the spans the thread is reading are done, then removes it', async () => {
    const recorded: Recorded = { ranges: [], dropped: 0 };
    let release!: () => void;
    const hold = new Promise<void>((resolve) => (release = resolve));
    const dir = join(tempdir(), 'tmp');
    const temps = createTempFiles(dir, { hasher: recordingHasher(recorded, { hold }) });
    const temp = await temps.create('sha256');
    // Up to the switch, then one more buffer: spans are held, so the writes wait once 8 are outstanding; stay below.
    await writeInChunks(temp, content(THREAD_HASH_FROM + 2 * WRITE_BUFFER_SIZE));
    const closed = vi.fn();
    const discarding = temp.discard().then(closed);
    // The held span keeps the descriptor open and the file in place.
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).not.toHaveBeenCalled();
    expect(listDir(dir)).toHaveLength(1);
    release();
    await discarding;
    expect(recorded.dropped).toBe(1);
    expect(listDir(dir)).toEqual([]);
  });

  it('openStreamHasher hashes spans read back through the writer’s descriptor, and says StreamHashLost when its thread is gone', async () => {
    const path = join(tempdir(), 'f');
    const handle = await open(path, 'w+');
    const data = content(3 * WRITE_BUFFER_SIZE + 5);
    await handle.write(data, 0, data.length, 0);
    const hasher = openStreamHasher('sha384');
    if (hasher === null) {
      // One core (or LOCKHOUSE_HASH_THREADS=0): there is no thread to test; the TempFile hashes here.
      expect(hasher).toBeNull();
      await handle.close();
      return;
    }
    await hasher.range(handle.fd, 0, WRITE_BUFFER_SIZE);
    await hasher.range(handle.fd, WRITE_BUFFER_SIZE, data.length - WRITE_BUFFER_SIZE);
    const actual = await hasher.result();
    expect(actual).toEqual({ sha256: sha256(data), digest: createHash('sha384').update(data).digest('hex'), size: data.length });
    // A span past the end of the file is an error of the file, not a lost thread.
    const short = openStreamHasher('sha256')!;
    await expect(short.range(handle.fd, 0, data.length + 1)).rejects.toMatchObject({ code: 'EIO' });
    await short.drop();
    const lost = openStreamHasher('sha256')!;
    await closeHashPool();
    await expect(lost.range(handle.fd, 0, 10)).rejects.toBeInstanceOf(StreamHashLost);
    await handle.close();
  });
});

describe('TempFile durability', () => {
  it('a durable file is synced in the background as it grows, and once more at the end; a non-durable one never', async () => {
    const probe = await open(join(tempdir(), 'probe'), 'w');
    const proto = Object.getPrototypeOf(probe) as { datasync(): Promise<void> };
    await probe.close();
    const datasync = vi.spyOn(proto, 'datasync');
    const dir = join(tempdir(), 'tmp');
    const data = content(10 * WRITE_BUFFER_SIZE);
    const durable = await createTempFiles(dir, { syncEveryBytes: 2 * WRITE_BUFFER_SIZE }).create('sha256');
    await writeInChunks(durable, data);
    // The first write past the threshold starts one (later ones only when none is running).
    const before = datasync.mock.calls.length;
    expect(before).toBeGreaterThanOrEqual(1);
    expect((await durable.finish()).sha256).toBe(sha256(data));
    // finish() syncs once more, whatever ran before it.
    expect(datasync.mock.calls.length).toBeGreaterThan(before);
    datasync.mockClear();
    const loose = await createTempFiles(dir, { durable: false, syncEveryBytes: 2 * WRITE_BUFFER_SIZE }).create('sha256');
    await writeInChunks(loose, data);
    await loose.finish();
    expect(datasync).not.toHaveBeenCalled();
  });
});
