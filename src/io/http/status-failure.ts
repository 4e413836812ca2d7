/** Judging an answer that is neither a success nor a redirect. */
import { AttemptFailure } from './attempts.js';
import type { HttpContext } from './context.js';
import { describeStatus, statusHint } from './errors.js';
import { isRetryableStatus, parseRetryAfter } from './retry-policy.js';
import { type Exchange, firstHeader } from './send.js';

/** Drain a small error body so the connection can be reused (undici closes it beyond 128 KiB). */
export async function drain(response: Exchange): Promise<void> {
  await response.body.dump().catch(() => undefined);
}

/** Drop a body we will not read: its connection is closed (the error undici then emits is nobody's business). */
export function discard(response: Exchange): void {
  response.body.on('error', () => undefined);
  response.body.destroy();
}

/** The failure for `response`'s status: retryable (with Retry-After, capped) or final (with a hint about credentials). */
export async function statusFailure(ctx: HttpContext, response: Exchange): Promise<AttemptFailure> {
  await drain(response);
  const status = response.statusCode;
  const retryable = isRetryableStatus(status);
  const retryAfter = retryable
    ? parseRetryAfter(firstHeader(response.headers['retry-after']), ctx.now(), ctx.maxRetryAfterMs)
    : null;
  const hint = statusHint(status, response.url.origin, response.credential ? (response.credential.source ?? 'lockhouse') : null);
  return new AttemptFailure('FETCH_HTTP_STATUS', describeStatus(status), {
    retryable,
    status,
    retryAfterMs: retryAfter,
    ...(hint === undefined ? {} : { hint }),
  });
}
