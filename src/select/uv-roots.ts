/**
 * The target-independent half of selecting from a uv.lock: which packages
 * are the roots, which of their extras and groups are on, and whether the
 * flags ask for both sides of a declared conflict. Errors here are the
 * user's (unknown member, extra or group; a conflict) and stop the run.
 */
import { LockhouseError } from '../errors.js';
import type { ConflictItem, LockGraph, ManifestRequirement, Package, UvLockInfo } from '../model.js';
import { canonicalizeName } from '../python/names.js';
import type { ExtraSpec, GroupSpec } from './groups.js';
import type { SelectOptions } from './options.js';

export interface UvRoots {
  /** Root packages: the workspace members (or the project at "."), narrowed by `--package`. */
  readonly roots: readonly Package[];
  readonly groups: GroupSpec;
  readonly extras: ExtraSpec;
  /** Root index → the extras of that root that are on. */
  readonly rootExtras: ReadonlyMap<number, readonly string[]>;
  /** Root index → the groups of that root that are on. */
  readonly rootGroups: ReadonlyMap<number, readonly string[]>;
  /** `[manifest] requirements` (always) and the `[manifest.dependency-groups]` that are on. */
  readonly manifestRequirements: readonly ManifestRequirement[];
  /** Conflict items switched on by the flags, encoded as uv encodes them in markers. */
  readonly activated: ReadonlySet<string>;
  /** Names pruned by `--exclude-package`. */
  readonly prune: ReadonlySet<string>;
}

const LOCAL_KINDS = new Set(['editable', 'virtual', 'directory']);

function localPath(pkg: Package): string | null {
  const source = pkg.source;
  return source.kind === 'editable' || source.kind === 'virtual' || source.kind === 'directory' ? source.path : null;
}

/** The workspace members; for a single project, the local package at "."; for a script lock, none. */
export function workspaceRoots(graph: LockGraph, uv: UvLockInfo): Package[] {
  if (uv.members.length > 0) {
    return uv.members.map((member) => {
      const found = graph.packages.filter((pkg) => pkg.name === member);
      if (found.length !== 1) {
        throw new LockhouseError(
          'LOCK_MISSING_PACKAGE',
          `${graph.path}: workspace member "${member}" ${found.length === 0 ? 'is not locked' : 'is locked more than once'}`,
          { hint: 'the lock is out of date or damaged; run `uv lock` again' },
        );
      }
      return found[0]!;
    });
  }
  const local = graph.packages.filter((pkg) => LOCAL_KINDS.has(pkg.source.kind));
  const atRoot = local.filter((pkg) => /^\.?\/?$/.test(localPath(pkg) ?? '-'));
  if (atRoot.length > 0) return atRoot;
  // Locks written before uv 0.3 name the project by absolute file URL; one
  // local project is then the root.
  const editable = local.filter((pkg) => pkg.source.kind !== 'directory');
  return editable.length === 1 ? editable : [];
}

/** uv's encoding of conflict items in markers: extra-{len}-{pkg}-{extra}, group-…, project-…. */
export function encodeConflictItem(item: ConflictItem): string {
  const prefix = `${item.package.length}-${item.package}`;
  return item.kind === 'project' ? `project-${prefix}` : `${item.kind}-${prefix}-${item.name}`;
}

function describeItem(item: ConflictItem): string {
  if (item.kind === 'project') return `package \`${item.package}\``;
  return item.kind === 'extra' ? `extra \`${item.package}[${item.name}]\`` : `group \`${item.package}:${item.name}\``;
}

export function resolveUvRoots(
  graph: LockGraph,
  uv: UvLockInfo,
  options: SelectOptions,
  groups: GroupSpec,
  extras: ExtraSpec,
): UvRoots {
  const members = workspaceRoots(graph, uv);
  let roots = members;
  if (options.packages && options.packages.length > 0 && !options.allPackages) {
    const wanted = options.packages.map(canonicalizeName);
    roots = wanted.map((name) => {
      const member = members.find((pkg) => pkg.name === name);
      if (!member) {
        const known = members.map((pkg) => pkg.name).join(', ') || '(none)';
        throw new LockhouseError('SELECT_UNKNOWN_PACKAGE', `--package ${name}: not a workspace member of ${graph.path}`, {
          hint: `members: ${known}`,
        });
      }
      return member;
    });
  }

  checkNamesExist(graph, uv, roots, groups, extras);

  const rootExtras = new Map<number, string[]>();
  const rootGroups = new Map<number, string[]>();
  const activatedItems: ConflictItem[] = [];
  for (const root of roots) {
    const on = groups.prod ? [...root.optionalDependencies.keys()].filter((extra) => extras.includes(extra)) : [];
    rootExtras.set(root.index, on);
    const groupNames = [...root.dependencyGroups.keys()].filter((group) => groups.includes(group));
    rootGroups.set(root.index, groupNames);
    if (groups.prod) activatedItems.push({ package: root.name, kind: 'project' });
    for (const extra of on) activatedItems.push({ package: root.name, kind: 'extra', name: extra });
    for (const group of groupNames) activatedItems.push({ package: root.name, kind: 'group', name: group });
  }

  checkConflicts(uv, roots, groups, extras);

  const manifestRequirements = [...uv.requirements];
  for (const [group, requirements] of uv.dependencyGroups) {
    if (groups.includes(group)) manifestRequirements.push(...requirements);
  }

  return {
    roots,
    groups,
    extras,
    rootExtras,
    rootGroups,
    manifestRequirements,
    activated: new Set(activatedItems.map(encodeConflictItem)),
    prune: new Set((options.excludePackages ?? []).map(canonicalizeName)),
  };
}

/**
 * `--extra` and `--group` must name something a root (or the manifest)
 * defines, as uv requires; `--no-group` and the default groups need not.
 */
function checkNamesExist(
  graph: LockGraph,
  uv: UvLockInfo,
  roots: readonly Package[],
  groups: GroupSpec,
  extras: ExtraSpec,
): void {
  const knownExtras = new Set<string>();
  const knownGroups = new Set<string>(uv.dependencyGroups.keys());
  for (const root of roots) {
    for (const extra of root.optionalDependencies.keys()) knownExtras.add(extra);
    for (const extra of root.declaredExtras ?? []) knownExtras.add(extra);
    for (const group of root.dependencyGroups.keys()) knownGroups.add(group);
    for (const group of root.declaredGroups ?? []) knownGroups.add(group);
  }
  const rootNames = roots.map((root) => root.name).join(', ') || 'the lock';
  for (const extra of extras.explicit) {
    if (!knownExtras.has(extra)) {
      throw new LockhouseError('SELECT_UNKNOWN_EXTRA', `--extra ${extra}: no such extra in ${rootNames} (${graph.path})`, {
        hint: knownExtras.size ? `extras: ${[...knownExtras].sort().join(', ')}` : 'the projects define no extras',
      });
    }
  }
  for (const group of groups.explicit) {
    // uv tolerates `dev` even where it is not defined; so do we.
    if (group !== 'dev' && !knownGroups.has(group)) {
      throw new LockhouseError('SELECT_UNKNOWN_GROUP', `--group ${group}: no such dependency group in ${rootNames} (${graph.path})`, {
        hint: knownGroups.size ? `groups: ${[...knownGroups].sort().join(', ')}` : 'the projects define no dependency groups',
      });
    }
  }
}

/** As `uv sync` does (detect_conflicts): two items of one declared conflict set switched on by the flags. */
function checkConflicts(uv: UvLockInfo, roots: readonly Package[], groups: GroupSpec, extras: ExtraSpec): void {
  const rootNames = new Set(roots.map((root) => root.name));
  for (const set of uv.conflicts) {
    const on = set.filter((item) => {
      if (!rootNames.has(item.package)) return false;
      if (item.kind === 'project') return groups.prod;
      return item.kind === 'extra' ? extras.includes(item.name) : groups.includes(item.name);
    });
    if (on.length >= 2) {
      throw new LockhouseError(
        'SELECT_CONFLICT',
        `${on.map(describeItem).join(' and ')} are declared as conflicting (tool.uv.conflicts): they cannot be collected together`,
        { hint: 'collect them in separate runs, or leave one out (--no-extra, --no-group, --no-default-groups)' },
      );
    }
  }
}
