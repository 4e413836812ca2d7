/**
 * Digests computed in one pass over the bytes (ssri's IntegrityStream, uv's
 * HashReader): sha256 always — the cache is keyed by it and the manifest
 * records it — plus the lock's algorithm when that is sha384 or sha512.
 * Deciding is the caller's: `matches` is the rule.
 */
import { createHash, type Hash } from 'node:crypto';
import type { Actual, Expected } from './types.js';

export type Algorithm = Expected['algorithm'];

const HEX_LENGTH: Readonly<Record<Algorithm, number>> = { sha256: 64, sha384: 96, sha512: 128 };

/** Is `digest` a lower-case hex digest of `algorithm`'s length? Check before a digest names a path. */
export function isHexDigest(algorithm: Algorithm, digest: string): boolean {
  return digest.length === HEX_LENGTH[algorithm] && /^[0-9a-f]+$/.test(digest);
}

export class Digests {
  readonly algorithm: Algorithm;
  #sha256: Hash;
  #other: Hash | null;
  #size = 0;

  constructor(algorithm: Algorithm) {
    this.algorithm = algorithm;
    this.#sha256 = createHash('sha256');
    this.#other = algorithm === 'sha256' ? null : createHash(algorithm);
  }

  get size(): number {
    return this.#size;
  }

  update(chunk: Uint8Array): void {
    this.#sha256.update(chunk);
    this.#other?.update(chunk);
    this.#size += chunk.length;
  }

  /** Forget everything: the next bytes are the first. */
  reset(): void {
    this.#sha256 = createHash('sha256');
    this.#other = this.algorithm === 'sha256' ? null : createHash(this.algorithm);
    this.#size = 0;
  }

  /** The digests so far; the hashers cannot be used afterwards (reset() makes new ones). */
  result(): Actual {
    const sha256 = this.#sha256.digest('hex');
    return { sha256, digest: this.#other ? this.#other.digest('hex') : sha256, size: this.#size };
  }
}

/**
 * Do the bytes read or written match what the lock promises? The hash
 * decides; the size never does (uv does not enforce sizes in uv.lock), so a
 * size difference matters only to explain a hash that failed (`sizeDiffers`).
 */
export function matches(expected: Expected, actual: Actual): boolean {
  const want = expected.digest.toLowerCase();
  if (expected.algorithm === 'sha256') return actual.sha256 === want;
  // `digest` holds the expected algorithm's hex only when the Actual was
  // made for it; a sha256 in its place has another length and never matches.
  return actual.digest.length === HEX_LENGTH[expected.algorithm] && actual.digest === want;
}

/** The lock gives a size and it differs: worth saying next to a hash mismatch, never a verdict alone. */
export function sizeDiffers(expected: Expected, actual: Actual): boolean {
  return expected.size !== null && expected.size !== actual.size;
}
