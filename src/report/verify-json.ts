/**
 * `lockhouse verify --json`: the verdict as data. The zod schema is the
 * source of schemas/verify.schema.json (npm run schemas; a test fails when
 * it is stale). Pure.
 */
import { z } from 'zod';
import type { VerifyResult } from '../app/verify/types.js';
import { ManifestSelection } from '../output/manifest.js';

const nullableString = z.string().nullable();

const entry = {
  package: nullableString,
  version: nullableString,
  filename: nullableString.describe('null for a package with no file to check (a plan error, a build with no wheel)'),
};

export const VerifyJsonSchema = z
  .object({
    ok: z.boolean().describe('true: nothing missing, altered, extra, or unverifiable without being accepted (exit 0)'),
    dir: z.string().describe('DIR, absolute'),
    filesDir: z.string().describe('where the artifacts are: DIR (flat layout) or DIR/files (simple)'),
    layout: z.enum(['flat', 'simple']),
    lock: z.object({ path: z.string(), format: z.enum(['uv.lock', 'pylock']), sha256: z.string() }),
    allPlatforms: z.boolean(),
    targets: z.array(z.string()).describe('the ids of the targets verified for'),
    manifest: z.boolean().describe('whether DIR/lockhouse.json was there and readable'),
    selection: z
      .object({
        source: z.enum(['recorded', 'flags']).describe("recorded: the manifest's selection, with the flags given replacing their counterparts; flags: the flags given (and defaults)"),
        unrecorded: z.enum(['no-manifest', 'not-recorded']).nullable().describe('why the manifest gave no selection, or null'),
        given: z.array(z.string()).describe('the selection flags given, as typed'),
        differences: z
          .array(z.object({ what: z.string(), recorded: z.string(), checked: z.string() }))
          .describe('where the selection checked selects differently from the recorded one'),
        checked: ManifestSelection.describe('the selection checked against, as a manifest records it'),
      })
      .describe('which selection DIR was checked against'),
    lockChanged: z
      .object({
        recorded: z.object({ path: z.string(), sha256: z.string() }).describe('the lock the manifest records'),
        accepted: z.boolean().describe('true with --allow-changed-lock: reported, not a problem'),
      })
      .nullable()
      .describe("null when the lock given is the one DIR's manifest records (LOCK_CHANGED otherwise)"),
    checked: z.number().int().describe('expected files present and hashed against an expected hash'),
    problems: z.number().int(),
    missing: z.array(
      z.object({
        ...entry,
        target: nullableString.describe('the one target that lacks it; null: every target it serves'),
        code: z.string().describe('ABSENT, SYMLINK, NOT_REGULAR, UNREADABLE, UNSAFE_NAME, NOT_BUILT, or a collect code (PLAN_NO_ARTIFACT, HASH_MISSING …)'),
        reason: z.string(),
      }),
    ),
    altered: z.array(
      z.object({
        ...entry,
        filename: z.string(),
        from: z.enum(['lock', 'manifest']).describe("where the expected hash comes from: the lock, or the manifest (built wheels)"),
        algorithm: z.string().describe('sha256, else the strongest the lock gives'),
        expected: z.string(),
        actual: z.string(),
        sha256: z.string().describe("the file's sha256"),
        expectedSize: z.number().int().nullable(),
        size: z.number().int(),
      }),
    ),
    extra: z.array(
      z.object({
        ...entry,
        filename: z.string(),
        code: z.enum(['UNEXPLAINED', 'SYMLINK', 'NOT_REGULAR']),
        reason: z.string(),
      }),
    ),
    unverifiable: z.array(
      z.object({
        ...entry,
        filename: z.string(),
        accepted: z.boolean().describe('true with --allow-unhashed: reported, not a problem'),
        sha256: z.string(),
        reason: z.string(),
      }),
    ),
    warnings: z.array(z.string()),
  })
  .describe('lockhouse verify --json');

export type VerifyJson = z.infer<typeof VerifyJsonSchema>;

export function verifyToJson(result: VerifyResult): VerifyJson {
  const { plan, lock } = result.planned;
  return {
    ok: result.ok,
    dir: result.dir,
    filesDir: result.filesDir,
    layout: result.layout,
    lock: { path: lock.path, format: plan.format, sha256: lock.sha256 },
    allPlatforms: plan.allPlatforms,
    targets: plan.targets.map((target) => target.id),
    manifest: result.manifest !== null,
    selection: {
      source: result.selection.source,
      unrecorded: result.selection.unrecorded,
      given: [...result.selection.given],
      differences: result.selection.differences.map((difference) => ({ ...difference })),
      checked: result.selection.checked,
    },
    lockChanged: result.lockChanged ? { recorded: { ...result.lockChanged.recorded }, accepted: result.lockChanged.accepted } : null,
    checked: result.checked,
    problems: result.problems,
    missing: result.missing.map((file) => ({ ...file })),
    altered: result.altered.map((file) => ({ ...file })),
    extra: result.extra.map((file) => ({ ...file })),
    unverifiable: result.unverifiable.map((file) => ({ ...file })),
    warnings: [...result.warnings],
  };
}
