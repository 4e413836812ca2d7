/**
 * The SBOM a bundle carries (`bundle --emit-sbom`, entry sbom.cdx.json), as
 * `verify --bundle` checks it. It cannot be made again from the bundle: its
 * dependency edges, the lock's other hashes, the indexes and the workspace
 * members come from the lock, which a bundle does not carry. So it is
 * vouched for by SHA256SUMS like every entry, and held to what the bundle
 * can say: a CycloneDX 1.6 document whose components are the manifest's
 * artifacts, one to one, each with the manifest's sha256. Pure.
 */
import type { Manifest } from '../../output/manifest.js';

/** Why the SBOM does not describe the bundle's files, or null. */
export function sbomProblem(bytes: Buffer, manifest: Manifest): string | null {
  let document: unknown;
  try {
    document = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    return `it is not JSON: ${(error as Error).message}`;
  }
  const { bomFormat, specVersion, components } = (document ?? {}) as Record<string, unknown>;
  if (bomFormat !== 'CycloneDX' || specVersion !== '1.6') return 'it is not a CycloneDX 1.6 document';
  if (!Array.isArray(components)) return 'it has no components';
  const listed = new Map<string, string | null>();
  for (const component of components as unknown[]) {
    const { 'bom-ref': ref, hashes } = (component ?? {}) as Record<string, unknown>;
    if (typeof ref !== 'string') return 'a component without a bom-ref (lockhouse names each by its file)';
    if (listed.has(ref)) return `it lists ${ref} twice`;
    const sha256 = Array.isArray(hashes) ? (hashes as Array<Record<string, unknown>>).find((hash) => hash?.['alg'] === 'SHA-256')?.['content'] : undefined;
    listed.set(ref, typeof sha256 === 'string' ? sha256 : null);
  }
  for (const artifact of manifest.artifacts) {
    if (!listed.has(artifact.filename)) return `it does not list ${artifact.filename}, which the manifest does`;
    const sha256 = listed.get(artifact.filename);
    if (sha256 !== artifact.sha256) return `it gives ${artifact.filename} the sha256 ${sha256 ?? '(none)'}, the manifest ${artifact.sha256}`;
  }
  const files = new Set(manifest.artifacts.map((artifact) => artifact.filename));
  const unknown = [...listed.keys()].find((ref) => !files.has(ref));
  return unknown === undefined ? null : `it lists ${unknown}, which the manifest does not`;
}
