import { describe, expect, it } from 'vitest';
import { indexCredentialFromEnv, indexCredentials, indexEnvName, matchIndexCredential } from '../../../src/io/http/index-credentials.js';
import { proxyFromEnv } from '../../../src/io/http/proxy-env.js';
import { redactUrl } from '../../../src/redact.js';

describe('redactUrl', () => {
  it.each([
    ['https://user:pass@host.example/simple/', 'https://host.example/simple/'],
    ['https://token@host.example/f.whl#sha256=ab', 'https://host.example/f.whl#sha256=ab'],
    ['https://host.example/f.whl', 'https://host.example/f.whl'],
    // Query secrets are left alone (see src/redact.ts).
    ['https://host.example/f?token=abc', 'https://host.example/f?token=abc'],
    ['not a url://u:p@x', 'not a url://x'],
  ])('%s → %s', (url, shown) => {
    expect(redactUrl(url)).toBe(shown);
  });

  it('takes URL objects', () => {
    expect(redactUrl(new URL('http://a:b@h:8080/x'))).toBe('http://h:8080/x');
  });
});

describe('per-index credentials', () => {
  it.each([
    ['pytorch', 'PYTORCH'],
    ['my-corp.index', 'MY_CORP_INDEX'],
    ['internal_2', 'INTERNAL_2'],
    ['straße', 'STRA_E'],
  ])('the variable name of index %s is %s', (name, env) => {
    expect(indexEnvName(name)).toBe(env);
  });

  it('prefers the LOCKHOUSE_ pair over the UV_ pair, whole', () => {
    const env = { UV_INDEX_X_USERNAME: 'uv', UV_INDEX_X_PASSWORD: 'uvpw', LOCKHOUSE_INDEX_X_PASSWORD: 'token' };
    expect(indexCredentialFromEnv('x', env)).toMatchObject({ username: '', password: 'token' });
    expect(indexCredentialFromEnv('x', { UV_INDEX_X_USERNAME: 'uv' })).toMatchObject({ username: 'uv', password: '' });
    expect(indexCredentialFromEnv('x', {})).toBeNull();
  });

  it('applies under the index root (without /simple), the longest root first, on its origin only', () => {
    const env = { UV_INDEX_A_PASSWORD: 'a', UV_INDEX_B_PASSWORD: 'b' };
    const list = indexCredentials(
      [
        { name: 'a', url: 'https://repo.example/api/pypi/simple' },
        { name: 'b', url: 'https://repo.example/api/pypi/team/simple/' },
        { name: 'c', url: 'https://repo.example/other/' },
        { name: 'local', url: './wheels' },
      ],
      env,
    );
    const match = (url: string): string | undefined => matchIndexCredential(list, new URL(url))?.password;
    expect(match('https://repo.example/api/pypi/packages/x.whl')).toBe('a');
    expect(match('https://repo.example/api/pypi/team/packages/x.whl')).toBe('b');
    expect(match('https://repo.example/api/pypi')).toBe('a');
    expect(match('https://repo.example/api/pypiX/x.whl')).toBeUndefined();
    expect(match('http://repo.example/api/pypi/x.whl')).toBeUndefined();
    expect(match('https://repo.example:8443/api/pypi/x.whl')).toBeUndefined();
  });

  it('falls back to userinfo in the index URL', () => {
    const list = indexCredentials([{ name: 'a', url: 'https://u:p%40ss@repo.example/simple/' }], {});
    expect(matchIndexCredential(list, new URL('https://repo.example/files/x.whl'))).toMatchObject({ username: 'u', password: 'p@ss' });
  });
});

describe('proxyFromEnv', () => {
  it('reads lower case first, then upper case; empty is unset', () => {
    expect(proxyFromEnv({ http_proxy: 'http://lower', HTTP_PROXY: 'http://upper', HTTPS_PROXY: 'http://s', no_proxy: '' })).toEqual({
      httpProxy: 'http://lower',
      httpsProxy: 'http://s',
      noProxy: undefined,
    });
  });

  it('takes a proxy without a scheme as http://, as curl and pip do', () => {
    expect(proxyFromEnv({ HTTPS_PROXY: 'proxy.corp:3128', http_proxy: ' localhost:8080 ' })).toEqual({
      httpProxy: 'http://localhost:8080',
      httpsProxy: 'http://proxy.corp:3128',
      noProxy: undefined,
    });
  });

  it('refuses what is not an http(s) proxy URL with a usage error naming the variable, never its password', () => {
    const refusal = (env: NodeJS.ProcessEnv): unknown => {
      try {
        proxyFromEnv(env);
      } catch (error) {
        return error;
      }
      return null;
    };
    const socks = refusal({ ALL_PROXY: 'x', https_proxy: 'socks5://u:hunter2@proxy:1080' });
    expect(socks).toMatchObject({ code: 'USAGE', exitCode: 2 });
    expect((socks as Error).message).toMatch(/^https_proxy=socks5:\/\/proxy:1080 is not a proxy lockhouse can use: only http:\/\/ and https:\/\//);
    expect((socks as { hint: string }).hint).toContain('https_proxy');
    const broken = refusal({ HTTP_PROXY: 'http://u:hunter2@[::1' });
    expect(broken).toMatchObject({ code: 'USAGE' });
    expect((broken as Error).message).toMatch(/^HTTP_PROXY=.* is not a proxy lockhouse can use: it is not a URL/);
    for (const error of [socks, broken]) expect(JSON.stringify({ message: (error as Error).message, hint: (error as { hint: string }).hint })).not.toContain('hunter2');
  });
});
