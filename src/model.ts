/**
 * The shared types of lockhouse's pipeline (DESIGN.md "Pipeline"):
 *
 *   lock file ──parse──> LockGraph ──select──> Selection ──plan──> Plan
 *
 * A leaf module: it imports nothing, so any module may import it.
 */

export type LockFormat = 'uv.lock' | 'pylock';

/** Lower-case algorithm name → lower-case hex digest, e.g. { sha256: "ab…" }. */
export type Hashes = Readonly<Record<string, string>>;

/** What the lock promises about a file, by its strongest hash. */
export interface Expected {
  /** The strongest hash the lock gives: sha256, sha384 or sha512 (lower-case hex). */
  readonly algorithm: 'sha256' | 'sha384' | 'sha512';
  readonly digest: string;
  /** Not authoritative (uv does not enforce sizes): reported, never decisive on its own. */
  readonly size: number | null;
}

/**
 * Where a locked package comes from. `registry.index` is the index URL, or,
 * for uv's flat find-links registries, the path as written in the lock; null
 * where the lock does not say (pylock packages without `index`, as pip writes them).
 */
export type Source =
  | { readonly kind: 'registry'; readonly index: string | null }
  | {
      readonly kind: 'vcs';
      /** 'git' for every uv.lock vcs source; pylock also allows hg, bzr, svn. */
      readonly vcs: string;
      /** Repository URL, without the query and the `#commit` fragment. */
      readonly url: string | null;
      /** A local repository (pylock `vcs.path`). */
      readonly path: string | null;
      /** The locked commit. */
      readonly commit: string;
      /** What the user asked for: `{kind: 'tag', value: 'v1'}`, …, or null for the default branch. */
      readonly reference: { readonly kind: 'tag' | 'branch' | 'rev'; readonly value: string } | null;
      readonly subdirectory: string | null;
    }
  | { readonly kind: 'url'; readonly url: string; readonly subdirectory: string | null }
  | { readonly kind: 'path'; readonly path: string }
  | { readonly kind: 'directory'; readonly path: string }
  | { readonly kind: 'editable'; readonly path: string }
  | { readonly kind: 'virtual'; readonly path: string };

export type SourceKind = Source['kind'];

/** A file the lock names: one wheel or one sdist of a package. */
export interface Artifact {
  readonly kind: 'wheel' | 'sdist';
  /** The file name, derived once while reading the lock and checked against the wheel / sdist grammar. */
  readonly filename: string;
  readonly url: string | null;
  /** A local path as written in the lock (relative to the lock's directory unless absolute). */
  readonly path: string | null;
  readonly hashes: Hashes;
  /** Size in bytes; not authoritative in uv.lock. */
  readonly size: number | null;
  readonly uploadTime: string | null;
  /** Tags parsed from a wheel's file name; null for sdists. */
  readonly wheelTags: WheelTags | null;
  /** Build tag of a wheel (number and rest), for ranking equal tags; null when absent. */
  readonly buildTag: readonly [number, string] | null;
  /** Where the artifact sits in the lock, for messages: "package[12].wheels[3]". */
  readonly where: string;
}

/** One dependency edge, resolved to the exact package it points at. */
export interface Dependency {
  /** Normalized name (PEP 503). */
  readonly name: string;
  /** Index into LockGraph.packages. */
  readonly target: number;
  /** Extras of the target this edge activates (normalized). */
  readonly extras: readonly string[];
  readonly marker: Marker | null;
}

/** A requirement from uv.lock's [manifest] (requirements, dependency groups of a non-project root). */
export interface ManifestRequirement {
  readonly name: string;
  readonly extras: readonly string[];
  readonly marker: Marker | null;
}

export interface Package {
  /** Position in LockGraph.packages. */
  readonly index: number;
  /** Normalized name (PEP 503). */
  readonly name: string;
  /** Name as written in the lock. */
  readonly displayName: string;
  /** Null for dynamic versions (uv: some local projects) and pylock packages without one. */
  readonly version: string | null;
  readonly source: Source;
  readonly dependencies: readonly Dependency[];
  /** Extra name (normalized) → its dependencies. */
  readonly optionalDependencies: ReadonlyMap<string, readonly Dependency[]>;
  /** Group name (normalized) → its dependencies (uv's `dev-dependencies` table). */
  readonly dependencyGroups: ReadonlyMap<string, readonly Dependency[]>;
  readonly sdist: Artifact | null;
  readonly wheels: readonly Artifact[];
  /** pylock: the package's `marker`; null when it always applies. Always null for uv.lock. */
  readonly marker: Marker | null;
  /** pylock: the package's `requires-python`. */
  readonly requiresPython: string | null;
  /** Where the package sits in the lock, for messages: "package[12]" or "packages[3]". */
  readonly where: string;
  /**
   * uv.lock: the extras the project declares (`metadata.provides-extras`),
   * which may include extras without dependencies; absent when not recorded.
   */
  readonly declaredExtras?: readonly string[] | null;
  /** uv.lock: the groups the project declares (`metadata.requires-dev` keys); absent when not recorded. */
  readonly declaredGroups?: readonly string[] | null;
  /** uv.lock: the package's `resolution-markers` (the forks it was locked in); absent or empty when it applies everywhere. */
  readonly resolutionMarkers?: readonly Marker[];
}

/** One item of a uv conflict set: a package's extra, group, or the package itself. */
export type ConflictItem =
  | { readonly package: string; readonly kind: 'extra'; readonly name: string }
  | { readonly package: string; readonly kind: 'group'; readonly name: string }
  | { readonly package: string; readonly kind: 'project' };

export interface UvLockInfo {
  readonly version: number;
  /** Absent in locks written before uv 0.5; read as 0. */
  readonly revision: number;
  /** True for the pre-0.3 `[[distribution]]` form. */
  readonly legacyDistribution: boolean;
  /** Normalized names of [manifest] members; empty for a single-project lock. */
  readonly members: readonly string[];
  readonly requirements: readonly ManifestRequirement[];
  readonly dependencyGroups: ReadonlyMap<string, readonly ManifestRequirement[]>;
  readonly conflicts: ReadonlyArray<readonly ConflictItem[]>;
  readonly resolutionMarkers: readonly Marker[];
  readonly supportedMarkers: readonly Marker[];
  readonly requiredMarkers: readonly Marker[];
}

export interface PylockInfo {
  readonly lockVersion: string;
  readonly createdBy: string | null;
  readonly environments: readonly Marker[] | null;
  readonly extras: readonly string[];
  readonly dependencyGroups: readonly string[];
  readonly defaultGroups: readonly string[];
}

export interface LockGraph {
  readonly format: LockFormat;
  /** The lock's path as given, for messages. */
  readonly path: string;
  readonly requiresPython: string | null;
  readonly packages: readonly Package[];
  /** Present when format is 'uv.lock'. */
  readonly uv: UvLockInfo | null;
  /** Present when format is 'pylock'. */
  readonly pylock: PylockInfo | null;
  /** Things worth telling the user that do not stop the run (a newer minor lock-version, say). */
  readonly warnings: readonly string[];
}

/** One environment to collect for: a platform × Python version. */
export interface Target {
  /** Stable and readable, e.g. "x86_64-manylinux_2_28-cp312". */
  readonly id: string;
  /** The uv triple (or pip platform tag, or "host" triple) it was made from. */
  readonly pythonPlatform: string;
  /** "3.12", "3.13t", or the host's full version. */
  readonly pythonVersion: string;
  readonly markers: MarkerEnvironment;
  readonly tags: TagSet;
}

/** The index table of the pyproject.toml beside a uv.lock, and its default groups. */
export interface ProjectSettings {
  /** `[tool.uv] default-groups`: a list, "all", or null when not set. */
  readonly defaultGroups: readonly string[] | 'all' | null;
  /** `[[tool.uv.index]]` name → URL. */
  readonly indexes: ReadonlyMap<string, string>;
}

/** Where every layer reports what it does: the CLI's logger, a test's array. */
export type Log = (level: 'debug' | 'info' | 'warn', message: string, fields?: Record<string, unknown>) => void;

/** A PEP 508 environment marker, as written (python/markers.ts parses and evaluates it). */
export interface Marker {
  readonly text: string;
}

/** The eleven PEP 508 marker variables of one environment. */
export interface MarkerEnvironment {
  readonly implementation_name: string;
  readonly implementation_version: string;
  readonly os_name: string;
  readonly platform_machine: string;
  readonly platform_python_implementation: string;
  readonly platform_release: string;
  readonly platform_system: string;
  readonly platform_version: string;
  readonly python_full_version: string;
  readonly python_version: string;
  readonly sys_platform: string;
}

/** The three tag sets of a wheel file name (each part may be dotted: "py2.py3"). */
export interface WheelTags {
  readonly python: readonly string[];
  readonly abi: readonly string[];
  readonly platform: readonly string[];
}

/** A target's compatible tags; position is priority (0 is best). */
export interface TagSet {
  /** "interpreter-abi-platform" strings, best first. */
  readonly ordered: readonly string[];
  /** Tag → position in `ordered`. */
  readonly priority: ReadonlyMap<string, number>;
}
