/**
 * The I/O one collect run uses, built once: the HTTP client (with the
 * credentials of the project's named indexes), the cache, the --find-links
 * index, the temporary files under DIR, and --mirror lookups.
 */
import { lstat, rm } from 'node:fs/promises';
import { LockhouseError } from '../../errors.js';
import { createCredentialSource, createDownloader, SimpleApi } from '../../io/http/index.js';
import { copyThrough, digestFile, hashFile, openCache, scanFindLinks, sweepLeftovers } from '../../io/store/index.js';
import type { Wheelhouse } from '../../io/wheelhouse/wheelhouse.js';
import type { Log, ProjectSettings } from '../../model.js';
import type { FileJob } from '../../plan/jobs.js';
import { normalizeIndexUrl, resolveIndex } from '../../select/filters.js';
import type { CollectIO } from './sources.js';

export interface IOOptions {
  readonly findLinks: readonly string[];
  /** "FROM=TO" pairs. */
  readonly mirrors: readonly string[];
  /** Null: --no-cache. */
  readonly cacheDir: string | null;
  readonly offline: boolean;
  readonly concurrency: number;
  readonly retries: number;
  readonly timeoutMs: number;
  /** Tests: a shorter first backoff than the default 500 ms. */
  readonly retryBaseMs?: number;
}

export interface OpenIO extends CollectIO {
  requests(): number;
  close(): Promise<void>;
}

export async function openCollectIO(
  options: IOOptions,
  settings: ProjectSettings,
  wheelhouse: Wheelhouse,
  env: NodeJS.ProcessEnv,
  log: Log,
): Promise<OpenIO> {
  const mirrors = parseMirrors(options.mirrors, settings);
  const cache = options.cacheDir === null ? null : openCache(options.cacheDir, { onProblem: (problem) => log('warn', `cache entry ${problem.sha256} is ${problem.kind}; it is not used`) });
  // A killed run's half-written cache inserts (the sweeper's one rule).
  if (cache) await sweepLeftovers(cache.tmpDir);
  const downloader = options.offline
    ? null
    : createDownloader({
        retries: options.retries,
        timeoutMs: options.timeoutMs,
        concurrency: options.concurrency,
        ...(options.retryBaseMs === undefined ? {} : { retryBaseMs: options.retryBaseMs }),
        env,
        credentials: createCredentialSource({ env, indexes: [...settings.indexes].map(([name, url]) => ({ name, url })), log }),
        log,
      });
  const simple = downloader ? new SimpleApi(downloader) : null;

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
    async mirrorUrl(job: FileJob): Promise<string | null> {
      if (!simple || job.index === null) return null;
      const to = mirrors.get(normalizeIndexUrl(job.index));
      if (!to) return null;
      const file = await simple.find(to, job.item.package, job.filename);
      if (!file) {
        throw new LockhouseError('MIRROR_MISSING', `the mirror ${to} has no ${job.filename} for ${job.item.package}`);
      }
      return file.url;
    },
    requests: () => downloader?.requests ?? 0,
    close: async () => {
      await downloader?.close();
    },
  };
}

/** "FROM=TO": FROM an index name, `pypi` or a URL; TO the simple index to fetch through. */
function parseMirrors(pairs: readonly string[], settings: ProjectSettings): Map<string, string> {
  const mirrors = new Map<string, string>();
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    const to = pair.slice(at + 1).trim();
    if (at <= 0 || !/^https?:\/\//i.test(to)) {
      throw new LockhouseError('USAGE', `--mirror takes FROM=TO, where TO is the URL of a simple index, not "${pair}"`, {
        hint: 'e.g. --mirror pypi=https://artifactory.example/api/pypi/pypi/simple',
      });
    }
    mirrors.set(resolveIndex(pair.slice(0, at).trim(), settings, '--mirror'), to);
  }
  return mirrors;
}
