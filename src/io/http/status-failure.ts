/** Judging an answer that is neither a success nor a redirect. */
import { AttemptFailure } from './attempts.js';
import { drain } from './body.js';
import type { HttpContext } from './context.js';
import { describeStatus, statusHint } from './errors.js';
import { isRetryableStatus, parseRetryAfter } from './retry-policy.js';
import { type Exchange, firstHeader } from './send.js';

/** The failure for `response`'s status: retryable (with Retry-After, capped) or final (with a hint about credentials). */
export async function statusFailure(ctx: HttpContext, response: Exchange): Promise<AttemptFailure> {
  await drain(ctx, response);
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
