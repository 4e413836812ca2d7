/**
 * The plan → the work of a collect: one job per file to put in DIR (or,
 * for an sdist that is only there to be built, in the cache), and the
 * failures known before anything is fetched (plan errors, refused hashes,
 * two different files wanting one name, builds). Pure.
 */
import { isAbsolute, join } from 'node:path';
import type { LockGraph } from '../../model.js';
import type { ManifestFailure } from '../../output/manifest.js';
import type { Plan, PlanItem } from '../../plan/types.js';
import { hashRule, type HashPolicy, type HashRule } from './expected.js';

export interface FileJob {
  readonly item: PlanItem;
  readonly filename: string;
  readonly rule: Exclude<HashRule, { kind: 'refused' }>;
  /** An http(s) URL the lock gives, or null. */
  readonly url: string | null;
  /** An absolute local path the lock gives (relative paths are the lock's directory's), or null. */
  readonly localPath: string | null;
  /** The registry index the package was locked from (for --mirror and credentials). */
  readonly index: string | null;
  /** 'output': the file belongs in DIR. 'cache': an sdist fetched only to be built. */
  readonly destination: 'output' | 'cache';
}

export interface Jobs {
  readonly files: readonly FileJob[];
  readonly failures: readonly ManifestFailure[];
}

export interface JobOptions extends HashPolicy {
  /** The lock's directory, for relative paths. */
  readonly lockDir: string;
  /** --sdist: sdists belong in DIR even when they are also built. */
  readonly sdistsInOutput: boolean;
}

/** Until builds exist (issue 4), a package that needs one is a failure with this code. */
export const BUILD_UNAVAILABLE = 'BUILD_UNAVAILABLE';

export function collectJobs(graph: LockGraph, plan: Plan, options: JobOptions): Jobs {
  const failures: ManifestFailure[] = plan.errors.map((error) => ({
    code: error.code,
    package: error.package,
    version: error.version,
    filename: null,
    target: error.target,
    url: null,
    reason: error.message,
  }));
  const files: FileJob[] = [];
  const byName = new Map<string, FileJob>();

  for (const item of plan.items) {
    if (item.build) failures.push(buildFailure(item));
    if (item.kind !== 'wheel' && item.kind !== 'sdist') continue;
    const artifact = item.artifact!;
    const rule = hashRule(artifact.hashes, artifact.size, options);
    const base = { package: item.package, version: item.version, filename: item.filename, target: null, url: item.url };
    if (rule.kind === 'refused') {
      failures.push({ ...base, code: rule.code, reason: rule.reason });
      continue;
    }
    const pkg = graph.packages[item.packageIndex]!;
    const job: FileJob = {
      item,
      filename: artifact.filename,
      rule,
      url: isHttp(artifact.url) ? artifact.url : null,
      localPath: localPath(artifact.url, artifact.path, options.lockDir),
      index: pkg.source.kind === 'registry' ? pkg.source.index : null,
      destination: item.kind === 'sdist' && item.build && !options.sdistsInOutput ? 'cache' : 'output',
    };
    const twin = byName.get(job.filename);
    if (twin && job.destination === 'output' && twin.destination === 'output') {
      // A flat wheelhouse has one file per name: two different files cannot share it.
      if (sameContent(twin.rule, job.rule)) continue;
      failures.push({
        ...base,
        code: 'OUTPUT_NAME_CLASH',
        reason: `${item.package} ${item.version ?? ''} and ${twin.item.package} ${twin.item.version ?? ''} both lock a file named ${job.filename} with different hashes; a flat wheelhouse holds one (collect them into separate directories, e.g. with --index)`,
      });
      continue;
    }
    byName.set(job.filename, job);
    files.push(job);
  }
  return { files, failures };
}

function buildFailure(item: PlanItem): ManifestFailure {
  const what = item.kind === 'vcs' ? 'a git checkout' : item.kind === 'directory' ? 'a local project' : `the sdist ${item.filename}`;
  return {
    code: BUILD_UNAVAILABLE,
    package: item.package,
    version: item.version,
    filename: item.filename,
    target: item.targets.length === 1 ? item.targets[0]! : null,
    url: item.kind === 'sdist' ? item.url : null,
    reason: `needs a wheel built from ${what} for ${item.targets.length ? item.targets.join(', ') : 'every platform'}, and building is not available yet${item.kind === 'sdist' ? ' (its sdist is fetched and verified into the cache)' : ''}`,
  };
}

function sameContent(a: FileJob['rule'], b: FileJob['rule']): boolean {
  return a.kind === 'strong' && b.kind === 'strong' && a.expected.algorithm === b.expected.algorithm && a.expected.digest === b.expected.digest;
}

function isHttp(url: string | null): url is string {
  return url !== null && /^https?:\/\//i.test(url);
}

function localPath(url: string | null, path: string | null, lockDir: string): string | null {
  if (path !== null) return isAbsolute(path) ? path : join(lockDir, path);
  if (url !== null && url.toLowerCase().startsWith('file://')) return decodeURIComponent(new URL(url).pathname);
  return null;
}
