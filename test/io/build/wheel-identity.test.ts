import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readWheelIdentity } from '../../../src/io/build/wheel-identity.js';
import { makeWheel } from '../../helpers/artifacts.js';
import { testdir } from '../../helpers/testdir.js';
import { zipOf, type ZipEntry as Entry } from '../../helpers/zip-builder.js';

const METADATA = (name: string, version: string): string => `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n\nDescription body: Name: not-this\n`;
const WHEEL = (...tags: string[]): string => `Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n${tags.map((tag) => `Tag: ${tag}\n`).join('')}`;

function write(filename: string, bytes: Buffer): string {
  const path = join(testdir(), filename);
  writeFileSync(path, bytes);
  return path;
}

const failure = (promise: Promise<unknown>): Promise<{ code: string; message: string }> =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: { code: string; message: string }) => error,
  );

describe('readWheelIdentity', () => {
  it('reads name and version from METADATA and the tags from the file name', async () => {
    const wheel = makeWheel({ name: 'Foo.Bar', version: '1.0.post1', tags: 'cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64' });
    expect(await readWheelIdentity(write(wheel.filename, wheel.bytes))).toEqual({
      name: 'foo-bar',
      version: '1.0.post1',
      python: ['cp312'],
      abi: ['cp312'],
      platform: ['manylinux_2_17_x86_64', 'manylinux2014_x86_64'],
    });
  });

  it('takes a version spelled differently in METADATA and the file name when they normalize alike', async () => {
    const zip = zipOf([
      { name: 'foo-1.0rc1.dist-info/METADATA', data: METADATA('Foo', '1.0-RC1') },
      { name: 'foo-1.0rc1.dist-info/WHEEL', data: WHEEL('py2-none-any', 'py3-none-any') },
    ]);
    expect(await readWheelIdentity(write('foo-1.0rc1-py2.py3-none-any.whl', zip))).toMatchObject({ name: 'foo', version: '1.0-RC1', python: ['py2', 'py3'] });
  });

  it('refuses a wheel whose METADATA names another project than its file name', async () => {
    const zip = zipOf([
      { name: 'foo-1.0.dist-info/METADATA', data: METADATA('bar', '1.0') },
      { name: 'foo-1.0.dist-info/WHEEL', data: WHEEL('py3-none-any') },
    ]);
    const error = await failure(readWheelIdentity(write('foo-1.0-py3-none-any.whl', zip)));
    expect(error.code).toBe('BUILD_WRONG_WHEEL');
    expect(error.message).toBe('The built wheel foo-1.0-py3-none-any.whl is not a sound wheel: its METADATA names the project "bar", its file name "foo".');
  });

  it('refuses a wheel whose METADATA has another version', async () => {
    const zip = zipOf([
      { name: 'foo-1.0.dist-info/METADATA', data: METADATA('foo', '1.1') },
      { name: 'foo-1.0.dist-info/WHEEL', data: WHEEL('py3-none-any') },
    ]);
    expect((await failure(readWheelIdentity(write('foo-1.0-py3-none-any.whl', zip)))).message).toContain('its METADATA says version "1.1", its file name "1.0"');
  });

  it('refuses a wheel renamed after another project (its .dist-info says so)', async () => {
    const wheel = makeWheel({ name: 'bar', version: '1.0' });
    const error = await failure(readWheelIdentity(write('foo-1.0-py3-none-any.whl', wheel.bytes)));
    expect(error.message).toContain('its bar-1.0.dist-info directory is not named for the project "foo" of its file name');
  });

  it('refuses tags in the file name that WHEEL does not list, and the other way round', async () => {
    const wheel = makeWheel({ name: 'foo', version: '1.0', tags: 'py3-none-any' });
    const error = await failure(readWheelIdentity(write('foo-1.0-cp312-cp312-linux_x86_64.whl', wheel.bytes)));
    expect(error.message).toBe(
      'The built wheel foo-1.0-cp312-cp312-linux_x86_64.whl is not a sound wheel: its tags disagree: its file name has cp312-cp312-linux_x86_64 which WHEEL lacks; WHEEL has py3-none-any which its file name lacks.',
    );
    const more = zipOf([
      { name: 'foo-1.0.dist-info/METADATA', data: METADATA('foo', '1.0') },
      { name: 'foo-1.0.dist-info/WHEEL', data: WHEEL('py3-none-any', 'py2-none-any') },
    ]);
    expect((await failure(readWheelIdentity(write('foo-1.0-py3-none-any.whl', more)))).message).toContain('WHEEL has py2-none-any which its file name lacks');
  });

  it.each([
    ['no .dist-info', [{ name: 'foo/__init__.py', data: '' }], 'it has no .dist-info directory'],
    ['no WHEEL', [{ name: 'foo-1.0.dist-info/METADATA', data: METADATA('foo', '1.0') }], 'it has no foo-1.0.dist-info/WHEEL'],
    [
      'two .dist-info',
      [
        { name: 'foo-1.0.dist-info/METADATA', data: METADATA('foo', '1.0') },
        { name: 'bar-1.0.dist-info/METADATA', data: METADATA('bar', '1.0') },
      ],
      'it has 2 .dist-info directories (foo-1.0.dist-info, bar-1.0.dist-info)',
    ],
  ])('refuses a wheel with %s', async (_, entries, why) => {
    expect((await failure(readWheelIdentity(write('foo-1.0-py3-none-any.whl', zipOf(entries))))).message).toContain(why);
  });

  it('refuses a file that is not a zip, or not named as a wheel', async () => {
    expect((await failure(readWheelIdentity(write('foo-1.0-py3-none-any.whl', Buffer.from('not a zip'))))).message).toContain('it is not a readable zip');
    expect((await failure(readWheelIdentity(write('foo-1.0.tar.gz', Buffer.alloc(0))))).message).toContain('The wheel filename "foo-1.0.tar.gz" is invalid');
  });

  it('refuses a METADATA that declares more than 16 MiB, without inflating it', async () => {
    const zip = zipOf([
      { name: 'foo-1.0.dist-info/METADATA', data: Buffer.concat([Buffer.from(METADATA('foo', '1.0')), Buffer.alloc(17 << 20)]), deflate: true },
      { name: 'foo-1.0.dist-info/WHEEL', data: WHEEL('py3-none-any') },
    ]);
    expect(zip.length).toBeLessThan(100_000);
    const error = await failure(readWheelIdentity(write('foo-1.0-py3-none-any.whl', zip)));
    expect(error.code).toBe('BUILD_WRONG_WHEEL');
    expect(error.message).toContain(`foo-1.0.dist-info/METADATA declares ${(17 << 20) + METADATA('foo', '1.0').length} bytes, more than the 16777216 lockhouse reads`);
  });

  it('refuses a METADATA that inflates past what it declares (a zip bomb)', async () => {
    const zip = zipOf([
      { name: 'foo-1.0.dist-info/METADATA', data: Buffer.concat([Buffer.from(METADATA('foo', '1.0')), Buffer.alloc(64 << 20)]), deflate: true, declaredSize: 100 },
      { name: 'foo-1.0.dist-info/WHEEL', data: WHEEL('py3-none-any') },
    ]);
    const started = performance.now();
    const error = await failure(readWheelIdentity(write('foo-1.0-py3-none-any.whl', zip)));
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(error.code).toBe('BUILD_WRONG_WHEEL');
    expect(error.message).toMatch(/foo-1\.0\.dist-info\/METADATA cannot be read \(too many bytes in the stream/);
  });

  it('refuses a zip of 100 001 entries before reading any', async () => {
    const entries: Entry[] = [{ name: 'foo-1.0.dist-info/METADATA', data: METADATA('foo', '1.0') }, { name: 'foo-1.0.dist-info/WHEEL', data: WHEEL('py3-none-any') }];
    for (let i = entries.length; i < 100_001; i++) entries.push({ name: `foo/m${i}.py`, data: '' });
    const path = write('foo-1.0-py3-none-any.whl', zipOf(entries));
    const started = performance.now();
    const error = await failure(readWheelIdentity(path));
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(error.message).toContain('it lists 100001 entries, more than the 100000 lockhouse reads');
  });

  it('reads a wheel of 100 000 entries', async () => {
    const entries: Entry[] = [{ name: 'foo-1.0.dist-info/METADATA', data: METADATA('foo', '1.0') }, { name: 'foo-1.0.dist-info/WHEEL', data: WHEEL('py3-none-any') }];
    for (let i = entries.length; i < 100_000; i++) entries.push({ name: `foo/m${i}.py`, data: '' });
    expect(await readWheelIdentity(write('foo-1.0-py3-none-any.whl', zipOf(entries)))).toMatchObject({ name: 'foo', version: '1.0' });
  });
});
