/**
 * URLs as lockhouse shows them: in logs, errors, the manifest and emitted
 * files. The userinfo (`user:password@`) is removed: that is where pip, uv
 * and lock files put credentials; a URL that does not parse (a password
 * with an unencoded `/` or `#`) loses it by the text rule of src/secrets.ts
 * (userinfo up to the last `@`). Registered secrets are not replaced here,
 * nor is a URL that parses guessed at: a URL made here may still be
 * requested (a mirror page's links). Secrets in query
 * strings (`?token=…`, pre-signed S3 URLs) that were never registered are
 * left as they are: lockhouse never reads a credential from there, and
 * rewriting a URL's query would make it differ from the lock's.
 *
 * This is for building a display URL where one is made; the sinks
 * (stdout, stderr, the manifest, emitted files, build logs) scrub whatever
 * reaches them again with the same rule, so a URL that was not passed
 * through here is covered too.
 */
import { removeUserinfo } from './secrets.js';

/**
 * `https://user:pass@host/p` → `https://host/p`. A URL that parses loses
 * exactly the userinfo the parser found (the result may be requested: a
 * mirror page's links come through here); text that does not parse, by the
 * text rule (userinfo up to the last `@`).
 */
export function redactUrl(url: string | URL): string {
  if (typeof url !== 'string') return url.username || url.password ? withoutUserinfo(url).href : url.href;
  try {
    const parsed = new URL(url);
    return parsed.username || parsed.password ? withoutUserinfo(parsed).href : url;
  } catch {
    return removeUserinfo(url);
  }
}

/** A copy of `url` without userinfo. */
export function withoutUserinfo(url: URL): URL {
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  return copy;
}
