/**
 * Which credential goes with which request, for one run.
 *
 * Userinfo in a URL (`https://user:token@host/…`) is taken out of the URL
 * before anything is sent (it never reaches undici, a log or an error) and
 * becomes a credential for that URL's origin (scheme, host and port) only.
 * It is remembered for that origin for the rest of the run, as pip does, so
 * that files a mirror's simple page links to on the same host get it too.
 *
 * At every request, redirect hops included, the credential is chosen for
 * the hop's own URL: the download's userinfo if the hop is on its origin,
 * else userinfo remembered for that origin, else the CredentialSource
 * (per-index variables, netrc). So a redirect to another origin never
 * carries the first origin's credentials; and after a redirect from https to
 * plain http none are sent at all for the rest of the chain.
 */
import type { CredentialSource } from './credentials.js';
import { withoutUserinfo } from '../../redact.js';
import { decodeUserinfo } from './url.js';
import type { Credential } from './types.js';

export interface BoundCredential {
  readonly origin: string;
  readonly credential: Credential;
}

export class Authenticator {
  readonly #source: CredentialSource;
  readonly #remembered = new Map<string, Credential>();
  readonly #headers = new WeakMap<Credential, string>();

  constructor(source: CredentialSource) {
    this.#source = source;
  }

  /** `url` without userinfo, and the credential its userinfo gave (remembered for its origin). */
  accept(url: URL): { url: URL; own: BoundCredential | null } {
    if (!url.username && !url.password) return { url, own: null };
    const stripped = withoutUserinfo(url);
    const username = decodeUserinfo(url.username);
    let password = decodeUserinfo(url.password);
    if (!password) {
      // `https://token@host/` or `https://user@host/`: a password for that
      // user from the other sources completes it; else it is sent as is.
      const other = this.#source.lookup(stripped);
      if (other && other.username === username) password = other.password;
    }
    const credential: Credential = { username, password, source: 'the URL' };
    this.#remembered.set(stripped.origin, credential);
    return { url: stripped, own: { origin: stripped.origin, credential } };
  }

  /** The credential for a request to `url` (no userinfo), or null. */
  credentialFor(url: URL, own: BoundCredential | null): Credential | null {
    if (own && own.origin === url.origin) return own.credential;
    return this.#remembered.get(url.origin) ?? this.#source.lookup(url);
  }

  /** The credentials remembered from URLs' userinfo, by origin: what a download thread's Authenticator starts from (io/fetch-threads). */
  remembered(): Array<[string, Credential]> {
    return [...this.#remembered];
  }

  /** Remember `credential` for `origin`, as accept() does for a URL's userinfo. */
  remember(origin: string, credential: Credential): void {
    this.#remembered.set(origin, credential);
  }

  /** `Basic base64(user:password)`. */
  header(credential: Credential): string {
    let header = this.#headers.get(credential);
    if (header === undefined) {
      header = `Basic ${Buffer.from(`${credential.username}:${credential.password}`, 'utf8').toString('base64')}`;
      this.#headers.set(credential, header);
    }
    return header;
  }
}

