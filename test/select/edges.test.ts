/**
 * The dependency edges a uv.lock's walk takes for a target (TargetSelection
 * .edges), which the SBOM's dependency graph is made of: an edge whose
 * marker holds, from a package the walk reached, through the extras and
 * groups that are on — and no other.
 */
import { describe, expect, it } from 'vitest';
import type { LockGraph, ProjectSettings, Target } from '../../src/model.js';
import { select } from '../../src/select/index.js';
import type { SelectOptions } from '../../src/select/options.js';
import { LINUX, WINDOWS, graphOf, pkg, uvLock } from '../helpers/uv-lock.js';

const NONE: ProjectSettings = { defaultGroups: null, indexes: new Map() };

/** "from -> to" for every edge taken ("[manifest]" for the lock's own requirements), sorted. */
function edges(graph: LockGraph, options: SelectOptions = {}, on: Target = LINUX): string[] {
  const [result] = select(graph, [on], options, NONE).targets;
  const name = (index: number | null): string => (index === null ? '[manifest]' : graph.packages[index]!.name);
  return (result!.edges ?? []).map((edge) => `${name(edge.from)} -> ${name(edge.to)}`).sort();
}

const project = graphOf(
  uvLock(
    {},
    pkg('app', {
      source: '{ editable = "." }',
      version: '0.1.0',
      deps: ['requests', '{ name = "pywin32", marker = "sys_platform == \'win32\'" }'],
      optional: { cli: ['{ name = "click", extra = ["color"] }'], docs: ['sphinx'] },
      groups: { dev: ['pytest'] },
    }),
    pkg('requests', { deps: ['idna'] }),
    pkg('idna'),
    pkg('pywin32', { wheels: ['pywin32-1.0.0-cp312-cp312-win_amd64.whl'] }),
    pkg('click', { optional: { color: ['colorama'] } }),
    pkg('colorama'),
    pkg('pytest', { deps: ['idna'] }),
    pkg('sphinx'),
  ),
);

describe('the edges a target takes', () => {
  it('dependencies, and the default group of the root', () => {
    expect(edges(project)).toEqual(['app -> pytest', 'app -> requests', 'pytest -> idna', 'requests -> idna']);
  });

  it('an edge whose marker holds only on Windows is taken only there', () => {
    expect(edges(project, {}, WINDOWS)).toContain('app -> pywin32');
    expect(edges(project, {}, LINUX)).not.toContain('app -> pywin32');
  });

  it("an extra's edges when it is on, and the extra the edge names (click[color] -> colorama)", () => {
    expect(edges(project, { extras: ['cli'], noDev: true })).toEqual(['app -> click', 'app -> requests', 'click -> colorama', 'requests -> idna']);
  });

  it('nothing through a group or an extra that is off', () => {
    const taken = edges(project, { noDev: true });
    expect(taken.some((edge) => edge.includes('pytest') || edge.includes('sphinx') || edge.includes('click'))).toBe(false);
  });

  it("a lock with no project: the [manifest] requirements are edges from the lock itself", () => {
    const script = graphOf(uvLock({ extra: '[manifest]\nrequirements = [{ name = "requests" }]' }, pkg('requests', { deps: ['idna'] }), pkg('idna')));
    expect(edges(script)).toEqual(['[manifest] -> requests', 'requests -> idna']);
  });
});
