/**
 * URLs as lockhouse shows them: in logs, errors, the manifest and emitted
 * files. Only the userinfo (`user:password@`) is removed: that is where pip,
 * uv and lock files put credentials. Secrets in query strings (`?token=…`,
 * pre-signed S3 URLs) are left as they are: lockhouse never puts a credential
 * there, and rewriting a URL's query would make it differ from the lock's.
 */

/** `https://user:pass@host/p` → `https://host/p`; anything unparsable loses whatever sits between `//` and `@`. */
export function redactUrl(url: string | URL): string {
  if (typeof url !== 'string') return url.username || url.password ? withoutUserinfo(url).href : url.href;
  try {
    const parsed = new URL(url);
    return parsed.username || parsed.password ? withoutUserinfo(parsed).href : url;
  } catch {
    return url.replace(/\/\/[^/?#]*@/, '//');
  }
}

/** A copy of `url` without userinfo. */
export function withoutUserinfo(url: URL): URL {
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  return copy;
}
