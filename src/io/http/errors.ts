/**
 * FetchError: the one error the HTTP layer throws. Like undici's errors it
 * carries a stable `code` to match on (never reused: docs/errors.md is keyed
 * by it), the data behind the message (`url` with credentials removed,
 * `status`, `attempts`) and the original error as `cause`. The message
 * follows pnpm's `GET <url>: <statusText> - <status>`; `hint` says what to do.
 *
 * It is not a LockhouseError: its codes are the HTTP layer's own, and the
 * collector decides what a failed download means for the run (exit 1).
 */
import { STATUS_CODES } from 'node:http';

export const FetchErrorCodes = [
  /** The server answered with an error status (after retries, for those that are retried). */
  'FETCH_HTTP_STATUS',
  /** The connection failed: refused, reset, DNS, closed mid-body. */
  'FETCH_NETWORK',
  /** TLS failed: an untrusted, expired or mismatched certificate, a protocol error. Never retried. */
  'FETCH_TLS',
  /** Connecting, waiting for headers or waiting for body bytes took longer than the timeout. */
  'FETCH_TIMEOUT',
  /** More than 10 redirects, or a redirect to something that is not http(s). */
  'FETCH_TOO_MANY_REDIRECTS',
  /** More bytes than the response announced, or a page above its size limit. */
  'FETCH_BODY_TOO_LONG',
  /** An answer that cannot be used: a 206 for another range, a 416, a malformed Content-Range. */
  'FETCH_BAD_RESPONSE',
  /** A URL lockhouse cannot fetch (not http or https, or not a URL). */
  'FETCH_BAD_URL',
  /** The caller's AbortSignal fired. */
  'FETCH_ABORTED',
] as const;
export type FetchErrorCode = (typeof FetchErrorCodes)[number];

export interface FetchErrorOptions {
  /** The URL asked for, credentials removed. */
  readonly url: string;
  readonly status?: number;
  readonly attempts: number;
  readonly hint?: string;
  readonly cause?: unknown;
}

export class FetchError extends Error {
  readonly code: FetchErrorCode;
  readonly url: string;
  readonly status: number | undefined;
  /** Requests made for this URL, redirects not counted (retries + 1 at most). */
  readonly attempts: number;
  readonly hint: string | undefined;
  /** Tells clipanion to print the message only, never a stack trace. */
  readonly clipanion = { type: 'none' } as const;

  constructor(code: FetchErrorCode, message: string, options: FetchErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FetchError';
    this.code = code;
    this.url = options.url;
    this.status = options.status;
    this.attempts = options.attempts;
    this.hint = options.hint;
  }

  /** `error[FETCH_HTTP_STATUS]: GET …: Not Found - 404` and, on the next line, `  hint: …`. */
  format(): string {
    const head = `error[${this.code}]: ${this.message}`;
    return this.hint ? `${head}\n  hint: ${this.hint}` : head;
  }
}

export function isFetchError(value: unknown): value is FetchError {
  return value instanceof FetchError;
}

/** `Not Found - 404`, as pnpm prints a status. */
export function describeStatus(status: number): string {
  return `${STATUS_CODES[status] ?? 'HTTP error'} - ${status}`;
}

/**
 * What to do about a status that is the user's to fix: 401 and 403 are
 * about credentials; private indexes (Artifactory, GitLab, CodeArtifact)
 * often answer 404 rather than admit a file exists to someone not logged in.
 * `sentFrom` names where the credentials came from, or is null when none
 * were sent; never the credentials themselves.
 */
export function statusHint(status: number, origin: string, sentFrom: string | null): string | undefined {
  const where =
    'in the URL (user:password@host), as LOCKHOUSE_INDEX_<NAME>_USERNAME/_PASSWORD ' +
    '(or UV_INDEX_<NAME>_…) for a named index, or in ~/.netrc (NETRC)';
  if (status === 401 || status === 403) {
    return sentFrom === null
      ? `${origin} wants credentials and none were sent: give them ${where}`
      : `${origin} refused the credentials from ${sentFrom}: check them, and that they may read this file`;
  }
  if (status === 404) {
    return sentFrom === null
      ? `the file is not there, or ${origin} hides it from anonymous requests: if it is a private index, give credentials ${where}`
      : `the file is not there, or the credentials from ${sentFrom} may not see it`;
  }
  return undefined;
}
