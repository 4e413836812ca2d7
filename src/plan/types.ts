/** The plan: what to fetch or build, once, and for which targets (DESIGN.md "Pipeline", step 3). */
import type { ErrorCode } from '../errors.js';
import type { Artifact, LockFormat, Source, Target } from '../model.js';

export interface PlanOptions {
  /** `--no-binary`: build these from sdist even where a wheel fits; ':all:' means every package. */
  readonly noBinary?: readonly string[];
  /** `--no-build`: never build. */
  readonly noBuild?: boolean;
  /** `--sdist`: also collect the sdist of every selected package. */
  readonly sdist?: boolean;
  /** `--requires-build-only`: only what has no compatible wheel for some target. */
  readonly requiresBuildOnly?: boolean;
}

/**
 * One thing to collect. Files the lock names are `wheel` or `sdist`; source
 * trees to build (a git checkout, a local project) are `vcs` or `directory`
 * and have no file name.
 */
export interface PlanItem {
  /** Index into LockGraph.packages. */
  readonly packageIndex: number;
  readonly package: string;
  readonly version: string | null;
  readonly kind: 'wheel' | 'sdist' | 'vcs' | 'directory';
  readonly filename: string | null;
  readonly url: string | null;
  readonly path: string | null;
  readonly sha256: string | null;
  readonly size: number | null;
  /** The lock's artifact, for files. */
  readonly artifact: Artifact | null;
  /** True when a wheel is to be built from this sdist or tree for its targets. */
  readonly build: boolean;
  /** Ids of the targets this item serves; empty with `--all-platforms`. */
  readonly targets: readonly string[];
}

export interface PlanPackage {
  readonly packageIndex: number;
  readonly name: string;
  readonly version: string | null;
  readonly source: Source;
  readonly targets: readonly string[];
}

export interface PlanSkip {
  readonly package: string;
  readonly version: string | null;
  readonly reason: string;
  /** Targets that reached the package and left it out; empty with `--all-platforms`. */
  readonly targets: readonly string[];
}

/** What cannot be collected for a package and target (exit 1). */
export type PlanErrorCode = 'PLAN_NO_ARTIFACT' | 'PLAN_BUILD_FORBIDDEN';
/** What the user should know (the exit code is not changed). */
export type PlanWarningCode = 'PLAN_UNBUILT';

export interface PlanProblem<Code extends ErrorCode = PlanErrorCode | PlanWarningCode> {
  /** Registered in src/errors.ts, explained in docs/errors.md. */
  readonly code: Code;
  readonly package: string | null;
  readonly version: string | null;
  readonly target: string | null;
  readonly message: string;
}

export interface Plan {
  readonly format: LockFormat;
  readonly lockPath: string;
  readonly targets: readonly Target[];
  readonly allPlatforms: boolean;
  readonly packages: readonly PlanPackage[];
  readonly items: readonly PlanItem[];
  readonly skipped: readonly PlanSkip[];
  /** What cannot be collected: each makes a collect exit 1. */
  readonly errors: readonly PlanProblem<PlanErrorCode>[];
  /** What the user should know but does not fail the run (an sdist kept unbuilt under --no-build). */
  readonly warnings: readonly PlanProblem<PlanWarningCode>[];
}
