/**
 * A real corpus lock made collectable on 127.0.0.1, for corpus tests and
 * benchmarks: `<sharedDir>/tools/mirror-lock` synthesizes every artifact the
 * lock names (same file names, valid wheels and sdists) and rewrites the
 * lock's URLs and hashes to point at them; `tools/lib/serve.py` then serves
 * the folder as a PEP 503/691 index, as a child process.
 *
 *   const why = mirrorUnavailable();
 *   it.skipIf(why)('collects flask', async () => {
 *     const mirror = await mirrorCorpusLock(join(corpusDir, 'pallets__flask'), testdir());
 *     onTestFinished(() => mirror.close());
 *     ... collect --lock mirror.lockPath ...
 *     expect((await mirror.stats()).requests).toBe(...);
 *   });
 *
 * The lock's URLs name the port, so the port is chosen before mirroring: a
 * free one is found by listening on port 0 and closing. Should another
 * process take it before serve.py binds it, the lock is rewritten for a new
 * port (mirror.py keeps the synthesized files, so that is quick).
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { freePort } from './ports.js';
import { join, resolve } from 'node:path';
import { sharedDir } from './corpus.js';
import { PYTHON, pipEnv } from './pip.js';

export const toolsDir = resolve(sharedDir, 'tools');

/**
 * serve.py's counters (GET /__lh/stats). serve.py counts its own /__lh/
 * requests too; `requests`, `by_status` and `gets` here leave them out (all
 * answered 200), so "a re-run made no requests" reads `requests === 0`.
 * `body_bytes` still includes them.
 */
export interface ServeStats {
  readonly requests: number;
  readonly by_status: Record<string, number>;
  readonly body_bytes: number;
  /** Path → GET count. */
  readonly gets: Record<string, number>;
  readonly faults: Record<string, number>;
}

async function statsOf(url: string): Promise<ServeStats> {
  const raw = (await (await fetch(`${url}/__lh/stats`)).json()) as ServeStats;
  const gets = Object.fromEntries(Object.entries(raw.gets).filter(([path]) => !path.startsWith('/__lh/')));
  const own = Object.values(raw.gets).reduce((sum, n) => sum + n, 0) - Object.values(gets).reduce((sum, n) => sum + n, 0);
  const by_status = { ...raw.by_status, 200: (raw.by_status['200'] ?? 0) - own };
  if (by_status[200] === 0) delete (by_status as Record<string, number>)['200'];
  return { ...raw, requests: raw.requests - own, by_status, gets };
}

export interface MirroredLock {
  /** The rewritten lock: OUT/project/<lock file name>. */
  readonly lockPath: string;
  readonly outDir: string;
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  stats(): Promise<ServeStats>;
  /** Zero the counters. */
  reset(): Promise<void>;
  /** Stop the server (also done when the test process exits). */
  close(): Promise<void>;
}

export interface MirrorOptions {
  /** The lock file in CASE to use (default uv.lock, else the first pylock*.toml). */
  lock?: string;
  /** Flags for lib/mirror.py, e.g. ['--size-scale', '0.1']. */
  mirrorArgs?: readonly string[];
  /** Flags for lib/serve.py, e.g. faults: ['--fail-rate', '0.1', '--seed', '1']. */
  serveArgs?: readonly string[];
}

let unavailable: string | null | undefined;

/** Why corpus locks cannot be mirrored here (no tools folder, no python3, no packaging), or null. Says so once on stderr. */
export function mirrorUnavailable(): string | null {
  if (unavailable !== undefined) return unavailable;
  const probe = spawnSync(PYTHON, ['-c', 'import packaging'], { encoding: 'utf8', env: pipEnv() });
  unavailable = !existsSync(join(toolsDir, 'mirror-lock'))
    ? `${toolsDir}/mirror-lock is absent (set LOCKHOUSE_SHARED_DIR to the folder holding tools/)`
    : probe.error
      ? `${PYTHON} is not available (${probe.error.message})`
      : probe.status !== 0
        ? `${PYTHON} has no 'packaging' module, which mirror-lock needs`
        : null;
  if (unavailable) console.warn(`lockhouse tests: ${unavailable}; the tests that mirror corpus locks are skipped`);
  return unavailable;
}

/** { available } for `describe.skipIf(!mirrorAvailable().available)`, with the reason when not. */
export function mirrorAvailable(): { readonly available: true } | { readonly available: false; readonly reason: string } {
  const reason = mirrorUnavailable();
  return reason === null ? { available: true } : { available: false, reason };
}

function mirror(caseDir: string, outDir: string, port: number, args: readonly string[]): Promise<void> {
  const extra = args.length ? ['--', ...args] : [];
  return new Promise((done, fail) => {
    execFile(join(toolsDir, 'mirror-lock'), [caseDir, outDir, '--port', String(port), ...extra], { env: pipEnv(), maxBuffer: 64 << 20 }, (error, _stdout, stderr) =>
      error ? fail(new Error(`mirror-lock ${caseDir} failed: ${stderr || error.message}`)) : done(),
    );
  });
}

// serve.py runs under a small launcher that exits when its stdin reaches
// end of file, which happens however the test process ends (vitest may end a
// worker without firing 'exit', or it may be SIGKILLed): no server outlives
// its test run.
const LAUNCHER = `
import os, runpy, sys, threading
def watch():
    sys.stdin.buffer.read()
    os._exit(0)
threading.Thread(target=watch, daemon=True).start()
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
`;

/** Start serve.py; resolves once it prints that it is serving, rejects if it exits first (the port was taken). */
function serve(outDir: string, port: number, args: readonly string[]): Promise<ChildProcess> {
  const serveArgs = [join(toolsDir, 'lib', 'serve.py'), outDir, '--port', String(port), ...args];
  const child = spawn(PYTHON, ['-u', '-c', LAUNCHER, ...serveArgs], { env: pipEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  // Both pipes are always read: a full stderr pipe would block the server.
  child.stderr!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  return new Promise((ready, fail) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('serving ')) ready(child);
    });
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`serve.py exited (${code}) before serving: ${output.trim()}`)));
  });
}

function lockName(caseDir: string): string {
  const files = readdirSync(caseDir).sort();
  const name = files.includes('uv.lock') ? 'uv.lock' : files.find((file) => /^pylock(\.[^.]+)?\.toml$/.test(file));
  if (!name) throw new Error(`${caseDir} holds no uv.lock or pylock*.toml`);
  return name;
}

export async function mirrorCorpusLock(caseDir: string, outDir: string, options: MirrorOptions = {}): Promise<MirroredLock> {
  const why = mirrorUnavailable();
  if (why) throw new Error(why);
  const lock = options.lock ?? lockName(caseDir);
  const mirrorArgs = [...(options.mirrorArgs ?? []), '--lock', lock, '-q'];
  let child: ChildProcess | undefined;
  let port = 0;
  for (let attempt = 1; !child; attempt++) {
    port = await freePort();
    await mirror(caseDir, outDir, port, mirrorArgs);
    try {
      child = await serve(outDir, port, options.serveArgs ?? []);
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
  const server = child;
  const url = `http://127.0.0.1:${port}`;
  let closed: Promise<void> | undefined;
  return {
    lockPath: join(outDir, 'project', lock),
    outDir,
    url,
    port,
    stats: () => statsOf(url),
    reset: async () => void (await (await fetch(`${url}/__lh/reset`)).arrayBuffer()),
    close() {
      closed ??= new Promise<void>((done) => {
        if (server.exitCode !== null || server.signalCode !== null) return done();
        server.once('exit', () => done());
        server.stdin!.end();
        server.kill('SIGTERM');
      });
      return closed;
    },
  };
}
