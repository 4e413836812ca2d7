/**
 * createDownloader: the HTTP layer's one entry point, built once per run.
 * It owns the run's dispatcher (dispatcher.ts), its credentials (auth.ts)
 * and its request counter; download.ts and page.ts do the work.
 */
import { setTimeout as sleepFor } from 'node:timers/promises';
import { Authenticator } from './auth.js';
import type { HttpContext } from './context.js';
import { type CredentialSource, type LogFunction, createCredentialSource } from './credentials.js';
import { createDispatcher } from './dispatcher.js';
import { download } from './download.js';
import { page } from './page.js';
import { parseHttpUrl } from './url.js';
import { createPlainHttp, type PlainHttp } from './plain-http.js';
import { proxyFromEnv } from './proxy-env.js';
import type { Downloader } from './types.js';

/**
 * A floor that only a stalled server or link falls under: 32
 * downloads sharing a 256 kbit/s link still clear it (docs/collect.md "Limits").
 */
export const DEFAULT_MIN_BYTES_PER_SECOND = 1024;
/** Connections to one origin, and so downloads at once (--concurrency): uv's default is 50 (docs/performance.md). */
export const DEFAULT_CONCURRENCY = 32;
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
   * The most connections to one origin (default 32); more requests than
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

export function createDownloader(config: HttpConfig = {}): Downloader {
  const { ctx, requests, close } = createHttpContext(config);
  return {
    download: (url, sink, options) => download(ctx, url, sink, options),
    page: (url, accept, options) => page(ctx, url, accept, options?.signal),
    handOff(rawUrl) {
      const { url, own } = ctx.auth.accept(parseHttpUrl(rawUrl));
      return { url: url.href, own, remembered: ctx.auth.remembered() };
    },
    get requests() {
      return requests();
    },
    close,
  };
}

/**
 * The context download.ts and page.ts run in, from a config: the one place
 * its defaults are filled in, for the run's downloader and for each
 * download thread's own (io/fetch-threads).
 */
export function createHttpContext(config: HttpConfig): { ctx: HttpContext; requests: () => number; close: () => Promise<void> } {
  const env = config.env ?? process.env;
  const timeoutMs = positive(config.timeoutMs, 30_000);
  const connections = positive(config.concurrency, DEFAULT_CONCURRENCY);
  const dispatcher = createDispatcher({ connections, timeoutMs, env, log: config.log });
  // Plain http through node:http where the config asks for it (a download thread) and no proxy takes it.
  const direct = proxyFromEnv(env).httpProxy === undefined && nodeHttpWanted(env, config.nodeHttp ?? false);
  let plain: PlainHttp | null = null;
  let requests = 0;
  const ctx: HttpContext = {
    dispatcher: dispatcher.get,
    plainHttp: () => (direct ? (plain ??= createPlainHttp({ connections, timeoutMs })) : null),
    auth: new Authenticator(config.credentials ?? createCredentialSource({ env, ...(config.log ? { log: config.log } : {}) })),
    userAgent: config.userAgent ?? 'lockhouse',
    timeoutMs,
    minBytesPerSecond: nonNegative(config.minBytesPerSecond, DEFAULT_MIN_BYTES_PER_SECOND),
    maxFileBytes: positive(config.maxFileBytes, DEFAULT_MAX_FILE_BYTES),
    retries: Math.max(0, Math.floor(config.retries ?? 3)),
    backoff: { retryBaseMs: config.retryBaseMs ?? 500, retryMaxMs: config.retryMaxMs ?? 30_000 },
    maxRetryAfterMs: config.maxRetryAfterMs ?? 60_000,
    sleep: config.sleep ?? ((ms, signal) => sleepFor(ms, undefined, signal ? { signal } : {})),
    random: config.random ?? Math.random,
    now: config.now ?? Date.now,
    log: config.log,
    countRequest: () => {
      requests++;
    },
  };
  return {
    ctx,
    requests: () => requests,
    close: async () => {
      plain?.close();
      await dispatcher.close();
    },
  };
}

/** LOCKHOUSE_NODE_HTTP when set to a yes or a no, else `fallback`. */
function nodeHttpWanted(env: NodeJS.ProcessEnv, fallback: boolean): boolean {
  const value = env['LOCKHOUSE_NODE_HTTP']?.trim().toLowerCase() ?? '';
  if (/^(0|false|no|off)$/.test(value)) return false;
  if (/^(1|true|yes|on)$/.test(value)) return true;
  return fallback;
}

function positive(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}

function nonNegative(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value >= 0 ? value : fallback;
}
