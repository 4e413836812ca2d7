/**
 * What a target reaches but does not collect, and why: virtual projects,
 * local projects under `--only-deps`, `--no-emit-package`, and the index
 * filters. (`--exclude-package` prunes during the walk instead: what only an
 * excluded package needs is never reached.)
 */
import { LockhouseError } from '../errors.js';
import type { Package, ProjectSettings } from '../model.js';
import { canonicalizeName } from '../python/names.js';
import type { SelectOptions } from './options.js';

const PYPI = 'https://pypi.org/simple';

/** Trailing slashes and the case of scheme and host do not make another index. */
export function normalizeIndexUrl(url: string): string {
  const trimmed = url.trim().replace(/\/+$/, '');
  const match = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/.exec(trimmed);
  if (!match) return trimmed;
  return `${match[1]!.toLowerCase()}${match[2]!.toLowerCase()}${match[3]!}`;
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

/** The index a package was locked from, normalized; null when it has none (git, url, path, local) or the lock does not say. */
export function packageIndex(pkg: Package): string | null {
  return pkg.source.kind === 'registry' && pkg.source.index !== null ? normalizeIndexUrl(pkg.source.index) : null;
}

export type SkipRule = (pkg: Package) => string | null;

/** One function that says why a reached package is not collected, or null when it is. */
export function skipRule(options: SelectOptions, settings: ProjectSettings, members: ReadonlySet<string>): SkipRule {
  const include = (options.indexes ?? []).map((value) => resolveIndex(value, settings, '--index'));
  const exclude = (options.excludeIndexes ?? []).map((value) => resolveIndex(value, settings, '--exclude-index'));
  const includeSet = new Set(include);
  const excludeSet = new Set(exclude);
  const noEmit = new Set((options.noEmitPackages ?? []).map(canonicalizeName));

  return (pkg) => {
    const kind = pkg.source.kind;
    if (kind === 'virtual') return 'virtual project: nothing to collect';
    const local = kind === 'editable' || kind === 'directory' || members.has(pkg.name);
    if (options.onlyDeps && local) return 'local project (--only-deps)';
    if (noEmit.has(pkg.name)) return 'not emitted (--no-emit-package)';
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
