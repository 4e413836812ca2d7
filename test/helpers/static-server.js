#!/usr/bin/env node
// A static file server on 127.0.0.1, for the demo's index (scripts/demo.js)
// and for bench/real.js where nginx is not installed: GET and HEAD of
// regular files under ROOT (symlinks followed), a folder's index.html, 404
// otherwise, 403 for a path that leaves ROOT. Plain JavaScript (types in
// static-server.d.ts).
//
// In a process of its own (a benchmark's timed commands must never share an
// event loop with the server), it prints "listening PORT" once it serves:
//
//   node test/helpers/static-server.js ROOT PORT
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = { '.html': 'text/html', '.json': 'application/vnd.pypi.simple.v1+json', '.whl': 'application/octet-stream', '.gz': 'application/gzip' };

/** The regular file a URL path names under `root`, with its size, or the status to answer instead. */
function fileFor(root, urlPath) {
  let path;
  try {
    path = resolve(join(root, decodeURIComponent(new URL(urlPath ?? '/', 'http://x').pathname)));
  } catch {
    return { status: 400 };
  }
  if (path !== root && !path.startsWith(root + sep)) return { status: 403 };
  try {
    let stats = statSync(path);
    if (stats.isDirectory()) {
      path = join(path, 'index.html');
      stats = statSync(path);
    }
    return stats.isFile() ? { path, size: stats.size } : { status: 404 };
  } catch {
    return { status: 404 };
  }
}

/** Serve `root` on 127.0.0.1:`port` (0: any free port); resolves once it listens. */
export function serveDirectory(root, { port = 0 } = {}) {
  const base = resolve(root);
  const server = createServer((request, response) => {
    const found = fileFor(base, request.url);
    if (found.status) return void response.writeHead(found.status).end();
    if (request.method !== 'GET' && request.method !== 'HEAD') return void response.writeHead(404).end();
    const type = TYPES[found.path.slice(found.path.lastIndexOf('.'))] ?? 'application/octet-stream';
    response.writeHead(200, { 'content-type': type, 'content-length': found.size });
    if (request.method === 'HEAD') return void response.end();
    createReadStream(found.path, { highWaterMark: 1 << 20 }).pipe(response);
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((ready, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => {
      const bound = server.address().port;
      ready({ url: `http://127.0.0.1:${bound}`, port: bound, close: () => new Promise((done) => server.close(done)) });
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [root, port] = process.argv.slice(2);
  if (!root || port === undefined) {
    console.error('usage: node test/helpers/static-server.js ROOT PORT');
    process.exit(2);
  }
  const served = await serveDirectory(root, { port: Number(port) });
  console.log(`listening ${served.port}`);
}
