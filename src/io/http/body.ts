/**
 * Reading a response body: the one loop every body goes through — a
 * download's, a page's, and an error's or a redirect's drained so its
 * connection can be reused — with the two bounds no server can stretch:
 *
 * - a size: the chunk that would take the body past `maxBytes` is not handed
 *   on; the read ends with the caller's failure (`overLimit`), so what the
 *   caller keeps never exceeds the bound, whatever Content-Length said or
 *   failed to say;
 * - a rate: less than the run's floor over a window of `--timeout` ends the
 *   read with FETCH_TOO_SLOW (rate-floor.ts).
 *
 * The third bound, on a silence, is the client's body timeout (`--timeout`:
 * undici's, or plain-http.ts's).
 */
import type { Readable } from 'node:stream';
import { AttemptFailure } from './attempts.js';
import type { HttpContext } from './context.js';
import { RateFloor } from './rate-floor.js';

/** A response's body, undici's or node:http's: chunks to iterate, destroy() to drop it. */
export type ResponseBody = Readable;
type Body = ResponseBody;

export interface BodyBounds {
  /** The most bytes this body may carry. */
  readonly maxBytes: number;
  /** The failure thrown when it carries more (`received` counts the chunk that crossed). */
  readonly overLimit: (received: number) => AttemptFailure;
}

/** Hand each chunk of `response`'s body to `onChunk`, in order, within the bounds; the number of bytes received. */
export async function readBody(
  ctx: HttpContext,
  response: { readonly body: Body },
  bounds: BodyBounds,
  onChunk: (chunk: Buffer) => Promise<void> | void,
): Promise<number> {
  const floor = new RateFloor(ctx.minBytesPerSecond, ctx.timeoutMs, ctx.now);
  let received = 0;
  for await (const chunk of response.body as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > bounds.maxBytes) throw bounds.overLimit(received);
    const shortfall = floor.arrived(chunk.length);
    if (shortfall) throw tooSlow(ctx, shortfall.bytes, shortfall.ms);
    await onChunk(chunk);
    floor.resume();
  }
  return received;
}

function tooSlow(ctx: HttpContext, bytes: number, ms: number): AttemptFailure {
  const seconds = Math.round(ms / 100) / 10;
  return new AttemptFailure(
    'FETCH_TOO_SLOW',
    `${bytes} byte${bytes === 1 ? '' : 's'} arrived in ${seconds} s, below --min-rate (${formatSize(ctx.minBytesPerSecond)}/s): ` +
      'the server or the link is stalling (on a slow or shared link, lower --min-rate or --concurrency)',
    {
      retryable: true,
      hint:
        'the server or the link is stalling; on a slow or shared link, lower --min-rate (LOCKHOUSE_MIN_RATE) or --concurrency, ' +
        'or give the window longer with --timeout',
    },
  );
}

/** The most of an unwanted body (an error's, a redirect's) read so that its connection can be reused; past it, the connection is closed. */
const DRAIN_BYTES = 64 * 1024;

/** Read a small unwanted body to its end so its connection can be reused; close it instead when it is large, slow or broken. */
export async function drain(ctx: HttpContext, response: { readonly body: Body }): Promise<void> {
  const overLimit = (): AttemptFailure => new AttemptFailure('FETCH_BODY_TOO_LONG', 'not worth draining', { retryable: false });
  try {
    await readBody(ctx, response, { maxBytes: DRAIN_BYTES, overLimit }, () => undefined);
  } catch {
    discard(response);
  }
}

/** Drop a body we will not read: its connection is closed (the error undici then emits is nobody's business). */
export function discard(response: { readonly body: Body }): void {
  response.body.on('error', () => undefined);
  response.body.destroy();
}

/** `8 GiB`, `20 MiB`, `1 KiB`, `201052 bytes`: a size as the limits are set and shown. */
export function formatSize(bytes: number): string {
  for (const [unit, size] of [
    ['TiB', 2 ** 40],
    ['GiB', 2 ** 30],
    ['MiB', 2 ** 20],
    ['KiB', 2 ** 10],
  ] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  }
  return `${bytes} bytes`;
}
