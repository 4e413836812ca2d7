/**
 * An open file read through windows. yauzl's own file reader (fd-slicer)
 * makes two small reads per central directory entry, each a round trip
 * through libuv's thread pool: 8 s for a wheel of 100 000 entries. This one
 * serves small reads from the two windows it used last (1.3 s), and streams
 * entry data straight from the file.
 *
 * Two windows, because a walk that opens each entry as it goes (verify
 * --bundle) alternates between the central directory and the entry's
 * local header: with one window each would evict the other. A read that
 * continues a window (the central directory, read in order) fills 1 MiB; a
 * read elsewhere (a local header, the end record) fills 64 KiB, so opening
 * an entry of 20 KB does not cost a mebibyte.
 */
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';

interface Window {
  readonly start: number;
  readonly bytes: Buffer;
}

const holds = (window: Window, position: number, length: number): boolean => position >= window.start && position + length <= window.start + window.bytes.length;

export class WindowedFile {
  static readonly WINDOW = 1 << 20;
  static readonly SMALL_WINDOW = 64 << 10;
  /** The windows used last, the most recent first. */
  private windows: Window[] = [];

  constructor(
    private readonly handle: FileHandle,
    /** The file's size: no window reaches past it. */
    readonly size: number,
  ) {}

  /** Copies up to `length` bytes at `position` into `buffer` at `offset`; the number copied (fewer at the end of the file). */
  async read(buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
    const [last, before] = this.windows;
    let window: Window;
    if (last !== undefined && holds(last, position, length)) window = last;
    else if (before !== undefined && holds(before, position, length)) window = this.use(before);
    else window = await this.fill(position, length);
    const from = position - window.start;
    return window.bytes.copy(buffer, offset, from, Math.min(from + length, window.bytes.length));
  }

  private async fill(position: number, length: number): Promise<Window> {
    const continues = this.windows.some((window) => position >= window.start && position <= window.start + window.bytes.length);
    const want = continues ? WindowedFile.WINDOW : WindowedFile.SMALL_WINDOW;
    const size = Math.min(Math.max(length, want), Math.max(0, this.size - position));
    const bytes = Buffer.allocUnsafe(size);
    const { bytesRead } = await this.handle.read(bytes, 0, size, position);
    // Each read copies from the window it filled, whatever other reads do meanwhile.
    return this.use({ start: position, bytes: bytes.subarray(0, bytesRead) });
  }

  /** Makes `window` the most recent, dropping the least recent beyond two. */
  private use(window: Window): Window {
    this.windows = [window, ...this.windows.filter((other) => other !== window)].slice(0, 2);
    return window;
  }

  /**
   * The bytes from `start` up to `end`, as a stream. Not
   * handle.createReadStream: destroying such a stream closes the handle,
   * autoClose or not (Node 20), and yauzl destroys streams it is done with.
   */
  streamRange(start: number, end: number): Readable {
    const handle = this.handle;
    let position = start;
    return new Readable({
      highWaterMark: 64 * 1024,
      read(size) {
        const length = Math.min(size, end - position);
        if (length <= 0) {
          this.push(null);
          return;
        }
        handle.read(Buffer.allocUnsafe(length), 0, length, position).then(
          ({ bytesRead, buffer }) => {
            position += bytesRead;
            // A short file ends the stream early; yauzl's byte count then fails the entry.
            this.push(bytesRead === 0 ? null : buffer.subarray(0, bytesRead));
          },
          (error: Error) => this.destroy(error),
        );
      },
    });
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}
