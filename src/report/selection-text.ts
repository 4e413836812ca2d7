/**
 * A selection in one line, for people: the targets, the groups and extras
 * as resolved, then the flags that are on. `lockhouse plan` heads its table
 * with it, `lockhouse verify` says which selection it checked. Pure.
 */
import type { Side } from '../app/verify/selection.js';
import type { ManifestSelection } from '../output/manifest.js';

const list = (values: readonly string[], none = 'none'): string => (values.length ? [...values].sort().join(', ') : none);

/** One line's worth of what a selection is: targets, groups, extras, then the flags that are on. */
export function describeSelection(side: Side): string {
  const s = side.selection;
  if (side.allPlatforms) {
    return ['--all-platforms', ...flagsOn(s)].join('; ');
  }
  const parts = [
    `targets ${list(side.targets)}`,
    `groups ${list(s.groups.selected)}${s.groups.dependencies ? '' : " (not the projects' own dependencies)"}`,
    ...(s.extras.selected.length ? [`extras ${list(s.extras.selected)}`] : []),
    ...(s.packages.length ? [`--package ${list(s.packages)}`] : []),
    ...flagsOn(s),
  ];
  return parts.join('; ');
}

function flagsOn(s: ManifestSelection): string[] {
  return [
    ...(s.onlyDeps ? ['--only-deps'] : []),
    ...(s.indexes.length ? [`--index ${list(s.indexes)}`] : []),
    ...(s.excludeIndexes.length ? [`--exclude-index ${list(s.excludeIndexes)}`] : []),
    ...(s.excludePackages.length ? [`--exclude-package ${list(s.excludePackages)}`] : []),
    ...(s.noEmitPackages.length ? [`--no-emit-package ${list(s.noEmitPackages)}`] : []),
    ...(s.noBinary.length ? [`--no-binary ${list(s.noBinary)}`] : []),
    ...(s.noBuild ? ['--no-build'] : []),
    ...(s.sdist ? ['--sdist'] : []),
    ...(s.requiresBuildOnly ? ['--requires-build-only'] : []),
  ];
}
