/**
 * Download threads: whole files fetched, hashed and written on worker
 * threads (thread.ts), so that a collect's per-byte work — the HTTP parse,
 * sha256, the copy into the write buffers — runs on every core instead of
 * one (docs/performance.md "Download threads"). The run's thread lends each
 * file's temporary file to a thread (TempFile.lend), which writes the rest,
 * finishes it (synced, closed) and answers with its digests; the run's
 * thread takes it back (reclaim) and goes on as after a download of its
 * own: the lock's hash decides, then the cache and the rename.
 *
 * - Threads: LOCKHOUSE_FETCH_THREADS if set (0: none, every download on the
 *   run's thread), else one per core past the first two, at most four
 *   (threadCount). They start as downloads need them (a run of one file
 *   starts one), each file going to the thread with the fewest bytes in
 *   hand that has a connection free; an idle thread never keeps the
 *   process alive.
 * - Connections: each thread has its own, its share of --concurrency per
 *   origin, so the run as a whole keeps the limit.
 * - Credentials: the run's thread takes a URL's userinfo out (and remembers
 *   it for its origin) before the URL goes to a thread, with the
 *   credentials remembered so far; the thread reads netrc and the
 *   per-index variables itself, from the run's environment.
 * - A thread that cannot start or stops: the files it held fail (their
 *   bytes are discarded), and every later download runs on the run's
 *   thread; the run goes on.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { DownloadOptions, DownloadResult, HandedUrl } from '../http/index.js';
import type { Algorithm } from '../store/digest.js';
import type { Actual, TempFile } from '../store/types.js';
import type { Log } from '../../model.js';
import { receiveError, type FromThread, type ThreadConfig, type ToThread } from './protocol.js';

export interface FetchThreadsOptions extends Omit<ThreadConfig, 'connections'> {
  /** --concurrency: connections per origin for the whole run. */
  readonly concurrency: number;
  /** Threads to start at most (default threadCount(env)). */
  readonly threads?: number;
  /** The thread's script (default thread.js beside this module, when there is one: under dist/). */
  readonly script?: URL;
  readonly log?: Log;
}

export interface FetchThreads {
  /**
   * Download `handed` into `temp` on a thread; the result and the digests of
   * the whole file. Throws as Downloader.download (or temp.finish) would.
   * Null, with `temp` untouched, once a thread stopped: the download belongs
   * on the run's thread.
   */
  fetch(handed: HandedUrl, temp: TempFile, algorithm: Algorithm, options: DownloadOptions): Promise<{ result: DownloadResult; actual: Actual } | null>;
  /** Requests the threads sent (redirect hops included). */
  readonly requests: number;
  /** The most threads this pool starts. */
  readonly width: number;
  close(): Promise<void>;
}

/**
 * LOCKHOUSE_FETCH_THREADS if set (at most 16), else one per core past the
 * first two, at most four: none on two cores, where the run's thread, the
 * hashing thread and the kernel's copies already fill both and download
 * threads measured no faster for a third more memory (docs/performance.md
 * "Download threads").
 */
export function threadCount(env: NodeJS.ProcessEnv): number {
  const set = env['LOCKHOUSE_FETCH_THREADS'];
  if (set !== undefined && set.trim() !== '') {
    const n = Number(set);
    if (Number.isInteger(n) && n >= 0) return Math.min(n, 16);
  }
  return Math.max(0, Math.min(4, availableParallelism() - 2));
}

/**
 * thread.js beside this module; run from the TypeScript sources (a test
 * runner), the built one at the same place under dist/ (the tests build it
 * first), since a thread cannot load TypeScript.
 */
function defaultScript(): URL {
  const here = new URL('./thread.js', import.meta.url);
  if (!import.meta.url.endsWith('.ts')) return here;
  return new URL(here.href.replace(/\/src\/io\/fetch-threads\/thread\.js$/, '/dist/io/fetch-threads/thread.js'));
}

interface Task {
  readonly temp: TempFile;
  readonly load: number;
  readonly options: DownloadOptions;
  resolve(value: { result: DownloadResult; actual: Actual }): void;
  reject(error: unknown): void;
}

interface Thread {
  readonly worker: Worker;
  readonly tasks: Map<number, Task>;
  /** The bytes of the files in hand (their sizes as the lock gives them): what the next file goes by. */
  load: number;
  dead: boolean;
}

/** What a file of unknown size counts for, choosing a thread. */
const UNKNOWN_SIZE = 2 ** 20;

/** The run's download threads, or null where there are to be none (or no thread script: a run from the TypeScript sources). */
export function startFetchThreads(options: FetchThreadsOptions): FetchThreads | null {
  const wanted = options.threads ?? threadCount(options.env);
  const script = options.script ?? defaultScript();
  if (wanted < 1 || !existsSync(fileURLToPath(script))) return null;
  const { concurrency, threads: _threads, script: _script, log, ...rest } = options;
  const config: ThreadConfig = { ...rest, connections: Math.max(1, Math.ceil(concurrency / wanted)) };
  const threads: Thread[] = [];
  let nextId = 1;
  let requests = 0;
  let broken = false;
  let closing = false;

  const settle = (thread: Thread, id: number, then: (task: Task) => void): void => {
    const task = thread.tasks.get(id);
    if (!task) return;
    thread.tasks.delete(id);
    thread.load -= task.load;
    if (thread.tasks.size === 0) thread.worker.unref();
    then(task);
  };

  const onMessage = (thread: Thread, message: FromThread): void => {
    switch (message.type) {
      case 'progress':
        requests += message.requests;
        for (const [id, bytes] of message.bytes) thread.tasks.get(id)?.options.onBytes?.(bytes);
        return;
      case 'size':
        thread.tasks.get(message.id)?.options.onSize?.(message.bytes);
        return;
      case 'validators':
        thread.tasks.get(message.id)?.options.onValidators?.(message.validators);
        return;
      case 'log':
        log?.(message.level, message.message, (message.fields ?? undefined) as Record<string, unknown> | undefined);
        return;
      case 'done':
        settle(thread, message.id, (task) => {
          task.temp.reclaim(message.bytes, message.actual);
          if (message.error) task.reject(receiveError(message.error));
          else task.resolve({ result: message.result!, actual: message.actual! });
        });
    }
  };

  /** The thread stopped: what it held fails (its bytes are only worth discarding); no file goes to a thread again. */
  const onDeath = (thread: Thread, why: string): void => {
    if (thread.dead) return;
    thread.dead = true;
    broken = true;
    const index = threads.indexOf(thread);
    if (index >= 0) threads.splice(index, 1);
    if (!closing) log?.('warn', `a download thread stopped (${why}); the rest of the downloads run on the main thread`);
    for (const id of [...thread.tasks.keys()]) {
      settle(thread, id, (task) => {
        task.temp.reclaim(0, null);
        task.reject(new Error(`the download thread stopped (${why}) while it downloaded this file`));
      });
    }
  };

  const start = (): Thread => {
    // A thread hashes its files past 32 MiB on one hashing thread of its own (io/store/hash-pool.ts), not one per core: each
    // thread is one more V8 heap, and the download threads already spread the files over the cores.
    const worker = new Worker(script, { workerData: config, env: { ...process.env, LOCKHOUSE_HASH_THREADS: process.env['LOCKHOUSE_HASH_THREADS'] ?? '1' } });
    const thread: Thread = { worker, tasks: new Map(), load: 0, dead: false };
    worker.on('message', (message: FromThread) => onMessage(thread, message));
    worker.on('error', (error) => onDeath(thread, error.message));
    worker.on('exit', (code) => onDeath(thread, `exit ${code}`));
    worker.unref();
    threads.push(thread);
    return thread;
  };

  /**
   * The thread with the fewest bytes in hand among those with a connection
   * free (else the one with the fewest files); a new one while fewer than
   * wanted run and each has work.
   */
  const pick = (): Thread => {
    let best: Thread | null = null;
    for (const thread of threads) {
      if (best === null) best = thread;
      else {
        const free = thread.tasks.size < config.connections;
        const bestFree = best.tasks.size < config.connections;
        if (free !== bestFree ? free : free ? thread.load < best.load : thread.tasks.size < best.tasks.size) best = thread;
      }
    }
    if (best === null || (best.tasks.size > 0 && threads.length < wanted)) return start();
    return best;
  };

  /** One listener on each caller's signal, whatever the number of its files in hand (a signal warns past ten listeners). */
  const onAbort = new WeakMap<AbortSignal, Set<() => void>>();
  const watch = (signal: AbortSignal, callback: () => void): (() => void) => {
    let callbacks = onAbort.get(signal);
    if (!callbacks) {
      const set = new Set<() => void>();
      onAbort.set(signal, (callbacks = set));
      signal.addEventListener('abort', () => [...set].forEach((call) => call()), { once: true });
    }
    callbacks.add(callback);
    return () => callbacks.delete(callback);
  };

  return {
    get requests() {
      return requests;
    },
    width: wanted,
    async fetch(handed, temp, algorithm, fetchOptions) {
      if (broken) return null;
      await temp.lend();
      const thread = pick();
      const id = nextId++;
      const { signal } = fetchOptions;
      const load = fetchOptions.size ?? UNKNOWN_SIZE;
      thread.load += load;
      return new Promise((resolve, reject) => {
        const post = (message: ToThread): void => thread.worker.postMessage(message);
        const abort = (): void => post({ type: 'abort', id });
        let unwatch = (): void => undefined;
        thread.tasks.set(id, {
          temp,
          load,
          options: fetchOptions,
          resolve: (value) => {
            unwatch();
            resolve(value);
          },
          reject: (error) => {
            unwatch();
            reject(error);
          },
        });
        thread.worker.ref();
        post({
          type: 'fetch',
          id,
          url: handed.url,
          own: handed.own,
          remembered: handed.remembered,
          path: temp.path,
          algorithm,
          size: fetchOptions.size ?? null,
          validators: fetchOptions.validators ?? null,
        });
        if (signal?.aborted) abort();
        else if (signal) unwatch = watch(signal, abort);
      });
    },
    async close() {
      broken = closing = true;
      const stopping = threads.splice(0);
      await Promise.all(stopping.map((thread) => thread.worker.terminate()));
    },
  };
}
