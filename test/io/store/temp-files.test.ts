/**
 * TempFile: nothing appears under a final name before moveTo; discard
 * removes; restart starts over; the digests describe the bytes on disk even
 * when the caller reuses its buffer; a symlink at the final name is
 * replaced, never written through; a killed writer leaves only a .tmp.
 */
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isLockhouseError } from '../../../src/errors.js';
import { DAY_MS, GRACE_MS, sweepLeftovers } from '../../../src/io/store/sweep.js';
import { adoptTempFile, createTempFiles } from '../../../src/io/store/temp-files.js';
import { compileStore, exited, firstLine, listDir, randomData, runScript, sha, tempdir } from './helpers.js';

describe('TempFile', () => {
  it('is a <pid>-<random>.tmp in its directory, made on demand, with no final file until moveTo', async () => {
    const dir = tempdir();
    const tmp = join(dir, '.lockhouse', 'tmp');
    const temps = createTempFiles(tmp);
    const temp = await temps.create('sha256');
    expect(temp.path.startsWith(tmp)).toBe(true);
    expect(listDir(tmp)).toEqual([expect.stringMatching(new RegExp(`^${process.pid}-[A-Za-z0-9_-]+\\.tmp$`))]);
    await temp.write(Buffer.from('hello '));
    await temp.write(Buffer.from('world'));
    expect(temp.bytesWritten).toBe(11);
    const final = join(dir, 'pkg-1.0-py3-none-any.whl');
    expect(existsSync(final)).toBe(false);
    const actual = await temp.finish();
    expect(actual).toEqual({ sha256: sha('sha256', Buffer.from('hello world')), digest: sha('sha256', Buffer.from('hello world')), size: 11 });
    expect(existsSync(final)).toBe(false);
    await temp.moveTo(final);
    expect(readFileSync(final, 'utf8')).toBe('hello world');
    expect(listDir(tmp)).toEqual([]);
    await temp.discard(); // after a move: nothing to do
    expect(readFileSync(final, 'utf8')).toBe('hello world');
  });

  it('gets the default file mode, so the wheelhouse is readable as any file the user writes', async () => {
    const dir = tempdir();
    const temp = await createTempFiles(dir).create('sha256');
    await temp.finish();
    const umask = process.umask();
    expect(statSync(temp.path).mode & 0o777).toBe(0o666 & ~umask);
  });

  it('discard() removes the file, twice or concurrently without complaint, and refuses further use', async () => {
    const dir = tempdir();
    const temp = await createTempFiles(dir).create('sha256');
    await temp.write(Buffer.alloc(10));
    await Promise.all([temp.discard(), temp.discard()]);
    await temp.discard();
    expect(listDir(dir)).toEqual([]);
    await expect(temp.write(Buffer.alloc(1))).rejects.toThrow(/discarded/);
    await expect(temp.moveTo(join(dir, 'x'))).rejects.toThrow(/discarded/);
  });

  it('discard() after finish() removes it; moveTo() before finish() is refused', async () => {
    const dir = tempdir();
    const temp = await createTempFiles(dir).create('sha256');
    await temp.write(Buffer.alloc(10));
    await expect(temp.moveTo(join(dir, 'final'))).rejects.toThrow(/not finished/);
    await temp.finish();
    await temp.discard();
    expect(listDir(dir)).toEqual([]);
  });

  it('restart() truncates and starts the hash afresh (a 200 answer to a Range request)', async () => {
    const dir = tempdir();
    const temp = await createTempFiles(dir).create('sha512');
    const big = randomData(3 * 1024 * 1024 + 5);
    await temp.write(big.subarray(0, 2 * 1024 * 1024)); // on disk
    await temp.write(Buffer.from('buffered tail')); // still gathered
    expect(temp.bytesWritten).toBe(2 * 1024 * 1024 + 13);
    await temp.restart();
    expect(temp.bytesWritten).toBe(0);
    expect(statSync(temp.path).size).toBe(0);
    for (let at = 0; at < big.length; at += 100_000) await temp.write(big.subarray(at, at + 100_000));
    const actual = await temp.finish();
    expect(actual).toEqual({ sha256: sha('sha256', big), digest: sha('sha512', big), size: big.length });
    expect(readFileSync(temp.path).equals(big)).toBe(true);
  });

  it('bytesWritten is the offset a Range request resumes from', async () => {
    const dir = tempdir();
    const data = randomData(200_000);
    const temp = await createTempFiles(dir).create('sha256');
    await temp.write(data.subarray(0, 70_000));
    // The connection breaks; the server answers 206 from bytesWritten.
    await temp.write(data.subarray(temp.bytesWritten));
    expect((await temp.finish()).sha256).toBe(sha('sha256', data));
  });

  it('a label goes into the name (.<label>.<pid>-<random>.tmp), which the unlabeled sweep of its folder leaves alone', async () => {
    const dir = tempdir();
    const temp = await createTempFiles(dir).create('sha256', 'sha256-abc');
    expect(temp.path.slice(dir.length + 1)).toMatch(new RegExp(`^\\.sha256-abc\\.${process.pid}-[A-Za-z0-9_-]+\\.tmp$`));
    await temp.write(Buffer.from('x'));
    await temp.finish();
    expect(await sweepLeftovers(dir, { now: Date.now() + 2 * DAY_MS, isAlive: () => false })).toEqual([]);
    await temp.discard();
  });

  it('adoptTempFile continues a file already written (a kept partial): its bytes are hashed first, writes go after them', async () => {
    const dir = tempdir();
    const data = randomData(3 * 1024 * 1024 + 11);
    const path = join(dir, `${process.pid}-Kept.tmp`);
    writeFileSync(path, data.subarray(0, 1_500_000));
    const temp = await adoptTempFile(path, 'sha384');
    expect(temp.bytesWritten).toBe(1_500_000);
    for (let at = 1_500_000; at < data.length; at += 300_000) await temp.write(data.subarray(at, at + 300_000));
    expect(await temp.finish()).toEqual({ sha256: sha('sha256', data), digest: sha('sha384', data), size: data.length });
    expect(readFileSync(path).equals(data)).toBe(true);
  });

  it('an adopted file restarts like any other (a 200 to the Range request), and is never opened through a link', async () => {
    const dir = tempdir();
    const path = join(dir, `${process.pid}-Kept.tmp`);
    writeFileSync(path, 'old bytes');
    const temp = await adoptTempFile(path, 'sha256');
    await temp.restart();
    await temp.write(Buffer.from('new'));
    expect((await temp.finish()).sha256).toBe(sha('sha256', Buffer.from('new')));
    expect(readFileSync(path, 'utf8')).toBe('new');

    const target = join(dir, 'target');
    writeFileSync(target, 'not yours');
    symlinkSync(target, join(dir, `${process.pid}-Link.tmp`));
    await expect(adoptTempFile(join(dir, `${process.pid}-Link.tmp`), 'sha256')).rejects.toMatchObject({ code: 'ELOOP' });
    expect(readFileSync(target, 'utf8')).toBe('not yours');
  });

  it('the caller may reuse its buffer once write() resolves: the file matches the hash', async () => {
    const dir = tempdir();
    const temp = await createTempFiles(dir).create('sha256');
    const buffer = Buffer.alloc(64 * 1024);
    const written: Buffer[] = [];
    for (let i = 0; i < 40; i++) {
      buffer.fill(i);
      written.push(Buffer.from(buffer));
      await temp.write(buffer);
    }
    const all = Buffer.concat(written);
    expect((await temp.finish()).sha256).toBe(sha('sha256', all));
    expect(readFileSync(temp.path).equals(all)).toBe(true);
  });

  it('overlapping calls are refused rather than interleaved', async () => {
    const dir = tempdir();
    const temp = await createTempFiles(dir).create('sha256');
    const first = temp.write(randomData(2 * 1024 * 1024)); // goes to disk: pending
    await expect(temp.write(Buffer.from('x'))).rejects.toThrow(/pending/);
    await first;
    await temp.discard();
  });

  it('moveTo replaces a symlink planted at the final name; the link target is untouched', async () => {
    const dir = tempdir();
    const outside = join(dir, 'outside');
    mkdirSync(outside);
    const victim = join(outside, 'victim.txt');
    writeFileSync(victim, 'precious');
    const out = join(dir, 'wheelhouse');
    mkdirSync(out);
    const final = join(out, 'pkg-1.0-py3-none-any.whl');
    symlinkSync(victim, final);
    const temp = await createTempFiles(join(out, '.lockhouse', 'tmp')).create('sha256');
    await temp.write(Buffer.from('the wheel'));
    await temp.finish();
    await temp.moveTo(final);
    expect(lstatSync(final).isSymbolicLink()).toBe(false);
    expect(readFileSync(final, 'utf8')).toBe('the wheel');
    expect(readFileSync(victim, 'utf8')).toBe('precious');
  });

  it('moveTo replaces a dangling symlink too, and creates nothing at its target', async () => {
    const dir = tempdir();
    const final = join(dir, 'pkg.whl');
    const target = join(dir, 'elsewhere.whl');
    symlinkSync(target, final);
    expect(readlinkSync(final)).toBe(target);
    const temp = await createTempFiles(join(dir, 'tmp')).create('sha256');
    await temp.finish();
    await temp.moveTo(final);
    expect(lstatSync(final).isFile()).toBe(true);
    expect(existsSync(target)).toBe(false);
  });

  it('a directory at the final name is an OUTPUT_NOT_WRITABLE error and the temp file stays for discard', async () => {
    const dir = tempdir();
    const final = join(dir, 'pkg.whl');
    mkdirSync(final);
    writeFileSync(join(final, 'keep'), 'x');
    const temp = await createTempFiles(join(dir, 'tmp')).create('sha256');
    await temp.finish();
    const error = await temp.moveTo(final).catch((e: unknown) => e);
    expect(isLockhouseError(error) && error.code).toBe('OUTPUT_NOT_WRITABLE');
    await temp.discard();
    expect(listDir(join(dir, 'tmp'))).toEqual([]);
  });

  it('remakes its directory if it was removed meanwhile', async () => {
    const dir = tempdir();
    const tmp = join(dir, 'tmp');
    const temps = createTempFiles(tmp);
    await (await temps.create('sha256')).discard();
    rmSync(tmp, { recursive: true });
    const temp = await temps.create('sha256');
    expect(existsSync(temp.path)).toBe(true);
    await temp.discard();
  });
});

describe('a writer killed mid-write', () => {
  it('leaves only a .tmp (nothing under a final name), which the sweeper removes once the pid is dead and the grace is over', async () => {
    const dir = tempdir();
    const store = compileStore(join(dir, 'compiled'));
    const out = join(dir, 'out');
    const tmp = join(out, '.lockhouse', 'tmp');
    const child = runScript(
      dir,
      'writer.mjs',
      `
      import { createTempFiles } from ${JSON.stringify(join(store, 'temp-files.js'))};
      const temp = await createTempFiles(process.argv[2]).create('sha256');
      const chunk = Buffer.alloc(64 * 1024, 7);
      let told = false;
      for (;;) {
        await temp.write(chunk);
        if (!told && temp.bytesWritten > 4 * 1024 * 1024) { told = true; console.log(temp.path); }
      }
      await temp.finish();
      await temp.moveTo(process.argv[3]);
      `,
      [tmp, join(out, 'pkg-1.0-py3-none-any.whl')],
    );
    const path = await firstLine(child);
    // Alive: its file is not swept, even past the grace.
    expect(await sweepLeftovers(tmp, { now: Date.now() + GRACE_MS })).toEqual([]);
    child.kill('SIGKILL');
    await exited(child);
    expect(listDir(out)).toEqual(['.lockhouse']);
    expect(listDir(tmp)).toEqual([path.slice(tmp.length + 1)]);
    expect(path.startsWith(`${tmp}/${child.pid}-`)).toBe(true);
    // Dead, but just now: the grace keeps it (another pid namespace may own it)…
    expect(await sweepLeftovers(tmp)).toEqual([]);
    // …and once the grace is over it goes.
    expect(await sweepLeftovers(tmp, { now: Date.now() + GRACE_MS })).toEqual([path]);
    expect(listDir(tmp)).toEqual([]);
  });
});
