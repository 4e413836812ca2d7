/**
 * Which certificate authorities TLS trusts.
 *
 * Node's default store is its bundled Mozilla roots, extended at start-up
 * with the file named by NODE_EXTRA_CA_CERTS (Node reads it itself, once, from
 * the real environment). undici uses that store as long as it is given no
 * `ca`: so without SSL_CERT_FILE, lockhouse passes none and
 * NODE_EXTRA_CA_CERTS just works.
 *
 * Passing `ca` *replaces* that store, extra certificates included (checked
 * against Node 20 and undici 7: with NODE_EXTRA_CA_CERTS set, a `ca` of
 * `tls.rootCertificates` alone rejects the extra CA's server). So when
 * SSL_CERT_FILE adds CAs, `ca` is the bundled roots plus SSL_CERT_FILE plus
 * NODE_EXTRA_CA_CERTS again. SSL_CERT_FILE adds to the roots rather than
 * replacing them, so a corporate bundle that lacks a public CA does not
 * break PyPI.
 */
import { readRegularFileSync } from '../regular-file.js';
import { rootCertificates } from 'node:tls';
import type { LogFunction } from './credentials.js';

/** The `ca` option for TLS connections, or undefined for Node's default store. */
export function trustedCertificates(env: NodeJS.ProcessEnv, log?: LogFunction): string[] | undefined {
  if (!env.SSL_CERT_FILE) return undefined;
  const extra: string[] = [];
  for (const variable of ['SSL_CERT_FILE', 'NODE_EXTRA_CA_CERTS'] as const) {
    const path = env[variable];
    if (!path) continue;
    try {
      extra.push(readRegularFileSync(path).toString('utf8'));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      log?.('warn', `cannot read ${variable}=${path}: ${code}; its certificates are not trusted`, { path });
    }
  }
  return extra.length === 0 ? undefined : [...rootCertificates, ...extra];
}
