#!/usr/bin/env node
// Which HTTP client, on which thread? (issue 18.) Downloads every file of a
// pylock.toml served on 127.0.0.1 the way a collect does — GET, sha256 as
// it arrives, gathered into 1 MiB writes, fdatasync, rename — and times it:
//
//   main/undici-request   one thread, undici's request(), 16 files at once
//                         (the shape of lockhouse's download path)
//   W×<client>            W worker threads, each owning whole files (fetch,
//                         hash, write, fsync, rename) from one queue ordered
//                         largest first, 16 / W files at once per worker,
//                         each worker with its own connection pool:
//                         <client> is node:http (http.Agent, keep-alive),
//                         undici-request, undici-stream or undici-dispatch
//
// Every file's sha256 is checked against the lock; a wrong one fails the
// run. The modes alternate within each repetition; medians are printed.
//
//   node bench/http-clients.js --lock LOCK [--runs N] [--workers 1,2] [--modes LIST] [--inflight 16]
//
// LOCK is a pylock.toml whose URLs are on a local server (bench/real.js
// --keep leaves one, e.g. WORK/real/pylock.toml, with the server stopped:
// serve its site/ folder again and fix the port). Files go to a folder under
// the system's temporary folder, removed after each run.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { median, readOptions } from './common.js';

const GATHER = 1 << 20;

/** One file: GET through `get` (which hands each body chunk to onChunk and resolves at the end), hashed, written in 1 MiB writes, synced, renamed. */
async function fetchFile(get, file, dir) {
  const temp = join(dir, `${file.filename}.tmp`);
  const handle = await open(temp, 'wx');
  const hash = createHash('sha256');
  let buffer = Buffer.allocUnsafe(GATHER);
  let spare = Buffer.allocUnsafe(GATHER);
  let fill = 0;
  let position = 0;
  let inflight = null;
  const flush = async () => {
    await inflight;
    const full = buffer.subarray(0, fill);
    const at = position;
    position += fill;
    inflight = handle.write(full, 0, full.length, at).then(() => undefined);
    [buffer, spare] = [spare, buffer];
    fill = 0;
  };
  let size = 0;
  await get(file.url, async (chunk) => {
    hash.update(chunk);
    size += chunk.length;
    for (let offset = 0; offset < chunk.length; ) {
      const n = Math.min(chunk.length - offset, GATHER - fill);
      chunk.copy(buffer, fill, offset, offset + n);
      fill += n;
      offset += n;
      if (fill === GATHER) await flush();
    }
  });
  if (fill) await flush();
  await inflight;
  await handle.datasync();
  await handle.close();
  const digest = hash.digest('hex');
  if (digest !== file.sha256 || size !== file.size) throw new Error(`${file.filename}: sha256 ${digest} (${size} bytes), expected ${file.sha256}`);
  await rename(temp, join(dir, file.filename));
}

/** A GET function for `client`: (url, onChunk) => Promise, onChunk awaited (backpressure). */
async function makeClient(client, connections) {
  if (client === 'node-http') {
    const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
    return {
      get: (url, onChunk) =>
        new Promise((done, fail) => {
          http
            .get(url, { agent, headers: { 'accept-encoding': 'identity' } }, async (response) => {
              if (response.statusCode !== 200) return fail(new Error(`${url}: ${response.statusCode}`));
              try {
                for await (const chunk of response) await onChunk(chunk);
                done();
              } catch (error) {
                fail(error);
              }
            })
            .on('error', fail);
        }),
      close: async () => agent.destroy(),
    };
  }
  const undici = await import('undici');
  const agent = new undici.Agent({ connections, pipelining: 1 });
  if (client === 'undici-request') {
    return {
      get: async (url, onChunk) => {
        const { statusCode, body } = await undici.request(url, { dispatcher: agent, headers: { 'accept-encoding': 'identity' } });
        if (statusCode !== 200) throw new Error(`${url}: ${statusCode}`);
        for await (const chunk of body) await onChunk(chunk);
      },
      close: () => agent.close(),
    };
  }
  if (client === 'undici-stream') {
    const { Writable } = await import('node:stream');
    return {
      get: (url, onChunk) =>
        undici.stream(url, { dispatcher: agent, headers: { 'accept-encoding': 'identity' } }, ({ statusCode }) => {
          if (statusCode !== 200) throw new Error(`${url}: ${statusCode}`);
          return new Writable({ write: (chunk, _encoding, callback) => void Promise.resolve(onChunk(chunk)).then(() => callback(), callback) });
        }),
      close: () => agent.close(),
    };
  }
  if (client === 'undici-dispatch') {
    // The bare handler API (undici 7's controller form): pause while a write is pending.
    return {
      get: (url, onChunk) =>
        new Promise((done, fail) => {
          const { origin, pathname, search } = new URL(url);
          let pending = Promise.resolve();
          agent.dispatch(
            { origin, path: `${pathname}${search}`, method: 'GET', headers: { 'accept-encoding': 'identity' } },
            {
              onRequestStart() {},
              onResponseStart(_controller, statusCode) {
                if (statusCode !== 200) fail(new Error(`${url}: ${statusCode}`));
              },
              onResponseData(controller, chunk) {
                const step = onChunk(chunk);
                if (step && typeof step.then === 'function') {
                  controller.pause();
                  // Resumed on a later turn: a resume() within the parser's own turn is lost and the body stalls.
                  pending = pending.then(() => step).then(() => void setImmediate(() => controller.resume()), fail);
                }
              },
              onResponseEnd() {
                pending.then(() => done(), fail);
              },
              onResponseError(_controller, error) {
                fail(error);
              },
            },
          );
        }),
      close: () => agent.close(),
    };
  }
  throw new Error(`unknown client ${client}`);
}

/** Fetch files taken from the shared queue (an Atomics counter over `files`, largest first), `width` at a time. */
async function drainQueue(files, counter, client, width, dir) {
  const { get, close } = await makeClient(client, width);
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (;;) {
        const index = Atomics.add(counter, 0, 1);
        if (index >= files.length) return;
        await fetchFile(get, files[index], dir);
      }
    }),
  );
  await close();
}

if (!isMainThread) {
  const { files, shared, client, width, dir } = workerData;
  drainQueue(files, new Int32Array(shared), client, width, dir).then(
    () => parentPort.postMessage({ ok: true }),
    (error) => parentPort.postMessage({ ok: false, error: String(error?.stack ?? error) }),
  );
} else {
  const USAGE = 'usage: node bench/http-clients.js --lock LOCK [--runs N] [--workers 1,2] [--modes main,node-http,undici-request,undici-stream,undici-dispatch] [--inflight 16]';
  const options = readOptions(process.argv.slice(2), { valued: ['--lock', '--runs', '--workers', '--modes', '--inflight'], usage: USAGE });
  const lock = options.option('--lock', null);
  if (!lock) {
    console.error(USAGE);
    process.exit(2);
  }
  const runs = Number(options.option('--runs', '3'));
  const inflight = Number(options.option('--inflight', '16'));
  const workerCounts = options.option('--workers', '1,2').split(',').map(Number);
  const clients = options.option('--modes', 'main,node-http,undici-request,undici-stream,undici-dispatch').split(',');
  const files = [];
  for (const [, name, url, size, sha256] of readFileSync(lock, 'utf8').matchAll(/name = "([^"]+)", url = "([^"]+)", size = (\d+), hashes = \{ sha256 = "([0-9a-f]{64})"/g)) {
    files.push({ filename: name, url, size: Number(size), sha256 });
  }
  files.sort((a, b) => b.size - a.size);
  const bytes = files.reduce((sum, f) => sum + f.size, 0);
  const modes = [];
  for (const client of clients) {
    if (client === 'main') modes.push({ label: 'main/undici-request', client: 'undici-request', workers: 0 });
    else for (const workers of workerCounts) modes.push({ label: `${workers}×${client}`, client, workers });
  }
  console.log(`# ${files.length} files, ${(bytes / 1e6).toFixed(0)} MB from ${new URL(files[0].url).origin}; ${inflight} files at once; ${os.availableParallelism()} cores; load ${os.loadavg().map((v) => v.toFixed(2)).join(', ')}`);
  const times = new Map(modes.map((m) => [m.label, []]));
  for (let run = 0; run < runs; run++) {
    for (const mode of modes) {
      const dir = mkdtempSync(join(os.tmpdir(), 'lockhouse-bench-clients-'));
      const counter = new SharedArrayBuffer(4);
      const started = process.hrtime.bigint();
      if (mode.workers === 0) await drainQueue(files, new Int32Array(counter), mode.client, inflight, dir);
      else {
        await Promise.all(
          Array.from({ length: mode.workers }, () => {
            const worker = new Worker(new URL(import.meta.url), { workerData: { files, shared: counter, client: mode.client, width: Math.ceil(inflight / mode.workers), dir } });
            return new Promise((done, fail) =>
              worker.once('message', (message) => (message.ok ? done() : fail(new Error(message.error)))).once('error', fail),
            ).finally(() => worker.terminate());
          }),
        );
      }
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      rmSync(dir, { recursive: true, force: true });
      times.get(mode.label).push(seconds);
      console.log(`  run ${run + 1} ${mode.label.padEnd(22)} ${seconds.toFixed(2)} s  ${(bytes / 1e6 / seconds).toFixed(0)} MB/s`);
    }
  }
  console.log(`\n| mode | median s | MB/s | runs |\n| --- | ---: | ---: | --- |`);
  for (const [label, values] of times) console.log(`| ${label} | ${median(values).toFixed(2)} | ${(bytes / 1e6 / median(values)).toFixed(0)} | ${values.map((v) => v.toFixed(2)).join(', ')} |`);
  console.log(`load at the end: ${os.loadavg().map((v) => v.toFixed(2)).join(', ')}`);
}
