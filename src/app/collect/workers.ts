/**
 * How one collect fetches a file and builds a wheel (run.ts schedules
 * them): where each file lands (DIR, or — for an sdist there only to be
 * built — the cache, else DIR/.lockhouse/sdists), the sources' options,
 * the build layer, and the rule that neither ever throws for a job: an
 * unexpected error is that job's failure, the rest go on.
 */
import { isLockhouseError, type ErrorCode } from '../../errors.js';
import type { ManifestArtifact } from '../../output/manifest.js';
import { lockedSize, type FileJob } from '../../plan/jobs.js';
import type { Wheelhouse } from '../../io/wheelhouse/wheelhouse.js';
import type { PlanResult } from '../plan.js';
import { buildOptionsFor, openBuildIO } from './build-io.js';
import { buildOne, type BuildOutcome } from './builds.js';
import type { CollectEvents, CollectRequest } from './types.js';
import type { OpenIO } from './io.js';
import type { Workers } from './run.js';
import { fetchOne, type Outcome, type SourceOptions } from './sources.js';

export function workersFor(request: CollectRequest, planned: PlanResult, wheelhouse: Wheelhouse, io: OpenIO, env: NodeJS.ProcessEnv, events: CollectEvents): Workers {
  const sourceOptions: SourceOptions = {
    offline: request.offline,
    verify: request.verify,
    trusted: new Map((wheelhouse.previous.manifest?.artifacts ?? []).map((entry) => [entry.filename, entry])),
    ...(request.cacheVerifiedLater ? { cacheVerifiedLater: true } : {}),
    log: events.log,
    ...(events.onDownload ? { onDownload: events.onDownload.bind(events) } : {}),
    ...(events.onSize ? { onSize: events.onSize.bind(events) } : {}),
    ...(events.onBytes ? { onBytes: events.onBytes.bind(events) } : {}),
    ...(request.signal ? { signal: request.signal } : {}),
  };
  const interrupted = (): boolean => request.signal?.aborted === true;
  const finalPathOf = (job: FileJob): string | null =>
    job.destination === 'output' ? wheelhouse.pathFor(job.filename) : io.cache ? null : wheelhouse.stateFile('sdists', job.filename);
  const large = limiter(Math.min(LARGE_FILES_AT_ONCE, request.concurrency));
  const buildIO = openBuildIO(request, planned.settings, wheelhouse, env, events.log);
  const buildOptions = buildOptionsFor(request, planned, io.mirrors, wheelhouse.previous.manifest, events.log);

  return {
    // Twice as many files in hand as connections: while one file's bytes
    // are being synced, verified and renamed, and its successor's temporary
    // file is being made, the next request already waits on its connection,
    // so no connection idles on local disk work (measured: with only 8 more
    // files than connections, 224 small files behind 40 ms of latency took
    // 1.65 s against 1.26 s). Memory stays flat: only a file that is
    // receiving bytes holds write buffers (io/store/temp-files.ts gives them
    // back before its fdatasync). The HTTP layer opens at most --concurrency
    // connections per origin.
    fileConcurrency: request.concurrency * 2,
    largestFirst: io.threads != null,
    buildConcurrency: request.buildJobs,
    async fetch(job) {
      if (interrupted()) return { ok: false, failure: INTERRUPTED };
      const outcome = await (isLarge(job) ? large : unbounded)(() => fetchOne(job, finalPathOf(job), io, sourceOptions))
        .catch((error: unknown): Outcome => ({ ok: false, failure: unexpected(error) }))
        .then((done): Outcome => (!done.ok && interrupted() ? { ok: false, failure: INTERRUPTED } : done));
      if (job.destination === 'output') events.onFile?.(job, outcome);
      return outcome;
    },
    async build(job, source) {
      const unbuilt = (): BuildOutcome => ({ artifacts: [], failures: [{ ...INTERRUPTED, package: job.item.package, version: job.item.version, filename: job.item.filename, target: null }] });
      if (interrupted()) return unbuilt();
      // The sdist's path once fetched: its place in DIR, else its cache entry.
      const sdistPath = async (): Promise<string | null> => {
        if (job.source.kind !== 'sdist') return null;
        const file = job.source.file;
        const outcome = await source(file);
        return outcome.ok ? (finalPathOf(file) ?? io.cacheEntryPath(outcome.actual.sha256)) : null;
      };
      const outcome = await buildOne(job, sdistPath, { io, build: buildIO, options: buildOptions, sources: sourceOptions }).catch(
        (error: unknown): BuildOutcome => ({ artifacts: [], failures: [{ ...unexpected(error), package: job.item.package, version: job.item.version, filename: job.item.filename, target: null }] }),
      );
      // -v: where each built wheel came from, as sources.ts says for files.
      for (const artifact of outcome.artifacts) events.log('debug', `${artifact.filename}: ${builtOrigin(artifact)}`);
      if (interrupted() && outcome.failures.length > 0) return { artifacts: outcome.artifacts, failures: unbuilt().failures };
      events.onFile?.(null, null);
      return outcome;
    },
  };
}

/**
 * A file larger than one write buffer (1 MiB) holds two while it downloads
 * (io/store/temp-files.ts): at most 16 of them at once, so that peak memory
 * stays flat with any --concurrency (measured on 600 real wheels: 32 at once
 * peaked at 201–224 MiB, 16 at 176–196 MiB). Small files, where round trips
 * and not bytes are the cost, take every slot. A file of unknown size counts
 * as large.
 */
const LARGE_FILE_BYTES = 1 << 20;
const LARGE_FILES_AT_ONCE = 16;

function isLarge(job: FileJob): boolean {
  const size = lockedSize(job);
  return size === null || size > LARGE_FILE_BYTES;
}

type Limit = <T>(work: () => Promise<T>) => Promise<T>;

const unbounded: Limit = (work) => work();

/** Run at most `width` of the works given at once; the others wait their turn, in order. */
function limiter(width: number): Limit {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async (work) => {
    if (running >= width) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

/** What a job that did not finish because the run was interrupted records. */
const INTERRUPTED = { code: 'INTERRUPTED', url: null, reason: 'not collected: the run was interrupted (a re-run finishes it)' } as const;

function builtOrigin(artifact: ManifestArtifact): string {
  const from = artifact.builtFrom ? ` from ${artifact.builtFrom.ref} with ${artifact.builtFrom.frontend}` : '';
  if (artifact.origin === 'cache') return `from the build cache (built${from})`;
  if (artifact.origin === 'existing') return `already in DIR (built${from} by an earlier run)`;
  return `built${from}`;
}

/** A job's failure from an error nobody expected: a LockhouseError keeps its code (MIRROR_MISSING, a mirror's FETCH_* …); any other error is a bug. */
function unexpected(error: unknown): { code: ErrorCode; url: string | null; reason: string } {
  return { code: isLockhouseError(error) ? error.code : 'INTERNAL', url: null, reason: (error as Error).message };
}
