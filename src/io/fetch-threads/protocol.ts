/**
 * What the run's thread and its download threads say to each other
 * (pool.ts, thread.ts): structured-clone messages, nothing shared but the
 * files on disk. Errors cross as their fields and are made again on the
 * other side, so a download thread's failure is the same FetchError or
 * LockhouseError (scrubbed of secrets again, by its constructor) as the
 * run's own thread would have thrown.
 */
import { ErrorCodes, LockhouseError, type ErrorCode } from '../../errors.js';
import { FetchError, type FetchErrorCode } from '../http/errors.js';
import type { Credential, DownloadResult, HttpConfig, IndexRef, Validators } from '../http/index.js';
import type { Algorithm } from '../store/digest.js';
import type { Actual } from '../store/types.js';
import type { Log } from '../../model.js';

export type LogLevel = Parameters<Log>[0];

/** The settings of a run's HTTP context that are plain data (io/http/config.ts HttpConfig without its functions). */
export type HttpSettings = Pick<HttpConfig, 'retries' | 'timeoutMs' | 'minBytesPerSecond' | 'maxFileBytes' | 'retryBaseMs' | 'retryMaxMs' | 'maxRetryAfterMs' | 'userAgent'>;

/** Everything a download thread's HTTP context is made from. */
export interface ThreadConfig {
  readonly http: HttpSettings;
  /** Connections per origin for this thread (its share of --concurrency). */
  readonly connections: number;
  /** The run's environment (proxies, CAs, netrc, per-index credentials). */
  readonly env: Readonly<Record<string, string>>;
  /** Named indexes, for the per-index credential variables. */
  readonly indexes: readonly IndexRef[];
  /** fdatasync each file before it counts (temp-files.ts). */
  readonly durable: boolean;
}

export interface FetchTask {
  readonly type: 'fetch';
  readonly id: number;
  /** Without userinfo (Downloader.handOff). */
  readonly url: string;
  readonly own: { readonly origin: string; readonly credential: Credential } | null;
  readonly remembered: ReadonlyArray<readonly [string, Credential]>;
  /** The temporary file lent to the thread: it continues after the bytes in it. */
  readonly path: string;
  readonly algorithm: Algorithm;
  readonly size: number | null;
  readonly validators: Validators | null;
}

export type ToThread = FetchTask | { readonly type: 'abort'; readonly id: number };

export interface SentError {
  readonly name: string;
  readonly code: string | undefined;
  readonly message: string;
  readonly hint: string | undefined;
  readonly url: string | undefined;
  readonly status: number | undefined;
  readonly attempts: number | undefined;
}

export type FromThread =
  /** Bytes written since the last report, per task; requests sent since the last report. */
  | { readonly type: 'progress'; readonly bytes: ReadonlyArray<readonly [number, number]>; readonly requests: number }
  | { readonly type: 'size'; readonly id: number; readonly bytes: number }
  | { readonly type: 'validators'; readonly id: number; readonly validators: Validators }
  | { readonly type: 'log'; readonly level: LogLevel; readonly message: string; readonly fields: unknown }
  | {
      readonly type: 'done';
      readonly id: number;
      /** The bytes in the file now. */
      readonly bytes: number;
      /** Their digests when the thread finished the file (synced, closed); null when it failed. */
      readonly actual: Actual | null;
      readonly result: DownloadResult | null;
      readonly error: SentError | null;
    };

export function sendError(error: unknown): SentError {
  const fields = (error ?? {}) as Partial<Record<'name' | 'code' | 'message' | 'hint' | 'url', unknown>> & { status?: unknown; attempts?: unknown };
  const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  const count = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);
  return {
    name: text(fields.name) ?? 'Error',
    code: text(fields.code),
    message: text(fields.message) ?? String(error),
    hint: text(fields.hint),
    url: text(fields.url),
    status: count(fields.status),
    attempts: count(fields.attempts),
  };
}

/** The error the thread threw, made again here: a FetchError, a LockhouseError, or (a bug) an Error. */
export function receiveError(sent: SentError): Error {
  const code = sent.code;
  if (sent.name === 'FetchError' && code?.startsWith('FETCH_') && code in ErrorCodes) {
    return new FetchError(code as FetchErrorCode, sent.message, {
      url: sent.url ?? '',
      attempts: sent.attempts ?? 1,
      ...(sent.status === undefined ? {} : { status: sent.status }),
      ...(sent.hint === undefined ? {} : { hint: sent.hint }),
    });
  }
  if (sent.name === 'LockhouseError' && code !== undefined && code in ErrorCodes) {
    return new LockhouseError(code as ErrorCode, sent.message, sent.hint === undefined ? {} : { hint: sent.hint });
  }
  return Object.assign(new Error(`in a download thread: ${sent.message}`), code === undefined ? {} : { code });
}
