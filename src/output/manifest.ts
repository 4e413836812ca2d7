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
  .enum(['download', 'cache', 'find-links', 'path', 'build', 'existing', 'bundle'])
  .describe(
    'where the file came from in this run: downloaded; from the cache; from a --find-links directory; from a local path the lock names; built; already in DIR and verified; (in a bundle\'s manifest) the bundle itself',
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
    artifacts: z.array(ManifestArtifact),
    skipped: z.array(z.object({ package: z.string(), version: nullableString, reason: z.string() })),
    failures: z.array(ManifestFailure),
    emitted: z
      .array(z.string())
      .optional()
      .describe('files this run emitted inside DIR (--emit-pylock, --emit-requirements), relative to DIR, POSIX'),
  })
  .describe('DIR/lockhouse.json: what a lockhouse collect wrote');
/** A manifest as read: its failures' codes are strings (another lockhouse may have written it). */
export type Manifest = z.infer<typeof Manifest>;
/** A manifest as this lockhouse writes it: every failure's code is registered. */
export type WrittenManifest = Omit<Manifest, 'failures'> & { failures: ManifestFailure[] };

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
