/**
 * Credentials for named indexes from the environment (no I/O): uv's
 * `UV_INDEX_<NAME>_USERNAME` / `_PASSWORD`, and lockhouse's own
 * `LOCKHOUSE_INDEX_<NAME>_…`, which wins when either of its two variables is
 * set (the pair is taken whole: a LOCKHOUSE username is never mixed with a
 * UV password). A username or a password alone counts, the other being
 * empty, as in uv (tokens often go in the password with any username).
 *
 * An index's credentials apply to URLs under its root: the index URL without
 * a trailing `/simple` segment, so that files served beside the simple pages
 * (`…/pypi/simple/` → `…/pypi/packages/…`, as Artifactory and GitLab serve
 * them) are covered, as uv covers them. Same scheme, host and port, and a
 * path prefix on a segment boundary; the longest root wins.
 *
 * A credential read here is registered as a secret (src/secrets.ts), so
 * that nothing lockhouse writes carries it.
 */
import { registerCredential } from '../../secrets.js';
import type { Credential } from './types.js';
import { decodeUserinfo } from './url.js';

export interface IndexRef {
  /** The name from `[[tool.uv.index]]` (any case; normalised here). */
  readonly name: string;
  readonly url: string;
}

export interface IndexCredential {
  readonly origin: string;
  /** Always ends with `/`. */
  readonly pathPrefix: string;
  readonly credential: Credential;
}

/** uv's rule: ASCII upper case, every other character that is not an ASCII letter or digit becomes `_`. */
export function indexEnvName(name: string): string {
  return name.replace(/[a-z]/g, (c) => c.toUpperCase()).replace(/[^A-Z0-9]/gu, '_');
}

/** The credential the environment gives index `name`, or null. */
export function indexCredentialFromEnv(name: string, env: NodeJS.ProcessEnv): Credential | null {
  const upper = indexEnvName(name);
  for (const prefix of ['LOCKHOUSE_INDEX_', 'UV_INDEX_']) {
    const username = env[`${prefix}${upper}_USERNAME`];
    const password = env[`${prefix}${upper}_PASSWORD`];
    if (username || password) {
      registerCredential(username ?? '', password ?? '');
      return { username: username ?? '', password: password ?? '', source: `${prefix}${upper}_USERNAME/_PASSWORD` };
    }
  }
  return null;
}

/** Where an index's credentials apply: its origin and its URL's path without a final `simple` segment. */
function indexRoot(url: URL): { origin: string; pathPrefix: string } {
  let path = url.pathname.replace(/\/+$/, '');
  path = path.replace(/\/simple$/i, '');
  return { origin: url.origin, pathPrefix: `${path}/` };
}

/**
 * Every registered index that has credentials, from the environment or else
 * from userinfo in its own URL, longest root first.
 */
export function indexCredentials(indexes: ReadonlyArray<IndexRef>, env: NodeJS.ProcessEnv): IndexCredential[] {
  const found: IndexCredential[] = [];
  for (const index of indexes) {
    let url: URL;
    try {
      url = new URL(index.url);
    } catch {
      continue; // not a URL (a local directory index): nothing to authenticate
    }
    const fromUrl: Credential | null =
      url.username || url.password
        ? {
            username: decodeUserinfo(url.username),
            password: decodeUserinfo(url.password),
            source: `the URL of index "${index.name}"`,
          }
        : null;
    if (fromUrl) registerCredential(fromUrl.username, fromUrl.password);
    const credential = indexCredentialFromEnv(index.name, env) ?? fromUrl;
    if (credential) found.push({ ...indexRoot(url), credential });
  }
  return found.sort((a, b) => b.pathPrefix.length - a.pathPrefix.length);
}

/** The credential of the index whose root holds `url`, or null. */
export function matchIndexCredential(list: ReadonlyArray<IndexCredential>, url: URL): Credential | null {
  const path = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
  for (const entry of list) {
    if (entry.origin === url.origin && path.startsWith(entry.pathPrefix)) return entry.credential;
  }
  return null;
}
