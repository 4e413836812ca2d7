/**
 * A real nginx on 127.0.0.1 for tests that check what a static host serves
 * (lockhouse index): found on PATH (or /usr/sbin), else installed from
 * Debian's packages when the tests run as root with apt-get, else missing
 * with the reason, for `describe.skip`.
 *
 * nginx runs in the foreground as one process (`daemon off;
 * master_process off;`), a child of the test, with its pid file, logs and
 * temporary folders in the test's folder; `stop()` ends that process by its
 * pid. The access log's lines are `STATUS METHOD URI "CONTENT-TYPE"`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { foregroundNginxConfig } from './nginx-config.js';
import { freePort } from './ports.js';

export type NginxFound = { readonly nginx: string } | { readonly missing: string };

function onPath(): string | null {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const path = join(dir, 'nginx');
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return null;
}

interface Ran {
  readonly code: number | null;
  readonly output: string;
}

function runQuiet(file: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs, killSignal: 'SIGTERM' });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (error) => resolve({ code: null, output: error.message }));
    child.on('close', (code) => resolve({ code, output }));
  });
}

const tail = (text: string): string => text.trim().split('\n').slice(-3).join(' / ');

/**
 * nginx, installing Debian's nginx-light (or nginx) where it is missing and
 * the tests run as root. Services are not started by the install
 * (RUNLEVEL=1, and policy-rc.d where the machine has one): the tests start
 * their own nginx.
 */
export async function findOrInstallNginx(): Promise<NginxFound> {
  const found = onPath();
  if (found) return { nginx: found };
  if (process.platform !== 'linux') return { missing: `nginx is not installed, and installing it is done here only on Debian-like Linux` };
  if (process.getuid?.() !== 0) return { missing: 'nginx is not installed, and the tests are not root, so they cannot apt-get install it' };
  if (!onPathNamed('apt-get')) return { missing: 'nginx is not installed, and there is no apt-get to install it with' };
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive', RUNLEVEL: '1' };
  const update = await runQuiet('apt-get', ['update'], env, 300_000);
  if (update.code !== 0) return { missing: `nginx is not installed, and apt-get update failed (${tail(update.output)})` };
  let last = '';
  for (const pkg of ['nginx-light', 'nginx']) {
    const install = await runQuiet('apt-get', ['install', '-y', '--no-install-recommends', pkg], env, 300_000);
    const nginx = onPath();
    if (install.code === 0 && nginx) return { nginx };
    last = `${pkg}: ${tail(install.output)}`;
  }
  return { missing: `nginx is not installed, and apt-get install failed (${last})` };
}

function onPathNamed(name: string): boolean {
  return (process.env['PATH'] ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export interface NginxServer {
  readonly url: string;
  readonly port: number;
  /** The access log's lines so far: `STATUS METHOD URI "CONTENT-TYPE"`. */
  accessLog(): string[];
  /** nginx's error log so far, with what it printed as it started (a configuration's `[warn]` lines among them). */
  errorLog(): string;
  stop(): Promise<void>;
}

export interface NginxOptions {
  readonly nginx: string;
  /** The folder served at `/`. */
  readonly root: string;
  /** nginx's own files: config, pid, logs, temporary folders. */
  readonly workDir: string;
  /** Serve `index.json` under /simple/ to clients that ask for PEP 691 JSON (Accept), `index.html` to the others. */
  readonly negotiateJson?: boolean;
  /**
   * What goes in nginx's `http` block in place of the built-in types and
   * server (e.g. examples/nginx/lockhouse-index.conf, listening on
   * 127.0.0.1:`port`); `root` and `negotiateJson` are then the caller's.
   */
  readonly serverConfig?: (port: number) => string;
}

function config(options: NginxOptions, port: number): string {
  const { root, workDir } = options;
  const simple = options.negotiateJson ? ['  location /simple/ {', '    index $simple_index;', '    add_header Vary Accept;', '  }'] : [];
  const server = options.serverConfig
    ? [options.serverConfig(port)]
    : [
        'types {',
        '  text/html html;',
        '  application/vnd.pypi.simple.v1+json json;',
        '}',
        'default_type application/octet-stream;',
        'map $http_accept $simple_index {',
        '  default index.html;',
        '  "~application/vnd\\.pypi\\.simple\\.v1\\+json" index.json;',
        '}',
        'server {',
        `  listen 127.0.0.1:${port};`,
        `  root ${root};`,
        '  index index.html;',
        ...simple,
        '}',
      ];
  return foregroundNginxConfig({
    nginx: options.nginx,
    workDir,
    errorLevel: 'info',
    http: [`log_format lockhouse '$status $request_method $request_uri "$sent_http_content_type"';`, `access_log ${join(workDir, 'access.log')} lockhouse;`, ...server],
  });
}

/** The path the readiness probe asks for (a 404), told apart from what the tests' clients ask for. */
const READY_PROBE = '/lockhouse-test-readiness-probe';

async function waitUntilServing(url: string, child: ChildProcess, exited: () => string | null): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const why = exited();
    if (why !== null) throw new Error(why);
    try {
      await fetch(url, { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  child.kill('SIGKILL');
  throw new Error(`nginx did not answer on ${url} within 15 s`);
}

function readIfThere(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

export async function startNginx(options: NginxOptions): Promise<NginxServer> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const conf = join(options.workDir, 'nginx.conf');
    writeFileSync(conf, config(options, port));
    writeFileSync(join(options.workDir, 'access.log'), '');
    // -e: the log for errors before the config is read (else the build's default path).
    const child = spawn(options.nginx, ['-p', options.workDir, '-c', conf, '-e', join(options.workDir, 'error.log')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let exit: string | null = null;
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
    child.on('exit', (code, signal) => (exit = `nginx exited (${code ?? signal}): ${tail(output)} ${tail(readIfThere(join(options.workDir, 'error.log')))}`));
    child.on('error', (error) => (exit = `nginx did not start: ${error.message}`));
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitUntilServing(`${url}${READY_PROBE}`, child, () => exit);
    } catch (error) {
      // Another process took the port between freePort() and nginx's bind: try another.
      if (attempt < 3 && /Address already in use/.test(String(error))) continue;
      throw error;
    }
    // The log is emptied after the readiness probe, but nginx may write the probe's line a moment after
    // answering it: accessLog() leaves the probe's lines out, so the log holds what the test's clients asked for.
    writeFileSync(join(options.workDir, 'access.log'), '');
    return {
      url,
      port,
      accessLog: () =>
        readFileSync(join(options.workDir, 'access.log'), 'utf8')
          .split('\n')
          .filter((line) => line !== '' && !line.includes(READY_PROBE)),
      errorLog: () => `${output}${readIfThere(join(options.workDir, 'error.log'))}`,
      async stop() {
        if (exit === null) child.kill('SIGTERM');
        await closed;
      },
    };
  }
}
