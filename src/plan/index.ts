/**
 * Plan: Selection → per (package, target) the artifact to take or build,
 * each artifact listed once with every target it serves (DESIGN.md
 * "Pipeline", step 3). Pure: no I/O.
 */
import type { LockGraph, Target } from '../model.js';
import type { PackageChoice, Selection } from '../select/selection.js';
import { choose, type Pick } from './choose.js';
import type { Plan, PlanErrorCode, PlanItem, PlanOptions, PlanPackage, PlanProblem, PlanSkip, PlanWarningCode } from './types.js';
import { compareText as compare } from '../compare.js';

export type { Plan, PlanErrorCode, PlanItem, PlanOptions, PlanPackage, PlanProblem, PlanSkip, PlanWarningCode } from './types.js';
export { bestWheel } from './choose.js';

interface Mutable<T> {
  value: T;
  targets: string[];
}

export function plan(graph: LockGraph, selection: Selection, options: PlanOptions = {}): Plan {
  const items = new Map<string, Mutable<Omit<PlanItem, 'targets'>>>();
  const packages = new Map<number, Mutable<Omit<PlanPackage, 'targets'>>>();
  const skipped = new Map<string, Mutable<Omit<PlanSkip, 'targets'>>>();
  const errors: PlanProblem<PlanErrorCode>[] = [];
  const warnings: PlanProblem<PlanWarningCode>[] = [];

  const visit = (choice: PackageChoice, target: Target | null): void => {
    const targetId = target ? [target.id] : [];
    for (const [index, reason] of choice.skipped) {
      const pkg = graph.packages[index]!;
      const entry = upsert(skipped, `${index}\0${reason}`, () => ({ package: pkg.displayName, version: pkg.version, reason }));
      entry.targets.push(...targetId);
    }
    for (const index of choice.packages) {
      const pkg = graph.packages[index]!;
      const picked = choose(pkg, target, graph.format, options);
      const problem = { package: pkg.displayName, version: pkg.version, target: target?.id ?? null };
      if (picked.error) errors.push({ ...problem, ...picked.error });
      if (picked.warning) warnings.push({ ...problem, code: 'PLAN_UNBUILT', message: picked.warning });
      // Selected, even where nothing can be collected for it (its error says why).
      upsert(packages, index, () => ({ packageIndex: index, name: pkg.displayName, version: pkg.version, source: pkg.source })).targets.push(
        ...targetId,
      );
      for (const pick of picked.picks) {
        const item = upsert(items, itemKey(index, pick), () => toItem(graph, index, pick));
        // The same sdist may be built for one target and merely carried for another.
        if (pick.build && !item.value.build) item.value = { ...item.value, build: true };
        item.targets.push(...targetId);
      }
    }
  };

  if (selection.allPlatforms) visit(selection.allPlatforms, null);
  for (const entry of selection.targets) visit(entry, entry.target);

  let planItems = [...items.values()].map(({ value, targets }) => ({ ...value, targets: unique(targets) }));
  let planPackages = [...packages.values()].map(({ value, targets }) => ({ ...value, targets: unique(targets) }));
  if (options.requiresBuildOnly) {
    planItems = planItems.filter((item) => item.build);
    const building = new Set(planItems.map((item) => item.packageIndex));
    planPackages = planPackages.filter((pkg) => building.has(pkg.packageIndex));
  }

  return {
    format: graph.format,
    lockPath: graph.path,
    targets: selection.targets.map((entry) => entry.target),
    allPlatforms: selection.allPlatforms !== null,
    packages: planPackages.sort((a, b) => compare(a.name, b.name) || a.packageIndex - b.packageIndex),
    items: planItems.sort(
      (a, b) => compare(a.package, b.package) || a.packageIndex - b.packageIndex || compare(a.filename ?? '', b.filename ?? '') || compare(a.kind, b.kind),
    ),
    skipped: [...skipped.values()]
      .map(({ value, targets }) => ({ ...value, targets: unique(targets) }))
      .sort((a, b) => compare(a.package, b.package) || compare(a.reason, b.reason)),
    errors,
    warnings,
  };
}

function upsert<K, T>(map: Map<K, Mutable<T>>, key: K, make: () => T): Mutable<T> {
  let entry = map.get(key);
  if (!entry) {
    entry = { value: make(), targets: [] };
    map.set(key, entry);
  }
  return entry;
}

function itemKey(index: number, pick: Pick): string {
  return `${index}\0${pick.kind}\0${pick.artifact?.filename ?? ''}`;
}

function toItem(graph: LockGraph, index: number, pick: Pick): Omit<PlanItem, 'targets'> {
  const pkg = graph.packages[index]!;
  const artifact = pick.artifact;
  const source = pkg.source;
  return {
    packageIndex: index,
    package: pkg.displayName,
    version: pkg.version,
    kind: pick.kind,
    filename: artifact?.filename ?? null,
    url: artifact ? artifact.url : source.kind === 'vcs' ? source.url : null,
    path: artifact ? artifact.path : 'path' in source ? source.path : null,
    sha256: artifact?.hashes['sha256'] ?? null,
    size: artifact?.size ?? null,
    artifact,
    build: pick.build,
  };
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

