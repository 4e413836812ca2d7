/**
 * A download thread (pool.ts starts them): whole files, each fetched,
 * hashed and written here from the first byte to the fdatasync, with this
 * thread's own connections, so that no byte crosses threads. The rules are
 * the run thread's own, by the same code: download.ts (retries, Range
 * resume, size bounds, redirects with credentials chosen at each hop),
 * send.ts, plain-http.ts and dispatcher.ts (timeouts, proxies, CAs,
 * HTTP/2), temp-files.ts (hash as written, durability). What the run
 * thread keeps: which file, where it goes, whether its hash matches the
 * lock, partial downloads, and every report (logs and progress arrive
 * here as messages).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createHttpContext } from '../http/http-context.js';
import { createCredentialSource } from '../http/credentials.js';
import { downloadAccepted } from '../http/download.js';
import type { DownloadResult } from '../http/types.js';
import { adoptTempFile, type AdoptedTempFile } from '../store/temp-files.js';
import type { Actual } from '../store/types.js';
import { sendError, type LogLevel, type FetchTask, type FromThread, type SentError, type ThreadConfig, type ToThread } from './protocol.js';

/** How often the bytes written are reported (progress bars redraw about this often). */
const PROGRESS_EVERY_MS = 100;

const port = parentPort!;
const config = workerData as ThreadConfig;
const post = (message: FromThread): void => port.postMessage(message);
const log = (level: LogLevel, message: string, fields?: Record<string, unknown>): void => {
  try {
    post({ type: 'log', level, message, fields: fields ?? null });
  } catch {
    post({ type: 'log', level, message, fields: null });
  }
};

const http = createHttpContext({
  ...config.http,
  concurrency: config.connections,
  env: config.env,
  nodeHttp: true,
  credentials: createCredentialSource({ env: config.env, indexes: config.indexes, log }),
  log,
});

const aborts = new Map<number, AbortController>();
const written = new Map<number, number>();
let requestsReported = 0;
let timer: NodeJS.Timeout | null = null;

/** Report the bytes written since the last report (and the requests sent). */
function report(): void {
  timer = null;
  const bytes = [...written].filter(([, n]) => n > 0);
  const requests = http.requests() - requestsReported;
  if (bytes.length === 0 && requests === 0) return;
  requestsReported += requests;
  for (const [id] of bytes) written.set(id, 0);
  post({ type: 'progress', bytes, requests });
}

function wrote(id: number, bytes: number): void {
  written.set(id, (written.get(id) ?? 0) + bytes);
  timer ??= setTimeout(report, PROGRESS_EVERY_MS);
}

async function fetch(task: FetchTask): Promise<void> {
  const abort = new AbortController();
  aborts.set(task.id, abort);
  written.set(task.id, 0);
  for (const [origin, credential] of task.remembered) http.ctx.auth.remember(origin, credential);
  let temp: AdoptedTempFile | null = null;
  let result: DownloadResult | null = null;
  let actual: Actual | null = null;
  let error: SentError | null = null;
  try {
    temp = await adoptTempFile(task.path, task.algorithm, { durable: config.durable });
    result = await downloadAccepted(http.ctx, { url: new URL(task.url), own: task.own }, temp, {
      size: task.size,
      ...(task.validators ? { validators: task.validators } : {}),
      onValidators: (validators) => post({ type: 'validators', id: task.id, validators }),
      onSize: (bytes) => post({ type: 'size', id: task.id, bytes }),
      onBytes: (bytes) => wrote(task.id, bytes),
      signal: abort.signal,
    });
    actual = await temp.finish();
  } catch (thrown) {
    error = sendError(thrown);
    result = null;
    // What arrived stays on disk, synced, for the run thread to keep or discard.
    actual = temp ? await temp.release() : null;
  } finally {
    aborts.delete(task.id);
  }
  // The last bytes before the end, in order: the port keeps messages in order.
  if (timer) clearTimeout(timer);
  report();
  written.delete(task.id);
  post({ type: 'done', id: task.id, bytes: actual?.size ?? temp?.bytesWritten ?? 0, actual, result, error });
}

port.on('message', (message: ToThread) => {
  if (message.type === 'abort') aborts.get(message.id)?.abort();
  else void fetch(message);
});
