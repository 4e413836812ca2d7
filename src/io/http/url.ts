/** Checking a URL before anything is sent, and reading its userinfo. */
import { FetchError } from './errors.js';
import { redactUrl } from '../../redact.js';

/**
 * A user name or password as a URL carries it (percent-encoded), decoded;
 * escapes that do not decode (`%zz`, or bytes that are not UTF-8) are kept as
 * written, as uv keeps them, rather than failing: a URL the user typed is
 * checked where it is read (lock/pyproject.ts), and this never throws.
 */
export function decodeUserinfo(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** `text` as an http(s) URL without its fragment; else a FetchError FETCH_BAD_URL (the text redacted). */
export function parseHttpUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // Not kept as the cause: Node's ERR_INVALID_URL carries the input, credentials and all.
    const shown = redactUrl(text);
    // Its userinfo went (secrets.ts): a password with an unencoded `/`, `#` or `@` is the usual cause, and the URL as shown looks sound.
    const why = shown === text ? '' : ' (its user name or password holds a character that must be percent-encoded: / as %2F, # as %23, @ as %40, ? as %3F)';
    throw new FetchError('FETCH_BAD_URL', `GET ${shown}: not a URL${why}`, { url: shown, attempts: 0 });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    const shown = redactUrl(url);
    throw new FetchError('FETCH_BAD_URL', `GET ${shown}: only http and https URLs can be downloaded`, { url: shown, attempts: 0 });
  }
  url.hash = '';
  return url;
}
