/**
 * `lockhouse bundle --from DIR`: one self-installing bundle from a
 * wheelhouse already made — a merged one above all, which no single collect
 * could have made (the fan-in job of a CI matrix ships one file). Nothing
 * is collected: DIR is verified as `lockhouse verify -o DIR` verifies it
 * (for the selection its manifest records, the flags given overriding),
 * and only a DIR complete and intact for the lock is bundled, with the same
 * contents a bundle of a collect has (output/bundle-contents.ts). The zip
 * writer hashes every file again on its way in. `since` and `emitSbom`
 * mean what they mean for `bundle` (one writer: app/bundle.ts writeBundle):
 * a merged wheelhouse ships as a delta, and carries its SBOM, as well.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { LockhouseError } from '../errors.js';
import type { Log } from '../model.js';
import { writeBundle, type BundleResult } from './bundle.js';
import type { TargetContext } from './resolve-targets.js';
import { readSinceBase } from './since.js';
import { verify, type VerifyRequest, type VerifyResult } from './verify/index.js';

export interface BundleFromRequest extends Omit<VerifyRequest, 'output'> {
  /** --from DIR: the wheelhouse to ship (relative to the lock request's cwd). */
  readonly from: string;
  /** -o NAME.pyz. */
  readonly output: string;
  /** --since OLD: a delta against the last shipment; null or absent: a full bundle. */
  readonly since?: string | null;
  /** --emit-sbom FILE: also write the SBOM of the files, and carry it in the bundle. */
  readonly emitSbom?: string | null;
}

export interface BundleFromResult {
  /** DIR as verify found it. */
  readonly verified: VerifyResult;
  /** Null when nothing was written (DIR is not complete and intact). */
  readonly bundle: BundleResult['bundle'];
  /** For a delta (since): what it carries of what the manifest lists; else null. */
  readonly delta: BundleResult['delta'];
  /** Why no bundle was written (BUNDLE_SOURCE_INCOMPLETE), or null. */
  readonly refused: LockhouseError | null;
  readonly exitCode: number;
}

export async function bundleFrom(request: BundleFromRequest, context: TargetContext & { readonly version?: string }, events: { readonly log: Log }): Promise<BundleFromResult> {
  const cwd = request.plan.lock.cwd;
  // OLD first: a base that cannot be read stops the run before DIR is hashed.
  const base = request.since ? await readSinceBase(request.since, cwd) : null;
  const verified = await verify({ ...request, output: request.from }, context);
  const manifest = verified.manifest;
  if (verified.planned.plan.allPlatforms) {
    throw new LockhouseError('USAGE', `lockhouse bundle cannot ship ${request.from}: it was collected with --all-platforms, and a bundle installs on the targets it names`, {
      hint: 'collect (or merge) for named targets, with --python-platform and --python-version',
    });
  }
  if (!verified.ok || manifest === null || manifest.failures.length > 0) {
    const problems = manifest === null ? 'it has no manifest' : `${verified.problems || manifest.failures.length} problem(s)`;
    const refused = new LockhouseError('BUNDLE_SOURCE_INCOMPLETE', `no bundle written: ${request.from} is not complete and intact for ${verified.planned.lock.path} (${problems}); a bundle of it would install an incomplete environment`, {
      hint: `lockhouse verify -o ${request.from} lists the same; collect or merge it again`,
    });
    return { verified, bundle: null, delta: null, refused, exitCode: refused.exitCode };
  }
  const output = resolve(cwd, request.output);
  await mkdir(dirname(output), { recursive: true });
  const written = await writeBundle({ manifest, planned: verified.planned, filesDir: verified.filesDir }, { output, base, emitSbom: request.emitSbom ?? null, cwd }, context, events.log);
  events.log('debug', `bundled ${written.bundle?.files ?? 0} files from ${verified.filesDir}`);
  return { verified, ...written, refused: null, exitCode: 0 };
}
