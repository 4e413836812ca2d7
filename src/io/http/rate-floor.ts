/**
 * The slowest a response body may arrive (no I/O: the clock is given).
 *
 * `--timeout` bounds a silence; a server that sends one byte a second is
 * never silent for long, and would hold a 196 KiB file for 56 hours. So a
 * body must also average at least `bytesPerSecond` over each window of
 * `windowMs` spent waiting for it (the window is `--timeout`): the rule of
 * cargo's `http.low-speed-limit` over `http.timeout`, and git's
 * `http.lowSpeedLimit` / `lowSpeedTime`. It is a floor on the rate, not a
 * deadline, so a 2 GB wheel on a slow but steady link takes as long as it
 * takes; a body of S bytes can last at most S / bytesPerSecond + windowMs.
 *
 * Time the caller spends with a chunk (writing it to disk: undici pauses the
 * socket meanwhile) is not the server's: `resume()` restarts the count after
 * it. Checked as chunks arrive; a body that stops altogether is the idle
 * timeout's to end.
 */

export interface Shortfall {
  /** Bytes that arrived in the window that ended below the floor. */
  readonly bytes: number;
  /** How long that window was, in ms (at least windowMs). */
  readonly ms: number;
}

export class RateFloor {
  readonly #bytesPerSecond: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  #mark: number;
  #waited = 0;
  #bytes = 0;

  /** `bytesPerSecond` 0 turns the floor off. */
  constructor(bytesPerSecond: number, windowMs: number, now: () => number) {
    this.#bytesPerSecond = bytesPerSecond;
    this.#windowMs = windowMs;
    this.#now = now;
    this.#mark = now();
  }

  /** The wait for the network starts again now (after the caller's own work on a chunk). */
  resume(): void {
    this.#mark = this.#now();
  }

  /** `bytes` arrived: the window's figures when it ended below the floor, else null. */
  arrived(bytes: number): Shortfall | null {
    if (this.#bytesPerSecond <= 0) return null;
    const now = this.#now();
    this.#waited += Math.max(0, now - this.#mark);
    this.#mark = now;
    this.#bytes += bytes;
    if (this.#waited < this.#windowMs) return null;
    if (this.#bytes * 1000 < this.#bytesPerSecond * this.#waited) return { bytes: this.#bytes, ms: this.#waited };
    this.#waited = 0;
    this.#bytes = 0;
    return null;
  }
}
