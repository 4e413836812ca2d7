/** Reading local files through the hasher: streamed, regular files only, links refused where asked. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyThrough, digestFile, hashFile, READ_SIZE } from '../../../src/io/store/hash-file.js';
import { createTempFiles } from '../../../src/io/store/temp-files.js';
import { randomData, sha, tempdir } from './helpers.js';

describe('hashFile', () => {
  it.each([0, 1, READ_SIZE - 1, READ_SIZE, READ_SIZE + 1, 5 * READ_SIZE + 17])('%i bytes', async (size) => {
    const dir = tempdir();
    const data = randomData(size);
    const path = join(dir, 'f');
    writeFileSync(path, data);
    expect(await hashFile(path, 'sha384')).toEqual({ sha256: sha('sha256', data), digest: sha('sha384', data), size });
  });

  it('follows a symlink by default and refuses one with noFollow (ELOOP)', async () => {
    const dir = tempdir();
    writeFileSync(join(dir, 'real'), 'abc');
    symlinkSync(join(dir, 'real'), join(dir, 'link'));
    expect((await hashFile(join(dir, 'link'), 'sha256')).size).toBe(3);
    await expect(hashFile(join(dir, 'link'), 'sha256', { noFollow: true })).rejects.toMatchObject({ code: 'ELOOP' });
  });

  it('refuses a directory and a FIFO (ENOTREG) without blocking on the FIFO', async () => {
    const dir = tempdir();
    mkdirSync(join(dir, 'd'));
    await expect(hashFile(join(dir, 'd'), 'sha256')).rejects.toMatchObject({ code: expect.stringMatching(/^(ENOTREG|EISDIR)$/) });
    if (process.platform === 'win32') return;
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    await expect(hashFile(join(dir, 'fifo'), 'sha256')).rejects.toMatchObject({ code: 'ENOTREG' });
  });

  it('ENOENT for a missing file', async () => {
    await expect(hashFile(join(tempdir(), 'nope'), 'sha256')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('digestFile computes weak digests for --allow-weak-hashes', async () => {
    const dir = tempdir();
    writeFileSync(join(dir, 'f'), 'abc');
    expect(await digestFile(join(dir, 'f'), 'md5')).toBe(sha('md5', Buffer.from('abc')));
    expect(await digestFile(join(dir, 'f'), 'sha1')).toBe(sha('sha1', Buffer.from('abc')));
  });
});

describe('copyThrough', () => {
  it.each([0, 1, READ_SIZE, 2 * READ_SIZE + 3])('copies %i bytes into a TempFile, which hashes them on the way', async (size) => {
    const dir = tempdir();
    const data = randomData(size);
    writeFileSync(join(dir, 'src.whl'), data);
    const temp = await createTempFiles(join(dir, 'tmp')).create('sha512');
    await copyThrough(join(dir, 'src.whl'), temp);
    expect(await temp.finish()).toEqual({ sha256: sha('sha256', data), digest: sha('sha512', data), size });
    expect(readFileSync(temp.path).equals(data)).toBe(true);
    await temp.discard();
  });

  it('a source that cannot be read leaves the TempFile as it was', async () => {
    const dir = tempdir();
    const temp = await createTempFiles(dir).create('sha256');
    await expect(copyThrough(join(dir, 'missing.whl'), temp)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(temp.bytesWritten).toBe(0);
    await temp.discard();
  });
});
