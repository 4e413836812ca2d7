/**
 * The SBOM of a collection (docs/sbom.md) as library calls: `lockhouse sbom
 * -o FILE DIR`, and the one rendering that `collect --emit-sbom`, `bundle
 * --emit-sbom` (and `merge`, when it lands) share.
 *
 * Every path renders from the same inputs — the manifest and the lock it
 * records — by replaying the manifest's selection on the lock (as verify
 * does), so the SBOM a collect writes, the one in its bundle and the one
 * `lockhouse sbom` writes later for the same DIR are the same bytes. The
 * lock is needed because the manifest does not say everything the SBOM
 * does: the dependency edges, the lock's other hashes, the index a package
 * came from, the workspace members; it must be the lock the manifest
 * records (by sha256), or the SBOM would pair files with another lock's facts.
 */
import { resolve } from 'node:path';
import { LockhouseError } from '../errors.js';
import type { LockGraph, ProjectSettings } from '../model.js';
import { landBytes } from '../io/store/land.js';
import { readManifestFile } from '../io/wheelhouse/manifest-file.js';
import type { Manifest } from '../output/manifest.js';
import { sbomFacts } from '../output/sbom-facts.js';
import { select } from '../select/index.js';
import { loadLock, type LockRequest } from './load-lock.js';
import { resolveTargets, type TargetContext } from './resolve-targets.js';
import { replaySelection, type SelectionRequest } from './selection-record.js';
import { version as thisVersion } from './version.js';

export interface SbomRequest {
  /** DIR: the wheelhouse whose lockhouse.json says what it holds. */
  readonly dir: string;
  /** -o FILE. */
  readonly output: string;
  /** The lock DIR was collected from (`--lock`, `--project`) and the folder relative paths start from. */
  readonly lock: LockRequest;
}

export interface SbomResult {
  /** The SBOM written, absolute. */
  readonly path: string;
  /** Its components: one per file of the manifest. */
  readonly components: number;
  readonly bytes: number;
}

/** The collection an SBOM describes: its manifest and the lock it was collected from. */
export interface SbomCollection {
  readonly manifest: Manifest;
  readonly graph: LockGraph;
  readonly settings: ProjectSettings;
}

/** `lockhouse sbom -o FILE DIR`: the SBOM of the wheelhouse DIR, from its manifest and its lock. */
export async function sbom(request: SbomRequest, context: TargetContext & { readonly version?: string }): Promise<SbomResult> {
  const cwd = request.lock.cwd;
  const dir = resolve(cwd, request.dir);
  const read = await readManifestFile(dir);
  if (!read.manifest) {
    throw new LockhouseError('SBOM_NO_MANIFEST', `${dir} has no manifest lockhouse reads: ${read.detail}`, {
      hint: 'lockhouse sbom describes a wheelhouse lockhouse collected: pass the DIR of `lockhouse collect -o DIR`',
    });
  }
  const loaded = await loadLock(request.lock);
  if (loaded.sha256 !== read.manifest.lock.sha256) {
    throw new LockhouseError(
      'SBOM_LOCK_MISMATCH',
      `${loaded.path} (sha256 ${loaded.sha256}) is not the lock ${dir} was collected from (${read.manifest.lock.path}, sha256 ${read.manifest.lock.sha256})`,
      { hint: 'pass that lock with --lock (the SBOM takes dependencies, hashes and indexes from it), or collect DIR again from this one' },
    );
  }
  const text = await sbomText({ manifest: read.manifest, graph: loaded.graph, settings: loaded.settings }, context);
  const path = await writeSbom(resolve(cwd, request.output), text);
  return { path, components: read.manifest.artifacts.length, bytes: Buffer.byteLength(text) };
}

/**
 * The SBOM of a collection, as text: the manifest's selection replayed on
 * its lock gives the targets' dependency edges. The hook for every command
 * that emits one — `lockhouse merge --emit-sbom FILE` calls this (or
 * `sbom()` on the merged DIR) once the merged manifest is written.
 */
export async function sbomText(collection: SbomCollection, context: TargetContext & { readonly version?: string }): Promise<string> {
  const { manifest, graph, settings } = collection;
  const replay = replayOf(manifest);
  const targets = await resolveTargets(replay.targets, context);
  const selection = select(graph, targets, replay.select, settings);
  const facts = sbomFacts({ manifest, graph, selection, lockName: lockName(manifest.lock.path) });
  // Loaded only when an SBOM is written: the CycloneDX library and its SPDX tables took a tenth of a second of every collect's start.
  const { renderSbom } = await import('../output/sbom.js');
  return renderSbom(facts, { name: 'lockhouse', version: context.version ?? thisVersion });
}

/** Write an SBOM atomically (store/land.ts); returns its absolute path. */
export async function writeSbom(path: string, text: string): Promise<string> {
  await landBytes(path, text);
  return path;
}

/** The selection to replay: the manifest's; a manifest of an older lockhouse records none, and then its targets with no flags. */
function replayOf(manifest: Manifest): SelectionRequest {
  if (manifest.selection) return replaySelection(manifest.selection, manifest.allPlatforms);
  const unique = (values: readonly string[]): string[] => [...new Set(values)];
  return {
    targets: {
      pythonPlatforms: unique(manifest.targets.map((target) => target.pythonPlatform)),
      pythonVersions: unique(manifest.targets.map((target) => target.pythonVersion)),
      platforms: [],
      abis: [],
      allPlatforms: manifest.allPlatforms,
    },
    select: { allPlatforms: manifest.allPlatforms, allowEmpty: true },
    plan: {},
  };
}

/** The lock's file name, whichever separator its recorded path uses: the same in DIR's manifest and in a bundle's. */
function lockName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}
