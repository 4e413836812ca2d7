/** A seeded PRNG (mulberry32) for reliability tests: the same seed, the same faults and kill times, so a failure can be replayed. */
export function seeded(seed: number): { next(): number; int(max: number): number; pick<T>(items: readonly T[]): T } {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (max) => Math.floor(next() * max), pick: (items) => items[Math.floor(next() * items.length)]! };
}

/** The seed: LOCKHOUSE_SEED when given (to replay a run), else a fixed one. */
export const SEED = Number(process.env['LOCKHOUSE_SEED'] ?? 20261123);

/** The full soak (`npm run soak`) or the short form .ci/run runs. */
export const FULL = process.env['LOCKHOUSE_SOAK'] === 'full';
