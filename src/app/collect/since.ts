/**
 * `lockhouse collect --since OLD -o DIR`: a delta folder — only the files
 * OLD lacks (output/delta.ts), with the whole manifest (and the whole
 * emitted pylock and requirements, when asked), to carry to a far side that
 * holds OLD's files already.
 *
 * The collection itself is an ordinary one (same plan, cache, checks and
 * builds: collect/index.ts), made in a work folder beside DIR; what lands in
 * DIR is filtered from it — the carried files, each a hard link (or copy)
 * landed through store/land.ts — and the manifest lists every file, with
 * `delta` saying which DIR holds. Files DIR does not hold are recorded with
 * mtime 0: nothing vouches for them in DIR. The work folder is removed, and
 * a killed run's is swept by the next (store/land.ts workDir).
 */
import { lstat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { compareText } from '../../compare.js';
import { LockhouseError } from '../../errors.js';
import { hashFile } from '../../io/store/hash-file.js';
import { landWith, linkOrCopy, workDir } from '../../io/store/land.js';
import { refuseUnsafeClean } from '../../io/wheelhouse/clean.js';
import { openWheelhouse, type Wheelhouse } from '../../io/wheelhouse/wheelhouse.js';
import { runPool } from '../../io/run-pool.js';
import { carriedArtifacts, deltaOf } from '../../output/delta.js';
import type { ManifestArtifact, ManifestDelta, WrittenManifest } from '../../output/manifest.js';
import type { TargetContext } from '../resolve-targets.js';
import { readSinceBase } from '../since.js';
import { collect } from './index.js';
import { emitOrExplain, tidyWheelhouse } from './outputs.js';
import type { CollectEvents, CollectRequest, CollectResult } from './types.js';

export interface CollectSinceRequest extends CollectRequest {
  /** --since OLD: the last shipment (a bundle, a manifest, or a folder holding one). */
  readonly since: string;
}

export interface CollectSinceResult extends CollectResult {
  /** The delta DIR holds, with the bytes it carries out of all the manifest lists; null when nothing was written (--dry-run, interrupted). */
  readonly delta: (ManifestDelta & { readonly carriedBytes: number; readonly totalBytes: number }) | null;
}

export async function collectSince(request: CollectSinceRequest, context: TargetContext & { readonly version: string }, events: CollectEvents): Promise<CollectSinceResult> {
  // --dry-run prints the plan, as without --since: what would be carried depends on what is collected.
  if (request.dryRun) return { ...(await collect(request, context, events)), delta: null };
  if ((request.layout ?? 'flat') !== 'flat') {
    throw new LockhouseError('USAGE', '--since cannot be used with --layout simple: a delta folder holds only some of the files, and an index of them would serve an incomplete set', {
      hint: 'collect the delta flat, carry it over, and merge it into the far side\'s wheelhouse (docs/recipes.md, "Delta updates across an air gap")',
    });
  }
  const cwd = request.plan.lock.cwd;
  // OLD first: a base that cannot be read stops the run before anything is fetched or DIR is touched.
  const base = await readSinceBase(request.since, cwd);
  const output = resolve(cwd, request.output);
  const staging = await workDir(dirname(output), basename(output));
  try {
    const collected = await collect({ ...request, output: staging.path, layout: 'flat', clean: false, emitPylock: null, emitRequirements: null }, context, events);
    if (collected.interrupted || !collected.manifest) return { ...collected, manifestPath: null, delta: null };
    if (request.clean) await refuseUnsafeClean({ dir: output, lock: resolve(cwd, collected.planned.lock.path), projectDir: collected.planned.projectDir });
    const wheelhouse = await openWheelhouse(output, 'flat');
    const delta = deltaOf(base, collected.manifest.artifacts);
    const carried = carriedArtifacts({ ...collected.manifest, delta });
    const placed = new Map<string, number>();
    await runPool(carried, 4, async (artifact) => void placed.set(artifact.filename, await place(staging.path, wheelhouse, artifact)));
    const artifacts = collected.manifest.artifacts.map((artifact) => ({ ...artifact, mtimeMs: placed.get(artifact.filename) ?? 0 }));

    const emit = { emitPylock: request.emitPylock ?? null, emitRequirements: request.emitRequirements ?? null };
    const recorded = { artifacts, failures: [...collected.manifest.failures] };
    const emitted = await emitOrExplain(
      emit,
      {
        cwd,
        dir: wheelhouse.dir,
        filesDir: wheelhouse.filesDir,
        lockPath: resolve(cwd, collected.planned.lock.path),
        requiresPython: collected.planned.graph.requiresPython,
        targets: collected.planned.plan.targets,
      },
      recorded,
    );
    // What DIR should hold now is the carried files: anything else lockhouse put there before is stale (--clean removes it).
    await tidyWheelhouse(wheelhouse, emit, cwd, { artifacts: artifacts.filter((artifact) => placed.has(artifact.filename)), failures: recorded.failures }, request.clean, events.log);
    const { emitted: _none, ...rest } = collected.manifest;
    const manifest: WrittenManifest = {
      ...rest,
      artifacts,
      failures: recorded.failures,
      ...(emitted.length ? { emitted: [...emitted].sort(compareText) } : {}),
      delta,
    };
    await wheelhouse.writeManifest(manifest);
    const bytesOf = (list: readonly ManifestArtifact[]): number => list.reduce((sum, artifact) => sum + artifact.size, 0);
    return {
      ...collected,
      manifest,
      manifestPath: wheelhouse.manifestPath,
      delta: { ...delta, carriedBytes: bytesOf(carried), totalBytes: bytesOf(artifacts) },
    };
  } finally {
    await staging.remove();
  }
}

/**
 * One carried file from the work folder into DIR: a hard link (else a copy)
 * landed under its name — replacing whatever file of that name DIR held —
 * unless DIR already holds these very bytes. Returns its mtime in DIR.
 */
async function place(from: string, wheelhouse: Wheelhouse, artifact: ManifestArtifact): Promise<number> {
  const dest = wheelhouse.pathFor(artifact.filename);
  const existing = await lstat(dest).catch(() => null);
  if (existing?.isFile() && existing.size === artifact.size) {
    const actual = await hashFile(dest, 'sha256', { noFollow: true }).catch(() => null);
    if (actual?.sha256 === artifact.sha256) return existing.mtimeMs;
  }
  await landWith(dest, (temp) => linkOrCopy(join(from, artifact.filename), temp), { tempDir: wheelhouse.tmp });
  return (await lstat(dest)).mtimeMs;
}
