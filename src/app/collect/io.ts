/**
 * The I/O one collect run uses, built once: the HTTP client (with the
 * credentials of the project's named indexes), the cache, the --find-links
 * index, the temporary files under DIR, and --mirror lookups (which mirror
 * serves a file is plan/mirrors.ts's rule; here the mirror's simple page is
 * asked for the file's URL).
 */
import { lstat, rm } from 'node:fs/promises';
import { LockhouseError } from '../../errors.js';
import { startFetchThreads, type HttpSettings } from '../../io/fetch-threads/index.js';
import { createCredentialSource, createDownloader, SimpleApi } from '../../io/http/index.js';
import { copyThrough, digestFile, hashFile, openCache, openPartials, scanFindLinks } from '../../io/store/index.js';
import type { Wheelhouse } from '../../io/wheelhouse/wheelhouse.js';
import type { Log, ProjectSettings } from '../../model.js';
import { registerUrlSecrets } from '../../secrets.js';
import type { FileJob, Jobs } from '../../plan/jobs.js';
import { checkMirrors, mirrorFor, parseMirrors, type Mirror } from '../../plan/mirrors.js';
import type { CollectIO } from './sources.js';

export interface IOOptions {
  readonly findLinks: readonly string[];
  /** --mirror: "FROM=TO" pairs. */
  readonly mirrors: readonly string[];
  /**
   * Site-wide defaults (LOCKHOUSE_MIRROR), "FROM=TO" pairs: a --mirror with
   * the same FROM replaces one; one that names an index this project does
   * not have, or matches nothing, is passed over.
   */
  readonly defaultMirrors?: readonly string[];
  /**
   * --allow-outside-paths: read the local files and projects the lock names
   * wherever they are (default: only inside the lock's folder, --project and
   * the repository that holds the lock; else LOCAL_OUTSIDE).
   */
  readonly allowOutsidePaths?: boolean;
  /** Null: --no-cache. */
  readonly cacheDir: string | null;
  readonly offline: boolean;
  readonly concurrency: number;
  readonly retries: number;
  readonly timeoutMs: number;
  /** --min-rate: the slowest a download may arrive, in bytes per second over each timeoutMs (default 1024; 0: no floor). */
  readonly minBytesPerSecond?: number;
  /** --max-file-size: the most bytes a file the lock gives no size for may take (default 8 GiB). */
  readonly maxFileBytes?: number;
  /** Tests: a shorter first backoff than the default 500 ms. */
  readonly retryBaseMs?: number;
}

export interface OpenIO extends CollectIO {
  /** The run's mirrors (mirrorsOf): builds take their requirements through them too. */
  readonly mirrors: readonly Mirror[];
  requests(): number;
  close(): Promise<void>;
}

/**
 * The run's mirrors from --mirror and LOCKHOUSE_MIRROR, checked against its
 * jobs before DIR is touched: a --mirror that matches nothing is
 * MIRROR_UNUSED. What is passed over is said with -v.
 */
export function mirrorsOf(options: IOOptions, settings: ProjectSettings, jobs: Pick<Jobs, 'files' | 'builds'>, isolation: boolean, log: Log): readonly Mirror[] {
  // A mirror's userinfo is a secret from here on (src/secrets.ts), before any message can name the mirror.
  for (const pair of [...options.mirrors, ...(options.defaultMirrors ?? [])]) registerUrlSecrets(pair);
  const checked = checkMirrors(parseMirrors(options.mirrors, options.defaultMirrors ?? [], settings), jobs, { isolation });
  for (const note of checked.notes) log('debug', note);
  for (const mirror of checked.mirrors) log('debug', `mirror ${mirror.label} (${mirror.given})`);
  return checked.mirrors;
}

/** The network settings the run's downloader and its download threads share (--concurrency aside). */
function httpSettings(options: IOOptions): HttpSettings {
  return {
    retries: options.retries,
    timeoutMs: options.timeoutMs,
    ...(options.retryBaseMs === undefined ? {} : { retryBaseMs: options.retryBaseMs }),
    ...(options.minBytesPerSecond === undefined ? {} : { minBytesPerSecond: options.minBytesPerSecond }),
    ...(options.maxFileBytes === undefined ? {} : { maxFileBytes: options.maxFileBytes }),
  };
}

/** The environment's set variables, as a thread is handed them. */
function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

export async function openCollectIO(
  options: IOOptions,
  mirrors: readonly Mirror[],
  settings: ProjectSettings,
  wheelhouse: Wheelhouse,
  env: NodeJS.ProcessEnv,
  log: Log,
): Promise<OpenIO> {
  const cache = options.cacheDir === null ? null : openCache(options.cacheDir, { onProblem: (problem) => log('warn', `cache entry ${problem.sha256} is ${problem.kind}; it is not used`) });
  // A killed run's leftovers in the cache: inserts, build and checkout staging (the sweeper's one rule).
  if (cache) await cache.sweep();
  const indexes = [...settings.indexes].map(([name, url]) => ({ name, url }));
  const credentials = createCredentialSource({ env, indexes, log });
  const downloader = options.offline
    ? null
    : createDownloader({ ...httpSettings(options), concurrency: options.concurrency, env, credentials, log });
  // Download threads (io/fetch-threads) read netrc for themselves: its secrets are registered here first (src/secrets.ts).
  const threads = downloader ? startFetchThreads({ http: httpSettings(options), concurrency: options.concurrency, env: stringEnv(env), indexes, durable: true, log }) : null;
  if (threads) {
    credentials.load?.();
    log('debug', `downloads on up to ${threads.width} download threads (LOCKHOUSE_FETCH_THREADS)`);
  }
  const simple = downloader ? new SimpleApi(downloader) : null;
  // Downloads an earlier run kept part of, and a killed run's download files salvaged as such (io/store/partials.ts).
  const partials = await openPartials(wheelhouse.stateDir('partial'), wheelhouse.temps, {
    onOpen: (salvaged, swept) => {
      for (const path of salvaged) log('debug', `kept the download a killed run left as a partial: ${path}`);
      for (const path of swept) log('debug', `removed a partial download no longer worth keeping: ${path}`);
    },
  });

  return {
    downloader,
    temps: wheelhouse.temps,
    cache,
    findLinks: await scanFindLinks(options.findLinks),
    // noFollow: a symlink swapped in after the lstat is not read through.
    hashFile: (path, algorithm) => hashFile(path, algorithm, { noFollow: true }),
    copyThrough: (source, temp) => copyThrough(source, temp),
    weakDigest: (path, algorithm) => digestFile(path, algorithm),
    lstat: (path) => lstat(path).catch(() => null),
    cacheContains: async (sha256) => (cache ? cache.contains(sha256) : false),
    remove: (path) => rm(path, { force: true }),
    cacheEntryPath: (sha256) => (cache ? cache.entryPath(sha256) : null),
    partials,
    mirrors,
    async mirrorUrl(job: FileJob): Promise<string | null> {
      if (!simple) return null;
      const mirror = mirrorFor(mirrors, job);
      if (!mirror) return null;
      const file = await simple.find(mirror.to, job.item.package, job.filename);
      if (!file) {
        throw new LockhouseError('MIRROR_MISSING', `${mirror.given} ${mirror.label}: the mirror lists no ${job.filename} for ${job.item.package}`);
      }
      return file.url;
    },
    threads,
    requests: () => (downloader?.requests ?? 0) + (threads?.requests ?? 0),
    close: async () => {
      await Promise.all([downloader?.close(), threads?.close()]);
    },
  };
}
