import { describe, expect, it } from 'vitest';
import { MemorySink, forwardProxy, httpServer, serveBytes, testDownloader } from './helpers.js';

describe('proxies from the run environment', () => {
  it('sends http requests through HTTP_PROXY in absolute form', async () => {
    const target = await httpServer((request, response) => serveBytes(response, request, Buffer.from('via proxy')));
    const proxy = await forwardProxy();
    const { downloader } = testDownloader({ env: { HTTP_PROXY: proxy.origin } });
    const sink = new MemorySink();

    await downloader.download(`${target.origin}/f.whl`, sink);

    expect(sink.bytes().toString()).toBe('via proxy');
    expect(proxy.seen.map((s) => `${s.method} ${s.url}`)).toEqual([`GET ${target.origin}/f.whl`]);
    expect(target.seen).toHaveLength(1);
  });

  it('reads the lower-case variable too', async () => {
    const target = await httpServer((request, response) => serveBytes(response, request, Buffer.from('x')));
    const proxy = await forwardProxy();
    const { downloader } = testDownloader({ env: { http_proxy: proxy.origin } });

    await downloader.download(`${target.origin}/f`, new MemorySink());

    expect(proxy.seen).toHaveLength(1);
  });

  it('goes direct to hosts NO_PROXY names', async () => {
    const target = await httpServer((request, response) => serveBytes(response, request, Buffer.from('direct')));
    const proxy = await forwardProxy();
    const { downloader } = testDownloader({ env: { HTTP_PROXY: proxy.origin, NO_PROXY: 'example.invalid, 127.0.0.1' } });
    const sink = new MemorySink();

    await downloader.download(`${target.origin}/f`, sink);

    expect(sink.bytes().toString()).toBe('direct');
    expect(proxy.seen).toHaveLength(0);
    expect(target.seen).toHaveLength(1);
  });

  it('ignores proxies set in process.env but not in the run environment', async () => {
    const target = await httpServer((request, response) => serveBytes(response, request, Buffer.from('x')));
    const proxy = await forwardProxy();
    const saved = process.env.HTTP_PROXY;
    process.env.HTTP_PROXY = proxy.origin;
    try {
      const { downloader } = testDownloader({ env: {} });
      await downloader.download(`${target.origin}/f`, new MemorySink());
    } finally {
      if (saved === undefined) delete process.env.HTTP_PROXY;
      else process.env.HTTP_PROXY = saved;
    }
    expect(proxy.seen).toHaveLength(0);
  });
});
