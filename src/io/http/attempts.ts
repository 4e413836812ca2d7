/**
 * The retry loop download.ts and page.ts share: run an attempt; when it
 * fails in a way retry-policy.ts calls retryable and tries are left, wait
 * (Retry-After, else backoff with jitter) and run the next; else throw one
 * FetchError that says how many tries were made.
 *
 * An attempt throws an AttemptFailure when it has judged the failure itself
 * (a status, a bad Content-Range), a SinkFailure when the caller's sink
 * failed (passed through untouched: a full disk is not the network's fault
 * and is not retried), or whatever undici threw, classified here.
 */
import { escapeControls } from '../../errors.js';
import type { HttpContext } from './context.js';
import { FetchError, type FetchErrorCode } from './errors.js';
import { backoffDelay, classifyError } from './retry-policy.js';

export interface AttemptFailureOptions {
  readonly retryable: boolean;
  readonly status?: number;
  readonly retryAfterMs?: number | null;
  readonly hint?: string;
  readonly cause?: unknown;
}

/**
 * A failed attempt, judged by the code that saw it. `detail` follows
 * `GET <url>: `; it may quote what the server sent (a Content-Range), so it
 * is escaped as every LockhouseError's message is: it is logged before it
 * becomes one.
 */
export class AttemptFailure extends Error {
  readonly code: FetchErrorCode;
  readonly retryable: boolean;
  readonly status: number | undefined;
  readonly retryAfterMs: number | null;
  readonly hint: string | undefined;

  constructor(code: FetchErrorCode, detail: string, options: AttemptFailureOptions) {
    super(escapeControls(detail, true), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AttemptFailure';
    this.code = code;
    this.retryable = options.retryable;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs ?? null;
    this.hint = options.hint;
  }
}

/** The sink threw: rethrown to the caller as it was. */
export class SinkFailure extends Error {
  constructor(cause: unknown) {
    super('the download sink failed', { cause });
    this.name = 'SinkFailure';
  }
}

/** Run `attempt` until it succeeds; the number of attempts made. */
export async function runAttempts(
  ctx: HttpContext,
  url: string,
  signal: AbortSignal | undefined,
  attempt: (n: number) => Promise<void>,
): Promise<number> {
  const maxAttempts = ctx.retries + 1;
  for (let n = 1; ; n++) {
    try {
      await attempt(n);
      return n;
    } catch (error) {
      if (error instanceof SinkFailure) throw error.cause;
      if (signal?.aborted) throw aborted(url, n, signal.reason);
      const failure = error instanceof AttemptFailure ? error : fromNetworkError(error, ctx);
      if (!failure.retryable || n >= maxAttempts) throw toFetchError(failure, url, n);
      const delay = failure.retryAfterMs ?? backoffDelay(n, ctx.backoff, ctx.random);
      ctx.log?.('warn', `GET ${url}: ${failure.message}; try ${n + 1} of ${maxAttempts} in ${delay} ms`, {
        url,
        attempt: n,
        delayMs: delay,
        code: failure.code,
        ...(failure.status === undefined ? {} : { status: failure.status }),
      });
      try {
        await ctx.sleep(delay, signal);
      } catch (sleepError) {
        throw aborted(url, n, signal?.reason ?? sleepError);
      }
      if (signal?.aborted) throw aborted(url, n, signal.reason);
    }
  }
}

function fromNetworkError(error: unknown, ctx: HttpContext): AttemptFailure {
  const { code, retryable, reason } = classifyError(error);
  const message = error instanceof Error ? error.message : String(error);
  const detail = message.includes(reason) ? message : `${message} (${reason})`;
  return new AttemptFailure(code, detail, { retryable, cause: error, hint: networkHint(code, reason, ctx.timeoutMs) });
}

function networkHint(code: FetchErrorCode, reason: string, timeoutMs: number): string | undefined {
  if (code === 'FETCH_TLS') {
    return (
      'if the certificate comes from a private CA or a TLS-intercepting proxy, add that CA with SSL_CERT_FILE ' +
      'or NODE_EXTRA_CA_CERTS; an expired or mismatched certificate is for the server to fix'
    );
  }
  if (code === 'FETCH_TIMEOUT') return `nothing arrived for ${timeoutMs / 1000} s: raise --timeout, or check the network or proxy`;
  if (reason === 'ENOTFOUND') return 'the host name does not resolve: check the URL, DNS and the proxy settings (HTTPS_PROXY)';
  return undefined;
}

function toFetchError(failure: AttemptFailure, url: string, attempts: number): FetchError {
  const tries = attempts > 1 ? ` (after ${attempts} attempts)` : '';
  return new FetchError(failure.code, `GET ${url}: ${failure.message}${tries}`, {
    url,
    attempts,
    ...(failure.status === undefined ? {} : { status: failure.status }),
    ...(failure.hint === undefined ? {} : { hint: failure.hint }),
    ...(failure.cause === undefined ? {} : { cause: failure.cause }),
  });
}

function aborted(url: string, attempts: number, reason: unknown): FetchError {
  return new FetchError('FETCH_ABORTED', `GET ${url}: aborted`, { url, attempts, cause: reason });
}
