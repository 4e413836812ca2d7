/**
 * Reusable 1 MiB write buffers. Every temporary file gathers its bytes in
 * two of them; allocating them anew per file made a thousand-file collect
 * spend a tenth of its time collecting garbage. A buffer is returned only
 * when no write of it is under way.
 */
export const POOLED_BUFFER_SIZE = 1 << 20;

/** Enough for 32 files in flight at once; beyond that, buffers are left to the collector. */
const KEEP = 64;
const free: Buffer[] = [];

export function takeBuffer(): Buffer {
  return free.pop() ?? Buffer.allocUnsafeSlow(POOLED_BUFFER_SIZE);
}

export function giveBack(...buffers: ReadonlyArray<Buffer | null>): void {
  for (const buffer of buffers) if (buffer && free.length < KEEP) free.push(buffer);
}
