/**
 * createDownloader: the HTTP layer's one entry point, built once per run.
 * It owns the run's context (http-context.ts: its dispatcher, its
 * credentials, its request counter); download.ts and page.ts do the work.
 */
import { download } from './download.js';
import { createHttpContext } from './http-context.js';
import { page } from './page.js';
import type { HttpConfig } from './config.js';
import type { Downloader } from './types.js';
import { parseHttpUrl } from './url.js';

export { DEFAULT_CONCURRENCY, DEFAULT_MAX_FILE_BYTES, DEFAULT_MIN_BYTES_PER_SECOND, type HttpConfig } from './config.js';

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
