/**
 * Requests in flight: a lock of many small files keeps --concurrency
 * requests open at once against one server (default 64), never more, so that
 * round trips overlap where a CDN's latency is the cost. The server holds
 * every answer until that many requests wait on it at once, then answers
 * them all and every later one at once: a run that kept fewer in flight
 * would wait for answers that never come (and fail at --timeout).
 */
import { createHash } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { testdir } from '../helpers/testdir.js';

const FILES = 150;

interface Held {
  readonly origin: string;
  /** The most requests open at once. */
  max(): number;
}

/** Serves `files` by name; holds the answers until `gate` requests are open at once. */
async function gatedServer(files: ReadonlyMap<string, Buffer>, gate: number): Promise<Held> {
  let open = 0;
  let max = 0;
  let released = false;
  const held: Array<() => void> = [];
  const server = createServer((request, response: ServerResponse) => {
    open++;
    max = Math.max(max, open);
    response.on('close', () => open--);
    const body = files.get(decodeURIComponent(request.url!.slice('/files/'.length)));
    const answer = (): void => {
      if (body) response.writeHead(200, { 'content-length': body.length }).end(body);
      else response.writeHead(404).end();
    };
    if (released) return answer();
    held.push(answer);
    if (open >= gate) {
      released = true;
      for (const release of held.splice(0)) release();
    }
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, max: () => max };
}

function pylock(origin: string, files: ReadonlyMap<string, Buffer>): string {
  const lines = ['lock-version = "1.0"', 'created-by = "test"'];
  for (const [name, bytes] of files) {
    const project = name.split('-')[0]!;
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    lines.push('[[packages]]', `name = "${project}"`, 'version = "1.0"');
    lines.push(`wheels = [{ name = "${name}", url = "${origin}/files/${name}", size = ${bytes.length}, hashes = { sha256 = "${sha256}" } }]`);
  }
  return `${lines.join('\n')}\n`;
}

describe('requests in flight', () => {
  it.each([
    ['the default', [], 64],
    ['--concurrency 8', ['--concurrency', '8'], 8],
  ] as const)('%s: that many small files requested at once from one server, never more', async (_label, flags, expected) => {
    const files = new Map(Array.from({ length: FILES }, (_, i) => [`p${i}-1.0-py3-none-any.whl`, Buffer.from(`small file ${i}\n`.repeat(40))] as const));
    const server = await gatedServer(files, expected);
    const dir = testdir({ 'pylock.toml': pylock(server.origin, files) });
    const out = join(dir, 'wheelhouse');

    const run = await runCli([
      'collect',
      '--lock',
      join(dir, 'pylock.toml'),
      '-o',
      out,
      '--no-cache',
      '--python-platform',
      'linux',
      '--python-version',
      '3.12',
      '--timeout',
      '20',
      '--retries',
      '0',
      ...flags,
    ]);

    expect(run.code, run.stderr).toBe(0);
    expect(server.max()).toBe(expected);
    expect(readdirSync(out).filter((name) => name.endsWith('.whl'))).toHaveLength(FILES);
  });
});
