/**
 * The partial store (src/io/store/partials.ts): a download's bytes kept
 * under a non-final name with where they came from, taken up by one run
 * only and hashed again, a killed run's download file salvaged once its
 * writer is gone by the sweeper's rule, and everything removed by the
 * rules it documents (done, not wanted, a day old). Real files in a test
 * folder; the clock and the liveness of pids are injected.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isLockhouseError } from '../../../src/errors.js';
import { keepsPartialAfter, openPartials, partialKey, recordedUrl, type PartialsOptions } from '../../../src/io/store/partials.js';
import { DAY_MS, GRACE_MS } from '../../../src/io/store/sweep.js';
import { createTempFiles } from '../../../src/io/store/temp-files.js';
import { listDir, randomData, sha, tempdir } from './helpers.js';

const FILE = randomData(300_000);
const KEY = partialKey({ algorithm: 'sha256', digest: sha('sha256', FILE) })!;
const URL_ = 'https://files.example/packages/big-1.0-py3-none-any.whl';

function wheelhouse() {
  const state = join(tempdir(), '.lockhouse');
  const tmp = join(state, 'tmp');
  mkdirSync(tmp, { recursive: true });
  const temps = createTempFiles(tmp, { durable: false });
  const dir = join(state, 'partial');
  return { state, tmp, dir, temps, open: (options: PartialsOptions = {}) => openPartials(dir, temps, options) };
}

/** A partial of FILE's first `n` bytes, kept as a download stopped by Ctrl-C keeps it. */
async function keptPartial(w: ReturnType<typeof wheelhouse>, n: number, from = { url: URL_, validators: { etag: '"v1"', lastModified: null } }) {
  const store = await w.open();
  const { temp } = await store.start(KEY, 'sha256', { resume: true, url: URL_ });
  await temp.write(FILE.subarray(0, n));
  expect(await store.keep(KEY, temp, from)).toBe(n);
  return store;
}

function setAge(path: string, ageMs: number): void {
  const when = new Date(Date.now() - ageMs);
  utimesSync(path, when, when);
}

describe('partialKey', () => {
  it('is the algorithm and the lower-case hex digest; a digest that is not one gives none', () => {
    expect(partialKey({ algorithm: 'sha256', digest: 'AB'.repeat(32) })).toBe(`sha256-${'ab'.repeat(32)}`);
    expect(partialKey({ algorithm: 'sha512', digest: 'c'.repeat(128) })).toBe(`sha512-${'c'.repeat(128)}`);
    expect(partialKey({ algorithm: 'sha256', digest: '../../etc/passwd' })).toBeNull();
    expect(partialKey({ algorithm: 'sha256', digest: 'ab' })).toBeNull();
  });
});

describe('what a partial records', () => {
  it('the URL without userinfo, query or fragment: never a credential', () => {
    expect(recordedUrl('https://user:s3cret@files.example/p/x.whl?token=abc#sha256=00')).toBe('https://files.example/p/x.whl');
    expect(recordedUrl('not a url')).toBeNull();
  });

  it('is kept after an interrupt or the network giving up, not after an answer that proved the bytes wrong', () => {
    for (const code of ['FETCH_NETWORK', 'FETCH_TIMEOUT', 'FETCH_TOO_SLOW', 'FETCH_HTTP_STATUS', 'FETCH_ABORTED']) expect(keepsPartialAfter(code), code).toBe(true);
    for (const code of ['FETCH_TOO_LARGE', 'FETCH_BODY_TOO_LONG', 'FETCH_BAD_RESPONSE', 'INTEGRITY_MISMATCH', 'OUTPUT_NOT_WRITABLE', 'INTERNAL', null]) {
      expect(keepsPartialAfter(code), String(code)).toBe(false);
    }
  });
});

describe('keep, then start', () => {
  it('keeps the bytes as <key>.part and where they came from as <key>.json; the next start continues them, hashed, with the validators', async () => {
    const w = wheelhouse();
    await keptPartial(w, 120_000, { url: 'https://u:pw@files.example/packages/big-1.0-py3-none-any.whl?sig=xyz', validators: { etag: '"v1"', lastModified: null } });
    expect(listDir(w.dir)).toEqual([`${KEY}.json`, `${KEY}.part`]);
    expect(listDir(w.tmp)).toEqual([]);
    const record = readFileSync(join(w.dir, `${KEY}.json`), 'utf8');
    expect(JSON.parse(record)).toEqual({ url: URL_, size: 120_000, etag: '"v1"', lastModified: null });
    expect(record).not.toContain('pw');
    expect(record).not.toContain('sig=');

    const store = await w.open();
    const { temp, resumed } = await store.start(KEY, 'sha256', { resume: true, url: URL_ });
    expect(resumed).toEqual({ bytes: 120_000, validators: { etag: '"v1"', lastModified: null } });
    expect(temp.bytesWritten).toBe(120_000);
    // Claimed: nothing left in partial/, the bytes under a name of this process in tmp/, labeled with the key.
    expect(listDir(w.dir)).toEqual([]);
    expect(temp.path.startsWith(join(w.tmp, `.${KEY}.${process.pid}-`))).toBe(true);
    await temp.write(FILE.subarray(120_000));
    const actual = await temp.finish();
    // The digest covers the kept bytes too: they were read through the hasher.
    expect(actual).toMatchObject({ sha256: sha('sha256', FILE), size: FILE.length });
    expect(readFileSync(temp.path).equals(FILE)).toBe(true);
    await temp.discard();
  });

  it('sends no validators to another URL (a mirror, a lock whose URL changed): the bytes are resumed, the hash decides', async () => {
    const w = wheelhouse();
    await keptPartial(w, 1_000);
    const store = await w.open();
    const { temp, resumed } = await store.start(KEY, 'sha256', { resume: true, url: 'https://mirror.example/files/big-1.0-py3-none-any.whl' });
    expect(resumed).toEqual({ bytes: 1_000, validators: null });
    await temp.discard();
  });

  it('a record that does not describe the bytes (two runs kept one key at once) is not trusted', async () => {
    const w = wheelhouse();
    await keptPartial(w, 1_000);
    writeFileSync(join(w.dir, `${KEY}.json`), JSON.stringify({ url: URL_, size: 999, etag: '"other"', lastModified: null }));
    const store = await w.open();
    const { temp, resumed } = await store.start(KEY, 'sha256', { resume: true, url: URL_ });
    expect(resumed).toEqual({ bytes: 1_000, validators: null });
    await temp.discard();
  });

  it('one resumer: of two starts at once, one continues the bytes and the other starts from zero', async () => {
    const w = wheelhouse();
    await keptPartial(w, 5_000);
    const [a, b] = await Promise.all([(await w.open()).start(KEY, 'sha256', { resume: true, url: URL_ }), (await w.open()).start(KEY, 'sha256', { resume: true, url: URL_ })]);
    expect([a.resumed?.bytes ?? 0, b.resumed?.bytes ?? 0].sort()).toEqual([0, 5_000]);
    expect([a.temp.bytesWritten, b.temp.bytesWritten].sort()).toEqual([0, 5_000]);
    await Promise.all([a.temp.discard(), b.temp.discard()]);
  });

  it('start without resume (the try after a mismatch) leaves a kept partial alone and starts from zero', async () => {
    const w = wheelhouse();
    const store = await keptPartial(w, 1_000);
    const { temp, resumed } = await store.start(KEY, 'sha256', { resume: false, url: URL_ });
    expect(resumed).toBeNull();
    expect(temp.bytesWritten).toBe(0);
    expect(listDir(w.dir)).toEqual([`${KEY}.json`, `${KEY}.part`]);
    await temp.discard();
  });

  it('nothing written, or a file that failed: nothing is kept (the caller discards it)', async () => {
    const w = wheelhouse();
    const store = await w.open();
    const empty = await store.start(KEY, 'sha256', { resume: true, url: URL_ });
    expect(await store.keep(KEY, empty.temp, { url: URL_, validators: null })).toBe(0);
    await empty.temp.discard();
    const finished = await store.start(KEY, 'sha256', { resume: true, url: URL_ });
    await finished.temp.write(Buffer.from('x'));
    await finished.temp.finish(); // finished already: not a download that stopped
    expect(await store.keep(KEY, finished.temp, { url: URL_, validators: null })).toBe(0);
    await finished.temp.discard();
    expect(existsSync(w.dir) ? listDir(w.dir) : []).toEqual([]);
    expect(listDir(w.tmp)).toEqual([]);
  });

  it('drop forgets a key’s partial (its file is in place)', async () => {
    const w = wheelhouse();
    const store = await keptPartial(w, 1_000);
    await store.drop(KEY);
    expect(listDir(w.dir)).toEqual([]);
  });
});

describe('what is never followed or trusted', () => {
  it('a link planted at <key>.part is removed, never read through; the download starts from zero', async () => {
    const w = wheelhouse();
    const secret = join(tempdir(), 'secret');
    writeFileSync(secret, 'not yours');
    mkdirSync(w.dir, { recursive: true });
    symlinkSync(secret, join(w.dir, `${KEY}.part`));
    const store = await w.open();
    const { temp, resumed } = await store.start(KEY, 'sha256', { resume: true, url: URL_ });
    expect(resumed).toBeNull();
    expect(temp.bytesWritten).toBe(0);
    expect(readFileSync(secret, 'utf8')).toBe('not yours');
    expect(listDir(w.dir)).toEqual([]);
    await temp.discard();
  });

  it('a link planted at DIR/.lockhouse/partial is refused (OUTPUT_UNSAFE_PATH), and nothing is moved through it', async () => {
    const w = wheelhouse();
    const elsewhere = tempdir();
    symlinkSync(elsewhere, w.dir);
    const error = await w.open().catch((caught: unknown) => caught);
    expect(isLockhouseError(error) && error.code).toBe('OUTPUT_UNSAFE_PATH');
    expect(listDir(elsewhere)).toEqual([]);
  });

  it('a record that is not lockhouse’s (a link, junk, a huge file) gives no validators', async () => {
    for (const plant of [
      (path: string) => symlinkSync('/etc/hostname', path),
      (path: string) => writeFileSync(path, '{"url": 3}'),
      (path: string) => writeFileSync(path, `{"url":"${URL_}","size":1000,"etag":"${'x'.repeat(100_000)}"}`),
    ]) {
      const w = wheelhouse();
      await keptPartial(w, 1_000);
      const record = join(w.dir, `${KEY}.json`);
      rmSync(record);
      plant(record);
      const { temp, resumed } = await (await w.open()).start(KEY, 'sha256', { resume: true, url: URL_ });
      expect(resumed).toEqual({ bytes: 1_000, validators: null });
      await temp.discard();
    }
  });
});

describe('a killed run’s download file (SIGKILL: only its labeled temporary file is left)', () => {
  const writer = 4_000_000; // a pid the test says is dead
  const isAlive = (pid: number): boolean => pid !== writer;

  function leftBehind(w: ReturnType<typeof wheelhouse>, ageMs: number, bytes = FILE.subarray(0, 2_000)): string {
    const path = join(w.tmp, `.${KEY}.${writer}-KilledMidBody.tmp`);
    writeFileSync(path, bytes);
    setAge(path, ageMs);
    return path;
  }

  it('within the sweeper’s minute it is left alone (its writer may be alive in another container)', async () => {
    const w = wheelhouse();
    const path = leftBehind(w, 1_000);
    await w.open({ isAlive });
    expect(existsSync(path)).toBe(true);
    expect(existsSync(w.dir) ? listDir(w.dir) : []).toEqual([]);
  });

  it('once its writer is gone by the sweeper’s rule, opening the store makes it a partial (no record: no validators), which the next start resumes', async () => {
    const w = wheelhouse();
    const path = leftBehind(w, GRACE_MS + 1_000);
    const salvaged: string[] = [];
    const store = await w.open({ isAlive, onOpen: (found) => salvaged.push(...found) });
    expect(existsSync(path)).toBe(false);
    expect(salvaged).toEqual([join(w.dir, `${KEY}.part`)]);
    expect(listDir(w.dir)).toEqual([`${KEY}.part`]);
    const { temp, resumed } = await store.start(KEY, 'sha256', { resume: true, url: URL_ });
    expect(resumed).toEqual({ bytes: 2_000, validators: null });
    await temp.discard();
  });

  it('a live writer’s is never taken, whatever its age short of a day', async () => {
    const w = wheelhouse();
    const path = leftBehind(w, GRACE_MS + 1_000);
    await w.open({ isAlive: () => true });
    expect(existsSync(path)).toBe(true);
  });

  it('an empty one, or one for a key whose partial is already kept (with its record), is removed instead', async () => {
    const w = wheelhouse();
    const empty = leftBehind(w, GRACE_MS + 1_000, Buffer.alloc(0));
    await w.open({ isAlive });
    expect(existsSync(empty)).toBe(false);
    expect(existsSync(w.dir) ? listDir(w.dir) : []).toEqual([]);

    await keptPartial(w, 1_000);
    const second = leftBehind(w, GRACE_MS + 1_000);
    await w.open({ isAlive });
    expect(existsSync(second)).toBe(false);
    expect(statSync(join(w.dir, `${KEY}.part`)).size).toBe(1_000);
  });
});

describe('cleaning', () => {
  it('a partial untouched for a day is removed when a store is opened (the sweeper’s day: it was kept on purpose, so no minute’s grace)', async () => {
    const w = wheelhouse();
    await keptPartial(w, 1_000);
    setAge(join(w.dir, `${KEY}.part`), DAY_MS - 60_000);
    await w.open();
    expect(listDir(w.dir)).toEqual([`${KEY}.json`, `${KEY}.part`]);
    setAge(join(w.dir, `${KEY}.part`), DAY_MS + 1_000);
    setAge(join(w.dir, `${KEY}.json`), DAY_MS + 1_000);
    await w.open();
    expect(listDir(w.dir)).toEqual([]);
  });

  it('prune removes the partials, and the killed runs’ download files, of every key not wanted; names that are not its own stay', async () => {
    const w = wheelhouse();
    await keptPartial(w, 1_000);
    const otherKey = partialKey({ algorithm: 'sha256', digest: 'f'.repeat(64) })!;
    // Written by a run killed while this one ran: abandoned only once a minute has passed.
    let now = Date.now();
    const store = await w.open({ now: () => now, isAlive: () => false });
    const dead = join(w.tmp, `.${otherKey}.4000000-Killed.tmp`);
    writeFileSync(dead, 'x');
    writeFileSync(join(w.dir, 'README'), 'not lockhouse’s');

    expect(await store.prune(new Set([KEY]))).toEqual([]);
    expect(listDir(w.dir)).toEqual(['README', `${KEY}.json`, `${KEY}.part`]);
    expect(existsSync(dead)).toBe(true);

    now += GRACE_MS + 1_000;
    const removed = await store.prune(new Set());
    expect(removed).toEqual([dead, join(w.dir, `${KEY}.json`), join(w.dir, `${KEY}.part`)].sort());
    expect(listDir(w.dir)).toEqual(['README']);
    expect(listDir(w.tmp)).toEqual([]);
  });
});
