/**
 * Building wheels where the lock has none that fits (DESIGN.md "Building"),
 * with a standard PEP 517 frontend, never lockhouse's own:
 * - per target, an interpreter of the target's Python (`pythonX.Y` on PATH,
 *   else python3, or --build-python); targets sharing one are built for once;
 * - the wheel must carry the locked name and version; it serves each target
 *   whose tags it fits — a pure wheel serves them all, a platform wheel only
 *   this machine's kind; a target left over is reported, with what to do —
 *   or, in a partial collection (--leave-to-other-runners), left to the
 *   runner of its kind, whose part `lockhouse merge` adds;
 * - built wheels are cached by (sdist sha256 or git commit, interpreter,
 *   frontend, isolation), and a re-run over a complete DIR reuses what the
 *   manifest says it built.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isLockhouseError, LockhouseError, type ErrorCode } from '../../errors.js';
import { BuildError } from '../../io/build/run-build.js';
import { linkOrCopy, workDir } from '../../io/store/land.js';
import { isUnchanged } from '../../io/wheelhouse/trust.js';
import { buildKey, type BuildCache } from '../../io/store/build-cache.js';
import { redactUrl } from '../../redact.js';
import type { BuildPython, Frontend, WheelIdentity } from '../../io/build/types.js';
import type { Target } from '../../model.js';
import type { ManifestArtifact, ManifestFailure, ManifestLeft } from '../../output/manifest.js';
import { canonicalizeName, normalizeVersion, packageLabel, parseWheelFilename } from '../../python/names.js';
import { wheelCompatibility, type WheelTags } from '../../python/tags.js';
import type { BuildJob } from '../../plan/jobs.js';
import type { CollectIO, SourceOptions } from './sources.js';

export interface BuildOptions {
  /** --no-build-isolation: false. */
  readonly isolation: boolean;
  /** --sdist: a target no build can serve ships the sdist instead (a warning, not a failure). */
  readonly sdistShipped: boolean;
  /**
   * --leave-to-other-runners: a target this machine cannot build for (a
   * platform wheel that does not fit it, no interpreter of its Python) is
   * left to another runner — recorded, not a failure.
   */
  readonly leaveToOtherRunners?: boolean;
  /** Index URL for a package's build requirements (its index, or its mirror); null: no index. */
  indexFor(job: BuildJob): string | null;
  readonly targets: ReadonlyMap<string, Target>;
  /** Built wheels the last manifest recorded, by source (sourceKeyOf). */
  readonly previous: ReadonlyMap<string, readonly ManifestArtifact[]>;
}

/** The build layer, as one run uses it (see app/collect/build-io.ts). */
export interface BuildIO {
  python(target: Target | null): Promise<BuildPython | null>;
  frontend(python: BuildPython): Promise<Frontend>;
  build(request: {
    readonly source: { readonly kind: 'sdist' | 'tree'; readonly path: string };
    readonly python: BuildPython;
    readonly frontend: Frontend;
    readonly indexUrl: string | null;
    readonly logPath: string;
    readonly outDir: string;
  }): Promise<{ readonly wheel: string; readonly durationMs: number }>;
  identity(wheel: string): Promise<WheelIdentity>;
  checkout(source: { readonly url: string; readonly commit: string; readonly subdirectory: string | null; readonly logPath: string }): Promise<string>;
  readonly cache: BuildCache | null;
  /** DIR/.lockhouse/build: frontends write here. */
  readonly workDir: string;
  logPathFor(name: string, version: string | null): string;
  /** Why no interpreter was found for a target, for the failure message. */
  whyNoPython(target: Target | null): Promise<string>;
  /** DIR/<filename> for a built wheel. */
  outputPath(filename: string): string;
}

export interface BuildOutcome {
  readonly artifacts: readonly ManifestArtifact[];
  readonly failures: readonly ManifestFailure[];
  /** Targets left to another runner (--leave-to-other-runners). */
  readonly left?: readonly ManifestLeft[];
}

/** What a build uses: the collect's I/O (to place the wheel), the build layer, the run's build options, the sources' options. */
export interface BuildContext {
  readonly io: CollectIO;
  readonly build: BuildIO;
  readonly options: BuildOptions;
  readonly sources: SourceOptions;
}

export async function buildOne(job: BuildJob, sdistPath: () => Promise<string | null>, context: BuildContext): Promise<BuildOutcome> {
  const { io, build, options, sources } = context;
  const { item } = job;
  const failure = (code: ErrorCode, reason: string, target: string | null = null): ManifestFailure => ({
    code,
    package: item.package,
    version: item.version,
    filename: item.filename,
    target,
    url: item.kind === 'vcs' && item.url !== null ? redactUrl(item.url) : null,
    reason,
  });
  const logPath = build.logPathFor(item.package, item.version);
  const targets = item.targets.length ? item.targets.map((id) => options.targets.get(id)!) : [null];
  const artifacts: ManifestArtifact[] = [];
  const failures: ManifestFailure[] = [];
  const left: ManifestLeft[] = [];
  // A partial collection leaves what this machine cannot build to the runner of that kind.
  const leave = (target: Target, reason: string): void => {
    left.push({ package: item.package, version: item.version, filename: item.filename, target: target.id, reason });
    // The summary lists each one (report/collect-summary.ts); -v says it as it happens.
    sources.log('debug', `${packageLabel(item.package, item.version)} for ${target.id}: left to another runner (${reason})`);
  };
  const served = new Set<Target | null>();
  const fitting = (tags: WheelTags, among: ReadonlyArray<Target | null>): Array<Target | null> =>
    among.filter((target) => !served.has(target) && (target === null || wheelCompatibility(tags, target.tags).compatible));

  // 1. What the last run built from this very source, still in DIR as it left it:
  //    no interpreter to ask, no source to fetch or check out, nothing to build.
  const source = sourceKeyOf(job);
  for (const last of source ? (options.previous.get(source) ?? []) : []) {
    const reused = await reuse(last, build, io, sources);
    if (!reused) continue;
    const fits = fitting(reused, targets);
    if (fits.length === 0) continue;
    fits.forEach((target) => served.add(target));
    artifacts.push({ ...last, origin: 'existing', targets: ids(fits) });
  }
  if (targets.every((target) => served.has(target))) return { artifacts, failures, left };

  // 2. One build per distinct interpreter of the targets still unserved (a pure wheel serves them all).
  const groups = new Map<string, { python: BuildPython; targets: Array<Target | null> }>();
  for (const target of targets.filter((t) => !served.has(t))) {
    const python = await build.python(target);
    if (!python) {
      const why = await build.whyNoPython(target);
      if (options.leaveToOtherRunners && target) leave(target, `no interpreter of its Python here: ${why}`);
      else failures.push(failure('BUILD_NO_PYTHON', `no interpreter to build for ${target?.id ?? 'this machine'}: ${why}`, target?.id ?? null));
      continue;
    }
    const group = groups.get(python.command) ?? { python, targets: [] };
    group.targets.push(target);
    groups.set(python.command, group);
  }

  let tree: { kind: 'sdist' | 'tree'; path: string; ref: string } | null = null;
  for (const { python, targets: wanted } of groups.values()) {
    const pending = wanted.filter((target) => !served.has(target));
    if (pending.length === 0) continue;
    let frontend: Frontend;
    try {
      frontend = await build.frontend(python);
      tree ??= await prepareSource(job, await sdistPath(), build, logPath);
    } catch (error) {
      failures.push(failure(codeOf(error, 'BUILD_FAILED'), (error as Error).message));
      break;
    }
    const key = source === null ? null : buildKey([source, python.version.join('.'), python.platform, String(python.freeThreaded), frontend.name, String(options.isolation)]);
    const builtFrom = { kind: job.source.kind, ref: tree.ref, source, key, frontend: frontend.description, python: `${python.version.join('.')} ${python.platform}` };

    let placed: Obtained;
    try {
      // Only a wheel that serves a pending target is put in DIR: one built for no target here is reported, not left unlisted in DIR.
      placed = await obtain(job, { tree, python, frontend, key, logPath }, context, (identity) => fitting(identity, pending).length > 0);
    } catch (error) {
      const tail = error instanceof BuildError ? `\n${error.tail.map((line) => `    | ${line}`).join('\n')}\n    log: ${error.logPath}` : '';
      failures.push(failure(codeOf(error, 'BUILD_FAILED'), `${(error as Error).message}${tail}`));
      continue;
    }

    const fits = fitting(placed.identity, pending);
    fits.forEach((target) => served.add(target));
    if (placed.inDir) {
      artifacts.push({
        package: item.package,
        version: item.version,
        filename: placed.filename,
        kind: 'built-wheel',
        origin: placed.origin,
        url: null,
        ...placed.inDir,
        targets: ids(fits),
        builtFrom,
      });
    }
    for (const target of pending.filter((t) => !fits.includes(t))) {
      served.add(target);
      if (options.leaveToOtherRunners) {
        leave(target!, `this machine builds ${placed.filename} (${python.platform}, Python ${python.version.join('.')}), which does not fit it`);
        continue;
      }
      const reason =
        `needs a build for ${target!.id}; this machine builds ${placed.filename} (${python.platform}, Python ${python.version.join('.')}), which does not fit it; ` +
        (options.sdistShipped ? 'its sdist is shipped instead (--sdist)' : 'run lockhouse on such a machine, or pass --sdist to ship the sdist');
      if (options.sdistShipped) sources.log('warn', `${item.package}: ${reason}`);
      else failures.push(failure('BUILD_WRONG_PLATFORM', reason, target!.id));
    }
  }
  return { artifacts, failures, left };
}

const ids = (targets: ReadonlyArray<Target | null>): string[] => targets.filter((target): target is Target => target !== null).map((target) => target.id);

/**
 * What identifies a build's source across runs: the sdist's hash, or the
 * git URL, commit and subdirectory. Null for local projects: they may
 * change without the lock changing, so they are built afresh every run.
 */
function sourceKeyOf(job: BuildJob): string | null {
  const source = job.source;
  if (source.kind === 'sdist') {
    const rule = source.file.rule;
    return rule.kind === 'strong' ? `sdist ${rule.expected.algorithm}:${rule.expected.digest}` : null;
  }
  // Without credentials: the key is written to the manifest (builtFrom.source).
  if (source.kind === 'vcs') return `git ${redactUrl(source.url)}#${source.commit}:${source.subdirectory ?? ''}`;
  return null;
}

/** A built wheel the last manifest recorded, if DIR still has it as that run left it (or, with --verify, with its hash). */
async function reuse(last: ManifestArtifact, build: BuildIO, io: CollectIO, sources: SourceOptions): Promise<WheelTags | null> {
  const path = build.outputPath(last.filename);
  const stat = await io.lstat(path);
  if (!stat?.isFile() || stat.size !== last.size) return null;
  if (sources.verify || !isUnchanged(last, stat)) {
    if ((await io.hashFile(path, 'sha256')).sha256 !== last.sha256) return null;
  }
  try {
    return parseWheelFilename(last.filename).tags;
  } catch {
    return null;
  }
}

/** The sdist file, the git checkout, or the local project, ready for a frontend. */
async function prepareSource(
  job: BuildJob,
  sdistPath: string | null,
  build: BuildIO,
  logPath: string,
): Promise<{ kind: 'sdist' | 'tree'; path: string; ref: string }> {
  const source = job.source;
  if (source.kind === 'sdist') {
    if (!sdistPath) throw new LockhouseError('BUILD_NO_SOURCE', `its sdist ${source.file.filename} could not be had`);
    return { kind: 'sdist', path: sdistPath, ref: source.file.filename };
  }
  if (source.kind === 'vcs') {
    const path = await build.checkout({ url: source.url, commit: source.commit, subdirectory: source.subdirectory, logPath });
    return { kind: 'tree', path, ref: `${redactUrl(source.url)}#${source.commit}` };
  }
  // A local project may change without the lock changing: always built afresh.
  return { kind: 'tree', path: source.path, ref: source.path };
}

/** One build's inputs: the source ready for a frontend, the interpreter and frontend, the cache key, the log. */
interface BuildSpec {
  readonly tree: { readonly kind: 'sdist' | 'tree'; readonly path: string };
  readonly python: BuildPython;
  readonly frontend: Frontend;
  readonly key: string | null;
  readonly logPath: string;
}

/** A wheel for one interpreter, and — when it serves a target — where it now is in DIR. */
interface Obtained {
  readonly filename: string;
  readonly identity: WheelIdentity;
  readonly origin: ManifestArtifact['origin'];
  /** Null: it serves no pending target, so it was not put in DIR. */
  readonly inDir: { readonly sha256: string; readonly size: number; readonly mtimeMs: number } | null;
}

/** The wheel for one interpreter, from the build cache or a build; put in DIR only when `wanted` says it serves a target. */
async function obtain(job: BuildJob, spec: BuildSpec, context: BuildContext, wanted: (identity: WheelIdentity) => boolean): Promise<Obtained> {
  const { io, build, options, sources } = context;
  const { tree, python, frontend, key, logPath } = spec;
  if (key) {
    const cached = await build.cache?.get(key);
    if (cached) {
      const identity = checkIdentity(job, await build.identity(cached.path));
      const inDir = wanted(identity) ? await place(cached.path, cached.filename, build, io) : null;
      return { filename: cached.filename, identity, origin: 'cache', inDir };
    }
  }

  // A killed run's work folder is swept by the next (land.ts, sweep.ts).
  const work = await workDir(build.workDir);
  const outDir = work.path;
  try {
    // Frontends tell an sdist by its name: one kept in the cache (named by its
    // hash) is linked under its real name first.
    let source = tree;
    if (tree.kind === 'sdist' && job.source.kind === 'sdist') {
      const named = join(outDir, 'src', job.source.file.filename);
      await mkdir(join(outDir, 'src'));
      await linkOrCopy(tree.path, named, { durable: false });
      source = { kind: 'sdist', path: named };
    }
    await mkdir(join(outDir, 'wheel'));
    sources.log('info', `building ${packageLabel(job.item.package, job.item.version)} with ${frontend.description}`, { source: tree.path });
    const result = await build.build({ source, python, frontend, indexUrl: options.indexFor(job), logPath, outDir: join(outDir, 'wheel') });
    sources.log('info', `built ${packageLabel(job.item.package, job.item.version)} in ${(result.durationMs / 1000).toFixed(1)} s`, { durationMs: Math.round(result.durationMs) });
    const identity = checkIdentity(job, await build.identity(result.wheel));
    const filename = result.wheel.slice(result.wheel.lastIndexOf('/') + 1);
    const inDir = wanted(identity) ? await place(result.wheel, filename, build, io) : null;
    if (key && build.cache) {
      // Kept even when it serves no target here: the next run learns that without building again.
      const sha256 = inDir?.sha256 ?? (await io.hashFile(result.wheel, 'sha256')).sha256;
      await build.cache.put(key, result.wheel, filename, sha256).catch((error: Error) =>
        sources.log('warn', `cannot keep the built ${filename} in the cache: ${error.message}`),
      );
    }
    return { filename, identity, origin: 'build', inDir };
  } finally {
    await work.remove();
  }
}

/** The built wheel must be the locked package: same normalized name, same version (where the lock has one). */
function checkIdentity(job: BuildJob, identity: WheelIdentity): WheelIdentity {
  const { item } = job;
  const nameOk = canonicalizeName(identity.name) === canonicalizeName(item.package);
  const versionOk = item.version === null || (normalizeVersion(identity.version) ?? identity.version) === (normalizeVersion(item.version) ?? item.version);
  if (!nameOk || !versionOk) {
    throw new LockhouseError(
      'BUILD_WRONG_WHEEL',
      `the build produced ${identity.name} ${identity.version}, not the locked ${packageLabel(item.package, item.version)}; it is not collected`,
    );
  }
  return identity;
}

/** Copy a wheel into DIR through the hasher (a temporary file, one rename). */
async function place(path: string, filename: string, build: BuildIO, io: CollectIO): Promise<{ sha256: string; size: number; mtimeMs: number }> {
  const temp = await io.temps.create('sha256');
  try {
    await io.copyThrough(path, temp);
    const actual = await temp.finish();
    const final = build.outputPath(filename);
    await temp.moveTo(final);
    const stat = await io.lstat(final);
    return { sha256: actual.sha256, size: actual.size, mtimeMs: stat?.mtimeMs ?? 0 };
  } finally {
    await temp.discard();
  }
}

function codeOf(error: unknown, fallback: ErrorCode): ErrorCode {
  return isLockhouseError(error) ? error.code : fallback;
}
