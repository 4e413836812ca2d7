/**
 * Throughput on loopback, against curl on the same URLs. Opt-in
 * (LOCKHOUSE_BENCH=1): it moves a few hundred megabytes and prints figures
 * rather than asserting them. The server runs in its own process so that it
 * does not share an event loop with the downloader being measured.
 *
 *   LOCKHOUSE_BENCH=1 npx vitest run test/io/http/throughput.test.ts
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDownloader } from '../../../src/io/http/create-downloader.js';
import type { DownloadSink } from '../../../src/io/http/types.js';
import { tempFiles } from './helpers.js';

const BIG = 200 * 1024 * 1024;
const SMALL = 200;
const SMALL_SIZE = 64 * 1024;

const SERVER = `
  const http = require('node:http');
  const big = Buffer.alloc(${BIG}, 7);
  const small = Buffer.alloc(${SMALL_SIZE}, 3);
  const server = http.createServer({ keepAliveTimeout: 10_000 }, (request, response) => {
    const body = request.url === '/big' ? big : small;
    response.writeHead(200, { 'content-length': body.length });
    response.end(body);
  });
  server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

class CountingSink implements DownloadSink {
  bytesWritten = 0;
  async write(chunk: Uint8Array): Promise<void> {
    this.bytesWritten += chunk.length;
  }
  async restart(): Promise<void> {
    this.bytesWritten = 0;
  }
}

const mbps = (bytes: number, ms: number): string => `${(bytes / 1e6 / (ms / 1000)).toFixed(0)} MB/s`;
const hasCurl = spawnSync('curl', ['--version']).status === 0;

describe.skipIf(!process.env.LOCKHOUSE_BENCH)('throughput on loopback', () => {
  let child: ChildProcess;
  let origin = '';

  beforeAll(async () => {
    child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
    const port = await new Promise<string>((resolve) => child.stdout!.once('data', (data: Buffer) => resolve(data.toString().trim())));
    origin = `http://127.0.0.1:${port}`;
  });
  afterAll(() => {
    child.kill();
  });

  it('one 200 MB file', async () => {
    const downloader = createDownloader({ env: {} });
    const sink = new CountingSink();
    await downloader.download(`${origin}/big`, sink); // warm the connection and the server
    sink.bytesWritten = 0;
    const runs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      await downloader.download(`${origin}/big`, new CountingSink());
      runs.push(performance.now() - start);
    }
    await downloader.close();
    const best = Math.min(...runs);
    let curl = '';
    if (hasCurl) {
      const start = performance.now();
      spawnSync('curl', ['-s', '-o', '/dev/null', `${origin}/big`]);
      curl = `, curl ${mbps(BIG, performance.now() - start)}`;
    }
    console.log(`200 MB: lockhouse ${mbps(BIG, best)} (best of 3: ${runs.map((r) => r.toFixed(0)).join(', ')} ms)${curl}`);
    expect(best).toBeGreaterThan(0);
  });

  it('200 small files, 16 at a time', async () => {
    const urls = Array.from({ length: SMALL }, (_, i) => `${origin}/small/${i}.whl`);
    const run = async (): Promise<number> => {
      const downloader = createDownloader({ env: {}, concurrency: 16 });
      const start = performance.now();
      const queue = [...urls];
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          for (let url = queue.shift(); url; url = queue.shift()) await downloader.download(url, new CountingSink());
        }),
      );
      const ms = performance.now() - start;
      await downloader.close();
      return ms;
    };
    await run();
    const ms = Math.min(await run(), await run());
    let curl = '';
    if (hasCurl) {
      const dir = tempFiles({});
      const config = join(dir, 'urls.txt');
      writeFileSync(config, urls.map((url) => `url = "${url}"\noutput = "/dev/null"\n`).join(''));
      const start = performance.now();
      spawnSync('curl', ['-s', '--parallel', '--parallel-max', '16', '-K', config]);
      curl = `; curl --parallel --parallel-max 16: ${(performance.now() - start).toFixed(0)} ms`;
    }
    console.log(`${SMALL} × ${SMALL_SIZE / 1024} KiB: lockhouse ${ms.toFixed(0)} ms (${mbps(SMALL * SMALL_SIZE, ms)})${curl}`);
    expect(ms).toBeGreaterThan(0);
  });
});
