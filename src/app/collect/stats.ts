/** What a collect did, in numbers, for the summary line and --json consumers. Pure. */
import type { ManifestArtifact } from '../../output/manifest.js';
import type { BuildOutcome } from './builds.js';
import type { FileJob } from './jobs.js';
import type { Outcome } from './sources.js';

export interface CollectStats {
  readonly files: number;
  readonly failed: number;
  /** Files by where they came from. */
  readonly byOrigin: Readonly<Partial<Record<ManifestArtifact['origin'], number>>>;
  /** Bytes of every file now in place. */
  readonly bytes: number;
  /** Bytes that came over the network. */
  readonly downloadedBytes: number;
  readonly requests: number;
  readonly elapsedMs: number;
}

export function statsOf(
  jobs: readonly FileJob[],
  outcomes: readonly Outcome[],
  builds: readonly BuildOutcome[],
  elapsedMs: number,
  requests: number,
): CollectStats {
  const byOrigin: Partial<Record<ManifestArtifact['origin'], number>> = {};
  let bytes = 0;
  let downloadedBytes = 0;
  let failed = 0;
  outcomes.forEach((outcome, i) => {
    if (!outcome.ok) {
      failed++;
      return;
    }
    if (outcome.origin === 'download') downloadedBytes += outcome.actual.size;
    // An sdist fetched only to be built is not in DIR: it counts as bytes moved, not as a file collected.
    if (jobs[i]!.destination !== 'output') return;
    byOrigin[outcome.origin] = (byOrigin[outcome.origin] ?? 0) + 1;
    bytes += outcome.actual.size;
  });
  for (const build of builds) {
    for (const artifact of build.artifacts) {
      byOrigin[artifact.origin] = (byOrigin[artifact.origin] ?? 0) + 1;
      bytes += artifact.size;
    }
    failed += build.failures.length;
  }
  return { files: jobs.length + builds.length, failed, byOrigin, bytes, downloadedBytes, requests, elapsedMs };
}
