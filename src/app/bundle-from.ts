/**
 * `lockhouse bundle --from DIR`: one self-installing bundle from a
 * wheelhouse already made — a merged one above all, which no single collect
 * could have made (the fan-in job of a CI matrix ships one file). Nothing
 * is collected: DIR is verified as `lockhouse verify -o DIR` verifies it
 * (for the selection its manifest records, the flags given overriding),
 * and only a DIR complete and intact for the lock is bundled, with the same
 * contents a bundle of a collect has (output/bundle-contents.ts). The zip
 * writer hashes every file again on its way in.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { LockhouseError } from '../errors.js';
import { writeZipAtomic } from '../io/store/zip-writer.js';
import type { Log } from '../model.js';
import { bundleContents } from '../output/bundle-contents.js';
import { INSTALLER_URL, type BundleResult } from './bundle.js';
import type { TargetContext } from './resolve-targets.js';
import { verify, type VerifyRequest, type VerifyResult } from './verify/index.js';

export interface BundleFromRequest extends Omit<VerifyRequest, 'output'> {
  /** --from DIR: the wheelhouse to ship (relative to the lock request's cwd). */
  readonly from: string;
  /** -o NAME.pyz. */
  readonly output: string;
}

export interface BundleFromResult {
  /** DIR as verify found it. */
  readonly verified: VerifyResult;
  /** Null when nothing was written (DIR is not complete and intact). */
  readonly bundle: BundleResult['bundle'];
  /** Why no bundle was written (BUNDLE_SOURCE_INCOMPLETE), or null. */
  readonly refused: LockhouseError | null;
  readonly exitCode: number;
}

export async function bundleFrom(request: BundleFromRequest, context: TargetContext, events: { readonly log: Log }): Promise<BundleFromResult> {
  const cwd = request.plan.lock.cwd;
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
    return { verified, bundle: null, refused, exitCode: refused.exitCode };
  }
  const output = resolve(cwd, request.output);
  await mkdir(dirname(output), { recursive: true });
  const entries = bundleContents({
    manifest,
    targets: verified.planned.plan.targets,
    requiresPython: verified.planned.graph.requiresPython,
    lockName: basename(verified.planned.lock.path),
    installer: await readFile(INSTALLER_URL),
  });
  const written = await writeZipAtomic(
    output,
    entries.map((entry) =>
      'data' in entry
        ? { name: entry.name, data: entry.data }
        : { name: entry.name, path: join(verified.filesDir, entry.artifact.filename), size: entry.artifact.size, sha256: entry.artifact.sha256 },
    ),
  );
  events.log('debug', `bundled ${manifest.artifacts.length} files from ${verified.filesDir}`);
  return {
    verified,
    bundle: { path: output, bytes: written.bytes, sha256: written.sha256, entries: entries.length, files: manifest.artifacts.length },
    refused: null,
    exitCode: 0,
  };
}
