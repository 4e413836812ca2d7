/**
 * The HTTP layer's settings for a run (HttpConfig) and their defaults: one
 * home, read by create-downloader.ts (the run's downloader) and
 * http-context.ts (its context, and each download thread's).
 */
import type { CredentialSource, LogFunction } from './credentials.js';

/**
 * A floor that only a stalled server or link falls under: 64
 * downloads sharing a 512 kbit/s link still clear it (docs/collect.md "Limits").
 */
export const DEFAULT_MIN_BYTES_PER_SECOND = 1024;
/**
 * Connections to one origin, and so downloads at once (--concurrency): uv's
 * default is 50. Files larger than 1 MiB are at most 16 of them
 * (app/collect/workers.ts), so what the rest buys is round trips in flight
 * for small files (docs/performance.md "Requests in flight").
 */
export const DEFAULT_CONCURRENCY = 64;
/**
 * For files the lock gives no size for: above the largest wheels published
 * (CUDA builds of torch and jaxlib, 2–4 GB), below what fills a build
 * server's disk by accident.
 */
export const DEFAULT_MAX_FILE_BYTES = 8 * 2 ** 30;

export interface HttpConfig {
  /** Tries after the first, per download or page (default 3: 4 requests at most). */
  readonly retries?: number;
  /**
   * Connect timeout, the deadline for a response's headers, the longest
   * silence inside a body, and the window of the rate floor (default 30 000).
   */
  readonly timeoutMs?: number;
  /**
   * The slowest a body may arrive: bytes per second averaged over each
   * timeoutMs (default 1024; 0: no floor). A body below it fails with
   * FETCH_TOO_SLOW (retried, resuming where it stopped).
   */
  readonly minBytesPerSecond?: number;
  /**
   * The most bytes a download may take when the caller gives no size
   * (DownloadOptions.size) (default 8 GiB). More is FETCH_TOO_LARGE.
   */
  readonly maxFileBytes?: number;
  /**
   * The most connections to one origin (default 64); more requests than
   * that wait their turn. undici opens them as requests need them; over
   * HTTP/2 one connection carries them all as streams.
   */
  readonly concurrency?: number;
  /** The first backoff's ceiling (default 500); it doubles at each try. */
  readonly retryBaseMs?: number;
  /** The backoff's ceiling (default 30 000). */
  readonly retryMaxMs?: number;
  /** The longest Retry-After honoured (default 60 000); longer asks wait this long. */
  readonly maxRetryAfterMs?: number;
  /** HTTP(S)_PROXY, NO_PROXY, SSL_CERT_FILE, NODE_EXTRA_CA_CERTS; NETRC and HOME for the default credentials (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** Default: createCredentialSource({env}) (netrc; no named indexes). */
  readonly credentials?: CredentialSource;
  /** Default `lockhouse`. */
  readonly userAgent?: string;
  readonly log?: LogFunction;
  /**
   * Plain `http:` URLs through node:http (plain-http.ts) rather than
   * undici, unless a proxy takes them (default false: on the run's thread
   * undici measured faster; a download thread sets it, where node:http
   * measured cheaper: docs/performance.md "Download threads").
   * LOCKHOUSE_NODE_HTTP=0 or 1 overrides it.
   */
  readonly nodeHttp?: boolean;
  /** For tests: how to wait before a retry (default a timer, cut short by the signal). */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** For tests: the jitter's random source (default Math.random). */
  readonly random?: () => number;
  /** For tests: the clock for Retry-After dates (default Date.now). */
  readonly now?: () => number;
}
