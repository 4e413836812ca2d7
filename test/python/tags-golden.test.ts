/**
 * Targets and tag order against the reference implementation: every case in
 * test/golden/tags.json was produced by packaging (and pip's --platform
 * expansion) in scripts/golden/tags.py. Regenerate with
 * `python3 scripts/golden/tags.py`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { MarkerEnvironment } from '../../src/python/markers.js';
import { splitTagTriple, wheelCompatibility } from '../../src/python/tags.js';
import { buildTargets, type TargetFlags } from '../../src/python/targets.js';

interface GoldenTarget {
  id: string;
  pythonPlatform: string;
  pythonVersion: string;
  markers: MarkerEnvironment;
  tags: string[];
}

interface Golden {
  packaging: string;
  cases: { flags: TargetFlags; targets: GoldenTarget[] }[];
  wheels: { target: string; wheels: Record<string, number | null> }[];
}

const golden = JSON.parse(readFileSync(new URL('../golden/tags.json', import.meta.url), 'utf8')) as Golden;

const caseName = (flags: TargetFlags): string =>
  [
    ...flags.pythonPlatforms,
    ...flags.platforms.map((p) => `--platform ${p}`),
    ...flags.pythonVersions,
    ...(flags.abis ?? []).map((a) => `--abi ${a}`),
    ...(flags.macosDeploymentTarget ? [`MACOSX_DEPLOYMENT_TARGET=${flags.macosDeploymentTarget}`] : []),
  ].join(' ');

describe(`targets match packaging ${golden.packaging}`, () => {
  it.each(golden.cases.map((c) => [caseName(c.flags), c] as const))('%s', (_name, { flags, targets }) => {
    const built = buildTargets(flags);
    expect(built.map((t) => t.id)).toEqual(targets.map((t) => t.id));
    built.forEach((target, i) => {
      const expected = targets[i]!;
      expect(target.pythonPlatform).toBe(expected.pythonPlatform);
      expect(target.pythonVersion).toBe(expected.pythonVersion);
      expect(target.markers).toEqual(expected.markers);
      expect(target.tags.ordered).toEqual(expected.tags);
      expect(target.tags.priority.get(expected.tags.at(-1)!)).toBe(expected.tags.length - 1);
    });
  });

  it('covers every --python-platform form and Python 3.8 to 3.14t', () => {
    const targets = golden.cases.flatMap((c) => c.targets);
    const versions = new Set(targets.map((t) => t.markers.python_version));
    expect([...versions].sort()).toEqual(['3.10', '3.11', '3.12', '3.13', '3.14', '3.8', '3.9']);
    expect(targets.some((t) => t.id.endsWith('t'))).toBe(true);
    expect(targets.length).toBeGreaterThan(40);
  });
});

describe('wheel ranking matches packaging', () => {
  const byId = new Map(golden.cases.flatMap((c) => buildTargets(c.flags)).map((t) => [t.id, t]));
  const rows = golden.wheels.flatMap(({ target, wheels }) =>
    Object.entries(wheels).map(([triple, priority]) => [target, triple, priority] as const),
  );
  it.each(rows)('%s: %s → %s', (id, triple, priority) => {
    const fit = wheelCompatibility(splitTagTriple(triple), byId.get(id)!.tags);
    expect(fit.compatible ? fit.priority : null).toBe(priority);
  });
});
