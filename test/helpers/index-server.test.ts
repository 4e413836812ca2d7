import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { Agent, request, type Dispatcher } from 'undici';
import { makeSdist, makeWheel, type Artifact } from './artifacts.js';
import { startIndexServer, type IndexServer, type IndexServerOptions, PEP691_JSON } from './index-server.js';

const wheel = makeWheel({ name: 'Demo.Pkg', version: '1.0+local', sizeBytes: 100_000, requiresPython: '>=3.9,<4' });
const sdist = makeSdist({ name: 'Demo.Pkg', version: '1.0+local' });

async function server(options: IndexServerOptions = {}): Promise<IndexServer> {
  const started = await startIndexServer({ artifacts: [wheel, sdist], ...options });
  onTestFinished(() => started.close());
  return started;
}

const agent = new Agent({ keepAliveTimeout: 10 });
afterAll(() => agent.close());

interface Got {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
  /** The error that cut the body short, if one did. */
  readonly error?: string;
}

/** One request; the body as far as it came, and the error that ended it early. */
async function get(url: string, options: Partial<Dispatcher.RequestOptions> = {}): Promise<Got> {
  const res = await request(url, { dispatcher: agent, ...options } as Dispatcher.RequestOptions);
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of res.body) chunks.push(chunk as Buffer);
  } catch (error) {
    return { status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks), error: (error as { code?: string }).code ?? String(error) };
  }
  return { status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) };
}

const sha = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
const filePath = (artifact: Artifact): string => `/files/${encodeURIComponent(artifact.filename)}`;

describe('files', () => {
  it('serves the bytes with Content-Length, ETag and Accept-Ranges; HEAD sends no body; If-None-Match gives 304', async () => {
    const s = await server();
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(s.fileUrl(wheel.filename)).toBe(`${s.url}/files/demo_pkg-1.0%2Blocal-py3-none-any.whl`);
    expect(s.filePath(wheel.filename)).toBe('/files/demo_pkg-1.0%2Blocal-py3-none-any.whl');
    const got = await get(s.fileUrl(wheel.filename));
    expect(got.status).toBe(200);
    expect(sha(got.body)).toBe(wheel.sha256);
    expect(got.headers['content-length']).toBe(String(wheel.size));
    expect(got.headers['accept-ranges']).toBe('bytes');
    const head = await get(s.fileUrl(wheel.filename), { method: 'HEAD' });
    expect([head.status, head.headers['content-length'], head.body.length]).toEqual([200, String(wheel.size), 0]);
    const again = await get(s.fileUrl(wheel.filename), { headers: { 'if-none-match': String(got.headers['etag']) } });
    expect(again.status).toBe(304);
    expect((await get(`${s.url}/files/nope.whl`)).status).toBe(404);
  });

  it.each([
    ['bytes=10-', 10, 'end'],
    ['bytes=0-9', 0, 9],
    ['bytes=-5', 'size-5', 'end'],
    ['bytes=100-99999999', 100, 'end'],
  ] as const)('answers Range %s with 206 and Content-Range', async (range, from, to) => {
    const s = await server();
    const start = from === 'size-5' ? wheel.size - 5 : from;
    const end = to === 'end' ? wheel.size - 1 : to;
    const got = await get(s.fileUrl(wheel.filename), { headers: { range } });
    expect(got.status).toBe(206);
    expect(got.headers['content-range']).toBe(`bytes ${start}-${end}/${wheel.size}`);
    expect(got.body.equals(wheel.bytes.subarray(start, end + 1))).toBe(true);
  });

  it('answers an unsatisfiable range with 416, and several ranges with the whole file', async () => {
    const s = await server();
    const past = await get(s.fileUrl(wheel.filename), { headers: { range: `bytes=${wheel.size}-` } });
    expect([past.status, past.headers['content-range']]).toEqual([416, `bytes */${wheel.size}`]);
    const several = await get(s.fileUrl(wheel.filename), { headers: { range: 'bytes=0-1,5-6' } });
    expect([several.status, several.body.length]).toEqual([200, wheel.size]);
  });

  it('serves an artifact added later, replacing one of the same name', async () => {
    const s = await server({ artifacts: [] });
    expect((await get(s.fileUrl(wheel.filename))).status).toBe(404);
    expect(s.add(wheel)).toBe(s.fileUrl(wheel.filename));
    expect((await get(s.fileUrl(wheel.filename))).status).toBe(200);
  });
});

describe('simple API', () => {
  it('answers PEP 691 JSON when the Accept header asks for it', async () => {
    const s = await server();
    const got = await get(`${s.url}/simple/demo-pkg/`, { headers: { accept: `${PEP691_JSON}, text/html;q=0.1` } });
    expect(got.headers['content-type']).toBe(PEP691_JSON);
    expect(JSON.parse(got.body.toString())).toEqual({
      meta: { 'api-version': '1.1' },
      name: 'demo-pkg',
      versions: ['1.0+local'],
      files: [
        { filename: wheel.filename, url: s.fileUrl(wheel.filename), hashes: { sha256: wheel.sha256 }, size: wheel.size, 'requires-python': '>=3.9,<4' },
        { filename: sdist.filename, url: s.fileUrl(sdist.filename), hashes: { sha256: sdist.sha256 }, size: sdist.size },
      ],
    });
    const root = await get(`${s.url}/simple/`, { headers: { accept: PEP691_JSON } });
    expect(JSON.parse(root.body.toString())).toEqual({ meta: { 'api-version': '1.1' }, projects: [{ name: 'demo-pkg' }] });
  });

  it('answers PEP 503 HTML otherwise, with #sha256= fragments and escaped data-requires-python', async () => {
    const s = await server();
    const got = await get(`${s.url}/simple/demo-pkg/`);
    expect(got.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(got.body.toString()).toContain(
      `<a href="${s.fileUrl(wheel.filename)}#sha256=${wheel.sha256}" data-requires-python="&gt;=3.9,&lt;4">${wheel.filename}</a><br/>`,
    );
    expect((await get(`${s.url}/simple/`)).body.toString()).toContain('<a href="demo-pkg/">demo-pkg</a>');
  });

  it('serves only HTML with pep691: false, and relative links with links: relative', async () => {
    const s = await server({ pep691: false, links: 'relative' });
    const got = await get(`${s.url}/simple/demo-pkg/`, { headers: { accept: PEP691_JSON } });
    expect(got.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(got.body.toString()).toContain(`<a href="../../files/${encodeURIComponent(sdist.filename)}#sha256=${sdist.sha256}">`);
  });

  it('redirects names that are not normalized and answers 404 for unknown projects', async () => {
    const s = await server();
    const got = await get(`${s.url}/simple/Demo.Pkg/`);
    expect([got.status, got.headers['location']]).toEqual([301, '/simple/demo-pkg/']);
    expect((await get(`${s.url}/simple/demo-pkg`)).headers['location']).toBe('/simple/demo-pkg/');
    expect((await get(`${s.url}/simple/other/`)).status).toBe(404);
  });

  it('lists a file under another project, and yanked files', async () => {
    const s = await server({ artifacts: [] });
    s.add(wheel, { project: 'Elsewhere', yanked: 'broken' });
    const got = await get(`${s.url}/simple/elsewhere/`, { headers: { accept: PEP691_JSON } });
    expect(JSON.parse(got.body.toString()).files[0].yanked).toBe('broken');
    expect((await get(`${s.url}/simple/elsewhere/`)).body.toString()).toContain('data-yanked="broken"');
  });
});

describe('request log and auth', () => {
  it('logs method, path, headers, status and bytes, and counts per path', async () => {
    const s = await server();
    await get(s.fileUrl(wheel.filename), { headers: { range: 'bytes=100-' } });
    await get(s.fileUrl(wheel.filename), { method: 'HEAD' });
    await get(`${s.url}/simple/demo-pkg/`);
    expect(s.requests.all.map((r) => [r.method, r.path, r.status, r.bytes])).toEqual([
      ['GET', filePath(wheel), 206, wheel.size - 100],
      ['HEAD', filePath(wheel), 200, 0],
      ['GET', '/simple/demo-pkg/', 200, expect.any(Number)],
    ]);
    expect(s.requests.all[0]!.headers.range).toBe('bytes=100-');
    expect(s.requests.count(filePath(wheel))).toBe(2);
    expect(s.requests.count(/^\/files\//, 'GET')).toBe(1);
    expect(s.requests.counts()).toEqual({ [filePath(wheel)]: 2, '/simple/demo-pkg/': 1 });
    expect(s.requests.bytes(/^\/files\//)).toBe(wheel.size - 100);
    s.resetLog();
    expect(s.requests.length).toBe(0);
  });

  it('answers 401 without the right Basic credentials, only on the guarded paths', async () => {
    const s = await server({ requireAuth: { user: 'u', password: 'p@ss', paths: '/files/' } });
    const none = await get(s.fileUrl(wheel.filename));
    expect([none.status, none.headers['www-authenticate']]).toEqual([401, 'Basic realm="lockhouse-test"']);
    const wrong = await get(s.fileUrl(wheel.filename), { headers: { authorization: `Basic ${Buffer.from('u:x').toString('base64')}` } });
    expect(wrong.status).toBe(401);
    const right = await get(s.fileUrl(wheel.filename), { headers: { authorization: `Basic ${Buffer.from('u:p@ss').toString('base64')}` } });
    expect(right.status).toBe(200);
    expect((await get(`${s.url}/simple/demo-pkg/`)).status).toBe(200);
    expect(s.requests.all.map((r) => r.headers.authorization ?? null)).toEqual([null, 'Basic dTp4', 'Basic dTpwQHNz', null]);
  });
});

describe('faults', () => {
  it('takes one fault per GET, in order: 500 then success; HEAD takes none', async () => {
    const s = await server();
    s.fault(filePath(wheel), [{ status: 500 }, { status: 429, headers: { 'Retry-After': '1' } }]);
    expect((await get(s.fileUrl(wheel.filename), { method: 'HEAD' })).status).toBe(200);
    expect((await get(s.fileUrl(wheel.filename))).status).toBe(500);
    const limited = await get(s.fileUrl(wheel.filename));
    expect([limited.status, limited.headers['retry-after']]).toEqual([429, '1']);
    expect((await get(s.fileUrl(wheel.filename))).status).toBe(200);
    expect(s.requests.all.map((r) => r.fault ?? null)).toEqual([null, 'status', 'status', null]);
  });

  it('repeats a fault `times` times, and matches paths by RegExp', async () => {
    const s = await server();
    s.fault(/\.whl$/, { status: 503, times: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await get(s.fileUrl(wheel.filename))).status);
    expect(statuses).toEqual([503, 503, 200]);
    expect((await get(s.fileUrl(sdist.filename))).status).toBe(200);
    s.fault(/\.whl$/, { status: 500, times: Infinity });
    expect((await get(s.fileUrl(wheel.filename))).status).toBe(500);
    s.clearFaults();
    expect((await get(s.fileUrl(wheel.filename))).status).toBe(200);
  });

  it('drops the connection mid-body, or after a given number of bytes', async () => {
    const s = await server();
    s.fault(filePath(wheel), [{ drop: 'mid-body' }, { drop: 1000 }]);
    const half = await get(s.fileUrl(wheel.filename));
    expect(half.status).toBe(200);
    expect(half.error).toBeDefined();
    expect(half.body.length).toBe(wheel.size >> 1);
    expect(half.body.equals(wheel.bytes.subarray(0, wheel.size >> 1))).toBe(true);
    const early = await get(s.fileUrl(wheel.filename));
    expect([early.body.length, early.error !== undefined]).toEqual([1000, true]);
    expect(s.requests.all.map((r) => r.bytes)).toEqual([wheel.size >> 1, 1000]);
    // The resume a downloader would send:
    const rest = await get(s.fileUrl(wheel.filename), { headers: { range: `bytes=${half.body.length}-` } });
    expect(sha(Buffer.concat([half.body, rest.body]))).toBe(wheel.sha256);
  });

  it('sends a short body under the full Content-Length', async () => {
    const s = await server();
    s.fault(filePath(wheel), { short: 10 });
    const got = await get(s.fileUrl(wheel.filename));
    expect(got.headers['content-length']).toBe(String(wheel.size));
    expect(got.body.length).toBe(wheel.size - 10);
    expect(got.error).toBeDefined();
  });

  it('corrupts one byte, same length', async () => {
    const s = await server();
    s.fault(filePath(wheel), [{ corrupt: true }, { corrupt: true }]);
    const got = await get(s.fileUrl(wheel.filename));
    expect(got.body.length).toBe(wheel.size);
    expect(sha(got.body)).not.toBe(wheel.sha256);
    expect([...got.body].filter((byte, i) => byte !== wheel.bytes[i])).toHaveLength(1);
    const ranged = await get(s.fileUrl(wheel.filename), { headers: { range: 'bytes=10-20' } });
    expect(ranged.body[0]).toBe(wheel.bytes[10]! ^ 0xff);
    expect(ranged.body.subarray(1).equals(wheel.bytes.subarray(11, 21))).toBe(true);
  });

  it('stalls after the headers (a body timeout) or before them (a headers timeout)', async () => {
    const s = await server();
    s.fault(filePath(wheel), [{ stall: 5_000 }, { stall: 5_000, before: 'headers' }, { stall: 150 }]);
    const body = await get(s.fileUrl(wheel.filename), { bodyTimeout: 100 });
    expect([body.status, body.error]).toEqual([200, 'UND_ERR_BODY_TIMEOUT']);
    await expect(get(s.fileUrl(wheel.filename), { headersTimeout: 100 })).rejects.toMatchObject({ code: 'UND_ERR_HEADERS_TIMEOUT' });
    const started = Date.now();
    const late = await get(s.fileUrl(wheel.filename));
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(sha(late.body)).toBe(wheel.sha256);
  });

  it('redirects to a URL or a path on the same server', async () => {
    const s = await server();
    const other = 'http://127.0.0.2:1/files/x.whl';
    s.fault('/moved/x.whl', [{ redirect: other }, { redirect: filePath(wheel), status: 301 }]);
    const first = await get(`${s.url}/moved/x.whl`);
    expect([first.status, first.headers['location']]).toEqual([302, other]);
    const second = await get(`${s.url}/moved/x.whl`);
    expect([second.status, second.headers['location']]).toEqual([301, s.fileUrl(wheel.filename)]);
  });

  it('ignores a Range header, answering 200 with the whole body', async () => {
    const s = await server();
    s.fault(filePath(wheel), { ignoreRange: true });
    const got = await get(s.fileUrl(wheel.filename), { headers: { range: 'bytes=500-' } });
    expect([got.status, got.headers['content-range'], sha(got.body)]).toEqual([200, undefined, wheel.sha256]);
  });

  it('sends a body longer than the file (chunked, no Content-Length)', async () => {
    const s = await server();
    s.fault(filePath(wheel), { long: 7 });
    const got = await get(s.fileUrl(wheel.filename));
    expect([got.headers['content-length'], got.headers['transfer-encoding']]).toEqual([undefined, 'chunked']);
    expect(got.body.length).toBe(wheel.size + 7);
    expect(got.body.subarray(0, wheel.size).equals(wheel.bytes)).toBe(true);
  });

  it('throttles a body to about the given rate', async () => {
    const s = await server();
    s.fault(filePath(sdist), { throttle: Math.ceil(sdist.size / 0.3) });
    const started = Date.now();
    const got = await get(s.fileUrl(sdist.filename));
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(sha(got.body)).toBe(sdist.sha256);
  });

  it('closes promptly while a response is stalled', async () => {
    const s = await server();
    // Stalled for longer than the test may take: were close() to wait for the stall, the test would time out.
    s.fault(filePath(wheel), { stall: 3_600_000 });
    const pending = get(s.fileUrl(wheel.filename));
    while (s.requests.count(filePath(wheel)) === 0) await new Promise((resolve) => setImmediate(resolve));
    await s.close();
    expect((await pending).error).toBeDefined();
  });
});
