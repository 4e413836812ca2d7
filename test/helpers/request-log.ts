/** Every request an index server answered, in arrival order, for tests to count and inspect. */
import type { IncomingHttpHeaders } from 'node:http';

export interface LoggedRequest {
  readonly method: string;
  /** The URL path, as sent (percent-encoded), without the query. */
  readonly path: string;
  /** Path and query as sent. */
  readonly url: string;
  /** Lower-case names: `headers.authorization`, `headers.range`. */
  readonly headers: IncomingHttpHeaders;
  /** 0 until the status line is sent (a request stalled before its headers). */
  status: number;
  /** Body bytes handed to the socket. */
  bytes: number;
  /** The fault this request took (`status`, `drop`, `short`, `corrupt`, `stall`, …), if any. */
  fault?: string;
}

type Match = string | RegExp | ((request: LoggedRequest) => boolean);

const matches = (request: LoggedRequest, match: Match | undefined): boolean =>
  match === undefined ||
  (typeof match === 'string' ? request.path === match : match instanceof RegExp ? match.test(request.path) : match(request));

export class RequestLog {
  readonly #entries: LoggedRequest[] = [];

  /** Logged when the request arrives; status, bytes and fault are filled in as the answer goes out. */
  record(method: string, path: string, url: string, headers: IncomingHttpHeaders): LoggedRequest {
    const entry: LoggedRequest = { method, path, url, headers, status: 0, bytes: 0 };
    this.#entries.push(entry);
    return entry;
  }

  get all(): readonly LoggedRequest[] {
    return this.#entries;
  }

  get length(): number {
    return this.#entries.length;
  }

  /** Requests for a path (exact string), paths matching a RegExp, or passing a predicate; all when omitted. */
  filter(match?: Match, method?: string): LoggedRequest[] {
    return this.#entries.filter((request) => matches(request, match) && (method === undefined || request.method === method));
  }

  count(match?: Match, method?: string): number {
    return this.filter(match, method).length;
  }

  /** Path → number of requests. */
  counts(method?: string): Record<string, number> {
    const out: Record<string, number> = {};
    for (const request of this.filter(undefined, method)) out[request.path] = (out[request.path] ?? 0) + 1;
    return out;
  }

  /** Body bytes sent, over all requests or those matching. */
  bytes(match?: Match): number {
    return this.filter(match).reduce((sum, request) => sum + request.bytes, 0);
  }

  clear(): void {
    this.#entries.length = 0;
  }
}
