/** What a merge is asked, and what it returns. */
import type { LayoutKind } from '../../io/wheelhouse/layout.js';
import type { WrittenManifest } from '../../output/manifest.js';
import type { HashPolicy } from '../../plan/hash-rule.js';
import type { EmitRequest } from '../collect/emit.js';
import type { PlanRequest, PlanResult } from '../plan.js';
import type { GivenFlags } from '../verify/selection.js';
import type { Unused } from './choose.js';

export interface MergeRequest extends HashPolicy, Partial<EmitRequest> {
  /** The lock (`--lock`, `--project`, the folder paths start from), and the target and selection flags `given` names. */
  readonly plan: PlanRequest;
  /**
   * The flag families the caller set (as verify's): those are taken from
   * `plan`, every other from the selection the parts record (with their
   * targets joined). Absent: all from the parts — `plan` gives the lock.
   */
  readonly given?: GivenFlags;
  /** PART...: the folders lockhouse collect wrote, one per runner. */
  readonly parts: readonly string[];
  /** -o, --output DIR (relative to the lock request's cwd). */
  readonly output: string;
  /** --layout: flat (default) or simple. */
  readonly layout?: LayoutKind;
  /** --clean: remove the files lockhouse put in DIR that the merge does not contain. */
  readonly clean?: boolean;
  /** Files staged and hashed at once (default 4). */
  readonly concurrency?: number;
}

/** A wheel several runners built under one name, with different bytes: the first part's is taken. */
export interface SetAside {
  readonly filename: string;
  readonly kept: string;
  readonly others: readonly string[];
}

export interface MergeResult {
  readonly planned: PlanResult;
  readonly manifest: WrittenManifest;
  readonly manifestPath: string;
  readonly setAside: readonly SetAside[];
  /** Files of the parts the merged plan does not need: left out. */
  readonly unused: readonly Unused[];
  /** 0: complete for the lock; 1: something is missing for some target (the manifest's failures say what). */
  readonly exitCode: number;
}
