/**
 * The run's one undici dispatcher: every request of the run goes through it,
 * so connections are kept alive and reused across downloads, at most
 * `connections` per origin (requests beyond that queue inside undici, and
 * their timeouts start only once they are on the wire). undici opens them
 * as the requests need them, so an origin with three files gets three
 * connections and one with three hundred gets `connections`. Over TLS,
 * HTTP/2 is used where the server offers it: one connection per origin
 * carries up to 100 downloads at once as streams.
 *
 * A plain Agent, or an EnvHttpProxyAgent when HTTP(S)_PROXY is set, with
 * the values read from the run's env rather than process.env. Through the
 * proxy, https URLs are tunnelled (CONNECT) and http URLs are sent in
 * absolute form (`GET http://host/path`), as curl does, because many
 * proxies refuse CONNECT to ports other than 443.
 *
 * undici is loaded on first use (the part of it a run needs:
 * loadDispatchers), start-up that a run which sends no request (a re-run
 * over a complete directory, a collect from the cache) never pays. Without a proxy, the
 * Agent is made by the first request. With one, the EnvHttpProxyAgent is
 * made at once: it checks the proxy URLs when it is made, so a proxy URL
 * undici refuses fails the run at its start, whether or not it downloads.
 */
import { createRequire } from 'node:module';
import type { Dispatcher } from 'undici';
import type { LogFunction } from './credentials.js';
import { proxyFromEnv, usesProxy } from './proxy-env.js';
import { redactUrl } from '../../redact.js';
import { trustedCertificates } from './trust.js';

export interface DispatcherOptions {
  readonly connections: number;
  readonly timeoutMs: number;
  readonly env: NodeJS.ProcessEnv;
  readonly log?: LogFunction | undefined;
}

/** The two dispatchers a run makes. */
type Undici = Pick<typeof import('undici'), 'Agent' | 'EnvHttpProxyAgent'>;
const require = createRequire(import.meta.url);
let undici: Undici | undefined;

/** undici, loaded the first time a dispatcher is made (synchronously: it is CommonJS). */
function loadUndici(): Undici {
  return (undici ??= loadDispatchers());
}

/**
 * Only the part of undici a run uses: the Agent, the proxy agent and the
 * request API their prototype carries — assembled from the same files as
 * undici's own index.js does it, which also loads fetch, WebSocket, the
 * caches and the mocks: 65–70 ms at the first request, against 25–35 ms
 * (docs/performance.md "Start-up"). Should a later undici move those files,
 * the whole package is loaded instead (test/cli/startup.test.ts says which
 * one a run took).
 */
function loadDispatchers(): Undici {
  try {
    const Dispatcher = require('undici/lib/dispatcher/dispatcher.js') as { prototype: object };
    Object.assign(Dispatcher.prototype, require('undici/lib/api/index.js') as object);
    return {
      Agent: require('undici/lib/dispatcher/agent.js') as Undici['Agent'],
      EnvHttpProxyAgent: require('undici/lib/dispatcher/env-http-proxy-agent.js') as Undici['EnvHttpProxyAgent'],
    };
  } catch {
    const whole = require('undici') as typeof import('undici');
    return { Agent: whole.Agent, EnvHttpProxyAgent: whole.EnvHttpProxyAgent };
  }
}

/** The run's dispatcher, made on first use. */
export interface LazyDispatcher {
  /** The dispatcher; the first call makes it (and loads undici). */
  get(): Dispatcher;
  /** Close the dispatcher if it was made. */
  close(): Promise<void>;
}

export function createDispatcher(options: DispatcherOptions): LazyDispatcher {
  const ca = trustedCertificates(options.env, options.log);
  const tls = ca ? { ca } : {};
  const agentOptions = {
    connections: options.connections,
    // One request at a time on each HTTP/1.1 connection (no pipelining: a
    // slow answer would hold up those queued behind it), connections kept
    // alive between downloads (undici's default).
    pipelining: 1,
    // HTTP/2 where a TLS server offers it (ALPN): every download to that
    // origin shares one connection as streams, so many small files overlap
    // their round trips without a connection each. LOCKHOUSE_HTTP2=0 keeps
    // HTTP/1.1 (a server or a middlebox whose HTTP/2 is broken).
    allowH2: http2Allowed(options.env),
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    connect: { timeout: options.timeoutMs, ...tls },
  };
  const proxy = proxyFromEnv(options.env);
  if (!usesProxy(proxy)) return lazily(() => new (loadUndici().Agent)(agentOptions));

  options.log?.('debug', 'using a proxy', {
    httpProxy: proxy.httpProxy && redactUrl(proxy.httpProxy),
    httpsProxy: proxy.httpsProxy && redactUrl(proxy.httpsProxy),
    noProxy: proxy.noProxy,
  });
  const proxyOptions = {
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
  };
  const dispatcher = lazily(() => new (loadUndici().EnvHttpProxyAgent)(proxyOptions));
  dispatcher.get();
  return dispatcher;
}

/** HTTP/2 unless LOCKHOUSE_HTTP2 is 0, false, no or off. */
export function http2Allowed(env: NodeJS.ProcessEnv): boolean {
  const value = env['LOCKHOUSE_HTTP2']?.trim().toLowerCase();
  return !(value === '0' || value === 'false' || value === 'no' || value === 'off');
}

function lazily(make: () => Dispatcher): LazyDispatcher {
  let dispatcher: Dispatcher | null = null;
  let closed = false;
  return {
    get() {
      if (!dispatcher) {
        dispatcher = make();
        // Made after close(): closed at once, so that a request fails as on any closed dispatcher.
        if (closed) void dispatcher.close();
      }
      return dispatcher;
    },
    async close() {
      closed = true;
      await dispatcher?.close();
    },
  };
}
