/**
 * The caches behind markers and versions: parse a string once, then look it
 * up. They are keyed by strings that come from locks and targets, a few
 * thousand entries at most; the cap only guards a long-lived process fed
 * endless text.
 */
const CACHE_LIMIT = 50_000;

export function remember<V>(cache: Map<string, V>, key: string, value: V): void {
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, value);
}

/** `compute` with its answers remembered per key (null and false answers too; a throw is not remembered). */
export function memoize<V>(compute: (key: string) => V): (key: string) => V {
  const cache = new Map<string, V>();
  return (key) => {
    let value = cache.get(key);
    if (value === undefined) {
      value = compute(key);
      remember(cache, key, value);
    }
    return value;
  };
}
