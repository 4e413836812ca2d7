/**
 * Plain `http:` requests through Node's own `node:http`, for origins no
 * proxy stands in front of: a local mirror, a devpi or Nexus on the LAN, a
 * test server. Measured on the real set served by nginx (docs/performance.md
 * "Download threads"), Node's client moved the same bytes with a third less
 * CPU than undici's `request()`: its parser is native and hands the socket's
 * buffers on as they are. TLS (for HTTP/2, and trust.ts's CA rules as one
 * code path) and every proxied request stay with undici (dispatcher.ts).
 *
 * The same rules as the undici path, so that download.ts and send.ts cannot
 * tell them apart:
 * - at most `connections` connections per origin, kept alive between
 *   requests, one request at a time on each (no pipelining); requests past
 *   that wait their turn, and their timeouts start once they are sent;
 * - `timeoutMs` to connect, `timeoutMs` from the request sent to the
 *   response's headers, and at most `timeoutMs` of silence inside a body
 *   (time the caller spends not reading, such as waiting on the disk, is
 *   not silence: the server's bytes are waiting for it);
 * - failures carry the codes retry-policy.ts classifies (undici's codes for
 *   the three timeouts, Node's for the socket), so a retry follows the same
 *   rule whichever client saw the failure;
 * - the caller's signal aborts the request and its body (ABORT_ERR);
 * - no redirect followed, no body decoded (send.ts does the first, and asks
 *   for `identity`).
 */
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

export interface PlainHttpResponse {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
  /** The body, unread: async-iterable chunks, destroy() to drop it. */
  readonly body: IncomingMessage;
}

export interface PlainHttp {
  request(url: URL, headers: Readonly<Record<string, string>>, signal: AbortSignal | undefined): Promise<PlainHttpResponse>;
  close(): void;
}

export interface PlainHttpOptions {
  /** The most connections to one origin. */
  readonly connections: number;
  readonly timeoutMs: number;
}

/** A failure with the code retry-policy.ts knows it by (the undici name of the same timeout). */
function failure(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

export function createPlainHttp(options: PlainHttpOptions): PlainHttp {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections, scheduling: 'lifo' });
  const { timeoutMs } = options;
  let closed = false;

  return {
    request(url, headers, signal) {
      return new Promise<PlainHttpResponse>((resolve, reject) => {
        // As undici's closed dispatcher answers (retry-policy.ts: not retried).
        if (closed) {
          reject(failure('UND_ERR_CLOSED', 'the downloader was closed'));
          return;
        }
        if (signal?.aborted) {
          reject(signal.reason instanceof Error ? signal.reason : failure('ABORT_ERR', 'the request was aborted'));
          return;
        }
        let response: IncomingMessage | null = null;
        let timer: NodeJS.Timeout | null = null;
        const arm = (ms: number, fire: () => void): void => {
          if (timer) clearTimeout(timer);
          timer = setTimeout(fire, ms);
        };
        const disarm = (): void => {
          if (timer) clearTimeout(timer);
          timer = null;
        };
        const request = http.request({
          agent,
          host: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
          port: url.port === '' ? 80 : Number(url.port),
          path: `${url.pathname}${url.search}`,
          method: 'GET',
          headers: { ...headers, host: url.host },
        });
        const onAbort = (): void => {
          const error = Object.assign(new Error('the request was aborted'), { code: 'ABORT_ERR', name: 'AbortError' });
          disarm();
          if (response) response.destroy(error);
          request.destroy(error);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        const done = (): void => {
          disarm();
          signal?.removeEventListener('abort', onAbort);
        };

        request.on('socket', (socket: Socket) => {
          if (socket.connecting) {
            arm(timeoutMs, () => request.destroy(failure('UND_ERR_CONNECT_TIMEOUT', `connecting took longer than ${timeoutMs} ms`)));
            socket.once('connect', () => disarm());
          }
        });
        // The headers' clock starts once the request is on the wire, and again at
        // each interim (1xx) response, as undici's does; send.ts's deadline bounds the whole wait.
        const awaitHeaders = (): void => {
          if (!response) arm(timeoutMs, () => request.destroy(failure('UND_ERR_HEADERS_TIMEOUT', `no response headers within ${timeoutMs} ms`)));
        };
        request.on('finish', awaitHeaders);
        request.on('information', awaitHeaders);
        request.on('error', (error) => {
          done();
          if (!response) reject(error);
        });
        request.on('response', (answer: IncomingMessage) => {
          response = answer;
          disarm();
          // A connection reset while nobody reads the body yet (the caller is
          // truncating its file) must not be an unhandled 'error': the reader
          // sees it when it reads, through its own listener.
          answer.on('error', () => undefined);
          watchBody(answer, timeoutMs);
          answer.once('close', done);
          resolve({ statusCode: answer.statusCode ?? 0, headers: answer.headers, body: answer });
        });
        request.end();
      });
    },
    close() {
      closed = true;
      agent.destroy();
    },
  };
}

/**
 * The body's silence bound: the socket's idle timer fires after `timeoutMs`
 * without a byte; it is a silence only when the reader is waiting on the
 * server (nothing buffered for it), not when the reader is busy elsewhere
 * and the bytes wait in the stream.
 */
function watchBody(body: IncomingMessage, timeoutMs: number): void {
  const socket = body.socket;
  const onTimeout = (): void => {
    if (body.readableLength > 0) return;
    body.destroy(failure('UND_ERR_BODY_TIMEOUT', `no body bytes for ${timeoutMs} ms`));
  };
  socket.setTimeout(timeoutMs, onTimeout);
  // The socket goes back to the pool (or closes) with the body: the timer goes with it.
  body.once('close', () => {
    socket.setTimeout(0);
    socket.removeListener('timeout', onTimeout);
  });
}
