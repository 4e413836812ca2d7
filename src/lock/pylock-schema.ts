/**
 * zod schemas shaped exactly like a PEP 751 pylock.toml (the reference reader
 * is packaging's `packaging/pylock.py`). Unknown keys are dropped. The rules
 * that span keys (one source per package, a file name per artifact) live in
 * pylock.ts.
 */
import { z } from 'zod';

const optionalString = z.string().optional();
const size = z.number().int().nonnegative().optional();
/** A TOML date-time per the spec; a string is accepted too. */
const uploadTime = z.union([z.date(), z.string()]).optional();
/** Algorithm → hex digest. uv writes `hashes = {}` for files from flat pages that had none: accepted as "no hash". */
const hashes = z.record(z.string(), z.string());

/** `[[packages.wheels]]` and `[packages.sdist]`: `name` may be left out when the path or URL ends with the file name. */
export const FileWire = z.object({
  name: optionalString,
  'upload-time': uploadTime,
  url: optionalString,
  path: optionalString,
  size,
  hashes,
});
export type FileWire = z.infer<typeof FileWire>;

/** `[packages.archive]`: a direct URL or local file (wheel or sdist) with its hashes. */
export const ArchiveWire = z.object({
  url: optionalString,
  path: optionalString,
  size,
  'upload-time': uploadTime,
  hashes,
  subdirectory: optionalString,
});
export type ArchiveWire = z.infer<typeof ArchiveWire>;

/** `[packages.vcs]`. */
export const VcsWire = z.object({
  type: z.string(),
  url: optionalString,
  path: optionalString,
  'requested-revision': optionalString,
  'commit-id': z.string(),
  subdirectory: optionalString,
});
export type VcsWire = z.infer<typeof VcsWire>;

/** `[packages.directory]`: a local source tree. */
export const DirectoryWire = z.object({
  path: z.string(),
  editable: z.boolean().optional(),
  subdirectory: optionalString,
});
export type DirectoryWire = z.infer<typeof DirectoryWire>;

export const PackageWire = z.object({
  name: z.string(),
  version: optionalString,
  marker: optionalString,
  'requires-python': optionalString,
  /** Informational in PEP 751; not used for selection. */
  dependencies: z.array(z.record(z.string(), z.unknown())).optional(),
  vcs: VcsWire.optional(),
  directory: DirectoryWire.optional(),
  archive: ArchiveWire.optional(),
  index: optionalString,
  sdist: FileWire.optional(),
  wheels: z.array(FileWire).optional(),
  'attestation-identities': z.array(z.looseObject({ kind: z.string() })).optional(),
  tool: z.record(z.string(), z.unknown()).optional(),
});
export type PackageWire = z.infer<typeof PackageWire>;

export const PylockWire = z.object({
  'lock-version': z.string(),
  environments: z.array(z.string()).optional(),
  'requires-python': optionalString,
  extras: z.array(z.string()).optional(),
  'dependency-groups': z.array(z.string()).optional(),
  'default-groups': z.array(z.string()).optional(),
  /** Required by PEP 751; nothing here depends on it, so its absence is tolerated. */
  'created-by': optionalString,
  packages: z.array(PackageWire),
  tool: z.record(z.string(), z.unknown()).optional(),
});
export type PylockWire = z.infer<typeof PylockWire>;
