/**
 * For one package and one target: the best compatible wheel, else the sdist
 * to build, else an error that says what the lock offers (uv's
 * `Package::to_dist`, packaging's `Pylock.select`).
 */
import type { Artifact, LockFormat, Package, Target } from '../model.js';
import { canonicalizeName } from '../python/names.js';
import { wheelCompatibility } from '../python/tags.js';
import { macosWheelsHint, noWheelMessage } from './hint.js';
import type { PlanItem, PlanOptions } from './types.js';
import { compareText } from '../compare.js';

export interface Pick {
  readonly kind: PlanItem['kind'];
  readonly artifact: Artifact | null;
  readonly build: boolean;
}

export interface Choice {
  readonly picks: readonly Pick[];
  readonly error: { readonly code: 'PLAN_NO_ARTIFACT' | 'PLAN_BUILD_FORBIDDEN'; readonly message: string } | null;
  readonly warning: string | null;
}

/**
 * The best wheel by the target's tag priority. Ties: uv prefers the higher
 * build tag (`find_best_wheel`); packaging keeps the first in lock order
 * (a stable sort), so pylocks do.
 */
export function bestWheel(pkg: Package, target: Target, format: LockFormat): Artifact | null {
  let best: Artifact | null = null;
  let bestPriority = Infinity;
  for (const wheel of pkg.wheels) {
    if (!wheel.wheelTags) continue;
    const fit = wheelCompatibility(wheel.wheelTags, target.tags);
    if (!fit.compatible) continue;
    if (
      fit.priority < bestPriority ||
      (fit.priority === bestPriority && format === 'uv.lock' && compareBuildTags(wheel.buildTag, best?.buildTag ?? null) > 0)
    ) {
      best = wheel;
      bestPriority = fit.priority;
    }
  }
  return best;
}

function compareBuildTags(a: readonly [number, string] | null, b: readonly [number, string] | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  if (a[0] !== b[0]) return a[0] - b[0];
  return compareText(a[1], b[1]);
}

function noBinaryFor(pkg: Package, options: PlanOptions): boolean {
  return (options.noBinary ?? []).some((name) => name === ':all:' || canonicalizeName(name) === pkg.name);
}

const none: Choice = { picks: [], error: null, warning: null };
const forbidden = (message: string): Choice['error'] => ({ code: 'PLAN_BUILD_FORBIDDEN', message });

/** `target` null: `--all-platforms`, every file of the package. */
export function choose(pkg: Package, target: Target | null, format: LockFormat, options: PlanOptions): Choice {
  const kind = pkg.source.kind;
  if (kind === 'virtual') return none;
  if (kind === 'vcs' || kind === 'editable' || kind === 'directory') {
    if (options.noBuild) {
      const what = kind === 'vcs' ? `a ${pkg.source.kind === 'vcs' ? pkg.source.vcs : 'vcs'} checkout` : 'a local project';
      return { ...none, error: forbidden(`${pkg.displayName} is ${what} and must be built, but --no-build forbids building`) };
    }
    return { picks: [{ kind: kind === 'vcs' ? 'vcs' : 'directory', artifact: null, build: true }], error: null, warning: null };
  }

  const sdist = pkg.sdist;
  const extraSdist = options.sdist && sdist ? [{ kind: 'sdist' as const, artifact: sdist, build: false }] : [];
  if (target === null) {
    return {
      picks: [...pkg.wheels.map((wheel) => ({ kind: 'wheel' as const, artifact: wheel, build: false })), ...(sdist ? [{ kind: 'sdist' as const, artifact: sdist, build: false }] : [])],
      error: null,
      warning: null,
    };
  }

  const noBinary = noBinaryFor(pkg, options);
  const wheel = noBinary ? null : bestWheel(pkg, target, format);
  if (wheel) return { picks: [{ kind: 'wheel', artifact: wheel, build: false }, ...extraSdist], error: null, warning: null };

  if (sdist) {
    if (!options.noBuild) return { picks: [{ kind: 'sdist', artifact: sdist, build: true }], error: null, warning: null };
    const why = noBinary ? '--no-binary asks for a build' : 'it has no wheel for this target';
    if (options.sdist) {
      return { ...none, picks: extraSdist, warning: `${pkg.displayName}: ${why}; its sdist is collected unbuilt (--no-build)${macosWheelsHint(pkg, target)}` };
    }
    return { ...none, error: forbidden(`${pkg.displayName}: ${why}, and --no-build forbids building its sdist${macosWheelsHint(pkg, target)}`) };
  }
  if (noBinary) return { ...none, error: forbidden(`--no-binary ${pkg.name}: the lock has no sdist of ${pkg.displayName} to build from`) };
  return { ...none, error: { code: 'PLAN_NO_ARTIFACT', message: noWheelMessage(pkg, target) } };
}
