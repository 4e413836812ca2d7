/**
 * Download threads through the real command line (src/io/fetch-threads):
 * the suites that hold the download path to its guarantees — a collect
 * verified file by file (collect.test.ts), Ctrl-C keeping a partial and
 * the re-run resuming it with Range and If-Range, a changed file, a server
 * that ignores Range, corrupted kept bytes (resume.test.ts), hostile
 * servers (reliability/hostile-servers.test.ts), partial downloads
 * (reliability/partials.test.ts), hashes that do not match
 * (security/hashes.test.ts), credentials per origin and their redaction
 * (security/credentials.test.ts) — run again here with
 * LOCKHOUSE_FETCH_THREADS=2, in this process and in every lockhouse it
 * starts. On a machine of two cores or fewer the default is no threads, so
 * this is where the CI machine runs them.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeWheel } from '../helpers/artifacts.js';
import { runCli } from '../helpers/cli.js';
import { fixtureUvLock } from '../helpers/fixture-lock.js';
import { startIndexServer } from '../helpers/index-server.js';
import { startLockhouse } from '../helpers/process.js';
import { testdir } from '../helpers/testdir.js';

const before = process.env['LOCKHOUSE_FETCH_THREADS'];
process.env['LOCKHOUSE_FETCH_THREADS'] = '2';
afterAll(() => {
  if (before === undefined) delete process.env['LOCKHOUSE_FETCH_THREADS'];
  else process.env['LOCKHOUSE_FETCH_THREADS'] = before;
});

type Runner = (argv: readonly string[]) => Promise<{ code: number | null; stderr: string }>;

describe('with LOCKHOUSE_FETCH_THREADS=2', () => {
  // In this process (the library's modules), and as the command itself (bin/lockhouse.cjs and its start-up
  // bundle, whose own thread script the threads then run: a thread that cannot start says it stopped).
  it.each([
    ['in-process', (argv) => runCli(argv)],
    ['the command (its start-up bundle)', (argv) => startLockhouse(argv).done],
  ] as Array<[string, Runner]>)('%s: downloads go to the threads, and every file lands verified', async (_how, run) => {
    const artifacts = Array.from({ length: 8 }, (_, i) => makeWheel({ name: `pkg${i}`, version: '1.0', sizeBytes: 30_000 + i * 150_000 }));
    const server = await startIndexServer({ artifacts });
    try {
      const dir = testdir({ 'uv.lock': fixtureUvLock(artifacts, { base: server.url }) });
      const out = join(dir, 'wheelhouse');
      const ran = await run(['collect', '--lock', join(dir, 'uv.lock'), '-o', out, '--cache-dir', join(dir, 'cache'), '--python-platform', 'linux', '--python-version', '3.12', '-v']);
      expect(ran.code, ran.stderr).toBe(0);
      expect(ran.stderr).toContain('downloads on up to 2 download threads (LOCKHOUSE_FETCH_THREADS)');
      expect(ran.stderr).not.toContain('download thread stopped');
      expect(ran.stderr).toContain('Collected 8 files of 8 packages');
      expect(server.requests.count(/^\/files\//, 'GET')).toBe(8);
    } finally {
      await server.close();
    }
  });
});

describe('the download suites, on threads', async () => {
  await import('./collect.test.js');
  await import('./resume.test.js');
  await import('../reliability/hostile-servers.test.js');
  await import('../reliability/partials.test.js');
  await import('../security/hashes.test.js');
  await import('../security/credentials.test.js');
});
