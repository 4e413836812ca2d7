/**
 * The contract between the storage layer (src/io/store/) and its callers
 * (app/collect).
 *
 * Nothing lands under a final name unless its bytes were hashed on the way
 * and matched: every write goes to a temporary file on the destination's
 * filesystem, then one rename.
 */
import type { Expected } from '../../model.js';
import type { DownloadSink } from '../http/types.js';

export type { Expected };


/** What was actually read or written. */
export interface Actual {
  /** Always computed. */
  readonly sha256: string;
  /** The expected algorithm's digest when it is not sha256. */
  readonly digest: string;
  readonly size: number;
}

/** A file being written under DIR/.lockhouse/tmp (or the cache's tmp): a DownloadSink that hashes as it writes. */
export interface TempFile extends DownloadSink {
  readonly path: string;
  /** Stop writing; the digests of what was written. */
  finish(): Promise<Actual>;
  /** Rename into place (never through a symlink at `finalPath`). */
  moveTo(finalPath: string): Promise<void>;
  /** Remove it unless it was moved; safe to call twice. */
  discard(): Promise<void>;
  /**
   * Hand the file to another thread to write the rest of (a download
   * thread: io/fetch-threads): its bytes so far are on disk, and this object
   * leaves the file alone until reclaim().
   */
  lend(): Promise<void>;
  /** Take the file back, `bytes` long: finished with `actual` (the other thread synced and closed it), else failed (only to discard). */
  reclaim(bytes: number, actual: Actual | null): void;
}

export interface TempFiles {
  /**
   * A new temporary file, for content expected to hash with `algorithm`.
   * `label` goes into its name (`.<label>.<pid>-<random>.tmp`, temp-name.ts):
   * a download's names the file it must become (partials.ts), so a killed
   * run's bytes can be told apart and resumed.
   */
  create(algorithm: Expected['algorithm'], label?: string): Promise<TempFile>;
  /** The directory the temporary files live in (on the final names' filesystem). */
  readonly dir: string;
}

export interface PlaceOptions {
  /**
   * false: an entry present under its name is placed without hashing it —
   * only for a caller that hashes every byte of it against the same sha256
   * before anything leaves its hands, and when they differ places it again
   * verified, which removes the bad entry (the bundle's zip: app/bundle.ts).
   * Default true.
   */
  readonly verify?: boolean;
}

export interface ContentCache {
  readonly root: string;
  /**
   * If the cache holds sha256, read it through the hasher; when it matches,
   * put it at `dest` (hardlink, else reflink/copy, via a temporary name and
   * one rename) and say how. A bad entry is deleted; absent or bad → null.
   */
  placeInto(sha256: string, dest: string, tempDir: string, options?: PlaceOptions): Promise<'link' | 'copy' | null>;
  /** Add a verified file (link, else copy, then rename). An entry already there counts as done. */
  insert(from: string, sha256: string): Promise<void>;
  /** Does the cache hold sha256 with the right bytes? Hashes the entry; a bad one is deleted. */
  contains?(sha256: string): Promise<boolean>;
}
