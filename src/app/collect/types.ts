/** What a collect is asked, what it tells as it goes, and what it returns. */
import type { Log } from '../../model.js';
import type { WrittenManifest } from '../../output/manifest.js';
import type { FileJob } from '../../plan/jobs.js';
import type { LayoutKind } from '../../io/wheelhouse/layout.js';
import type { PlanRequest, PlanResult } from '../plan.js';
import type { BuildRequestOptions } from './build-io.js';
import type { EmitRequest } from './emit.js';
import type { IOOptions } from './io.js';
import type { Outcome } from './sources.js';
import type { CollectStats } from './stats.js';

export interface CollectRequest extends IOOptions, BuildRequestOptions, Partial<EmitRequest> {
  readonly plan: PlanRequest;
  /** -o, --output DIR. */
  readonly output: string;
  /** --layout: flat (DIR, for --find-links; the default) or simple (DIR/files and a static index in DIR/simple). */
  readonly layout?: LayoutKind;
  readonly offline: boolean;
  readonly clean: boolean;
  readonly dryRun: boolean;
  readonly verify: boolean;
  readonly allowUnhashed: boolean;
  readonly allowWeakHashes: boolean;
  readonly concurrency: number;
  /** Aborted on SIGINT/SIGTERM: downloads and builds under way stop, nothing more starts, and the manifest records what is in place. */
  readonly signal?: AbortSignal | undefined;
  /**
   * Place cache hits in DIR without hashing them, because the caller hashes
   * every byte of DIR's files against the lock before anything leaves its
   * hands and collects again if one differs: `bundle` into its own staging
   * folder (app/bundle.ts). Never for a DIR a user keeps.
   */
  readonly cacheVerifiedLater?: boolean;
}

export interface CollectEvents {
  readonly log: Log;
  /** Files to do, the bytes the lock says they weigh, and how many the lock gives no size for. */
  onStart?(files: number, bytes: number, unsized: number): void;
  /** A download starts (or resumes, after `from` bytes an earlier run kept): its file name and the size the lock gives it. */
  onDownload?(filename: string, size: number | null, from: number): void;
  /** The server told a download's whole size (for a file the lock gives none, the progress total grows by it). */
  onSize?(filename: string, size: number): void;
  /** Bytes of a download arrived. */
  onBytes?(bytes: number, filename: string): void;
  /** A file or a build is done (job and outcome are null for builds). */
  onFile?(job: FileJob | null, outcome: Outcome | null): void;
}

export interface CollectResult {
  readonly planned: PlanResult;
  /** Null for --dry-run. */
  readonly manifest: WrittenManifest | null;
  readonly manifestPath: string | null;
  readonly stats: CollectStats | null;
  readonly exitCode: number;
  /** The signal aborted the run: what is in place is recorded, the rest is INTERRUPTED. */
  readonly interrupted: boolean;
}

