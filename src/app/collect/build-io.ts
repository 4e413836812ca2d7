/**
 * The build layer as one collect run uses it: interpreters per target,
 * the frontend per interpreter (each found once and logged), logs under
 * DIR/.lockhouse/logs, git checkouts and built wheels in the cache, and
 * where build requirements come from: the package's index through its
 * --mirror (plan/mirrors.ts, the rule downloads use), the `pypi` mirror or
 * PyPI for git and local projects, none with --offline; DIR and
 * --find-links always, as find-links.
 *
 * The index's credentials (its URL's userinfo, UV_INDEX_<NAME>_* /
 * LOCKHOUSE_INDEX_<NAME>_*, netrc: what downloads would send) travel to
 * run-build.ts inside the index URL, which gives them to the frontend in a
 * netrc file of its own: never on a command line, never in the
 * environment a build backend sees.
 */
import { dirname } from 'node:path';
import { checkoutGit } from '../../io/build/git.js';
import { chooseFrontend } from '../../io/build/frontend.js';
import { findBuildPython, probeBuildPython } from '../../io/build/build-python.js';
import { runBuild } from '../../io/build/run-build.js';
import type { BuildPython, Frontend } from '../../io/build/types.js';
import { readWheelIdentity } from '../../io/build/wheel-identity.js';
import { createCredentialSource } from '../../io/http/index.js';
import { redactUrl } from '../../redact.js';
import type { Log, ProjectSettings, Target } from '../../model.js';
import type { Manifest, ManifestArtifact } from '../../output/manifest.js';
import { openBuildCache } from '../../io/store/build-cache.js';
import type { Wheelhouse } from '../../io/wheelhouse/wheelhouse.js';
import { buildIndexFor, type Mirror } from '../../plan/mirrors.js';
import type { PlanResult } from '../plan.js';
import type { BuildIO, BuildOptions } from './builds.js';
import type { IOOptions } from './io.js';
import { packageLabel } from '../../python/names.js';

/** The build flags, and the source flags builds share (--mirror serves build requirements too). */
export interface BuildRequestOptions extends Pick<IOOptions, 'cacheDir' | 'offline' | 'findLinks'> {
  /** --build-python PATH. */
  readonly buildPython?: string | undefined;
  /** --build-jobs N (default 2). */
  readonly buildJobs: number;
  /** --no-build-isolation: false. */
  readonly buildIsolation: boolean;
  /** Aborted on SIGINT/SIGTERM: builds and checkouts are stopped, their process trees killed. */
  readonly signal?: AbortSignal | undefined;
  /** --leave-to-other-runners: a part of a collection; what this machine cannot build is left to another runner, not a failure. */
  readonly leaveToOtherRunners?: boolean | undefined;
}

/** X.Y (or X.Yt) of a target's Python, whatever form its version was given in. */
function pythonOf(target: Target): string {
  const abi = target.tags.ordered[0]?.split('-')[1] ?? '';
  return `${target.markers.python_version}${abi.endsWith('t') ? 't' : ''}`;
}

/**
 * `url` with the credentials downloads would send to it (userinfo already
 * there wins), for run-build.ts to move into the frontend's netrc.
 */
function withCredentials(url: string, lookup: (url: URL) => { username: string; password: string } | null): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  if (parsed.username || parsed.password) return url;
  const credential = lookup(parsed);
  if (!credential) return url;
  parsed.username = encodeURIComponent(credential.username);
  parsed.password = encodeURIComponent(credential.password);
  return parsed.href;
}

export function openBuildIO(request: BuildRequestOptions, settings: ProjectSettings, wheelhouse: Wheelhouse, env: NodeJS.ProcessEnv, log: Log): BuildIO {
  const pythons = new Map<string, Promise<BuildPython | null>>();
  const frontends = new Map<string, Promise<Frontend>>();
  const credentials = createCredentialSource({ env, indexes: [...settings.indexes].map(([name, url]) => ({ name, url })), log });
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
        indexUrl: request.offline || request_.indexUrl === null ? null : withCredentials(request_.indexUrl, (url) => credentials.lookup(url)),
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
  mirrors: readonly Mirror[],
  previous: Manifest | null,
  log: Log,
): BuildOptions {
  const prior = new Map<string, ManifestArtifact[]>();
  for (const artifact of previous?.artifacts ?? []) {
    const source = artifact.kind === 'built-wheel' ? artifact.builtFrom?.source : null;
    if (source) prior.set(source, [...(prior.get(source) ?? []), artifact]);
  }
  return {
    isolation: request.buildIsolation,
    sdistShipped: Boolean(request.plan.plan.sdist),
    leaveToOtherRunners: Boolean(request.leaveToOtherRunners),
    indexFor(job) {
      const name = packageLabel(job.item.package, job.item.version);
      if (request.offline) {
        log('debug', `${name}: build requirements from DIR and --find-links only (--offline)`);
        return null;
      }
      // A flat local registry (no http index): DIR and --find-links serve.
      const index = buildIndexFor(mirrors, job);
      if (request.buildIsolation) {
        const where = index === null ? 'DIR and --find-links only (its index is a local folder)' : `${redactUrl(index.url)}${index.mirror ? ` (${index.mirror.given} ${index.mirror.label})` : ''}, after DIR and --find-links`;
        log('debug', `${name}: build requirements from ${where}`);
      }
      return index?.url ?? null;
    },
    targets: new Map(planned.targets.map((target) => [target.id, target])),
    previous: prior,
  };
}
