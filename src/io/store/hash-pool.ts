/**
 * Hashing whole files off the main thread: the cache entry read on every
 * warm collect (verified on read), files already in DIR, `verify`, the
 * files `lockhouse index` lists. A worker opens, reads and hashes the file
 * itself, so no byte crosses threads, and several files are hashed at once
 * on as many cores while the main thread goes on (a warm collect is all
 * hashing: docs/performance.md has the figures).
 *
 * A file being written through a TempFile (a download, a file copied in)
 * is hashed here too once it passes 32 MiB (openStreamHasher, called by
 * temp-files.ts): the worker reads each written span back through the
 * writer's descriptor, so no byte is copied between threads (copying them,
 * or sharing memory, cost more than the hashing saved: docs/performance.md).
 * Smaller files are hashed on the main thread, where the messages and the
 * second read would cost more than their hash.
 *
 * Threads: one per core, at most four, started as the work needs them;
 * none on one core, or with `LOCKHOUSE_HASH_THREADS=0`, or where a thread
 * cannot start or stops: then hashFileInWorker answers null and the caller
 * hashes on this thread. A worker is ref'd only while it has work, so an idle pool
 * never keeps the process alive.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Algorithm } from './digest.js';
import type { Actual } from './types.js';

/**
 * The worker, evaluated from this text: no file to find, under dist/ or
 * under a test runner alike. An evaluated worker is CommonJS or an ES module
 * as its process's `--input-type` says (a library user may run either), so
 * it uses neither `require` nor `import` statements: only `import()`,
 * which both have. Messages wait on the port until the listener is added.
 */
const WORKER_SOURCE = String.raw`
(async () => {
const { parentPort } = await import('node:worker_threads');
const { createHash } = await import('node:crypto');
const fs = await import('node:fs');
const READ = 1 << 20;
let buffer = null;
function hashers(algorithm) {
  return { sha256: createHash('sha256'), other: algorithm === 'sha256' ? null : createHash(algorithm), size: 0 };
}
function update(h, bytes) {
  h.sha256.update(bytes);
  if (h.other) h.other.update(bytes);
  h.size += bytes.length;
}
function result(h) {
  const sha256 = h.sha256.digest('hex');
  return { sha256, digest: h.other ? h.other.digest('hex') : sha256, size: h.size };
}
function hashFile(m) {
  const flags = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK || 0) | (m.noFollow ? fs.constants.O_NOFOLLOW || 0 : 0);
  const fd = fs.openSync(m.path, flags);
  try {
    if (!fs.fstatSync(fd).isFile()) throw Object.assign(new Error(m.path + ' is not a regular file'), { code: 'ENOTREG', path: m.path });
    buffer = buffer || Buffer.allocUnsafeSlow(READ);
    const h = hashers(m.algorithm);
    for (let position = 0; ; ) {
      const n = fs.readSync(fd, buffer, 0, READ, position);
      if (n === 0) break;
      update(h, buffer.subarray(0, n));
      position += n;
    }
    return result(h);
  } finally {
    fs.closeSync(fd);
  }
}
// Streams: a file being written by the main thread, hashed range by range
// as each write lands (read back from the page cache through the writer's
// own descriptor, which threads share), in the order the ranges come.
const streams = new Map();
function hashRange(m) {
  const h = streams.get(m.stream);
  if (!h) throw new Error('no stream ' + m.stream);
  buffer = buffer || Buffer.allocUnsafeSlow(READ);
  for (let done = 0; done < m.length; ) {
    const n = fs.readSync(m.fd, buffer, 0, Math.min(READ, m.length - done), m.position + done);
    if (n === 0) throw Object.assign(new Error('the file ended at ' + (m.position + done) + ' bytes, before the ' + (m.position + m.length) + ' written'), { code: 'EIO' });
    update(h, buffer.subarray(0, n));
    done += n;
  }
  return h.size;
}
function handle(m) {
  if (m.op === 'file') return hashFile(m);
  if (m.op === 'range') return hashRange(m);
  if (m.op === 'open') { streams.set(m.stream, hashers(m.algorithm)); return null; }
  if (m.op === 'result') { const h = streams.get(m.stream); streams.delete(m.stream); if (!h) throw new Error('no stream ' + m.stream); return result(h); }
  if (m.op === 'drop') { streams.delete(m.stream); return null; }
  throw new Error('unknown hash job ' + m.op);
}
parentPort.on('message', (m) => {
  try {
    parentPort.postMessage({ id: m.id, value: handle(m) });
  } catch (error) {
    parentPort.postMessage({ id: m.id, error: { message: error && error.message, code: error && error.code, path: error && error.path } });
  }
});
})();
`;

interface Reply {
  readonly id: number;
  readonly value?: unknown;
  readonly error?: { readonly message: string; readonly code?: string; readonly path?: string };
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** The thread stopped (it could not start, or crashed): not the file's fault, so the caller hashes on its own thread. */
class WorkerDied extends Error {
  constructor(cause: Error) {
    super(`the hashing thread stopped: ${cause.message}`, { cause });
  }
}

class HashWorker {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #dead: Error | null = null;
  /** Files being hashed: the pool gives new work to the least loaded. */
  load = 0;

  constructor(onDeath: () => void) {
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, name: 'lockhouse-hash' });
    this.#worker.unref();
    // An unref() before the thread is up does not hold: say it again once it is, if idle.
    this.#worker.once('online', () => {
      if (this.#pending.size === 0) this.#worker.unref();
    });
    this.#worker.on('message', (reply: Reply) => {
      const pending = this.#pending.get(reply.id);
      if (!pending) return;
      this.#pending.delete(reply.id);
      if (this.#pending.size === 0) this.#worker.unref();
      if (reply.error) pending.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code, path: reply.error.path }));
      else pending.resolve(reply.value);
    });
    const die = (error: Error): void => {
      this.#dead ??= error;
      onDeath();
      for (const pending of this.#pending.values()) pending.reject(new WorkerDied(error));
      this.#pending.clear();
    };
    this.#worker.on('error', die);
    this.#worker.on('exit', (code) => die(new Error(`exit code ${code}`)));
  }

  get dead(): boolean {
    return this.#dead !== null;
  }

  /** Post a job; its promise settles with the worker's reply. */
  send<T>(message: Record<string, unknown>): Promise<T> {
    if (this.#dead) return Promise.reject(new WorkerDied(this.#dead));
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      if (this.#pending.size === 1) this.#worker.ref();
      this.#worker.postMessage({ ...message, id });
    });
  }

  terminate(): Promise<number> {
    return this.#worker.terminate();
  }
}

/**
 * Threads to use: LOCKHOUSE_HASH_THREADS if set, else one per core, at most
 * four (a warm collect is all hashing, and the main thread then waits), and
 * none on a single core, where a thread would only add its messages.
 */
export function hashThreads(env: NodeJS.ProcessEnv = process.env): number {
  const set = env['LOCKHOUSE_HASH_THREADS'];
  if (set !== undefined && set !== '') {
    const n = Number(set);
    if (Number.isInteger(n) && n >= 0) return Math.min(n, 16);
  }
  const cores = availableParallelism();
  return cores < 2 ? 0 : Math.min(4, cores);
}

let workers: HashWorker[] = [];
/** How many threads this process may start: read once, on first use. */
let wanted: number | null = null;

/** An idle worker, else a new one while fewer than wanted run, else the least loaded; null: hash on this thread. */
function leastLoaded(): HashWorker | null {
  wanted ??= hashThreads();
  let best: HashWorker | null = null;
  for (const worker of workers) if (!worker.dead && (best === null || worker.load < best.load)) best = worker;
  if ((best === null || best.load > 0) && workers.length < wanted) {
    try {
      const worker = new HashWorker(() => undefined);
      workers.push(worker);
      return worker;
    } catch {
      // No worker threads here: hash on this thread from now on.
      wanted = workers.length;
    }
  }
  return best;
}

/**
 * sha256 (and `algorithm`'s digest) and size of a whole file, read and
 * hashed by a worker; a file's errors are thrown with their codes. Null when
 * there is no worker, or when the worker stopped: hash it on this thread.
 */
export async function hashFileInWorker(path: string, algorithm: Algorithm, noFollow: boolean): Promise<Actual | null> {
  const worker = leastLoaded();
  if (!worker) return null;
  worker.load++;
  try {
    return await worker.send<Actual>({ op: 'file', path, algorithm, noFollow });
  } catch (error) {
    if (error instanceof WorkerDied) return null;
    throw error;
  } finally {
    worker.load--;
  }
}

/**
 * A file being written, hashed on a worker as its bytes land: the writer
 * calls `range` for each span once its write has completed, in file order,
 * and the worker reads that span back through the same descriptor (threads
 * share the process's descriptors) and hashes it. No byte is copied between
 * threads, and the digests describe the bytes in the file.
 *
 * The descriptor must stay open until every `range` has settled and
 * `result` or `drop` has: a descriptor closed early could be reused by
 * another file the worker would then read. A rejection with
 * `StreamHashLost` means the thread stopped (not the file's fault): the
 * caller hashes the file itself from its first byte.
 */
export interface StreamHasher {
  range(fd: number, position: number, length: number): Promise<void>;
  result(): Promise<Actual>;
  /** Forget the stream (a restart, a discard); resolves once the worker will read no more of it. */
  drop(): Promise<void>;
}

/** The hashing thread behind a stream stopped: what it had hashed is lost. */
export class StreamHashLost extends Error {}

let nextStream = 1;

/** A stream hasher on the least loaded worker, or null when there is none (hash on this thread). */
export function openStreamHasher(algorithm: Algorithm): StreamHasher | null {
  const worker = leastLoaded();
  if (!worker) return null;
  const stream = nextStream++;
  worker.load++;
  let open = true;
  const close = (): void => {
    if (open) worker.load--;
    open = false;
  };
  const lost = (error: unknown): never => {
    close();
    if (error instanceof WorkerDied) throw new StreamHashLost(error.message, { cause: error });
    throw error;
  };
  // Messages to one worker are handled in the order sent, so nothing waits
  // for this one: if the thread stops, every later call says so.
  worker.send<null>({ op: 'open', stream, algorithm }).catch(() => undefined);
  return {
    range: (fd, position, length) => worker.send<number>({ op: 'range', stream, fd, position, length }).then(() => undefined, lost),
    result: () =>
      worker.send<Actual>({ op: 'result', stream }).then((value) => {
        close();
        return value;
      }, lost),
    drop: () =>
      worker.send<null>({ op: 'drop', stream }).then(close, (error: unknown) => {
        close();
        if (!(error instanceof WorkerDied)) throw error;
      }),
  };
}

/** Stop the workers (tests; the process does not need it: idle workers are unref'd). */
export async function closeHashPool(): Promise<void> {
  const running = workers;
  workers = [];
  wanted = null;
  await Promise.all(running.map((worker) => worker.terminate()));
}
