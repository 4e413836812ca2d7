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
import { centralRecord, endRecord, localHeader } from '../../helpers/zip-records.js';

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

  it("refuses a central directory with a name the bundle installer would refuse, naming the entry and the rule", async () => {
    const cases: ReadonlyArray<[string, string]> = [
      ['/etc/passwd', 'an absolute path'],
      ['../up', "a '..' component"],
      ['a\\b', 'a backslash in its name'],
      ['a//b', "an empty or '.' path component"],
      ['a/./b', "an empty or '.' path component"],
      ['./a', "an empty or '.' path component"],
      ['C:x', 'a drive letter'],
      ['a\u0000b', 'a NUL character in its name'],
      ['a\u001bb', 'a control character in its name'],
    ];
    for (const [name, why] of cases) {
      const error = await zipError(readAll(write(zipOf([{ name: 'ok', data: '' }, { name, data: 'x' }]))));
      expect(error.failure).toBe('directory');
      expect(error.message).toBe(`its central directory cannot be read (the entry ${JSON.stringify(name)} has ${why})`);
    }
  });
});

/** Clear the UTF-8 flag (bit 11) of every local header and central record of a zip zipOf or storedZip wrote. */
function withoutUtf8Flag(zip: Buffer): Buffer {
  const out = Buffer.from(zip);
  for (let at = 0; at + 4 <= out.length; at++) {
    const signature = out.readUInt32LE(at);
    if (signature === 0x04034b50) out.writeUInt16LE(out.readUInt16LE(at + 6) & ~0x800, at + 6);
    if (signature === 0x02014b50) out.writeUInt16LE(out.readUInt16LE(at + 8) & ~0x800, at + 8);
  }
  return out;
}

describe("openZip: names as Python's zipfile reads them", () => {
  it("lists every name with unsafeNames 'list', each with the reason it may not be extracted", async () => {
    const path = write(zipOf(['fine.txt', 'dir/', 'a//b', '../up', 'a\\b'].map((name) => ({ name, data: name.endsWith('/') ? '' : 'x' }))));
    await withZip(path, { unsafeNames: 'list' }, async (zip) => {
      expect((await listed(zip)).map((entry) => [entry.name, entry.nameProblem])).toEqual([
        ['fine.txt', null],
        ['dir/', null],
        ['a//b', "an empty or '.' path component"],
        ['../up', "a '..' component"],
        ['a\\b', 'a backslash in its name'],
      ]);
    });
  });

  it('decodes a name without the UTF-8 flag as code page 437, control characters as themselves (yauzl shows them as ☺)', async () => {
    const zip = withoutUtf8Flag(zipOf([{ name: Buffer.from([0x61, 0x80, 0x62]) as unknown as string, data: 'x' }, { name: Buffer.from([0x61, 0x01, 0x62]) as unknown as string, data: 'y' }]));
    await withZip(write(zip), { unsafeNames: 'list' }, async (zip) => {
      expect((await listed(zip)).map((entry) => [entry.name, entry.nameProblem])).toEqual([
        ['aÇb', null],
        ['a\u0001b', 'a control character in its name'],
      ]);
    });
  });

  it('refuses a name that says it is UTF-8 and is not (zipfile cannot open such a zip)', async () => {
    const error = await zipError(readAll(write(zipOf([{ name: Buffer.from([0x61, 0xff]) as unknown as string, data: 'x' }]))));
    expect(error.message).toBe('its central directory cannot be read (the entry "a\u00ff" has a name that says it is UTF-8 and is not)');
  });

  it('refuses an entry an Info-ZIP Unicode Path field renames (Python 3.12+ reads it under the other name)', async () => {
    const raw = Buffer.from('innocent.txt');
    const other = Buffer.from('__main__.py');
    const field = Buffer.alloc(4 + 5 + other.length);
    field.writeUInt16LE(0x7075, 0);
    field.writeUInt16LE(5 + other.length, 2);
    field.writeUInt8(1, 4);
    field.writeUInt32LE(crc32(raw), 5);
    other.copy(field, 9);
    const data = Buffer.from('print(1)');
    const local = localHeader({ name: raw, crc: crc32(data), size: data.length, extra: field });
    const central = centralRecord({ name: raw, crc: crc32(data), size: data.length, offset: 0, extra: field });
    const zip = Buffer.concat([local, data, central, endRecord({ count: 1, directorySize: central.length, directoryOffset: local.length + data.length })]);
    await withZip(write(zip), { unsafeNames: 'list' }, async (archive) => {
      expect((await listed(archive)).map((entry) => [entry.name, entry.nameProblem])).toEqual([['innocent.txt', 'an Info-ZIP Unicode Path field that renames it "__main__.py"']]);
    });
  });
});

describe('openZip: what zipfile reads, this reader reads', () => {
  const entries = [{ name: '__main__.py', data: 'print("hi")\n' }, { name: 'wheels/a.whl', data: 'wheel bytes' }];

  it('a zip after a prefix (a zipapp\'s #! line), its offsets counted from the zip: the entries, whole', async () => {
    const prefixed = Buffer.concat([Buffer.from('#!/usr/bin/env python3\n'), zipOf(entries)]);
    expect((await readAll(write(prefixed))).map(String)).toEqual(entries.map((entry) => entry.data));
  });

  it('a zip after a prefix whose offsets were adjusted to count it (zip -A): the entries, whole', async () => {
    const dir = testdir();
    const plain = write(zipOf(entries), 'plain.zip');
    const adjusted = join(dir, 'adjusted.zip');
    writeFileSync(adjusted, Buffer.concat([Buffer.from('#!/usr/bin/env python3\n'), readFileSync(plain)]));
    execFileSync('zip', ['-q', '-A', adjusted]);
    expect((await readAll(adjusted)).map(String)).toEqual(entries.map((entry) => entry.data));
  });

  it('refuses an entry whose data does not have the CRC-32 the zip records (zipfile: Bad CRC-32)', async () => {
    const zip = zipOf([{ name: 'a', data: 'hello' }]);
    const at = zip.indexOf('hello');
    zip[at] = 'j'.charCodeAt(0);
    const error = await zipError(readAll(write(zip)));
    expect(error.failure).toBe('entry-unreadable');
    expect(error.message).toMatch(/^a cannot be read \(its CRC-32 is [0-9]+, the zip says [0-9]+\)$/);
  });

  it('refuses entries that overlap: more data than the file holds (one stream read many times, a zip bomb)', async () => {
    const big = Buffer.alloc(10_000, 1);
    const zip = zipOf([{ name: 'a', data: big }, ...Array.from({ length: 3 }, (_, i) => ({ name: `copy${i}`, data: big, sameLocalAs: 0 }))]);
    const error = await zipError(readAll(write(zip)));
    expect(error.failure).toBe('directory');
    expect(error.message).toMatch(/^its entries take [0-9]+ bytes or more of a zip of [0-9]+: entries that overlap \(a zip bomb\)$/);
  });
});
