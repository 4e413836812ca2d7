/** Where lockhouse may write: plain file names only, and never through a symlink at DIR/.lockhouse. */
import { existsSync, lstatSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isLockhouseError } from '../../../src/errors.js';
import { ensureOutputDir, outputPath, unsafeNameReason } from '../../../src/io/wheelhouse/safe-paths.js';
import { tempdir } from '../store/helpers.js';

async function codeOf(promise: Promise<unknown>): Promise<string | null> {
  const error = await promise.then(() => null, (e: unknown) => e);
  return isLockhouseError(error) ? error.code : null;
}

describe('outputPath', () => {
  it.each([
    'pkg-1.0-py3-none-any.whl',
    'numpy-2.1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl',
    'pkg-1.0+local.tar.gz',
    'Pkg_Name-1.0.zip',
  ])('accepts %s', (name) => {
    expect(outputPath('/out', name)).toBe(join('/out', name));
  });

  it.each([
    ['', 'it is empty'],
    ['.', '"." is a directory'],
    ['..', '".." is a directory'],
    ['../evil.whl', 'it contains a path separator'],
    ['sub/pkg.whl', 'it contains a path separator'],
    ['..\\evil.whl', 'it contains a path separator'],
    ['/etc/passwd', 'it contains a path separator'],
    ['pkg..whl', 'it contains ".."'],
    ['pkg\u0000.whl', 'it contains a control character'],
    ['pkg\n.whl', 'it contains a control character'],
    ['pkg\u001b[31m.whl', 'it contains a control character'],
    ['pkg\u009b.whl', 'it contains a control character'],
    ['pkg.whl:stream', 'it contains ":"'],
    ['.lockhouse', 'names starting with ".lockhouse" are lockhouse\'s own'],
    ['.lockhouse-x.whl', 'names starting with ".lockhouse" are lockhouse\'s own'],
    ['a'.repeat(256), 'it is longer than 255 bytes'],
  ])('refuses %j: %s', (name, why) => {
    expect(unsafeNameReason(name, 'linux')).toBe(why);
    let error: unknown;
    try {
      outputPath('/out', name);
    } catch (e) {
      error = e;
    }
    expect(isLockhouseError(error) && error.code).toBe('OUTPUT_UNSAFE_PATH');
    expect(isLockhouseError(error) && error.exitCode).toBe(2);
  });

  it.each([
    ['CON.tar.gz', 'Windows reserves it for a device'],
    ['nul', 'Windows reserves it for a device'],
    ['com1.whl', 'Windows reserves it for a device'],
    ['pkg?.whl', 'Windows does not allow <>"|?* in file names'],
    ['pkg.whl.', 'Windows drops a trailing dot or space'],
  ])('on Windows also refuses %j', (name, why) => {
    expect(unsafeNameReason(name, 'win32')).toBe(why);
    expect(unsafeNameReason(name, 'linux')).toBeNull();
  });

  it('the message quotes the name and says why', () => {
    expect(() => outputPath('/out', '../x')).toThrow('refusing to write "../x" in /out: it contains a path separator');
  });
});

describe('ensureOutputDir', () => {
  it('makes DIR, DIR/.lockhouse and DIR/.lockhouse/tmp, and is idempotent', async () => {
    const dir = join(tempdir(), 'a', 'wheelhouse');
    const dirs = await ensureOutputDir(dir);
    expect(dirs).toEqual({ root: dir, state: join(dir, '.lockhouse'), tmp: join(dir, '.lockhouse', 'tmp') });
    expect(lstatSync(dirs.tmp).isDirectory()).toBe(true);
    expect(await ensureOutputDir(dir)).toEqual(dirs);
  });

  it('DIR itself may be a symlink to a directory (the user chose it)', async () => {
    const base = tempdir();
    mkdirSync(join(base, 'real'));
    symlinkSync(join(base, 'real'), join(base, 'wheelhouse'));
    await ensureOutputDir(join(base, 'wheelhouse'));
    expect(existsSync(join(base, 'real', '.lockhouse', 'tmp'))).toBe(true);
  });

  it('refuses a symlink planted at DIR/.lockhouse, and creates nothing through it', async () => {
    const base = tempdir();
    const out = join(base, 'out');
    const elsewhere = join(base, 'elsewhere');
    mkdirSync(out);
    mkdirSync(elsewhere);
    symlinkSync(elsewhere, join(out, '.lockhouse'));
    const error = await ensureOutputDir(out).catch((e: unknown) => e);
    expect(isLockhouseError(error) && error.code).toBe('OUTPUT_UNSAFE_PATH');
    expect((error as Error).message).toBe(`${join(out, '.lockhouse')} is a symbolic link; lockhouse never follows links in its own folders`);
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it('refuses a dangling symlink at DIR/.lockhouse, and creates nothing at its target', async () => {
    const base = tempdir();
    const out = join(base, 'out');
    mkdirSync(out);
    symlinkSync(join(base, 'target'), join(out, '.lockhouse'));
    expect(await codeOf(ensureOutputDir(out))).toBe('OUTPUT_UNSAFE_PATH');
    expect(existsSync(join(base, 'target'))).toBe(false);
  });

  it('refuses a symlink at DIR/.lockhouse/tmp', async () => {
    const base = tempdir();
    const out = join(base, 'out');
    mkdirSync(join(out, '.lockhouse'), { recursive: true });
    mkdirSync(join(base, 'elsewhere'));
    symlinkSync(join(base, 'elsewhere'), join(out, '.lockhouse', 'tmp'));
    expect(await codeOf(ensureOutputDir(out))).toBe('OUTPUT_UNSAFE_PATH');
  });

  it('refuses a file at DIR/.lockhouse, and a file at DIR', async () => {
    const base = tempdir();
    mkdirSync(join(base, 'out'));
    writeFileSync(join(base, 'out', '.lockhouse'), '');
    expect(await codeOf(ensureOutputDir(join(base, 'out')))).toBe('OUTPUT_UNSAFE_PATH');
    writeFileSync(join(base, 'file'), '');
    expect(await codeOf(ensureOutputDir(join(base, 'file')))).toBe('OUTPUT_UNSAFE_PATH');
  });
});
