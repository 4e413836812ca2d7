/**
 * The one zip reader (src/io/zip/zip-reader.ts): entries and their
 * metadata, bounded reads, streams, and each refusal as a ZipError with the
 * clause its callers quote — too many entries (declared), an entry larger
 * than the read allows (declared, or inflating past what it declares), a
 * local header that disagrees with the central directory, a symlink with
 * noFollow, a path that is no regular file, a name yauzl will not take.
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { ZipError } from '../../../src/io/zip/zip-error.js';
import { openZip, withZip, ZIP_LIMITS, type ZipArchive, type ZipEntry } from '../../../src/io/zip/zip-reader.js';
import { testdir } from '../../helpers/testdir.js';
import { zipOf, type ZipEntry as Built } from '../../helpers/zip-builder.js';

function write(bytes: Buffer, name = 'test.zip'): string {
  const path = join(testdir(), name);
  writeFileSync(path, bytes);
  return path;
}

/** A zip as yazl writes it (what lockhouse bundle writes), with modes. */
function yazlZip(entries: ReadonlyArray<{ name: string; data: Buffer; mode?: number; compress?: boolean }>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const entry of entries) zip.addBuffer(entry.data, entry.name, { compress: entry.compress ?? false, mode: entry.mode ?? 0o100644 });
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}

async function listed(zip: ZipArchive): Promise<ZipEntry[]> {
  const out: ZipEntry[] = [];
  for await (const entry of zip.entries()) out.push(entry);
  return out;
}

/** The ZipError `promise` rejects with. */
async function zipError(promise: Promise<unknown>): Promise<ZipError> {
  const error = await promise.then(
    () => new Error('expected a failure'),
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ZipError);
  return error as ZipError;
}

/** Opens, walks, and reads every entry. */
const readAll = (path: string): Promise<Buffer[]> => withZip(path, {}, async (zip) => Promise.all((await listed(zip)).map((entry) => zip.read(entry))));

describe('openZip: entries and their metadata', () => {
  it('lists every entry in order with name, method, sizes, CRC-32 and mode', async () => {
    const text = Buffer.from('hello\n'.repeat(1000));
    const path = write(
      await yazlZip([
        { name: 'bin/run', data: Buffer.from('#!/bin/sh\n'), mode: 0o100755 },
        { name: 'text.txt', data: text, compress: true },
        { name: 'link', data: Buffer.from('text.txt'), mode: 0o120777 },
      ]),
    );
    await withZip(path, {}, async (zip) => {
      expect(zip.entryCount).toBe(3);
      const entries = await listed(zip);
      expect(entries.map((entry) => entry.name)).toEqual(['bin/run', 'text.txt', 'link']);
      expect(entries[0]).toMatchObject({ compressionMethod: 0, compressedSize: 10, uncompressedSize: 10, crc32: crc32('#!/bin/sh\n'), mode: 0o100755 });
      expect(entries[0]!.externalAttributes >>> 16).toBe(0o100755);
      expect(entries[1]).toMatchObject({ compressionMethod: 8, uncompressedSize: text.length, crc32: crc32(text) });
      expect(entries[1]!.compressedSize).toBeLessThan(text.length);
      expect(entries[2]!.mode & 0o170000).toBe(0o120000);
      expect(await zip.read(entries[1]!)).toEqual(text);
      // Any entry seen can be read again, in any order, after the walk.
      expect((await zip.read(entries[0]!)).toString()).toBe('#!/bin/sh\n');
    });
  });

  it('streams an entry: the same bytes, piped to a file, larger than any window', async () => {
    const big = Buffer.alloc(3 << 20);
    for (let i = 0; i < big.length; i += 4) big.writeUInt32LE(i, i);
    const path = write(await yazlZip([{ name: 'small', data: Buffer.from('x') }, { name: 'big.bin', data: big, compress: true }]));
    const out = join(testdir(), 'big.bin');
    await withZip(path, {}, async (zip) => {
      for await (const entry of zip.entries()) {
        if (entry.name === 'big.bin') await pipeline(await zip.stream(entry), createWriteStream(out));
      }
    });
    expect(readFileSync(out).equals(big)).toBe(true);
  });

  it('refuses an entry another archive listed', async () => {
    const path = write(zipOf([{ name: 'a', data: 'a' }]));
    const [entry] = await withZip(path, {}, listed);
    await withZip(path, {}, async (zip) => {
      await expect(zip.read(entry!)).rejects.toThrow('a is not an entry this archive listed');
    });
  });
});

describe('openZip: limits', () => {
  it('refuses more entries than the limit from the declared count, before reading any', async () => {
    const limits = { ...ZIP_LIMITS, maxEntries: 3 };
    const four = write(zipOf(['a', 'b', 'c', 'd'].map((name) => ({ name, data: name }))));
    const error = await zipError(openZip(four, { limits }));
    expect(error.failure).toBe('too-many-entries');
    expect(error.message).toBe('it lists 4 entries, more than the 3 lockhouse reads');
    expect(error.detail).toBe(error.message);
    // The count is the one declared: 2³² in a zip64 end record over one real entry.
    const declared = await zipError(openZip(write(zipOf([{ name: 'a', data: 'a' }], { declaredCount: 1n << 32n }))));
    expect(declared.message).toBe('it lists 4294967296 entries, more than the 100000 lockhouse reads');
    // At the limit, it reads.
    expect(await readAll(write(zipOf(['a', 'b', 'c'].map((name) => ({ name, data: name })))))).toHaveLength(3);
  });

  it('refuses to read into memory an entry that declares more than the bound, before inflating it', async () => {
    const path = write(zipOf([{ name: 'big', data: Buffer.alloc(100), deflate: true }]));
    await withZip(path, { limits: { ...ZIP_LIMITS, maxReadBytes: 99 } }, async (zip) => {
      const [entry] = await listed(zip);
      const error = await zipError(zip.read(entry!));
      expect(error).toMatchObject({ failure: 'entry-too-large', entry: 'big', message: 'big declares 100 bytes, more than the 99 lockhouse reads' });
      // The caller's own bound wins over the default one.
      expect(await zip.read(entry!, 100)).toHaveLength(100);
      expect((await zipError(zip.read(entry!, 10))).message).toBe('big declares 100 bytes, more than the 10 lockhouse reads');
    });
  });

  it('stops an entry that inflates past what it declares (a zip bomb), reading or streaming', async () => {
    const path = write(zipOf([{ name: 'bomb', data: Buffer.alloc(8 << 20), deflate: true, declaredSize: 1000 }]));
    await withZip(path, {}, async (zip) => {
      const [entry] = await listed(zip);
      const read = await zipError(zip.read(entry!));
      expect(read.failure).toBe('entry-unreadable');
      expect(read.message).toMatch(/^bomb cannot be read \(too many bytes in the stream/);
      expect(read.detail).toMatch(/^too many bytes in the stream/);
      const chunks: Buffer[] = [];
      const streamed = await zipError(
        (async () => {
          for await (const chunk of await zip.stream(entry!)) chunks.push(chunk as Buffer);
        })(),
      );
      expect(streamed.failure).toBe('entry-unreadable');
      expect(Buffer.concat(chunks).length).toBeLessThanOrEqual(1000);
    });
  });
});

describe('openZip: local headers must agree with the central directory', () => {
  const cases: ReadonlyArray<[string, Built['local'], RegExp]> = [
    ['another name', { name: 'evil' }, /^a: its local header disagrees with the central directory \(name "evil"\)$/],
    ['another method', { method: 8 }, /\(method 8, not 0\)$/],
    ['other sizes', { compressedSize: 1, uncompressedSize: 1 }, /\(sizes 1\/1, not 5\/5\)$/],
    ['another CRC-32', { crc: 7 }, /\(CRC-32 7, not [0-9]+\)$/],
  ];
  it.each(cases)('refuses an entry whose local header has %s, reading or streaming', async (_, local, why) => {
    const path = write(zipOf([{ name: 'a', data: 'hello', local }, { name: 'b', data: 'fine' }]));
    await withZip(path, {}, async (zip) => {
      const [a, b] = await listed(zip);
      for (const attempt of [zip.read(a!), zip.stream(a!)]) {
        const error = await zipError(attempt);
        expect(error).toMatchObject({ failure: 'header-mismatch', entry: 'a' });
        expect(error.message).toMatch(why);
      }
      expect((await zip.read(b!)).toString()).toBe('fine');
    });
  });

  it("refuses a central record that points at another entry's local header", async () => {
    const path = write(zipOf([{ name: 'a', data: 'aaaaa' }, { name: 'b', data: 'bbbbb', sameLocalAs: 0 }]));
    await withZip(path, {}, async (zip) => {
      const [, b] = await listed(zip);
      expect((await zipError(zip.read(b!))).message).toBe('b: its local header disagrees with the central directory (name "a")');
    });
  });

  it('reports an offset past the end of the file as an unreadable entry, in yauzl’s words', async () => {
    const path = write(zipOf([{ name: 'a', data: 'a', offset: 0x7fffffff }]));
    await withZip(path, {}, async (zip) => {
      const [a] = await listed(zip);
      const error = await zipError(zip.read(a!));
      expect(error.failure).toBe('entry-unreadable');
      expect(error.message).toMatch(/^a cannot be read \(/);
      expect(error.message).toBe(`a cannot be read (${error.detail})`);
    });
  });
});

describe('openZip: what is opened', () => {
  it('refuses a symlink at the path with noFollow, and follows it otherwise', async () => {
    const real = write(zipOf([{ name: 'a', data: 'a' }]));
    const link = join(testdir(), 'link.zip');
    symlinkSync(real, link);
    const error = await zipError(openZip(link, { noFollow: true }));
    expect(error).toMatchObject({ failure: 'symlink', message: 'it is a symbolic link' });
    expect((error.cause as NodeJS.ErrnoException).code).toBe('ELOOP');
    expect(await readAll(link)).toEqual([Buffer.from('a')]);
    expect(await withZip(link, { noFollow: false }, async (zip) => zip.entryCount)).toBe(1);
  });

  it('refuses a missing file, a folder and a file that is no zip, keeping the system’s or yauzl’s words', async () => {
    const dir = testdir();
    const missing = await zipError(openZip(join(dir, 'nothing.zip')));
    expect(missing.failure).toBe('unopenable');
    expect((missing.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
    expect(missing.message).toBe(`it is not a readable zip (${missing.detail})`);
    mkdirSync(join(dir, 'folder.zip'));
    expect((await zipError(openZip(join(dir, 'folder.zip')))).message).toBe('it is not a readable zip (it is not a regular file)');
    const junk = await zipError(openZip(write(Buffer.from('not a zip at all'))));
    expect(junk.failure).toBe('unopenable');
    expect(junk.detail).toMatch(/^End of central directory record signature not found/);
    expect(junk.message).toBe(`it is not a readable zip (${junk.detail})`);
  });

  it('refuses a FIFO where a zip was expected, without waiting for a writer', async () => {
    const fifo = join(testdir(), 'fifo.zip');
    execFileSync('mkfifo', [fifo]);
    expect((await zipError(openZip(fifo))).message).toBe('it is not a readable zip (it is not a regular file)');
  });

  it('refuses a central directory whose names escape (an absolute path, "..", a backslash)', async () => {
    for (const name of ['/etc/passwd', '../up', 'a\\b']) {
      const error = await zipError(readAll(write(zipOf([{ name: 'ok', data: '' }, { name, data: 'x' }]))));
      expect(error.failure).toBe('directory');
      expect(error.message).toMatch(/^its central directory cannot be read \((absolute path|invalid relative path|invalid characters in fileName)/);
    }
  });
});
