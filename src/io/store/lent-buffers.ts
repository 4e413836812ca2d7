/**
 * Pooled read buffers lent to a stream pipeline (the bundle's zip): a
 * reader fills a buffer from buffer-pool.ts and pushes a view of it; the
 * stages in between pass the same view on; the writer at the end gives the
 * buffer back once its write has completed, so a 2 GB zip reuses a few
 * dozen buffers instead of allocating (and collecting) two thousand.
 *
 * Only the writer at the end may give a view's buffer back, and only when
 * nothing holds the view any more: every stage between must pass chunks on
 * untouched and keep no reference (yazl's CRC-32 and byte counters and a
 * PassThrough do).
 */
import { giveBack } from './buffer-pool.js';

const lent = new WeakMap<Uint8Array, Buffer>();

/** The first `length` bytes of a pooled `buffer`, as the chunk a reader pushes; returnBuffer(view) gives `buffer` back. */
export function lendView(buffer: Buffer, length: number): Buffer {
  const view = buffer.subarray(0, length);
  lent.set(view, buffer);
  return view;
}

/** The writer is done with `view`: its buffer goes back to the pool. Nothing happens for a chunk that was not lent. */
export function returnBuffer(view: Uint8Array): void {
  const buffer = lent.get(view);
  if (buffer === undefined) return;
  lent.delete(view);
  giveBack(buffer);
}
