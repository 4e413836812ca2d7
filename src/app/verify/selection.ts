/**
 * Which selection verify checks DIR against. A collection records its
 * selection in the manifest (app/selection-record.ts); verify replays it, so
 * `lockhouse verify -o DIR` needs no flag typed again. Flags given override
 * the recorded ones family by family: `--no-dev` replaces the recorded
 * group flags and nothing else (the targets, extras, `--only-deps` … stay
 * as recorded). What the checked selection selects differently from the
 * recorded one is listed, so a report says "groups: none (recorded: dev)"
 * rather than leaving the reader to guess from a list of files. Pure.
 */
import type { ManifestSelection } from '../../output/manifest.js';
import type { PlanRequest } from '../plan.js';
import { replaySelection } from '../selection-record.js';

/** The flag families a user can give, each replacing its recorded counterpart as a whole. */
export const SELECTION_FAMILIES = [
  'targets',
  'packages',
  'onlyDeps',
  'extras',
  'groups',
  'indexes',
  'excludeIndexes',
  'excludePackages',
  'noEmitPackages',
  'allowEmpty',
  'noBinary',
  'noBuild',
  'sdist',
  'requiresBuildOnly',
] as const;
export type SelectionFamily = (typeof SELECTION_FAMILIES)[number];

/** The families the caller's flags set, each with the flags as typed (for the report). */
export type GivenFlags = Partial<Record<SelectionFamily, readonly string[]>>;

/** Why there is no recorded selection to check against. */
export type Unrecorded = 'no-manifest' | 'not-recorded';

export interface SelectionDifference {
  /** What differs: targets, groups, extras, --only-deps … */
  readonly what: string;
  readonly recorded: string;
  readonly checked: string;
}

export interface SelectionUse {
  /** `recorded`: the manifest's selection, with the families given overriding; `flags`: the request as given (nothing recorded to replay, or the caller gave every family). */
  readonly source: 'recorded' | 'flags';
  /** Why the manifest gave no selection, or null. */
  readonly unrecorded: Unrecorded | null;
  /** The flags given that override the recorded selection, as typed. */
  readonly given: readonly string[];
  /** Where the selection checked against selects differently from the recorded one (empty without a recorded one). */
  readonly differences: readonly SelectionDifference[];
  /** The selection checked against, as a manifest would record it. */
  readonly checked: ManifestSelection;
}

/**
 * The plan request verify plans with: the recorded selection, with the
 * families in `given` taken from `asked`. Without a recorded selection, or
 * without `given` (a library caller that passes a whole request), `asked`.
 */
export function requestToCheck(
  asked: PlanRequest,
  recorded: { readonly selection: ManifestSelection; readonly allPlatforms: boolean } | null,
  given: GivenFlags | undefined,
): PlanRequest {
  if (!recorded || !given) return asked;
  const replay = replaySelection(recorded.selection, recorded.allPlatforms);
  const has = (family: SelectionFamily): boolean => given[family] !== undefined;
  const targets = has('targets') ? asked.targets : replay.targets;
  const pick = <K extends keyof PlanRequest['select']>(family: SelectionFamily, keys: readonly K[]): Partial<PlanRequest['select']> =>
    has(family) ? Object.fromEntries(keys.filter((key) => asked.select[key] !== undefined).map((key) => [key, asked.select[key]])) : {};
  const select: PlanRequest['select'] = {
    ...replay.select,
    ...pick('packages', ['packages', 'allPackages']),
    ...pick('onlyDeps', ['onlyDeps']),
    ...pick('extras', ['extras', 'allExtras', 'noExtras']),
    // The recorded default groups stay: they are the project's, not a flag
    // (and the pyproject.toml that gave them may not be here).
    ...(has('groups')
      ? { groups: [], onlyGroups: [], noGroups: [], ...pick('groups', ['groups', 'onlyGroups', 'noGroups', 'allGroups', 'dev', 'noDev', 'onlyDev', 'noDefaultGroups']) }
      : {}),
    ...pick('indexes', ['indexes']),
    ...pick('excludeIndexes', ['excludeIndexes']),
    ...pick('excludePackages', ['excludePackages']),
    ...pick('noEmitPackages', ['noEmitPackages', 'noEmitProject', 'noEmitWorkspace']),
    ...pick('allowEmpty', ['allowEmpty']),
    allPlatforms: Boolean(targets.allPlatforms),
  };
  const plan: PlanRequest['plan'] = {
    noBinary: has('noBinary') ? asked.plan.noBinary : replay.plan.noBinary,
    noBuild: has('noBuild') ? asked.plan.noBuild : replay.plan.noBuild,
    sdist: has('sdist') ? asked.plan.sdist : replay.plan.sdist,
    requiresBuildOnly: has('requiresBuildOnly') ? asked.plan.requiresBuildOnly : replay.plan.requiresBuildOnly,
  };
  return { lock: asked.lock, targets, select, plan };
}

export interface Side {
  readonly selection: ManifestSelection;
  readonly targets: readonly string[];
  readonly allPlatforms: boolean;
}

const list = (values: readonly string[], none = 'none'): string => (values.length ? [...values].sort().join(', ') : none);
const same = (a: readonly string[], b: readonly string[]): boolean => list(a) === list(b);

/** Where two selections select differently: what each amounts to, not how it was spelled. */
export function selectionDifferences(recorded: Side, checked: Side): SelectionDifference[] {
  const out: SelectionDifference[] = [];
  const differ = (what: string, a: string, b: string): void => {
    if (a !== b) out.push({ what, recorded: a, checked: b });
  };
  const targets = (side: Side): string => (side.allPlatforms ? '--all-platforms' : list(side.targets));
  differ('targets', targets(recorded), targets(checked));
  const r = recorded.selection;
  const c = checked.selection;
  const groups = (s: ManifestSelection): string => `${list(s.groups.selected)}${s.groups.dependencies ? '' : " (not the projects' own dependencies)"}`;
  if (!recorded.allPlatforms || !checked.allPlatforms) {
    differ('groups', groups(r), groups(c));
    differ('extras', list(r.extras.selected), list(c.extras.selected));
    differ('--package', list(r.packages, 'every member'), list(c.packages, 'every member'));
  }
  const flag = (what: string, a: readonly string[], b: readonly string[]): void => {
    if (!same(a, b)) out.push({ what, recorded: list(a), checked: list(b) });
  };
  const on = (what: string, a: boolean, b: boolean): void => differ(what, a ? 'on' : 'off', b ? 'on' : 'off');
  on('--only-deps', r.onlyDeps, c.onlyDeps);
  flag('--index', r.indexes, c.indexes);
  flag('--exclude-index', r.excludeIndexes, c.excludeIndexes);
  flag('--exclude-package', r.excludePackages, c.excludePackages);
  flag('--no-emit-package', r.noEmitPackages, c.noEmitPackages);
  flag('--no-binary', r.noBinary, c.noBinary);
  on('--no-build', r.noBuild, c.noBuild);
  on('--sdist', r.sdist, c.sdist);
  on('--requires-build-only', r.requiresBuildOnly, c.requiresBuildOnly);
  return out;
}

