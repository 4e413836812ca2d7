/**
 * Download threads (src/io/fetch-threads): a file lent to a thread comes
 * back written, synced and hashed, with the same results and failures as
 * a download on the run's thread — bytes that continue a partial, what a
 * broken download leaves to keep, credentials from the URL for its origin
 * only, an abort, a thread that stops. The threads run the built
 * dist/io/fetch-threads/thread.js (the test run builds dist/ first).
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { fetchInto, startFetchThreads, threadCount, type FetchThreads } from '../../../src/io/fetch-threads/index.js';
import { createDownloader } from '../../../src/io/http/create-downloader.js';
import { FetchError } from '../../../src/io/http/errors.js';
import { createTempFiles } from '../../../src/io/store/temp-files.js';
import { head, httpServer, payload, rawServer, rejection, serveBytes } from '../http/helpers.js';
import { testdir } from '../../helpers/testdir.js';

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

function setup(options: { threads?: number; script?: URL; retries?: number } = {}): { threads: FetchThreads; dir: string; logs: string[] } {
  const dir = testdir();
  const logs: string[] = [];
  const threads = startFetchThreads({
    concurrency: 4,
    threads: options.threads ?? 2,
    http: { retries: options.retries ?? 2, timeoutMs: 5_000, retryBaseMs: 1 },
    env: {},
    indexes: [],
    durable: true,
    ...(options.script ? { script: options.script } : {}),
    log: (level, message) => logs.push(`${level} ${message}`),
  });
  if (!threads) throw new Error('no download threads: is dist/io/fetch-threads/thread.js built?');
  onTestFinished(() => threads.close());
  return { threads, dir, logs };
}

function downloader() {
  const made = createDownloader({ env: {}, retries: 2, retryBaseMs: 1 });
  onTestFinished(() => made.close());
  return made;
}

describe('download threads', () => {
  it('fetch a file on a thread: the digests, the progress and the requests are the run thread’s to see, and the file can be moved', async () => {
    const body = payload(3 * 2 ** 20 + 5);
    const server = await httpServer((request, response) => serveBytes(response, request, body));
    const { threads, dir } = setup();
    const temp = await createTempFiles(join(dir, 'tmp')).create('sha256');
    let progress = 0;
    const sizes: number[] = [];

    const { result, actual } = await fetchInto(downloader(), threads, `${server.origin}/a.whl`, temp, 'sha256', {
      size: body.length,
      onBytes: (n) => (progress += n),
      onSize: (n) => sizes.push(n),
    });

    expect(actual).toEqual({ sha256: sha256(body), digest: sha256(body), size: body.length });
    expect(result).toMatchObject({ finalUrl: `${server.origin}/a.whl`, attempts: 1, resumedFrom: 0 });
    expect(progress).toBe(body.length);
    expect(sizes).toEqual([body.length]);
    expect(threads.requests).toBe(1);
    expect(await temp.finish()).toEqual(actual);
    await temp.moveTo(join(dir, 'a.whl'));
    expect(readFileSync(join(dir, 'a.whl')).equals(body)).toBe(true);
  });

  it('many files at once, spread over the threads, each with its own digests', async () => {
    const bodies = Array.from({ length: 12 }, (_, i) => payload(1000 + i * 70_000));
    const server = await httpServer((request, response) => serveBytes(response, request, bodies[Number(request.url!.slice(1))]!));
    const { threads, dir } = setup({ threads: 3 });
    const temps = createTempFiles(join(dir, 'tmp'));
    const client = downloader();

    const done = await Promise.all(
      bodies.map(async (body, i) => {
        const temp = await temps.create('sha256');
        return (await fetchInto(client, threads, `${server.origin}/${i}`, temp, 'sha256', { size: body.length })).actual.sha256;
      }),
    );

    expect(done).toEqual(bodies.map(sha256));
    expect(threads.requests).toBe(12);
  });

  it('continues the bytes the file already holds (a partial an earlier run kept) with a Range request, hashing the whole file', async () => {
    const body = payload(500_000);
    const server = await httpServer((request, response) => serveBytes(response, request, body));
    const { threads, dir } = setup();
    const temp = await createTempFiles(join(dir, 'tmp')).create('sha256');
    await temp.write(body.subarray(0, 123_456));

    const { result, actual } = await fetchInto(downloader(), threads, `${server.origin}/f`, temp, 'sha256', { size: body.length });

    expect(server.seen.map((seen) => seen.headers.range)).toEqual(['bytes=123456-']);
    expect(result.resumedFrom).toBe(123_456);
    expect(actual.sha256).toBe(sha256(body));
    expect(readFileSync(temp.path).equals(body)).toBe(true);
  });

  it('a download that breaks for good fails as on the run thread, and what arrived stays in the file, synced, to keep', async () => {
    const body = payload(200_000);
    // Every answer announces the whole file and stops after 50,000 bytes.
    const server = await rawServer((socket) => {
      socket.write(head('200 OK', { 'content-length': body.length }));
      socket.end(body.subarray(0, 50_000));
    });
    const { threads, dir } = setup({ retries: 0 });
    const temp = await createTempFiles(join(dir, 'tmp')).create('sha256');

    const error = await rejection(fetchInto(downloader(), threads, `${server.origin}/f`, temp, 'sha256', { size: body.length }));

    expect(error).toBeInstanceOf(FetchError);
    expect(error).toMatchObject({ code: 'FETCH_NETWORK', url: `${server.origin}/f`, attempts: 1 });
    expect(temp.bytesWritten).toBe(50_000);
    // What partials.ts does with it: finish() (the digests of the bytes there), then a rename.
    expect(await temp.finish()).toEqual({ sha256: sha256(body.subarray(0, 50_000)), digest: sha256(body.subarray(0, 50_000)), size: 50_000 });
    await temp.moveTo(join(dir, 'kept.part'));
    expect(readFileSync(join(dir, 'kept.part')).equals(body.subarray(0, 50_000))).toBe(true);
  });

  it('a status failure keeps its status and hint, and the file is only worth discarding', async () => {
    const server = await httpServer((_request, response) => response.writeHead(404).end('no'));
    const { threads, dir } = setup();
    const temp = await createTempFiles(join(dir, 'tmp')).create('sha256');

    const error = await rejection(fetchInto(downloader(), threads, `${server.origin}/missing.whl`, temp, 'sha256', {}));

    expect(error).toMatchObject({ code: 'FETCH_HTTP_STATUS', status: 404, url: `${server.origin}/missing.whl` });
    expect(String(error.hint)).toMatch(/not there/);
    await temp.discard();
  });

  it('credentials in the URL go to its origin from the thread, never to another origin it redirects to, and are remembered for that origin', async () => {
    const body = payload(10_000);
    const other = await httpServer((request, response) => serveBytes(response, request, body));
    const server = await httpServer((request, response) => {
      if (request.url === '/moved') response.writeHead(302, { location: `${other.origin}/there` }).end();
      else serveBytes(response, request, body);
    });
    const { threads, dir } = setup();
    const temps = createTempFiles(join(dir, 'tmp'));
    const client = downloader();
    const withUserinfo = `http://user:s3cret-pass@127.0.0.1:${server.port}/first`;

    await fetchInto(client, threads, withUserinfo, await temps.create('sha256'), 'sha256', {});
    await fetchInto(client, threads, `${server.origin}/second`, await temps.create('sha256'), 'sha256', {});
    await fetchInto(client, threads, `${server.origin}/moved`, await temps.create('sha256'), 'sha256', {});

    const basic = `Basic ${Buffer.from('user:s3cret-pass').toString('base64')}`;
    expect(server.seen.map((seen) => [seen.url, seen.headers.authorization])).toEqual([
      ['/first', basic],
      ['/second', basic],
      ['/moved', basic],
    ]);
    expect(other.seen.map((seen) => seen.headers.authorization)).toEqual([undefined]);
  });

  it('the run’s signal aborts a download on a thread; the bytes so far stay to keep', async () => {
    const body = payload(400_000);
    let sent = (): void => undefined;
    const started = new Promise<void>((resolve) => (sent = resolve));
    const server = await rawServer((socket) => {
      socket.write(head('200 OK', { 'content-length': body.length }));
      socket.write(body.subarray(0, 100_000), () => sent());
      // and nothing more: the body stalls until the abort
    });
    const { threads, dir } = setup();
    const temp = await createTempFiles(join(dir, 'tmp')).create('sha256');
    const abort = new AbortController();
    let received = 0;

    const fetching = rejection(
      fetchInto(downloader(), threads, `${server.origin}/f`, temp, 'sha256', {
        signal: abort.signal,
        onBytes: (n) => {
          received += n;
          if (received >= 100_000) abort.abort();
        },
      }),
    );
    await started;
    const error = await fetching;

    expect(error).toMatchObject({ code: 'FETCH_ABORTED' });
    expect(temp.bytesWritten).toBe(100_000);
    expect((await temp.finish()).size).toBe(100_000);
    await temp.discard();
  });

  it('a thread that stops fails the file it held; later files go to the run thread (fetchInto), and the run goes on', async () => {
    const dir = testdir();
    const script = join(dir, 'dies.mjs');
    writeFileSync(script, "import { parentPort } from 'node:worker_threads';\nparentPort.on('message', () => process.exit(3));\n");
    const body = payload(20_000);
    const server = await httpServer((request, response) => serveBytes(response, request, body));
    const { threads, logs } = setup({ threads: 1, script: pathToFileURL(script) });
    const temps = createTempFiles(join(dir, 'tmp'));
    const client = downloader();
    const first = await temps.create('sha256');

    const error = await rejection(fetchInto(client, threads, `${server.origin}/a`, first, 'sha256', {}));
    expect(error.message).toMatch(/the download thread stopped \(exit 3\)/);
    await first.discard();
    expect(logs.join('\n')).toMatch(/warn a download thread stopped \(exit 3\); the rest of the downloads run on the main thread/);

    const second = await temps.create('sha256');
    const { actual } = await fetchInto(client, threads, `${server.origin}/b`, second, 'sha256', {});
    expect(actual.sha256).toBe(sha256(body));
    expect(server.seen.map((seen) => seen.url)).toEqual(['/b']);
  });

  it('how many threads: LOCKHOUSE_FETCH_THREADS when set, else none on two cores or fewer', () => {
    expect(threadCount({ LOCKHOUSE_FETCH_THREADS: '3' })).toBe(3);
    expect(threadCount({ LOCKHOUSE_FETCH_THREADS: '0' })).toBe(0);
    expect(threadCount({ LOCKHOUSE_FETCH_THREADS: '99' })).toBe(16);
    expect(threadCount({})).toBeLessThanOrEqual(4);
    expect(startFetchThreads({ concurrency: 4, threads: 0, http: {}, env: {}, indexes: [], durable: true })).toBeNull();
  });
});
