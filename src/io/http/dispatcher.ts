/**
 * The run's one undici dispatcher: every request of the run goes through it,
 * so connections are kept alive and reused across downloads, at most
 * `connections` per origin (requests beyond that queue inside undici, and
 * their timeouts start only once they are on the wire).
 *
 * A plain Agent, or an EnvHttpProxyAgent when HTTP(S)_PROXY is set, with
 * the values read from the run's env rather than process.env. Through the
 * proxy, https URLs are tunnelled (CONNECT) and http URLs are sent in
 * absolute form (`GET http://host/path`), as curl does, because many
 * proxies refuse CONNECT to ports other than 443.
 */
import { Agent, type Dispatcher, EnvHttpProxyAgent } from 'undici';
import type { LogFunction } from './credentials.js';
import { proxyFromEnv, usesProxy } from './proxy-env.js';
import { redactUrl } from './redact.js';
import { trustedCertificates } from './trust.js';

export interface DispatcherOptions {
  readonly connections: number;
  readonly timeoutMs: number;
  readonly env: NodeJS.ProcessEnv;
  readonly log?: LogFunction | undefined;
}

export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const ca = trustedCertificates(options.env, options.log);
  const tls = ca ? { ca } : {};
  const agentOptions = {
    connections: options.connections,
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    connect: { timeout: options.timeoutMs, ...tls },
  };
  const proxy = proxyFromEnv(options.env);
  if (!usesProxy(proxy)) return new Agent(agentOptions);

  options.log?.('debug', 'using a proxy', {
    httpProxy: proxy.httpProxy && redactUrl(proxy.httpProxy),
    httpsProxy: proxy.httpsProxy && redactUrl(proxy.httpsProxy),
    noProxy: proxy.noProxy,
  });
  return new EnvHttpProxyAgent({
    ...agentOptions,
    // '' rather than undefined: undici would otherwise read process.env.
    httpProxy: proxy.httpProxy ?? '',
    httpsProxy: proxy.httpsProxy ?? '',
    noProxy: proxy.noProxy ?? '',
    proxyTunnel: false,
    // A tunnelled TLS connection is made by ProxyAgent's own connector,
    // which does not see `connect`: the CAs must be given again.
    requestTls: tls,
    proxyTls: tls,
  });
}
