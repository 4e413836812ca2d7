/**
 * lockhouse as a library: the front door, an explicit list (nothing else
 * under src/ is public). The CLI is a client of exactly these calls.
 *
 * The pipeline, as DESIGN.md draws it:
 *   loadLock / parseLock → resolveTargets → select → plan   (or planLock, all four)
 *   → collect (a wheelhouse and its manifest) → verify / verifyBundle
 *   bundle (collect, then one self-installing zip); indexWheelhouse (a static PEP 503/691 index);
 *   sbom (the CycloneDX SBOM of a wheelhouse's files).
 *   merge (the parts CI runners collected → one wheelhouse); bundleFrom (a bundle of a wheelhouse already made).
 * planRequest, collectRequest, bundleRequest, verifyRequest, mergeRequest and bundleFromRequest fill in the
 * defaults of the flags a caller does not set, as the command line does.
 * docs/library.md shows each with an example; test/package/ runs those
 * examples against the packed and installed package.
 */

// lockhouse's version: what collect and bundle record as the manifest's generator.
export { version } from './app/version.js';

// Errors: every one has a stable code (docs/errors.md) and the exit code the CLI gives it.
export { ErrorCodes, ExitCode, LockhouseError, VerifyCodes, isLockhouseError, type ErrorCode, type VerifyCode } from './errors.js';
export { FetchError, isFetchError } from './io/http/errors.js';

// The model every step passes on.
export type { Artifact, Dependency, Expected, Hashes, Log, LockFormat, LockGraph, Package, ProjectSettings, Source, Target } from './model.js';

// Read a lock.
export { parseLock } from './lock/parse.js';
export { loadLock, type LoadedLock, type LockRequest } from './app/load-lock.js';

// Targets, selection and the plan (pure but for resolveTargets, which may ask the host's python3).
export { resolveTargets, type TargetContext, type TargetRequest } from './app/resolve-targets.js';
export type { HostInfo } from './python/host.js';
export { select, type PackageChoice, type SelectedEdge, type SelectOptions, type Selection, type TargetSelection } from './select/index.js';
export { plan, type Plan, type PlanItem, type PlanOptions, type PlanPackage, type PlanProblem, type PlanSkip } from './plan/index.js';
export { planLock, type PlanRequest, type PlanResult } from './app/plan.js';

// Requests with the command line's defaults: say only what differs from the flags' defaults.
export {
  bundleFromRequest,
  bundleRequest,
  collectRequest,
  defaultCacheDir,
  mergeRequest,
  planRequest,
  verifyRequest,
  type BundleFromRequestInput,
  type BundleRequestInput,
  type CollectRequestInput,
  type MergeRequestInput,
  type PlanRequestInput,
  type VerifyRequestInput,
} from './app/requests.js';

// Collect, verify, bundle, index.
export { collect, type CollectEvents, type CollectRequest, type CollectResult } from './app/collect/index.js';
export { collectSince, type CollectSinceRequest, type CollectSinceResult } from './app/collect/since.js';
export type { CollectStats } from './app/collect/stats.js';
export type { LayoutKind } from './io/wheelhouse/layout.js';
export type { HashPolicy } from './plan/hash-rule.js';
export { verify } from './app/verify/index.js';
export type { AlteredFile, ExpectedFrom, ExtraFile, MissingFile, UnverifiableFile, Verdict, VerifyRequest, VerifyResult } from './app/verify/types.js';
export { verifyBundle, type BundleProblem, type BundleVerifyRequest, type BundleVerifyResult } from './app/verify/bundle.js';
export { bundle, type BundleRequest, type BundleResult } from './app/bundle.js';
export { indexWheelhouse, type IndexDirSummary, type IndexLog, type IndexWheelhouseRequest } from './app/static-index.js';

// The SBOM of a collection (CycloneDX 1.6; docs/sbom.md): of a wheelhouse DIR, or of a manifest and its lock.
export { sbom, sbomText, type SbomCollection, type SbomRequest, type SbomResult } from './app/sbom.js';

// The fan-in of a CI matrix: parts (collect --leave-to-other-runners) merged into one wheelhouse; a bundle of it.
export { merge, type MergeRequest, type MergeResult, type SetAside, type Unused } from './app/merge/index.js';
export { bundleFrom, type BundleFromRequest, type BundleFromResult } from './app/bundle-from.js';
export type { GivenFlags, SelectionFamily } from './app/verify/selection.js';

// The manifest (DIR/lockhouse.json) and its schema.
export { MANIFEST_FILE, Manifest, readManifest, type ManifestArtifact, type ManifestDelta, type ManifestFailure, type ManifestLeft, type ManifestPart, type WrittenManifest } from './output/manifest.js';
