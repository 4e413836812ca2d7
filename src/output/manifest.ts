/**
 * DIR/lockhouse.json, the manifest (DESIGN.md "What a run writes"): what
 * this collection holds, where each file came from, and what failed. The
 * zod schema is the source of schemas/manifest.schema.json (npm run
 * schemas; a test fails when it is stale). A re-run reads it back to trust
 * the files it wrote (size and mtime) without hashing them again.
 */
import { z } from 'zod';
import type { ErrorCode } from '../errors.js';

export const MANIFEST_FILE = 'lockhouse.json';
export const MANIFEST_VERSION = 1;

const nullableString = z.string().nullable();

export const Origin = z
  .enum(['download', 'cache', 'find-links', 'path', 'build', 'existing', 'bundle', 'part'])
  .describe(
    'where the file came from in this run: downloaded; from the cache; from a --find-links directory; from a local path the lock names; built; already in DIR and verified; (in a bundle\'s manifest) the bundle itself; (lockhouse merge) a part, which `part` names',
  );

export const ManifestArtifact = z.object({
  package: z.string(),
  version: nullableString,
  filename: z.string(),
  kind: z.enum(['wheel', 'sdist', 'built-wheel']),
  origin: Origin,
  url: nullableString.describe('where the lock says the file is (credentials removed); null for local files'),
  sha256: z.string(),
  size: z.number().int(),
  /** For re-runs: the file's mtime when this run left it, to trust it unhashed. */
  mtimeMs: z.number(),
  targets: z.array(z.string()),
  builtFrom: z
    .object({
      kind: z.enum(['sdist', 'vcs', 'directory']),
      ref: z.string().describe('the sdist file name, the git URL#commit, or the project directory'),
      source: z.string().nullable().describe("what identifies the source across runs: the sdist's hash, or git URL, commit and subdirectory (null for local projects)"),
      key: z.string().nullable().describe('the build cache key (null for local projects, built afresh every run)'),
      frontend: z.string().describe('the PEP 517 frontend that built it'),
      python: z.string().describe("the build interpreter's version and platform"),
    })
    .optional()
    .describe('for built wheels: what they were built from, and how'),
  part: z
    .string()
    .optional()
    .describe('(lockhouse merge) the part the file was taken from: the name of its folder, as the merged manifest lists it under merged.parts'),
});
export type ManifestArtifact = z.infer<typeof ManifestArtifact>;

// The schema reads `code` as any string: a manifest from another lockhouse
// may hold codes this one does not register. What this one writes is typed
// ManifestFailure below, whose code is a registered ErrorCode.
export const ManifestFailure = z.object({
  code: z.string().describe('a stable code: FETCH_*, INTEGRITY_MISMATCH, BUILD_FAILED, PLAN_NO_ARTIFACT … (docs/errors.md)'),
  package: nullableString,
  version: nullableString,
  filename: nullableString,
  target: nullableString,
  url: nullableString,
  reason: z.string(),
});
/** A failure as lockhouse writes it: its code is registered in src/errors.ts. */
export type ManifestFailure = Omit<z.infer<typeof ManifestFailure>, 'code'> & { code: ErrorCode };

const names = z.array(z.string());

/**
 * The selection a collection was made with (DESIGN.md: "the manifest records
 * the selection"): every flag that decides what DIR holds, with its
 * effective value, so `lockhouse verify` checks DIR against it without the
 * flags typed again. Flag lists as given (names normalized); `selected`
 * fields say what they amounted to for this lock.
 */
export const ManifestSelection = z
  .object({
    targets: z
      .object({
        pythonPlatforms: names,
        platforms: names.describe("pip's --platform tags"),
        pythonVersions: names,
        abis: names,
        implementation: z.string().nullable(),
      })
      .describe("target flags that make the manifest's targets again on any machine: the flags given, with the host's platform and Python filled in where none was named (all empty with --all-platforms)"),
    packages: names.describe('--package: the workspace members collected from (empty: every member)'),
    onlyDeps: z.boolean(),
    extras: z.object({
      extra: names,
      allExtras: z.boolean(),
      noExtra: names,
      selected: names.describe('the extras these flags switched on'),
    }),
    groups: z.object({
      group: names.describe('--group (and --dev)'),
      onlyGroup: names.describe('--only-group (and --only-dev)'),
      noGroup: names.describe('--no-group (and --no-dev)'),
      allGroups: z.boolean(),
      noDefaultGroups: z.boolean(),
      defaults: z
        .union([names, z.literal('all')])
        .nullable()
        .describe('the default groups that took part (null when the flags left them out)'),
      defaultsFrom: z
        .enum(['pyproject', 'uv-default', 'pylock', 'given'])
        .nullable()
        .describe("where the defaults came from: pyproject.toml's [tool.uv] default-groups, uv's default (dev: no pyproject.toml was found), the pylock's default-groups, or the caller"),
      dependencies: z.boolean().describe("false with --only-group: the projects' own dependencies were left out"),
      selected: names.describe('the dependency groups these flags switched on'),
    }),
    indexes: names.describe('--index, as the index URLs it named'),
    excludeIndexes: names.describe('--exclude-index, as the index URLs it named'),
    excludePackages: names,
    noEmitPackages: names,
    allowEmpty: z.boolean(),
    noBinary: names,
    noBuild: z.boolean(),
    sdist: z.boolean(),
    requiresBuildOnly: z.boolean(),
  })
  .describe('the selection flags this collection was made with, and what they selected (absent in manifests written by a lockhouse that did not record it)');
export type ManifestSelection = z.infer<typeof ManifestSelection>;

/**
 * A target a partial collection (collect --leave-to-other-runners) did not
 * serve because this machine cannot build for it: another runner's part
 * does, and `lockhouse merge` puts the parts together.
 */
export const ManifestLeft = z.object({
  package: z.string(),
  version: nullableString,
  filename: nullableString.describe('the sdist to build (null for git sources and local projects)'),
  target: z.string().describe('the target id left to another runner'),
  reason: z.string().describe('why this machine cannot build for it'),
});
export type ManifestLeft = z.infer<typeof ManifestLeft>;

/** One part a merged wheelhouse was made from (lockhouse merge). */
export const ManifestPart = z.object({
  name: z.string().describe("the part's folder name, which each artifact's `part` names"),
  generator: z.string(),
  targets: z.array(z.string()).describe('the target ids the part was collected for'),
  files: z.number().int().describe('the files taken from it'),
  left: z.number().int().describe('the builds it left to other runners'),
});
export type ManifestPart = z.infer<typeof ManifestPart>;

/**
 * What a delta is (`collect --since OLD`, `bundle --since OLD`): the
 * manifest still lists every file of the collection; `carries` says which
 * of them this wheelhouse or bundle holds — those OLD lacks by name and
 * sha256 — and every other one is expected on the far side already, from
 * the base. docs/bundle.md "Delta updates" says how it is applied.
 */
export const ManifestDelta = z
  .object({
    since: z
      .object({
        manifestSha256: z.string().describe("the sha256 of the base's lockhouse.json, as read (the bundle's entry, or the file)"),
        lockSha256: z.string().describe('the sha256 of the lock the base was collected from'),
        generator: z.string().describe('who wrote the base'),
        files: z.number().int().describe("how many files the base's manifest lists"),
      })
      .describe('the base (OLD) this delta was made against'),
    carries: names.describe('the files this delta holds, sorted: those of `artifacts` the base lacks (no file of that name and sha256); every other artifact is expected from the base'),
    leftover: names.describe(
      'files the base (or an earlier delta of its chain) listed that `artifacts` does not: a delta never removes files it did not bring, so they may still be on the far side; verify names them without counting them as problems',
    ),
  })
  .describe('present in a delta (made with --since): what it carries, and what it expects from its base');
export type ManifestDelta = z.infer<typeof ManifestDelta>;

export const Manifest = z
  .object({
    manifestVersion: z.literal(MANIFEST_VERSION),
    generator: z.string().describe('lockhouse and its version'),
    lock: z.object({ path: z.string(), format: z.enum(['uv.lock', 'pylock']), sha256: z.string() }),
    allPlatforms: z.boolean(),
    layout: z
      .enum(['flat', 'simple'])
      .optional()
      .describe('flat: the artifacts are in DIR; simple: in DIR/files, with a static index in DIR/simple (absent: flat)'),
    targets: z.array(z.object({ id: z.string(), pythonPlatform: z.string(), pythonVersion: z.string() })),
    selection: ManifestSelection.optional(),
    artifacts: z.array(ManifestArtifact),
    skipped: z.array(z.object({ package: z.string(), version: nullableString, reason: z.string() })),
    failures: z.array(ManifestFailure),
    emitted: z
      .array(z.string())
      .optional()
      .describe('files this run emitted inside DIR (--emit-pylock, --emit-requirements), relative to DIR, POSIX'),
    partial: z
      .object({ left: z.array(ManifestLeft) })
      .optional()
      .describe('present in a part of a collection that other runners complete (collect --leave-to-other-runners): the builds this machine left to them; lockhouse merge puts the parts together'),
    merged: z
      .object({ parts: z.array(ManifestPart) })
      .optional()
      .describe('present in a wheelhouse lockhouse merge made: the parts it was made from, in the order given'),
    delta: ManifestDelta.optional(),
  })
  .describe('DIR/lockhouse.json: what a lockhouse collect wrote');
/** A manifest as read: its failures' codes are strings (another lockhouse may have written it). */
export type Manifest = z.infer<typeof Manifest>;
/** A manifest as this lockhouse writes it: every failure's code is registered, and the selection is recorded. */
export type WrittenManifest = Omit<Manifest, 'failures' | 'selection'> & { failures: ManifestFailure[]; selection: ManifestSelection };

/** A previous manifest, if it is one this lockhouse can read; anything else is ignored (the files are then hashed). */
export function readManifest(text: string): Manifest | null {
  try {
    const parsed = Manifest.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function renderManifest(manifest: Manifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
