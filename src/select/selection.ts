/** The result of selection: per target, the packages to collect and the ones left out. */
import type { Target } from '../model.js';

/** One dependency edge a walk took: from a package (null: a uv.lock's `[manifest]` requirements, which have no package) to a package, by index into LockGraph.packages. */
export interface SelectedEdge {
  readonly from: number | null;
  readonly to: number;
}

export interface PackageChoice {
  /** Indexes into LockGraph.packages of the packages to collect, ascending. */
  readonly packages: readonly number[];
  /** Packages reached but not collected → why. */
  readonly skipped: ReadonlyMap<number, string>;
}

export interface TargetSelection extends PackageChoice {
  readonly target: Target;
  /**
   * The lock's dependency edges this target's walk took, by package index
   * (`from: null` for a uv.lock's `[manifest]` requirements); ends may be
   * left out of `packages` (skipped). Absent for pylocks, whose packages
   * lockhouse reads without edges.
   */
  readonly edges?: readonly SelectedEdge[];
}

/** Where the default groups came from: pyproject.toml's `[tool.uv] default-groups`, uv's own default (`dev`), the pylock's `default-groups`, or SelectOptions.defaultGroups. */
export type DefaultGroupsSource = 'pyproject' | 'uv-default' | 'pylock' | 'given';

/**
 * What the flags amount to, whatever their spelling (`--no-dev` and
 * `--no-default-groups` may select the same groups): what the manifest
 * records, and what verify compares.
 */
export interface SelectionChoice {
  /** False with `--only-group` / `--only-dev`: the projects' own dependencies are left out. */
  readonly dependencies: boolean;
  /** The dependency groups the lock defines for the roots (a pylock: its `dependency-groups` and `default-groups`), sorted. */
  readonly knownGroups: readonly string[];
  /** The groups switched on, of knownGroups, sorted. */
  readonly groups: readonly string[];
  /** The roots' extras switched on (a pylock: its `extras`), sorted. */
  readonly extras: readonly string[];
  /** The default groups that took part and where they came from; null when the flags leave them out (--no-default-groups, --only-group, --all-groups). */
  readonly defaultGroups: { readonly groups: readonly string[] | 'all'; readonly from: DefaultGroupsSource } | null;
  /** The packages --no-emit-project and --no-emit-workspace name in this lock (normalized, sorted): recorded as --no-emit-package. */
  readonly noEmit: readonly string[];
  /** The index URLs `--index` and `--exclude-index` named (normalized). */
  readonly indexes: readonly string[];
  readonly excludeIndexes: readonly string[];
}

export interface Selection {
  /** One entry per target; empty with `--all-platforms`. */
  readonly targets: readonly TargetSelection[];
  /** With `--all-platforms`: every package of the lock, for every platform. */
  readonly allPlatforms: PackageChoice | null;
  readonly choice: SelectionChoice;
}
