/**
 * A package index on 127.0.0.1 for I/O tests, in the manner of berry's
 * `startPackageServer`: a real `node:http` server on port 0 that serves the
 * artifacts a test synthesized, logs every request, and misbehaves on demand.
 *
 *   /files/<filename>          the bytes (HEAD, ETag, single Range → 206 / 416, If-Range)
 *   /simple/, /simple/<name>/  PEP 503 HTML or PEP 691 JSON, by the Accept header
 *
 *   const server = await startIndexServer({ artifacts: [wheel] });
 *   server.fault(server.filePath(wheel.filename), [{ status: 503 }, { drop: 'mid-body' }]);
 *   ... collect ...
 *   expect(server.requests.count(server.filePath(wheel.filename))).toBe(3);
 *
 * Faults are queued per path (a string is the exact path as requested,
 * percent-encoded as `filePath()` gives it; a RegExp is tested on it) and each
 * GET that matches takes the next one; HEAD never takes one.
 * `keepAliveTimeout` is 10 ms, as undici's test guide advises, so `close()`
 * is not held up by idle keep-alive sockets.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Artifact } from './artifacts.js';
import { seededBytes } from './artifacts.js';
import { canonicalName, fileUrl as fileUrlAt } from './fixture-lock.js';
import { RequestLog } from './request-log.js';
import { renderProject, renderRoot, wantsJson, type ListedFile, type Rendered } from './simple-pages.js';

export { RequestLog, type LoggedRequest } from './request-log.js';
export { PEP691_JSON } from './simple-pages.js';

/** What a matching GET gets instead of the normal answer. `times` (default 1) repeats it; `Infinity` for every request. */
export type FaultSpec = (
  /** Answer this status (with a short text body) and headers, e.g. 429 with `Retry-After`. */
  | { status: number; headers?: Record<string, string> }
  /** Send the headers and part of the body (half, or this many bytes), then destroy the socket. */
  | { drop: 'mid-body' | number }
  /** Declare the full Content-Length, send `short` bytes fewer, then close the connection cleanly. */
  | { short: number }
  /** Flip one byte (the file's middle byte, or the range's first if the middle is outside it); same length. */
  | { corrupt: true }
  /** Wait `stall` ms before the headers, or (default) after the headers and before the body. */
  | { stall: number; before?: 'headers' | 'body' }
  /** Send the body at about this many bytes per second, in 20 slices a second. */
  | { throttle: number }
  /** Redirect (302 unless `status`); `redirect` is a URL or a path on this server. */
  | { redirect: string; status?: number }
  /** Answer a Range request with 200 and the whole body. */
  | { ignoreRange: true }
  /**
   * Send `long` more bytes than the file has. HTTP/1.1 cannot send more than
   * the Content-Length on a connection that stays usable, so this answers
   * without Content-Length (chunked): the body is simply too long.
   */
  | { long: number }
) & { times?: number };

export interface IndexServerOptions {
  artifacts?: readonly Artifact[];
  /** Answer PEP 691 JSON when asked (default true); false: HTML only, whatever the Accept header. */
  pep691?: boolean;
  /** File links on the simple pages: absolute URLs (default) or relative to the page (`../../files/…`). */
  links?: 'absolute' | 'relative';
  /** 401 unless the request has this Basic authorization; `paths` limits it (a prefix or a RegExp). */
  requireAuth?: { user: string; password: string; paths?: string | RegExp };
}

export interface AddOptions {
  /** The project the file is listed under on the simple API (default: the artifact's name). */
  project?: string;
  /** PEP 592: list the file as yanked (a reason, or true). */
  yanked?: string | boolean;
}

export interface IndexServer {
  /** http://127.0.0.1:PORT, no trailing slash. */
  readonly url: string;
  readonly port: number;
  /** `${url}/simple` */
  readonly indexUrl: string;
  /** Serve an artifact (replacing one of the same file name); returns its URL. */
  add(artifact: Artifact, options?: AddOptions): string;
  /** The URL the file is (or would be) served at. */
  fileUrl(filename: string): string;
  /** Its path, `/files/<filename>` percent-encoded: what `fault()` and `requests` match. */
  filePath(filename: string): string;
  readonly requests: RequestLog;
  resetLog(): void;
  /** Queue faults for GETs of a path (exact string) or of paths matching a RegExp. */
  fault(path: string | RegExp, faults: FaultSpec | readonly FaultSpec[]): void;
  /** Forget every queued fault. */
  clearFaults(): void;
  close(): Promise<void>;
}

interface Served extends ListedFile {
  readonly project: string;
  readonly etag: string;
}

/** What a path answers when nothing goes wrong. */
interface Reply {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  /** A file: Range, ETag and the body faults apply. */
  readonly file?: boolean;
}

const text = (status: number, body: string, headers: Record<string, string> = {}): Reply => ({
  status,
  headers: { 'Content-Type': 'text/plain; charset=utf-8', ...headers },
  body: Buffer.from(body),
});

/** A single range `bytes=N-`, `bytes=N-M` or `bytes=-S`: [start, end], 'unsatisfiable', or null to ignore it. */
function parseRange(header: string | undefined, size: number): [number, number] | 'unsatisfiable' | null {
  const m = header ? /^\s*bytes=(\d*)-(\d*)\s*$/.exec(header) : null;
  if (!m || (m[1] === '' && m[2] === '')) return null; // absent, malformed or several ranges: send it all
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
    if (Number(m[2]) === 0) return 'unsatisfiable';
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  return start < size && start <= end ? [start, end] : 'unsatisfiable';
}

export async function startIndexServer(options: IndexServerOptions = {}): Promise<IndexServer> {
  const files = new Map<string, Served>();
  const faults: Array<{ match: string | RegExp; queue: FaultSpec[] }> = [];
  const timers = new Set<NodeJS.Timeout>();
  const log = new RequestLog();
  let base = '';

  const later = (ms: number, fn: () => void): NodeJS.Timeout => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
    return timer;
  };

  const fileUrl = (filename: string): string => fileUrlAt(base, filename);

  function takeFault(path: string): FaultSpec | undefined {
    for (const entry of faults) {
      const hit = typeof entry.match === 'string' ? entry.match === path : entry.match.test(path);
      const fault = hit ? entry.queue[0] : undefined;
      if (!fault) continue;
      const times = (fault.times ?? 1) - 1;
      if (times <= 0) entry.queue.shift();
      else entry.queue[0] = { ...fault, times };
      return fault;
    }
    return undefined;
  }

  function projects(): Map<string, Served[]> {
    const out = new Map<string, Served[]>();
    for (const served of files.values()) out.set(served.project, [...(out.get(served.project) ?? []), served]);
    return new Map([...out].sort(([a], [b]) => a.localeCompare(b)));
  }

  function simplePage(req: IncomingMessage, path: string): Reply {
    const json = options.pep691 !== false && wantsJson(req.headers.accept);
    const name = decodeURIComponent(path.slice('/simple/'.length).replace(/\/$/, ''));
    const page = (rendered: Rendered): Reply => ({ status: 200, headers: { 'Content-Type': rendered.contentType }, body: rendered.body });
    if (name === '') return page(renderRoot([...projects().keys()], json));
    if (canonicalName(name) !== name || !path.endsWith('/')) return text(301, '', { Location: `/simple/${canonicalName(name)}/` });
    const listed = projects().get(name);
    if (!listed) return text(404, `no project ${name}\n`);
    const href = (filename: string): string =>
      options.links === 'relative' ? `../../files/${encodeURIComponent(filename)}` : fileUrl(filename);
    return page(renderProject(name, listed, json, href));
  }

  function route(req: IncomingMessage, path: string): Reply {
    if (path.startsWith('/files/')) {
      const served = files.get(decodeURIComponent(path.slice('/files/'.length)));
      if (!served) return text(404, 'not found\n');
      const headers = { 'Content-Type': 'application/octet-stream', ETag: served.etag, 'Accept-Ranges': 'bytes' };
      if (req.headers['if-none-match'] === served.etag) return { status: 304, headers, body: Buffer.alloc(0) };
      return { status: 200, headers, body: served.artifact.bytes, file: true };
    }
    if (path === '/simple') return text(301, '', { Location: '/simple/' });
    if (path.startsWith('/simple/')) return simplePage(req, path);
    return text(404, 'not found\n');
  }

  function authorized(req: IncomingMessage, path: string): boolean {
    const auth = options.requireAuth;
    if (!auth) return true;
    const guarded = auth.paths === undefined || (typeof auth.paths === 'string' ? path.startsWith(auth.paths) : auth.paths.test(path));
    const expected = `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`;
    return !guarded || req.headers.authorization === expected;
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const entry = log.record(req.method ?? 'GET', path, req.url ?? path, req.headers);
    const head = req.method === 'HEAD';
    // `bytes` is counted as the body is handed to the socket, so the log is
    // complete by the time the client has read the response.
    const send = (status: number, headers: Record<string, string | number>, body: Buffer): void => {
      entry.status = status;
      res.writeHead(status, headers);
      if (head) return void res.end();
      entry.bytes += body.length;
      res.end(body);
    };

    if (req.method !== 'GET' && !head) return send(405, { Allow: 'GET, HEAD', 'Content-Length': 0 }, Buffer.alloc(0));
    if (!authorized(req, path)) {
      return send(401, { 'WWW-Authenticate': 'Basic realm="lockhouse-test"', 'Content-Length': 13 }, Buffer.from('unauthorized\n'));
    }
    const fault = head ? undefined : takeFault(path);
    if (fault) entry.fault = Object.keys(fault).find((key) => key !== 'times' && key !== 'headers' && key !== 'before')!;

    if (fault && 'status' in fault && !('redirect' in fault)) {
      const body = Buffer.from(`injected ${fault.status}\n`);
      return send(fault.status, { 'Content-Type': 'text/plain', 'Content-Length': body.length, ...fault.headers }, body);
    }
    if (fault && 'redirect' in fault) {
      const location = /^[a-z]+:/i.test(fault.redirect) ? fault.redirect : `${base}${fault.redirect}`;
      return send(fault.status ?? 302, { Location: location, 'Content-Length': 0 }, Buffer.alloc(0));
    }
    if (fault && 'stall' in fault && fault.before === 'headers') {
      const timer = later(fault.stall, () => answer(undefined));
      res.on('close', () => clearTimeout(timer));
      return;
    }
    answer(fault);

    function answer(fault: FaultSpec | undefined): void {
      if (res.destroyed) return;
      const reply = route(req, path);
      if (!reply.file) return send(reply.status, { ...reply.headers, 'Content-Length': reply.body.length }, reply.body);

      const size = reply.body.length;
      // If-Range (RFC 9110 §13.1.5): the Range holds only while the file is the version the client names; else the whole file.
      const ifRange = req.headers['if-range'];
      const current = ifRange === undefined || ifRange === reply.headers.ETag;
      const range = (fault && 'ignoreRange' in fault) || !current ? null : parseRange(req.headers.range, size);
      if (range === 'unsatisfiable') return send(416, { 'Content-Range': `bytes */${size}`, 'Content-Length': 0 }, Buffer.alloc(0));
      const [start, end] = range ?? [0, size - 1];
      const status = range ? 206 : 200;
      let body = reply.body.subarray(start, end + 1); // a view: large files are never copied
      const headers: Record<string, string | number> = { ...reply.headers, 'Content-Length': body.length };
      if (range) headers['Content-Range'] = `bytes ${start}-${end}/${size}`;

      if (!fault || head) return send(status, headers, body);
      if ('corrupt' in fault && body.length > 0) {
        const at = start <= size >> 1 && size >> 1 <= end ? (size >> 1) - start : 0;
        body = Buffer.from(body);
        body[at] = body[at]! ^ 0xff;
        return send(status, headers, body);
      }
      if ('long' in fault) {
        delete headers['Content-Length'];
        return send(status, headers, Buffer.concat([body, seededBytes(`long:${path}`, fault.long)]));
      }
      if ('short' in fault) {
        return send(status, { ...headers, Connection: 'close' }, body.subarray(0, Math.max(0, body.length - fault.short)));
      }
      if ('drop' in fault) {
        const cut = fault.drop === 'mid-body' ? body.length >> 1 : Math.min(fault.drop, body.length);
        entry.status = status;
        entry.bytes += cut;
        res.writeHead(status, headers);
        res.flushHeaders();
        return void res.write(body.subarray(0, cut), () => res.destroy());
      }
      if ('stall' in fault) {
        entry.status = status;
        res.writeHead(status, headers);
        res.flushHeaders();
        const timer = later(fault.stall, () => {
          entry.bytes += body.length;
          res.end(body);
        });
        return void res.on('close', () => clearTimeout(timer));
      }
      if ('throttle' in fault) {
        entry.status = status;
        res.writeHead(status, headers);
        res.flushHeaders();
        const slice = Math.max(1, Math.floor(fault.throttle / 20));
        let sent = 0;
        const next = (): void => {
          if (res.destroyed) return;
          const chunk = body.subarray(sent, sent + slice);
          sent += chunk.length;
          entry.bytes += chunk.length;
          if (sent >= body.length) return void res.end(chunk);
          res.write(chunk);
          later(50, next);
        };
        return next();
      }
      send(status, headers, body); // ignoreRange, or a stall that was spent before the headers
    }
  }

  const server = createServer(handle);
  server.keepAliveTimeout = 10;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;

  const add = (artifact: Artifact, addOptions: AddOptions = {}): string => {
    const etag = `"${artifact.sha256.slice(0, 16)}"`;
    const project = canonicalName(addOptions.project ?? artifact.name);
    files.set(artifact.filename, { artifact, project, etag, ...(addOptions.yanked ? { yanked: addOptions.yanked } : {}) });
    return fileUrl(artifact.filename);
  };
  for (const artifact of options.artifacts ?? []) add(artifact);

  let closed: Promise<void> | undefined;
  return {
    url: base,
    port,
    indexUrl: `${base}/simple`,
    add,
    fileUrl,
    filePath: (filename) => `/files/${encodeURIComponent(filename)}`,
    requests: log,
    resetLog: () => log.clear(),
    fault(match, specs) {
      const queue = (Array.isArray(specs) ? specs : [specs]) as FaultSpec[];
      const existing = faults.find((entry) => String(entry.match) === String(match) && typeof entry.match === typeof match);
      if (existing) existing.queue.push(...queue);
      else faults.push({ match, queue: [...queue] });
    },
    clearFaults: () => void faults.splice(0),
    close() {
      closed ??= new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
