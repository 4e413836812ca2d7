/**
 * Select: graph × targets × flags → the packages each target collects
 * (DESIGN.md "Pipeline", step 2). Pure: no I/O.
 */
import { LockhouseError } from '../errors.js';
import type { LockGraph, Package, ProjectSettings, Target } from '../model.js';
import { evaluateMarker } from '../python/markers.js';
import { canonicalizeName } from '../python/names.js';
import { satisfiesRequiresPython } from '../python/requires-python.js';
import { resolveIndexFilters, skipRule, type SkipRule } from './filters.js';
import { extraSpec, groupSpec, type GroupSpec } from './groups.js';
import type { SelectOptions } from './options.js';
import { checkPylockTarget, pylockChoice, selectPylock } from './pylock.js';
import type { DefaultGroupsSource, PackageChoice, Selection, SelectionChoice, TargetSelection } from './selection.js';
import { resolveUvRoots, workspaceRoots } from './uv-roots.js';
import { walkUv } from './uv-walk.js';

export type { SelectOptions } from './options.js';
export type { DefaultGroupsSource, PackageChoice, SelectedEdge, Selection, SelectionChoice, TargetSelection } from './selection.js';

const NO_SETTINGS: ProjectSettings = { defaultGroups: null, indexes: new Map() };
const EXCLUDED = 'excluded (--exclude-package)';
const BUILT_WITH_ALL_PLATFORMS = 'a source tree to build (--all-platforms takes the files the lock names, and builds nothing)';

export function select(
  graph: LockGraph,
  targets: readonly Target[],
  options: SelectOptions = {},
  settings: ProjectSettings = NO_SETTINGS,
): Selection {
  const workspace = graph.uv ? workspaceRoots(graph, graph.uv) : [];
  const members = new Set(workspace.map((pkg) => pkg.name));
  const indexes = resolveIndexFilters(graph, options, settings);
  const noEmit = noEmitted(graph, options, workspace);
  const skip = skipRule(options, indexes, members, noEmit);
  const filters = { indexes: indexes.include, excludeIndexes: indexes.exclude, noEmit: sorted(noEmit.keys()) };
  if (options.allPlatforms) {
    const choice: SelectionChoice = { dependencies: true, knownGroups: [], groups: [], extras: [], defaultGroups: null, ...filters };
    return checkNotEmpty(graph, { targets: [], allPlatforms: allPackages(graph, options, skip), choice }, options);
  }
  if (targets.length === 0) throw new LockhouseError('USAGE', 'no target to select for');

  for (const target of targets) checkRequiresPython(graph, target);
  const extras = extraSpec(options);
  const prune = new Set((options.excludePackages ?? []).map(canonicalizeName));

  if (graph.pylock) {
    const pylock = graph.pylock;
    if (options.packages?.length) {
      throw new LockhouseError('USAGE', `--package needs a uv.lock: ${graph.path} is a pylock, which has no workspace members`, {
        hint: 'a pylock lists what to install; leave packages out with --exclude-package or --no-emit-package',
      });
    }
    const defaults = options.defaultGroups ?? pylock.defaultGroups;
    const groups = groupSpec(options, defaults);
    const choice = pylockChoice(graph, pylock, extras, groups);
    const knownGroups = [...new Set([...pylock.dependencyGroups, ...pylock.defaultGroups].map(canonicalizeName))];
    return checkNotEmpty(graph, {
      allPlatforms: null,
      targets: targets.map((target) => {
        checkPylockTarget(graph, pylock, target);
        const taken = selectPylock(graph, choice, target);
        const pruned = taken.filter((index) => prune.has(graph.packages[index]!.name));
        return finish(graph, target, taken.filter((index) => !prune.has(graph.packages[index]!.name)), pruned, skip);
      }),
      choice: {
        dependencies: groups.prod,
        knownGroups: sorted(knownGroups),
        groups: sorted(choice.dependencyGroups),
        extras: sorted(choice.extras),
        defaultGroups: defaultsOf(groups, defaults, options.defaultGroups ? 'given' : 'pylock'),
        ...filters,
      },
    }, options);
  }

  const uv = graph.uv;
  if (!uv) throw new LockhouseError('LOCK_UNKNOWN_FORMAT', `${graph.path}: neither a uv.lock nor a pylock`);
  const defaults = options.defaultGroups ?? settings.defaultGroups ?? ['dev'];
  const from: DefaultGroupsSource = options.defaultGroups ? 'given' : settings.defaultGroups ? 'pyproject' : 'uv-default';
  const groups = groupSpec(options, defaults);
  const roots = resolveUvRoots(graph, uv, options, groups, extras);
  const knownGroups = new Set(uv.dependencyGroups.keys());
  for (const root of roots.roots) for (const group of [...root.dependencyGroups.keys(), ...(root.declaredGroups ?? [])]) knownGroups.add(group);
  return checkNotEmpty(graph, {
    allPlatforms: null,
    targets: targets.map((target) => {
      checkSupportedMarkers(graph, target);
      const walk = walkUv(graph, uv, roots, target);
      return { ...finish(graph, target, [...walk.reached], [...walk.pruned], skip), edges: walk.edges };
    }),
    choice: {
      dependencies: groups.prod,
      knownGroups: sorted(knownGroups),
      groups: sorted([...knownGroups].filter((group) => groups.includes(group))),
      extras: sorted(new Set([...roots.rootExtras.values()].flat())),
      defaultGroups: defaultsOf(groups, defaults, from),
      ...filters,
    },
  }, options);
}

const sorted = (names: Iterable<string>): string[] => [...names].sort();

function defaultsOf(groups: GroupSpec, defaults: readonly string[] | 'all', from: DefaultGroupsSource): SelectionChoice['defaultGroups'] {
  if (!groups.defaultsUsed) return null;
  return { groups: defaults === 'all' ? 'all' : sorted(new Set(defaults.map(canonicalizeName))), from };
}

/**
 * A selection with no package at all is almost always a mistake (a filter
 * that matches nothing, a group flag that leaves out everything): an error
 * that says what was reached and why each was left out, unless
 * `--allow-empty` says an empty wheelhouse is wanted.
 */
function checkNotEmpty(graph: LockGraph, selection: Selection, options: SelectOptions): Selection {
  if (options.allowEmpty) return selection;
  const choices: PackageChoice[] = selection.allPlatforms ? [selection.allPlatforms] : [...selection.targets];
  if (choices.some((choice) => choice.packages.length > 0)) return selection;
  const reasons = new Map<string, number>();
  const reached = new Set<number>();
  for (const choice of choices) {
    for (const [index, reason] of choice.skipped) {
      if (reached.has(index)) continue;
      reached.add(index);
      const kind = reason.split(':')[0]!;
      reasons.set(kind, (reasons.get(kind) ?? 0) + 1);
    }
  }
  const why = reached.size
    ? `it reaches ${reached.size} package(s) and leaves out every one: ${[...reasons].map(([reason, count]) => `${count} ${reason}`).join(', ')}`
    : 'it reaches no package';
  const scope = selection.allPlatforms ? 'with --all-platforms' : `for ${selection.targets.map((target) => target.target.id).join(', ')}`;
  throw new LockhouseError('SELECT_EMPTY', `nothing to collect from ${graph.path} ${scope}: ${why}`, {
    hint: 'pass --allow-empty if an empty wheelhouse is what you want (`lockhouse plan` with the same flags and --allow-empty lists what is left out, and why)',
  });
}

function finish(
  graph: LockGraph,
  target: Target,
  reached: readonly number[],
  pruned: readonly number[],
  skip: SkipRule,
): TargetSelection {
  const skipped = new Map<number, string>();
  const packages: number[] = [];
  for (const index of reached) {
    const reason = skip(graph.packages[index]!);
    if (reason) skipped.set(index, reason);
    else packages.push(index);
  }
  // Pruned packages are never reached, so they are never in `packages`.
  for (const index of pruned) skipped.set(index, EXCLUDED);
  packages.sort((a, b) => a - b);
  return { target, packages, skipped };
}

/**
 * `--all-platforms`: every package in the lock, for mirroring. Markers are
 * not evaluated, so flags that narrow by walking the graph have no meaning
 * here and are refused rather than silently ignored.
 */
function allPackages(graph: LockGraph, options: SelectOptions, skip: SkipRule): PackageChoice {
  const narrowing: Array<[string, boolean]> = [
    ['--package', Boolean(options.packages?.length)],
    ['--extra', Boolean(options.extras?.length)],
    ['--all-extras', Boolean(options.allExtras)],
    ['--no-extra', Boolean(options.noExtras?.length)],
    ['--group', Boolean(options.groups?.length)],
    ['--no-group', Boolean(options.noGroups?.length)],
    ['--only-group', Boolean(options.onlyGroups?.length)],
    ['--all-groups', Boolean(options.allGroups)],
    ['--dev', Boolean(options.dev)],
    ['--no-dev', Boolean(options.noDev)],
    ['--only-dev', Boolean(options.onlyDev)],
    ['--no-default-groups', Boolean(options.noDefaultGroups)],
  ];
  const given = narrowing.filter(([, on]) => on).map(([flag]) => flag);
  if (given.length > 0) {
    throw new LockhouseError('USAGE', `--all-platforms takes every package in the lock; ${given.join(', ')} cannot narrow it`, {
      hint: 'to leave packages out, use --exclude-package, --no-emit-package, --index or --exclude-index',
    });
  }
  const prune = new Set((options.excludePackages ?? []).map(canonicalizeName));
  const skipped = new Map<number, string>();
  const packages: number[] = [];
  for (const pkg of graph.packages) {
    // Mirroring takes the files the lock names; a tree to build is none (a build would serve one machine).
    const built = pkg.source.kind === 'vcs' || pkg.source.kind === 'editable' || pkg.source.kind === 'directory';
    const reason = prune.has(pkg.name) ? EXCLUDED : built ? BUILT_WITH_ALL_PLATFORMS : skip(pkg);
    if (reason) skipped.set(pkg.index, reason);
    else packages.push(pkg.index);
  }
  return { packages, skipped };
}

/** Markers are simplified against requires-python, so a target outside it cannot be evaluated: refuse, as uv does. */
function checkRequiresPython(graph: LockGraph, target: Target): void {
  const python = target.markers.python_full_version;
  if (graph.requiresPython && !satisfiesRequiresPython(python, graph.requiresPython)) {
    throw new LockhouseError(
      'TARGET_REQUIRES_PYTHON',
      `target ${target.id} (Python ${python}) is outside the requires-python "${graph.requiresPython}" of ${graph.path}`,
      { hint: 'choose a --python-version the lock supports' },
    );
  }
}

function checkSupportedMarkers(graph: LockGraph, target: Target): void {
  const supported = graph.uv?.supportedMarkers ?? [];
  if (supported.length > 0 && !supported.some((marker) => evaluateMarker(marker, target.markers))) {
    throw new LockhouseError(
      'TARGET_UNSUPPORTED_ENVIRONMENT',
      `target ${target.id} is not among the supported environments of ${graph.path}: ${supported.map((m) => `"${m.text}"`).join(', ')}`,
      { hint: 'choose targets the lock supports, or add this environment to [tool.uv] environments and run `uv lock`' },
    );
  }
}

/**
 * uv's --no-emit-project and --no-emit-workspace, as the packages they name
 * in this lock → the flag that named each: the project at the workspace
 * root, and every workspace member. Both need a uv.lock (a pylock has no
 * workspace); --only-deps is the stronger cousin (it leaves out every local
 * project, members or not).
 */
function noEmitted(graph: LockGraph, options: SelectOptions, members: readonly Package[]): Map<string, string> {
  const named = new Map<string, string>();
  if (!options.noEmitProject && !options.noEmitWorkspace) return named;
  if (!graph.uv) {
    const flag = options.noEmitProject ? '--no-emit-project' : '--no-emit-workspace';
    throw new LockhouseError('USAGE', `${flag} needs a uv.lock: ${graph.path} is a pylock, which has no workspace`, {
      hint: 'leave packages out of a pylock with --no-emit-package NAME',
    });
  }
  if (options.noEmitWorkspace) for (const member of members) named.set(member.name, '--no-emit-workspace');
  if (options.noEmitProject) {
    const root = members.find((pkg) => 'path' in pkg.source && typeof pkg.source.path === 'string' && /^\.?\/?$/.test(pkg.source.path)) ?? (members.length === 1 ? members[0] : undefined);
    if (root && !named.has(root.name)) named.set(root.name, '--no-emit-project');
  }
  return named;
}
