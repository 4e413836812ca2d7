/**
 * The collected artifacts as the packages an emitted lock lists: one entry
 * per (package, version), with its wheels (built wheels too), its sdist if
 * one was collected, and the marker that makes it apply on exactly the
 * target groups it was collected for. Shared by the pylock and requirements
 * emitters. Pure.
 */
import { LockhouseError } from '../errors.js';
import { canonicalizeName, parseSdistFilename, parseWheelFilename } from '../python/names.js';
import type { ManifestArtifact } from './manifest.js';
import { groupTargets, markerForGroups, type MarkedTarget, type TargetGroups } from './target-markers.js';
import { compareText as byString } from '../compare.js';

export interface EmittedPackage {
  /** Normalized (PEP 503). */
  readonly name: string;
  readonly version: string;
  /** Null: every collected target. */
  readonly marker: string | null;
  readonly wheels: readonly ManifestArtifact[];
  readonly sdist: ManifestArtifact | null;
}

export interface EmittedPackages {
  readonly groups: TargetGroups;
  readonly packages: readonly EmittedPackage[];
}


export function emittedPackages(targets: readonly MarkedTarget[], artifacts: readonly ManifestArtifact[]): EmittedPackages {
  const groups = groupTargets(targets);
  const entries = new Map<string, { name: string; version: string; files: ManifestArtifact[] }>();
  for (const artifact of artifacts) {
    const name = canonicalizeName(artifact.package);
    const version = artifact.version ?? versionFromFilename(artifact);
    const key = `${name}\u0000${version}`;
    const entry = entries.get(key);
    if (entry) entry.files.push(artifact);
    else entries.set(key, { name, version, files: [artifact] });
  }

  const packages: EmittedPackage[] = [];
  /** name → the groups already given to one of its versions, to refuse two versions on one target. */
  const taken = new Map<string, Map<number, string>>();
  for (const { name, version, files } of [...entries.values()].sort((a, b) => byString(a.name, b.name) || byString(a.version, b.version))) {
    const chosen = new Set<number>();
    for (const file of files) {
      for (const target of file.targets) {
        const group = groups.groupOf.get(target);
        if (group !== undefined) chosen.add(group);
      }
    }
    if (chosen.size === 0) continue;
    const claimed = taken.get(name) ?? new Map<number, string>();
    for (const group of chosen) {
      const other = claimed.get(group);
      if (other !== undefined) {
        throw new LockhouseError(
          'EMIT_AMBIGUOUS',
          `${name} ${other} and ${name} ${version} were both collected for ${groups.groups[group]!.join(', ')}, which no marker tells apart`,
          { hint: 'emit for fewer targets at a time, and report the lock to the lockhouse developers' },
        );
      }
      claimed.set(group, version);
    }
    taken.set(name, claimed);
    const wheels = files.filter((file) => file.kind !== 'sdist').sort((a, b) => byString(a.filename, b.filename));
    const sdists = files.filter((file) => file.kind === 'sdist').sort((a, b) => byString(a.filename, b.filename));
    packages.push({ name, version, marker: markerForGroups(groups, chosen), wheels, sdist: sdists[0] ?? null });
  }
  return { groups, packages };
}

function versionFromFilename(artifact: ManifestArtifact): string {
  return artifact.kind === 'sdist' ? parseSdistFilename(artifact.filename, artifact.package).version : parseWheelFilename(artifact.filename).version;
}
