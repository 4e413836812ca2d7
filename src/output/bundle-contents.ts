/**
 * What a bundle holds (DESIGN.md, `lockhouse bundle`), as a pure function of
 * a finished collection: every entry's name and bytes (or, for artifacts,
 * the file to stream), sorted, with nothing that varies between two runs
 * over the same inputs — no timestamps, no absolute paths, no record of
 * whether a file came from the network or the cache this time.
 *
 *   __main__.py        the installer (bundle/__main__.py): the file is a zipapp
 *   SHA256SUMS         `<sha256>  <name>` for every other entry
 *   bundle.json        the targets, with the marker values the installer matches
 *   lockhouse.json     the manifest, as the bundle carries it (origin "bundle", mtime 0)
 *   pylock.toml        PEP 751, paths relative to the bundle root (wheels/…)
 *   requirements.txt   pinned, hashed, `--no-index --find-links wheels`
 *   sbom.cdx.json      with --emit-sbom only: the CycloneDX SBOM of the files (output/sbom.ts)
 *   wheels/<file>      every collected artifact, stored
 *
 * A delta (the manifest has `delta`: bundle --since OLD) carries under
 * wheels/ only the files OLD lacks; everything else is the same, and whole:
 * the manifest, pylock.toml and requirements.txt list every file, and
 * bundle.json says what the delta expects its base to hold (`delta.expects`,
 * with each file's sha256 and size) so the installer checks the far side
 * before it changes anything.
 */
import { createHash } from 'node:crypto';
import type { Target } from '../model.js';
import { emittedPackages } from './emitted-packages.js';
import { renderPylock } from './emit-pylock.js';
import { renderRequirements } from './emit-requirements.js';
import type { Manifest, ManifestArtifact } from './manifest.js';
import { carriedArtifacts, expectedFromBase } from './delta.js';
import { byText } from '../compare.js';

const BUNDLE_VERSION = 1;
export const WHEELS_DIR = 'wheels';
export const SUMS_FILE = 'SHA256SUMS';
/** The SBOM a bundle carries with --emit-sbom (CycloneDX's recommended `*.cdx.json` name). */
export const SBOM_FILE = 'sbom.cdx.json';

/** The marker variables the installer compares with its interpreter's. */
const MATCHED = ['sys_platform', 'platform_machine', 'implementation_name', 'python_version'] as const;

export interface BundleInput {
  /** The collection's manifest (no failures). */
  readonly manifest: Manifest;
  readonly targets: readonly Target[];
  readonly requiresPython: string | null;
  /** The lock's file name (not its path: no absolute paths in a bundle). */
  readonly lockName: string;
  readonly installer: Buffer;
  /** The SBOM to carry (--emit-sbom), rendered by the caller: it takes the lock, which a bundle does not carry. */
  readonly sbom?: Buffer | null;
}

export type BundleEntry =
  | { readonly name: string; readonly data: Buffer }
  | { readonly name: string; readonly artifact: ManifestArtifact };

const byName = byText((entry: { name: string }) => entry.name);
const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');
const text = (value: string): Buffer => Buffer.from(value, 'utf8');

export function bundleContents(input: BundleInput): BundleEntry[] {
  const artifacts = [...input.manifest.artifacts].sort((a, b) => byName({ name: a.filename }, { name: b.filename }));
  const emitted = emittedPackages(
    input.targets.map((target) => ({ id: target.id, markers: target.markers })),
    artifacts,
  );
  const targetIds = input.targets.map((target) => target.id);
  const manifest: Manifest = {
    manifestVersion: input.manifest.manifestVersion,
    generator: input.manifest.generator,
    lock: { ...input.manifest.lock, path: input.lockName },
    allPlatforms: input.manifest.allPlatforms,
    targets: input.manifest.targets,
    ...(input.manifest.selection ? { selection: input.manifest.selection } : {}),
    artifacts: artifacts.map((artifact) => ({ ...artifact, origin: 'bundle', mtimeMs: 0 })),
    skipped: input.manifest.skipped,
    failures: input.manifest.failures,
    ...(input.manifest.delta ? { delta: input.manifest.delta } : {}),
  };
  const bundleJson = {
    bundleVersion: BUNDLE_VERSION,
    generator: input.manifest.generator,
    lock: { name: input.lockName, format: input.manifest.lock.format, sha256: input.manifest.lock.sha256 },
    targets: input.targets.map((target) => ({
      id: target.id,
      pythonPlatform: target.pythonPlatform,
      pythonVersion: target.pythonVersion,
      markers: Object.fromEntries(MATCHED.map((key) => [key, target.markers[key]])),
      tags: target.tags.ordered,
    })),
    ...(manifest.delta ? { delta: deltaJson(manifest) } : {}),
  };
  const entries: BundleEntry[] = [
    { name: '__main__.py', data: input.installer },
    { name: 'bundle.json', data: text(`${JSON.stringify(bundleJson, null, 2)}\n`) },
    { name: 'lockhouse.json', data: text(`${JSON.stringify(manifest, null, 2)}\n`) },
    {
      name: 'pylock.toml',
      data: text(renderPylock({ emitted, targets: targetIds, requiresPython: input.requiresPython, filesPrefix: `${WHEELS_DIR}/` })),
    },
    {
      name: 'requirements.txt',
      data: text(renderRequirements({ emitted, targets: targetIds, lockName: input.lockName, findLinks: WHEELS_DIR })),
    },
    ...(input.sbom ? [{ name: SBOM_FILE, data: input.sbom }] : []),
    ...carriedArtifacts(manifest).map((artifact) => ({ name: `${WHEELS_DIR}/${artifact.filename}`, artifact })),
  ];
  const sums = entries
    .map((entry) => `${'data' in entry ? sha256(entry.data) : entry.artifact.sha256}  ${entry.name}\n`)
    .sort((a, b) => byName({ name: a.slice(66) }, { name: b.slice(66) }))
    .join('');
  return [...entries, { name: SUMS_FILE, data: text(sums) }].sort(byName);
}

/** bundle.json's `delta`: the base, and what the installer must find on the far side before it writes anything (what it carries is its wheels/ entries). */
function deltaJson(manifest: Manifest): object {
  const delta = manifest.delta!;
  return {
    since: delta.since,
    expects: expectedFromBase(manifest).map((artifact) => ({ filename: artifact.filename, sha256: artifact.sha256, size: artifact.size })),
  };
}
