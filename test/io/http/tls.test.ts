import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemorySink, credential, forwardProxy, httpServer, listen, rejection, serveBytes, tempFiles, testDownloader } from './helpers.js';

const fixtures = join(import.meta.dirname, 'fixtures');
const CA = join(fixtures, 'ca.pem');
const OTHER_CA = join(fixtures, 'other-ca.pem');

/** An https server with the test CA's certificate for 127.0.0.1 and localhost. */
async function httpsServer(handler: Parameters<typeof createServer>[1]): Promise<{ origin: string; port: number }> {
  const server = createServer(
    { key: readFileSync(join(fixtures, 'server.key')), cert: readFileSync(join(fixtures, 'server.pem')), keepAliveTimeout: 10 },
    handler,
  );
  const port = await listen(server);
  return { origin: `https://127.0.0.1:${port}`, port };
}

describe('TLS', () => {
  it('refuses an untrusted certificate at once, with a hint (never retried)', async () => {
    const server = await httpsServer((request, response) => serveBytes(response, request, Buffer.from('x')));
    const { downloader, sleeps } = testDownloader();

    const error = await rejection(downloader.download(`${server.origin}/f`, new MemorySink()));

    expect(error).toMatchObject({ code: 'FETCH_TLS', attempts: 1 });
    expect(error.hint).toMatch(/SSL_CERT_FILE or NODE_EXTRA_CA_CERTS/);
    expect(sleeps).toEqual([]);
  });

  it('trusts the CAs in SSL_CERT_FILE, besides the usual roots', async () => {
    const server = await httpsServer((request, response) => serveBytes(response, request, Buffer.from('secure')));
    const { downloader } = testDownloader({ env: { SSL_CERT_FILE: CA } });
    const sink = new MemorySink();

    await downloader.download(`${server.origin}/f`, sink);

    expect(sink.bytes().toString()).toBe('secure');
  });

  it('keeps NODE_EXTRA_CA_CERTS when SSL_CERT_FILE is set (passing `ca` would otherwise drop it)', async () => {
    const server = await httpsServer((request, response) => serveBytes(response, request, Buffer.from('both')));
    const trusted = testDownloader({ env: { SSL_CERT_FILE: OTHER_CA, NODE_EXTRA_CA_CERTS: CA } });
    const untrusted = testDownloader({ env: { SSL_CERT_FILE: OTHER_CA } });
    const sink = new MemorySink();

    await trusted.downloader.download(`${server.origin}/f`, sink);
    const error = await rejection(untrusted.downloader.download(`${server.origin}/f`, new MemorySink()));

    expect(sink.bytes().toString()).toBe('both');
    expect(error).toMatchObject({ code: 'FETCH_TLS' });
  });

  it('says so when SSL_CERT_FILE cannot be read', async () => {
    const { logs } = testDownloader({ env: { SSL_CERT_FILE: '/nonexistent/ca.pem' } });
    expect(logs.join('\n')).toMatch(/cannot read SSL_CERT_FILE=\/nonexistent\/ca.pem: ENOENT/);
  });

  it('tunnels https through the proxy with CONNECT, trusting SSL_CERT_FILE inside the tunnel', async () => {
    const server = await httpsServer((request, response) => serveBytes(response, request, Buffer.from('tunnelled')));
    const proxy = await forwardProxy();
    const { downloader } = testDownloader({ env: { HTTPS_PROXY: proxy.origin, SSL_CERT_FILE: CA } });
    const sink = new MemorySink();

    await downloader.download(`${server.origin}/f`, sink);

    expect(sink.bytes().toString()).toBe('tunnelled');
    expect(proxy.tunnels).toEqual([`127.0.0.1:${server.port}`]);
  });

  it('sends no credentials after a redirect from https to plain http', async () => {
    const kim = credential('kim', 's3cr3t-downgrade');
    const plain = await httpServer((request, response) => serveBytes(response, request, Buffer.from('plain')));
    const server = await httpsServer((request, response) => {
      if (request.url === '/down') response.writeHead(302, { location: `${plain.origin}/f` }).end();
      else serveBytes(response, request, Buffer.from('x'));
    });
    const home = tempFiles({ '.netrc': `machine 127.0.0.1 login kim password ${kim.password}` });
    const { downloader } = testDownloader({ env: { SSL_CERT_FILE: CA, HOME: home } });

    await downloader.download(`${server.origin}/down`, new MemorySink());
    await downloader.download(`${plain.origin}/f`, new MemorySink());

    // netrc is per host, so the plain server gets kim's credentials when asked directly, not after a downgrade.
    expect(plain.seen.map((s) => s.headers.authorization === undefined)).toEqual([true, false]);
  });
});

describe("the premise of trust.ts: Node and undici's default store", () => {
  it('honours NODE_EXTRA_CA_CERTS without `ca`, and loses it with `ca`', () => {
    const script = `
      import https from 'node:https'; import fs from 'node:fs'; import tls from 'node:tls';
      import { Agent, request } from 'undici';
      const server = https.createServer({ key: fs.readFileSync(${JSON.stringify(join(fixtures, 'server.key'))}), cert: fs.readFileSync(${JSON.stringify(join(fixtures, 'server.pem'))}) }, (q, s) => s.end('ok'));
      await new Promise((r) => server.listen(0, '127.0.0.1', r));
      const url = 'https://127.0.0.1:' + server.address().port + '/';
      const out = {};
      for (const [name, connect] of [['default', {}], ['roots', { ca: [...tls.rootCertificates] }]]) {
        const agent = new Agent({ connect });
        try { out[name] = (await request(url, { dispatcher: agent })).statusCode; } catch (e) { out[name] = e.code; }
        await agent.close();
      }
      server.close();
      console.log(JSON.stringify(out));`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: join(import.meta.dirname, '..', '..', '..'),
      env: { ...process.env, NODE_EXTRA_CA_CERTS: CA },
      encoding: 'utf8',
    });
    expect(child.stderr).toBe('');
    const out = JSON.parse(child.stdout) as { default: unknown; roots: unknown };
    expect(out.default).toBe(200);
    expect(out.roots).toMatch(/CERT|SIGNATURE/); // an OpenSSL verification code, whichever this build reports
  });
});
