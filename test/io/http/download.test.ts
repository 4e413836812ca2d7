import { describe, expect, it } from 'vitest';
import { FetchError } from '../../../src/io/http/errors.js';
import {
  MemorySink,
  closedPort,
  head,
  httpServer,
  payload,
  rawServer,
  rejection,
  serveBytes,
  testDownloader,
} from './helpers.js';

describe('download', () => {
  it('streams a file into the sink in one request', async () => {
    const body = payload(1024 * 1024 + 17);
    const server = await httpServer((request, response) => serveBytes(response, request, body));
    const { downloader } = testDownloader({ userAgent: 'lockhouse-test/1' });
    const sink = new MemorySink();
    const progress: number[] = [];

    const result = await downloader.download(`${server.origin}/f.whl`, sink, { onBytes: (n) => progress.push(n) });

    expect(sink.bytes().equals(body)).toBe(true);
    expect(result).toEqual({ finalUrl: `${server.origin}/f.whl`, attempts: 1, resumed: 0, resumedFrom: 0 });
    expect(progress.reduce((a, b) => a + b, 0)).toBe(body.length);
    expect(server.seen).toHaveLength(1);
    expect(server.seen[0]!.headers).toMatchObject({ 'user-agent': 'lockhouse-test/1', 'accept-encoding': 'identity' });
    expect(server.seen[0]!.headers.range).toBeUndefined();
    expect(downloader.requests).toBe(1);
  });

  it('retries a 500 and succeeds', async () => {
    const body = payload(1000);
    const server = await httpServer((request, response, index) => {
      if (index === 0) response.writeHead(500).end('boom');
      else serveBytes(response, request, body);
    });
    const { downloader, sleeps } = testDownloader();
    const sink = new MemorySink();

    const result = await downloader.download(`${server.origin}/f`, sink);

    expect(result.attempts).toBe(2);
    expect(sink.bytes().equals(body)).toBe(true);
    expect(sleeps).toHaveLength(1);
  });

  it('gives up after retries + 1 answers of 503, waiting with jittered exponential backoff', async () => {
    const server = await httpServer((_request, response) => response.writeHead(503).end());
    const { downloader, sleeps } = testDownloader({ retries: 3, retryBaseMs: 100, retryMaxMs: 250, random: () => 0.999 });

    const error = await rejection(downloader.download(`${server.origin}/f`, new MemorySink()));

    expect(error).toBeInstanceOf(FetchError);
    expect(error).toMatchObject({ code: 'FETCH_HTTP_STATUS', status: 503, attempts: 4, url: `${server.origin}/f` });
    expect(error.message).toBe(`GET ${server.origin}/f: Service Unavailable - 503 (after 4 attempts)`);
    expect(server.seen).toHaveLength(4);
    // Ceilings 100, 200, then 400 capped at 250; the draw is just under each.
    expect(sleeps).toEqual([99, 199, 249]);
  });

  it('honours Retry-After in seconds on a 429', async () => {
    const body = payload(10);
    const server = await httpServer((request, response, index) => {
      if (index === 0) response.writeHead(429, { 'retry-after': '1' }).end();
      else serveBytes(response, request, body);
    });
    const { downloader, sleeps } = testDownloader();

    await downloader.download(`${server.origin}/f`, new MemorySink());

    expect(sleeps).toEqual([1000]);
  });

  it('honours Retry-After as an HTTP date, and caps it', async () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    const server = await httpServer((request, response, index) => {
      if (index === 0) response.writeHead(503, { 'retry-after': 'Wed, 01 Jan 2025 00:00:05 GMT' }).end();
      else if (index === 1) response.writeHead(429, { 'retry-after': '86400' }).end();
      else serveBytes(response, request, Buffer.from('ok'));
    });
    const { downloader, sleeps } = testDownloader({ now: () => now, maxRetryAfterMs: 60_000 });

    await downloader.download(`${server.origin}/f`, new MemorySink());

    expect(sleeps).toEqual([5000, 60_000]);
  });

  it('never retries a 404, and hints at credentials', async () => {
    const server = await httpServer((_request, response) => response.writeHead(404).end('no'));
    const { downloader, sleeps } = testDownloader();

    const error = await rejection(downloader.download(`${server.origin}/missing.whl`, new MemorySink()));

    expect(error).toMatchObject({ code: 'FETCH_HTTP_STATUS', status: 404, attempts: 1 });
    expect(error.message).toBe(`GET ${server.origin}/missing.whl: Not Found - 404`);
    expect(error.hint).toMatch(/private index, give credentials/);
    expect(server.seen).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('resumes a body cut mid-way with Range, from the bytes the sink holds', async () => {
    const body = payload(256 * 1024);
    const server = await httpServer((request, response, index) => {
      if (index === 0) {
        response.writeHead(200, { 'content-length': body.length });
        response.write(body.subarray(0, 100_000), () => setTimeout(() => response.socket?.destroy(), 20));
      } else serveBytes(response, request, body);
    });
    const { downloader } = testDownloader();
    const sink = new MemorySink();

    const result = await downloader.download(`${server.origin}/f`, sink);

    expect(sink.bytes().equals(body)).toBe(true);
    expect(result).toMatchObject({ attempts: 2, resumed: 1 });
    expect(sink.restarts).toBe(0);
    const range = /^bytes=(\d+)-$/.exec(server.seen[1]!.headers.range ?? '');
    expect(Number(range?.[1])).toBeGreaterThan(0);
  });

  it('starts over when the server answers a Range request with the whole file (200)', async () => {
    const body = payload(256 * 1024);
    const server = await httpServer((request, response, index) => {
      if (index === 0) {
        response.writeHead(200, { 'content-length': body.length });
        response.write(body.subarray(0, 100_000), () => setTimeout(() => response.socket?.destroy(), 20));
      } else serveBytes(response, request, body, { ranges: false });
    });
    const { downloader } = testDownloader();
    const sink = new MemorySink();

    const result = await downloader.download(`${server.origin}/f`, sink);

    expect(server.seen[1]!.headers.range).toMatch(/^bytes=\d+-$/);
    expect(sink.restarts).toBe(1);
    expect(sink.bytes().equals(body)).toBe(true);
    expect(result).toMatchObject({ attempts: 2, resumed: 0 });
  });

  it('resumes a short body (fewer bytes than Content-Length, then the connection closes)', async () => {
    const body = payload(1000);
    const server = await rawServer((socket, _head, index) => {
      if (index === 0) {
        socket.write(head('200 OK', { 'content-length': 1000 }));
        socket.end(body.subarray(0, 600));
      } else {
        socket.write(head('206 Partial Content', { 'content-length': 400, 'content-range': 'bytes 600-999/1000' }));
        socket.write(body.subarray(600));
      }
    });
    const { downloader } = testDownloader();
    const sink = new MemorySink();

    const result = await downloader.download(`${server.origin}/f`, sink);

    expect(server.seen[1]!.headers.range).toBe('bytes=600-');
    expect(sink.bytes().equals(body)).toBe(true);
    expect(result).toMatchObject({ attempts: 2, resumed: 1 });
  });

  it('starts over from zero when a resumed body is longer than its Content-Range says', async () => {
    const body = payload(1000);
    const server = await rawServer((socket, _head, index) => {
      if (index === 0) {
        socket.write(head('200 OK', { 'content-length': 1000 }));
        socket.end(body.subarray(0, 600));
      } else if (index === 1) {
        // Claims the last 400 bytes, sends 500.
        socket.write(head('206 Partial Content', { 'content-length': 500, 'content-range': 'bytes 600-999/1000' }));
        socket.write(Buffer.concat([body.subarray(600), payload(100)]));
      } else {
        socket.write(head('200 OK', { 'content-length': 1000 }));
        socket.write(body);
      }
    });
    const { downloader, logs } = testDownloader();
    const sink = new MemorySink();

    const result = await downloader.download(`${server.origin}/f`, sink);

    expect(logs.join('\n')).toMatch(/longer than the 400 bytes announced/);
    expect(server.seen[2]!.headers.range).toBeUndefined();
    expect(sink.restarts).toBe(1);
    expect(sink.bytes().equals(body)).toBe(true);
    expect(result.attempts).toBe(3);
  });

  it('starts over when a 206 answers another range than the one asked for', async () => {
    const body = payload(1000);
    const server = await rawServer((socket, _head, index) => {
      if (index === 0) {
        socket.write(head('200 OK', { 'content-length': 1000 }));
        socket.end(body.subarray(0, 600));
      } else if (index === 1) {
        socket.write(head('206 Partial Content', { 'content-length': 500, 'content-range': 'bytes 500-999/1000' }));
        socket.write(body.subarray(500));
      } else {
        socket.write(head('200 OK', { 'content-length': 1000 }));
        socket.write(body);
      }
    });
    const { downloader } = testDownloader();
    const sink = new MemorySink();

    await downloader.download(`${server.origin}/f`, sink);

    expect(server.seen[2]!.headers.range).toBeUndefined();
    expect(sink.bytes().equals(body)).toBe(true);
  });

  it('times out a stalled body and resumes it', async () => {
    const body = payload(50_000);
    const server = await rawServer((socket, headText, index) => {
      if (index === 0) {
        socket.write(head('200 OK', { 'content-length': body.length }));
        socket.write(body.subarray(0, 20_000)); // then nothing, connection open
      } else {
        const start = Number(/range: bytes=(\d+)-/i.exec(headText)?.[1] ?? 0);
        socket.write(head('206 Partial Content', { 'content-length': body.length - start, 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` }));
        socket.write(body.subarray(start));
      }
    });
    const { downloader, logs } = testDownloader({ timeoutMs: 300 });
    const sink = new MemorySink();

    const result = await downloader.download(`${server.origin}/f`, sink);

    expect(sink.bytes().equals(body)).toBe(true);
    expect(result).toMatchObject({ attempts: 2, resumed: 1 });
    expect(logs.join('\n')).toMatch(/UND_ERR_BODY_TIMEOUT/);
  });

  it('times out a server that sends no headers, and retries', async () => {
    const server = await rawServer((socket, _head, index) => {
      if (index > 0) socket.write(`${head('200 OK', { 'content-length': 2 })}ok`);
    });
    const { downloader, logs } = testDownloader({ timeoutMs: 300 });
    const sink = new MemorySink();

    await downloader.download(`${server.origin}/f`, sink);

    expect(sink.bytes().toString()).toBe('ok');
    // undici's headers timeout or lockhouse's own deadline for the headers (send.ts), whichever fires first.
    expect(logs.join('\n')).toMatch(/"code":"FETCH_TIMEOUT"/);
  });

  it('does not time out while the sink is slow (backpressure pauses the body timeout)', async () => {
    const body = payload(4 * 1024 * 1024);
    const server = await httpServer((request, response) => serveBytes(response, request, body));
    const { downloader } = testDownloader({ timeoutMs: 500 });
    const sink = new MemorySink();
    const write = sink.write.bind(sink);
    let slow = 2;
    sink.write = async (chunk) => {
      if (slow-- > 0) await new Promise((resolve) => setTimeout(resolve, 900));
      await write(chunk);
    };

    const result = await downloader.download(`${server.origin}/f`, sink);

    expect(result.attempts).toBe(1);
    expect(sink.bytes().equals(body)).toBe(true);
  });

  it('retries a refused connection, then fails with FETCH_NETWORK', async () => {
    const port = await closedPort();
    const { downloader, sleeps } = testDownloader({ retries: 2 });

    const error = await rejection(downloader.download(`http://127.0.0.1:${port}/f`, new MemorySink()));

    expect(error).toMatchObject({ code: 'FETCH_NETWORK', attempts: 3 });
    expect(error.message).toMatch(/ECONNREFUSED/);
    expect(error.message).toMatch(/\(after 3 attempts\)$/);
    expect(sleeps).toHaveLength(2);
  });

  it("passes the sink's own error through, unretried", async () => {
    const server = await httpServer((request, response) => serveBytes(response, request, payload(1000)));
    const { downloader } = testDownloader();
    const sink = new MemorySink();
    const full = Object.assign(new Error('no space left'), { code: 'ENOSPC' });
    sink.write = async () => {
      throw full;
    };

    await expect(downloader.download(`${server.origin}/f`, sink)).rejects.toBe(full);
    expect(server.seen).toHaveLength(1);
  });

  it('stops when the caller aborts, during a wait or a request', async () => {
    const server = await httpServer((_request, response) => response.writeHead(503).end());
    const controller = new AbortController();
    const { downloader } = testDownloader({
      sleep: async () => {
        controller.abort();
      },
    });

    const error = await rejection(downloader.download(`${server.origin}/f`, new MemorySink(), { signal: controller.signal }));

    expect(error).toMatchObject({ code: 'FETCH_ABORTED', attempts: 1 });
  });

  it('refuses URLs that are not http(s)', async () => {
    const { downloader } = testDownloader();
    const error = await rejection(downloader.download('file:///etc/passwd', new MemorySink()));
    expect(error).toMatchObject({ code: 'FETCH_BAD_URL', attempts: 0 });
  });

  it('counts every request on the wire, redirect hops and retries included', async () => {
    const server = await httpServer((request, response, index) => {
      if (request.url === '/old') response.writeHead(302, { location: '/new' }).end();
      else if (index === 1) response.writeHead(502).end();
      else serveBytes(response, request, Buffer.from('x'));
    });
    const { downloader } = testDownloader();

    const result = await downloader.download(`${server.origin}/old`, new MemorySink());

    // /old → /new (502); /old → /new (200)
    expect(server.seen.map((s) => s.url)).toEqual(['/old', '/new', '/old', '/new']);
    expect(downloader.requests).toBe(4);
    expect(result).toMatchObject({ attempts: 2, finalUrl: `${server.origin}/new` });
  });
  describe('continuing bytes the sink already holds (a partial an earlier run kept)', () => {
    /** A server with `body` at ETag `etag`, honouring Range and If-Range as RFC 9110 says. */
    const versioned = (body: Buffer, headers: Record<string, string>) =>
      httpServer((request, response) => {
        const ifRange = request.headers['if-range'];
        const current = ifRange === undefined || ifRange === headers.etag || ifRange === headers['last-modified'];
        const range = current ? /^bytes=(\d+)-$/.exec(request.headers.range ?? '') : null;
        const start = range ? Number(range[1]) : 0;
        if (start >= body.length && range) {
          response.writeHead(416, { 'content-range': `bytes */${body.length}`, ...headers }).end();
          return;
        }
        response.writeHead(range ? 206 : 200, {
          ...headers,
          'content-length': body.length - start,
          ...(range ? { 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` } : {}),
        });
        response.end(body.subarray(start));
      });
    const holding = async (bytes: Buffer): Promise<MemorySink> => {
      const sink = new MemorySink();
      await sink.write(bytes);
      return sink;
    };

    it('asks for the rest with Range and If-Range (the strong ETag), appends the 206, and says how much it continued', async () => {
      const body = payload(10_000);
      const server = await versioned(body, { etag: '"v1"' });
      const { downloader } = testDownloader();
      const sink = await holding(body.subarray(0, 4_000));
      const seen: unknown[] = [];

      const result = await downloader.download(`${server.origin}/f`, sink, { validators: { etag: '"v1"', lastModified: null }, onValidators: (v) => seen.push(v) });

      expect(server.seen.map((s) => [s.headers.range, s.headers['if-range']])).toEqual([['bytes=4000-', '"v1"']]);
      expect(sink.bytes().equals(body)).toBe(true);
      expect(result).toMatchObject({ attempts: 1, resumed: 1, resumedFrom: 4_000 });
      expect(sink.restarts).toBe(0);
      expect(seen).toEqual([]);
    });

    it('a file that changed on the server (another ETag) comes whole: the 200 to If-Range restarts the sink', async () => {
      const body = payload(10_000);
      const server = await versioned(body, { etag: '"v2"' });
      const { downloader } = testDownloader();
      const sink = await holding(payload(4_000));
      const seen: unknown[] = [];

      const result = await downloader.download(`${server.origin}/f`, sink, { validators: { etag: '"v1"', lastModified: null }, onValidators: (v) => seen.push(v) });

      expect(server.seen.map((s) => [s.headers.range, s.headers['if-range']])).toEqual([['bytes=4000-', '"v1"']]);
      expect(sink.restarts).toBe(1);
      expect(sink.bytes().equals(body)).toBe(true);
      expect(result).toMatchObject({ attempts: 1, resumedFrom: 0 });
      expect(seen).toEqual([{ etag: '"v2"', lastModified: null }]);
    });

    it('a server that ignores If-Range and sends a 206 of another version: not joined; the next try starts over', async () => {
      const body = payload(10_000);
      const server = await httpServer((request, response) => {
        const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
        const start = range ? Number(range[1]) : 0;
        response.writeHead(range ? 206 : 200, {
          etag: '"v2"',
          'content-length': body.length - start,
          ...(range ? { 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` } : {}),
        });
        response.end(body.subarray(start));
      });
      const { downloader, logs } = testDownloader();
      const sink = await holding(payload(4_000));

      const result = await downloader.download(`${server.origin}/f`, sink, { validators: { etag: '"v1"', lastModified: null } });

      expect(logs.join('\n')).toContain('the file changed on the server since its first 4000 bytes came (ETag "v1" → "v2")');
      expect(server.seen.map((s) => s.headers.range)).toEqual(['bytes=4000-', undefined]);
      expect(sink.bytes().equals(body)).toBe(true);
      expect(result).toMatchObject({ attempts: 2, resumedFrom: 0 });
    });

    it('uses Last-Modified when there is no ETag, and sends nothing for a weak ETag (RFC 9110 forbids it)', async () => {
      const body = payload(1_000);
      const date = 'Tue, 01 Dec 2026 10:00:00 GMT';
      const dated = await versioned(body, { 'last-modified': date });
      const weak = await versioned(body, { etag: 'W/"v1"' });
      const { downloader } = testDownloader();

      await downloader.download(`${dated.origin}/f`, await holding(body.subarray(0, 10)), { validators: { etag: null, lastModified: date } });
      await downloader.download(`${weak.origin}/f`, await holding(body.subarray(0, 10)), { validators: { etag: 'W/"v1"', lastModified: date } });

      expect(dated.seen.map((s) => [s.headers.range, s.headers['if-range']])).toEqual([['bytes=10-', date]]);
      expect(weak.seen.map((s) => [s.headers.range, s.headers['if-range']])).toEqual([['bytes=10-', undefined]]);
    });

    it('bytes of unknown origin: Range without If-Range; the 206\'s validators are reported as theirs', async () => {
      const body = payload(1_000);
      const server = await versioned(body, { etag: '"v1"' });
      const { downloader } = testDownloader();
      const seen: unknown[] = [];

      const result = await downloader.download(`${server.origin}/f`, await holding(body.subarray(0, 300)), { onValidators: (v) => seen.push(v) });

      expect(server.seen.map((s) => [s.headers.range, s.headers['if-range']])).toEqual([['bytes=300-', undefined]]);
      expect(seen).toEqual([{ etag: '"v1"', lastModified: null }]);
      expect(result.resumedFrom).toBe(300);
    });

    it('a 416 saying the file is exactly the bytes held: done, nothing fetched (the hash decides)', async () => {
      const body = payload(1_000);
      const server = await versioned(body, { etag: '"v1"' });
      const { downloader } = testDownloader();
      const sink = await holding(body);

      const result = await downloader.download(`${server.origin}/f`, sink, { validators: { etag: '"v1"', lastModified: null } });

      expect(server.seen.map((s) => s.headers.range)).toEqual(['bytes=1000-']);
      expect(sink.bytes().equals(body)).toBe(true);
      expect(result).toMatchObject({ attempts: 1, resumedFrom: 1_000 });
    });

    it('held bytes past the locked size cannot start this file: it starts over before asking, and never fails as too large', async () => {
      const body = payload(1_000);
      const server = await versioned(body, { etag: '"v1"' });
      const { downloader } = testDownloader();
      const sink = await holding(payload(1_500));

      const result = await downloader.download(`${server.origin}/f`, sink, { size: 1_000 });

      expect(server.seen.map((s) => s.headers.range)).toEqual([undefined]);
      expect(sink.bytes().equals(body)).toBe(true);
      expect(result.resumedFrom).toBe(0);
    });

    it('a validator that is not a plain header value (a tampered record) is not sent', async () => {
      const body = payload(1_000);
      const server = await versioned(body, { etag: '"v1"' });
      const { downloader } = testDownloader();

      await downloader.download(`${server.origin}/f`, await holding(body.subarray(0, 10)), { validators: { etag: '"v1"\r\nx-evil: 1', lastModified: null } });

      expect(server.seen.map((s) => [s.headers.range, s.headers['if-range'], s.headers['x-evil']])).toEqual([['bytes=10-', undefined, undefined]]);
    });
  });
});
