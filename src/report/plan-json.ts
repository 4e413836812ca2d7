/**
 * `lockhouse plan --json`: the plan as data. The zod schema is the source of
 * schemas/plan.schema.json (scripts/write-schemas.ts writes it; a test fails
 * when it is stale).
 */
import { z } from 'zod';
import { redactUrl } from '../redact.js';
import type { Source } from '../model.js';
import type { Plan } from '../plan/types.js';

const nullableString = z.string().nullable();

export const PlanJsonSchema = z
  .object({
    lock: z.object({
      path: z.string(),
      format: z.enum(['uv.lock', 'pylock']),
      sha256: z.string(),
    }),
    allPlatforms: z.boolean().describe('true with --all-platforms: every artifact of the lock, no target filtering'),
    targets: z.array(
      z.object({
        id: z.string(),
        pythonPlatform: z.string(),
        pythonVersion: z.string(),
        markers: z.record(z.string(), z.string()),
        tags: z.number().int().describe('how many wheel tags the target accepts'),
      }),
    ),
    packages: z.array(
      z.object({
        name: z.string(),
        version: nullableString,
        source: z.record(z.string(), z.unknown()).describe('the lock source: {kind, index | url | path | commit …}'),
        targets: z.array(z.string()),
      }),
    ),
    artifacts: z.array(
      z.object({
        package: z.string(),
        version: nullableString,
        filename: nullableString.describe('null for source trees (kind vcs or directory)'),
        kind: z.enum(['wheel', 'sdist', 'vcs', 'directory']),
        url: nullableString,
        path: nullableString,
        sha256: nullableString,
        size: z.number().int().nullable(),
        build: z.boolean().describe('true: a wheel is built from this sdist or tree for its targets'),
        targets: z.array(z.string()),
      }),
    ),
    skipped: z.array(
      z.object({ package: z.string(), version: nullableString, reason: z.string(), targets: z.array(z.string()) }),
    ),
    errors: z.array(z.object({ code: z.string(), package: nullableString, version: nullableString, target: nullableString, message: z.string() })),
    warnings: z.array(z.object({ code: z.string(), package: nullableString, version: nullableString, target: nullableString, message: z.string() })),
    summary: z.object({
      packages: z.number().int(),
      artifacts: z.number().int(),
      wheels: z.number().int(),
      sdists: z.number().int(),
      builds: z.number().int(),
      bytes: z.number().int().describe('sum of the sizes the lock gives (sizes may be missing)'),
    }),
  })
  .describe('lockhouse plan --json');

export type PlanJson = z.infer<typeof PlanJsonSchema>;

export interface LockIdentity {
  readonly path: string;
  readonly sha256: string;
}

function sourceJson(source: Source): Record<string, unknown> {
  const json: Record<string, unknown> = { ...source };
  // An index or a git URL may carry credentials (user:token@host): never printed.
  for (const key of ['index', 'url'] as const) {
    const value = json[key];
    if (typeof value === 'string') json[key] = shownUrl(value);
  }
  return json;
}

/** A URL without its userinfo; a local path as it is. */
export function shownUrl(text: string): string {
  return /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(text) ? redactUrl(text) : text;
}

export function planToJson(plan: Plan, lock: LockIdentity): PlanJson {
  const artifacts = plan.items.map((item) => ({
    package: item.package,
    version: item.version,
    filename: item.filename,
    kind: item.kind,
    url: item.url === null ? null : shownUrl(item.url),
    path: item.path,
    sha256: item.sha256,
    size: item.size,
    build: item.build,
    targets: [...item.targets],
  }));
  return {
    lock: { path: lock.path, format: plan.format, sha256: lock.sha256 },
    allPlatforms: plan.allPlatforms,
    targets: plan.targets.map((target) => ({
      id: target.id,
      pythonPlatform: target.pythonPlatform,
      pythonVersion: target.pythonVersion,
      markers: { ...target.markers },
      tags: target.tags.ordered.length,
    })),
    packages: plan.packages.map((pkg) => ({
      name: pkg.name,
      version: pkg.version,
      source: sourceJson(pkg.source),
      targets: [...pkg.targets],
    })),
    artifacts,
    skipped: plan.skipped.map((skip) => ({ ...skip, targets: [...skip.targets] })),
    errors: plan.errors.map((error) => ({ ...error })),
    warnings: plan.warnings.map((warning) => ({ ...warning })),
    summary: {
      packages: plan.packages.length,
      artifacts: artifacts.length,
      wheels: artifacts.filter((a) => a.kind === 'wheel').length,
      sdists: artifacts.filter((a) => a.kind === 'sdist').length,
      builds: artifacts.filter((a) => a.build).length,
      bytes: artifacts.reduce((sum, a) => sum + (a.size ?? 0), 0),
    },
  };
}
