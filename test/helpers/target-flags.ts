/** Building targets from flags in tests, and pinning the errors it throws. */
import { expect } from 'vitest';
import { LockhouseError } from '../../src/errors.js';
import type { Target } from '../../src/model.js';
import { buildTargets, type TargetFlags } from '../../src/python/targets.js';

/** Flags for one Python (3.12) and no platform, with `over` on top. */
export const flags = (over: Partial<TargetFlags>): TargetFlags => ({
  pythonPlatforms: [],
  pythonVersions: ['3.12'],
  platforms: [],
  ...over,
});

/** The one target the flags build. */
export const one = (over: Partial<TargetFlags>): Target => {
  const targets = buildTargets(flags(over));
  expect(targets).toHaveLength(1);
  return targets[0]!;
};

/** The error a call throws, for pinning code and message. */
export function thrown(fn: () => unknown): LockhouseError {
  try {
    fn();
  } catch (error) {
    if (error instanceof LockhouseError) return error;
    throw error;
  }
  throw new Error('expected a LockhouseError');
}
