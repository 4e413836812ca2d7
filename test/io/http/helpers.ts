/**
 * Servers and sinks for the HTTP layer's tests: real servers on 127.0.0.1
 * port 0 (node:http with keepAliveTimeout 10, as undici recommends for
 * tests; a raw `net` server where a test needs bytes no HTTP server would
 * send), each closed when its test finishes, and a sink that keeps what it
 * is given.
 */
import { randomBytes } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer, request as httpRequest } from 'node:http';
import { type Socket, connect as netConnect, createServer as createNetServer } from 'node:net';
import { inspect } from 'node:util';
import { expect, onTestFinished } from 'vitest';
import { type HttpConfig, createDownloader } from '../../../src/io/http/create-downloader.js';
import type { DownloadSink, Downloader } from '../../../src/io/http/types.js';
import { freePort } from '../../helpers/ports.js';
import { type Files, testdir } from '../../helpers/testdir.js';

export interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
}

export interface TestServer {
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  readonly port: number;
  /** Every request, in order. */
  readonly seen: Seen[];
}

type Handler = (request: IncomingMessage, response: ServerResponse, index: number) => void;

/** An HTTP server for this test; `handler` gets the request's 0-based index on this server. */
export async function httpServer(handler: Handler): Promise<TestServer> {
  const seen: Seen[] = [];
  const server = createServer({ keepAliveTimeout: 10 }, (request, response) => {
    seen.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers });
    handler(request, response, seen.length - 1);
  });
  const port = await listen(server);
  return { origin: `http://127.0.0.1:${port}`, port, seen };
}

/** A TCP server speaking whatever `onRequest` writes: for cut, short and stalled bodies. */
export async function rawServer(onRequest: (socket: Socket, head: string, index: number) => void): Promise<TestServer> {
  const seen: Seen[] = [];
  const server = createNetServer((socket) => {
    let buffer = '';
    socket.on('error', () => undefined);
    socket.on('data', (data) => {
      buffer += data.toString('latin1');
      let end: number;
      while ((end = buffer.indexOf('\r\n\r\n')) !== -1) {
        const head = buffer.slice(0, end);
        buffer = buffer.slice(end + 4);
        const [requestLine = '', ...lines] = head.split('\r\n');
        const headers: Record<string, string> = {};
        for (const line of lines) {
          const colon = line.indexOf(':');
          headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
        }
        const [method = '', url = ''] = requestLine.split(' ');
        seen.push({ method, url, headers });
        onRequest(socket, head, seen.length - 1);
      }
    });
  });
  const port = await listen(server);
  return { origin: `http://127.0.0.1:${port}`, port, seen };
}

export async function listen(server: Server | ReturnType<typeof createNetServer>): Promise<number> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export interface TestProxy extends TestServer {
  /** `host:port` of every CONNECT tunnel asked for. */
  readonly tunnels: string[];
}

/**
 * A forward proxy: plain http requests in absolute form (`GET http://…`)
 * are forwarded, https ones arrive as CONNECT and are tunnelled.
 */
export async function forwardProxy(): Promise<TestProxy> {
  const seen: Seen[] = [];
  const tunnels: string[] = [];
  const server = createServer({ keepAliveTimeout: 10 }, (request, response) => {
    seen.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers });
    const upstream = httpRequest(request.url!, { method: request.method, headers: request.headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    upstream.on('error', () => response.writeHead(502).end());
    request.pipe(upstream);
  });
  server.on('connect', (request: IncomingMessage, client: Socket, headData: Buffer) => {
    tunnels.push(request.url ?? '');
    const [host = '', port = '443'] = (request.url ?? '').split(':');
    const upstream = netConnect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(headData);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  const port = await listen(server);
  return { origin: `http://127.0.0.1:${port}`, port, seen, tunnels };
}

/** A port nothing listens on (bound, then closed). */
export const closedPort = freePort;

/** Answer a GET for `body`, honouring `Range: bytes=N-` with a 206 unless told not to. */
export function serveBytes(response: ServerResponse, request: IncomingMessage, body: Buffer, options: { ranges?: boolean } = {}): void {
  const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
  if (range && options.ranges !== false) {
    const start = Number(range[1]);
    response.writeHead(206, {
      'content-length': body.length - start,
      'content-range': `bytes ${start}-${body.length - 1}/${body.length}`,
    });
    response.end(body.subarray(start));
    return;
  }
  response.writeHead(200, { 'content-length': body.length });
  response.end(body);
}

/** A raw HTTP/1.1 response head. */
export function head(status: string, headers: Record<string, string | number>): string {
  return `HTTP/1.1 ${status}\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
}

/** A sink that keeps the bytes in memory and counts restarts. */
export class MemorySink implements DownloadSink {
  chunks: Buffer[] = [];
  bytesWritten = 0;
  restarts = 0;

  async write(chunk: Uint8Array): Promise<void> {
    this.chunks.push(Buffer.from(chunk));
    this.bytesWritten += chunk.length;
  }

  async restart(): Promise<void> {
    this.chunks = [];
    this.bytesWritten = 0;
    this.restarts++;
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/**
 * Secrets used by tests, registered here so that every log line a test
 * downloader writes and every error `rejection()` returns is searched for
 * them (the password, its percent-encoding, and the Basic header value).
 */
const secrets = new Set<string>();

export function credential(username: string, password: string): { username: string; password: string } {
  secrets.add(password);
  secrets.add(encodeURIComponent(password));
  secrets.add(Buffer.from(`${username}:${password}`).toString('base64'));
  return { username, password };
}

/** Fails the test when `text` contains a registered secret. */
export function expectNoSecrets(text: string, what: string): void {
  for (const secret of secrets) {
    if (text.includes(secret)) expect.fail(`${what} contains a secret: ${text}`);
  }
}

export interface Recorded {
  readonly downloader: Downloader;
  /** Every wait a retry asked for, in ms. */
  readonly sleeps: number[];
  /** Every log line, as `level message fields-json`. */
  readonly logs: string[];
}

/**
 * A downloader that never really sleeps (waits are recorded), logs into an
 * array, and is closed when the test finishes. `env` defaults to an empty
 * environment, so nothing from the machine (proxies, ~/.netrc) leaks in.
 */
/** Set by plain-http.test.ts: the suites it runs again go through node:http for plain http (plain-http.ts) instead of undici. */
export const transport = { nodeHttp: false };

export function testDownloader(config: HttpConfig = {}): Recorded {
  const sleeps: number[] = [];
  const logs: string[] = [];
  const downloader = createDownloader({
    env: {},
    nodeHttp: transport.nodeHttp,
    retries: 3,
    timeoutMs: 5_000,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    log: (level, message, fields) => logs.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`),
    ...config,
  });
  onTestFinished(async () => {
    await downloader.close();
    for (const line of logs) expectNoSecrets(line, 'a log line');
  });
  return { downloader, sleeps, logs };
}

export function payload(size: number): Buffer {
  return randomBytes(size);
}

/** A temporary folder with these files, removed when the test finishes. */
export const tempFiles = (files: Files): string => testdir(files);

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    const texts = [String(error), inspect(error, { depth: 8 }), JSON.stringify(error)];
    if (error instanceof Error) texts.push(String((error as { hint?: unknown }).hint ?? ''), String((error as { url?: unknown }).url ?? ''));
    for (const text of texts) expectNoSecrets(text, 'an error');
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected a rejection');
}
