/**
 * Markers that tell the collected targets apart, for the emitted pylock and
 * requirements (DESIGN.md "Output flags"). The emitted files must select,
 * on each target, exactly what was collected for it — and must still do so
 * on the real machine, whose Python has some patch version and whose kernel
 * some release. So a target is described by the coarsest marker variables
 * that tell the collected targets apart: `sys_platform`, `platform_machine`,
 * `implementation_name`, `python_version`; finer ones (`python_full_version`,
 * `platform_system` …) only where targets differ in nothing coarser.
 *
 * Targets with the same values of every marker variable (manylinux_2_17 and
 * manylinux_2_28 on one machine type, say) form one group: markers cannot
 * tell them apart, and need not: the lock selects the same packages for
 * both, and the wheels' tags choose between them. Pure.
 */
import type { MarkerEnvironment } from '../python/markers.js';

export interface MarkedTarget {
  readonly id: string;
  readonly markers: MarkerEnvironment;
}

type Key = keyof MarkerEnvironment;

/** In the order they are tried and written. */
const COARSE: readonly Key[] = ['sys_platform', 'platform_machine', 'implementation_name', 'python_version'];
const FINE: readonly Key[] = [
  'python_full_version',
  'platform_python_implementation',
  'implementation_version',
  'platform_system',
  'os_name',
  'platform_release',
  'platform_version',
];

export interface TargetGroups {
  /** Groups of targets no marker variable tells apart, in the order of their first target. */
  readonly groups: ReadonlyArray<readonly string[]>;
  /** The variables the markers use to tell the groups apart. */
  readonly keys: readonly Key[];
  /** Per group, its values of `keys`. */
  readonly values: ReadonlyArray<Readonly<Partial<Record<Key, string>>>>;
  /** A marker true on every group (one clause per group), for a pylock's `environments`. */
  readonly environments: readonly string[];
  /** Target id → its group's index. */
  readonly groupOf: ReadonlyMap<string, number>;
}

export function groupTargets(targets: readonly MarkedTarget[]): TargetGroups {
  const all: readonly Key[] = [...COARSE, ...FINE];
  const signature = (target: MarkedTarget): string => JSON.stringify(all.map((key) => target.markers[key]));
  const bySignature = new Map<string, MarkedTarget[]>();
  for (const target of targets) {
    const key = signature(target);
    const group = bySignature.get(key);
    if (group) group.push(target);
    else bySignature.set(key, [target]);
  }
  const representatives = [...bySignature.values()].map((group) => group[0]!);
  const differs = (key: Key): boolean => new Set(representatives.map((target) => target.markers[key])).size > 1;
  const keys: Key[] = COARSE.filter(differs);
  // Finer variables only while some groups still look alike.
  for (const key of FINE) {
    const seen = new Set(representatives.map((target) => JSON.stringify(keys.map((k) => target.markers[k]))));
    if (seen.size === representatives.length) break;
    if (differs(key)) keys.push(key);
  }
  const values = representatives.map((target) => Object.fromEntries(keys.map((key) => [key, target.markers[key]])) as Partial<Record<Key, string>>);
  const groupOf = new Map<string, number>();
  [...bySignature.values()].forEach((group, index) => group.forEach((target) => groupOf.set(target.id, index)));
  // `environments` describes each group whole by its coarse variables (and
  // any finer one the groups differ in): a production machine that is none
  // of the collected targets is refused by the installer, not half-served.
  const environmentKeys = [...COARSE, ...keys.filter((key) => !COARSE.includes(key))];
  const environments = representatives.map((target) => conjunction(environmentKeys.map((key) => [key, target.markers[key]])));
  return { groups: [...bySignature.values()].map((group) => group.map((target) => target.id)), keys, values, environments, groupOf };
}

/**
 * A marker true on exactly the given groups among all of them, or null when
 * they are all of them. Where one variable alone picks them out, it is used
 * (`sys_platform == 'linux'`, `python_version == '3.12' or python_version == '3.13'`);
 * else one clause per group.
 */
export function markerForGroups(groups: TargetGroups, chosen: ReadonlySet<number>): string | null {
  const count = groups.groups.length;
  if (chosen.size === count) return null;
  if (chosen.size === 0) throw new Error('markerForGroups: no group chosen');
  for (const key of groups.keys) {
    const wanted = new Set([...chosen].map((index) => groups.values[index]![key]!));
    const picked = groups.values.every((value, index) => wanted.has(value[key]!) === chosen.has(index));
    if (picked) return disjunction([...wanted].sort().map((value) => `${key} == ${quote(value)}`));
  }
  const clauses = [...chosen].sort((a, b) => a - b).map((index) => conjunction(groups.keys.map((key) => [key, groups.values[index]![key]!])));
  return disjunction(clauses.map((clause) => (chosen.size > 1 && clause.includes(' and ') ? `(${clause})` : clause)));
}

function conjunction(pairs: ReadonlyArray<readonly [Key, string]>): string {
  return pairs.map(([key, value]) => `${key} == ${quote(value)}`).join(' and ');
}

function disjunction(parts: readonly string[]): string {
  return parts.join(' or ');
}

/** A PEP 508 string literal: single quotes, unless the value holds one. */
function quote(value: string): string {
  if (!value.includes("'")) return `'${value}'`;
  if (!value.includes('"')) return `"${value}"`;
  throw new Error(`a marker value cannot hold both quote characters: ${value}`);
}
