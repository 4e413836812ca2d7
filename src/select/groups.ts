/**
 * Dependency-group and extra flags → what to include, with uv's rules
 * (crates/uv-configuration/src/dependency_groups.rs):
 * - `--dev` / `--only-dev` / `--no-dev` are `--group dev` / `--only-group dev` / `--no-group dev`;
 * - `--only-group` leaves out the projects' own dependencies and implies `--no-default-groups`;
 * - `--all-groups` takes every group, whatever the defaults;
 * - `--no-group` always wins.
 */
import { LockhouseError } from '../errors.js';
import { canonicalizeName } from '../python/names.js';
import type { SelectOptions } from './options.js';

export interface GroupSpec {
  /** False with `--only-group` / `--only-dev`: the projects themselves and their dependencies are left out. */
  readonly prod: boolean;
  includes(group: string): boolean;
  /** Groups named on the command line (to check that they exist). */
  readonly explicit: readonly string[];
  /** Whether the default groups take part (not with --no-default-groups, --only-group or --all-groups). */
  readonly defaultsUsed: boolean;
}

export interface ExtraSpec {
  includes(extra: string): boolean;
  readonly explicit: readonly string[];
}

const normalize = (names: readonly string[] | undefined): string[] => (names ?? []).map(canonicalizeName);

export function groupSpec(options: SelectOptions, defaults: readonly string[] | 'all'): GroupSpec {
  const include = normalize(options.groups);
  const only = normalize(options.onlyGroups);
  const exclude = new Set(normalize(options.noGroups));
  if (options.dev) include.push('dev');
  if (options.onlyDev) only.push('dev');
  if (options.noDev) exclude.add('dev');

  if (options.allGroups && only.length > 0) {
    throw new LockhouseError('USAGE', '--all-groups cannot be combined with --only-group or --only-dev', {
      hint: 'use --all-groups to add every group, or --only-group NAME to collect only that group',
    });
  }

  const prod = only.length === 0;
  const useDefaults = !options.noDefaultGroups && prod;
  let all = Boolean(options.allGroups);
  const named = new Set([...include, ...only]);
  if (!all && useDefaults) {
    if (defaults === 'all') all = true;
    else for (const group of defaults) named.add(canonicalizeName(group));
  }
  return {
    prod,
    includes: (group) => !exclude.has(group) && (all || named.has(group)),
    explicit: [...new Set([...include, ...only])],
    defaultsUsed: useDefaults && !options.allGroups,
  };
}

export function extraSpec(options: SelectOptions): ExtraSpec {
  const named = new Set(normalize(options.extras));
  const excluded = new Set(normalize(options.noExtras));
  const all = Boolean(options.allExtras);
  return {
    includes: (extra) => !excluded.has(extra) && (all || named.has(extra)),
    explicit: [...named],
  };
}
