/**
 * Progress on a terminal, as pip and uv show it: one line for the run —
 * files done of files, bytes arrived of the bytes expected, the rate — and
 * a line per large file in flight with its own bytes. Bytes count as they
 * arrive, not when a file completes; the total is the lock's sizes, grown
 * by what servers say (Content-Length) for files the lock gives none, and
 * says so while some are still unknown (never "0 B" for unknown). Off when
 * stderr is not a terminal, with --json, or -q.
 *
 * Drawn by hand, a few lines redrawn in place at most ten times a second:
 * log lines must come out in order, above the lines, at once (a progress
 * library buffers them until its next redraw), and a file's line must
 * come and go while the others stay. Lines are cut to the terminal's width,
 * so that none wraps and the count of lines to redraw stays right.
 */
import { formatBytes } from '../report/plan-table.js';

export interface Progress {
  /** Files to do, the bytes the lock gives them, and how many it gives no size. */
  start(files: number, bytes: number, unsized?: number): void;
  /** A download starts (or resumes after `from` bytes): a line of its own when it is large. */
  download(filename: string, size: number | null, from: number): void;
  /** A server told a download's size. */
  size(filename: string, size: number): void;
  bytes(count: number, filename?: string): void;
  /**
   * A file (or a build) is done; `settled`, for a file that did not download
   * (DIR, the cache, --find-links), counts its bytes at once — and toward the
   * total too when the lock gave it no size.
   */
  file(filename?: string, settled?: { readonly size: number; readonly lockSized: boolean }): void;
  /** Print something (a log line) above the lines, without tearing them. */
  interrupt(print: () => void): void;
  stop(): void;
}

/** A file this large or larger gets a line of its own while it downloads. */
export const LARGE_FILE = 8 * 1024 * 1024;
/** At most this many of those lines: the largest files in flight. */
const MAX_FILE_LINES = 4;
const REDRAW_MS = 100;
const BAR = 20;

interface InFlight {
  readonly name: string;
  size: number | null;
  done: number;
  /** The lock gave no size: the server's counts toward the total. */
  readonly unsized: boolean;
}

const ESC = '\u001b[';

function bar(fraction: number): string {
  const filled = Math.max(0, Math.min(BAR, Math.round(fraction * BAR)));
  return `${'\u2588'.repeat(filled)}${'\u2591'.repeat(BAR - filled)}`;
}

export function createProgress(options: { readonly enabled: boolean; readonly stream: NodeJS.WriteStream; readonly now?: () => number }): Progress {
  if (!options.enabled) {
    return { start() {}, download() {}, size() {}, bytes() {}, file() {}, interrupt: (print) => print(), stop() {} };
  }
  const out = options.stream;
  const now = options.now ?? Date.now;
  const inFlight = new Map<string, InFlight>();
  let files = 0;
  let filesDone = 0;
  let known = 0;
  let unsized = 0;
  let done = 0;
  let started = 0;
  let running = false;
  /** Lines on screen now (the cursor is at the end of the last). */
  let drawn = 0;
  let timer: NodeJS.Timeout | null = null;

  const total = (): string => {
    if (known === 0 && unsized > 0) return 'size unknown';
    return unsized > 0 ? `≥ ${formatBytes(known)}` : formatBytes(known);
  };
  const rate = (): string => `${formatBytes(Math.round(done / Math.max(0.001, (now() - started) / 1000)))}/s`;
  const fit = (line: string): string => {
    const width = Math.max(20, (out.columns ?? 80) - 1);
    return line.length <= width ? line : `${line.slice(0, width - 1)}…`;
  };
  const render = (): string[] => {
    const fraction = known > 0 && unsized === 0 ? done / known : files > 0 ? filesDone / files : 0;
    const lines = [` ${bar(fraction)} ${filesDone}/${files} files | ${formatBytes(done)} of ${total()} | ${rate()}`];
    const large = [...inFlight.values()].filter((file) => (file.size ?? 0) >= LARGE_FILE).sort((a, b) => (b.size ?? 0) - (a.size ?? 0));
    for (const file of large.slice(0, MAX_FILE_LINES)) {
      lines.push(`   ${bar(file.done / (file.size ?? 1))} ${formatBytes(file.done)} / ${formatBytes(file.size!)}  ${file.name}`);
    }
    return lines.map(fit);
  };
  /** Back to the first line drawn, and clear from there down. */
  const clear = (): string => (drawn === 0 ? '' : `\r${drawn > 1 ? `${ESC}${drawn - 1}A` : ''}${ESC}J`);
  const draw = (): void => {
    if (!running) return;
    const lines = render();
    out.write(`${clear()}${lines.join('\n')}`);
    drawn = lines.length;
  };
  const schedule = (): void => {
    if (timer !== null || !running) return;
    timer = setTimeout(() => {
      timer = null;
      draw();
    }, REDRAW_MS);
    timer.unref();
  };

  return {
    start(count, bytes, unknown = 0) {
      files = count;
      known = bytes;
      unsized = unknown;
      started = now();
      running = true;
      out.write(`${ESC}?25l`);
      draw();
    },
    download(name, size, from) {
      const again = inFlight.get(name);
      // A second try starts over: its first try's bytes no longer count.
      if (again) done -= again.done;
      inFlight.set(name, { name, size, done: from, unsized: size === null });
      done += from;
      schedule();
    },
    size(name, size) {
      const file = inFlight.get(name);
      if (!file || file.size === size) return;
      if (file.unsized && file.size === null) {
        known += size;
        unsized = Math.max(0, unsized - 1);
      }
      file.size = size;
      schedule();
    },
    bytes(count, name) {
      done += count;
      const file = name === undefined ? undefined : inFlight.get(name);
      if (file) file.done += count;
      schedule();
    },
    file(name, settled) {
      filesDone++;
      const file = name === undefined ? undefined : inFlight.get(name);
      if (file) {
        inFlight.delete(name!);
        // A download whose server never said its size: its bytes join the total now.
        if (file.unsized && file.size === null) {
          known += file.done;
          unsized = Math.max(0, unsized - 1);
        }
      } else if (settled !== undefined) {
        done += settled.size;
        if (!settled.lockSized) {
          known += settled.size;
          unsized = Math.max(0, unsized - 1);
        }
      }
      schedule();
    },
    interrupt(print) {
      if (!running) return print();
      out.write(clear());
      drawn = 0;
      print();
      draw();
    },
    stop() {
      if (!running) return;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      out.write(`${clear()}${ESC}?25h`);
      drawn = 0;
      running = false;
    },
  };
}
