/**
 * The one order lockhouse sorts text by: UTF-16 code units, as JavaScript's
 * `<` compares — the same on every machine and locale (localeCompare is
 * not), so manifests, indexes and bundles are byte-identical everywhere.
 * A leaf, like errors.ts and model.ts: any module may import it.
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A comparator of values by a text key: `items.sort(byText((item) => item.name))`. */
export function byText<T>(key: (value: T) => string): (a: T, b: T) => number {
  return (a, b) => compareText(key(a), key(b));
}
