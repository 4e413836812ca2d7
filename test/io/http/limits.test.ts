/**
 * The bounds no server can stretch (docs/collect.md "Limits"): a download
 * never takes more bytes than the lock's size (or, without one, the run's
 * ceiling), a body slower than the rate floor is cut off, interim responses
 * cannot hold a request past its deadline, and a body lockhouse only drains
 * (an error's, a redirect's) is held to the same bounds.
 *
 * Time is injected: the rate floor reads the downloader's `now`, which these
 * tests advance by a fixed step per reading, so "one byte a second" is a
 * count of readings, not a wait. Servers that misbehave forever are stopped
 * when the client gives up (the connection closes) or the test ends.
 */
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { RateFloor } from '../../../src/io/http/rate-floor.js';
import { MemorySink, head, httpServer, payload, rawServer, rejection, serveBytes, testDownloader } from './helpers.js';

/** A clock that moves `stepMs` forward each time it is read. */
function steppingClock(stepMs: number): () => number {
  let now = 0;
  return () => (now += stepMs);
}

/** A sink that fails the test past `limit` bytes (as a disk would fill): old code that reads on without bound stops here. */
class BoundedSink extends MemorySink {
  readonly limit: number;

  constructor(limit: number) {
    super();
    this.limit = limit;
  }

  override async write(chunk: Uint8Array): Promise<void> {
    if (this.bytesWritten + chunk.length > this.limit) throw new Error(`the sink was given more than ${this.limit} bytes`);
    await super.write(chunk);
  }
}

/** Write `chunk` for as long as the client reads, until the connection closes. */
function endless(response: ServerResponse, chunk: Buffer): void {
  const pump = (): void => {
    while (!response.destroyed && response.write(chunk));
    if (!response.destroyed) response.once('drain', pump);
  };
  pump();
}

/** Write one byte every `everyMs` until the connection closes (a drip). */
function drip(socket: Socket, everyMs: number): void {
  const timer = setInterval(() => socket.write('x'), everyMs);
  socket.on('close', () => clearInterval(timer));
  onTestFinished(() => clearInterval(timer));
}

describe('a download never takes more bytes than its bound', () => {
  const size = 201_052;

  it('an endless body without a length is cut at the size the lock gives, after one request, not retried', async () => {
    const server = await httpServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/octet-stream' }); // chunked, no length
      endless(response, Buffer.alloc(64 * 1024, 1));
    });
    const { downloader } = testDownloader();
    const sink = new BoundedSink(size + 1024 * 1024);

    const error = await rejection(downloader.download(`${server.origin}/pkg-1.0-py3-none-any.whl`, sink, { size }));

    expect(error).toMatchObject({ code: 'FETCH_TOO_LARGE', attempts: 1 });
    expect(error.message).toContain(`runs past the ${size} bytes the lock gives this file`);
    expect(sink.bytesWritten).toBeLessThanOrEqual(size);
    expect(server.seen).toHaveLength(1);
  });

  it('a Content-Length above the size (1 TB) fails before any of the body is read', async () => {
    const server = await rawServer((socket) => {
      socket.write(head('200 OK', { 'content-length': 2 ** 40 }));
      socket.write(Buffer.alloc(64 * 1024, 1));
    });
    const { downloader } = testDownloader();
    const sink = new BoundedSink(size);

    const error = await rejection(downloader.download(`${server.origin}/f.whl`, sink, { size }));

    expect(error).toMatchObject({ code: 'FETCH_TOO_LARGE', attempts: 1 });
    expect(error.message).toContain(`announces ${2 ** 40} bytes, more than the ${size} the lock gives this file`);
    expect(sink.bytesWritten).toBe(0);
    expect(server.seen).toHaveLength(1);
  });

  it('a resumed answer whose Content-Range runs past the size fails before its body is read', async () => {
    const body = payload(size);
    const server = await rawServer((socket, headText, index) => {
      if (index === 0) {
        socket.write(head('200 OK', { 'content-length': size }));
        socket.end(body.subarray(0, 1000)); // cut: the next attempt asks with Range
        return;
      }
      const start = Number(/range: bytes=(\d+)-/i.exec(headText)?.[1]);
      socket.write(head('206 Partial Content', { 'content-length': 2 ** 40 - start, 'content-range': `bytes ${start}-${2 ** 40 - 1}/${2 ** 40}` }));
      socket.write(Buffer.alloc(64 * 1024, 1));
    });
    const { downloader } = testDownloader();
    const sink = new BoundedSink(size);

    const error = await rejection(downloader.download(`${server.origin}/f.whl`, sink, { size }));

    expect(error).toMatchObject({ code: 'FETCH_TOO_LARGE', attempts: 2 });
    expect(server.seen[1]!.headers.range).toBe('bytes=1000-');
    expect(sink.bytesWritten).toBe(1000);
  });

  it('without a size, the ceiling (maxFileBytes, --max-file-size) bounds it the same way', async () => {
    const server = await httpServer((_request, response) => {
      response.writeHead(200);
      endless(response, Buffer.alloc(16 * 1024, 1));
    });
    const { downloader } = testDownloader({ maxFileBytes: 100_000 });
    const sink = new BoundedSink(1024 * 1024);

    const error = await rejection(downloader.download(`${server.origin}/f.whl`, sink));

    expect(error).toMatchObject({ code: 'FETCH_TOO_LARGE', attempts: 1 });
    expect(error.message).toContain('--max-file-size (100000 bytes)');
    expect(error.message).toContain('LOCKHOUSE_MAX_FILE_SIZE');
    expect(sink.bytesWritten).toBeLessThanOrEqual(100_000);
  });

  it('a body of the size or shorter is read whole: the hash, not the size, decides about it', async () => {
    const body = payload(5000);
    const server = await httpServer((request, response) => serveBytes(response, request, body));
    const { downloader } = testDownloader();

    for (const lockedSize of [5000, 9000]) {
      const sink = new MemorySink();
      await downloader.download(`${server.origin}/f.whl`, sink, { size: lockedSize });
      expect(sink.bytes().equals(body)).toBe(true);
    }
    const short = await rejection(downloader.download(`${server.origin}/f.whl`, new MemorySink(), { size: 4999 }));
    expect(short).toMatchObject({ code: 'FETCH_TOO_LARGE' });
  });
});

describe('a body slower than the rate floor is cut off', () => {
  it('one byte a second (by the injected clock) fails FETCH_TOO_SLOW after a window of --timeout, each try resuming', async () => {
    const server = await rawServer((socket, headText) => {
      const start = Number(/range: bytes=(\d+)-/i.exec(headText)?.[1] ?? 0);
      socket.write(
        start === 0
          ? head('200 OK', { 'content-length': 196 * 1024 })
          : head('206 Partial Content', { 'content-length': 196 * 1024 - start, 'content-range': `bytes ${start}-${196 * 1024 - 1}/${196 * 1024}` }),
      );
      drip(socket, 5);
    });
    // Every reading of the clock is a second later: each chunk arrives "a second" after the last.
    const { downloader, logs } = testDownloader({ now: steppingClock(1000), timeoutMs: 3000, retries: 2 });
    const sink = new MemorySink();

    const error = await rejection(downloader.download(`${server.origin}/slow.whl`, sink));

    expect(error).toMatchObject({ code: 'FETCH_TOO_SLOW', attempts: 3 });
    expect(error.message).toMatch(
      /^GET http:\/\/127\.0\.0\.1:\d+\/slow\.whl: \d+ bytes? arrived in 3 s, below --min-rate \(1 KiB\/s\): the server or the link is stalling \(on a slow or shared link, lower --min-rate or --concurrency\) \(after 3 attempts\)$/,
    );
    expect(String(error.hint)).toContain('--min-rate');
    expect(logs.filter((line) => line.includes('"code":"FETCH_TOO_SLOW"'))).toHaveLength(2);
    // Retried like a timeout: from what had arrived.
    expect(server.seen[1]!.headers.range).toMatch(/^bytes=[1-9]\d*-$/);
    expect(sink.bytesWritten).toBeGreaterThan(0);
  });

  it('time the sink spends writing is not held against the server', async () => {
    const body = payload(256 * 1024);
    const server = await httpServer((request, response) => serveBytes(response, request, body));
    let now = 0;
    const { downloader } = testDownloader({ now: () => now, timeoutMs: 3000 });
    const sink = new MemorySink();
    const write = sink.write.bind(sink);
    // Each write takes "100 s": counted against the server, 256 KiB would average under 1 KiB/s.
    sink.write = async (chunk) => {
      now += 100_000;
      await write(chunk);
    };

    await downloader.download(`${server.origin}/f.whl`, sink);

    expect(sink.bytes().equals(body)).toBe(true);
  });

  it('--min-rate 0 turns the floor off', async () => {
    const server = await rawServer((socket) => {
      socket.write(head('200 OK', { 'content-length': 10 }));
      let sent = 0;
      const timer = setInterval(() => {
        socket.write('x');
        if (++sent === 10) clearInterval(timer);
      }, 5);
      onTestFinished(() => clearInterval(timer));
    });
    const { downloader } = testDownloader({ now: steppingClock(1000), timeoutMs: 3000, minBytesPerSecond: 0 });
    const sink = new MemorySink();

    await downloader.download(`${server.origin}/f`, sink);

    expect(sink.bytes().toString()).toBe('x'.repeat(10));
  });

  it('a page (a --mirror index page) is held to the same floor', async () => {
    const server = await rawServer((socket) => {
      socket.write(head('200 OK', { 'content-type': 'text/html', 'content-length': 100_000 }));
      drip(socket, 5);
    });
    const { downloader } = testDownloader({ now: steppingClock(1000), timeoutMs: 3000, retries: 0 });

    const error = await rejection(downloader.page(`${server.origin}/simple/demo/`, 'text/html'));

    expect(error).toMatchObject({ code: 'FETCH_TOO_SLOW', attempts: 1 });
  });

  it('so is the body of an error or a redirect, which is only drained: the status is reported, nothing hangs', async () => {
    const server = await rawServer((socket, headText) => {
      if (headText.startsWith('GET /moved')) socket.write(head('302 Found', { location: '/gone', 'content-length': 100_000 }));
      else socket.write(head('500 Internal Server Error', { 'content-length': 100_000 }));
      drip(socket, 5);
    });
    const { downloader } = testDownloader({ now: steppingClock(1000), timeoutMs: 3000, retries: 0 });

    const error = await rejection(downloader.download(`${server.origin}/moved`, new MemorySink()));

    expect(error).toMatchObject({ code: 'FETCH_HTTP_STATUS', status: 500 });
    expect(server.seen.map((seen) => seen.url)).toEqual(['/moved', '/gone']);
  });
});

describe('RateFloor', () => {
  it('reports a window that ends below the floor, and starts a new window after one above it', () => {
    let now = 0;
    const floor = new RateFloor(1024, 3000, () => now);
    for (const t of [1000, 2000]) {
      now = t;
      expect(floor.arrived(2048)).toBeNull(); // the window is not over
    }
    now = 3000;
    expect(floor.arrived(2048)).toBeNull(); // 6 KiB in 3 s: above 1 KiB/s; a new window starts
    now = 6000;
    expect(floor.arrived(3071)).toEqual({ bytes: 3071, ms: 3000 }); // one byte short of 3 KiB in 3 s
  });

  it('counts only the time spent waiting for the network', () => {
    let now = 0;
    const floor = new RateFloor(1024, 3000, () => now);
    now = 1000;
    expect(floor.arrived(1024)).toBeNull();
    now = 60_000; // the caller's own work on the chunk
    floor.resume();
    now = 62_000;
    expect(floor.arrived(2048)).toBeNull(); // 3 KiB in 3 s of waiting
    now = 65_000;
    expect(floor.arrived(0)).toEqual({ bytes: 0, ms: 3000 });
  });

  it('is off at 0 bytes per second', () => {
    let now = 0;
    const floor = new RateFloor(0, 1000, () => now);
    now = 1e9;
    expect(floor.arrived(0)).toBeNull();
  });
});

describe('interim responses cannot hold a request', () => {
  it('a server that sends 102 Processing again and again fails FETCH_TIMEOUT at the headers deadline (two --timeout)', async () => {
    const server = await rawServer((socket) => {
      const timer = setInterval(() => socket.write('HTTP/1.1 102 Processing\r\n\r\n'), 50);
      socket.on('close', () => clearInterval(timer));
      onTestFinished(() => clearInterval(timer));
    });
    const { downloader } = testDownloader({ timeoutMs: 300, retries: 1 });

    const error = await rejection(downloader.download(`${server.origin}/f`, new MemorySink()));

    expect(error).toMatchObject({ code: 'FETCH_TIMEOUT', attempts: 2 });
    expect(error.message).toContain('no response within 0.6 s (twice --timeout)');
  });
});

describe('server text in messages', () => {
  it('a C1 control (U+009B, CSI) in a header reaches no message raw: escaped as file names are', async () => {
    const server = await rawServer((socket, _headText, index) => {
      if (index === 0) {
        socket.write(head('200 OK', { 'content-length': 10 }));
        socket.end('12345'); // cut: the retry asks for a range
        return;
      }
      socket.write(Buffer.from(`HTTP/1.1 206 Partial Content\r\ncontent-range: bytes 0-1/2\x9b[2J\x9b31m\r\ncontent-length: 2\r\n\r\nab`, 'latin1'));
    });
    const { downloader, logs } = testDownloader({ retries: 1 });

    const error = await rejection(downloader.download(`${server.origin}/f`, new MemorySink()));

    expect(error).toMatchObject({ code: 'FETCH_BAD_RESPONSE' });
    expect(error.message).toContain('got "bytes 0-1/2\\u009b[2J\\u009b31m"');
    for (const text of [error.message, ...logs]) expect(text).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });
});
