/**
 * Selecting from a PEP 751 pylock.toml for one target, as
 * `packaging.pylock.Pylock.select` (packaging ≥ 26.1) does: the lock's
 * requires-python and environments are checked first; a package is taken
 * when its marker holds with `extras` and `dependency_groups` as sets; a
 * taken package whose own requires-python fails is an error, and so are two
 * taken packages of one name.
 */
import { LockhouseError } from '../errors.js';
import type { LockGraph, PylockInfo, Target } from '../model.js';
import { evaluateMarker } from '../python/markers.js';
import { canonicalizeName } from '../python/names.js';
import { satisfiesRequiresPython } from '../python/requires-python.js';
import type { ExtraSpec, GroupSpec } from './groups.js';

export interface PylockChoice {
  readonly extras: ReadonlySet<string>;
  readonly dependencyGroups: ReadonlySet<string>;
}

/** Map uv-style extra and group flags onto pylock's `extras` and `dependency_groups` sets. */
export function pylockChoice(graph: LockGraph, pylock: PylockInfo, extras: ExtraSpec, groups: GroupSpec): PylockChoice {
  const knownExtras = new Set(pylock.extras.map(canonicalizeName));
  const knownGroups = new Set([...pylock.dependencyGroups, ...pylock.defaultGroups].map(canonicalizeName));
  for (const extra of extras.explicit) {
    if (!knownExtras.has(extra)) {
      throw new LockhouseError('SELECT_UNKNOWN_EXTRA', `--extra ${extra}: ${graph.path} does not list it in \`extras\``, {
        hint: knownExtras.size ? `extras: ${[...knownExtras].sort().join(', ')}` : 'the lock lists no extras',
      });
    }
  }
  for (const group of groups.explicit) {
    if (!knownGroups.has(group)) {
      throw new LockhouseError(
        'SELECT_UNKNOWN_GROUP',
        `--group ${group}: ${graph.path} does not list it in \`dependency-groups\``,
        { hint: knownGroups.size ? `groups: ${[...knownGroups].sort().join(', ')}` : 'the lock lists no dependency groups' },
      );
    }
  }
  return {
    extras: new Set([...knownExtras].filter((extra) => extras.includes(extra))),
    dependencyGroups: new Set([...knownGroups].filter((group) => groups.includes(group))),
  };
}

export function checkPylockTarget(graph: LockGraph, pylock: PylockInfo, target: Target): void {
  if (pylock.environments && pylock.environments.length > 0) {
    if (!pylock.environments.some((marker) => evaluateMarker(marker, target.markers))) {
      throw new LockhouseError(
        'TARGET_UNSUPPORTED_ENVIRONMENT',
        `target ${target.id} is not among the environments ${graph.path} was locked for: ${pylock.environments.map((m) => `"${m.text}"`).join(', ')}`,
        { hint: 'choose targets the lock covers (--python-platform, --python-version), or lock again for this one' },
      );
    }
  }
}

/** Indexes of the packages the target takes, in lock order. */
export function selectPylock(graph: LockGraph, choice: PylockChoice, target: Target): number[] {
  const context = { extrasSet: choice.extras, dependencyGroups: choice.dependencyGroups };
  const python = target.markers.python_full_version;
  const byName = new Map<string, number>();
  const taken: number[] = [];
  for (const pkg of graph.packages) {
    if (pkg.marker && !evaluateMarker(pkg.marker, target.markers, context)) continue;
    if (pkg.requiresPython && !satisfiesRequiresPython(python, pkg.requiresPython)) {
      throw new LockhouseError(
        'TARGET_REQUIRES_PYTHON',
        `target ${target.id} (Python ${python}) does not satisfy requires-python "${pkg.requiresPython}" of ${pkg.displayName} at ${pkg.where} in ${graph.path}`,
        { hint: 'choose a --python-version the lock supports' },
      );
    }
    const other = byName.get(pkg.name);
    if (other !== undefined) {
      throw new LockhouseError(
        'SELECT_DUPLICATE_PACKAGE',
        `${graph.path}: for target ${target.id}, ${pkg.displayName} is selected twice, at ${graph.packages[other]!.where} and ${pkg.where}`,
        { hint: 'the lock is ambiguous for this target: its package markers overlap' },
      );
    }
    byName.set(pkg.name, pkg.index);
    taken.push(pkg.index);
  }
  return taken;
}
