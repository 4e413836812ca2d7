/**
 * PEP 440 versions as Python's packaging 26.2 reads, orders and prints them
 * (`Version`, its `_cmpkey` and `__str__`): the half of PEP 440 that
 * pep440-specifier.ts compares with.
 *
 * Versions are parsed by @renovatebot/pep440 (`parse` with an anchored copy
 * of its VERSION_PATTERN, padded with Python whitespace as packaging's
 * `Version` allows). Its comparisons are not used: they disagree with
 * packaging (see pep440-specifier.ts), and its local segments go through
 * Number(), so `+0x1` equals `+1`; `clean()` prints `1.0+abc.1` as
 * `1.0+abc,1`; `compare()` re-parses strings on every call and throws on
 * surrounding whitespace. So the local segment is re-read from the text, and
 * the comparison key below follows packaging's `_cmpkey`.
 * Release numbers are JavaScript numbers: exact up to 2**53, which no real
 * version exceeds (Python's ints are unbounded).
 */
import { parse as parsePep440 } from '@renovatebot/pep440';
import { VERSION_PATTERN } from '@renovatebot/pep440/lib/version.js';
import { memoize } from './bounded-cache.js';

/** Python's `\s` and str.strip() whitespace (str.isspace), not JavaScript's `\s`. */
export const PY_SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

export interface Version {
  readonly epoch: number;
  readonly release: readonly number[];
  readonly pre: readonly [string, number] | null;
  readonly post: number | null;
  readonly dev: number | null;
  readonly local: readonly (string | number)[] | null;
}

/** What renovate's `parse` really returns (its .d.ts says otherwise). */
interface Pep440Parts {
  readonly epoch: number;
  readonly release: number[];
  readonly pre: [string, number] | null;
  readonly post: [string, number] | null;
  readonly dev: [string, number] | null;
}

const VERSION_REGEX = new RegExp(`^[${PY_SPACE}]*(?:${VERSION_PATTERN})[${PY_SPACE}]*$`, 'i');
const STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'g');

/** Python's str.strip(). */
export function pyStrip(text: string): string {
  return text.replace(STRIP, '');
}

/** `Version(text)`, or null where packaging raises InvalidVersion. */
export const parseVersion = memoize((text: string): Version | null => {
  const parts = parsePep440(text, VERSION_REGEX) as unknown as Pep440Parts | null;
  if (parts === null) return null;
  const plus = text.indexOf('+');
  return {
    epoch: parts.epoch,
    release: parts.release,
    pre: parts.pre,
    post: parts.post === null ? null : parts.post[1],
    dev: parts.dev === null ? null : parts.dev[1],
    local:
      plus < 0
        ? null
        : pyStrip(text.slice(plus + 1))
            .split(/[._-]/)
            .map((part) => (/^[0-9]+$/.test(part) ? Number(part) : part.toLowerCase())),
  };
});

const PRE_RANK: Readonly<Record<string, number>> = { a: 0, b: 1, rc: 2 };

/** packaging's `_cmpkey` order: epoch, release without trailing zeros, pre/post/dev, local. */
export function compareVersions(a: Version, b: Version): number {
  if (a.epoch !== b.epoch) return a.epoch - b.epoch;
  const release = compareReleases(a.release, b.release);
  if (release !== 0) return release;
  const suffix = compareTuples(suffixKey(a), suffixKey(b));
  if (suffix !== 0) return suffix;
  if (a.local === null || b.local === null) return (a.local === null ? 0 : 1) - (b.local === null ? 0 : 1);
  for (let i = 0; i < Math.min(a.local.length, b.local.length); i++) {
    const x = a.local[i] as string | number;
    const y = b.local[i] as string | number;
    if (x === y) continue;
    // Strings sort before numbers; strings by code point, numbers by value.
    if (typeof x !== typeof y) return typeof x === 'string' ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return a.local.length - b.local.length;
}

function compareReleases(a: readonly number[], b: readonly number[]): number {
  const length = Math.max(trimmedLength(a), trimmedLength(b));
  for (let i = 0; i < length; i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

function trimmedLength(release: readonly number[]): number {
  let end = release.length;
  while (end > 0 && release[end - 1] === 0) end--;
  return end;
}

function suffixKey(v: Version): number[] {
  // A dev release with no pre or post part sorts before every pre-release.
  const preRank = v.pre !== null ? (PRE_RANK[v.pre[0]] ?? 0) : v.post === null && v.dev !== null ? -1 : 3;
  return [preRank, v.pre?.[1] ?? 0, v.post === null ? 0 : 1, v.post ?? 0, v.dev === null ? 1 : 0, v.dev ?? 0];
}

function compareTuples(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) {
    const diff = (a[i] as number) - (b[i] as number);
    if (diff !== 0) return diff;
  }
  return 0;
}

export const isPrerelease = (v: Version): boolean => v.pre !== null || v.dev !== null;
export const publicVersion = (v: Version): Version => (v.local === null ? v : { ...v, local: null });

/** str(Version): the normalised spelling. */
export function formatVersion(v: Version): string {
  let text = v.release.join('.');
  if (v.epoch !== 0) text = `${v.epoch}!${text}`;
  if (v.pre !== null) text += `${v.pre[0]}${v.pre[1]}`;
  if (v.post !== null) text += `.post${v.post}`;
  if (v.dev !== null) text += `.dev${v.dev}`;
  if (v.local !== null) text += `+${v.local.join('.')}`;
  return text;
}
