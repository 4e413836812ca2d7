/**
 * PEP 440 specifiers as Python's packaging 26.2 matches them with
 * prereleases=True: `Specifier(text).contains(item, prereleases=True)`,
 * which is how markers compare versions (`python_version >= '3.9'`), and
 * `SpecifierSet(text).contains(item, prereleases=True)`, which is how
 * requires-python is checked.
 *
 * @renovatebot/pep440's `satisfies` is not used, because it disagrees with
 * packaging where a lock can tell:
 * - `satisfies('1.0b1', '>1.0a1')` is false (it rejects every version with
 *   the same release for < and >); packaging says true. Likewise
 *   `<1.0.post1` against 1.0a1.
 * - `==3.11.0.*` against 3.11 is false; packaging pads the release (true).
 * - `===1.0` against 1.0+local is true (it drops the local part); packaging
 *   compares the strings (false).
 * - `~=v3.8` against 3.9 is true; packaging builds its prefix from the text
 *   and so never matches (false).
 * So the rules below follow packaging's `Specifier` and `SpecifierSet`.
 */
import { memoize } from './bounded-cache.js';
import {
  PY_SPACE,
  type Version,
  compareVersions,
  formatVersion,
  isPrerelease,
  parseVersion,
  publicVersion,
  pyStrip,
} from './pep440-version.js';

/** Does the specifier (or set) contain this version string? */
export type Specifier = (item: string) => boolean;

/**
 * packaging's `Specifier` grammar (its `_regex`, with IGNORECASE). Built by
 * concatenation, as packaging builds `f"{op}{value}"`, so
 * `python_version < '=3.8'` is the specifier `<=3.8`.
 */
const SPECIFIER_REGEX = (() => {
  const S = `[${PY_SPACE}]*`;
  const release = '(?:[0-9]+!)?[0-9]+(?:\\.[0-9]+)*';
  const pre = '(?:[-_.]?(?:alpha|beta|preview|pre|a|b|c|rc)[-_.]?[0-9]*)?';
  const post = '(?:-[0-9]+|[-_.]?(?:post|rev|r)[-_.]?[0-9]*)?';
  const dev = '(?:[-_.]?dev[-_.]?[0-9]*)?';
  const local = '(?:\\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?';
  const arbitrary = `===${S}[^${PY_SPACE};)]*`;
  const equality = `(?:==|!=)${S}v?${release}(?:\\.\\*|${pre}${post}${dev}${local})?`;
  const compatible = `~=${S}v?(?:[0-9]+!)?[0-9]+(?:\\.[0-9]+)+${pre}${post}${dev}`;
  const ordered = `(?:<=|>=|<|>)${S}v?${release}${pre}${post}${dev}`;
  return new RegExp(`^${S}(?:${arbitrary}|${equality}|${compatible}|${ordered})${S}$`, 'i');
})();

/** `Specifier(text).contains(item, prereleases=True)`, or null when packaging rejects the specifier. */
export const parseSpecifier = memoize((text: string): Specifier | null =>
  SPECIFIER_REGEX.test(text) ? buildSpecifier(pyStrip(text)) : null,
);

/**
 * `SpecifierSet(text).contains(item, prereleases=True)`, or null when
 * packaging rejects one of its specifiers. The set splits on commas and drops
 * empty pieces, so "" contains everything, even a string that is no version;
 * otherwise an item must satisfy every specifier (`===` compares the item's
 * own text, as `_has_arbitrary` keeps it).
 */
export const parseSpecifierSet = memoize((text: string): Specifier | null => {
  const specifiers: Specifier[] = [];
  for (const piece of text.split(',')) {
    if (pyStrip(piece) === '') continue;
    const specifier = parseSpecifier(piece);
    if (specifier === null) return null;
    specifiers.push(specifier);
  }
  return (item) => specifiers.every((specifier) => specifier(item));
});

function buildSpecifier(spec: string): Specifier {
  const op = spec.startsWith('===') ? '===' : /^(?:~=|==|!=|<=|>=)/.test(spec) ? spec.slice(0, 2) : spec.slice(0, 1);
  const text = pyStrip(spec.slice(op.length));
  if (op === '===') {
    // The one operator that works on any string, version or not.
    const lower = text.toLowerCase();
    return (item) => item.toLowerCase() === lower;
  }
  const matches = (test: (v: Version) => boolean): Specifier => {
    return (item) => {
      const v = parseVersion(item);
      return v !== null && test(v); // anything that is not a version fails, even !=
    };
  };
  if ((op === '==' || op === '!=') && text.endsWith('.*')) {
    const prefix = versionSplit(canonicalizeVersion(text.slice(0, -2)));
    return op === '==' ? matches((v) => prefixMatches(prefix, v)) : matches((v) => !prefixMatches(prefix, v));
  }
  const specVersion = parseVersion(text) as Version; // the grammar above guarantees a version
  switch (op) {
    case '==':
      return matches((v) => equalsExactly(v, specVersion));
    case '!=':
      return matches((v) => !equalsExactly(v, specVersion));
    case '<=':
      return matches((v) => compareVersions(publicVersion(v), specVersion) <= 0);
    case '>=':
      return matches((v) => compareVersions(publicVersion(v), specVersion) >= 0);
    case '<': {
      // <V excludes V's own pre-releases (from V.dev0 up) unless V is one.
      const earliest: Version = { ...specVersion, dev: 0, local: null };
      return matches(
        (v) =>
          compareVersions(v, specVersion) < 0 && (isPrerelease(specVersion) || !isPrerelease(v) || compareVersions(v, earliest) < 0),
      );
    }
    case '>': {
      // >V excludes V's post-releases unless V is one, and V's local versions.
      const postOf = (v: Version): boolean =>
        v.post !== null && compareVersions({ ...v, post: null, dev: null, local: null }, specVersion) === 0;
      return matches(
        (v) =>
          compareVersions(v, specVersion) > 0 &&
          !(specVersion.post === null && postOf(v)) &&
          !(v.local !== null && compareVersions(publicVersion(v), specVersion) === 0),
      );
    }
    default: {
      // ~=: >=V and ==prefix.*, the prefix cut from the text as written (so
      // a leading 'v' ends up in it and nothing matches: packaging does that).
      const prefix = versionSplit(canonicalizeVersion(compatiblePrefix(text)));
      return matches((v) => compareVersions(publicVersion(v), specVersion) >= 0 && prefixMatches(prefix, v));
    }
  }
}

function equalsExactly(v: Version, spec: Version): boolean {
  // Without a local part in the specifier, the candidate's local part is ignored.
  return compareVersions(spec.local === null ? publicVersion(v) : v, spec) === 0;
}

/** packaging's `_version_split`: epoch first, and `1rc2` split in two. */
function versionSplit(version: string): string[] {
  const bang = version.lastIndexOf('!');
  const result = [bang < 0 ? '0' : version.slice(0, bang) || '0'];
  for (const item of version.slice(bang + 1).split('.')) {
    const match = /^([0-9]+)((?:a|b|c|rc)[0-9]+)$/.exec(item);
    if (match) result.push(match[1] as string, match[2] as string);
    else result.push(item);
  }
  return result;
}

function canonicalizeVersion(text: string): string {
  const version = parseVersion(text);
  return version === null ? text : formatVersion(version);
}

function compatiblePrefix(text: string): string {
  const kept: string[] = [];
  for (const part of versionSplit(text)) {
    if (['dev', 'a', 'b', 'rc', 'post'].some((suffix) => part.startsWith(suffix))) break;
    kept.push(part);
  }
  kept.pop();
  const [epoch, ...rest] = kept;
  return `${epoch ?? ''}!${rest.join('.')}`;
}

/** `==prefix.*`: the candidate's release, zero-padded, starts with the prefix. */
function prefixMatches(prefix: readonly string[], v: Version): boolean {
  let numeric = 0;
  while (numeric < prefix.length && /^[0-9]+$/.test(prefix[numeric] as string)) numeric++;
  const candidate = versionSplit(formatVersion(publicVersion(v)));
  let candidateNumeric = 0;
  while (candidateNumeric < candidate.length && /^[0-9]+$/.test(candidate[candidateNumeric] as string)) candidateNumeric++;
  if (candidateNumeric < numeric) candidate.splice(candidateNumeric, 0, ...Array<string>(numeric - candidateNumeric).fill('0'));
  if (candidate.length < prefix.length) return false;
  return prefix.every((part, i) => candidate[i] === part);
}
