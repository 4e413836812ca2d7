/**
 * The selection verify checks against (src/app/verify/selection.ts and
 * src/app/selection-record.ts): a recorded selection replays to the same
 * choice; flags given replace their recorded family and nothing else; and
 * differences are named by what they select, not how they are spelled.
 */
import { describe, expect, it } from 'vitest';
import { recordSelection, replaySelection, type SelectionRequest } from '../../src/app/selection-record.js';
import type { PlanRequest } from '../../src/app/plan.js';
import { requestToCheck, selectionDifferences } from '../../src/app/verify/selection.js';
import type { ManifestSelection } from '../../src/output/manifest.js';
import { select } from '../../src/select/index.js';
import { LINUX, graphOf, pkg, uvLock } from '../helpers/uv-lock.js';

const lock = graphOf(
  uvLock(
    {},
    pkg('app', { source: '{ editable = "." }', deps: ['requests'], optional: { cli: ['click'] }, groups: { dev: ['pytest'], docs: ['sphinx'] } }),
    pkg('requests'),
    pkg('click'),
    pkg('pytest'),
    pkg('sphinx'),
  ),
);

const TARGETS = { pythonPlatforms: ['x86_64-manylinux_2_28'], pythonVersions: ['3.12'], platforms: [], abis: [] };

function recorded(request: Omit<SelectionRequest, 'targets'>): ManifestSelection {
  const full = { targets: TARGETS, ...request };
  return recordSelection(full, [LINUX], select(lock, [LINUX], full.select).choice);
}

const asked = (select: PlanRequest['select'], targets: PlanRequest['targets'] = { pythonPlatforms: [], pythonVersions: [], platforms: [], abis: [] }): PlanRequest => ({
  lock: { cwd: '/', lock: 'uv.lock' },
  targets,
  select,
  plan: {},
});

describe('record and replay', () => {
  it('a replayed selection chooses what the recorded one chose', () => {
    const record = recorded({ select: { noDev: true, extras: ['cli'], onlyDeps: true, excludePackages: ['Click'] }, plan: { sdist: true } });
    expect(record).toMatchObject({
      onlyDeps: true,
      excludePackages: ['click'],
      extras: { extra: ['cli'], selected: ['cli'] },
      groups: { noGroup: ['dev'], defaults: ['dev'], defaultsFrom: 'uv-default', dependencies: true, selected: [] },
      sdist: true,
    });
    const replay = replaySelection(record, false);
    expect(replay.targets).toMatchObject(TARGETS);
    const original = select(lock, [LINUX], { noDev: true, extras: ['cli'], onlyDeps: true, excludePackages: ['click'] });
    const again = select(lock, [LINUX], replay.select);
    expect(again.targets[0]!.packages).toEqual(original.targets[0]!.packages);
    expect({ ...again.choice, defaultGroups: null }).toEqual({ ...original.choice, defaultGroups: null });
    // The defaults replay as given: the pyproject.toml that gave them may not be there.
    expect(again.choice.defaultGroups).toEqual({ groups: ['dev'], from: 'given' });
    expect(replay.plan).toEqual({ noBinary: [], noBuild: false, sdist: true, requiresBuildOnly: false });
  });

  it('the host target is recorded as flags that make it again elsewhere', () => {
    const host = { ...LINUX, pythonPlatform: 'x86_64-manylinux_2_36', pythonVersion: '3.12.4' };
    const record = recordSelection({ targets: { pythonPlatforms: [], pythonVersions: [], platforms: [], abis: [] }, select: {}, plan: {} }, [host], select(lock, [LINUX]).choice);
    expect(record.targets).toEqual({ pythonPlatforms: ['x86_64-manylinux_2_36'], platforms: [], pythonVersions: ['3.12.4'], abis: [], implementation: null });
  });
});

describe('requestToCheck', () => {
  const record = recorded({ select: { noDev: true, extras: ['cli'], onlyDeps: true }, plan: {} });

  it('no flags given: the recorded selection, targets included', () => {
    const request = requestToCheck(asked({}), { selection: record, allPlatforms: false }, {});
    expect(request.targets).toMatchObject(TARGETS);
    expect(request.select).toMatchObject({ noGroups: ['dev'], extras: ['cli'], onlyDeps: true, defaultGroups: ['dev'] });
  });

  it('--no-dev replaces the group flags only: the extras, --only-deps and targets stay as recorded', () => {
    const request = requestToCheck(asked({ noDev: true }), { selection: record, allPlatforms: false }, { groups: ['--no-dev'] });
    expect(request.select).toMatchObject({ noDev: true, groups: [], noGroups: [], extras: ['cli'], onlyDeps: true, defaultGroups: ['dev'] });
    expect(request.targets).toMatchObject(TARGETS);
  });

  it('target flags replace the recorded targets', () => {
    const targets = { pythonPlatforms: ['windows'], pythonVersions: ['3.13'], platforms: [], abis: [] };
    expect(requestToCheck(asked({}, targets), { selection: record, allPlatforms: false }, { targets: ['--python-platform windows', '--python-version 3.13'] }).targets).toEqual(targets);
  });

  it('no recorded selection, or no account of the flags given: the request as asked', () => {
    const request = asked({ noDev: true });
    expect(requestToCheck(request, null, { groups: ['--no-dev'] })).toBe(request);
    expect(requestToCheck(request, { selection: record, allPlatforms: false }, undefined)).toBe(request);
  });
});

describe('selectionDifferences', () => {
  const side = (selection: ManifestSelection, targets = [LINUX.id]) => ({ selection, targets, allPlatforms: false });

  it('--no-dev and --no-default-groups select the same: no difference', () => {
    expect(selectionDifferences(side(recorded({ select: { noDev: true }, plan: {} })), side(recorded({ select: { noDefaultGroups: true }, plan: {} })))).toEqual([]);
  });

  it('names each difference by what it selects', () => {
    const before = recorded({ select: {}, plan: {} });
    const after = recorded({ select: { noDev: true, extras: ['cli'], onlyDeps: true }, plan: { noBuild: true } });
    expect(selectionDifferences(side(before), side(after, ['other-cp313']))).toEqual([
      { what: 'targets', recorded: LINUX.id, checked: 'other-cp313' },
      { what: 'groups', recorded: 'dev', checked: 'none' },
      { what: 'extras', recorded: 'none', checked: 'cli' },
      { what: '--only-deps', recorded: 'off', checked: 'on' },
      { what: '--no-build', recorded: 'off', checked: 'on' },
    ]);
  });
});
