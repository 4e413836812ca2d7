/**
 * When a request is worth another try, and how long to wait first.
 *
 * The policy is data, each entry with its reason, as make-fetch-happen keeps
 * its RETRY_ERRORS: a failure that another try can cure (a reset connection,
 * an overloaded server) is retried with exponential backoff and full jitter;
 * a failure that says something about the request itself (a 404, a bad
 * certificate, a name that does not resolve) is not, because asking again
 * gives the same answer `retries` times slower. The number of tries is the
 * caller's (`retries`, so `retries + 1` requests at most); resuming an
 * interrupted body counts as a try like any other (see download.ts).
 */
import type { FetchErrorCode } from './errors.js';

/** Error codes (Node's and undici's) that a new connection may cure. */
const RETRY_ERROR_CODES: ReadonlyMap<string, FetchErrorCode> = new Map([
  // The peer reset the connection: a server restarting, a load balancer or
  // NAT recycling an idle keep-alive connection, a flaky link.
  ['ECONNRESET', 'FETCH_NETWORK'],
  // Nothing listens (yet): a server or proxy restarting, a container not up.
  ['ECONNREFUSED', 'FETCH_NETWORK'],
  // We wrote to a connection the peer had already closed: same as a reset.
  ['EPIPE', 'FETCH_NETWORK'],
  // The connection was aborted on our side by the OS (e.g. a timeout in the stack).
  ['ECONNABORTED', 'FETCH_NETWORK'],
  // No route, for now: a VPN or container network coming up, Wi-Fi roaming.
  ['ENETUNREACH', 'FETCH_NETWORK'],
  ['EHOSTUNREACH', 'FETCH_NETWORK'],
  ['ENETDOWN', 'FETCH_NETWORK'],
  // The resolver could not answer *now* (a temporary DNS failure), unlike ENOTFOUND.
  ['EAI_AGAIN', 'FETCH_NETWORK'],
  // The kernel gave up on the connection: the network is too slow or lossy.
  ['ETIMEDOUT', 'FETCH_TIMEOUT'],
  // undici: the socket closed or failed mid-request ("other side closed"):
  // a server restart, an idle connection closed under us, a cut body.
  ['UND_ERR_SOCKET', 'FETCH_NETWORK'],
  // undici: the body ended before Content-Length: a cut connection; the
  // bytes received so far are kept and the rest asked for with Range.
  ['UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'FETCH_NETWORK'],
  // undici: connecting, the headers or the next body bytes took longer than
  // the timeout: a stalled server or link, which a new connection may avoid.
  ['UND_ERR_CONNECT_TIMEOUT', 'FETCH_TIMEOUT'],
  ['UND_ERR_HEADERS_TIMEOUT', 'FETCH_TIMEOUT'],
  ['UND_ERR_BODY_TIMEOUT', 'FETCH_TIMEOUT'],
]);

/**
 * Codes deliberately not retried, and why (for readers; everything not in
 * RETRY_ERROR_CODES is not retried).
 */
export const NOT_RETRIED: ReadonlyMap<string, string> = new Map([
  // The name does not exist: a typo in the lock or index URL, or no network
  // at all; it will not exist four tries later either.
  ['ENOTFOUND', 'the host name does not resolve'],
  // undici: the dispatcher was closed or destroyed, which only lockhouse
  // itself does (Downloader.close()); a retry would hit the same closed door.
  ['UND_ERR_CLOSED', 'the downloader was closed'],
  ['UND_ERR_DESTROYED', 'the downloader was destroyed'],
  // undici: the response is not HTTP/1.1 as the parser knows it (HPE_*): a
  // broken server or middlebox answers the same way every time.
  ['HPE_*', 'the response is not valid HTTP'],
  // The caller aborted: retrying would ignore them.
  ['UND_ERR_ABORTED', 'the caller aborted'],
]);

/**
 * TLS failures are fatal: an untrusted, expired or mismatched certificate is
 * either an attack or a configuration to fix (SSL_CERT_FILE,
 * NODE_EXTRA_CA_CERTS), and retrying it only delays the message that says so.
 * OpenSSL's verification codes (CERT_HAS_EXPIRED, SELF_SIGNED_CERT_IN_CHAIN,
 * UNABLE_TO_VERIFY_LEAF_SIGNATURE …), Node's ERR_TLS_* / ERR_SSL_*, and
 * undici's UND_ERR_PRX_TLS for a proxy's certificate.
 */
function isTlsErrorCode(code: string): boolean {
  return /^(ERR_TLS_|ERR_SSL_)|CERT|SELF_SIGNED|^UNABLE_TO_|^UND_ERR_PRX_TLS$|^HOSTNAME_MISMATCH$/.test(code);
}

/**
 * Statuses worth another try. Every other status is final: 4xx say the
 * request is wrong (a missing file, missing credentials), and asking again
 * does not change that; 1xx–3xx never reach here.
 */
export function isRetryableStatus(status: number): boolean {
  // 408 Request Timeout: the server gave up waiting for us; a new try is what it asks for.
  if (status === 408) return true;
  // 429 Too Many Requests: rate-limited; wait (Retry-After) and try again.
  if (status === 429) return true;
  // 5xx: the server (or a proxy or CDN in front of it) failed or is overloaded:
  // 500 and 502–504 are usually transient; 501/505 are not, but are rare
  // enough that a few wasted tries cost nothing.
  return status >= 500 && status <= 599;
}

export interface ErrorClass {
  readonly code: FetchErrorCode;
  readonly retryable: boolean;
  /** The code that decided, e.g. `ECONNRESET` (or the error's name). */
  readonly reason: string;
}

/** Classify an error thrown by undici or Node while sending a request or reading its body. */
export function classifyError(error: unknown): ErrorClass {
  for (const code of errorCodes(error)) {
    const retryCode = RETRY_ERROR_CODES.get(code);
    if (retryCode) return { code: retryCode, retryable: true, reason: code };
    if (isTlsErrorCode(code)) return { code: 'FETCH_TLS', retryable: false, reason: code };
    if (code === 'UND_ERR_ABORTED' || code === 'ABORT_ERR') return { code: 'FETCH_ABORTED', retryable: false, reason: code };
  }
  const first = errorCodes(error)[0];
  const name = error instanceof Error ? error.name : typeof error;
  return { code: 'FETCH_NETWORK', retryable: false, reason: first ?? name };
}

/** The `code`s of an error, its causes and (for AggregateError, as Node's happy eyeballs throws) its errors, outermost first. */
function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  const seen = new Set<unknown>();
  const visit = (value: unknown, depth: number): void => {
    if (depth > 5 || typeof value !== 'object' || value === null || seen.has(value)) return;
    seen.add(value);
    const code = (value as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    visit((value as { cause?: unknown }).cause, depth + 1);
    const errors = (value as { errors?: unknown }).errors;
    if (Array.isArray(errors)) for (const inner of errors) visit(inner, depth + 1);
  };
  visit(error, 0);
  return codes;
}

export interface BackoffSettings {
  /** The first wait's ceiling; each further try doubles it. */
  readonly retryBaseMs: number;
  /** The ceiling no wait exceeds. */
  readonly retryMaxMs: number;
}

/**
 * The wait before try `attempt + 1`, after `attempt` failed (1-based):
 * "full jitter" (a uniform draw between 0 and min(max, base · 2^(attempt-1))),
 * so that 16 downloads cut at once by the same server hiccup do not all come
 * back at the same instant and knock it over again.
 */
export function backoffDelay(attempt: number, settings: BackoffSettings, random: () => number): number {
  const ceiling = Math.min(settings.retryMaxMs, settings.retryBaseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

/**
 * A `Retry-After` header in milliseconds: delta-seconds (`120`) or an
 * HTTP-date (`Wed, 21 Oct 2015 07:28:00 GMT`, a past date meaning now),
 * capped at `maxMs` so that a server asking for an hour cannot stall a run.
 * Null when absent or unreadable (then the backoff applies).
 */
export function parseRetryAfter(value: string | undefined, now: number, maxMs: number): number | null {
  if (value === undefined) return null;
  const text = value.trim();
  let ms: number;
  if (/^\d+$/.test(text)) ms = Number(text) * 1000;
  else {
    const date = Date.parse(text);
    if (Number.isNaN(date) || !/[a-z]/i.test(text)) return null;
    ms = Math.max(0, date - now);
  }
  return Math.min(ms, maxMs);
}
