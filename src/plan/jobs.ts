/**
 * The plan → the work it makes: one job per file to put in DIR (or, for an
 * sdist that is only there to be built, in the cache), one job per wheel to
 * build, and the failures known before anything is fetched (plan errors,
 * refused hashes, two different files wanting one name). Collect runs these
 * jobs; verify checks DIR against the same jobs, so the two never disagree
 * about what belongs there. Pure.
 */
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { escapeControls } from '../errors.js';
import { fileUrlPath } from '../lock/wire.js';
import type { LockGraph } from '../model.js';
import type { ManifestFailure } from '../output/manifest.js';
import { hashRule, type HashPolicy, type HashRule } from './hash-rule.js';
import { packageLabel } from '../python/names.js';
import type { Plan, PlanItem } from './types.js';

export interface FileJob {
  readonly item: PlanItem;
  readonly filename: string;
  readonly rule: Exclude<HashRule, { kind: 'refused' }>;
  /** An http(s) URL the lock gives, or null. */
  readonly url: string | null;
  /** An absolute local path the lock gives (relative paths are the lock's directory's), or null. */
  readonly localPath: string | null;
  /** The registry index the package was locked from (for --mirror, credentials, build requirements). */
  readonly index: string | null;
  /** 'output': the file belongs in DIR. 'build': an sdist fetched only to be built (kept in the cache). */
  readonly destination: 'output' | 'build';
}

/** The size the lock gives the file, or null. */
export function lockedSize(job: FileJob): number | null {
  return job.rule.kind === 'strong' ? job.rule.expected.size : job.rule.size;
}

/** A wheel to build, for the targets of its plan item. */
export interface BuildJob {
  readonly item: PlanItem;
  readonly source:
    | { readonly kind: 'sdist'; readonly file: FileJob }
    | { readonly kind: 'vcs'; readonly url: string; readonly commit: string; readonly subdirectory: string | null }
    | { readonly kind: 'directory'; readonly path: string };
  /** The registry index of the package, for its build requirements (null: git and local projects). */
  readonly index: string | null;
}

export interface Jobs {
  readonly files: readonly FileJob[];
  readonly builds: readonly BuildJob[];
  readonly failures: readonly ManifestFailure[];
}

export interface JobOptions extends HashPolicy {
  /** The lock's directory, for relative paths. */
  readonly lockDir: string;
  /** --sdist: sdists belong in DIR even when they are also built. */
  readonly sdistsInOutput: boolean;
  /**
   * Where local files and projects the lock names may be read from; absent
   * or null: anywhere (--allow-outside-paths; verify, which reads none).
   */
  readonly localFiles?: LocalFiles | null;
}

/**
 * The rule for local files and projects (a `path` source, a pylock `path`, a
 * `file://` URL, a `directory` or `editable` project): a lock may come from
 * anyone, and what it names is copied into DIR or built. A path is taken
 * only when, `..` and symbolic links resolved, it is inside one of `roots`;
 * anything else is the failure LOCAL_OUTSIDE, before anything is read.
 * (Git repositories named by path are not covered: their files come
 * through git, at the commit the lock pins.)
 */
export interface LocalFiles {
  /** Absolute, symbolic links resolved: the lock's folder, --project, the repository that holds the lock. */
  readonly roots: readonly string[];
  /** `path` (absolute, normalized) with every symbolic link resolved, as far as it exists (the rest as written: reading it fails on its own). */
  readonly realPath: (path: string) => string;
}

export function jobsOf(graph: LockGraph, plan: Plan, options: JobOptions): Jobs {
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
  const builds: BuildJob[] = [];
  const byName = new Map<string, FileJob>();

  for (const item of plan.items) {
    const pkg = graph.packages[item.packageIndex]!;
    const index = pkg.source.kind === 'registry' ? pkg.source.index : null;
    if (item.kind === 'vcs' && pkg.source.kind === 'vcs') {
      const { url, path, commit, subdirectory } = pkg.source;
      builds.push({ item, index: null, source: { kind: 'vcs', url: url ?? pathUrl(path!, options.lockDir), commit, subdirectory } });
      continue;
    }
    if (item.kind === 'directory') {
      const path = resolvePath(item.path!, options.lockDir);
      const outside = outsideRoots(path, options.localFiles);
      if (outside) failures.push({ code: 'LOCAL_OUTSIDE', package: item.package, version: item.version, filename: null, target: null, url: null, reason: outside('the local project') });
      else builds.push({ item, index: null, source: { kind: 'directory', path } });
      continue;
    }
    const artifact = item.artifact!;
    const rule = hashRule(artifact.hashes, artifact.size, options);
    const base = { package: item.package, version: item.version, filename: item.filename, target: null, url: item.url };
    if (rule.kind === 'refused') {
      failures.push({ ...base, code: rule.code, reason: rule.reason });
      continue;
    }
    const local = localPath(artifact.url, artifact.path, options.lockDir);
    const outside = local === null ? null : outsideRoots(local, options.localFiles);
    if (outside) {
      failures.push({ ...base, url: null, code: 'LOCAL_OUTSIDE', reason: outside('the local file') });
      continue;
    }
    const job: FileJob = {
      item,
      filename: artifact.filename,
      rule,
      url: isHttp(artifact.url) ? artifact.url : null,
      localPath: local,
      index,
      destination: item.kind === 'sdist' && item.build && !options.sdistsInOutput ? 'build' : 'output',
    };
    if (item.build) builds.push({ item, index, source: { kind: 'sdist', file: job } });
    // Names compared without case: on macOS and Windows `A.whl` and `a.whl` are one file.
    const twin = byName.get(job.filename.toLowerCase());
    if (twin && job.destination === 'output' && twin.destination === 'output') {
      // A flat wheelhouse has one file per name: two different files cannot share it.
      if (twin.filename === job.filename && sameContent(twin.rule, job.rule)) continue;
      const names = twin.filename === job.filename ? `a file named ${job.filename} with different hashes` : `files named ${twin.filename} and ${job.filename}, one file on a case-insensitive filesystem (macOS, Windows)`;
      failures.push({
        ...base,
        code: 'OUTPUT_NAME_CLASH',
        reason: `${packageLabel(item.package, item.version)} and ${packageLabel(twin.item.package, twin.item.version)} both lock ${names}; a flat wheelhouse holds one (collect them into separate directories, e.g. with --index)`,
      });
      continue;
    }
    byName.set(job.filename.toLowerCase(), job);
    files.push(job);
  }
  return { files, builds, failures };
}

function sameContent(a: FileJob['rule'], b: FileJob['rule']): boolean {
  return a.kind === 'strong' && b.kind === 'strong' && a.expected.algorithm === b.expected.algorithm && a.expected.digest === b.expected.digest;
}

function isHttp(url: string | null): url is string {
  return url !== null && /^https?:\/\//i.test(url);
}

function resolvePath(path: string, lockDir: string): string {
  return isAbsolute(path) ? path : join(lockDir, path);
}

/** Is `path` inside `root` (or `root` itself)? Both absolute and normalized. */
function within(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/**
 * Null when `path` may be read under `policy`; else the failure's reason,
 * given what the path is ("the local file"). The path is judged where it
 * leads: `..` resolved as the file is opened (lexically), then every
 * symbolic link.
 */
function outsideRoots(path: string, policy: LocalFiles | null | undefined): ((what: string) => string) | null {
  if (!policy) return null;
  const absolute = resolve(path);
  const real = policy.realPath(absolute);
  if (policy.roots.some((root) => within(root, real))) return null;
  const where = real === absolute ? '' : ` (a link to ${escapeControls(real)})`;
  return (what) =>
    `${what} ${escapeControls(absolute)}${where} is outside ${policy.roots.map((root) => escapeControls(root)).join(' and ')}; a lock's local files and projects are read only inside the lock's folder, --project and the repository that holds the lock (pass --allow-outside-paths to read it, or --project with a folder that holds it)`;
}

function pathUrl(path: string, lockDir: string): string {
  return `file://${resolvePath(path, lockDir)}`;
}

function localPath(url: string | null, path: string | null, lockDir: string): string | null {
  if (path !== null) return resolvePath(path, lockDir);
  // The lock readers refused file:// URLs this cannot read; anything else is not local.
  if (url !== null) return fileUrlPath(url);
  return null;
}
