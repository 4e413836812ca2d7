/**
 * Where credentials come from, for a URL about to be requested (without its
 * userinfo, which the downloader handles itself: see auth.ts):
 *
 * 1. per-index environment variables, for the index URLs the caller
 *    registers (index-credentials.ts), matched by origin and path;
 * 2. netrc: `NETRC`, else `$HOME/.netrc`, by host name, its `default`
 *    entry last.
 *
 * A credential found here is only ever sent to the URL it was looked up for:
 * the downloader looks again at every redirect hop. Every credential these
 * sources hold is registered as a secret when it is read (src/secrets.ts).
 */
import { readRegularFileSync } from '../regular-file.js';
import { join } from 'node:path';
import { type IndexRef, indexCredentials, matchIndexCredential } from './index-credentials.js';
import { type Netrc, netrcLookup, parseNetrc } from './netrc.js';
import { registerCredential } from '../../secrets.js';
import type { Credential } from './types.js';
import type { Log } from '../../model.js';

export interface CredentialSource {
  /** The credential to send to `url`'s origin (url has no userinfo), or null. */
  lookup(url: URL): Credential | null;
  /**
   * Read every file the source reads lazily (netrc) now, so that its
   * secrets are registered in this thread (src/secrets.ts) before another
   * thread, which reads them for itself, reports what it did.
   */
  load?(): void;
}

/** The HTTP layer logs as every layer does (model.ts). */
export type LogFunction = Log;

export interface CredentialSourceOptions {
  /** NETRC, HOME (USERPROFILE on Windows), UV_INDEX_* and LOCKHOUSE_INDEX_*. */
  readonly env: NodeJS.ProcessEnv;
  /** Named indexes (from `[[tool.uv.index]]`), for the per-index variables. */
  readonly indexes?: ReadonlyArray<IndexRef>;
  readonly log?: LogFunction;
}

/** Sends nothing, ever. */
export const noCredentials: CredentialSource = { lookup: () => null };

export function createCredentialSource(options: CredentialSourceOptions): CredentialSource {
  registerIndexVariables(options.env);
  const byIndex = indexCredentials(options.indexes ?? [], options.env);
  const netrcPath = netrcFile(options.env);
  // Read once per source, at its first use: undefined until then, null when there is none (the usual
  // case, which must not cost a failing open per request).
  let netrc: Netrc | null | undefined;
  const loadNetrc = (): Netrc | null => {
    if (netrc === undefined) netrc = netrcPath === null ? null : readNetrc(netrcPath, options.log);
    return netrc;
  };

  return {
    load() {
      loadNetrc();
    },
    lookup(url) {
      const fromIndex = matchIndexCredential(byIndex, url);
      if (fromIndex) return fromIndex;
      const netrc = loadNetrc();
      if (netrc === null) return null;
      const entry = netrcLookup(netrc, url.hostname);
      if (!entry || (entry.login === undefined && entry.password === undefined)) return null;
      return { username: entry.login ?? '', password: entry.password ?? '', source: `netrc (${netrcPath})` };
    },
  };
}

/**
 * Every `UV_INDEX_<NAME>_PASSWORD` / `LOCKHOUSE_INDEX_<NAME>_PASSWORD` (and
 * a user name given alone, a token) is a secret, whether or not this
 * project names the index: registered (src/secrets.ts) so that nothing
 * lockhouse writes carries one.
 */
function registerIndexVariables(env: NodeJS.ProcessEnv): void {
  for (const [key, value] of Object.entries(env)) {
    const match = /^(UV|LOCKHOUSE)_INDEX_(.+)_PASSWORD$/.exec(key);
    if (match) registerCredential(env[`${match[1]}_INDEX_${match[2]}_USERNAME`] ?? '', value ?? '');
    else if (/^(UV|LOCKHOUSE)_INDEX_.+_USERNAME$/.test(key) && !env[key.replace(/_USERNAME$/, '_PASSWORD')]) registerCredential(value ?? '', '');
  }
}

function netrcFile(env: NodeJS.ProcessEnv): string | null {
  if (env.NETRC) return env.NETRC;
  const home = env.HOME ?? env.USERPROFILE;
  return home ? join(home, '.netrc') : null;
}

/** The parsed file; null when it is absent (the usual case) or unreadable (said once). */
function readNetrc(path: string, log: LogFunction | undefined): Netrc | null {
  try {
    const netrc = parseNetrc(readRegularFileSync(path).toString('utf8'));
    // Every password in it is a secret from here on (src/secrets.ts), whichever host it is for.
    for (const entry of [...netrc.machines.values(), ...(netrc.default ? [netrc.default] : [])]) registerCredential(entry.login ?? '', entry.password ?? '');
    return netrc;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') {
      log?.('warn', `cannot read the netrc file ${path}: ${code ?? String(error)}; going on without it`, { path });
    }
    return null;
  }
}
