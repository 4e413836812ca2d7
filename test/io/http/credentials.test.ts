import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createCredentialSource } from '../../../src/io/http/credentials.js';
import { MemorySink, credential, httpServer, rejection, serveBytes, tempFiles, testDownloader } from './helpers.js';

const basic = (c: { username: string; password: string }): string =>
  `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;

describe('credentials on redirects', () => {
  it('keeps the URL credentials on a same-origin redirect, and never sends the userinfo in the URL', async () => {
    const alice = credential('alice', 's3cr3t-same:origin@/');
    const server = await httpServer((request, response) => {
      if (request.url === '/a') response.writeHead(301, { location: '/b' }).end();
      else serveBytes(response, request, Buffer.from('ok'));
    });
    const { downloader } = testDownloader();
    const url = `http://${alice.username}:${encodeURIComponent(alice.password)}@127.0.0.1:${server.port}/a`;

    const result = await downloader.download(url, new MemorySink());

    expect(server.seen.map((s) => s.headers.authorization)).toEqual([basic(alice), basic(alice)]);
    expect(server.seen.map((s) => s.url)).toEqual(['/a', '/b']);
    expect(result.finalUrl).toBe(`${server.origin}/b`);
  });

  it('drops them on a cross-origin redirect (another port is another origin)', async () => {
    const bob = credential('bob', 's3cr3t-cross');
    const other = await httpServer((request, response) => serveBytes(response, request, Buffer.from('ok')));
    const server = await httpServer((_request, response) => response.writeHead(302, { location: `${other.origin}/f` }).end());
    const { downloader } = testDownloader();

    const result = await downloader.download(`http://bob:${bob.password}@127.0.0.1:${server.port}/a`, new MemorySink());

    expect(server.seen[0]!.headers.authorization).toBe(basic(bob));
    expect(other.seen[0]!.headers.authorization).toBeUndefined();
    expect(result.finalUrl).toBe(`${other.origin}/f`);
  });

  it('gives up after 10 redirects', async () => {
    const server = await httpServer((request, response) => {
      const n = Number(request.url!.slice(1));
      response.writeHead(307, { location: `/${n + 1}` }).end();
    });
    const { downloader } = testDownloader();

    const error = await rejection(downloader.download(`${server.origin}/0`, new MemorySink()));

    expect(error).toMatchObject({ code: 'FETCH_TOO_MANY_REDIRECTS', attempts: 1 });
    expect(server.seen).toHaveLength(11);
  });
});

describe('credential sources reach only their own origin', () => {
  it('netrc: by host name, with the default entry for the others', async () => {
    const carol = credential('carol', 's3cr3t-netrc');
    const dave = credential('dave', 's3cr3t-default');
    const elsewhere = await httpServer((request, response) => serveBytes(response, request, Buffer.from('ok')));
    const server = await httpServer((request, response) => {
      if (request.url === '/away') response.writeHead(302, { location: `http://localhost:${elsewhere.port}/f` }).end();
      else serveBytes(response, request, Buffer.from('ok'));
    });
    const home = tempFiles({ '.netrc': `machine 127.0.0.1 login carol password ${carol.password}\n` });
    const { downloader } = testDownloader({ env: { HOME: home } });

    await downloader.download(`${server.origin}/f`, new MemorySink());
    await downloader.download(`${server.origin}/away`, new MemorySink());

    expect(server.seen.map((s) => s.headers.authorization)).toEqual([basic(carol), basic(carol)]);
    expect(elsewhere.seen[0]!.headers.authorization).toBeUndefined();

    // NETRC names the file; its default entry covers hosts without their own.
    const dir = tempFiles({ netrc: `machine example.invalid login x password y\ndefault login dave password ${dave.password}\n` });
    const second = testDownloader({ env: { NETRC: join(dir, 'netrc') } });
    await second.downloader.download(`${server.origin}/f`, new MemorySink());
    expect(server.seen.at(-1)!.headers.authorization).toBe(basic(dave));
  });

  it('netrc is read once, at the first request: absent then, absent for the whole run (one open, not one per file)', async () => {
    const frank = credential('frank', 's3cr3t-late');
    const server = await httpServer((request, response) => serveBytes(response, request, Buffer.from('ok')));
    const home = tempFiles({});
    const { downloader } = testDownloader({ env: { HOME: home } });

    await downloader.download(`${server.origin}/a`, new MemorySink());
    // A netrc that appears mid-run is not read by this run (pip and uv read theirs once too).
    writeFileSync(join(home, '.netrc'), `machine 127.0.0.1 login frank password ${frank.password}\n`);
    await downloader.download(`${server.origin}/b`, new MemorySink());

    expect(server.seen.map((s) => s.headers.authorization)).toEqual([undefined, undefined]);
    // The next run reads it.
    const next = testDownloader({ env: { HOME: home } });
    await next.downloader.download(`${server.origin}/c`, new MemorySink());
    expect(server.seen.at(-1)!.headers.authorization).toBe(basic(frank));
  });

  it('per-index variables: LOCKHOUSE_ before UV_, under the index root only', async () => {
    const erin = credential('erin', 's3cr3t-lockhouse');
    const other = await httpServer((request, response) => serveBytes(response, request, Buffer.from('ok')));
    const server = await httpServer((request, response) => serveBytes(response, request, Buffer.from('ok')));
    const env = {
      LOCKHOUSE_INDEX_MY_CORP_USERNAME: erin.username,
      LOCKHOUSE_INDEX_MY_CORP_PASSWORD: erin.password,
      UV_INDEX_MY_CORP_USERNAME: 'uv-user',
      UV_INDEX_MY_CORP_PASSWORD: credential('uv-user', 's3cr3t-uv').password,
    };
    const credentials = createCredentialSource({ env, indexes: [{ name: 'my-corp', url: `${server.origin}/pypi/simple/` }] });
    const { downloader } = testDownloader({ credentials });

    await downloader.download(`${server.origin}/pypi/packages/a/b/x-1.0-py3-none-any.whl`, new MemorySink());
    await downloader.download(`${server.origin}/elsewhere/x.whl`, new MemorySink());
    await downloader.download(`${other.origin}/pypi/packages/x.whl`, new MemorySink());

    expect(server.seen.map((s) => s.headers.authorization)).toEqual([basic(erin), undefined]);
    expect(other.seen[0]!.headers.authorization).toBeUndefined();
  });

  it('URL userinfo is remembered for its origin for the rest of the run, and only for it', async () => {
    const frank = credential('frank', 's3cr3t-remembered');
    const other = await httpServer((request, response) => serveBytes(response, request, Buffer.from('ok')));
    const server = await httpServer((request, response) => {
      if (request.url === '/simple/x/') response.writeHead(200, { 'content-type': 'text/html' }).end('<a href="/files/x.whl">x.whl</a>');
      else serveBytes(response, request, Buffer.from('ok'));
    });
    const { downloader } = testDownloader();

    const page = await downloader.page(`http://frank:${frank.password}@127.0.0.1:${server.port}/simple/x/`, 'text/html');
    await downloader.download(`${server.origin}/files/x.whl`, new MemorySink());
    await downloader.download(`${other.origin}/files/x.whl`, new MemorySink());

    expect(page.url).toBe(`${server.origin}/simple/x/`);
    expect(server.seen.map((s) => s.headers.authorization)).toEqual([basic(frank), basic(frank)]);
    expect(other.seen[0]!.headers.authorization).toBeUndefined();
  });

  it('a user name alone in the URL takes its password from netrc', async () => {
    const gina = credential('gina', 's3cr3t-completed');
    const server = await httpServer((request, response) => serveBytes(response, request, Buffer.from('ok')));
    const home = tempFiles({ '.netrc': `machine 127.0.0.1 login gina password ${gina.password}` });
    const { downloader } = testDownloader({ env: { HOME: home } });

    await downloader.download(`http://gina@127.0.0.1:${server.port}/f`, new MemorySink());

    expect(server.seen[0]!.headers.authorization).toBe(basic(gina));
  });
});

describe('credentials never appear in errors or logs', () => {
  it('a 401 says where the refused credentials came from, not what they are', async () => {
    const hank = credential('hank', 's3cr3t-401');
    const server = await httpServer((_request, response) => response.writeHead(401).end());
    const home = tempFiles({ '.netrc': `machine 127.0.0.1 login hank password ${hank.password}` });
    const { downloader } = testDownloader({ env: { HOME: home } });

    const error = await rejection(downloader.download(`${server.origin}/f`, new MemorySink()));

    expect(error.message).toBe(`GET ${server.origin}/f: Unauthorized - 401`);
    expect(error.hint).toBe(`${server.origin} refused the credentials from netrc (${home}/.netrc): check them, and that they may read this file`);
  });

  it('nor in retries, timeouts, redirects, refused connections and bad URLs, whatever the source', async () => {
    const ivan = credential('ivan', 's3cr3t-everywhere%:@');
    const jane = credential('jane', 's3cr3t-env');
    const server = await httpServer((request, response) => {
      if (request.url === '/loop') response.writeHead(302, { location: '/loop' }).end();
      else if (request.url === '/away') response.writeHead(302, { location: `http://ivan:${encodeURIComponent(ivan.password)}@127.0.0.1:1/x` }).end();
      else response.writeHead(503, { 'retry-after': '0' }).end();
    });
    const userinfo = `ivan:${encodeURIComponent(ivan.password)}@127.0.0.1:${server.port}`;
    const credentials = createCredentialSource({
      env: { UV_INDEX_PRIV_USERNAME: jane.username, UV_INDEX_PRIV_PASSWORD: jane.password },
      indexes: [{ name: 'priv', url: `${server.origin}/simple` }],
    });
    const { downloader, logs } = testDownloader({ credentials, retries: 1 });

    const errors = [
      await rejection(downloader.download(`http://${userinfo}/f`, new MemorySink())),
      await rejection(downloader.download(`http://${userinfo}/loop`, new MemorySink())),
      await rejection(downloader.download(`http://${userinfo}/away`, new MemorySink())),
      await rejection(downloader.page(`http://${userinfo}/simple/x/`, 'text/html')),
      await rejection(downloader.download(`ftp://${userinfo}/f`, new MemorySink())),
      await rejection(downloader.download(`http://ivan:${ivan.password}@[bad/f`, new MemorySink())),
    ];

    expect(errors.map((e) => e['code'])).toEqual([
      'FETCH_HTTP_STATUS',
      'FETCH_TOO_MANY_REDIRECTS',
      'FETCH_NETWORK',
      'FETCH_HTTP_STATUS',
      'FETCH_BAD_URL',
      'FETCH_BAD_URL',
    ]);
    expect(logs.length).toBeGreaterThan(0);
    // The Authorization header did go out, so the check above is not vacuous.
    expect(server.seen[0]!.headers.authorization).toBe(basic(ivan));
  });
});
