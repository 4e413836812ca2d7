/**
 * One attempt's HTTP exchange: a GET, and the redirects after it, followed
 * here rather than by undici so that credentials are chosen again at every
 * hop (auth.ts) and never cross to another origin. Up to 10 redirects (301,
 * 302, 303, 307, 308; all stay GETs); a redirect's body is drained so its
 * connection can be reused. The answer that is not a redirect is returned
 * with its body unread.
 *
 * undici 7 follows no redirect unless its redirect interceptor is composed
 * into the dispatcher, which dispatcher.ts never does (7 dropped the
 * `maxRedirections` request option: it accepts only 0, and its types no
 * longer list it, so it is not passed).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import { AttemptFailure } from './attempts.js';
import type { BoundCredential } from './auth.js';
import { drain, type ResponseBody } from './body.js';
import type { HttpContext } from './context.js';
import { redactUrl } from '../../redact.js';
import type { Credential } from './types.js';

const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 10;
/** How many timeouts the wait for a response's headers may take in all: one to connect, one for the headers. */
const HEADERS_DEADLINE_TIMEOUTS = 2;

/** A response with its body unread, from undici (dispatcher.ts) or, for plain http, node:http (plain-http.ts). */
type Answer = Pick<Dispatcher.ResponseData, 'statusCode' | 'headers'> & { readonly body: ResponseBody };

export interface Exchange {
  /** The URL that answered (after redirects), without userinfo. */
  readonly url: URL;
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: ResponseBody;
  /** What was sent to `url`, for hints (never the secret). */
  readonly credential: Credential | null;
}

export async function send(
  ctx: HttpContext,
  start: URL,
  own: BoundCredential | null,
  headers: Readonly<Record<string, string>>,
  signal: AbortSignal | undefined,
): Promise<Exchange> {
  let url = start;
  let downgraded = false;
  for (let redirects = 0; ; redirects++) {
    const credential = downgraded ? null : ctx.auth.credentialFor(url, own);
    const requestHeaders: Record<string, string> = { 'user-agent': ctx.userAgent, ...headers };
    if (credential) requestHeaders.authorization = ctx.auth.header(credential);
    ctx.countRequest();
    const response = await request(ctx, url, requestHeaders, signal);
    const location = firstHeader(response.headers.location);
    if (!REDIRECT_STATUSES.has(response.statusCode) || location === undefined) {
      return { url, statusCode: response.statusCode, headers: response.headers, body: response.body, credential };
    }
    await drain(ctx, response);
    const next = nextUrl(url, location);
    if (redirects >= MAX_REDIRECTS) {
      throw new AttemptFailure('FETCH_TOO_MANY_REDIRECTS', `more than ${MAX_REDIRECTS} redirects (the last to ${redactUrl(next)})`, {
        retryable: false,
      });
    }
    ctx.log?.('debug', `GET ${redactUrl(url)}: ${response.statusCode} redirect to ${redactUrl(next)}`, {
      url: redactUrl(url),
      location: redactUrl(next),
    });
    if (url.protocol === 'https:' && next.protocol === 'http:') downgraded = true;
    url = next;
  }
}

/**
 * One request, its final headers within two `--timeout`s of asking (one to
 * connect, one for the headers). undici's own headers timeout restarts at
 * every interim (1xx) response, so a server that sends `102 Processing`
 * every few seconds held a request forever; this deadline is for the whole
 * wait. It ends when the headers arrive: the body has its own bounds
 * (body.ts).
 */
async function request(
  ctx: HttpContext,
  url: URL,
  headers: Record<string, string>,
  signal: AbortSignal | undefined,
): Promise<Answer> {
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), HEADERS_DEADLINE_TIMEOUTS * ctx.timeoutMs);
  try {
    const signals = signal ? AbortSignal.any([signal, deadline.signal]) : deadline.signal;
    const plain = url.protocol === 'http:' ? ctx.plainHttp() : null;
    if (plain) return await plain.request(url, headers, signals);
    return await ctx.dispatcher().request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: 'GET',
      headers,
      signal: signals,
      headersTimeout: ctx.timeoutMs,
      bodyTimeout: ctx.timeoutMs,
    });
  } catch (error) {
    if (deadline.signal.aborted && !signal?.aborted) {
      const seconds = (HEADERS_DEADLINE_TIMEOUTS * ctx.timeoutMs) / 1000;
      throw new AttemptFailure('FETCH_TIMEOUT', `no response within ${seconds} s (twice --timeout)`, {
        retryable: true,
        cause: error,
        hint: `no final response arrived in ${seconds} s: raise --timeout, or check the network or proxy`,
      });
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** The Location resolved against the current URL; userinfo a server puts there is ignored, never used. */
function nextUrl(current: URL, location: string): URL {
  let next: URL;
  try {
    next = new URL(location, current);
  } catch (cause) {
    throw new AttemptFailure('FETCH_BAD_URL', `a redirect to an invalid URL`, { retryable: false, cause });
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') {
    throw new AttemptFailure('FETCH_BAD_URL', `a redirect to a ${next.protocol} URL`, { retryable: false });
  }
  next.username = '';
  next.password = '';
  next.hash = '';
  return next;
}

export function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
