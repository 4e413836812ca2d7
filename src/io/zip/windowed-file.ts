/**
 * An open file read through 1 MiB windows. yauzl's own file reader
 * (fd-slicer) makes two small reads per central directory entry, each a
 * round trip through libuv's thread pool: 8 s for a wheel of 100 000
 * entries. This one serves the small reads from the last window it filled
 * (1.3 s), and streams entry data straight from the file.
 */
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';

export class WindowedFile {
  static readonly WINDOW = 1 << 20;
  private window = { start: 0, bytes: Buffer.alloc(0) };

  constructor(
    private readonly handle: FileHandle,
    /** The file's size: no window reaches past it. */
    readonly size: number,
  ) {}

  /** Copies up to `length` bytes at `position` into `buffer` at `offset`; the number copied (fewer at the end of the file). */
  async read(buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
    const cached = this.window;
    const window =
      position >= cached.start && position + length <= cached.start + cached.bytes.length ? cached : await this.fill(position, length);
    const from = position - window.start;
    return window.bytes.copy(buffer, offset, from, Math.min(from + length, window.bytes.length));
  }

  private async fill(position: number, length: number): Promise<{ start: number; bytes: Buffer }> {
    const size = Math.min(Math.max(length, WindowedFile.WINDOW), Math.max(0, this.size - position));
    const bytes = Buffer.allocUnsafe(size);
    const { bytesRead } = await this.handle.read(bytes, 0, size, position);
    // Each read copies from the window it filled, whatever other reads do meanwhile.
    const window = { start: position, bytes: bytes.subarray(0, bytesRead) };
    this.window = window;
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
