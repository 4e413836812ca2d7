/**
 * The content cache: entries appear whole or not at all, are verified on
 * every read (a bad one is deleted and reported absent), and reach DIR by
 * hardlink or, where links cannot be made, by copy.
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isLockhouseError } from '../../../src/errors.js';
import { openCache, type CacheProblem } from '../../../src/io/store/cache.js';
import { createTempFiles } from '../../../src/io/store/temp-files.js';
import { compileStore, exited, listDir, randomData, runScript, sha, tempdir } from './helpers.js';

function exdev(): Promise<never> {
  return Promise.reject(Object.assign(new Error('EXDEV: cross-device link not permitted, link'), { code: 'EXDEV' }));
}

/** A DIR with its temporary files, and a file already verified in it. */
function setup(data: Buffer = randomData(100_000)) {
  const dir = tempdir();
  const out = join(dir, 'out');
  mkdirSync(out);
  const source = join(dir, 'source.whl');
  writeFileSync(source, data);
  return { dir, out, source, data, sha256: sha('sha256', data), temps: createTempFiles(join(out, '.lockhouse', 'tmp')) };
}

describe('openCache', () => {
  it('lays entries out as content-v2/sha256/<hex> (one folder, no fan-out), with a CACHEDIR.TAG and an empty tmp/', async () => {
    const { dir, source, sha256 } = setup();
    const cache = openCache(join(dir, 'cache'));
    await cache.insert(source, sha256);
    const entry = join(dir, 'cache', 'content-v2', 'sha256', sha256);
    expect(cache.entryPath(sha256)).toBe(entry);
    expect(readFileSync(entry).equals(readFileSync(source))).toBe(true);
    expect(readFileSync(join(dir, 'cache', 'CACHEDIR.TAG'), 'utf8')).toMatch(/^Signature: 8a477f597d28d172789f06886806bc55\n/);
    expect(listDir(join(dir, 'cache'))).toEqual(['CACHEDIR.TAG', 'content-v2', 'tmp']);
    expect(listDir(join(dir, 'cache', 'content-v2', 'sha256'))).toEqual([sha256]);
    expect(listDir(cache.tmpDir)).toEqual([]);
  });

  it('finds an entry of the earlier layout (content-v1/sha256/ab/cd/<rest>): verified, then linked into content-v2; a bad one there is removed, not used', async () => {
    const { dir, source, data, sha256 } = setup();
    const root = join(dir, 'cache');
    const old = join(root, 'content-v1', 'sha256', sha256.slice(0, 2), sha256.slice(2, 4), sha256.slice(4));
    mkdirSync(dirname(old), { recursive: true });
    writeFileSync(old, data);
    const cache = openCache(root);
    expect(await cache.contains(sha256)).toBe(true);
    // Linked, not copied: the next run finds it in content-v2, and the old name stays.
    expect(statSync(cache.entryPath(sha256)).ino).toBe(statSync(old).ino);
    expect(readFileSync(source).equals(readFileSync(cache.entryPath(sha256)))).toBe(true);
    // An entry of content-v1 whose bytes are not its name's: removed there, reported, treated as absent.
    const bad = randomData(3_000);
    const badSha = sha('sha256', randomData(3_000));
    const badPath = join(root, 'content-v1', 'sha256', badSha.slice(0, 2), badSha.slice(2, 4), badSha.slice(4));
    mkdirSync(dirname(badPath), { recursive: true });
    writeFileSync(badPath, bad);
    const problems: string[] = [];
    const again = openCache(root, { onProblem: (problem) => problems.push(`${problem.kind} ${problem.path}`) });
    expect(await again.contains(badSha)).toBe(false);
    expect(existsSync(badPath)).toBe(false);
    expect(existsSync(again.entryPath(badSha))).toBe(false);
    expect(problems).toEqual([`corrupt ${badPath}`]);
  });

  it('checks its folders once per run, yet a cache removed mid-run (a `cache clean`) is made again, and a link planted before the next run is refused', async () => {
    const { dir, source, sha256 } = setup();
    const root = join(dir, 'cache');
    const cache = openCache(root);
    await cache.insert(source, sha256);
    // Everything under the root goes, folders the cache had already checked included.
    rmSync(join(root, 'content-v2'), { recursive: true });
    rmSync(join(root, 'tmp'), { recursive: true });
    const other = join(dir, 'other.whl');
    const data = randomData(5_000);
    writeFileSync(other, data);
    await cache.insert(other, sha('sha256', data));
    expect(readFileSync(cache.entryPath(sha('sha256', data))).equals(data)).toBe(true);
    expect(await cache.contains(sha('sha256', data))).toBe(true);
    // A link planted where the entries' folder is before the next run: that run refuses it, never follows it.
    const third = randomData(6_000);
    const thirdSha = sha('sha256', third);
    const elsewhere = join(dir, 'elsewhere');
    mkdirSync(elsewhere);
    rmSync(join(root, 'content-v2', 'sha256'), { recursive: true });
    symlinkSync(elsewhere, join(root, 'content-v2', 'sha256'));
    writeFileSync(join(dir, 'third.whl'), third);
    await expect(openCache(root).insert(join(dir, 'third.whl'), thirdSha)).rejects.toMatchObject({ code: 'CACHE_UNSAFE_PATH' });
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it('insert hardlinks where it can (no bytes copied)', async () => {
    const { dir, source, sha256 } = setup();
    const cache = openCache(join(dir, 'cache'));
    await cache.insert(source, sha256);
    expect(statSync(cache.entryPath(sha256)).ino).toBe(statSync(source).ino);
  });

  it('insert copies when link fails with EXDEV, and an entry already there counts as done', async () => {
    const { dir, source, sha256 } = setup();
    let links = 0;
    const cache = openCache(join(dir, 'cache'), { link: () => (links++, exdev()) });
    await cache.insert(source, sha256);
    const entry = cache.entryPath(sha256);
    expect(statSync(entry).ino).not.toBe(statSync(source).ino);
    expect(sha('sha256', readFileSync(entry))).toBe(sha256);
    const before = statSync(entry).ino;
    await cache.insert(source, sha256);
    expect(statSync(entry).ino).toBe(before);
    expect(links).toBe(1);
  });

  it('insert of a symlink copies its target rather than linking the link', async () => {
    const { dir, source, sha256 } = setup();
    symlinkSync(source, join(dir, 'link.whl'));
    const cache = openCache(join(dir, 'cache'));
    await cache.insert(join(dir, 'link.whl'), sha256);
    expect(lstatSync(cache.entryPath(sha256)).isFile()).toBe(true);
  });

  it('insert refuses a digest that is not lower-case sha256 hex before touching the disk', async () => {
    const { dir, source } = setup();
    const cache = openCache(join(dir, 'cache'));
    await expect(cache.insert(source, '../../etc/passwd')).rejects.toThrow(TypeError);
    await expect(cache.placeInto('A'.repeat(64), join(dir, 'x'), createTempFiles(dir).dir)).rejects.toThrow(TypeError);
    expect(existsSync(join(dir, 'cache'))).toBe(false);
  });

  it('an unwritable cache is a CACHE_UNWRITABLE error naming it', async () => {
    const { dir, source, sha256 } = setup();
    writeFileSync(join(dir, 'cache'), 'a file where the cache should be');
    const error = await openCache(join(dir, 'cache')).insert(source, sha256).catch((e: unknown) => e);
    expect(isLockhouseError(error) && error.code).toBe('CACHE_UNWRITABLE');
    expect((error as Error).message).toContain(join(dir, 'cache'));
  });

  it('placeInto: absent → null, and nothing is written', async () => {
    const { dir, out, sha256, temps } = setup();
    expect(await openCache(join(dir, 'cache')).placeInto(sha256, join(out, 'pkg.whl'), temps.dir)).toBeNull();
    expect(listDir(out)).toEqual([]);
  });

  it('placeInto: present → hardlinked at dest through a temporary name', async () => {
    const { dir, out, source, sha256, temps } = setup();
    const cache = openCache(join(dir, 'cache'));
    await cache.insert(source, sha256);
    const dest = join(out, 'pkg.whl');
    expect(await cache.placeInto(sha256, dest, temps.dir)).toBe('link');
    expect(statSync(dest).ino).toBe(statSync(cache.entryPath(sha256)).ino);
    expect(listDir(join(out, '.lockhouse', 'tmp'))).toEqual([]);
  });

  it('placeInto with verify false places a present entry unhashed (its caller hashes it later); verified, the bad entry is removed', async () => {
    const { dir, out, source, sha256, temps } = setup();
    const cache = openCache(join(dir, 'cache'));
    await cache.insert(source, sha256);
    // Damaged in place, same size: only hashing would tell.
    const damaged = readFileSync(cache.entryPath(sha256));
    damaged[10] = damaged[10]! ^ 1;
    writeFileSync(cache.entryPath(sha256), damaged);
    const dest = join(out, 'pkg.whl');
    expect(await cache.placeInto(sha256, dest, temps.dir, { verify: false })).toBe('link');
    expect(readFileSync(dest).equals(damaged)).toBe(true);
    // Verified (the default), the same entry is found bad, removed, and not placed.
    rmSync(dest);
    expect(await cache.placeInto(sha256, dest, temps.dir)).toBeNull();
    expect(existsSync(cache.entryPath(sha256))).toBe(false);
    // Absent, unhashed placement finds nothing either.
    expect(await cache.placeInto(sha256, dest, temps.dir, { verify: false })).toBeNull();
  });

  it('placeInto: copies when links cannot be made (EXDEV)', async () => {
    const { dir, out, source, sha256, data, temps } = setup();
    const cache = openCache(join(dir, 'cache'), { link: exdev });
    await cache.insert(source, sha256);
    const dest = join(out, 'pkg.whl');
    expect(await cache.placeInto(sha256, dest, temps.dir)).toBe('copy');
    expect(statSync(dest).ino).not.toBe(statSync(cache.entryPath(sha256)).ino);
    expect(readFileSync(dest).equals(data)).toBe(true);
    expect(listDir(join(out, '.lockhouse', 'tmp'))).toEqual([]);
  });

  it('placeInto: across a real filesystem boundary (/dev/shm), falls back to a copy', async (context) => {
    if (!existsSync('/dev/shm') || statSync('/dev/shm').dev === statSync(tempdir()).dev) return context.skip();
    const { out, source, sha256, data, temps } = setup();
    const { mkdtempSync, rmSync } = await import('node:fs');
    const shm = mkdtempSync('/dev/shm/lockhouse-cache-');
    try {
      const cache = openCache(shm);
      await cache.insert(source, sha256); // link EXDEV → copy
      expect(statSync(cache.entryPath(sha256)).dev).not.toBe(statSync(source).dev);
      expect(await cache.placeInto(sha256, join(out, 'pkg.whl'), temps.dir)).toBe('copy');
      expect(readFileSync(join(out, 'pkg.whl')).equals(data)).toBe(true);
    } finally {
      rmSync(shm, { recursive: true, force: true });
    }
  });

  it('placeInto replaces a symlink planted at dest; the link target is untouched', async () => {
    const { dir, out, source, sha256, data, temps } = setup();
    writeFileSync(join(dir, 'victim'), 'precious');
    symlinkSync(join(dir, 'victim'), join(out, 'pkg.whl'));
    const cache = openCache(join(dir, 'cache'));
    await cache.insert(source, sha256);
    expect(await cache.placeInto(sha256, join(out, 'pkg.whl'), temps.dir)).toBe('link');
    expect(lstatSync(join(out, 'pkg.whl')).isFile()).toBe(true);
    expect(readFileSync(join(out, 'pkg.whl')).equals(data)).toBe(true);
    expect(readFileSync(join(dir, 'victim'), 'utf8')).toBe('precious');
  });

  it('a corrupted entry is deleted, reported, and placeInto says absent (a cache problem, not an integrity error)', async () => {
    const { dir, out, source, sha256, temps } = setup();
    const problems: CacheProblem[] = [];
    const cache = openCache(join(dir, 'cache'), { link: exdev, onProblem: (p) => problems.push(p) });
    await cache.insert(source, sha256);
    const entry = cache.entryPath(sha256);
    const bytes = readFileSync(entry);
    bytes[500] = bytes[500]! ^ 0xff;
    writeFileSync(entry, bytes);
    expect(await cache.placeInto(sha256, join(out, 'pkg.whl'), temps.dir)).toBeNull();
    expect(existsSync(entry)).toBe(false);
    expect(existsSync(join(out, 'pkg.whl'))).toBe(false);
    expect(problems).toEqual([{ kind: 'corrupt', sha256, path: entry, actual: expect.objectContaining({ size: bytes.length }) }]);
    // The next insert repairs it.
    await cache.insert(source, sha256);
    expect(await cache.contains(sha256)).toBe(true);
  });

  it('a symlink where an entry should be is not followed: removed and reported absent', async () => {
    const { dir, source, sha256 } = setup();
    const cache = openCache(join(dir, 'cache'));
    const entry = cache.entryPath(sha256);
    mkdirSync(join(entry, '..'), { recursive: true });
    symlinkSync(source, entry);
    expect(await cache.contains(sha256)).toBe(false);
    expect(existsSync(entry)).toBe(false);
    expect(existsSync(source)).toBe(true);
  });

  it('concurrent inserts in one process: the same content shares one insert; different contents all land', async () => {
    const { dir } = setup();
    const cache = openCache(join(dir, 'cache'), { link: exdev });
    const files = Array.from({ length: 20 }, (_, i) => {
      const data = randomData(50_000 + i);
      const path = join(dir, `f${i}`);
      writeFileSync(path, data);
      return { path, sha256: sha('sha256', data) };
    });
    await Promise.all([...files, ...files, ...files].map((file) => cache.insert(file.path, file.sha256)));
    for (const file of files) expect(await cache.contains(file.sha256)).toBe(true);
    expect(listDir(cache.tmpDir)).toEqual([]);
  });
});

describe('two processes sharing one cache', () => {
  it.each([
    ['by link', false],
    ['by copy', true],
  ])('insert the same and different contents at once (%s); a reader never sees a partial entry', async (_name, copy) => {
    const dir = tempdir();
    const store = compileStore(join(dir, 'compiled'));
    const root = join(dir, 'cache');
    // 12 shared files both insert, plus 6 of each process's own; 2 MB each so a copy takes a while.
    const make = (name: string) => {
      const data = randomData(2 * 1024 * 1024);
      const path = join(dir, name);
      writeFileSync(path, data);
      return { path, sha256: sha('sha256', data) };
    };
    const shared = Array.from({ length: 12 }, (_, i) => make(`shared-${i}`));
    const own = [0, 1].map((p) => Array.from({ length: 6 }, (_, i) => make(`own-${p}-${i}`)));
    const script = `
      import { openCache } from ${JSON.stringify(join(store, 'cache.js'))};
      const [root, copy, list] = process.argv.slice(2);
      const link = copy === '1' ? () => Promise.reject(Object.assign(new Error('EXDEV'), { code: 'EXDEV' })) : undefined;
      const cache = openCache(root, link ? { link } : {});
      for (const [path, sha256] of JSON.parse(list)) await cache.insert(path, sha256);
    `;
    const lists = [0, 1].map((p) => {
      const mine = [...shared, ...own[p]!];
      return JSON.stringify((p === 1 ? mine.reverse() : mine).map((f) => [f.path, f.sha256]));
    });
    const children = [0, 1].map((p) => runScript(dir, `insert-${p}.mjs`, script, [root, copy ? '1' : '0', lists[p]!]));
    const all = [...shared, ...own.flat()];
    // Read every entry that exists, again and again, while they insert.
    let seen = 0;
    let running = true;
    const done = Promise.all(children.map(exited)).then((codes) => {
      running = false;
      return codes;
    });
    while (running) {
      for (const file of all) {
        let bytes: Buffer;
        try {
          bytes = readFileSync(join(root, 'content-v2', 'sha256', file.sha256));
        } catch {
          continue;
        }
        seen++;
        expect(createHash('sha256').update(bytes).digest('hex')).toBe(file.sha256);
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await done).toEqual([0, 0]);
    expect(seen).toBeGreaterThan(0);
    const cache = openCache(root);
    for (const file of all) expect(await cache.contains(file.sha256)).toBe(true);
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
  });
});
