/**
 * Walk a uv.lock's graph for one target: from the roots, through every
 * dependency whose marker holds for the target, following the extras each
 * edge names — what `uv sync` installs (crates/uv-resolver/src/lock/installable.rs).
 *
 * Conflict markers. When a lock declares conflicts, uv forks the resolution
 * per conflicting extra or group and records the forks in markers such as
 * `extra == 'extra-5-torch-cpu'`: the marker is true when that item is
 * switched on anywhere in the install, not just on the edge's parent. So a
 * walk must know every activated item before it can decide an edge, and the
 * items are themselves activated by edges (`foo[cpu]`). uv answers with two
 * traversals; we walk again with the grown set until it stops growing (it
 * only grows, so this ends), which gives the same answer for every lock uv
 * writes and reads as its own definition. Without conflicts one walk does.
 */
import { LockhouseError } from '../errors.js';
import type { Dependency, LockGraph, ManifestRequirement, Package, Target, UvLockInfo } from '../model.js';
import { evaluateMarker } from '../python/markers.js';
import type { SelectedEdge } from './selection.js';
import { encodeConflictItem, type UvRoots } from './uv-roots.js';

export interface UvWalk {
  /** Packages the target installs (roots included when their own dependencies are on). */
  readonly reached: ReadonlySet<number>;
  /** Packages left out by `--exclude-package` that the walk ran into. */
  readonly pruned: ReadonlySet<number>;
  /** The dependency edges the walk took (marker true, extra on), once each: what the SBOM's dependency graph is made of. */
  readonly edges: readonly SelectedEdge[];
}

/** Enough iterations for any real lock; a lock that needs more is reported, not looped on. */
const MAX_ROUNDS = 64;

export function walkUv(graph: LockGraph, uv: UvLockInfo, roots: UvRoots, target: Target): UvWalk {
  if (uv.conflicts.length === 0) return walkOnce(graph, roots, target, roots.activated).walk;
  let activated: ReadonlySet<string> = roots.activated;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const { walk, extras } = walkOnce(graph, roots, target, activated);
    const grown = new Set(activated);
    for (const item of extras) grown.add(item);
    if (grown.size === activated.size) {
      checkActivatedExtras(graph, uv, target, grown);
      return walk;
    }
    activated = grown;
  }
  throw new LockhouseError(
    'SELECT_CONFLICT',
    `${graph.path}: the conflict markers for target ${target.id} do not settle after ${MAX_ROUNDS} rounds`,
    { hint: 'please report this lock to lockhouse' },
  );
}

/**
 * Two extras of one conflict set switched on through the graph (`a[x]`
 * pulls `b[y]`): uv refuses the install, and so do we.
 */
function checkActivatedExtras(graph: LockGraph, uv: UvLockInfo, target: Target, activated: ReadonlySet<string>): void {
  for (const set of uv.conflicts) {
    const on = set.filter((item) => item.kind === 'extra' && activated.has(encodeConflictItem(item)));
    if (on.length >= 2) {
      const names = on.map((item) => (item.kind === 'extra' ? `\`${item.package}[${item.name}]\`` : item.package));
      throw new LockhouseError(
        'SELECT_CONFLICT',
        `${graph.path}: for target ${target.id}, the selection switches on ${names.join(' and ')}, which are declared as conflicting`,
        { hint: 'leave out the extra or group that pulls one of them in (--no-extra, --no-group)' },
      );
    }
  }
}

function walkOnce(
  graph: LockGraph,
  roots: UvRoots,
  target: Target,
  activated: ReadonlySet<string>,
): { walk: UvWalk; extras: Set<string> } {
  const packages = graph.packages;
  const env = target.markers;
  const reached = new Set<number>();
  const pruned = new Set<number>();
  const edges = new Map<string, SelectedEdge>();
  /** Conflict items `pkg[extra]` switched on by the edges taken. */
  const extrasOn = new Set<string>();
  const seen = new Set<string>();
  const queue: Array<[number, string | null]> = [];
  const context = { extras: activated };

  const push = (index: number, extra: string | null): void => {
    const key = extra === null ? `${index}` : `${index}[${extra}]`;
    if (seen.has(key)) return;
    seen.add(key);
    queue.push([index, extra]);
  };

  const take = (from: number, dep: Dependency): void => {
    if (roots.prune.has(dep.name)) {
      pruned.add(dep.target);
      return;
    }
    if (dep.marker) {
      // An edge `foo[x]` counts foo's extra x as on while its own marker is
      // decided (uv's "self-extras").
      const ctx = dep.extras.length === 0 || activated.size === 0 ? context : { extras: withSelfExtras(activated, dep) };
      if (!evaluateMarker(dep.marker, env, ctx)) return;
    }
    reached.add(dep.target);
    edges.set(`${from}>${dep.target}`, { from, to: dep.target });
    push(dep.target, null);
    for (const extra of dep.extras) {
      extrasOn.add(encodeConflictItem({ package: dep.name, kind: 'extra', name: extra }));
      push(dep.target, extra);
    }
  };

  for (const root of roots.roots) {
    if (roots.groups.prod) {
      reached.add(root.index);
      push(root.index, null);
      for (const extra of roots.rootExtras.get(root.index) ?? []) push(root.index, extra);
    }
    for (const group of roots.rootGroups.get(root.index) ?? []) {
      for (const dep of root.dependencyGroups.get(group) ?? []) take(root.index, dep);
    }
  }

  for (const requirement of roots.manifestRequirements) {
    if (roots.prune.has(requirement.name)) continue;
    if (requirement.marker && !evaluateMarker(requirement.marker, env)) continue;
    const pkg = findRequirement(graph, requirement, target);
    reached.add(pkg.index);
    edges.set(`null>${pkg.index}`, { from: null, to: pkg.index });
    push(pkg.index, null);
    for (const extra of requirement.extras) push(pkg.index, extra);
  }

  for (let head = 0; head < queue.length; head++) {
    const [index, extra] = queue[head]!;
    const pkg = packages[index]!;
    const deps = extra === null ? pkg.dependencies : (pkg.optionalDependencies.get(extra) ?? []);
    for (const dep of deps) take(index, dep);
  }

  return { walk: { reached, pruned, edges: [...edges.values()] }, extras: extrasOn };
}

function withSelfExtras(activated: ReadonlySet<string>, dep: Dependency): Set<string> {
  const set = new Set(activated);
  for (const extra of dep.extras) set.add(encodeConflictItem({ package: dep.name, kind: 'extra', name: extra }));
  return set;
}

/**
 * A [manifest] requirement names a package, not a version: where the name is
 * locked more than once, the one whose resolution markers hold for the
 * target is meant (uv's find_by_markers).
 */
function findRequirement(graph: LockGraph, requirement: ManifestRequirement, target: Target): Package {
  const candidates = graph.packages.filter((pkg) => pkg.name === requirement.name);
  const fitting =
    candidates.length <= 1
      ? candidates
      : candidates.filter((pkg) => (pkg.resolutionMarkers ?? []).some((marker) => evaluateMarker(marker, target.markers)));
  if (fitting.length !== 1) {
    throw new LockhouseError(
      'LOCK_MISSING_PACKAGE',
      candidates.length === 0
        ? `${graph.path}: [manifest] requires "${requirement.name}", which is not locked`
        : `${graph.path}: [manifest] requires "${requirement.name}", locked ${candidates.length} times, and ${fitting.length} of them fit target ${target.id}`,
      { hint: 'the lock is out of date or damaged; run `uv lock` again' },
    );
  }
  return fitting[0]!;
}
