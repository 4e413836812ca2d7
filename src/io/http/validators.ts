/**
 * ETag and Last-Modified (RFC 9110 §8.8, §13.1.5): read from an answer,
 * sent back as If-Range when a download continues bytes it holds, and
 * compared so that bytes of two versions of a file are never joined. No I/O.
 *
 * - If-Range carries a strong ETag; with no ETag at all, the Last-Modified
 *   date. A weak ETag (`W/"…"`) is never sent (the RFC forbids it: a weak
 *   match does not promise the same bytes), and then nothing is.
 * - Two answers are of different versions when both carry an ETag and they
 *   differ, or, lacking ETags, both carry a Last-Modified and they differ.
 *   Without either, nothing tells: the whole file's hash decides, as it
 *   always does in the end.
 * - A value is used only if it is short and plain printable ASCII: it is
 *   stored on disk and sent back as a header, and a hostile server (or a
 *   tampered file) must not make that request invalid.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Validators } from './types.js';

const MAX_LENGTH = 512;

/** A validator as lockhouse keeps it: printable ASCII, at most 512 characters; anything else is none. */
export function cleanValidator(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed.length > 0 && trimmed.length <= MAX_LENGTH && /^[\x21-\x7e][\x20-\x7e]*$/.test(trimmed) ? trimmed : null;
}

export const NO_VALIDATORS: Validators = { etag: null, lastModified: null };

/** The validators of an answer. */
export function validatorsOf(headers: IncomingHttpHeaders): Validators {
  const first = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);
  return { etag: cleanValidator(first(headers.etag)), lastModified: cleanValidator(first(headers['last-modified'])) };
}

/** The If-Range value for bytes from an answer with these validators, or null (send none). */
export function ifRangeOf(validators: Validators | null): string | null {
  if (!validators) return null;
  if (validators.etag !== null) return validators.etag.startsWith('W/') ? null : validators.etag;
  return validators.lastModified;
}

/** Do two answers' validators say they are of different versions of the file? */
export function otherVersion(held: Validators, answer: Validators): boolean {
  if (held.etag !== null && answer.etag !== null) return held.etag !== answer.etag;
  if (held.lastModified !== null && answer.lastModified !== null) return held.lastModified !== answer.lastModified;
  return false;
}

/** What to say of a version change: the two values that differ. */
export function describeChange(held: Validators, answer: Validators): string {
  if (held.etag !== null && answer.etag !== null) return `ETag ${held.etag} → ${answer.etag}`;
  return `Last-Modified ${held.lastModified ?? '?'} → ${answer.lastModified ?? '?'}`;
}
