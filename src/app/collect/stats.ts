/** What a collect did, in numbers, for the summary line and --json consumers. Pure. */
import type { ManifestArtifact } from '../../output/manifest.js';
import type { RunResult } from './run.js';

export interface CollectStats {
  /** Files for DIR and wheels to build, as planned. */
  readonly planned: number;
  readonly files: number;
  readonly failed: number;
  /** Files by where they came from. */
  readonly byOrigin: Readonly<Partial<Record<ManifestArtifact['origin'], number>>>;
  /** Bytes of every file now in place. */
  readonly bytes: number;
  /** Bytes that came over the network (a download that continued bytes an earlier run kept counts only the rest). */
  readonly downloadedBytes: number;
  readonly requests: number;
  readonly elapsedMs: number;
}

export function statsOf(ran: RunResult, planned: number, elapsedMs: number, requests: number): CollectStats {
  const byOrigin: Partial<Record<ManifestArtifact['origin'], number>> = {};
  let bytes = 0;
  let downloadedBytes = 0;
  let failed = 0;
  for (const { job, outcome } of ran.files) {
    if (!outcome.ok) {
      failed++;
      continue;
    }
    if (outcome.origin === 'download') downloadedBytes += outcome.actual.size - (outcome.resumedBytes ?? 0);
    // An sdist fetched only to be built is not in DIR: it counts as bytes moved, not as a file collected.
    if (job.destination !== 'output') continue;
    byOrigin[outcome.origin] = (byOrigin[outcome.origin] ?? 0) + 1;
    bytes += outcome.actual.size;
  }
  for (const build of ran.builds) {
    for (const artifact of build.artifacts) {
      byOrigin[artifact.origin] = (byOrigin[artifact.origin] ?? 0) + 1;
      bytes += artifact.size;
    }
    failed += build.failures.length;
  }
  return { planned, files: ran.files.length + ran.builds.length, failed, byOrigin, bytes, downloadedBytes, requests, elapsedMs };
}
