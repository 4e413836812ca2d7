/** The result of selection: per target, the packages to collect and the ones left out. */
import type { Target } from '../model.js';

export interface PackageChoice {
  /** Indexes into LockGraph.packages of the packages to collect, ascending. */
  readonly packages: readonly number[];
  /** Packages reached but not collected → why. */
  readonly skipped: ReadonlyMap<number, string>;
}

export interface TargetSelection extends PackageChoice {
  readonly target: Target;
}

export interface Selection {
  /** One entry per target; empty with `--all-platforms`. */
  readonly targets: readonly TargetSelection[];
  /** With `--all-platforms`: every package of the lock, for every platform. */
  readonly allPlatforms: PackageChoice | null;
}
