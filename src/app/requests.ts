/**
 * The library's requests, with lockhouse's defaults filled in: a collect is
 * asked some twenty things (the lock, the targets, the selection, the cache,
 * the network, builds, outputs), and a library user should have to say only
 * the ones that differ from `lockhouse collect` with no flags. The command
 * line builds its requests here too, from its flags, so the two never
 * disagree on a default (docs/library.md).
 *
 *   await collect(collectRequest({ plan: { targets: { pythonPlatforms: ['linux'], pythonVersions: ['3.12'] } } }), …)
 *
 * Every field a caller leaves out, or gives as `undefined`, takes the default
 * of the flag that sets it. A complete request passes through unchanged.
 */
import envPaths from 'env-paths';
import { DEFAULT_CONCURRENCY, DEFAULT_MAX_FILE_BYTES, DEFAULT_MIN_BYTES_PER_SECOND } from '../io/http/index.js';
import { splitMirrorList } from '../plan/mirrors.js';
import type { BundleRequest } from './bundle.js';
import type { CollectRequest } from './collect/types.js';
import type { BundleFromRequest } from './bundle-from.js';
import type { LockRequest } from './load-lock.js';
import type { MergeRequest } from './merge/types.js';
import type { PlanRequest } from './plan.js';
import type { TargetRequest } from './resolve-targets.js';
import type { VerifyRequest } from './verify/types.js';

/** A PlanRequest in which every part, and every field of the lock and target parts, may be left out. */
export interface PlanRequestInput {
  /** The lock (`--lock`, `--project`) and the folder relative paths start from (default: the process's working directory). */
  readonly lock?: Partial<LockRequest>;
  /** Target flags; none: this machine, as `python3` describes it. */
  readonly targets?: Partial<TargetRequest>;
  /** Selection flags; none: what `uv sync --all-packages` would install. */
  readonly select?: PlanRequest['select'];
  /** Build flags (`--no-build`, `--no-binary`, `--sdist`, `--requires-build-only`). */
  readonly plan?: PlanRequest['plan'];
}

/** The fields a collect and a bundle share: where files come from, the cache, the network, hash policy and builds. */
export type SourcesRequest = Omit<CollectRequest, 'output' | 'layout' | 'emitPylock' | 'emitRequirements' | 'emitSbom' | 'clean' | 'dryRun'>;

/** A SourcesRequest with every field optional; `cacheDir: null` is `--no-cache`. */
export type SourcesRequestInput = Partial<Omit<SourcesRequest, 'plan'>> & { readonly plan?: PlanRequestInput };

/** What `collectRequest` takes: any field of a CollectRequest, the plan as a PlanRequestInput. */
export type CollectRequestInput = SourcesRequestInput & Partial<Omit<CollectRequest, keyof SourcesRequest>>;

/** What `bundleRequest` takes: the bundle's path, and any field of a BundleRequest. */
export type BundleRequestInput = SourcesRequestInput & Pick<BundleRequest, 'output'> & { readonly wheelhouse?: string | null; readonly emitSbom?: string | null; readonly since?: string | null };

/** What `mergeRequest` takes: the parts, and any other field of a MergeRequest, the plan as a PlanRequestInput. */
export type MergeRequestInput = Partial<Omit<MergeRequest, 'plan' | 'parts'>> & Pick<MergeRequest, 'parts'> & { readonly plan?: PlanRequestInput };

/** What `bundleFromRequest` takes: the wheelhouse and the bundle's path, and any other field of a BundleFromRequest. */
export type BundleFromRequestInput = Partial<Omit<BundleFromRequest, 'plan' | 'from' | 'output'>> & Pick<BundleFromRequest, 'from' | 'output'> & { readonly plan?: PlanRequestInput };

/** What `verifyRequest` takes: any field of a VerifyRequest, the plan as a PlanRequestInput. */
export type VerifyRequestInput = Partial<Omit<VerifyRequest, 'plan'>> & { readonly plan?: PlanRequestInput };

/** The defaults of the collecting flags (`lockhouse collect --help` states them). */
export const SOURCES_DEFAULTS = {
  findLinks: [],
  mirrors: [],
  /** --allow-outside-paths. */
  allowOutsidePaths: false,
  offline: false,
  verify: false,
  allowUnhashed: false,
  allowWeakHashes: false,
  /** --concurrency. */
  concurrency: DEFAULT_CONCURRENCY,
  /** --retries. */
  retries: 3,
  /** --timeout 30 (seconds). */
  timeoutMs: 30_000,
  /** --min-rate 1K. */
  minBytesPerSecond: DEFAULT_MIN_BYTES_PER_SECOND,
  /** --max-file-size 8G. */
  maxFileBytes: DEFAULT_MAX_FILE_BYTES,
  /** --build-jobs. */
  buildJobs: 2,
  buildIsolation: true,
} as const satisfies Omit<SourcesRequest, 'plan' | 'cacheDir' | 'buildPython' | 'retryBaseMs'>;

/** The defaults of what only `collect` decides: the output and what is written there. */
export const COLLECT_DEFAULTS = {
  output: 'wheelhouse',
  layout: 'flat',
  emitPylock: null,
  emitRequirements: null,
  emitSbom: null,
  clean: false,
  dryRun: false,
} as const satisfies Omit<CollectRequest, keyof SourcesRequest>;

/** `lockhouse plan`'s request: the lock and target parts completed, no selection or build flags unless given. */
export function planRequest(input: PlanRequestInput = {}): PlanRequest {
  const lock = input.lock ?? {};
  const targets = input.targets ?? {};
  return {
    lock: { lock: lock.lock, project: lock.project, cwd: lock.cwd ?? process.cwd() },
    targets: {
      ...defined(targets),
      pythonPlatforms: targets.pythonPlatforms ?? [],
      pythonVersions: targets.pythonVersions ?? [],
      platforms: targets.platforms ?? [],
      abis: targets.abis ?? [],
    },
    select: input.select ?? {},
    plan: input.plan ?? {},
  };
}

/**
 * The part a collect and a bundle share, completed. The cache is
 * `LOCKHOUSE_CACHE_DIR` from `env`, else the platform's cache folder
 * (`~/.cache/lockhouse` on Linux), as the command line's `--cache-dir`;
 * the site-wide mirrors are `LOCKHOUSE_MIRROR`'s, as the command line's.
 */
export function sourcesRequest(input: SourcesRequestInput = {}, env: NodeJS.ProcessEnv = process.env): SourcesRequest {
  const { plan, cacheDir, defaultMirrors, ...rest } = input;
  return {
    ...SOURCES_DEFAULTS,
    ...defined(rest),
    plan: planRequest(plan),
    cacheDir: cacheDir === undefined ? defaultCacheDir(env) : cacheDir,
    defaultMirrors: defaultMirrors ?? splitMirrorList(env['LOCKHOUSE_MIRROR']),
  };
}

/** `lockhouse collect`'s request: every field not given is the default of its flag (into ./wheelhouse, flat, the default cache). */
export function collectRequest(input: CollectRequestInput = {}, env: NodeJS.ProcessEnv = process.env): CollectRequest {
  const { output, layout, emitPylock, emitRequirements, emitSbom, clean, dryRun, ...sources } = input;
  return { ...sourcesRequest(sources, env), ...COLLECT_DEFAULTS, ...defined({ output, layout, emitPylock, emitRequirements, emitSbom, clean, dryRun }) };
}

/** `lockhouse bundle`'s request: the bundle's path; every other field not given is the default of its flag (a temporary wheelhouse, no SBOM). */
export function bundleRequest(input: BundleRequestInput, env: NodeJS.ProcessEnv = process.env): BundleRequest {
  const { output, wheelhouse, emitSbom, since, ...sources } = input;
  return { ...sourcesRequest(sources, env), output, wheelhouse: wheelhouse ?? null, emitSbom: emitSbom ?? null, since: since ?? null };
}

/** `lockhouse verify`'s request: ./wheelhouse against the plan, with the default hash policy unless given. */
export function verifyRequest(input: VerifyRequestInput = {}): VerifyRequest {
  const { plan, ...rest } = input;
  return { output: COLLECT_DEFAULTS.output, allowUnhashed: false, allowWeakHashes: false, ...defined(rest), plan: planRequest(plan) };
}

/**
 * `lockhouse merge`'s request: the parts into ./wheelhouse, flat, with the
 * default hash policy; the selection and targets the parts record (with
 * `given` empty: no family is taken from `plan`, which gives the lock).
 */
export function mergeRequest(input: MergeRequestInput): MergeRequest {
  const { plan, parts, ...rest } = input;
  return { output: COLLECT_DEFAULTS.output, layout: 'flat', emitPylock: null, emitRequirements: null, clean: false, allowUnhashed: false, allowWeakHashes: false, given: {}, ...defined(rest), parts, plan: planRequest(plan) };
}

/** `lockhouse bundle --from`'s request: DIR verified for the selection its manifest records (`given` empty), with the default hash policy. */
export function bundleFromRequest(input: BundleFromRequestInput): BundleFromRequest {
  const { plan, from, output, ...rest } = input;
  return { allowUnhashed: false, allowWeakHashes: false, given: {}, ...defined(rest), from, output, plan: planRequest(plan) };
}

/** The platform's cache folder for lockhouse, unless LOCKHOUSE_CACHE_DIR names one. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['LOCKHOUSE_CACHE_DIR'] || envPaths('lockhouse', { suffix: '' }).cache;
}

/** The fields whose value is not undefined: a field given as undefined takes its default, as one left out does. */
function defined<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>;
}
