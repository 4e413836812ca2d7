/** The one way anything lands: a temporary name on the same filesystem, then one rename; nothing partial, nothing through a link, nothing left behind. */
import { chmodSync, existsSync, linkSync, lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { landBytes, landDir, landFile, landWith, linkOrCopy, workDir } from '../../../src/io/store/land.js';
import { GRACE_MS } from '../../../src/io/store/sweep.js';
import { newTempName } from '../../../src/io/store/temp-name.js';
import { deadPid, listDir, tempdir } from './helpers.js';

describe('landBytes', () => {
  it('a temporary folder removed after a first landing is made again for the next (it is made once per process, not per file)', async () => {
    const dir = tempdir();
    const tmp = join(dir, '.lockhouse', 'tmp');
    await landBytes(join(dir, 'a'), 'one', { tempDir: tmp, durable: false });
    rmSync(join(dir, '.lockhouse'), { recursive: true });
    await landBytes(join(dir, 'b'), 'two', { tempDir: tmp, durable: false });
    expect(readFileSync(join(dir, 'b'), 'utf8')).toBe('two');
    expect(listDir(tmp)).toEqual([]);
  });

  it('writes through a temporary name beside the file, and leaves only the file', async () => {
    const dir = tempdir();
    await landBytes(join(dir, 'pylock.toml'), 'lock-version = "1.0"\n');
    expect(listDir(dir)).toEqual(['pylock.toml']);
    expect(readFileSync(join(dir, 'pylock.toml'), 'utf8')).toBe('lock-version = "1.0"\n');
  });

  it('replaces a symlink at the final name; the link’s target is untouched', async () => {
    const dir = tempdir();
    writeFileSync(join(dir, 'target'), 'precious');
    symlinkSync(join(dir, 'target'), join(dir, 'lockhouse.json'));
    await landBytes(join(dir, 'lockhouse.json'), '{}\n', { tempDir: join(dir, '.lockhouse', 'tmp') });
    expect(lstatSync(join(dir, 'lockhouse.json')).isFile()).toBe(true);
    expect(readFileSync(join(dir, 'target'), 'utf8')).toBe('precious');
    expect(listDir(join(dir, '.lockhouse', 'tmp'))).toEqual([]);
  });

  it('sweeps a killed writer’s leftover of the same name once the grace is over, and no other name', async () => {
    const dir = tempdir();
    const dead = await deadPid();
    const old = (Date.now() - GRACE_MS - 60_000) / 1000;
    for (const name of [`.pylock.toml.${dead}-x.tmp`, `.README.md.${dead}-x.tmp`]) {
      writeFileSync(join(dir, name), 'half');
      (await import('node:fs')).utimesSync(join(dir, name), old, old);
    }
    await landBytes(join(dir, 'pylock.toml'), 'x');
    expect(listDir(dir)).toEqual([`.README.md.${dead}-x.tmp`, 'pylock.toml']);
  });

  it('a failure leaves nothing under the final name and no temporary file', async () => {
    const dir = tempdir();
    mkdirSync(join(dir, 'ro'));
    writeFileSync(join(dir, 'ro', 'keep'), 'old');
    chmodSync(join(dir, 'ro'), 0o500);
    try {
      if (process.getuid?.() === 0) return; // root writes anywhere: nothing to prove here
      await expect(landBytes(join(dir, 'ro', 'keep'), 'new')).rejects.toMatchObject({ code: 'OUTPUT_NOT_WRITABLE' });
      expect(readFileSync(join(dir, 'ro', 'keep'), 'utf8')).toBe('old');
    } finally {
      chmodSync(join(dir, 'ro'), 0o700);
    }
  });
});

describe('landWith', () => {
  it('removes the temporary file when making it fails, and nothing lands', async () => {
    const dir = tempdir();
    const tmp = join(dir, 'tmp');
    await expect(
      landWith(join(dir, 'out.zip'), async (temp) => {
        writeFileSync(temp, 'half a zip', { flag: 'wx' });
        throw new Error('the zip failed');
      }, { tempDir: tmp }),
    ).rejects.toThrow('the zip failed');
    expect(existsSync(join(dir, 'out.zip'))).toBe(false);
    expect(listDir(tmp)).toEqual([]);
  });
});

describe('landFile', () => {
  it('when the temporary name and the final name are one file already, the temporary name still goes', async () => {
    // rename(2) between two links to one file succeeds and does nothing.
    const dir = tempdir();
    writeFileSync(join(dir, 'pkg.whl'), 'wheel');
    const temp = join(dir, newTempName());
    linkSync(join(dir, 'pkg.whl'), temp);
    await landFile(temp, join(dir, 'pkg.whl'));
    expect(listDir(dir)).toEqual(['pkg.whl']);
  });
});

describe('landDir', () => {
  it('lands a folder whole; a folder already there wins and the new one is removed', async () => {
    const dir = tempdir();
    const final = join(dir, 'entries', 'abc');
    expect(await landDir(final, async (temp) => writeFileSync(join(temp, 'info.json'), 'first'))).toBe('landed');
    expect(await landDir(final, async (temp) => writeFileSync(join(temp, 'info.json'), 'second'))).toBe('existing');
    expect(readFileSync(join(final, 'info.json'), 'utf8')).toBe('first');
    expect(listDir(join(dir, 'entries'))).toEqual(['abc']);
  });

  it('a failure while making it leaves nothing', async () => {
    const dir = tempdir();
    await expect(landDir(join(dir, 'x', 'abc'), async () => Promise.reject(new Error('git failed')))).rejects.toThrow('git failed');
    expect(listDir(join(dir, 'x'))).toEqual([]);
  });
});

describe('workDir', () => {
  it('is named so the sweeper knows it, and remove() takes it all', async () => {
    const dir = tempdir();
    const work = await workDir(dir);
    writeFileSync(join(work.path, 'x'), 'y');
    expect(listDir(dir)).toEqual([work.path.slice(dir.length + 1)]);
    expect(work.path).toMatch(new RegExp(`/${process.pid}-[A-Za-z0-9_-]+\\.tmp$`));
    await work.remove();
    expect(listDir(dir)).toEqual([]);
  });

  it('beside a file that is not lockhouse’s, carries its name as the label', async () => {
    const dir = tempdir();
    const work = await workDir(dir, 'app.pyz');
    expect(work.path.slice(dir.length + 1)).toMatch(new RegExp(`^\\.app\\.pyz\\.${process.pid}-[A-Za-z0-9_-]+\\.tmp$`));
    await work.remove();
  });
});

describe('linkOrCopy', () => {
  it('links where it can, copies where links fail (EXDEV), and copies what a symlink points to', async () => {
    const dir = tempdir();
    writeFileSync(join(dir, 'a'), 'bytes');
    expect(await linkOrCopy(join(dir, 'a'), join(dir, 'b'))).toBe('link');
    const exdev = async (): Promise<void> => Promise.reject(Object.assign(new Error('cross-device'), { code: 'EXDEV' }));
    expect(await linkOrCopy(join(dir, 'a'), join(dir, 'c'), { link: exdev })).toBe('copy');
    symlinkSync(join(dir, 'a'), join(dir, 'link'));
    expect(await linkOrCopy(join(dir, 'link'), join(dir, 'd'), { fromIsSymlink: true })).toBe('copy');
    expect(lstatSync(join(dir, 'd')).isFile()).toBe(true);
    expect(readlinkSync(join(dir, 'link'))).toBe(join(dir, 'a'));
    expect(readFileSync(join(dir, 'c'), 'utf8')).toBe('bytes');
  });
});
