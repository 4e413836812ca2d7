/**
 * What `lockhouse verify` reports about a wheelhouse: the request, and the
 * result's entries — missing, altered, extra and unverifiable files.
 */
import type { ErrorCode, VerifyCode } from '../../errors.js';
import type { LayoutKind } from '../../io/wheelhouse/layout.js';
import type { Manifest } from '../../output/manifest.js';
import type { HashPolicy } from '../../plan/hash-rule.js';
import type { PlanRequest, PlanResult } from '../plan.js';
import type { GivenFlags, SelectionUse } from './selection.js';

export interface VerifyRequest extends HashPolicy {
  readonly plan: PlanRequest;
  /**
   * The selection families the user's flags set (the command line passes
   * them): the others come from the selection DIR's manifest records.
   * Absent: every family comes from `plan` (the recorded selection is only
   * compared with it).
   */
  readonly given?: GivenFlags;
  /** --allow-changed-lock: a lock whose sha256 differs from the manifest's is reported, not a problem. */
  readonly allowChangedLock?: boolean;
  /** -o, --output DIR (relative to the lock request's cwd). */
  readonly output: string;
  /** Files hashed at once (default 4: hashing is disk-bound, and two at a time already fill most disks). */
  readonly concurrency?: number;
}

/** Where a file's expected hash comes from: the lock, or (built wheels) the manifest. */
export type ExpectedFrom = 'lock' | 'manifest';

export interface VerifyEntry {
  readonly package: string | null;
  readonly version: string | null;
  /** Null for a package that has no file to check (a plan error, a build with no wheel). */
  readonly filename: string | null;
}

export interface MissingFile extends VerifyEntry {
  /** The target that lacks it, when only one does; null: every target it serves. */
  readonly target: string | null;
  /** ABSENT, SYMLINK, NOT_REGULAR, UNREADABLE, UNSAFE_NAME, NOT_BUILT, or the collect code that keeps it out (PLAN_NO_ARTIFACT, HASH_MISSING …). */
  readonly code: VerifyCode | ErrorCode;
  readonly reason: string;
}

export interface AlteredFile extends VerifyEntry {
  readonly filename: string;
  readonly from: ExpectedFrom;
  /** The expected hash's algorithm: sha256, or sha384 / sha512 (and md5 / sha1 with --allow-weak-hashes) where the lock gives only that. */
  readonly algorithm: string;
  readonly expected: string;
  readonly actual: string;
  /** The file's sha256, whatever the algorithm. */
  readonly sha256: string;
  readonly expectedSize: number | null;
  readonly size: number;
}

export interface ExtraFile extends VerifyEntry {
  readonly filename: string;
  /** UNEXPLAINED (a file nothing explains), SYMLINK (any symbolic link, never followed), NOT_REGULAR (a FIFO, socket or device). */
  readonly code: Extract<VerifyCode, 'UNEXPLAINED' | 'SYMLINK' | 'NOT_REGULAR'>;
  readonly reason: string;
}

export interface UnverifiableFile extends VerifyEntry {
  readonly filename: string;
  /** True with --allow-unhashed (no hash in the lock): reported, not a problem. False: a hash policy refuses it (pass the flag to accept it). */
  readonly accepted: boolean;
  readonly sha256: string;
  readonly reason: string;
}

/** What every verify answers: ok when nothing is missing, altered or extra (and, for a directory, nothing unverifiable is refused). */
export interface Verdict<Missing, Altered, Extra> {
  readonly ok: boolean;
  /** The problems counted against `ok`: ok when 0. */
  readonly problems: number;
  readonly missing: readonly Missing[];
  readonly altered: readonly Altered[];
  readonly extra: readonly Extra[];
}

/** The lock checked against is not the one DIR was collected from. */
export interface LockChange {
  /** The lock the manifest records. */
  readonly recorded: { readonly path: string; readonly sha256: string };
  /** The lock given. */
  readonly path: string;
  readonly sha256: string;
  /** True with --allow-changed-lock: reported, not a problem. */
  readonly accepted: boolean;
}

export interface VerifyResult extends Verdict<MissingFile, AlteredFile, ExtraFile> {
  readonly planned: PlanResult;
  /** The selection checked against: recorded, overridden by the flags given, and what differs. */
  readonly selection: SelectionUse;
  /** Null when the lock is the one the manifest records (or there is no manifest). */
  readonly lockChanged: LockChange | null;
  /** DIR, absolute. */
  readonly dir: string;
  /** Where the artifacts are: DIR (flat) or DIR/files (simple). */
  readonly filesDir: string;
  readonly layout: LayoutKind;
  /** DIR/lockhouse.json as read, or null when there is none this lockhouse can read. */
  readonly manifest: Manifest | null;
  /** Expected files that were present and hashed against an expected hash. */
  readonly checked: number;
  readonly unverifiable: readonly UnverifiableFile[];
  /** Worth knowing, never a verdict: no manifest, or one that cannot be used. */
  readonly warnings: readonly string[];
}
