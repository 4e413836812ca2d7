/**
 * The selection flags of DESIGN.md "Command line", named as uv names them.
 * Every field is optional: an empty object selects what `uv sync
 * --all-packages` would install (every member, its dependencies and the
 * default groups).
 */
export interface SelectOptions {
  /** `--package`: start from these workspace members only. */
  readonly packages?: readonly string[];
  /** `--all-packages`: every member (the default; kept for uv's spelling). */
  readonly allPackages?: boolean;
  /** `--only-deps`: leave out the members and other local projects; collect what they need. */
  readonly onlyDeps?: boolean;
  readonly extras?: readonly string[];
  readonly allExtras?: boolean;
  readonly noExtras?: readonly string[];
  readonly groups?: readonly string[];
  readonly noGroups?: readonly string[];
  readonly onlyGroups?: readonly string[];
  readonly allGroups?: boolean;
  /** `--dev` (= `--group dev`). */
  readonly dev?: boolean;
  /** `--no-dev` (= `--no-group dev`). */
  readonly noDev?: boolean;
  /** `--only-dev` (= `--only-group dev`). */
  readonly onlyDev?: boolean;
  readonly noDefaultGroups?: boolean;
  /** `--index NAME-or-URL`: collect only packages locked from these indexes. */
  readonly indexes?: readonly string[];
  /** `--exclude-index NAME-or-URL`: leave out packages locked from these indexes. */
  readonly excludeIndexes?: readonly string[];
  /** `--exclude-package` / `--prune`: leave out a package and what only it needs. */
  readonly excludePackages?: readonly string[];
  /** `--no-emit-package`: do not collect a package's own files, but walk through it. */
  readonly noEmitPackages?: readonly string[];
  /** uv's `--no-emit-project`: as --no-emit-package for the project at the workspace root (a uv.lock's package at `.`). */
  readonly noEmitProject?: boolean;
  /** uv's `--no-emit-workspace`: as --no-emit-package for every workspace member (the root project included). */
  readonly noEmitWorkspace?: boolean;
  /** `--all-platforms`: every package of the lock, no target filtering. */
  readonly allPlatforms?: boolean;
  /** `--allow-empty`: a selection with no package at all is what is wanted (else SELECT_EMPTY). */
  readonly allowEmpty?: boolean;
  /**
   * The default groups to use in place of the project's (`[tool.uv]
   * default-groups`, else uv's `dev`) or the pylock's `default-groups`:
   * verify replays the ones a collection recorded.
   */
  readonly defaultGroups?: readonly string[] | 'all';
}
