/** readWheelMetadata: a wheelhouse wheel's METADATA for PEP 658, bounded, checked, never through a symlink. */
import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WHEEL_LIMITS } from '../../../src/io/wheel/dist-info.js';
import { readWheelMetadata } from '../../../src/io/wheel/wheel-metadata.js';
import { makeWheel } from '../../helpers/artifacts.js';
import { testdir } from '../../helpers/testdir.js';

function write(filename: string, bytes: Buffer | string): string {
  const path = join(testdir(), filename);
  writeFileSync(path, bytes);
  return path;
}

describe('readWheelMetadata', () => {
  it('returns METADATA byte for byte, and its Requires-Python', async () => {
    const wheel = makeWheel({ name: 'Foo.Bar', version: '1.0', requiresPython: '>=3.9', requiresDist: ['baz<2'] });
    const metadata = await readWheelMetadata(write(wheel.filename, wheel.bytes));
    expect(metadata.requiresPython).toBe('>=3.9');
    expect(metadata.bytes.toString()).toContain('Name: Foo.Bar\nVersion: 1.0\n');
    expect(metadata.bytes.toString()).toContain('Requires-Dist: baz<2\n');
    // Stored uncompressed by the helper: the same bytes are in the archive.
    expect(wheel.bytes.includes(metadata.bytes)).toBe(true);
    expect((await readWheelMetadata(write(makeWheel({ name: 'a', version: '1' }).filename, makeWheel({ name: 'a', version: '1' }).bytes))).requiresPython).toBeNull();
  });

  it('refuses a symlink at the path unless told to follow it', async () => {
    const wheel = makeWheel({ name: 'a', version: '1.0' });
    const real = write(wheel.filename, wheel.bytes);
    const link = join(testdir(), wheel.filename);
    symlinkSync(real, link);
    await expect(readWheelMetadata(link)).rejects.toMatchObject({ code: 'INDEX_NO_METADATA', message: expect.stringContaining('it is a symbolic link') });
    expect((await readWheelMetadata(link, { noFollow: false })).bytes.length).toBeGreaterThan(0);
  });

  it('reports an unsound wheel with INDEX_NO_METADATA, not as a build failure', async () => {
    const other = makeWheel({ name: 'other', version: '1.0' });
    await expect(readWheelMetadata(write('a-1.0-py3-none-any.whl', other.bytes))).rejects.toMatchObject({
      code: 'INDEX_NO_METADATA',
      message: 'The wheel a-1.0-py3-none-any.whl is not a sound wheel: its other-1.0.dist-info directory is not named for the project "a" of its file name.',
    });
    await expect(readWheelMetadata(write('a-1.0-py3-none-any.whl', 'PK'))).rejects.toMatchObject({ code: 'INDEX_NO_METADATA' });
  });

  it('reads no more METADATA than its limit', async () => {
    const wheel = makeWheel({ name: 'a', version: '1.0' });
    const limits = { ...WHEEL_LIMITS, maxMetadataBytes: 10 };
    await expect(readWheelMetadata(write(wheel.filename, wheel.bytes), { limits })).rejects.toMatchObject({
      code: 'INDEX_NO_METADATA',
      message: expect.stringMatching(/METADATA declares [0-9]+ bytes, more than the 10 lockhouse reads/),
    });
  });
});
