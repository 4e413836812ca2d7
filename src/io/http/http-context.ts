/**
 * The context download.ts and page.ts run in, made from an HttpConfig: the
 * one place its defaults are filled in, for the run's downloader
 * (create-downloader.ts) and for each download thread's own
 * (io/fetch-threads/thread.ts). Kept apart from create-downloader.ts so
 * that the library's declarations never reach undici's (context.ts).
 */
import { setTimeout as sleepFor } from 'node:timers/promises';
import { Authenticator } from './auth.js';
import { DEFAULT_CONCURRENCY, DEFAULT_MAX_FILE_BYTES, DEFAULT_MIN_BYTES_PER_SECOND, type HttpConfig } from './config.js';
import type { HttpContext } from './context.js';
import { createCredentialSource } from './credentials.js';
import { createDispatcher } from './dispatcher.js';
import { createPlainHttp, type PlainHttp } from './plain-http.js';
import { proxyFromEnv } from './proxy-env.js';

/** The context, the count of requests it sent, and how to close its connections. */
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
