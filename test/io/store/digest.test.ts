/** One pass, every digest: the hashers agree with node:crypto at every size that matters, and the hash alone decides. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Digests, isHexDigest, matches, sizeDiffers } from '../../../src/io/store/digest.js';
import { hashFile } from '../../../src/io/store/hash-file.js';
import { createTempFiles } from '../../../src/io/store/temp-files.js';
import type { Expected } from '../../../src/io/store/types.js';
import { randomData, sha, tempdir } from './helpers.js';

const ALGORITHMS = ['sha256', 'sha384', 'sha512'] as const;
const KIB64 = 64 * 1024;
const MIB = 1024 * 1024;
const SIZES = [0, 1, KIB64 - 1, KIB64, KIB64 + 1, MIB - 1, MIB, MIB + 1, 3 * MIB + 7];

describe('Digests', () => {
  it.each(ALGORITHMS)('%s: matches node:crypto for chunked input', (algorithm) => {
    const data = randomData(5 * KIB64 + 3);
    const digests = new Digests(algorithm);
    for (let at = 0; at < data.length; at += 4093) digests.update(data.subarray(at, at + 4093));
    const actual = digests.result();
    expect(actual).toEqual({ sha256: sha('sha256', data), digest: sha(algorithm, data), size: data.length });
  });

  it('reset() forgets what came before', () => {
    const digests = new Digests('sha512');
    digests.update(Buffer.from('garbage'));
    digests.reset();
    digests.update(Buffer.from('abc'));
    expect(digests.result()).toEqual({ sha256: sha('sha256', Buffer.from('abc')), digest: sha('sha512', Buffer.from('abc')), size: 3 });
  });
});

describe('TempFile and hashFile digests', () => {
  it.each(ALGORITHMS.flatMap((algorithm) => SIZES.map((size) => [algorithm, size] as const)))(
    '%s, %i bytes, written in uneven chunks',
    async (algorithm, size) => {
      const dir = tempdir();
      const data = randomData(size);
      const temp = await createTempFiles(join(dir, 'tmp'), { durable: false }).create(algorithm);
      // Chunk sizes that straddle the 1 MiB write buffer in every way.
      const steps = [1, 7, KIB64, 300_000, MIB, 2 * MIB];
      for (let at = 0, i = 0; at < size; i++) {
        const step = steps[i % steps.length]!;
        await temp.write(data.subarray(at, at + step));
        at += step;
      }
      expect(temp.bytesWritten).toBe(size);
      const actual = await temp.finish();
      const expected = { sha256: sha('sha256', data), digest: sha(algorithm, data), size };
      expect(actual).toEqual(expected);
      expect(readFileSync(temp.path).equals(data)).toBe(true);
      expect(await hashFile(temp.path, algorithm)).toEqual(expected);
    },
  );

  it.each(ALGORITHMS)('%s over 50 MB of random data', async (algorithm) => {
    const dir = tempdir();
    const data = randomData(50 * MIB);
    const temp = await createTempFiles(dir, { durable: false }).create(algorithm);
    for (let at = 0; at < data.length; at += KIB64) await temp.write(data.subarray(at, at + KIB64));
    const expected = { sha256: sha('sha256', data), digest: sha(algorithm, data), size: data.length };
    expect(await temp.finish()).toEqual(expected);
    expect(await hashFile(temp.path, algorithm)).toEqual(expected);
  });
});

describe('matches', () => {
  const data = Buffer.from('the bytes');
  const actual256 = { sha256: sha('sha256', data), digest: sha('sha256', data), size: data.length };
  const actual512 = { sha256: sha('sha256', data), digest: sha('sha512', data), size: data.length };
  const expected = (algorithm: Expected['algorithm'], digest: string, size: number | null): Expected => ({ algorithm, digest, size });

  it.each([
    ['sha256, right hash, right size', expected('sha256', actual256.sha256, data.length), actual256, true],
    ['sha256, right hash, wrong size: the hash decides', expected('sha256', actual256.sha256, 999), actual256, true],
    ['sha256, right hash, no size', expected('sha256', actual256.sha256, null), actual256, true],
    ['sha256, upper-case hex in the lock', expected('sha256', actual256.sha256.toUpperCase(), null), actual256, true],
    ['sha256, wrong hash, right size: size never decides alone', expected('sha256', '0'.repeat(64), data.length), actual256, false],
    ['sha512 against an Actual made for sha512', expected('sha512', actual512.digest, null), actual512, true],
    ['sha512 against an Actual made for sha256', expected('sha512', actual512.digest, null), actual256, false],
    ['sha512 whose digest is the sha256', expected('sha512', actual256.sha256, null), actual256, false],
  ])('%s', (_name, want, got, result) => {
    expect(matches(want, got)).toBe(result);
  });

  it('sizeDiffers only when the lock gives a size', () => {
    expect(sizeDiffers(expected('sha256', 'x', 999), actual256)).toBe(true);
    expect(sizeDiffers(expected('sha256', 'x', data.length), actual256)).toBe(false);
    expect(sizeDiffers(expected('sha256', 'x', null), actual256)).toBe(false);
  });

  it('isHexDigest checks length and alphabet', () => {
    expect(isHexDigest('sha256', 'a'.repeat(64))).toBe(true);
    expect(isHexDigest('sha256', 'A'.repeat(64))).toBe(false);
    expect(isHexDigest('sha256', '../'.padEnd(64, 'a'))).toBe(false);
    expect(isHexDigest('sha384', 'a'.repeat(96))).toBe(true);
    expect(isHexDigest('sha512', 'a'.repeat(64))).toBe(false);
  });
});
