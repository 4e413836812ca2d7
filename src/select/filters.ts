/**
 * What a target reaches but does not collect, and why: virtual projects,
 * local projects under `--only-deps`, `--no-emit-package`, and the index
 * filters. (`--exclude-package` prunes during the walk instead: what only an
 * excluded package needs is never reached.)
 *
 * `--index` / `--exclude-index` filter the lock's packages by the index they
 * were locked from. uv's `--index` means "use this index" instead; a value
 * that names no index of the lock would silently match nothing (an empty
 * wheelhouse, or nothing excluded), so it is an error that lists the lock's
 * indexes and points at `--mirror`, which is how another index is used.
 */
import { LockhouseError } from '../errors.js';
import type { LockGraph, Package, ProjectSettings } from '../model.js';
import { canonicalizeName } from '../python/names.js';
import type { SelectOptions } from './options.js';

export const PYPI = 'https://pypi.org/simple';
/** Where PyPI's pages and files live: a file URL on one of these is PyPI's, whatever the lock says of its index. */
const PYPI_HOSTS = new Set(['pypi.org', 'files.pythonhosted.org']);

/**
 * Trailing slashes, the case of scheme and host, and credentials do not make
 * another index: the userinfo goes (an index is the same with or without a
 * password, and these URLs reach the manifest and messages).
 */
export function normalizeIndexUrl(url: string): string {
  const trimmed = url.trim().replace(/\/+$/, '');
  const match = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/.exec(trimmed);
  if (!match) return trimmed;
  const host = match[2]!.slice(match[2]!.lastIndexOf('@') + 1);
  return `${match[1]!.toLowerCase()}${host.toLowerCase()}${match[3]!}`;
}

/** An index by `[[tool.uv.index]]` name, `pypi`, or URL → its normalized URL. */
export function resolveIndex(value: string, settings: ProjectSettings, flag: string): string {
  if (value.toLowerCase() === 'pypi') return PYPI;
  for (const [name, url] of settings.indexes) {
    if (name.toLowerCase() === value.toLowerCase()) return normalizeIndexUrl(url);
  }
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(value) || value.includes('/')) return normalizeIndexUrl(value);
  const known = [...settings.indexes.keys(), 'pypi'].join(', ');
  throw new LockhouseError('SELECT_UNKNOWN_INDEX', `${flag} "${value}" is neither an index name nor a URL`, {
    hint: `index names come from [[tool.uv.index]] in the pyproject.toml beside the lock; known: ${known}`,
  });
}

function onPypi(url: string | null): boolean {
  if (url === null) return false;
  try {
    return PYPI_HOSTS.has(new URL(url).hostname.toLowerCase());
  } catch {
    return false;
  }
}

/**
 * The index a package was locked from, normalized: the registry index the
 * lock names; for a registry package the lock names no index for (pip and
 * pdm write pylocks without `index`), PyPI when every file URL is on
 * pypi.org / files.pythonhosted.org; else null (git, url, path, local
 * sources, or a lock that does not say).
 */
export function packageIndex(pkg: Package): string | null {
  if (pkg.source.kind !== 'registry') return null;
  if (pkg.source.index !== null) return normalizeIndexUrl(pkg.source.index);
  const files = [...pkg.wheels, ...(pkg.sdist ? [pkg.sdist] : [])];
  return files.length > 0 && files.every((file) => onPypi(file.url)) ? PYPI : null;
}

/** Every index some package of the lock was locked from, sorted. */
export function lockIndexes(graph: LockGraph): string[] {
  return [...new Set(graph.packages.map(packageIndex).filter((index): index is string => index !== null))].sort();
}

/**
 * `--index` / `--exclude-index` values → the lock's index URLs they name.
 * A value that names no index of the lock is SELECT_UNKNOWN_INDEX.
 */
export function resolveIndexFilters(graph: LockGraph, options: SelectOptions, settings: ProjectSettings): { include: string[]; exclude: string[] } {
  const known = lockIndexes(graph);
  const resolveAll = (values: readonly string[] | undefined, flag: string): string[] =>
    [...new Set((values ?? []).map((value) => {
      const url = resolveIndex(value, settings, flag);
      if (!known.includes(url)) throw notInLock(graph, flag, value, url, known);
      return url;
    }))];
  return { include: resolveAll(options.indexes, '--index'), exclude: resolveAll(options.excludeIndexes, '--exclude-index') };
}

function notInLock(graph: LockGraph, flag: string, value: string, url: string, known: readonly string[]): LockhouseError {
  const named = value === url ? `"${value}"` : `"${value}" (${url})`;
  const indexes = known.length ? `its packages come from ${known.join(', ')}` : 'it names no index for any package';
  const meaning =
    flag === '--index'
      ? '--index keeps the packages locked from an index the lock names (uv\'s --index, "use this index", is not what it means here)'
      : '--exclude-index leaves out the packages locked from an index the lock names';
  const mirror =
    url === PYPI && known.length ? `; a lock made through a PyPI mirror names the mirror: ${flag} ${known.length === 1 ? known[0] : "with the mirror's URL"}` : '';
  return new LockhouseError('SELECT_UNKNOWN_INDEX', `${flag} ${named} is no index of ${graph.path}: ${indexes}`, {
    hint: `${meaning}${mirror}; to fetch the lock's files through another index, use --mirror FROM=TO`,
  });
}

export type SkipRule = (pkg: Package) => string | null;

/** One function that says why a reached package is not collected, or null when it is. `indexes` are resolveIndexFilters' URLs. */
export function skipRule(
  options: SelectOptions,
  indexes: { readonly include: readonly string[]; readonly exclude: readonly string[] },
  members: ReadonlySet<string>,
  /** Packages uv's --no-emit-project / --no-emit-workspace name → that flag. */
  noEmitted: ReadonlyMap<string, string> = new Map(),
): SkipRule {
  const includeSet = new Set(indexes.include);
  const excludeSet = new Set(indexes.exclude);
  const noEmit = new Set((options.noEmitPackages ?? []).map(canonicalizeName));

  return (pkg) => {
    const kind = pkg.source.kind;
    if (kind === 'virtual') return 'virtual project: nothing to collect';
    const local = kind === 'editable' || kind === 'directory' || members.has(pkg.name);
    if (options.onlyDeps && local) return 'local project (--only-deps)';
    if (noEmit.has(pkg.name)) return 'not emitted (--no-emit-package)';
    const byFlag = noEmitted.get(pkg.name);
    if (byFlag) return `not emitted (${byFlag})`;
    const index = packageIndex(pkg);
    if (includeSet.size > 0 && (index === null || !includeSet.has(index))) {
      return index === null
        ? `not from a selected index (--index): ${kind === 'registry' ? 'the lock does not say which index it is from' : `its source is ${kind}`}`
        : `not from a selected index (--index): locked from ${index}`;
    }
    if (index !== null && excludeSet.has(index)) return `from an excluded index (--exclude-index): ${index}`;
    return null;
  };
}
