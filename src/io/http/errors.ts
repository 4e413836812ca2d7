/**
 * FetchError: the one error the HTTP layer throws, a LockhouseError with a
 * FETCH_* code from src/errors.ts (never reused: docs/errors.md is keyed by
 * it). Like undici's errors it carries the data behind the message (`url`
 * with credentials removed, `status`, `attempts`) and the original error as
 * `cause`. The message follows pnpm's `GET <url>: <statusText> - <status>`;
 * `hint` says what to do.
 *
 * Its exit code (1) is the registry's; the collector decides what a failed
 * download means for the run: one file's failure, the rest still collected.
 */
import { STATUS_CODES } from 'node:http';
import { ErrorCodes, LockhouseError, escapeControls, type ErrorCode } from '../../errors.js';

/** The registered codes a FetchError takes: FETCH_*, each explained in src/errors.ts and docs/errors.md. */
export type FetchErrorCode = Extract<ErrorCode, `FETCH_${string}`>;

export const FetchErrorCodes: readonly FetchErrorCode[] = (Object.keys(ErrorCodes) as ErrorCode[]).filter(
  (code): code is FetchErrorCode => code.startsWith('FETCH_'),
);

export interface FetchErrorOptions {
  /** The URL asked for, credentials removed. */
  readonly url: string;
  readonly status?: number;
  readonly attempts: number;
  readonly hint?: string;
  readonly cause?: unknown;
}

export class FetchError extends LockhouseError {
  declare readonly code: FetchErrorCode;
  readonly url: string;
  readonly status: number | undefined;
  /** Requests made for this URL, redirects not counted (retries + 1 at most). */
  readonly attempts: number;

  constructor(code: FetchErrorCode, message: string, options: FetchErrorOptions) {
    super(code, message, { hint: options.hint, cause: options.cause });
    this.name = 'FetchError';
    // Usually a parsed URL (percent-encoded); text that did not parse is the lock's, escaped like the message.
    this.url = escapeControls(options.url);
    this.status = options.status;
    this.attempts = options.attempts;
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
