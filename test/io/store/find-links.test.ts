/** --find-links: one readdir per directory, regular files and links to them, in the order given. */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isLockhouseError } from '../../../src/errors.js';
import { scanFindLinks } from '../../../src/io/store/find-links.js';
import { tempdir } from './helpers.js';

describe('scanFindLinks', () => {
  it('indexes file name → absolute paths, first directory first; links to files followed; the rest left out', async () => {
    const dir = tempdir();
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    mkdirSync(join(a, 'nested'), { recursive: true });
    mkdirSync(b);
    writeFileSync(join(a, 'pkg-1.0-py3-none-any.whl'), 'a');
    writeFileSync(join(a, 'nested', 'deep-1.0-py3-none-any.whl'), 'x');
    writeFileSync(join(b, 'pkg-1.0-py3-none-any.whl'), 'b');
    writeFileSync(join(b, 'other-2.0.tar.gz'), 'c');
    symlinkSync(join(a, 'pkg-1.0-py3-none-any.whl'), join(b, 'linked-1.0-py3-none-any.whl'));
    symlinkSync(join(dir, 'missing'), join(b, 'dangling-1.0-py3-none-any.whl'));
    symlinkSync(join(a, 'nested'), join(b, 'dirlink'));

    const index = await scanFindLinks([a, b, a]);
    expect(Object.fromEntries([...index].sort())).toEqual({
      'linked-1.0-py3-none-any.whl': [join(b, 'linked-1.0-py3-none-any.whl')],
      'other-2.0.tar.gz': [join(b, 'other-2.0.tar.gz')],
      'pkg-1.0-py3-none-any.whl': [join(a, 'pkg-1.0-py3-none-any.whl'), join(b, 'pkg-1.0-py3-none-any.whl')],
    });
    expect((await scanFindLinks([b, a])).get('pkg-1.0-py3-none-any.whl')).toEqual([join(b, 'pkg-1.0-py3-none-any.whl'), join(a, 'pkg-1.0-py3-none-any.whl')]);
  });

  it('relative directories give absolute paths', async () => {
    const dir = tempdir();
    writeFileSync(join(dir, 'x.whl'), '');
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      expect((await scanFindLinks(['.'])).get('x.whl')).toEqual([join(dir, 'x.whl')]);
    } finally {
      process.chdir(cwd);
    }
  });

  it('a missing directory is a usage error naming it', async () => {
    const dir = tempdir();
    const error = await scanFindLinks([join(dir, 'nope')]).catch((e: unknown) => e);
    expect(isLockhouseError(error) && error.code).toBe('USAGE');
    expect((error as Error).message).toContain(`--find-links ${join(dir, 'nope')}`);
  });

  it('indexes 5,000 files quickly', async () => {
    const dir = tempdir();
    for (let i = 0; i < 5000; i++) writeFileSync(join(dir, `pkg${i}-1.0-py3-none-any.whl`), '');
    const started = performance.now();
    const index = await scanFindLinks([dir]);
    const ms = performance.now() - started;
    expect(index.size).toBe(5000);
    expect(ms).toBeLessThan(1000);
  });
});
