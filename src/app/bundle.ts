/**
 * `lockhouse bundle` as a library call: collect exactly as `collect` does
 * (same cache, verification, builds and exit codes) into a staging
 * wheelhouse, then write one deterministic zip that carries the files, a
 * pylock, hashed requirements, the manifest, SHA256SUMS and a standard-
 * library installer (output/bundle-contents.ts, io/store/zip-writer.ts),
 * and with --emit-sbom the SBOM of the files (app/sbom.ts).
 * A collection with failures writes no bundle: a bundle that silently
 * lacks packages would install an incomplete environment.
 *
 * With `since` (--since OLD), the bundle is a delta: it carries only the
 * files OLD lacks (output/delta.ts), with the whole manifest, pylock and
 * requirements; OLD is read before anything is collected (app/since.ts).
 */
import { mkdir, readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { isLockhouseError, LockhouseError } from '../errors.js';
import { workDir } from '../io/store/land.js';
import { writeZipAtomic } from '../io/store/zip-writer.js';
import { bundleContents } from '../output/bundle-contents.js';
import { sbomText, writeSbom } from './sbom.js';
import { carriedArtifacts, deltaOf } from '../output/delta.js';
import type { Manifest, ManifestDelta } from '../output/manifest.js';
import type { Log } from '../model.js';
import type { PlanResult } from './plan.js';
import { collect, type CollectEvents, type CollectRequest, type CollectResult } from './collect/index.js';
import type { TargetContext } from './resolve-targets.js';
import { readSinceBase, type SinceBase } from './since.js';

export interface BundleRequest extends Omit<CollectRequest, 'output' | 'layout' | 'emitPylock' | 'emitRequirements' | 'clean' | 'dryRun'> {
  /** -o NAME.pyz. */
  readonly output: string;
  /** --wheelhouse DIR: collect there and keep it; null: a temporary folder beside the bundle, removed after. */
  readonly wheelhouse: string | null;
  /** --since OLD: a delta against the last shipment (a bundle, a manifest, or a folder holding one); null or absent: a full bundle. */
  readonly since?: string | null;
}

export interface BundleResult {
  readonly collected: CollectResult;
  /** Null when nothing was written (failures). */
  readonly bundle: { readonly path: string; readonly bytes: number; readonly sha256: string; readonly entries: number; readonly files: number } | null;
  /** For a delta: its record (what it carries, what it left over), and the bytes of the files it carries out of all the manifest lists. */
  readonly delta: (ManifestDelta & { readonly carriedBytes: number; readonly totalBytes: number }) | null;
  readonly exitCode: number;
}

/** The installer every bundle carries, from the package's bundle/ folder. */
export const INSTALLER_URL = new URL('../../bundle/__main__.py', import.meta.url);

/** A wheelhouse to ship: its manifest (no failures), the plan it was made for, and the folder its files are in. */
export interface BundleSource {
  readonly manifest: Manifest;
  readonly planned: Pick<PlanResult, 'plan' | 'graph' | 'lock' | 'settings'>;
  readonly filesDir: string;
}

/** How to ship it: the zip's path (absolute), the base of a delta (--since), where to write the SBOM too (--emit-sbom). */
export interface BundleShipping {
  readonly output: string;
  readonly base: SinceBase | null;
  readonly emitSbom: string | null;
  readonly cwd: string;
}

/**
 * Write the bundle of a wheelhouse: the one writer for `bundle` (a
 * collection just made) and `bundle --from DIR` (a wheelhouse verified), so
 * a delta and an SBOM mean the same in both.
 */
export async function writeBundle(
  source: BundleSource,
  shipping: BundleShipping,
  context: TargetContext & { readonly version?: string; readonly installer?: Buffer },
  log: Log,
): Promise<Pick<BundleResult, 'bundle' | 'delta'>> {
  const { planned, filesDir } = source;
  const manifest = shipping.base ? { ...source.manifest, delta: deltaOf(shipping.base, source.manifest.artifacts) } : source.manifest;
  // --emit-sbom: one rendering, carried in the bundle and written to FILE, the same bytes (app/sbom.ts).
  const sbom = shipping.emitSbom ? await sbomText({ manifest, graph: planned.graph, settings: planned.settings }, context) : null;
  const entries = bundleContents({
    manifest,
    targets: planned.plan.targets,
    requiresPython: planned.graph.requiresPython,
    lockName: basename(planned.lock.path),
    installer: context.installer ?? (await readFile(INSTALLER_URL)),
    sbom: sbom === null ? null : Buffer.from(sbom, 'utf8'),
  });
  const written = await writeZipAtomic(
    shipping.output,
    entries.map((entry) =>
      'data' in entry
        ? { name: entry.name, data: entry.data }
        : { name: entry.name, path: join(filesDir, entry.artifact.filename), size: entry.artifact.size, sha256: entry.artifact.sha256 },
    ),
  );
  if (sbom !== null && shipping.emitSbom) {
    const path = await writeSbom(resolve(shipping.cwd, shipping.emitSbom), sbom);
    log('info', `SBOM (CycloneDX 1.6): ${path}, ${manifest.artifacts.length} component(s), also in the bundle`);
  }
  const carried = carriedArtifacts(manifest);
  const bytesOf = (list: ReadonlyArray<{ size: number }>): number => list.reduce((sum, artifact) => sum + artifact.size, 0);
  return {
    bundle: { path: shipping.output, bytes: written.bytes, sha256: written.sha256, entries: entries.length, files: carried.length },
    delta: manifest.delta ? { ...manifest.delta, carriedBytes: bytesOf(carried), totalBytes: bytesOf(manifest.artifacts) } : null,
  };
}

export async function bundle(request: BundleRequest, context: TargetContext & { readonly version: string }, events: CollectEvents): Promise<BundleResult> {
  if (request.plan.targets.allPlatforms) {
    throw new LockhouseError('USAGE', 'lockhouse bundle cannot be used with --all-platforms: a bundle installs on the targets it was collected for', {
      hint: 'name the targets with --python-platform and --python-version',
    });
  }
  const cwd = request.plan.lock.cwd;
  // OLD first: a base that cannot be read stops the run before anything is fetched.
  const base = request.since ? await readSinceBase(request.since, cwd) : null;
  const output = resolve(cwd, request.output);
  await mkdir(dirname(output), { recursive: true });
  const installer = await readFile(INSTALLER_URL);
  const once = async (verifyLater: boolean): Promise<BundleResult> => {
    // Without --wheelhouse, a work folder beside the bundle, named for it, that a killed run's successor sweeps.
    const work = request.wheelhouse ? null : await workDir(dirname(output), basename(output));
    const staging = work?.path ?? resolve(cwd, request.wheelhouse!);
    try {
      // The SBOM is written below, for the bundle, only once there is one. A bundle is whole: nothing is left
      // to another runner (bundle --from DIR ships a merged wheelhouse).
      const collected = await collect(
        { ...request, output: staging, layout: 'flat', clean: false, dryRun: false, emitSbom: null, leaveToOtherRunners: false, cacheVerifiedLater: verifyLater },
        context,
        events,
      );
      const collectedManifest = collected.manifest;
      // Interrupted: the command says so in one line; there is no bundle to write.
      if (collected.interrupted) return { collected, bundle: null, delta: null, exitCode: collected.exitCode };
      if (!collectedManifest || collectedManifest.failures.length > 0 || collected.exitCode !== 0) {
        events.log('warn', `no bundle written: ${collectedManifest?.failures.length ?? 0} artifact(s) failed, and a bundle without them would install an incomplete environment`);
        return { collected, bundle: null, delta: null, exitCode: collected.exitCode };
      }
      const written = await writeBundle({ manifest: collectedManifest, planned: collected.planned, filesDir: staging }, { output, base, emitSbom: request.emitSbom ?? null, cwd }, { ...context, installer }, events.log);
      return { collected, ...written, exitCode: collected.exitCode };
    } finally {
      await work?.remove();
    }
  };
  // In a staging folder of its own, cache hits are placed unhashed: the zip
  // hashes every byte against the lock as it goes in (io/store/zip-writer.ts),
  // so each cached byte is hashed once, not twice. A file that differs there
  // came from a damaged cache entry: the bundle is made once more with every
  // cache entry verified (the bad one removed, its file fetched again).
  const verifyLater = request.wheelhouse === null;
  try {
    return await once(verifyLater);
  } catch (error) {
    if (!verifyLater || !isLockhouseError(error) || error.code !== 'INTEGRITY_MISMATCH') throw error;
    events.log('warn', `a file placed from the cache did not match the lock as it was zipped (a damaged cache entry): collecting again with every cache entry verified`, { error: error.message });
    return once(false);
  }
}
