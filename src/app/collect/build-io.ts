/**
 * The build layer as one collect run uses it: interpreters per target,
 * the frontend per interpreter (each found once and logged), logs under
 * DIR/.lockhouse/logs, git checkouts and built wheels in the cache, and
 * where build requirements come from.
 */
import { dirname } from 'node:path';
import { checkoutGit } from '../../io/build/git.js';
import { chooseFrontend } from '../../io/build/frontend.js';
import { findBuildPython, probeBuildPython } from '../../io/build/build-python.js';
import { runBuild } from '../../io/build/run-build.js';
import type { BuildPython, Frontend } from '../../io/build/types.js';
import { readWheelIdentity } from '../../io/build/wheel-identity.js';
import type { Target } from '../../model.js';
import type { Manifest, ManifestArtifact } from '../../output/manifest.js';
import { openBuildCache } from '../../io/store/build-cache.js';
import type { Wheelhouse } from '../../io/wheelhouse/wheelhouse.js';
import type { Log } from '../../model.js';
import { normalizeIndexUrl, resolveIndex } from '../../select/filters.js';
import type { PlanResult } from '../plan.js';
import type { BuildIO, BuildOptions } from './builds.js';
import type { IOOptions } from './io.js';

/** The build flags, and the source flags builds share (--mirror serves build requirements too). */
export interface BuildRequestOptions extends Pick<IOOptions, 'cacheDir' | 'offline' | 'findLinks' | 'mirrors'> {
  /** --build-python PATH. */
  readonly buildPython?: string | undefined;
  /** --build-jobs N (default 2). */
  readonly buildJobs: number;
  /** --no-build-isolation: false. */
  readonly buildIsolation: boolean;
  /** Aborted on SIGINT/SIGTERM: builds and checkouts are stopped, their process trees killed. */
  readonly signal?: AbortSignal | undefined;
}

/** PyPI, for the build requirements of git and local projects (they have no index of their own). */
const DEFAULT_INDEX = 'https://pypi.org/simple';

/** X.Y (or X.Yt) of a target's Python, whatever form its version was given in. */
function pythonOf(target: Target): string {
  const abi = target.tags.ordered[0]?.split('-')[1] ?? '';
  return `${target.markers.python_version}${abi.endsWith('t') ? 't' : ''}`;
}

export function openBuildIO(request: BuildRequestOptions, wheelhouse: Wheelhouse, env: NodeJS.ProcessEnv, log: Log): BuildIO {
  const pythons = new Map<string, Promise<BuildPython | null>>();
  const frontends = new Map<string, Promise<Frontend>>();
  return {
    python(target) {
      const version = target ? pythonOf(target) : undefined;
      const key = version ?? '';
      let found = pythons.get(key);
      if (!found) {
        found = findBuildPython({ ...(version ? { version } : {}), ...(request.buildPython ? { explicit: request.buildPython } : {}), env });
        pythons.set(key, found);
      }
      return found;
    },
    frontend(python) {
      let found = frontends.get(python.command);
      if (!found) {
        found = chooseFrontend(python, env).then((frontend) => {
          log('info', `builds with ${python.command} (Python ${python.version.join('.')}) use ${frontend.description}`);
          return frontend;
        });
        frontends.set(python.command, found);
      }
      return found;
    },
    build: (request_) =>
      runBuild({
        source: request_.source,
        python: request_.python,
        frontend: request_.frontend,
        isolation: request.buildIsolation,
        indexUrl: request.offline ? null : request_.indexUrl,
        findLinks: [wheelhouse.filesDir, ...request.findLinks],
        outDir: request_.outDir,
        logPath: request_.logPath,
        env,
        ...(request.signal ? { signal: request.signal } : {}),
      }),
    identity: (wheel) => readWheelIdentity(wheel),
    checkout: (source) =>
      checkoutGit({
        url: source.url,
        commit: source.commit,
        subdirectory: source.subdirectory,
        // Without a cache, checkouts go to DIR/.lockhouse/git-v1.
        cacheRoot: request.cacheDir ?? dirname(wheelhouse.stateDir('git')),
        env,
        logPath: source.logPath,
        ...(request.signal ? { signal: request.signal } : {}),
      }),
    cache: request.cacheDir === null ? null : openBuildCache(request.cacheDir),
    workDir: wheelhouse.stateDir('build'),
    logPathFor: (name, version) => wheelhouse.logPath(name, version),
    async whyNoPython(target) {
      if (request.buildPython) {
        const probe = await probeBuildPython(request.buildPython, env);
        return `--build-python ${request.buildPython} does not run${'reason' in probe ? `: ${probe.reason}` : ''}`;
      }
      const version = target ? pythonOf(target) : null;
      return `neither ${version ? `python${version} nor ` : ''}python3 runs here; pass --build-python PATH`;
    },
    outputPath: (filename) => wheelhouse.pathFor(filename),
  };
}

export function buildOptionsFor(
  request: BuildRequestOptions & { readonly plan: { readonly plan: { readonly sdist?: boolean } } },
  planned: PlanResult,
  previous: Manifest | null,
): BuildOptions {
  const mirrors = new Map<string, string>();
  for (const pair of request.mirrors) {
    const at = pair.indexOf('=');
    mirrors.set(resolveIndex(pair.slice(0, at).trim(), planned.settings, '--mirror'), pair.slice(at + 1).trim());
  }
  const prior = new Map<string, ManifestArtifact[]>();
  for (const artifact of previous?.artifacts ?? []) {
    const source = artifact.kind === 'built-wheel' ? artifact.builtFrom?.source : null;
    if (source) prior.set(source, [...(prior.get(source) ?? []), artifact]);
  }
  return {
    isolation: request.buildIsolation,
    sdistShipped: Boolean(request.plan.plan.sdist),
    indexFor(job) {
      if (request.offline) return null;
      if (job.index === null) return DEFAULT_INDEX;
      if (!/^https?:\/\//i.test(job.index)) return null; // a flat local registry: DIR and --find-links serve
      return mirrors.get(normalizeIndexUrl(job.index)) ?? job.index;
    },
    targets: new Map(planned.targets.map((target) => [target.id, target])),
    previous: prior,
  };
}
