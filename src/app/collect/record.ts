/**
 * What a collect's run amounts to, for the manifest: every artifact now in
 * DIR and every failure (those known from the plan, those of the run), and
 * the manifest itself. Pure.
 */
import { redactUrl } from '../../redact.js';
import type { Target } from '../../model.js';
import { MANIFEST_VERSION, type Manifest, type ManifestArtifact, type ManifestFailure, type ManifestLeft, type ManifestSelection, type WrittenManifest } from '../../output/manifest.js';
import type { Jobs } from '../../plan/jobs.js';
import type { Plan } from '../../plan/types.js';
import type { RunResult } from './run.js';
import { compareText } from '../../compare.js';

export interface Recorded {
  readonly artifacts: ManifestArtifact[];
  readonly failures: ManifestFailure[];
  /** Targets left to another runner (--leave-to-other-runners). */
  readonly left?: ManifestLeft[];
}

export function recordRun(jobs: Jobs, ran: RunResult): Recorded {
  const artifacts: ManifestArtifact[] = ran.builds.flatMap((outcome) => outcome.artifacts);
  const failures: ManifestFailure[] = [...jobs.failures, ...ran.builds.flatMap((outcome) => outcome.failures)];
  const left: ManifestLeft[] = ran.builds.flatMap((outcome) => outcome.left ?? []);
  for (const { job, outcome } of ran.files) {
    const { item } = job;
    if (!outcome.ok) {
      failures.push({ package: item.package, version: item.version, filename: job.filename, target: null, ...outcome.failure });
    } else if (job.destination === 'output') {
      artifacts.push({
        package: item.package,
        version: item.version,
        filename: job.filename,
        kind: item.kind === 'sdist' ? 'sdist' : 'wheel',
        origin: outcome.origin,
        url: item.url === null ? null : redactUrl(item.url),
        sha256: outcome.actual.sha256,
        size: outcome.actual.size,
        mtimeMs: outcome.mtimeMs,
        targets: [...item.targets],
      });
    }
  }
  return { artifacts, failures, left };
}

export interface ManifestFacts {
  /** `lockhouse <version>`. */
  readonly generator: string;
  readonly lock: { readonly path: string; readonly sha256: string };
  readonly plan: Plan;
  /** The selection the plan was made with (app/selection-record.ts). */
  readonly selection: ManifestSelection;
  readonly layout: 'flat' | 'simple';
  readonly recorded: Recorded;
  /** Emitted files inside DIR, relative to it, POSIX. */
  readonly emitted: readonly string[];
  /** --leave-to-other-runners: the manifest says this is a part, and what it leaves. */
  readonly partial?: boolean;
}

export function manifestOf(facts: ManifestFacts): WrittenManifest {
  const { plan, recorded } = facts;
  return {
    manifestVersion: MANIFEST_VERSION,
    generator: facts.generator,
    lock: { path: facts.lock.path, format: plan.format, sha256: facts.lock.sha256 },
    allPlatforms: plan.allPlatforms,
    ...(facts.layout === 'simple' ? { layout: 'simple' as const } : {}),
    targets: plan.targets.map(targetRecord),
    selection: facts.selection,
    artifacts: [...recorded.artifacts].sort((a, b) => compareText(a.filename, b.filename)),
    skipped: plan.skipped.map((skip) => ({ package: skip.package, version: skip.version, reason: skip.reason })),
    failures: recorded.failures,
    ...(facts.emitted.length ? { emitted: [...facts.emitted].sort() } : {}),
    ...(facts.partial ? { partial: { left: [...(recorded.left ?? [])].sort((a, b) => compareText(`${a.package}\u0000${a.target}`, `${b.package}\u0000${b.target}`)) } } : {}),
  };
}

function targetRecord(target: Target): Manifest['targets'][number] {
  return { id: target.id, pythonPlatform: target.pythonPlatform, pythonVersion: target.pythonVersion };
}
