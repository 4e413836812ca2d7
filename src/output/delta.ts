/**
 * Deltas (`collect --since OLD`, `bundle --since OLD`), as pure functions of
 * two manifests: which files of a collection the far side lacks, and what
 * it must already hold.
 *
 * A file is the base's when the base lists the same name with the same
 * sha256. The name matters as much as the bytes: pip's `--find-links`
 * finds files by name, so a file of the base under another name is no use,
 * and a file of the same name with other bytes (a rebuilt wheel, a
 * re-uploaded file) is a new file — the delta carries it, and applying the
 * delta replaces the far side's copy.
 */
import { compareText } from '../compare.js';
import type { Manifest, ManifestArtifact, ManifestDelta } from './manifest.js';

/** OLD: the manifest a delta is made against, and the sha256 of its bytes as read. */
export interface DeltaBase {
  readonly manifest: Manifest;
  readonly sha256: string;
}

const key = (filename: string, sha256: string): string => `${filename}\u0000${sha256.toLowerCase()}`;

/** The delta record of a collection of `artifacts` made against `base`. */
export function deltaOf(base: DeltaBase, artifacts: readonly ManifestArtifact[]): ManifestDelta {
  const held = new Set(base.manifest.artifacts.map((artifact) => key(artifact.filename, artifact.sha256)));
  const listed = new Set(artifacts.map((artifact) => artifact.filename));
  const carries = artifacts.filter((artifact) => !held.has(key(artifact.filename, artifact.sha256))).map((artifact) => artifact.filename);
  // What earlier manifests of the chain listed and this one does not: still on the far side (a delta removes nothing).
  const earlier = new Set([...(base.manifest.delta?.leftover ?? []), ...base.manifest.artifacts.map((artifact) => artifact.filename)]);
  return {
    since: {
      manifestSha256: base.sha256,
      lockSha256: base.manifest.lock.sha256,
      generator: base.manifest.generator,
      files: base.manifest.artifacts.length,
    },
    carries: [...new Set(carries)].sort(compareText),
    leftover: [...earlier].filter((filename) => !listed.has(filename)).sort(compareText),
  };
}

/** The artifacts a wheelhouse or bundle holds: all of them, or for a delta those it carries. */
export function carriedArtifacts(manifest: Manifest): ManifestArtifact[] {
  if (!manifest.delta) return [...manifest.artifacts];
  const carried = new Set(manifest.delta.carries);
  return manifest.artifacts.filter((artifact) => carried.has(artifact.filename));
}

/** The artifacts a delta expects its base to hold (none for a full collection). */
export function expectedFromBase(manifest: Manifest): ManifestArtifact[] {
  if (!manifest.delta) return [];
  const carried = new Set(manifest.delta.carries);
  return manifest.artifacts.filter((artifact) => !carried.has(artifact.filename));
}

/** Why a manifest's delta record cannot be one lockhouse wrote for its artifacts, or null. */
export function deltaProblem(manifest: Manifest): string | null {
  const delta = manifest.delta;
  if (!delta) return null;
  const listed = new Set(manifest.artifacts.map((artifact) => artifact.filename));
  const stray = delta.carries.find((filename) => !listed.has(filename));
  if (stray !== undefined) return `its delta carries ${stray}, which its artifacts do not list`;
  const both = delta.leftover.find((filename) => listed.has(filename));
  if (both !== undefined) return `its delta counts ${both} as left over, yet its artifacts list it`;
  return null;
}
