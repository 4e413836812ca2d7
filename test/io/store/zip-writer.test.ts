/**
 * writeZipAtomic: the bundle's zip writer. Every entry's CRC-32 (now zlib's
 * native one, put in place of yazl's JavaScript one) is the one a zip reader
 * checks; the same entries give the same bytes; a file that changed since it
 * was verified fails the zip and leaves nothing behind.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isLockhouseError } from '../../../src/errors.js';
import { nativeCrc32, writeZipAtomic, type ZipEntry } from '../../../src/io/store/zip-writer.js';
import { readZip } from '../../helpers/read-zip.js';
import { listDir, randomData, sha, tempdir } from './helpers.js';

/** yazl's own copy of buffer-crc32: called, it is still the JavaScript CRC-32; `.unsigned` is what yazl uses per chunk. */
const yazlCrc = createRequire(createRequire(import.meta.url).resolve('yazl'))('buffer-crc32') as ((data: Uint8Array) => Buffer) & {
  unsigned: (data: Uint8Array, previous?: number) => number;
};
const bufferCrc32 = (data: Uint8Array): Buffer => yazlCrc(data);

function fileEntry(dir: string, name: string, data: Buffer): ZipEntry {
  const path = join(dir, name.replace(/\//g, '_'));
  writeFileSync(path, data);
  return { name, path, size: data.length, sha256: sha('sha256', data) };
}

describe('writeZipAtomic', () => {
  it("native CRC-32 is buffer-crc32's function: whole, chained over chunks, on empty input", () => {
    for (const size of [0, 1, 7, 4096, 1_000_003]) {
      const data = randomData(size);
      const expected = bufferCrc32(data).readUInt32BE(0);
      expect(nativeCrc32(data)).toBe(expected);
      let chained = 0;
      for (let offset = 0; offset < size; offset += 65_536) chained = nativeCrc32(data.subarray(offset, offset + 65_536), chained);
      expect(chained).toBe(expected);
    }
    expect(nativeCrc32('SHA256SUMS')).toBe(bufferCrc32(Buffer.from('SHA256SUMS')).readUInt32BE(0));
    expect(nativeCrc32(Buffer.from('abc'), nativeCrc32(Buffer.from('xyz')))).toBe(bufferCrc32(Buffer.from('xyzabc')).readUInt32BE(0));
  });

  it('writes every entry with the CRC-32 and bytes a reader checks, in the order given, and reports the zip\'s sha256', async () => {
    const dir = tempdir();
    const big = randomData(3 * 1024 * 1024 + 11);
    const entries: ZipEntry[] = [
      { name: '__main__.py', data: Buffer.from('print("hi")\n') },
      fileEntry(dir, 'wheels/a-1.0-py3-none-any.whl', big),
      fileEntry(dir, 'wheels/empty-1.0-py3-none-any.whl', Buffer.alloc(0)),
      { name: 'SHA256SUMS', data: Buffer.from('x  y\n') },
    ];
    const out = join(dir, 'app.pyz');
    const written = await writeZipAtomic(out, entries);

    const bytes = readFileSync(out);
    expect(written).toEqual({ bytes: bytes.length, sha256: sha('sha256', bytes) });
    const read = await readZip(out);
    expect(read.map((entry) => entry.name)).toEqual(entries.map((entry) => entry.name));
    for (const entry of read) expect(entry.crc32, entry.name).toBe(crc32(entry.data));
    expect(read[1]!.data.equals(big)).toBe(true);
    expect(read[2]!.data.length).toBe(0);
    expect(listDir(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    // …with zlib's CRC-32 in yazl's hands, not the JavaScript one (ten times slower: docs/performance.md).
    expect(yazlCrc.unsigned).toBe(nativeCrc32);
  });

  it('gives byte-identical zips for the same entries', async () => {
    const dir = tempdir();
    const entries = [fileEntry(dir, 'wheels/b-2.0-py3-none-any.whl', randomData(200_000)), { name: 'requirements.txt', data: Buffer.from('b==2.0\n') }];
    await writeZipAtomic(join(dir, 'one.pyz'), entries);
    await writeZipAtomic(join(dir, 'two.pyz'), entries);
    expect(readFileSync(join(dir, 'one.pyz')).equals(readFileSync(join(dir, 'two.pyz')))).toBe(true);
  });

  it('refuses a file that grew or shrank since it was vouched for, whatever its first bytes: INTEGRITY_MISMATCH, no zip', async () => {
    const dir = tempdir();
    for (const [name, change] of [
      ['wheels/grown-1.0-py3-none-any.whl', (data: Buffer) => Buffer.concat([data, randomData(3 * 1024 * 1024)])],
      ['wheels/shrunk-1.0-py3-none-any.whl', (data: Buffer) => data.subarray(0, 1000)],
    ] as const) {
      const entry = fileEntry(dir, name, randomData(100_000)) as { name: string; path: string; size: number; sha256: string };
      writeFileSync(entry.path, change(readFileSync(entry.path)));
      const out = join(dir, 'changed.pyz');
      const error = await writeZipAtomic(out, [entry]).then(
        () => null,
        (thrown: unknown) => thrown,
      );
      expect(isLockhouseError(error) && error.code, name).toBe('INTEGRITY_MISMATCH');
      expect(String((error as Error).message)).toContain(name);
      expect(existsSync(out)).toBe(false);
    }
    expect(listDir(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('a file found wrong at its first chunk fails the zip, even while the temporary name is still being reserved (a large folder to sweep)', async () => {
    const dir = tempdir();
    // Thousands of names beside the bundle: reserving its temporary name (a sweep of the folder) takes a while.
    for (let i = 0; i < 30000; i++) writeFileSync(join(dir, `unrelated-${i}.txt`), '');
    const entry = fileEntry(dir, 'wheels/grown-2.0-py3-none-any.whl', randomData(1000)) as { name: string; path: string; size: number; sha256: string };
    writeFileSync(entry.path, randomData(2 * 1024 * 1024));
    const out = join(dir, 'early.pyz');
    const error = await writeZipAtomic(out, [entry]).then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect(isLockhouseError(error) && error.code).toBe('INTEGRITY_MISMATCH');
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a file whose bytes are not the ones vouched for: INTEGRITY_MISMATCH, no zip, no temporary file', async () => {
    const dir = tempdir();
    const good = fileEntry(dir, 'wheels/c-1.0-py3-none-any.whl', randomData(100_000));
    const altered = fileEntry(dir, 'wheels/d-1.0-py3-none-any.whl', randomData(100_000));
    const data = readFileSync((altered as { path: string }).path);
    data[50_000] = data[50_000]! ^ 1;
    writeFileSync((altered as { path: string }).path, data);
    const out = join(dir, 'bad.pyz');

    const error = await writeZipAtomic(out, [good, altered]).then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect(isLockhouseError(error) && error.code).toBe('INTEGRITY_MISMATCH');
    expect(String((error as Error).message)).toContain('wheels/d-1.0-py3-none-any.whl');
    expect(existsSync(out)).toBe(false);
    expect(listDir(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
