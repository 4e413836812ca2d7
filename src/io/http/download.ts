/**
 * A file download: a streaming GET into the caller's sink, with retries,
 * redirects (send.ts) and resumption.
 *
 * Rules, as implemented:
 * - Every attempt starts from the URL the caller gave (a redirect target,
 *   such as a pre-signed URL, may have expired by the next try) and counts
 *   against `retries`: `retries + 1` requests at most, whether an attempt
 *   resumes or starts over. Progress does not refill the budget: simple, and
 *   a link that breaks every few megabytes still ends in a clear error.
 * - When the sink already holds N bytes — from a broken body of this
 *   download, or kept by an earlier run (a partial download) — the attempt
 *   asks `Range: bytes=N-`, with `If-Range` carrying the validators of the
 *   answer those bytes came from (validators.ts), so a server whose file
 *   changed sends it whole. A 206 whose Content-Range starts at N and whose
 *   validators are those of the held bytes is appended (`resumed` counts
 *   these); a 206 for another range or of another version, a malformed one,
 *   or a 416 makes the next attempt start over (sink.restart(), no Range); a
 *   200 means the server sends the whole file: sink.restart() and take it
 *   all. A 416 that says the file is exactly N bytes long means the sink
 *   holds all of it: done, and the whole file's hash decides.
 * - A sink that holds more than the file's bound (below) starts over before
 *   anything is asked: those bytes cannot be the start of this file.
 * - A body that breaks (reset, body timeout, fewer bytes than announced) is
 *   retried, and so resumed from what the sink holds.
 * - More bytes than announced (Content-Length, or the span of the
 *   Content-Range) is an error: the next attempt starts from zero.
 * - After a 206, the file is complete only when the sink holds the
 *   Content-Range total; a server that sends a smaller piece is asked again.
 * - A file is never larger than its bound: the size the caller gives (the
 *   lock's), else the run's ceiling (--max-file-size). An answer that
 *   announces more (Content-Length, or a Content-Range past it) fails before
 *   its body is read; one that sends more is cut off at the chunk that
 *   crosses it, which is not written. Either is FETCH_TOO_LARGE and final:
 *   not retried, since a file longer than the lock says is not the locked
 *   file (docs/collect.md "Limits").
 * - A body slower than the rate floor is cut off (FETCH_TOO_SLOW) and
 *   retried, so resumed (body.ts).
 *
 * Chunks go to the sink as undici hands them over, one awaited write each:
 * the awaited write is the backpressure (undici pauses the socket while it
 * waits, and pauses its body timeout with it). Nothing is copied or decoded.
 */
import { AttemptFailure, SinkFailure, runAttempts } from './attempts.js';
import type { BoundCredential } from './auth.js';
import { discard, drain, formatSize, readBody } from './body.js';
import type { HttpContext } from './context.js';
import { parseContentLength, parseContentRange, parseUnsatisfiedRange } from './content-range.js';
import { redactUrl } from '../../redact.js';
import { firstHeader, send } from './send.js';
import { statusFailure } from './status-failure.js';
import type { DownloadOptions, DownloadResult, DownloadSink, Validators } from './types.js';
import { parseHttpUrl } from './url.js';
import { cleanValidator, describeChange, ifRangeOf, otherVersion, validatorsOf } from './validators.js';

export async function download(ctx: HttpContext, rawUrl: string, sink: DownloadSink, options: DownloadOptions = {}): Promise<DownloadResult> {
  return downloadAccepted(ctx, ctx.auth.accept(parseHttpUrl(rawUrl)), sink, options);
}

/** download(), for a URL whose userinfo the run's Authenticator already took out (auth.ts accept(); a download thread's URL: io/fetch-threads). */
export async function downloadAccepted(
  ctx: HttpContext,
  accepted: { readonly url: URL; readonly own: BoundCredential | null },
  sink: DownloadSink,
  options: DownloadOptions = {},
): Promise<DownloadResult> {
  const { url, own } = accepted;
  const shown = redactUrl(url);
  const { signal, onBytes } = options;
  const bound = sizeBound(ctx, options.size);
  let finalUrl = shown;
  let resumed = 0;
  // The bytes the sink held before this download that the file continues, and the validators of the answer they came from.
  let resumedFrom = sink.bytesWritten;
  let held: Validators | null = options.validators ? { etag: cleanValidator(options.validators.etag), lastModified: cleanValidator(options.validators.lastModified) } : null;
  const heldFrom = (validators: Validators | null): void => {
    held = validators;
    if (validators) options.onValidators?.(validators);
  };
  const startAfresh = async (): Promise<void> => {
    await restart(sink);
    resumedFrom = 0;
    held = null;
  };
  // More than the file may be is not the start of this file.
  let startOver = sink.bytesWritten > bound.bytes;

  const attempts = await runAttempts(ctx, shown, signal, async () => {
    if (startOver && sink.bytesWritten > 0) await startAfresh();
    startOver = false;
    const offset = sink.bytesWritten;
    const headers: Record<string, string> = { accept: '*/*', 'accept-encoding': 'identity' };
    if (offset > 0) {
      headers.range = `bytes=${offset}-`;
      const ifRange = ifRangeOf(held);
      if (ifRange !== null) headers['if-range'] = ifRange;
    }

    const response = await send(ctx, url, own, headers, signal);
    finalUrl = redactUrl(response.url);
    const { statusCode } = response;
    let expected: number | null;
    let total: number | null = null;

    if (statusCode === 200) {
      if (offset > 0) {
        ctx.log?.('debug', `GET ${shown}: the server sent the whole file again (200 to a Range request)`, { url: shown, offset });
        await startAfresh().catch((error: unknown) => {
          discard(response);
          throw error;
        });
      }
      heldFrom(validatorsOf(response.headers));
      expected = parseContentLength(firstHeader(response.headers['content-length']));
      if (expected !== null && expected > bound.bytes) {
        discard(response);
        throw bound.exceeded(expected);
      }
      if (expected !== null) options.onSize?.(expected);
    } else if (statusCode === 206) {
      const range = parseContentRange(firstHeader(response.headers['content-range']));
      if (!range || range.start !== offset) {
        discard(response);
        startOver = true;
        const got = firstHeader(response.headers['content-range']) ?? 'no Content-Range';
        throw new AttemptFailure('FETCH_BAD_RESPONSE', `asked for bytes ${offset}- and got "${got}"`, { retryable: true });
      }
      const claimed = Math.max(range.end + 1, range.total ?? 0);
      if (claimed > bound.bytes) {
        discard(response);
        throw bound.exceeded(claimed);
      }
      const answer = validatorsOf(response.headers);
      if (held && otherVersion(held, answer)) {
        // A server that ignored If-Range (or got none) and now has another version: its rest would not continue our bytes.
        discard(response);
        startOver = true;
        throw new AttemptFailure('FETCH_BAD_RESPONSE', `the file changed on the server since its first ${offset} bytes came (${describeChange(held, answer)})`, {
          retryable: true,
        });
      }
      // Bytes of unknown origin (held is null) are from now on taken to be this version's; the hash decides in the end.
      if (!held || (held.etag === null && held.lastModified === null)) heldFrom(answer);
      expected = range.end - range.start + 1;
      total = range.total;
      if (total !== null) options.onSize?.(total);
      if (offset > 0) resumed++;
    } else if (statusCode === 416 && offset > 0) {
      const size = parseUnsatisfiedRange(firstHeader(response.headers['content-range']));
      await drain(ctx, response);
      // Nothing after the bytes held: the sink has the whole file (a download stopped after its last byte). The hash decides.
      if (size === offset) return;
      startOver = true;
      throw new AttemptFailure('FETCH_BAD_RESPONSE', `the server cannot send bytes ${offset}- (416)`, { retryable: true });
    } else {
      throw await statusFailure(ctx, response);
    }

    // Announced lengths were checked against the bound: a body that has one is
    // held to it, one that has none to what is left of the bound.
    const room = bound.bytes - sink.bytesWritten;
    const received = await readBody(
      ctx,
      response,
      {
        maxBytes: expected ?? room,
        overLimit: () => {
          if (expected === null) return bound.exceeded(null);
          startOver = true;
          return new AttemptFailure('FETCH_BODY_TOO_LONG', `the body is longer than the ${expected} bytes announced`, { retryable: true });
        },
      },
      async (chunk) => {
        try {
          await sink.write(chunk);
        } catch (error) {
          throw new SinkFailure(error);
        }
        onBytes?.(chunk.length);
      },
    );
    if (expected !== null && received < expected) {
      throw new AttemptFailure('FETCH_NETWORK', `the body ended after ${received} of ${expected} bytes`, { retryable: true });
    }
    if (total !== null && sink.bytesWritten < total) {
      throw new AttemptFailure('FETCH_NETWORK', `the server sent bytes up to ${sink.bytesWritten} of ${total}`, { retryable: true });
    }
  });
  return { finalUrl, attempts, resumed, resumedFrom };
}

interface SizeBound {
  readonly bytes: number;
  /** The final failure for an answer past the bound: one that announces `announced` bytes, or (null) a body that runs past it. */
  exceeded(announced: number | null): AttemptFailure;
}

/** The caller's size (the lock's) when it gives one, else the run's ceiling. */
function sizeBound(ctx: HttpContext, size: number | null | undefined): SizeBound {
  const fail = (detail: string): AttemptFailure => new AttemptFailure('FETCH_TOO_LARGE', detail, { retryable: false });
  if (size !== null && size !== undefined && Number.isSafeInteger(size) && size >= 0) {
    const advice = "check the URL or the --mirror: a login page, a proxy or another file answers there; if the lock's size is wrong, re-lock it";
    return {
      bytes: size,
      exceeded: (announced) =>
        fail(
          announced === null
            ? `the body runs past the ${size} bytes the lock gives this file, so it is not the locked file; nothing past them was read (${advice})`
            : `the server announces ${announced} bytes, more than the ${size} the lock gives this file, so it is not the locked file (${advice})`,
        ),
    };
  }
  const ceiling = `--max-file-size (${formatSize(ctx.maxFileBytes)})`;
  const advice = 'if the file really is that large, raise --max-file-size or LOCKHOUSE_MAX_FILE_SIZE';
  return {
    bytes: ctx.maxFileBytes,
    exceeded: (announced) =>
      fail(
        announced === null
          ? `the body runs past ${ceiling}, the most a file the lock gives no size for may take; nothing past it was read (${advice})`
          : `the server announces ${announced} bytes, more than ${ceiling} allows a file the lock gives no size for (${advice})`,
      ),
  };
}

async function restart(sink: DownloadSink): Promise<void> {
  try {
    await sink.restart();
  } catch (error) {
    throw new SinkFailure(error);
  }
}
