/**
 * A progress bar for collect — files and bytes — on a terminal only: gone
 * when stderr is not a TTY, with --json, or with -q. Log lines interrupt it
 * cleanly (the bar redraws below them).
 */
import { createRequire } from 'node:module';
import { formatBytes } from '../report/plan-table.js';

type CliProgress = typeof import('cli-progress');
const require = createRequire(import.meta.url);

export interface Progress {
  start(files: number, bytes: number): void;
  bytes(count: number): void;
  file(): void;
  /** Print something (a log line) without tearing the bar. */
  interrupt(print: () => void): void;
  stop(): void;
}

export function createProgress(options: { readonly enabled: boolean; readonly stream: NodeJS.WriteStream }): Progress {
  if (!options.enabled) {
    return { start() {}, bytes() {}, file() {}, interrupt: (print) => print(), stop() {} };
  }
  // cli-progress is loaded only when there is a bar to draw: never in CI, with --json or -q.
  const cliProgress = require('cli-progress') as CliProgress;
  const bar = new cliProgress.SingleBar(
    {
      stream: options.stream,
      format: ' {bar} {value}/{total} files | {done} of {size} | {rate}',
      hideCursor: true,
      clearOnComplete: true,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  let done = 0;
  let size = 0;
  let started = 0;
  let running = false;
  const payload = () => ({
    done: formatBytes(done),
    size: size ? formatBytes(size) : '?',
    rate: `${formatBytes(Math.round(done / Math.max(0.001, (Date.now() - started) / 1000)))}/s`,
  });
  return {
    start(files, bytes) {
      size = bytes;
      started = Date.now();
      running = true;
      bar.start(files, 0, payload());
    },
    bytes(count) {
      done += count;
    },
    file() {
      bar.increment(1, payload());
    },
    interrupt(print) {
      if (running) options.stream.write('\r\x1b[2K');
      print();
    },
    stop() {
      if (running) bar.stop();
      running = false;
    },
  };
}
