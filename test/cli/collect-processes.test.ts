/**
 * lockhouse as separate processes: killed with SIGKILL in the middle of a
 * collect (no partial file ever under a final name; the next run completes
 * and leaves no temporary file), and two collects at once on one directory
 * and one cache (both end well, nothing corrupt).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRACE_MS } from '../../src/io/store/sweep.js';
import { Manifest } from '../../src/output/manifest.js';
import { makeWheel, type Artifact } from '../helpers/artifacts.js';
import { fixtureUvLock } from '../helpers/fixture-lock.js';
import { startIndexServer, type IndexServer } from '../helpers/index-server.js';
import { startLockhouse } from '../helpers/process.js';
import { testdir } from '../helpers/testdir.js';

const TARGET = ['--python-platform', 'x86_64-manylinux_2_28', '--python-version', '3.12'];
const artifacts: Artifact[] = Array.from({ length: 12 }, (_, i) => makeWheel({ name: `pkg${i}`, version: '1.0', sizeBytes: 400_000 + i * 1000 }));
const sha = new Map(artifacts.map((a) => [a.filename, a.sha256]));

let server: IndexServer;
beforeAll(async () => {
  server = await startIndexServer({ artifacts });
});
afterAll(async () => {
  await server.close();
});

function checkNothingWrong(out: string): string[] {
  const finals = existsSync(out) ? readdirSync(out).filter((name) => name.endsWith('.whl')) : [];
  for (const name of finals) {
    // Whatever is under a final name is the lock's file, byte for byte.
    expect(createHash('sha256').update(readFileSync(join(out, name))).digest('hex'), name).toBe(sha.get(name));
  }
  return finals;
}

describe('a collect killed with SIGKILL', () => {
  it('leaves no partial file under a final name; the next run completes, and its temporary files are swept once a minute old', async () => {
    const dir = testdir({ 'uv.lock': fixtureUvLock(artifacts, { base: server.url }) });
    const out = join(dir, 'wheelhouse');
    const args = ['collect', '--lock', join(dir, 'uv.lock'), '-o', out, '--cache-dir', join(dir, 'cache'), '--concurrency', '4', ...TARGET];
    // Slow bodies, so the kill lands while files are being written.
    server.fault(/^\/files\//, { throttle: 400_000, times: 8 });
    const run = startLockhouse(args);
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        const tmp = join(out, '.lockhouse', 'tmp');
        if (existsSync(tmp) && readdirSync(tmp).length > 0) {
          clearInterval(poll);
          resolve();
        }
      }, 20);
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    run.child.kill('SIGKILL');
    const killed = await run.done;
    expect(killed.signal).toBe('SIGKILL');
    const before = checkNothingWrong(out);
    expect(before.length).toBeLessThan(artifacts.length);
    expect(readdirSync(join(out, '.lockhouse', 'tmp')).length).toBeGreaterThan(0);

    server.clearFaults();
    const again = await startLockhouse(args).done;
    expect(again.stderr).toContain('Collected 12 files of 12 packages');
    expect(again.code).toBe(0);
    expect(checkNothingWrong(out)).toHaveLength(artifacts.length);
    // Only the killed run's temporary files may remain, until a minute old
    // (DIR may be shared by containers whose pids look dead from here);
    // the first run after that minute sweeps them.
    const tmp = join(out, '.lockhouse', 'tmp');
    const lingering = readdirSync(tmp);
    // A download's temporary file carries the hash it must have as its label (`.sha256-….<pid>-….tmp`): the pid is after it.
    expect(lingering.filter((name) => /^(?:\..+\.)?(\d+)-/.exec(name)?.[1] !== String(run.child.pid))).toEqual([]);
    const aMinuteAgo = new Date(Date.now() - GRACE_MS - 1_000);
    for (const name of lingering) utimesSync(join(tmp, name), aMinuteAgo, aMinuteAgo);
    expect((await startLockhouse(args).done).code).toBe(0);
    expect(readdirSync(tmp)).toEqual([]);
  });
});

describe('two collects at once on one directory and one cache', () => {
  it('both finish with every file verified and a valid manifest', async () => {
    const dir = testdir({ 'uv.lock': fixtureUvLock(artifacts, { base: server.url }) });
    const out = join(dir, 'wheelhouse');
    const args = ['collect', '--lock', join(dir, 'uv.lock'), '-o', out, '--cache-dir', join(dir, 'cache'), ...TARGET];
    const [first, second] = await Promise.all([startLockhouse(args).done, startLockhouse(args).done]);
    expect([first.code, second.code]).toEqual([0, 0]);
    expect(checkNothingWrong(out)).toHaveLength(artifacts.length);
    const manifest = Manifest.parse(JSON.parse(readFileSync(join(out, 'lockhouse.json'), 'utf8')));
    expect(manifest.artifacts).toHaveLength(artifacts.length);
    expect(manifest.failures).toEqual([]);
    expect(readdirSync(join(out, '.lockhouse', 'tmp'))).toEqual([]);
  });
});
