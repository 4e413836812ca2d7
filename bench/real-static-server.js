#!/usr/bin/env node
// A small static file server for bench/real.js, used only where nginx is not
// installed: GET and HEAD of regular files under ROOT (symlinks followed),
// index.html for a directory, 404 otherwise. It runs as its own process so
// the benchmark's timed commands never share an event loop with it, and
// prints "listening PORT" once it serves.
//
//   node bench/real-static-server.js ROOT PORT
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, resolve, sep } from 'node:path';

const [rootArg, portArg] = process.argv.slice(2);
const root = resolve(rootArg);
const types = { '.html': 'text/html' };

const server = createServer((request, response) => {
  let path;
  try {
    path = resolve(join(root, decodeURIComponent(new URL(request.url, 'http://x').pathname)));
  } catch {
    response.writeHead(400).end();
    return;
  }
  if (path !== root && !path.startsWith(root + sep)) {
    response.writeHead(403).end();
    return;
  }
  let stat;
  try {
    stat = statSync(path);
    if (stat.isDirectory()) {
      path = join(path, 'index.html');
      stat = statSync(path);
    }
  } catch {
    response.writeHead(404).end();
    return;
  }
  if (!stat.isFile() || (request.method !== 'GET' && request.method !== 'HEAD')) {
    response.writeHead(404).end();
    return;
  }
  const type = types[path.slice(path.lastIndexOf('.'))] ?? 'application/octet-stream';
  response.writeHead(200, { 'content-type': type, 'content-length': stat.size });
  if (request.method === 'HEAD') response.end();
  else createReadStream(path, { highWaterMark: 1 << 20 }).pipe(response);
});
server.keepAliveTimeout = 60_000;
server.listen(Number(portArg), '127.0.0.1', () => console.log(`listening ${server.address().port}`));
