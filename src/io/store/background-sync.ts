/**
 * fdatasync started in the background as a file grows (a TempFile, the
 * bundle's zip): one every `every` bytes written, never two at once, so
 * the flush that ends the file has only the tail to write (a 2 GiB file
 * waited about a second in it without them: docs/performance.md). A
 * failure is handed to `onError`; `running` never rejects.
 */
import type { FileHandle } from 'node:fs/promises';

export class BackgroundSync {
  readonly #every: number;
  readonly #onError: (error: unknown) => void;
  #syncedTo = 0;
  #running: Promise<void> | null = null;

  constructor(every: number, onError: (error: unknown) => void) {
    this.#every = every;
    this.#onError = onError;
  }

  /** The fdatasync under way, if any. */
  get running(): Promise<void> | null {
    return this.#running;
  }

  /** Bytes up to `end` are written: start an fdatasync when `every` more have landed since the last began and none runs. */
  after(handle: FileHandle, end: number): void {
    if (end - this.#syncedTo < this.#every || this.#running !== null) return;
    this.#syncedTo = end;
    this.#running = handle
      .datasync()
      .catch(this.#onError)
      .finally(() => {
        this.#running = null;
      });
  }

  /** The file starts again from its first byte. */
  reset(): void {
    this.#syncedTo = 0;
  }
}
