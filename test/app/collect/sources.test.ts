/**
 * One file from the first source that has it with the right bytes
 * (src/app/collect/sources.ts), against a fake of the I/O below it: real
 * temporary files in a test folder, an in-memory network and cache.
 */
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { lstat, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fetchOne, type CollectIO, type SourceOptions } from '../../../src/app/collect/sources.js';
import type { Downloader } from '../../../src/io/http/types.js';
import { copyThrough, hashFile } from '../../../src/io/store/hash-file.js';
import { createTempFiles } from '../../../src/io/store/temp-files.js';
import type { FileJob } from '../../../src/plan/jobs.js';
import { testdir } from '../../helpers/testdir.js';
import { sampleJobs } from './fixtures.js';

const RIGHT = Buffer.from('the right wheel bytes');
const WRONG = Buffer.from('a login page, not a wheel');
const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** The `pure` wheel's job, with its expected hash made RIGHT's. */
function pureJob(): FileJob {
  const job = sampleJobs().files.find((j) => j.filename.startsWith('pure-'))!;
  return { ...job, rule: { kind: 'strong', expected: { algorithm: 'sha256', digest: sha256(RIGHT), size: RIGHT.length } } };
}

interface Fake {
  readonly io: CollectIO;
  readonly dir: string;
  readonly final: string;
  readonly served: Buffer[];
  readonly calls: string[];
  readonly logs: string[];
  options(overrides?: Partial<SourceOptions>): SourceOptions;
}

function fake(network: Buffer[] = [], findLinks: Record<string, Buffer> = {}, cached: Buffer | null = null): Fake {
  const dir = testdir();
  const calls: string[] = [];
  const logs: string[] = [];
  const served: Buffer[] = [];
  const linked = new Map<string, string[]>();
  for (const [name, data] of Object.entries(findLinks)) {
    mkdirSync(join(dir, 'links'), { recursive: true });
    writeFileSync(join(dir, 'links', name), data);
    linked.set(name, [join(dir, 'links', name)]);
  }
  const downloader: Downloader = {
    requests: 0,
    async download(url, sink) {
      calls.push(`download ${url}`);
      const data = network.shift();
      if (!data) throw new Error('no more answers');
      served.push(data);
      await sink.write(data);
      return { finalUrl: url, attempts: 1, resumed: 0, resumedFrom: 0 };
    },
    page: async () => Promise.reject(new Error('no pages')),
    close: async () => undefined,
  };
  const io: CollectIO = {
    downloader,
    temps: createTempFiles(join(dir, 'out', '.lockhouse', 'tmp')),
    cache: cached
      ? {
          root: join(dir, 'cache'),
          async placeInto(_sha, dest) {
            calls.push('cache');
            writeFileSync(dest, cached);
            return 'copy';
          },
          insert: async () => void calls.push('cache insert'),
        }
      : null,
    findLinks: linked,
    hashFile: async (path, algorithm) => {
      calls.push(`hash ${path.slice(dir.length + 1)}`);
      return hashFile(path, algorithm);
    },
    copyThrough: (source, temp) => copyThrough(source, temp),
    weakDigest: async () => '',
    lstat: (path) => lstat(path).catch(() => null),
    mirrorUrl: async () => null,
    cacheContains: async () => false,
    remove: (path) => rm(path, { force: true }),
    cacheEntryPath: () => null,
  };
  mkdirSync(join(dir, 'out'), { recursive: true });
  return {
    io,
    dir,
    final: join(dir, 'out', pureJob().filename),
    served,
    calls,
    logs,
    options: (overrides = {}) => ({ offline: false, verify: false, trusted: new Map(), log: (_level, message) => void logs.push(message), ...overrides }),
  };
}

describe('fetchOne', () => {
  it('a file in DIR the last manifest vouches for (size and mtime) is taken without hashing it', async () => {
    const f = fake();
    writeFileSync(f.final, RIGHT);
    const stat = lstatSync(f.final);
    const trusted = new Map([[pureJob().filename, { sha256: sha256(RIGHT), size: stat.size, mtimeMs: stat.mtimeMs }]]);
    const outcome = await fetchOne(pureJob(), f.final, f.io, f.options({ trusted }));
    expect(outcome).toMatchObject({ ok: true, origin: 'existing' });
    expect(f.calls).toEqual([]);
  });

  it('a file in DIR with other bytes is removed, said so, and the right one downloaded in its place', async () => {
    const f = fake([RIGHT]);
    writeFileSync(f.final, WRONG);
    const outcome = await fetchOne(pureJob(), f.final, f.io, f.options());
    expect(outcome).toMatchObject({ ok: true, origin: 'download', actual: { sha256: sha256(RIGHT) } });
    expect(readFileSync(f.final)).toEqual(RIGHT);
    expect(f.logs.some((line) => line.startsWith(`removed ${f.final}: its sha256 ${sha256(WRONG)} differs from the lock's sha256:${sha256(RIGHT)}`))).toBe(true);
  });

  it('a --find-links file with other bytes is passed over; the cache then serves it, and the network is never asked', async () => {
    const f = fake([], { [pureJob().filename]: WRONG }, RIGHT);
    const outcome = await fetchOne(pureJob(), f.final, f.io, f.options());
    expect(outcome).toMatchObject({ ok: true, origin: 'cache' });
    expect(f.calls.filter((call) => call.startsWith('download'))).toEqual([]);
    expect(f.logs.some((line) => line.includes('a --find-links file') && line.includes('passed over'))).toBe(true);
  });

  it('offline, with no local source: OFFLINE_MISSING, and nothing under the final name', async () => {
    const f = fake([RIGHT]);
    const outcome = await fetchOne(pureJob(), f.final, f.io, f.options({ offline: true }));
    expect(outcome).toMatchObject({ ok: false, failure: { code: 'OFFLINE_MISSING' } });
    expect(f.served).toEqual([]);
    expect(lstatSync(f.final, { throwIfNoEntry: false })).toBeUndefined();
  });

  it('bytes from the lock’s URL that do not match are fetched once more, then an INTEGRITY_MISMATCH; they never land', async () => {
    const f = fake([WRONG, WRONG]);
    const outcome = await fetchOne(pureJob(), f.final, f.io, f.options());
    expect(outcome).toMatchObject({ ok: false, failure: { code: 'INTEGRITY_MISMATCH' } });
    expect(f.served).toHaveLength(2);
    expect(lstatSync(f.final, { throwIfNoEntry: false })).toBeUndefined();
  });

  it('a build-only file (no place in DIR) is downloaded into the cache only', async () => {
    const f = fake([RIGHT], {}, RIGHT);
    const outcome = await fetchOne(pureJob(), null, { ...f.io, cache: { ...f.io.cache!, placeInto: async () => null } }, f.options());
    expect(outcome).toMatchObject({ ok: true, origin: 'download' });
    expect(f.calls).toContain('cache insert');
    expect(lstatSync(f.final, { throwIfNoEntry: false })).toBeUndefined();
  });
});

describe('fetchOne with -v: one line per file saying where it came from', () => {
  /** The debug lines a fetch logged. */
  async function lines(f: Fake, job: FileJob, overrides: Partial<SourceOptions> = {}): Promise<string[]> {
    const debug: string[] = [];
    const outcome = await fetchOne(job, f.final, f.io, f.options({ log: (level, message) => void (level === 'debug' && debug.push(message)), ...overrides }));
    expect(outcome.ok).toBe(true);
    return debug;
  }
  const name = pureJob().filename;

  it('DIR, --find-links, the cache', async () => {
    const inDir = fake();
    writeFileSync(inDir.final, RIGHT);
    expect(await lines(inDir, pureJob())).toEqual([`${name}: already in DIR`]);
    const linked = fake([], { [name]: RIGHT });
    expect(await lines(linked, pureJob())).toEqual([`${name}: from --find-links ${join(linked.dir, 'links', name)}`]);
    expect(await lines(fake([], {}, RIGHT), pureJob())).toEqual([`${name}: from the cache`]);
  });

  it('the download URL or the mirror’s, and where a redirect led, credentials removed', async () => {
    const direct = fake([RIGHT]);
    const job = { ...pureJob(), url: 'https://robot:s3cret@files.example/pure.whl' };
    expect(await lines(direct, job)).toEqual([`${name}: downloaded from https://files.example/pure.whl`]);

    const mirrored = fake([RIGHT]);
    const io: CollectIO = {
      ...mirrored.io,
      mirrorUrl: async () => 'https://u:s3cret@mirror.example/files/pure.whl',
      downloader: { ...mirrored.io.downloader!, download: async (_url, sink) => (await sink.write(RIGHT), { finalUrl: 'https://u:s3cret@cdn.example/pure.whl', attempts: 1, resumed: 0, resumedFrom: 0 }) },
    };
    expect(await lines({ ...mirrored, io }, pureJob())).toEqual([`${name}: from the mirror https://mirror.example/files/pure.whl (redirected to https://cdn.example/pure.whl)`]);
  });

  it('says nothing for a file that could not be had (its failure says it)', async () => {
    const f = fake();
    const debug: string[] = [];
    const outcome = await fetchOne(pureJob(), f.final, f.io, f.options({ offline: true, log: (level, message) => void (level === 'debug' && debug.push(message)) }));
    expect(outcome.ok).toBe(false);
    expect(debug).toEqual([]);
  });
});
