/**
 * Partial downloads: the bytes of a download that stopped part-way — the run
 * was interrupted (Ctrl-C, SIGTERM), or the network gave up after the
 * retries — kept in DIR/.lockhouse/partial for the next run to resume with
 * a Range request instead of starting from zero. The one module that knows
 * how a download is kept and taken up again; the download step
 * (app/collect/sources.ts) asks it where to start (`start`), tells it what
 * to keep (`keep`) and when the file is done (`drop`).
 *
 * - **Keyed by what the file must be**: `<algorithm>-<hex>` of the lock's
 *   strong hash (`partialKey`). A file without one is never kept: nothing
 *   could tell its bytes are the start of the right file.
 * - **Never under a final name**: a partial is `partial/<key>.part` (the
 *   bytes) and `partial/<key>.json` (where they came from: the URL without
 *   userinfo or query — never a credential —, the size, the server's ETag
 *   and Last-Modified). Resuming moves the bytes into a temporary file that
 *   hashes them again (a hash state cannot cross processes), and the whole
 *   file's hash decides at the end, as for any download.
 * - **One resumer**: a partial is claimed by one rename(2) into
 *   DIR/.lockhouse/tmp (the same filesystem), so two runs never resume the
 *   same bytes; the other starts from zero.
 * - **Validators only for the same source**: the ETag of one server means
 *   nothing to another, so If-Range goes with the rest only when it is asked
 *   of the URL the bytes came from. Through another URL (a --mirror, a lock
 *   whose URL changed) the rest is asked without it: the bytes are the
 *   same file by hash, or the final check fails.
 * - **A killed run's bytes** (SIGKILL, a power cut): a download's temporary
 *   file is labeled with its key (`.<key>.<pid>-<random>.tmp`), so once its
 *   writer is gone by the sweeper's rule (dead, a minute untouched:
 *   sweep.ts `isAbandoned`) it becomes a partial with no record (no
 *   validators: the hash decides) instead of being removed.
 * - **Cleaned by one rule**: a partial goes when it is taken up (its bytes
 *   become the file, or go with it when the whole file's hash fails: bytes
 *   that proved wrong are never resumed again), when its file is in place
 *   (`drop`), when a collect that completes does not want its file
 *   (`prune`), and, like anything left in DIR/.lockhouse, when it was not
 *   touched for a day (DAY_MS): it was kept on purpose, so it has no
 *   one-minute grace to outlive.
 */
import { lstat, readdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Validators } from '../http/types.js';
import { isHexDigest, type Algorithm } from './digest.js';
import { openRegularFile } from './hash-file.js';
import { landBytes, moveBetween } from './land.js';
import { checkRealDirs, knownRealDirs, makeRealDirs } from './real-dirs.js';
import { errnoCode } from './store-error.js';
import { DAY_MS, isAbandoned, isProcessAlive } from './sweep.js';
import { adoptTempFile } from './temp-files.js';
import { isHeldTempName, newTempName, parseTempName, releaseTempName } from './temp-name.js';
import type { TempFile, TempFiles } from './types.js';

const PART = '.part';
const RECORD = '.json';
/** A record is a few hundred bytes; anything much larger was not written by lockhouse. */
const MAX_RECORD_BYTES = 16 * 1024;
const VALIDATOR_LENGTH = 512;

/** Where a kept download came from. */
export interface PartialSource {
  /** The URL it was asked of (credentials and query are never stored). */
  readonly url: string;
  /** The validators of the answer its bytes came from. */
  readonly validators: Validators | null;
}

/** Where a download starts: a temporary file, empty or holding a partial's bytes (hashed). */
export interface Start {
  readonly temp: TempFile;
  /** Null: from zero. */
  readonly resumed: {
    readonly bytes: number;
    /** The validators to send with the rest (If-Range); null when the bytes came from elsewhere or nobody knows. */
    readonly validators: Validators | null;
  } | null;
}

export interface PartialStore {
  /** DIR/.lockhouse/partial. */
  readonly dir: string;
  /**
   * A temporary file to download `key` into, labeled with it. With `resume`,
   * the kept partial is claimed (this run alone continues it) and its bytes
   * hashed into the file; `url` is where the rest will be asked.
   */
  start(key: string, algorithm: Algorithm, options: { readonly resume: boolean; readonly url: string }): Promise<Start>;
  /**
   * Keep what `temp` holds as `key`'s partial (it is finished and moved; on
   * any failure it is left for the caller to discard). The bytes kept: 0
   * when none were.
   */
  keep(key: string, temp: TempFile, from: PartialSource): Promise<number>;
  /** `key`'s file is in place: forget any partial of it (never throws). */
  drop(key: string): Promise<void>;
  /** A collect completed: remove the partials (and a killed run's download files) of every key not in `wanted`. The paths removed. */
  prune(wanted: ReadonlySet<string>): Promise<string[]>;
}

export interface PartialsOptions {
  /** Now, in ms (tests). */
  readonly now?: () => number;
  /** Is this pid a live process? (tests; default: signal 0). */
  readonly isAlive?: (pid: number) => boolean;
  /** Told what was salvaged or swept at opening, for a debug log. */
  readonly onOpen?: (salvaged: readonly string[], swept: readonly string[]) => void;
}

/** The key a partial of a file with this hash is kept under, or null when it cannot be kept. */
export function partialKey(expected: { readonly algorithm: Algorithm; readonly digest: string }): string | null {
  const digest = expected.digest.toLowerCase();
  return isHexDigest(expected.algorithm, digest) ? `${expected.algorithm}-${digest}` : null;
}

/** Is `text` a key partialKey makes? (What a name in DIR/.lockhouse may carry.) */
function isKey(text: string): boolean {
  const dash = text.indexOf('-');
  const algorithm = text.slice(0, dash);
  return (algorithm === 'sha256' || algorithm === 'sha384' || algorithm === 'sha512') && isHexDigest(algorithm, text.slice(dash + 1));
}

/**
 * The failures after which a download's bytes are worth keeping: the
 * network or the server gave up (after the retries), saying nothing
 * against the bytes that did arrive. Not after an answer that proved them
 * wrong (too large, another range, a body longer than announced), a hash
 * mismatch, a full disk or an error nobody expected.
 */
const KEPT_AFTER: ReadonlySet<string> = new Set(['FETCH_NETWORK', 'FETCH_TIMEOUT', 'FETCH_TOO_SLOW', 'FETCH_HTTP_STATUS', 'FETCH_ABORTED']);

/** Keep a download's bytes after it failed with `code`? (An interrupted run keeps them whatever the code.) */
export function keepsPartialAfter(code: string | null): boolean {
  return code !== null && KEPT_AFTER.has(code);
}

/** A URL as a partial records it: origin and path, no userinfo, query or fragment. Null when it is no URL. */
export function recordedUrl(url: string): string | null {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return null;
  }
}

/**
 * The partial store of a wheelhouse: `dir` is DIR/.lockhouse/partial,
 * `temps` the temporary files of DIR/.lockhouse/tmp (the same filesystem).
 * Opening salvages a killed run's download files and removes partials a
 * day old. A link planted at `dir` is refused (OUTPUT_UNSAFE_PATH), never
 * followed.
 */
export async function openPartials(dir: string, temps: TempFiles, options: PartialsOptions = {}): Promise<PartialStore> {
  const root = dirname(dir);
  const now = options.now ?? Date.now;
  const isAlive = options.isAlive ?? isProcessAlive;
  const partPath = (key: string): string => join(dir, `${key}${PART}`);
  const recordPath = (key: string): string => join(dir, `${key}${RECORD}`);
  // Checked once per run (real-dirs.ts), not per download; forgotten when a move finds the folder gone.
  const known = knownRealDirs();
  // A folder absent when the store opened, and not made since by this run, holds nothing this run may resume or
  // must drop (a partial kept meanwhile by another run is that run's): no lookup per download then.
  let absentAtOpen = false;
  const made = async (): Promise<void> => {
    await makeRealDirs(root, dir, 'OUTPUT_UNSAFE_PATH', 'OUTPUT_NOT_WRITABLE', known);
    absentAtOpen = false;
  };
  const present = async (): Promise<boolean> => !absentAtOpen && (await checkRealDirs(root, dir, 'OUTPUT_UNSAFE_PATH', known)) === 'present';

  /** The download files of DIR/.lockhouse/tmp labeled with a key whose writers are gone, by the sweeper's rule. */
  async function abandonedDownloads(): Promise<Array<{ key: string; path: string; size: number; touched: number }>> {
    const names = await readdir(temps.dir).catch(() => [] as string[]);
    const found: Array<{ key: string; path: string; size: number; touched: number }> = [];
    for (const name of names) {
      const parsed = parseTempName(name);
      if (!parsed || parsed.label === null || !isKey(parsed.label) || isHeldTempName(name)) continue;
      const path = join(temps.dir, name);
      const stats = await lstat(path).catch(() => null);
      if (!stats?.isFile() || !isAbandoned(parsed.pid, stats.mtimeMs, now(), isAlive)) continue;
      found.push({ key: parsed.label, path, size: stats.size, touched: stats.mtimeMs });
    }
    return found;
  }

  /** A killed run's download files become partials (unless a day old, empty, or a kept partial is there already: then they go). */
  async function salvage(): Promise<{ salvaged: string[]; swept: string[] }> {
    const salvaged: string[] = [];
    const swept: string[] = [];
    for (const found of await abandonedDownloads()) {
      const part = partPath(found.key);
      const worthless = now() - found.touched >= DAY_MS || found.size === 0 || (await lstat(part).catch(() => null)) !== null;
      if (worthless) {
        await rm(found.path, { force: true });
        swept.push(found.path);
        continue;
      }
      await made();
      // No record: the validators of those bytes are not known (the hash decides).
      await rm(recordPath(found.key), { force: true });
      try {
        await moveBetween(found.path, part);
        salvaged.push(part);
      } catch (error) {
        if (errnoCode(error) !== 'ENOENT') throw error; // another run salvaged it first
      }
    }
    return { salvaged, swept };
  }

  /** Partials untouched for a day. */
  async function sweepOld(): Promise<string[]> {
    if (!(await present())) return [];
    const swept: string[] = [];
    for (const name of await readdir(dir)) {
      if (!isKey(keyOf(name) ?? '')) continue;
      const path = join(dir, name);
      const stats = await lstat(path).catch(() => null);
      if (stats && now() - stats.mtimeMs >= DAY_MS) {
        await rm(path, { force: true });
        swept.push(path);
      }
    }
    return swept;
  }

  absentAtOpen = !(await present()); // a link at DIR/.lockhouse/partial is refused before anything is moved
  // Salvaging and sweeping are favours to this run and the disk: a file that cannot be moved or removed is left for another time.
  const opened = await salvage().catch(() => ({ salvaged: [] as string[], swept: [] as string[] }));
  const old = await sweepOld().catch(() => [] as string[]);
  options.onOpen?.(opened.salvaged, [...opened.swept, ...old].sort());

  const fresh = async (key: string, algorithm: Algorithm): Promise<Start> => ({ temp: await temps.create(algorithm, key), resumed: null });

  /** Claim `key`'s partial into a temporary file of this process, its bytes hashed; null when there is none to resume. */
  async function claim(key: string, algorithm: Algorithm, url: string): Promise<Start | null> {
    if (!(await present())) return null;
    const found = await lstat(partPath(key)).catch(() => null);
    if (!found) return null;
    if (!found.isFile()) {
      // Not something lockhouse kept (a link, a folder): removed, never followed.
      await rm(partPath(key), { recursive: true, force: true });
      return null;
    }
    const record = await readRecord(recordPath(key));
    // The claim: one rename into tmp/, under a name this process holds. A run that loses the race finds nothing.
    const claimed = join(temps.dir, newTempName(key));
    try {
      await moveBetween(partPath(key), claimed);
    } catch {
      releaseTempName(claimed);
      return null;
    }
    await rm(recordPath(key), { force: true });
    let temp: TempFile;
    try {
      temp = await adoptTempFile(claimed, algorithm);
    } catch {
      // A link swapped in meanwhile (O_NOFOLLOW: removed, never followed), or unreadable.
      await rm(claimed, { recursive: true, force: true });
      releaseTempName(claimed);
      return null;
    }
    if (temp.bytesWritten === 0) {
      await temp.discard();
      return null;
    }
    // A record that does not describe these bytes (two runs kept one key at once) tells nothing.
    const described = record !== null && record.size === temp.bytesWritten;
    const sameSource = described && record.url === recordedUrl(url);
    return { temp, resumed: { bytes: temp.bytesWritten, validators: sameSource ? record.validators : null } };
  }

  return {
    dir,

    async start(key, algorithm, { resume, url }) {
      // Resuming is a favour to this run: whatever stands in its way, the download starts from zero.
      const claimed = resume ? await claim(key, algorithm, url).catch(() => null) : null;
      return claimed ?? fresh(key, algorithm);
    },

    async keep(key, temp, from) {
      if (temp.bytesWritten === 0) return 0;
      try {
        const { size } = await temp.finish();
        await made();
        const url = recordedUrl(from.url);
        const record: StoredRecord | null = url === null ? null : { url, size, etag: from.validators?.etag ?? null, lastModified: from.validators?.lastModified ?? null };
        // The record first, then the bytes: a run that dies between leaves a record without bytes, which nothing reads.
        if (record) await landBytes(recordPath(key), `${JSON.stringify(record)}\n`, { tempDir: temps.dir, durable: false });
        else await rm(recordPath(key), { force: true });
        await temp.moveTo(partPath(key));
        return size;
      } catch {
        known.clear();
        // Keeping is a favour to the next run: a full disk or a failed file means there is nothing worth keeping.
        return 0;
      }
    },

    async drop(key) {
      // The file is in place whatever happens here: a partial that cannot be removed now goes with the next prune or the day.
      try {
        if (!(await present())) return;
        await Promise.all([rm(partPath(key), { force: true }), rm(recordPath(key), { force: true })]);
      } catch {
        // left for prune
      }
    },

    async prune(wanted) {
      const removed: string[] = [];
      if (await present()) {
        for (const name of await readdir(dir)) {
          const key = keyOf(name);
          if (key === null || !isKey(key) || wanted.has(key)) continue;
          await rm(join(dir, name), { force: true });
          removed.push(join(dir, name));
        }
      }
      for (const found of await abandonedDownloads()) {
        if (wanted.has(found.key)) continue;
        await rm(found.path, { force: true });
        removed.push(found.path);
      }
      return removed.sort();
    },
  };
}

/** `<key>.part` or `<key>.json` → key; null for any other name. */
function keyOf(name: string): string | null {
  if (name.endsWith(PART)) return name.slice(0, -PART.length);
  if (name.endsWith(RECORD)) return name.slice(0, -RECORD.length);
  return null;
}

interface StoredRecord {
  readonly url: string;
  readonly size: number;
  readonly etag: string | null;
  readonly lastModified: string | null;
}

/** A partial's record, or null when absent, a link, too large or not one lockhouse wrote. */
async function readRecord(path: string): Promise<{ url: string; size: number; validators: Validators } | null> {
  let text: string;
  try {
    const { handle, size } = await openRegularFile(path, { noFollow: true });
    try {
      if (size > MAX_RECORD_BYTES) return null;
      text = (await handle.readFile()).toString('utf8');
    } finally {
      await handle.close();
    }
  } catch {
    return null;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const record = value as Record<string, unknown>;
  // The HTTP layer checks validators again before sending them (io/http/validators.ts); here, only their type and length.
  const bounded = (field: unknown): string | null => (typeof field === 'string' && field.length <= VALIDATOR_LENGTH ? field : null);
  if (typeof record.url !== 'string' || !Number.isSafeInteger(record.size) || (record.size as number) < 0) return null;
  return { url: record.url, size: record.size as number, validators: { etag: bounded(record.etag), lastModified: bounded(record.lastModified) } };
}
