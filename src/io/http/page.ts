/**
 * A small text page (a simple-API page): the same retries, redirects,
 * credentials and rate floor as a download, but no resumption (a page is
 * re-read whole), any 2xx but 206 accepted, at most MAX_PAGE_BYTES (a larger
 * answer is not a page: a FETCH_BODY_TOO_LONG, not retried), decoded with
 * the charset of its Content-Type (UTF-8 by default, as PEP 503 and PEP 691
 * say).
 */
import { AttemptFailure, runAttempts } from './attempts.js';
import { discard, readBody } from './body.js';
import type { HttpContext } from './context.js';
import { parseContentLength } from './content-range.js';
import { redactUrl } from '../../redact.js';
import { firstHeader, send } from './send.js';
import { statusFailure } from './status-failure.js';
import type { Page } from './types.js';
import { parseHttpUrl } from './url.js';

/**
 * The largest page read. PyPI's largest project pages are a few MiB (a real
 * anchor is 300–600 bytes; simple-api.ts caps a page at 200 000 files); a
 * page is held whole in memory and parsed in one linear scan
 * (simple-html.ts), so 20 MiB costs at most a few seconds and a few hundred
 * MB (docs/reliability.md "Hostile servers").
 */
export const MAX_PAGE_BYTES = 20 * 1024 * 1024;

export async function page(ctx: HttpContext, rawUrl: string, accept: string, signal?: AbortSignal): Promise<Page> {
  const { url, own } = ctx.auth.accept(parseHttpUrl(rawUrl));
  const shown = redactUrl(url);
  let result: Page | undefined;

  await runAttempts(ctx, shown, signal, async () => {
    const response = await send(ctx, url, own, { accept, 'accept-encoding': 'identity' }, signal);
    if (response.statusCode < 200 || response.statusCode > 299 || response.statusCode === 206) {
      throw await statusFailure(ctx, response);
    }
    const announced = parseContentLength(firstHeader(response.headers['content-length']));
    if (announced !== null && announced > MAX_PAGE_BYTES) {
      discard(response);
      throw tooLong();
    }
    const chunks: Buffer[] = [];
    const size = await readBody(ctx, response, { maxBytes: MAX_PAGE_BYTES, overLimit: tooLong }, (chunk) => {
      chunks.push(chunk);
    });
    const contentType = firstHeader(response.headers['content-type']) ?? '';
    result = { url: redactUrl(response.url), contentType, body: decode(Buffer.concat(chunks, size), contentType) };
  });
  return result!;
}

function tooLong(): AttemptFailure {
  return new AttemptFailure('FETCH_BODY_TOO_LONG', `the page is larger than ${MAX_PAGE_BYTES / 1024 / 1024} MiB`, {
    retryable: false,
  });
}

function decode(bytes: Buffer, contentType: string): string {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType)?.[1] ?? 'utf-8';
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}
