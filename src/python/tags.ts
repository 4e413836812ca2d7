/**
 * Wheel tags: a target's compatible tags in priority order, and ranking a
 * wheel against them. STUB: the real implementation replaces this file,
 * keeping these exports.
 */

/** The three tag sets of a wheel file name (each part may be dotted: "py2.py3"). */
export interface WheelTags {
  readonly python: readonly string[];
  readonly abi: readonly string[];
  readonly platform: readonly string[];
}

/** A target's compatible tags; position is priority (0 is best). */
export interface TagSet {
  /** "interpreter-abi-platform" strings, best first. */
  readonly ordered: readonly string[];
  /** Tag → position in `ordered`. */
  readonly priority: ReadonlyMap<string, number>;
}

/**
 * How a wheel fits a target: compatible with the priority of its best tag
 * (lower is better), or incompatible with the first part that failed, in
 * uv's order: python, then abi, then platform.
 */
export type WheelCompatibility =
  | { readonly compatible: true; readonly priority: number }
  | { readonly compatible: false; readonly reason: 'python' | 'abi' | 'platform' };

export function wheelCompatibility(_wheel: WheelTags, _tags: TagSet): WheelCompatibility {
  throw new Error('tags: not implemented');
}
