/**
 * Servers that misbehave on purpose, through the real CLI (a child process,
 * so a run that hangs fails the test's timeout instead of blocking it):
 * a --mirror page with a malformed anchor, bodies larger than the lock says
 * (endless, announced as 1 TB, without a length), a body that drips, and a
 * header carrying a terminal control. Each run must end, with the documented
 * code and exit, nothing partial left in DIR, the other file collected, and
 * every message free of raw control characters.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { type Server as NetServer, type Socket, createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { Manifest } from '../../src/output/manifest.js';
import { type Artifact, makeWheel } from '../helpers/artifacts.js';
import { fixtureUvLock } from '../helpers/fixture-lock.js';
import { startLockhouse } from '../helpers/process.js';
import { testdir } from '../helpers/testdir.js';

const TARGET = ['--python-platform', 'x86_64-manylinux_2_28', '--python-version', '3.12'];
const victim = makeWheel({ name: 'victim', version: '1.0', sizeBytes: 201_052 });
const bystander = makeWheel({ name: 'bystander', version: '1.0', sizeBytes: 20_000 });
const artifacts: Artifact[] = [victim, bystander];
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

type Answer = (socket: Socket, request: { path: string; range: number | null; index: number }) => void;

interface Hostile {
  readonly url: string;
  /** Requests per path, in order. */
  readonly seen: string[];
  /** Bytes written to each connection, summed. */
  sent(): number;
  /** What the simple pages (`/simple/<project>/`) answer: HTML, or null for a 404. */
  pages(render: (path: string) => string | null): void;
}

/**
 * An HTTP/1.1 server written on raw sockets, so it can send what no HTTP
 * library would: `answer` handles the victim's file; every other file is
 * served whole.
 */
async function hostileServer(answer: Answer): Promise<Hostile> {
  const seen: string[] = [];
  const sockets = new Set<Socket>();
  let written = 0;
  const server: NetServer = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      written += socket.bytesWritten;
      sockets.delete(socket);
    });
    let buffer = '';
    socket.on('data', (data) => {
      buffer += data.toString('latin1');
      let end: number;
      while ((end = buffer.indexOf('\r\n\r\n')) !== -1) {
        const head = buffer.slice(0, end);
        buffer = buffer.slice(end + 4);
        const path = head.split(' ')[1] ?? '';
        const range = /^range: bytes=(\d+)-/im.exec(head);
        seen.push(path);
        const artifact = artifacts.find((a) => path === `/files/${a.filename}`);
        if (artifact === victim) answer(socket, { path, range: range ? Number(range[1]) : null, index: seen.filter((p) => p === path).length - 1 });
        else if (artifact) socket.write(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\ncontent-length: ${artifact.bytes.length}\r\n\r\n`), artifact.bytes]));
        else answerPage(socket, path);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  const port = (server.address() as { port: number }).port;
  const url = `http://127.0.0.1:${port}`;
  let pageFor: ((path: string) => string | null) | null = null;
  function answerPage(socket: Socket, path: string): void {
    const page = pageFor?.(path) ?? null;
    if (page === null) socket.write('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n');
    else socket.write(`HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: ${Buffer.byteLength(page)}\r\n\r\n${page}`);
  }
  const hostile: Hostile = {
    url,
    seen,
    sent: () => written + [...sockets].reduce((sum, socket) => sum + socket.bytesWritten, 0),
    pages(render: (path: string) => string | null) {
      pageFor = render;
    },
  };
  return hostile;
}

/** Write `chunk` while the client reads, until the connection closes. */
function endless(socket: Socket, chunk: Buffer): void {
  const pump = (): void => {
    while (!socket.destroyed && socket.write(chunk));
    if (!socket.destroyed) socket.once('drain', pump);
  };
  pump();
}

/** One byte every `everyMs` until the connection closes. */
function drip(socket: Socket, everyMs: number): void {
  const timer = setInterval(() => socket.write('x'), everyMs);
  socket.on('close', () => clearInterval(timer));
  onTestFinished(() => clearInterval(timer));
}

function project(options: { base: string; lock?: (text: string) => string }) {
  const text = fixtureUvLock(artifacts, { base: options.base });
  const dir = testdir({ 'uv.lock': options.lock ? options.lock(text) : text });
  const out = join(dir, 'wheelhouse');
  const collect = async (extra: string[] = [], env: NodeJS.ProcessEnv = process.env) => {
    const run = startLockhouse(['collect', '--lock', join(dir, 'uv.lock'), '-o', out, '--no-cache', ...TARGET, ...extra], env);
    onTestFinished(() => {
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
    });
    const done = await run.done;
    const manifestPath = join(out, 'lockhouse.json');
    const manifestText = existsSync(manifestPath) ? readFileSync(manifestPath, 'utf8') : '';
    return { ...done, manifestText, manifest: manifestText ? Manifest.parse(JSON.parse(manifestText)) : null };
  };
  return { dir, out, collect };
}

function nothingPartial(out: string): void {
  expect(existsSync(join(out, victim.filename))).toBe(false);
  const tmp = join(out, '.lockhouse', 'tmp');
  expect(existsSync(tmp) ? readdirSync(tmp) : []).toEqual([]);
  expect(readFileSync(join(out, bystander.filename)).equals(bystander.bytes)).toBe(true);
}

describe('a --mirror page with a malformed anchor', () => {
  it('`<a =>x</a>` on the page: collect ends, through the mirror (it spun forever at 100% CPU)', async () => {
    const server = await hostileServer((socket) => socket.write(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\ncontent-length: ${victim.bytes.length}\r\n\r\n`), victim.bytes])));
    server.pages((path) =>
      path === '/simple/victim/'
        ? `<!DOCTYPE html><html><body><a =>x</a>\n<a href="/files/${victim.filename}#sha256=${victim.sha256}">${victim.filename}</a><br/>\n</body></html>`
        : path === '/simple/bystander/'
          ? `<a href="/files/${bystander.filename}">${bystander.filename}</a>`
          : null,
    );
    const dead = 'http://127.0.0.1:9';
    const p = project({ base: dead });

    const run = await p.collect(['--mirror', `${dead}/simple=${server.url}/simple`, '--retries', '0']);

    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(join(p.out, victim.filename)).equals(victim.bytes)).toBe(true);
    expect(server.seen).toContain('/simple/victim/');
  }, 60_000);
});

describe('a body larger than the lock says', () => {
  const cases: ReadonlyArray<{ name: string; answer: Answer }> = [
    { name: 'an endless chunked body', answer: (socket) => (socket.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n'), endless(socket, Buffer.from(`10000\r\n${'x'.repeat(0x10000)}\r\n`))) },
    { name: 'a Content-Length of 1 TB', answer: (socket) => (socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${2 ** 40}\r\n\r\n`), endless(socket, Buffer.alloc(0x10000, 1))) },
    { name: 'a body without a length, to the end of the connection', answer: (socket) => (socket.write('HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n'), endless(socket, Buffer.alloc(0x10000, 1))) },
  ];
  for (const { name, answer } of cases) {
    it(`${name}: FETCH_TOO_LARGE (exit 1) after one request, nothing past the locked size read, nothing left`, async () => {
      const server = await hostileServer(answer);
      const p = project({ base: server.url });

      const run = await p.collect(['--retries', '3', '--json']);

      expect(run.code, run.stderr).toBe(1);
      expect(run.manifest!.failures.map((f) => [f.filename, f.code])).toEqual([[victim.filename, 'FETCH_TOO_LARGE']]);
      // Not retried, and not fetched once more as a failed hash would be.
      expect(server.seen.filter((path) => path === `/files/${victim.filename}`)).toHaveLength(1);
      // The error names the file (the summary line) and says what to do.
      expect(run.stderr).toMatch(new RegExp(`victim 1\\.0 ${victim.filename.replace(/\./g, '\\.')}: \\[FETCH_TOO_LARGE\\] GET \\S+: .*${victim.size}.*re-lock`));
      nothingPartial(p.out);
      // What the server managed to send: the locked size plus what sockets buffer, not gigabytes.
      expect(server.sent()).toBeLessThan(victim.size + 64 * 1024 * 1024);
      console.info(`hostile: ${name}: the server got ${server.sent()} bytes out (both files) for a ${victim.size}-byte lock entry; exit ${run.code}`);
    }, 60_000);
  }

  it('a file the lock gives no size for is bounded by --max-file-size (or LOCKHOUSE_MAX_FILE_SIZE)', async () => {
    const server = await hostileServer((socket) => (socket.write('HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n'), endless(socket, Buffer.alloc(0x10000, 1))));
    const p = project({ base: server.url, lock: (text) => text.replace(/, size = \d+/g, '') });

    const byFlag = await p.collect(['--max-file-size', '300K', '--json']);
    const byEnv = await p.collect(['--json'], { ...process.env, LOCKHOUSE_MAX_FILE_SIZE: '300KiB' });

    for (const run of [byFlag, byEnv]) {
      expect(run.code, run.stderr).toBe(1);
      expect(run.manifest!.failures.map((f) => [f.filename, f.code])).toEqual([[victim.filename, 'FETCH_TOO_LARGE']]);
      expect(run.stderr).toContain('--max-file-size (300 KiB)');
      nothingPartial(p.out);
    }
    expect(server.seen.filter((path) => path === `/files/${victim.filename}`)).toHaveLength(2);
  }, 60_000);

  it('a bad --max-file-size is a usage error (exit 2)', async () => {
    const p = project({ base: 'http://127.0.0.1:9' });
    const run = await p.collect(['--max-file-size', 'lots']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('error[USAGE]: --max-file-size takes a number of bytes of at least 1, with an optional unit');
  });
});

describe('a body that drips', () => {
  it('one byte every 20 ms: FETCH_TOO_SLOW after a window of --timeout, resumed once, exit 1 (it never tripped --timeout)', async () => {
    const server = await hostileServer((socket, { range }) => {
      const start = range ?? 0;
      socket.write(
        start === 0
          ? `HTTP/1.1 200 OK\r\ncontent-length: ${victim.size}\r\n\r\n`
          : `HTTP/1.1 206 Partial Content\r\ncontent-length: ${victim.size - start}\r\ncontent-range: bytes ${start}-${victim.size - 1}/${victim.size}\r\n\r\n`,
      );
      drip(socket, 20);
    });
    const p = project({ base: server.url });

    const run = await p.collect(['--timeout', '2', '--retries', '1', '--json']);

    expect(run.code, run.stderr).toBe(1);
    expect(run.manifest!.failures.map((f) => [f.filename, f.code])).toEqual([[victim.filename, 'FETCH_TOO_SLOW']]);
    expect(run.manifest!.failures[0]!.reason).toMatch(/bytes? arrived in \d+(\.\d)? s, below --min-rate \(1 KiB\/s\): .*lower --min-rate.* \(after 2 attempts\)$/);
    expect(server.seen.filter((path) => path === `/files/${victim.filename}`)).toHaveLength(2);
    nothingPartial(p.out);
    console.info(`hostile: drip: ${run.manifest!.failures[0]!.reason.replace(/^GET \S+: /, '')}; the server got ${server.sent()} bytes out`);
  }, 60_000);
});

describe('a header with a terminal control in it', () => {
  it('U+009B (CSI) in a Content-Range reaches neither stderr nor the manifest raw', async () => {
    const server = await hostileServer((socket, { range }) => {
      if (range === null) {
        socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${victim.size}\r\n\r\n`);
        socket.end(victim.bytes.subarray(0, 1000)); // cut: the retry asks for a range
        return;
      }
      socket.write(Buffer.from(`HTTP/1.1 206 Partial Content\r\ncontent-range: bytes 0-9/10\x9b[2J\x9b[31mowned\r\ncontent-length: 10\r\n\r\n0123456789`, 'latin1'));
    });
    const p = project({ base: server.url });

    const run = await p.collect(['--retries', '1', '--json', '-v']);

    expect(run.code, run.stderr).toBe(1);
    expect(run.manifest!.failures.map((f) => f.code)).toEqual(['FETCH_BAD_RESPONSE']);
    expect(run.manifest!.failures[0]!.reason).toContain('"bytes 0-9/10\\u009b[2J\\u009b[31mowned"');
    for (const [what, text] of [['stderr', run.stderr], ['stdout', run.stdout], ['lockhouse.json', run.manifestText]] as const) {
      expect(CONTROL.test(text), `${what}: ${JSON.stringify(text)}`).toBe(false);
    }
    nothingPartial(p.out);
  }, 60_000);
});
