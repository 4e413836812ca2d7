/** What a collect did, in numbers, for the summary line and --json consumers. Pure. */
import type { ManifestArtifact } from '../../output/manifest.js';
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

export function statsOf(jobs: readonly FileJob[], outcomes: readonly Outcome[], elapsedMs: number, requests: number): CollectStats {
  const byOrigin: Partial<Record<ManifestArtifact['origin'], number>> = {};
  let bytes = 0;
  let downloadedBytes = 0;
  let failed = 0;
  outcomes.forEach((outcome) => {
    if (!outcome.ok) {
      failed++;
      return;
    }
    byOrigin[outcome.origin] = (byOrigin[outcome.origin] ?? 0) + 1;
    bytes += outcome.actual.size;
    if (outcome.origin === 'download') downloadedBytes += outcome.actual.size;
  });
  return { files: jobs.length, failed, byOrigin, bytes, downloadedBytes, requests, elapsedMs };
}
