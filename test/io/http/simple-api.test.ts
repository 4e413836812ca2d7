import { describe, expect, it } from 'vitest';
import { SIMPLE_ACCEPT, SimpleApi, parseSimplePage, projectUrl } from '../../../src/io/http/simple-api.js';
import { decodeEntities, parseSimpleHtml } from '../../../src/io/http/simple-html.js';
import { httpServer, rejection, testDownloader } from './helpers.js';

const SHA = 'a'.repeat(64);

describe('page', () => {
  it('reads a PEP 691 JSON page, sending the Accept header it is given', async () => {
    const json = { meta: { 'api-version': '1.1' }, name: 'demo', files: [{ filename: 'demo-1.0.tar.gz', url: '../../files/demo-1.0.tar.gz', hashes: { sha256: SHA } }] };
    const server = await httpServer((_request, response) =>
      response.writeHead(200, { 'content-type': 'application/vnd.pypi.simple.v1+json' }).end(JSON.stringify(json)),
    );
    const { downloader } = testDownloader();

    const page = await downloader.page(`${server.origin}/simple/demo/`, SIMPLE_ACCEPT);

    expect(server.seen[0]!.headers.accept).toBe(SIMPLE_ACCEPT);
    expect(page).toEqual({ url: `${server.origin}/simple/demo/`, contentType: 'application/vnd.pypi.simple.v1+json', body: JSON.stringify(json) });
  });

  it('reads a PEP 503 HTML page in its charset, after a redirect', async () => {
    const server = await httpServer((request, response) => {
      if (request.url === '/simple/Demo') response.writeHead(301, { location: '/simple/demo/' }).end();
      else response.writeHead(200, { 'content-type': 'text/html; charset=latin1' }).end(Buffer.from('<a href="d">caf\xe9</a>', 'latin1'));
    });
    const { downloader } = testDownloader();

    const page = await downloader.page(`${server.origin}/simple/Demo`, 'text/html');

    expect(page.url).toBe(`${server.origin}/simple/demo/`);
    expect(page.body).toBe('<a href="d">café</a>');
  });

  it('retries a 502 like a download does, and refuses pages over 20 MiB without retrying', async () => {
    const server = await httpServer((request, response, index) => {
      if (request.url === '/big') response.writeHead(200, { 'content-length': 21 * 1024 * 1024 }).end();
      else if (index === 0) response.writeHead(502).end();
      else response.writeHead(200).end('ok');
    });
    const { downloader } = testDownloader();

    expect((await downloader.page(`${server.origin}/p`, 'text/html')).body).toBe('ok');
    const error = await rejection(downloader.page(`${server.origin}/big`, 'text/html'));
    expect(error).toMatchObject({ code: 'FETCH_BODY_TOO_LONG', attempts: 1 });
  });
});

describe('SimpleApi (--mirror)', () => {
  it('finds a file on a PEP 691 index, with relative URLs and hashes, one request per project', async () => {
    const server = await httpServer((request, response) => {
      const files = [
        { filename: 'my_pkg-1.0-py3-none-any.whl', url: '/files/my_pkg-1.0-py3-none-any.whl', hashes: { SHA256: SHA.toUpperCase() } },
        { filename: 'my_pkg-1.0.tar.gz', url: 'https://cdn.example/my_pkg-1.0.tar.gz#sha256=' + 'b'.repeat(64), hashes: {} },
      ];
      if (request.url === '/simple/my-pkg/') response.writeHead(200, { 'content-type': 'application/vnd.pypi.simple.v1+json' }).end(JSON.stringify({ files }));
      else response.writeHead(404).end();
    });
    const { downloader } = testDownloader();
    const api = new SimpleApi(downloader);

    const wheel = await api.find(`${server.origin}/simple`, 'My.Pkg', 'my_pkg-1.0-py3-none-any.whl');
    const sdist = await api.find(`${server.origin}/simple/`, 'my_pkg', 'my_pkg-1.0.tar.gz');
    const missing = await api.find(`${server.origin}/simple/`, 'my-pkg', 'my_pkg-2.0.tar.gz');

    expect(wheel).toEqual({ filename: 'my_pkg-1.0-py3-none-any.whl', url: `${server.origin}/files/my_pkg-1.0-py3-none-any.whl`, hashes: { sha256: SHA } });
    expect(sdist).toEqual({ filename: 'my_pkg-1.0.tar.gz', url: 'https://cdn.example/my_pkg-1.0.tar.gz', hashes: { sha256: 'b'.repeat(64) } });
    expect(missing).toBeNull();
    expect(server.seen).toHaveLength(1);
  });

  it('finds a file on a PEP 503-only index: relative hrefs, #sha256= fragments, entities', async () => {
    const html = `<!DOCTYPE html><html><body><h1>Links for demo</h1>
      <A HREF="../../packages/ab/demo-1.0.tar.gz#sha256=${SHA}" data-requires-python="&gt;=3.8">demo-1.0.tar.gz</A><br/>
      <a data-dist-info-metadata="sha256=x" href='/packages/demo-1.0-py3-none-any.whl?a=1&amp;b=2#md5=0123abcd'>
        demo-1.0-py3-none-any.whl</a>
      <!-- <a href="/commented/demo-0.1.tar.gz">demo-0.1.tar.gz</a> -->
    </body></html>`;
    const server = await httpServer((request, response) => {
      if (request.url === '/root/simple/demo/') response.writeHead(200, { 'content-type': 'text/html' }).end(html);
      else response.writeHead(404).end();
    });
    const { downloader } = testDownloader();
    const api = new SimpleApi(downloader);
    const index = `${server.origin}/root/simple`;

    expect(await api.find(index, 'demo', 'demo-1.0.tar.gz')).toEqual({
      filename: 'demo-1.0.tar.gz',
      url: `${server.origin}/root/packages/ab/demo-1.0.tar.gz`,
      hashes: { sha256: SHA },
    });
    expect(await api.find(index, 'demo', 'demo-1.0-py3-none-any.whl')).toEqual({
      filename: 'demo-1.0-py3-none-any.whl',
      url: `${server.origin}/packages/demo-1.0-py3-none-any.whl?a=1&b=2`,
      hashes: { md5: '0123abcd' },
    });
    expect(await api.find(index, 'demo', 'demo-0.1.tar.gz')).toBeNull();
    expect(await api.find(index, 'absent', 'absent-1.0.tar.gz')).toBeNull();
    expect(server.seen.map((s) => s.url)).toEqual(['/root/simple/demo/', '/root/simple/absent/']);
  });

  it('asks again for a project whose page failed, not for one that is absent', async () => {
    const server = await httpServer((request, response, index) => {
      if (request.url === '/simple/gone/') response.writeHead(404).end();
      else if (index === 0) response.writeHead(403).end();
      else response.writeHead(200, { 'content-type': 'text/html' }).end('<a href="/f/x-1.tar.gz">x-1.tar.gz</a>');
    });
    const { downloader } = testDownloader();
    const api = new SimpleApi(downloader);

    await expect(api.find(`${server.origin}/simple`, 'x', 'x-1.tar.gz')).rejects.toMatchObject({ code: 'FETCH_HTTP_STATUS', status: 403 });
    expect(await api.find(`${server.origin}/simple`, 'x', 'x-1.tar.gz')).toMatchObject({ url: `${server.origin}/f/x-1.tar.gz` });
    expect(await api.find(`${server.origin}/simple`, 'gone', 'gone-1.tar.gz')).toBeNull();
    expect(await api.find(`${server.origin}/simple`, 'gone', 'gone-2.tar.gz')).toBeNull();
    expect(server.seen).toHaveLength(3);
  });

  it('builds project URLs with the normalized name', () => {
    expect(projectUrl('https://mirror.example/simple', 'Foo.Bar_baz')).toBe('https://mirror.example/simple/foo-bar-baz/');
    expect(projectUrl('https://mirror.example/simple//', 'x')).toBe('https://mirror.example/simple/x/');
  });
});

describe('parseSimplePage', () => {
  it('honours <base href>, takes the href name when the text is empty, and skips non-http links', () => {
    const page = {
      url: 'https://index.example/simple/demo/',
      contentType: 'text/html',
      body: '<base href="https://files.example/pool/"><a href="demo-1.0.tar.gz"></a><a href="mailto:x@y">x</a><a>no href</a>',
    };
    expect(parseSimplePage(page)).toEqual([{ filename: 'demo-1.0.tar.gz', url: 'https://files.example/pool/demo-1.0.tar.gz', hashes: {} }]);
  });

  it('sniffs JSON when the Content-Type says nothing useful, and refuses broken JSON', () => {
    const body = JSON.stringify({ files: [{ filename: 'a-1.tar.gz', url: 'a-1.tar.gz', hashes: { sha256: SHA } }, { filename: 3 }] });
    expect(parseSimplePage({ url: 'https://i.example/simple/a/', contentType: 'application/octet-stream', body })).toHaveLength(1);
    expect(() => parseSimplePage({ url: 'https://i.example/simple/a/', contentType: 'application/vnd.pypi.simple.v1+json', body: '{' })).toThrow(
      /not a PEP 691 JSON page/,
    );
  });
});

describe('parseSimpleHtml', () => {
  it('reads unquoted values, a ">" inside quotes, nested tags and unclosed anchors', () => {
    const { anchors } = parseSimpleHtml('<a href=x.whl data-x="a>b"><span>x</span>.whl</a><a href="y.whl">y.whl<a href="z.whl">z.whl');
    expect(anchors.map((a) => [a.attributes.get('href'), a.attributes.get('data-x'), a.text])).toEqual([
      ['x.whl', 'a>b', 'x.whl'],
      ['y.whl', undefined, 'y.whl'],
      ['z.whl', undefined, 'z.whl'],
    ]);
  });

  it.each([
    ['a&amp;b', 'a&b'],
    ['&lt;&gt;&quot;&apos;', '<>"\''],
    ['&#43;&#x2B;&#X2b;', '+++'],
    ['&unknown; &#0; &', '&unknown; &#0; &'],
  ])('decodes %s', (text, decoded) => {
    expect(decodeEntities(text)).toBe(decoded);
  });
});
