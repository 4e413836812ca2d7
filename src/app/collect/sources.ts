/**
 * One file, from the first source that has it with the right bytes:
 *   a verified file already in DIR → a --find-links directory → a local
 *   path the lock names → the cache → the network (or its --mirror).
 * Every source's bytes go through the hasher into a temporary file and are
 * renamed into place only when they match; a cache or find-links copy that
 * does not match is passed over (it is not the lock's file), while bytes
 * from the lock's own URL that do not match are an integrity failure.
 */
import type { Stats } from 'node:fs';
import { isLockhouseError } from '../../errors.js';
import { fetchInto, type FetchThreads } from '../../io/fetch-threads/index.js';
import { isFetchError } from '../../io/http/errors.js';
import { redactUrl } from '../../redact.js';
import type { Downloader, Validators } from '../../io/http/types.js';
import type { Log } from '../../model.js';
import { keepsPartialAfter, partialKey, type PartialStore } from '../../io/store/partials.js';
import type { Actual, ContentCache, Expected, TempFile, TempFiles } from '../../io/store/types.js';
import { isUnchanged } from '../../io/wheelhouse/trust.js';
import type { ManifestArtifact, ManifestFailure } from '../../output/manifest.js';
import { lockedSize, type FileJob } from '../../plan/jobs.js';

/** The I/O a collect uses, gathered so tests can replace parts of it. */
export interface CollectIO {
  readonly downloader: Downloader | null;
  /** The run's download threads (io/fetch-threads); absent or null: downloads run on this thread. */
  readonly threads?: FetchThreads | null;
  readonly temps: TempFiles;
  readonly cache: ContentCache | null;
  readonly findLinks: ReadonlyMap<string, readonly string[]>;
  hashFile(path: string, algorithm: Expected['algorithm']): Promise<Actual>;
  copyThrough(source: string, temp: TempFile): Promise<void>;
  /** Hash a finished temp file with md5 or sha1 (for --allow-weak-hashes). */
  weakDigest(path: string, algorithm: 'md5' | 'sha1'): Promise<string>;
  /** lstat, or null when there is nothing there. */
  lstat(path: string): Promise<Stats | null>;
  /** Where to ask for a file instead of its URL (--mirror), or null. */
  mirrorUrl(job: FileJob): Promise<string | null>;
  /** Does the cache hold this content, verified (a bad entry is deleted)? */
  cacheContains(sha256: string): Promise<boolean>;
  /** Remove a file (a wrong one under a final name); absent is fine. */
  remove(path: string): Promise<void>;
  /** Where the cache keeps content (null without a cache). */
  cacheEntryPath(sha256: string): string | null;
  /** Partial downloads kept for a later run (DIR/.lockhouse/partial); absent or null: none are kept or resumed. */
  readonly partials?: PartialStore | null;
}

export interface Trusted {
  readonly sha256: string;
  readonly size: number;
  readonly mtimeMs: number;
}

export interface SourceOptions {
  readonly offline: boolean;
  /** --verify: hash files already in DIR even where the last manifest vouches for them. */
  readonly verify: boolean;
  /** The previous manifest's entries, by file name. */
  readonly trusted: ReadonlyMap<string, Trusted>;
  /** Cache hits are placed without hashing them: the caller hashes every byte later (CollectRequest.cacheVerifiedLater). */
  readonly cacheVerifiedLater?: boolean;
  /** Progress of a download: its start, the size the server tells, its bytes (types.ts CollectEvents). */
  readonly onDownload?: (filename: string, size: number | null, from: number) => void;
  readonly onSize?: (filename: string, size: number) => void;
  readonly onBytes?: (bytes: number, filename: string) => void;
  /** Aborted on SIGINT/SIGTERM: a download under way stops, its temporary file goes. */
  readonly signal?: AbortSignal | undefined;
  readonly log: Log;
}

export type Outcome =
  | {
      readonly ok: true;
      readonly origin: ManifestArtifact['origin'];
      readonly actual: Actual;
      readonly mtimeMs: number;
      /** Bytes of a download an earlier run kept that this one continued (not fetched again). */
      readonly resumedBytes?: number;
    }
  | { readonly ok: false; readonly failure: Omit<ManifestFailure, 'package' | 'version' | 'filename' | 'target'> };

/** One file from the first source that has it; with -v, one line saying which (credentials removed). */
export async function fetchOne(job: FileJob, finalPath: string | null, io: CollectIO, options: SourceOptions): Promise<Outcome> {
  const found = await fetchFrom(job, finalPath, io, options);
  if (found.outcome.ok) options.log('debug', `${job.filename}: ${found.where}`);
  return found.outcome;
}

/** How the per-file line names a source. */
const WHERE = {
  existing: 'already in DIR',
  cache: 'from the cache',
} as const;

async function fetchFrom(job: FileJob, finalPath: string | null, io: CollectIO, options: SourceOptions): Promise<{ outcome: Outcome; where: string }> {
  const algorithm = job.rule.kind === 'strong' ? job.rule.expected.algorithm : 'sha256';

  // 1. Already in DIR (only for files that belong there).
  let replaced = false;
  if (finalPath) {
    const existing = await fromExisting(job, finalPath, io, options, algorithm);
    if (existing === 'removed') replaced = true;
    else if (existing) return { outcome: existing, where: WHERE.existing };
  }

  // 2. --find-links, then 3. a local path the lock names.
  const local: Array<readonly ['find-links' | 'path', string]> = (io.findLinks.get(job.filename) ?? []).map((path) => ['find-links', path] as const);
  if (job.localPath) local.push(['path', job.localPath]);
  // The lock's own local file, when its bytes are not the lock's: a failure of its own if no other source has the file.
  let localMismatch: string | null = null;
  for (const [origin, path] of local) {
    const temp = await io.temps.create(algorithm);
    try {
      await io.copyThrough(path, temp);
      const actual = await temp.finish();
      if (await accepts(job, actual, temp.path, io)) {
        return { outcome: await land(temp, actual, finalPath, origin, io, options.log), where: `${origin === 'path' ? 'from the local path' : 'from --find-links'} ${path}` };
      }
      // Only that it does not match: never the local file's hash or size (an oracle for a file the lock's author cannot read).
      if (origin === 'path') localMismatch = path;
      options.log('warn', `${origin === 'path' ? 'the local file' : 'a --find-links file'} ${path} does not match the lock's ${describeExpected(job)}; passed over`);
    } catch (error) {
      if (origin === 'path') return { outcome: { ok: false, failure: { code: 'LOCAL_UNREADABLE', url: null, reason: `cannot read ${path}: ${(error as Error).message}` } }, where: '' };
      options.log('warn', `cannot read ${path}; passed over`, { error: (error as Error).message });
    } finally {
      await temp.discard();
    }
  }

  // 4. The cache (keyed by sha256: only where the lock gives one).
  if (io.cache && job.rule.kind === 'strong' && job.rule.expected.algorithm === 'sha256') {
    const sha256 = job.rule.expected.digest;
    const dest = finalPath ?? null;
    if (dest) {
      const how = await io.cache.placeInto(sha256, dest, io.temps.dir, { verify: options.cacheVerifiedLater !== true });
      if (how) {
        const stat = await io.lstat(dest);
        return { outcome: { ok: true, origin: 'cache', actual: { sha256, digest: sha256, size: stat?.size ?? 0 }, mtimeMs: stat?.mtimeMs ?? 0 }, where: WHERE.cache };
      }
    } else if (await io.cacheContains(sha256)) {
      return { outcome: { ok: true, origin: 'cache', actual: { sha256, digest: sha256, size: job.rule.expected.size ?? 0 }, mtimeMs: 0 }, where: WHERE.cache };
    }
  }

  // The lock names only a local file, and it is not the lock's.
  if (localMismatch !== null && job.url === null) {
    const reason = `the local file ${localMismatch} does not match the lock's ${describeExpected(job)}; nothing was written under its name`;
    return { outcome: { ok: false, failure: { code: 'INTEGRITY_MISMATCH', url: null, reason } }, where: '' };
  }

  // 5. The network.
  if (options.offline || !io.downloader) {
    const outcome: Outcome = {
      ok: false,
      failure: {
        code: 'OFFLINE_MISSING',
        url: job.url,
        reason:
          (replaced ? 'DIR held a file of this name with other bytes than the lock says (removed); the right one is ' : '') +
          (options.offline
            ? `${replaced ? 'not' : 'not in DIR,'} in the cache${io.findLinks.size ? ' or --find-links' : ''}, and --offline forbids downloading it`
            : 'no source has it'),
      },
    };
    return { outcome, where: '' };
  }
  const mirrored = await io.mirrorUrl(job);
  const url = mirrored ?? job.url;
  if (!url) return { outcome: { ok: false, failure: { code: 'LOCAL_UNREADABLE', url: null, reason: 'the lock gives no URL for it and no local copy was found' } }, where: '' };
  let finalUrl = url;
  const outcome = await download(job, url, finalPath, io, { ...options, onFinalUrl: (reached) => (finalUrl = reached) }, algorithm);
  const redirected = finalUrl !== url ? ` (redirected to ${redactUrl(finalUrl)})` : '';
  const resumed = outcome.ok && outcome.resumedBytes ? ` (resumed from ${outcome.resumedBytes} bytes)` : '';
  return { outcome, where: `${mirrored ? 'from the mirror' : 'downloaded from'} ${redactUrl(url)}${redirected}${resumed}` };
}

async function fromExisting(
  job: FileJob,
  finalPath: string,
  io: CollectIO,
  options: SourceOptions,
  algorithm: Expected['algorithm'],
): Promise<Outcome | 'removed' | null> {
  const stat = await io.lstat(finalPath);
  if (!stat) return null;
  if (!stat.isFile()) {
    // A symlink or a directory where the file goes: never written through; replaced by the rename.
    options.log('warn', `${finalPath} is not a regular file; it will be replaced`);
    return null;
  }
  const trusted = options.trusted.get(job.filename);
  if (
    !options.verify &&
    trusted &&
    isUnchanged(trusted, stat) &&
    job.rule.kind === 'strong' &&
    job.rule.expected.algorithm === 'sha256' &&
    trusted.sha256 === job.rule.expected.digest
  ) {
    return { ok: true, origin: 'existing', actual: { sha256: trusted.sha256, digest: trusted.sha256, size: stat.size }, mtimeMs: stat.mtimeMs };
  }
  const actual = await io.hashFile(finalPath, algorithm);
  // A weak hash (--allow-weak-hashes) is checked here too: a file in DIR is no more trusted than a download.
  if (await accepts(job, actual, finalPath, io)) return { ok: true, origin: 'existing', actual, mtimeMs: stat.mtimeMs };
  // Not the lock's file: it goes now, so that it is not left under the lock's
  // name (for pip to pick up) should no source have the right one.
  await io.remove(finalPath);
  options.log('warn', `removed ${finalPath}: its sha256 ${actual.sha256} differs from the lock's ${describeExpected(job)}; the right file is fetched in its place`);
  return 'removed';
}

/**
 * The network step. A file with a strong hash downloads into a temporary
 * file named for that hash, starting from a partial an earlier run kept
 * when there is one (io/store/partials.ts: claimed, its bytes hashed again,
 * the rest asked with Range and If-Range); when the download stops because
 * the run was interrupted or the network gave up, what arrived is kept for
 * the next run. Bytes that do not match never land, resumed or not.
 */
async function download(
  job: FileJob,
  url: string,
  finalPath: string | null,
  io: CollectIO,
  options: SourceOptions & { readonly onFinalUrl?: (url: string) => void },
  algorithm: Expected['algorithm'],
): Promise<Outcome> {
  const key = job.rule.kind === 'strong' ? partialKey(job.rule.expected) : null;
  const partials = key !== null ? (io.partials ?? null) : null;
  // A mismatch is tried once more from the same URL (a proxy or a broken
  // connection may have mangled it), never from another source: see
  // docs/collect.md "Integrity". A try that continued kept bytes does not
  // count: they may be what was wrong, so the next try is from zero.
  let last: Actual | null = null;
  let resume = true;
  for (let fromZero = 0; fromZero < 2; ) {
    const start = partials ? await partials.start(key!, algorithm, { resume, url }) : { temp: await io.temps.create(algorithm), resumed: null };
    resume = false;
    const { temp, resumed } = start;
    options.onDownload?.(job.filename, lockedSize(job), resumed?.bytes ?? 0);
    if (!resumed) fromZero++;
    else options.log('debug', `${job.filename}: resuming from the ${resumed.bytes} bytes an earlier run kept`);
    let validators: Validators | null = resumed?.validators ?? null;
    let kept = 0;
    try {
      // Never more than the lock's size (or, without one, the run's ceiling): a
      // longer answer fails here, before any hash, and is not fetched again.
      // The kept bytes count toward it.
      // On a download thread when the run has them (io/fetch-threads), else here.
      const { result, actual } = await fetchInto(io.downloader!, io.threads ?? null, url, temp, algorithm, {
        size: lockedSize(job),
        ...(validators ? { validators } : {}),
        onValidators: (answer) => (validators = answer),
        ...(options.onBytes ? { onBytes: (bytes: number) => options.onBytes!(bytes, job.filename) } : {}),
        ...(options.onSize ? { onSize: (bytes: number) => options.onSize!(job.filename, bytes) } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      options.onFinalUrl?.(result.finalUrl);
      if (await accepts(job, actual, temp.path, io)) {
        const landed = await land(temp, actual, finalPath, 'download', io, options.log);
        await partials?.drop(key!);
        return landed.ok && result.resumedFrom > 0 ? { ...landed, resumedBytes: result.resumedFrom } : landed;
      }
      last = actual;
      const again = fromZero < 2 ? '; trying once more' : '';
      const from = result.resumedFrom > 0 ? ` (continuing ${result.resumedFrom} bytes an earlier run kept, which are dropped)` : '';
      options.log('warn', `${job.filename}: the bytes from ${result.finalUrl}${from} do not match the lock${again}`);
    } catch (error) {
      // FETCH_* from the download, OUTPUT_NOT_WRITABLE from the temporary file; any other error is a bug.
      const code = isLockhouseError(error) ? error.code : 'INTERNAL';
      // Stopped by Ctrl-C, or the network gave up: what arrived is worth keeping for the next run.
      if (partials && (options.signal?.aborted === true || keepsPartialAfter(code))) {
        kept = await partials.keep(key!, temp, { url, validators });
        if (kept > 0) options.log('debug', `${job.filename}: kept the ${kept} bytes downloaded so far in ${partials.dir}; the next run resumes from them`);
      }
      return { ok: false, failure: { code, url: isFetchError(error) ? error.url : url, reason: (error as Error).message } };
    } finally {
      if (kept === 0) await temp.discard();
    }
  }
  const expected = describeExpected(job);
  const sizes = job.rule.kind === 'strong' && job.rule.expected.size !== null ? ` (expected ${job.rule.expected.size} bytes, got ${last!.size})` : ` (got ${last!.size} bytes)`;
  return {
    ok: false,
    failure: {
      code: 'INTEGRITY_MISMATCH',
      url,
      reason: `hash mismatch: expected ${expected}, got sha256:${last!.sha256}${sizes}; nothing was written under its name`,
    },
  };
}

/** The partial keys a run still wants after it ran: those of the files it could not get (a later run resumes them). */
export function partialsWanted(files: ReadonlyArray<{ readonly job: FileJob; readonly outcome: Outcome }>): Set<string> {
  const wanted = new Set<string>();
  for (const { job, outcome } of files) {
    const key = !outcome.ok && job.rule.kind === 'strong' ? partialKey(job.rule.expected) : null;
    if (key !== null) wanted.add(key);
  }
  return wanted;
}

function describeExpected(job: FileJob): string {
  const rule = job.rule;
  if (rule.kind === 'strong') return `${rule.expected.algorithm}:${rule.expected.digest}`;
  if (rule.kind === 'weak') return `${rule.algorithm}:${rule.digest}`;
  return '(no hash)';
}

/** The hash decides; a size is reported but never decides alone (uv does not enforce sizes). */
function matches(job: FileJob, actual: Actual): boolean {
  return job.rule.kind !== 'strong' || actual.digest === job.rule.expected.digest;
}

/** Do the bytes at `path`, hashed as `actual`, match the lock? A weak hash is computed from the file. */
async function accepts(job: FileJob, actual: Actual, path: string, io: CollectIO): Promise<boolean> {
  if (job.rule.kind === 'weak') return (await io.weakDigest(path, job.rule.algorithm)) === job.rule.digest;
  return matches(job, actual);
}

/** Verified bytes: into the cache (by sha256), then into DIR under their final name. */
async function land(
  temp: TempFile,
  actual: Actual,
  finalPath: string | null,
  origin: ManifestArtifact['origin'],
  io: CollectIO,
  log: SourceOptions['log'],
): Promise<Outcome> {
  // Downloads go to the cache; so does anything whose only destination is the cache (an sdist to build).
  if (io.cache && (origin === 'download' || finalPath === null)) {
    // A cache that cannot be written (read-only, full) costs a future download, not this file.
    await io.cache.insert(temp.path, actual.sha256).catch((error: Error) => log('warn', `cannot add ${actual.sha256} to the cache: ${error.message}`));
  }
  if (!finalPath) return { ok: true, origin, actual, mtimeMs: 0 };
  await temp.moveTo(finalPath);
  const stat = await io.lstat(finalPath);
  return { ok: true, origin, actual, mtimeMs: stat?.mtimeMs ?? 0 };
}
