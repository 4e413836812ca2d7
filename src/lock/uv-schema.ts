/**
 * zod schemas shaped exactly like uv.lock's TOML (uv's `LockWire`,
 * `PackageWire`, `SourceWire`, `WheelWire`, `DependencyWire` in
 * crates/uv-resolver/src/lock/mod.rs). Unknown keys are dropped, so a newer
 * revision reads as far as it is known. Meaning (which source key wins, how a
 * dependency finds its package) lives in uv.ts.
 *
 * Wheels are the hot array (~60,000 in a 400-package lock): their schema is
 * kept to plain optional scalars so zod can validate them cheaply.
 */
import { z } from 'zod';

const optionalString = z.string().optional();

/**
 * A package's source. Since uv 0.2.2x an inline table with one key
 * (`{ registry = "https://pypi.org/simple" }`, `{ git = "…#<commit>" }`,
 * `{ url = "…", subdirectory = "…" }`, `{ path | directory | editable | virtual = "…" }`);
 * before that a string, `"registry+https://…"`, `"editable+."`.
 */
export const SourceTableWire = z.object({
  registry: optionalString,
  git: optionalString,
  url: optionalString,
  subdirectory: optionalString,
  path: optionalString,
  directory: optionalString,
  editable: optionalString,
  virtual: optionalString,
});
export const SourceWire = z.union([z.string(), SourceTableWire]);
export type SourceWire = z.infer<typeof SourceWire>;

/**
 * A dependency edge. `version` and `source` are written only where the name
 * is locked more than once. `extra` was a single string in the earliest locks.
 */
export const DependencyWire = z.object({
  name: z.string(),
  version: optionalString,
  source: SourceWire.optional(),
  extra: z.union([z.array(z.string()), z.string()]).optional(),
  marker: optionalString,
});
export type DependencyWire = z.infer<typeof DependencyWire>;

const size = z.number().int().nonnegative().optional();
/** uv writes a string ("2024-06-07T12:00:00.123Z"); accept a TOML date-time as well. */
const uploadTime = z.union([z.string(), z.date()]).optional();

/** `sdist = { url | path, hash, size, upload-time }`; neither url nor path for url/path sources. */
export const SdistWire = z.object({
  url: optionalString,
  path: optionalString,
  hash: optionalString,
  size,
  'upload-time': uploadTime,
  upload_time: uploadTime,
});
export type SdistWire = z.infer<typeof SdistWire>;

/**
 * One of `wheels = [...]`: `url` (remote), `path` (relative to a flat local
 * registry) or `filename` (a path source's wheel). `zstd` is a retired uv
 * experiment: read as anything and never used.
 */
export const WheelWire = z.object({
  url: optionalString,
  path: optionalString,
  filename: optionalString,
  hash: optionalString,
  size,
  'upload-time': uploadTime,
  upload_time: uploadTime,
  zstd: z.unknown().optional(),
});
export type WheelWire = z.infer<typeof WheelWire>;

/** `[package.metadata]`: what the package asked for. Only the declared extras and group names are used. */
export const MetadataWire = z.object({
  'requires-dist': z.array(z.unknown()).optional(),
  'provides-extras': z.array(z.string()).optional(),
  'requires-dev': z.record(z.string(), z.array(z.unknown())).optional(),
  'dependency-groups': z.record(z.string(), z.array(z.unknown())).optional(),
});

const dependencyTable = z.record(z.string(), z.array(DependencyWire)).optional();

/** `[[package]]` (and the pre-0.3 `[[distribution]]`). `marker` exists only in the earliest `[[distribution]]` locks. */
export const PackageWire = z.object({
  name: z.string(),
  version: optionalString,
  source: SourceWire,
  marker: optionalString,
  metadata: MetadataWire.optional(),
  sdist: SdistWire.optional(),
  wheels: z.array(WheelWire).optional(),
  'resolution-markers': z.array(z.string()).optional(),
  dependencies: z.array(DependencyWire).optional(),
  'optional-dependencies': dependencyTable,
  'dev-dependencies': dependencyTable,
  'dependency-groups': dependencyTable,
});
export type PackageWire = z.infer<typeof PackageWire>;

/** A requirement in `[manifest]` (`requirements`, `dependency-groups`); the specifier and source keys are not needed. */
export const RequirementWire = z.object({
  name: z.string(),
  extras: z.array(z.string()).optional(),
  marker: optionalString,
});
export type RequirementWire = z.infer<typeof RequirementWire>;

/** `[manifest]`: what the workspace asked for. Constraints, overrides and build constraints are read as anything. */
export const ManifestWire = z.object({
  members: z.array(z.string()).optional(),
  requirements: z.array(RequirementWire).optional(),
  constraints: z.array(z.unknown()).optional(),
  overrides: z.array(z.unknown()).optional(),
  excludes: z.array(z.unknown()).optional(),
  'build-constraints': z.array(z.unknown()).optional(),
  'dependency-groups': z.record(z.string(), z.array(RequirementWire)).optional(),
  'dependency-metadata': z.array(z.unknown()).optional(),
});

/** One item of a conflict set: `{ package, extra }`, `{ package, group }`, or `{ package }` (the project itself). */
export const ConflictItemWire = z.object({
  package: z.string(),
  extra: optionalString,
  group: optionalString,
});
export type ConflictItemWire = z.infer<typeof ConflictItemWire>;

export const LockWire = z.object({
  version: z.number().int(),
  revision: z.number().int().nonnegative().optional(),
  'requires-python': optionalString,
  'resolution-markers': z.array(z.string()).optional(),
  'supported-markers': z.array(z.string()).optional(),
  'required-markers': z.array(z.string()).optional(),
  conflicts: z.array(z.array(ConflictItemWire)).optional(),
  options: z.record(z.string(), z.unknown()).optional(),
  manifest: ManifestWire.optional(),
  package: z.array(PackageWire).optional(),
  distribution: z.array(PackageWire).optional(),
});
export type LockWire = z.infer<typeof LockWire>;
