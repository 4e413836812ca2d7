/**
 * Proxy settings from the environment (no I/O), read the way curl, pip and
 * uv read them: the lower-case variable first, then the upper-case one; an
 * empty value counts as unset. A proxy given without a scheme
 * (`proxy.corp:3128`) is an http:// one, as curl and pip take it. A value
 * that is not an http:// or https:// proxy URL is a usage error naming the
 * variable (with any password in it removed), not a failure deep in a
 * download. A proxy's userinfo is registered as a secret where it is read.
 */
import { LockhouseError } from '../../errors.js';
import { registerUrlSecrets } from '../../secrets.js';
import { redactUrl } from '../../redact.js';

export interface ProxySettings {
  readonly httpProxy: string | undefined;
  readonly httpsProxy: string | undefined;
  readonly noProxy: string | undefined;
}

export function proxyFromEnv(env: NodeJS.ProcessEnv): ProxySettings {
  const read = (name: string): { variable: string; value: string } | undefined => {
    for (const variable of [name.toLowerCase(), name.toUpperCase()]) {
      const value = env[variable];
      if (value) return { variable, value };
    }
    return undefined;
  };
  return { httpProxy: proxyUrl(read('http_proxy')), httpsProxy: proxyUrl(read('https_proxy')), noProxy: read('no_proxy')?.value };
}

export function usesProxy(settings: ProxySettings): boolean {
  return settings.httpProxy !== undefined || settings.httpsProxy !== undefined;
}

function proxyUrl(found: { variable: string; value: string } | undefined): string | undefined {
  if (!found) return undefined;
  const value = found.value.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  // Its userinfo is a secret from here on (src/secrets.ts), whether or not the value is a URL lockhouse can use.
  registerUrlSecrets(withScheme);
  const refuse = (why: string): LockhouseError =>
    new LockhouseError('USAGE', `${found.variable}=${redactUrl(withScheme)} is not a proxy lockhouse can use: ${why}`, {
      hint: `set ${found.variable} to http://HOST:PORT (or https://HOST:PORT), or unset it`,
    });
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    // Userinfo that does not parse is removed from the message whole: say why the value is not a URL.
    throw refuse(redactUrl(withScheme) === withScheme ? 'it is not a URL' : 'it is not a URL (its user name or password holds a character that must be percent-encoded: / as %2F, # as %23, @ as %40)');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw refuse(`only http:// and https:// proxies are supported, not ${url.protocol}//`);
  if (!url.hostname) throw refuse('it names no host');
  return withScheme;
}
