/**
 * A full disk: the output directory on a small tmpfs (mounted by the test
 * where it runs as root and may mount; skipped, saying so, elsewhere). The
 * collect fails clearly (ENOSPC named, exit non-zero), leaves no partial
 * file under a final name and no temporary file, and the cache (on another
 * disk) stays intact: every entry still hashes to its name, and the re-run
 * with room fetches only what the cache lacks.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWheel } from '../helpers/artifacts.js';
import { runCli } from '../helpers/cli.js';
import { fixtureUvLock } from '../helpers/fixture-lock.js';
import { startIndexServer, type IndexServer } from '../helpers/index-server.js';
import { removeFolder, tempFolder, testdir } from '../helpers/testdir.js';

const TARGET = ['--python-platform', 'x86_64-manylinux_2_28', '--python-version', '3.12'];
const artifacts = Array.from({ length: 6 }, (_, i) => makeWheel({ name: `disk${i}`, version: '1.0', sizeBytes: 400_000 }));

function canMount(): string | null {
  if (process.getuid?.() !== 0) return 'not running as root: cannot mount a small tmpfs';
  const probe = tempFolder();
  try {
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { encoding: 'utf8' });
    if (mounted.status !== 0) return `mount -t tmpfs is not allowed here (${(mounted.stderr || mounted.error?.message || '').trim()})`;
    spawnSync('umount', [probe]);
    return null;
  } finally {
    removeFolder(probe);
  }
}

const why = canMount();
if (why) console.warn(`lockhouse tests: ${why}; the full-disk test is skipped`);

let server: IndexServer;
beforeAll(async () => {
  server = await startIndexServer({ artifacts });
});
afterAll(async () => {
  await server?.close();
});

/** Every cache entry under content-v2/sha256 still hashes to its name. */
function cacheIntact(cache: string): number {
  let entries = 0;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (dir.includes(join('content-v2', 'sha256'))) {
        expect(path.replaceAll('/', '').endsWith(createHash('sha256').update(readFileSync(path)).digest('hex')), path).toBe(true);
        entries += 1;
      }
    }
  };
  if (existsSync(cache)) walk(cache);
  return entries;
}

describe.skipIf(why !== null)(`a full disk (${why ?? 'tmpfs of 1 MiB'})`, () => {
  it('fails clearly, leaves nothing partial, and the cache stays intact', async () => {
    const dir = testdir({ 'uv.lock': fixtureUvLock(artifacts, { base: server.url }) });
    const out = join(dir, 'wheelhouse');
    const cache = join(dir, 'cache');
    mkdirSync(out);
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', out]).status).toBe(0);
    try {
      const full = await runCli(['collect', '--lock', join(dir, 'uv.lock'), '-o', out, '--cache-dir', cache, ...TARGET]);
      expect(full.code).not.toBe(0);
      expect(full.stderr).toMatch(/ENOSPC|no space left/i);
      for (const name of readdirSync(out).filter((n) => n.endsWith('.whl'))) {
        const artifact = artifacts.find((a) => a.filename === name)!;
        expect(statSync(join(out, name)).size).toBe(artifact.bytes.length);
        expect(createHash('sha256').update(readFileSync(join(out, name))).digest('hex')).toBe(artifact.sha256);
      }
      const tmp = join(out, '.lockhouse', 'tmp');
      expect(existsSync(tmp) ? readdirSync(tmp) : []).toEqual([]);
      // Files reach the cache once verified in DIR: what fit is cached, every entry sound.
      const entries = cacheIntact(cache);
      expect(entries).toBe(readdirSync(out).filter((n) => n.endsWith('.whl')).length);
      console.info(`full disk: exit ${full.code}, ${readdirSync(out).filter((n) => n.endsWith('.whl')).length} of ${artifacts.length} files fit, each verified; no temporary left; ${entries} cache entries intact`);
    } finally {
      spawnSync('umount', [out]);
    }
    // With room again, the re-run completes, fetching only what the cache lacks.
    const cached = cacheIntact(cache);
    server.resetLog();
    const again = await runCli(['collect', '--lock', join(dir, 'uv.lock'), '-o', out, '--cache-dir', cache, ...TARGET]);
    expect(again.code, again.stderr).toBe(0);
    expect(server.requests.count(/^\/files\//, 'GET')).toBe(artifacts.length - cached);
  });
});
