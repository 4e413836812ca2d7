/**
 * A plan request and what selection made of it → the selection the manifest
 * records (output/manifest.ts ManifestSelection), and back: the plan request
 * that selects the same again, on any machine. Verify replays it; the flags
 * a user gives override it family by family (verify/selection.ts). Pure.
 */
import type { Target } from '../model.js';
import type { ManifestSelection } from '../output/manifest.js';
import type { PlanOptions } from '../plan/types.js';
import { canonicalizeName } from '../python/names.js';
import type { SelectOptions } from '../select/options.js';
import type { SelectionChoice } from '../select/selection.js';
import type { TargetRequest } from './resolve-targets.js';

/** A plan request without its lock: what selects (app/plan.ts PlanRequest is this and the lock). */
export interface SelectionRequest {
  readonly targets: TargetRequest;
  readonly select: SelectOptions;
  readonly plan: PlanOptions;
}

const canonical = (names: readonly string[] | undefined): string[] => [...new Set((names ?? []).map(canonicalizeName))];
const unique = (values: readonly string[]): string[] => [...new Set(values)];

export function recordSelection(request: SelectionRequest, targets: readonly Target[], choice: SelectionChoice): ManifestSelection {
  const select = request.select;
  const plan = request.plan;
  return {
    targets: targetRecord(request.targets, targets),
    packages: select.allPackages ? [] : canonical(select.packages),
    onlyDeps: Boolean(select.onlyDeps),
    extras: {
      extra: canonical(select.extras),
      allExtras: Boolean(select.allExtras),
      noExtra: canonical(select.noExtras),
      selected: [...choice.extras],
    },
    groups: {
      group: canonical([...(select.groups ?? []), ...(select.dev ? ['dev'] : [])]),
      onlyGroup: canonical([...(select.onlyGroups ?? []), ...(select.onlyDev ? ['dev'] : [])]),
      noGroup: canonical([...(select.noGroups ?? []), ...(select.noDev ? ['dev'] : [])]),
      allGroups: Boolean(select.allGroups),
      noDefaultGroups: Boolean(select.noDefaultGroups),
      defaults: choice.defaultGroups ? (choice.defaultGroups.groups === 'all' ? 'all' : [...choice.defaultGroups.groups]) : null,
      defaultsFrom: choice.defaultGroups?.from ?? null,
      dependencies: choice.dependencies,
      selected: [...choice.groups],
    },
    indexes: [...choice.indexes],
    excludeIndexes: [...choice.excludeIndexes],
    excludePackages: canonical(select.excludePackages),
    // uv's --no-emit-project / --no-emit-workspace, recorded as the packages they named: replayed, they select the same.
    noEmitPackages: canonical([...(select.noEmitPackages ?? []), ...choice.noEmit]),
    allowEmpty: Boolean(select.allowEmpty),
    noBinary: unique((plan.noBinary ?? []).map((name) => (name === ':all:' ? name : canonicalizeName(name)))),
    noBuild: Boolean(plan.noBuild),
    sdist: Boolean(plan.sdist),
    requiresBuildOnly: Boolean(plan.requiresBuildOnly),
  };
}

/**
 * The target flags that make these targets again without asking a host:
 * the flags as given, with the host's platform (a uv name such as
 * x86_64-manylinux_2_36, or a pip tag such as linux_x86_64) and its Python
 * filled in where the host supplied them.
 */
function targetRecord(request: TargetRequest, targets: readonly Target[]): ManifestSelection['targets'] {
  const none = { pythonPlatforms: [], platforms: [], pythonVersions: [], abis: [], implementation: null };
  if (request.allPlatforms) return none;
  const platformsGiven = request.pythonPlatforms.length > 0 || request.platforms.length > 0;
  const hostPlatforms = platformsGiven ? [] : unique(targets.map((target) => target.pythonPlatform));
  return {
    pythonPlatforms: platformsGiven ? [...request.pythonPlatforms] : hostPlatforms.filter((name) => name.includes('-')),
    platforms: platformsGiven ? [...request.platforms] : hostPlatforms.filter((name) => !name.includes('-')),
    pythonVersions: request.pythonVersions.length > 0 ? [...request.pythonVersions] : unique(targets.map((target) => target.pythonVersion)),
    abis: [...request.abis],
    implementation: request.implementation ?? null,
  };
}

/** The request that selects what `recorded` selected: its target, selection and build flags, with the defaults it used. */
export function replaySelection(recorded: ManifestSelection, allPlatforms: boolean): SelectionRequest {
  const { groups, extras } = recorded;
  return {
    targets: {
      pythonPlatforms: recorded.targets.pythonPlatforms,
      pythonVersions: recorded.targets.pythonVersions,
      platforms: recorded.targets.platforms,
      implementation: recorded.targets.implementation ?? undefined,
      abis: recorded.targets.abis,
      allPlatforms,
    },
    select: {
      packages: recorded.packages,
      onlyDeps: recorded.onlyDeps,
      extras: extras.extra,
      allExtras: extras.allExtras,
      noExtras: extras.noExtra,
      groups: groups.group,
      onlyGroups: groups.onlyGroup,
      noGroups: groups.noGroup,
      allGroups: groups.allGroups,
      noDefaultGroups: groups.noDefaultGroups,
      ...(groups.defaults !== null ? { defaultGroups: groups.defaults } : {}),
      indexes: recorded.indexes,
      excludeIndexes: recorded.excludeIndexes,
      excludePackages: recorded.excludePackages,
      noEmitPackages: recorded.noEmitPackages,
      allowEmpty: recorded.allowEmpty,
      allPlatforms,
    },
    plan: { noBinary: recorded.noBinary, noBuild: recorded.noBuild, sdist: recorded.sdist, requiresBuildOnly: recorded.requiresBuildOnly },
  };
}
