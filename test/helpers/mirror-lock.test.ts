import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { corpusAvailable, corpusDir } from './corpus.js';
import { mirrorAvailable, mirrorCorpusLock, mirrorUnavailable } from './mirror-lock.js';
import { removeFolder, tempFolder } from './testdir.js';

const flask = join(corpusDir, 'pallets__flask');
const skip = mirrorUnavailable() !== null || !corpusAvailable() || !existsSync(flask);

describe('mirrorAvailable', () => {
  it('says yes, or why not', () => {
    const available = mirrorAvailable();
    if (!available.available) expect(available.reason).toMatch(/absent|not available|packaging/);
  });
});

describe.skipIf(skip)('mirrorCorpusLock', () => {
  // One folder for both tests: the second mirroring finds the files the
  // first synthesized and only rewrites the lock for its port.
  let outDir: string | undefined;
  beforeAll(() => {
    outDir = tempFolder();
  });
  afterAll(() => removeFolder(outDir));

  it('mirrors pallets__flask and serves every file the rewritten lock names, with its hash', async () => {
    const mirror = await mirrorCorpusLock(flask, outDir!);
    onTestFinished(() => mirror.close());
    expect(mirror.lockPath).toBe(join(mirror.outDir, 'project', 'uv.lock'));
    const lock = readFileSync(mirror.lockPath, 'utf8');
    const files = [...lock.matchAll(/url = "([^"]+)", hash = "sha256:([0-9a-f]{64})"/g)].map((m) => [m[1]!, m[2]!] as const);
    expect(files.length).toBeGreaterThan(300);
    expect(files.every(([url]) => url.startsWith(`${mirror.url}/`))).toBe(true);
    expect(lock).toContain(`source = { registry = "${mirror.url}/simple" }`);

    for (const [url, sha256] of files.slice(0, 5)) {
      const body = Buffer.from(await (await fetch(url)).arrayBuffer());
      expect(createHash('sha256').update(body).digest('hex')).toBe(sha256);
    }
    const stats = await mirror.stats();
    expect(stats.requests).toBe(5);
    expect(stats.by_status).toEqual({ 200: 5 });
    expect(Object.values(stats.gets)).toEqual([1, 1, 1, 1, 1]);
    await mirror.reset();
    expect(await mirror.stats()).toMatchObject({ requests: 0, by_status: {}, gets: {} });

    const page = await fetch(`${mirror.url}/simple/blinker/`, { headers: { accept: 'application/vnd.pypi.simple.v1+json' } });
    expect(page.headers.get('content-type')).toBe('application/vnd.pypi.simple.v1+json');

    await mirror.close();
    await expect(fetch(`${mirror.url}/__lh/stats`)).rejects.toThrow();
  });

  it('passes fault flags to serve.py', async () => {
    const mirror = await mirrorCorpusLock(flask, outDir!, { serveArgs: ['--retry-after', '0'] });
    onTestFinished(() => mirror.close());
    const url = /url = "([^"]+\.whl)"/.exec(readFileSync(mirror.lockPath, 'utf8'))![1]!;
    expect((await fetch(url)).status).toBe(429);
    expect((await fetch(url)).status).toBe(200);
  });
});
