// bench/real.js: the server of the workloads' files on 127.0.0.1: nginx
// (one process, sendfile, no access log), else the static server of
// test/helpers/static-server.js in a process of its own; and, for the
// latency workload, ../shared/tools/lib/serve.py with --latency-ms (a
// threaded server that waits before every answer: a round trip to a CDN).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { python, root, shared } from '../common.js';
import { foregroundNginxConfig } from '../../test/helpers/nginx-config.js';
import { freePort } from '../../test/helpers/ports.js';
import { nginx, node, versionOf } from './machine.js';

/** nginx serving `site` on 127.0.0.1, its files in `work`/server; else the small Node server. */
export async function startServer(work, site) {
  const port = await freePort();
  const confDir = join(work, 'server');
  mkdirSync(confDir, { recursive: true });
  let child;
  let kind;
  if (nginx) {
    const conf = join(confDir, 'nginx.conf');
    const http = ['access_log off;', 'types { text/html html; }', 'default_type application/octet-stream;', 'sendfile on;', 'tcp_nopush on;', 'keepalive_requests 100000;', 'keepalive_timeout 120s;'];
    const server = ['server {', `  listen 127.0.0.1:${port};`, `  root ${site};`, '  index index.html;', '}'];
    writeFileSync(conf, foregroundNginxConfig({ nginx, workDir: confDir, errorLevel: 'warn', connections: 1024, http: [...http, ...server] }));
    child = spawn(nginx, ['-p', confDir, '-c', conf, '-e', join(confDir, 'error.log')], { stdio: ['ignore', 'ignore', 'inherit'] });
    kind = `nginx (${versionOf(nginx, ['-v'])}, one process, sendfile on)`;
  } else {
    child = spawn(node, [join(root, 'test', 'helpers', 'static-server.js'), site, String(port)], { stdio: ['ignore', 'ignore', 'inherit'] });
    kind = 'the Node static server test/helpers/static-server.js (nginx is not installed)';
  }
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode})`);
    try {
      await fetch(`${url}/`, { signal: AbortSignal.timeout(1000) });
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`the server did not answer on ${url}`);
      await new Promise((done) => setTimeout(done, 100));
    }
  }
  return { child, url, kind };
}

/** The server that emulates a round trip: serve.py, waiting `latencyMs` before every answer; null when it is not there. */
export async function startLatencyServer(work, site, latencyMs) {
  const script = join(shared, 'tools', 'lib', 'serve.py');
  if (!existsSync(script)) return null;
  const portFile = join(work, 'latency-port');
  const child = spawn(python, [script, site, '--port', '0', '--latency-ms', String(latencyMs), '--port-file', portFile], { stdio: ['ignore', 'ignore', 'inherit'] });
  const deadline = Date.now() + 15_000;
  while (!existsSync(portFile)) {
    if (child.exitCode !== null) throw new Error(`serve.py exited (${child.exitCode})`);
    if (Date.now() > deadline) throw new Error('serve.py did not start');
    await new Promise((done) => setTimeout(done, 50));
  }
  const port = readFileSync(portFile, 'utf8').trim().split(/[:/]/).pop();
  return { child, url: `http://127.0.0.1:${port}`, kind: `serve.py --latency-ms ${latencyMs} (threaded, Python)` };
}
