/**
 * Do the parts belong together? Each must be collected from this very lock
 * (its sha256), with the same selection — groups, extras, packages,
 * filters, build flags — as every other part; only the targets may differ,
 * that being the point of a part. The merged targets are the parts'
 * together (their target flags joined), or the ones the flags given name.
 * Pure: a refusal is thrown before anything is written.
 */
import { compareText } from '../../compare.js';
import { LockhouseError } from '../../errors.js';
import type { ManifestSelection } from '../../output/manifest.js';
import type { PlanRequest } from '../plan.js';
import { requestToCheck, selectionDifferences, type GivenFlags } from '../verify/selection.js';
import type { Part } from './parts.js';

const union = (lists: ReadonlyArray<readonly string[]>): string[] => [...new Set(lists.flat())];

/** The parts' target flags joined: what a collect of all their targets at once would have been given. */
export function joinedTargets(parts: readonly Part[]): ManifestSelection['targets'] {
  const all = parts.map((part) => part.manifest.selection.targets);
  return {
    pythonPlatforms: union(all.map((targets) => targets.pythonPlatforms)),
    platforms: union(all.map((targets) => targets.platforms)),
    pythonVersions: union(all.map((targets) => targets.pythonVersions)),
    abis: union(all.map((targets) => targets.abis)),
    implementation: all.find((targets) => targets.implementation !== null)?.implementation ?? null,
  };
}

/**
 * What merge plans with: the first part's recorded selection with every
 * part's targets joined, each family the caller's flags set (`given`)
 * taken from `asked` instead — as verify replays a manifest.
 */
export function mergedRequest(asked: PlanRequest, parts: readonly Part[], given: GivenFlags): PlanRequest {
  const first = parts[0]!.manifest;
  return requestToCheck(asked, { selection: { ...first.selection, targets: joinedTargets(parts) }, allPlatforms: first.allPlatforms }, given);
}

/**
 * `sameLock`: the sha256s this lock has, checked out as it is or with the
 * other line endings — git on a Windows runner (core.autocrlf) checks a lock
 * out with CRLF, which is the same lock with another sha256.
 */
export function checkLock(parts: readonly Part[], lock: { readonly path: string; readonly sha256: string }, sameLock: ReadonlySet<string>): void {
  const others = parts.filter((part) => part.manifest.lock.sha256 !== lock.sha256 && !sameLock.has(part.manifest.lock.sha256));
  if (others.length === 0) return;
  const lines = others.map((part) => `part ${part.name}: ${part.manifest.lock.path} with sha256 ${part.manifest.lock.sha256}`);
  throw new LockhouseError(
    'MERGE_LOCK_MISMATCH',
    `${others.length === 1 ? 'a part was' : `${others.length} parts were`} collected from another lock than ${lock.path} (sha256 ${lock.sha256}):\n  ${lines.join('\n  ')}`,
    { hint: 'every part must be collected from this very lock (the same commit of the project); collect it again, or pass --lock the lock they were collected from' },
  );
}

export interface Checked {
  readonly selection: ManifestSelection;
  readonly allPlatforms: boolean;
  /** The merge's target ids. */
  readonly targets: readonly string[];
}

export function checkSelections(parts: readonly Part[], checked: Checked, from: string): void {
  const lines: string[] = [];
  for (const part of parts) {
    const differences = selectionDifferences(
      { selection: part.manifest.selection, targets: [], allPlatforms: part.manifest.allPlatforms },
      { selection: checked.selection, targets: [], allPlatforms: checked.allPlatforms },
    );
    for (const difference of differences) lines.push(`part ${part.name}: ${difference.what} ${difference.recorded} (the merge: ${difference.checked})`);
  }
  if (lines.length === 0) return;
  throw new LockhouseError('MERGE_SELECTION_MISMATCH', `the parts were not collected with one selection (the merge's is ${from}):\n  ${lines.join('\n  ')}`, {
    hint: 'collect every part with the same selection and build flags (--no-dev, --extra, --package, --no-binary …); only the target flags may differ between parts',
  });
}

/**
 * Without target flags, the merged targets are the parts' own: the joined
 * flags must make exactly those (a Linux part for 3.11 and a Windows part
 * for 3.12 make four targets joined, not two — then the caller names them).
 */
export function checkTargets(parts: readonly Part[], planned: readonly string[]): void {
  const recorded = union(parts.map((part) => part.manifest.targets.map((target) => target.id))).sort(compareText);
  const made = [...planned].sort(compareText);
  if (recorded.join('\n') === made.join('\n')) return;
  throw new LockhouseError(
    'MERGE_TARGETS_UNCLEAR',
    `the parts' targets together (${recorded.join(', ') || 'none'}) are not what their target flags make together (${made.join(', ') || 'none'})`,
    { hint: 'name the merged targets: lockhouse merge PART... -o DIR --python-platform P … --python-version V …' },
  );
}
