/**
 * Reusable 256 KiB write buffers. Every temporary file gathers its bytes in
 * two of them; allocating them anew per file made a thousand-file collect
 * spend a tenth of its time collecting garbage. A buffer is returned only
 * when no write of it is under way.
 *
 * Why 256 KiB and not 1 MiB: the bytes are copied into the buffer on one
 * core and out of it into the page cache by the kernel on another, and a
 * buffer that stays in the cores' caches makes both copies cheaper. Writing
 * 2 GiB as it arrived from nginx, 1 MiB writes took 1.38× the time of
 * 256 KiB ones (medians of 6, alternating), for four times the syscalls;
 * docs/performance.md has the figures.
 */
export const POOLED_BUFFER_SIZE = 256 * 1024;

/** Enough for 32 files in flight at once; beyond that, buffers are left to the collector. */
const KEEP = 64;
const free: Buffer[] = [];

export function takeBuffer(): Buffer {
  return free.pop() ?? Buffer.allocUnsafeSlow(POOLED_BUFFER_SIZE);
}

export function giveBack(...buffers: ReadonlyArray<Buffer | null>): void {
  for (const buffer of buffers) if (buffer && free.length < KEEP) free.push(buffer);
}
