/**
 * Throughput of the storage layer, printed rather than asserted (machines
 * differ). Run with LOCKHOUSE_BENCH=1 npx vitest run test/io/store/bench.test.ts.
 */
import { createHash, randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { openCache } from '../../../src/io/store/cache.js';
import { hashFile } from '../../../src/io/store/hash-file.js';
import { createTempFiles } from '../../../src/io/store/temp-files.js';
import { sha, tempdir } from './helpers.js';

const MIB = 1024 * 1024;
const bench = process.env.LOCKHOUSE_BENCH ? describe : describe.skip;

function mbps(bytes: number, ms: number): string {
  return `${((bytes / MIB) / (ms / 1000)).toFixed(0)} MiB/s`;
}

async function pool<T>(items: readonly T[], concurrency: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await run(items[next++]!);
  }));
}

bench('storage throughput', () => {
  // Three rounds each, median reported: in a VM the first touch of fresh
  // page cache is several times slower than later writes, whatever writes.
  const ROUNDS = 3;
  const TOTAL = 1024 * MIB;
  const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

  it('baselines: sha256 alone, pwrite alone (1 MiB writes)', async () => {
    const source = randomBytes(16 * MIB);
    const hashMs: number[] = [];
    const writeMs: number[] = [];
    const dir = tempdir();
    for (let round = 0; round < ROUNDS; round++) {
      let started = performance.now();
      const hash = createHash('sha256');
      for (let at = 0; at < TOTAL; at += 64 * 1024) hash.update(source.subarray(at % source.length, (at % source.length) + 64 * 1024));
      hash.digest();
      hashMs.push(performance.now() - started);
      const handle = await open(join(dir, 'plain'), 'w');
      started = performance.now();
      for (let at = 0; at < TOTAL; at += MIB) await handle.write(source, at % source.length, MIB, at);
      writeMs.push(performance.now() - started);
      await handle.close();
      rmSync(join(dir, 'plain'));
    }
    console.log(`baseline sha256 only: ${mbps(TOTAL, median(hashMs))}; pwrite only: ${mbps(TOTAL, median(writeMs))}`);
  });

  it.each([
    ['sha256', false],
    ['sha256', true],
    ['sha512', false],
  ] as const)('TempFile: 1 GiB in 64 KiB chunks, %s, durable=%s; then hashFile', async (algorithm, durable) => {
    const dir = tempdir();
    const source = randomBytes(16 * MIB);
    const writeMs: number[] = [];
    const finishMs: number[] = [];
    const hashMs: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const temp = await createTempFiles(dir, { durable }).create(algorithm);
      const started = performance.now();
      for (let at = 0; at < TOTAL; at += 64 * 1024) await temp.write(source.subarray(at % source.length, (at % source.length) + 64 * 1024));
      const writtenAt = performance.now();
      await temp.finish();
      writeMs.push(performance.now() - started);
      finishMs.push(performance.now() - writtenAt);
      const hashStarted = performance.now();
      await hashFile(temp.path, algorithm);
      hashMs.push(performance.now() - hashStarted);
      await temp.discard();
    }
    console.log(
      `TempFile ${algorithm} durable=${durable}: ${mbps(TOTAL, median(writeMs))} (median of ${writeMs.map((ms) => ms.toFixed(0)).join('/')} ms, ` +
        `finish ${median(finishMs).toFixed(0)} ms); hashFile ${algorithm}: ${mbps(TOTAL, median(hashMs))}`,
    );
  });

  it.each([true, false])('500 files of 200 KiB through TempFile at concurrency 16, durable=%s', async (durable) => {
    const dir = tempdir();
    const temps = createTempFiles(join(dir, 'tmp'), { durable });
    const data = randomBytes(200 * 1024);
    const started = performance.now();
    await pool(Array.from({ length: 500 }, (_, i) => i), 16, async (i) => {
      const temp = await temps.create('sha256');
      for (let at = 0; at < data.length; at += 16 * 1024) await temp.write(data.subarray(at, at + 16 * 1024));
      await temp.finish();
      await temp.moveTo(join(dir, `f${i}.whl`));
    });
    const ms = performance.now() - started;
    console.log(`500 × 200 KiB, durable=${durable}: ${ms.toFixed(0)} ms (${(ms / 500).toFixed(2)} ms/file)`);
  });

  it.each([
    ['link', 16],
    ['link', 1],
    ['copy', 16],
  ] as const)('placeInto 500 cached files of 200 KiB (%s, concurrency %i)', async (mode, concurrency) => {
    const dir = tempdir();
    const exdev = () => Promise.reject(Object.assign(new Error('EXDEV'), { code: 'EXDEV' }));
    const cache = openCache(join(dir, 'cache'), mode === 'copy' ? { link: exdev } : {});
    const files = Array.from({ length: 500 }, (_, i) => {
      const data = randomBytes(200 * 1024);
      const path = join(dir, `src${i}`);
      writeFileSync(path, data);
      return { path, sha256: sha('sha256', data), name: `pkg${i}-1.0-py3-none-any.whl` };
    });
    for (const file of files) await cache.insert(file.path, file.sha256);
    const temps = createTempFiles(join(dir, 'out', '.lockhouse', 'tmp'));
    const started = performance.now();
    await pool(files, concurrency, async (file) => {
      const how = await cache.placeInto(file.sha256, join(dir, 'out', file.name), temps.dir);
      if (how !== mode) throw new Error(`placed by ${how}`);
    });
    const ms = performance.now() - started;
    console.log(`placeInto 500 × 200 KiB by ${mode}, concurrency ${concurrency}: ${ms.toFixed(0)} ms (${mbps(500 * 200 * 1024, ms)})`);
  });
});
