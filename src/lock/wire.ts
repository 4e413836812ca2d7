/**
 * What uv.ts and pylock.ts share while turning a lock's wire shape into the
 * LockGraph: error messages that say where (file, package, TOML path) and
 * what (expected, found), hashes, markers, and the one place an artifact's
 * file name is derived and checked.
 */
import type { z } from 'zod';
import { type ErrorCode, LockhouseError, escapeControls, formatPath } from '../errors.js';
import type { Artifact, Hashes } from '../model.js';
import { type Marker, MarkerSyntaxError, parseMarker } from '../python/markers.js';
import { isValidSpecifier } from '../python/requires-python.js';
import {
  InvalidFilenameError,
  normalizeVersion,
  parseSdistFilename,
  parseWheelFilename,
  sdistExtension,
  unsafeFilenameReason,
  withoutLocal,
} from '../python/names.js';

/** The lock being converted, for messages. */
export interface LockFile {
  /** The path as given. */
  readonly path: string;
}

/** A TOML path (`['package', 12, 'wheels', 3]`) plus, when known, the package it belongs to: `numpy 2.0.1`. */
export interface Where {
  readonly keys: ReadonlyArray<string | number>;
  readonly package: string | null;
  /** formatPath(keys), when the caller has it already (hot loops build it by concatenation). */
  readonly text?: string;
}

export const TOP: Where = { keys: [], package: null };

export function child(where: Where, ...keys: Array<string | number>): Where {
  return { keys: where.keys.concat(keys), package: where.package };
}

/** "uv.lock: package[12].wheels[3].hash (numpy 2.0.1): expected …". */
export function lockError(
  code: ErrorCode,
  file: LockFile,
  where: Where,
  message: string,
  hint?: string,
): LockhouseError {
  const path = where.text ?? formatPath(where.keys);
  const place = path ? `${path}${where.package ? ` (${where.package})` : ''}: ` : '';
  return new LockhouseError(code, `${file.path}: ${place}${message}`, hint === undefined ? {} : { hint });
}

/**
 * A `requires-python` value, checked as packaging reads specifiers: an
 * invalid one would otherwise refuse every target with a misleading
 * "outside requires-python".
 */
export function requiresPython(file: LockFile, where: Where, value: string | undefined): string | null {
  if (value === undefined) return null;
  if (!isValidSpecifier(value)) {
    throw lockError('LOCK_INVALID_FIELD', file, where, `${describeValue(value)} is not a valid version specifier`, 'requires-python takes PEP 440 specifiers such as ">=3.9, <4"');
  }
  return value;
}

/** How a TOML value reads in a message: `"text"`, `12`, `true`, `an array`, `a table`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') {
    const text = value.length > 80 ? `${value.slice(0, 77)}...` : value;
    return JSON.stringify(text);
  }
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return `a date-time (${value.toISOString()})`;
  if (Array.isArray(value)) return value.length === 0 ? 'an empty array' : 'an array';
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 0) return 'an empty table';
    return `a table (with ${keys.slice(0, 4).join(', ')}${keys.length > 4 ? ', …' : ''})`;
  }
  return String(value);
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'a boolean',
  array: 'an array',
  object: 'a table',
  record: 'a table',
  date: 'a date-time',
};

function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

type Issue = z.core.$ZodIssue;

/**
 * The most specific issue and its path: for a union whose branch got past the
 * union's own level (right type, wrong field inside), that branch's issue;
 * otherwise the issue itself. Branch paths are relative to the union.
 */
function specificIssue(issue: Issue): { issue: Issue; path: PropertyKey[] } {
  if (issue.code === 'invalid_union') {
    const deeper = issue.errors
      .map((branch) => branch[0])
      .filter((first): first is Issue => first !== undefined && first.path.length > 0)
      .sort((a, b) => b.path.length - a.path.length);
    const [best] = deeper;
    if (best) {
      const inner = specificIssue(best);
      return { issue: inner.issue, path: [...issue.path, ...inner.path] };
    }
  }
  return { issue, path: [...issue.path] };
}

function expectation(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type':
      return TYPE_WORDS[issue.expected] ?? issue.expected;
    case 'invalid_union': {
      const words = issue.errors
        .map((branch) => branch[0])
        .filter((first): first is Issue => first?.code === 'invalid_type' || first?.code === 'invalid_value')
        .filter((first) => first.path.length === 0)
        .map((first) => expectation(first));
      return words.length > 0 ? [...new Set(words)].join(' or ') : 'a different value';
    }
    case 'too_small':
      return issue.origin === 'number'
        ? `a number ${issue.inclusive ? '>=' : '>'} ${String(issue.minimum)}`
        : `at least ${String(issue.minimum)} item(s)`;
    case 'invalid_value':
      return issue.values.length === 1
        ? JSON.stringify(issue.values[0])
        : `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return issue.message.replace(/^Invalid input: /, '').toLowerCase();
  }
}

/**
 * Turn the first zod issue into a LockhouseError that names the file, the
 * package (read from the raw TOML when the path starts inside a package list)
 * and the TOML path, with what was expected and what was found.
 */
export function schemaError(
  file: LockFile,
  raw: unknown,
  error: z.ZodError,
  packageLists: readonly string[],
  code: ErrorCode = 'LOCK_INVALID_FIELD',
): LockhouseError {
  const first = error.issues[0];
  if (!first) return lockError(code, file, TOP, 'invalid lock');
  const { issue, path } = specificIssue(first);
  const found = valueAt(raw, path);
  let pkg: string | null = null;
  const [list, index] = path;
  if (typeof list === 'string' && packageLists.includes(list) && typeof index === 'number') {
    pkg = packageLabel(valueAt(raw, [list, index]));
  }
  const others = error.issues.length - 1;
  const more = others > 0 ? ` (and ${others} more problem${others > 1 ? 's' : ''})` : '';
  const what =
    found === undefined && issue.code === 'invalid_type'
      ? `expected ${expectation(issue)}, but the key is missing`
      : `expected ${expectation(issue)}, found ${describeValue(found)}`;
  const keys = path.map((k) => (typeof k === 'symbol' ? String(k) : k));
  return lockError(code, file, { keys, package: pkg }, what + more);
}

/** "numpy 2.0.1", "numpy", or null, from a raw package table. */
function packageLabel(raw: unknown): string | null {
  if (raw === null || typeof raw !== 'object') return null;
  const { name, version } = raw as { name?: unknown; version?: unknown };
  if (typeof name !== 'string') return null;
  return typeof version === 'string' ? `${name} ${version}` : name;
}

/** Expected hex digest lengths of the algorithms we know; others are kept unchecked. */
const DIGEST_LENGTHS: Readonly<Record<string, number>> = {
  md5: 32,
  sha1: 40,
  sha224: 56,
  sha256: 64,
  sha384: 96,
  sha512: 128,
  blake2b: 128,
};

/** Check one algorithm → hex digest pair; returns the error message or null. */
export function hashProblem(algorithm: string, digest: string): string | null {
  if (!/^[a-z0-9_-]+$/.test(algorithm)) return `"${algorithm}" is not a hash algorithm name`;
  if (!/^[0-9a-fA-F]+$/.test(digest)) return `the ${algorithm} digest must be hexadecimal, found ${describeValue(digest)}`;
  const length = DIGEST_LENGTHS[algorithm];
  if (length !== undefined && digest.length !== length) {
    return `a ${algorithm} digest has ${length} hex digits, found ${digest.length}`;
  }
  return null;
}

/** uv.lock's `"sha256:<hex>"` → `{sha256: hex}`. `key` names the field under `at` (built only for a message). */
export function parseHashString(file: LockFile, at: Where, key: string, text: string): Hashes {
  const colon = text.indexOf(':');
  if (colon <= 0) {
    const expected = 'expected "<algorithm>:<hex digest>" (e.g. "sha256:…")';
    throw lockError('LOCK_INVALID_FIELD', file, child(at, key), `${expected}, found ${describeValue(text)}`);
  }
  const algorithm = text.slice(0, colon).toLowerCase();
  const digest = text.slice(colon + 1);
  const problem = hashProblem(algorithm, digest);
  if (problem) throw lockError('LOCK_INVALID_FIELD', file, child(at, key), problem);
  return { [algorithm]: digest.toLowerCase() };
}

/** Parses marker strings once per distinct text (locks repeat the same markers thousands of times). */
export class MarkerCache {
  readonly #cache = new Map<string, Marker>();

  constructor(readonly file: LockFile) {}

  /** `key`, when given, names the field under `where` (the path is built only for a message). */
  parse(text: string, where: Where, key?: string | number): Marker {
    let marker = this.#cache.get(text);
    if (marker === undefined) {
      try {
        marker = parseMarker(text);
      } catch (error) {
        if (!(error instanceof MarkerSyntaxError)) throw error;
        // The parser's message repeats the marker; the first line says what is wrong, and the marker is shown once, below.
        const at = key === undefined ? where : child(where, key);
        throw lockError('LOCK_INVALID_MARKER', this.file, at, `invalid marker: ${error.message.split('\n')[0]}\n${markerExcerpt(text, error.position)}`);
      }
      this.#cache.set(text, marker);
    }
    return marker;
  }

  /** null for an absent marker. */
  optional(text: string | undefined, where: Where): Marker | null {
    return text === undefined ? null : this.parse(text, where);
  }
}

/** A TOML date-time as uv writes upload times: UTC, millisecond precision ("2025-02-13T16:51:21.821Z"). */
function utcTimestamp(date: Date): string {
  const time = date.getTime();
  return Number.isNaN(time) ? String(date) : new Date(time).toISOString();
}

const FILENAME_HINT = 'the lock names a file that is not a wheel or source distribution; regenerate the lock';

/**
 * The local path a `file://` URL names, percent-decoded once; null when it
 * is not one, or cannot be: a host that is not a host, a `%` that starts no
 * escape, escapes that are not UTF-8. The one reading of an artifact's file
 * URL: the lock readers refuse what this cannot read (makeArtifact), and
 * plan/jobs.ts reads the path with it.
 */
export function fileUrlPath(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== 'file:') return null;
  try {
    return decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
}

/** The warning for wheels left out because their names carry a variant label. */
export function variantWarning(file: LockFile, packageName: string, filenames: readonly string[]): string {
  const files = `${filenames.length} wheel-variant file${filenames.length > 1 ? 's' : ''}`;
  return `${file.path}: ${packageName}: left out ${files} (${filenames.join(', ')}); lockhouse does not read wheel variants`;
}

/** An artifact as the lock's wire gives it, before its file name is checked and its tags derived. */
export interface ArtifactInput extends Pick<Artifact, 'kind' | 'filename' | 'url' | 'path' | 'hashes' | 'size'> {
  readonly uploadTime: string | Date | null;
  /** The package's name as written, for messages, and normalized, to check a wheel's file name against. */
  readonly packageName: string;
  readonly packageKey: string;
  readonly packageVersion: string | null;
  /**
   * Direct URL and local archives may carry any archive name
   * (`…/archive/main.zip`); registry sdists must follow the sdist grammar.
   */
  readonly lenientSdistName: boolean;
}

/**
 * `{name}-{version}.{ext}`, split where the package's name says (legacy names
 * are ambiguous), else at the last `-`. The name part need not be the
 * package's: uv does not check it either, and old sdists vary.
 */
function isSdistName(filename: string, packageName: string): boolean {
  for (const project of [packageName, undefined]) {
    try {
      parseSdistFilename(filename, project);
      return true;
    } catch (error) {
      if (!(error instanceof InvalidFilenameError)) throw error;
    }
  }
  return false;
}

/** The message for a file name that is not an sdist name: the reason found without the name hint. */
function sdistFailure(filename: string, packageName: string): string {
  try {
    parseSdistFilename(filename);
  } catch (error) {
    if (error instanceof InvalidFilenameError) return error.message;
    throw error;
  }
  return `The source distribution filename "${filename}" is invalid for package ${packageName}`;
}

/**
 * The one place an artifact's file name is checked: a wheel against the wheel
 * grammar and its package's name and version (as uv and packaging do), an
 * sdist against the sdist grammar. Throws LOCK_INVALID_FILENAME.
 *
 * Returns null for a wheel whose name carries a variant label (uv's
 * wheel-variant preview, `…-py3-none-any-cu128.whl`): no installer lockhouse
 * serves reads those names, so they are left out and the caller warns.
 */
export function makeArtifact(file: LockFile, where: Where, input: ArtifactInput): Artifact | null {
  const invalid = (message: string): LockhouseError =>
    lockError('LOCK_INVALID_FILENAME', file, where, message, FILENAME_HINT);
  let wheelTags: Artifact['wheelTags'] = null;
  let buildTag: Artifact['buildTag'] = null;
  if (input.kind === 'wheel') {
    let parsed;
    try {
      parsed = parseWheelFilename(input.filename);
    } catch (error) {
      if (error instanceof InvalidFilenameError) throw invalid(error.message);
      throw error;
    }
    if (parsed.name !== input.packageKey) {
      throw invalid(`The wheel filename "${input.filename}" does not match the package name "${input.packageName}"`);
    }
    if (input.packageVersion !== null && input.packageVersion !== parsed.version) {
      const locked = normalizeVersion(input.packageVersion);
      const named = normalizeVersion(parsed.version);
      if (locked !== null && named !== null && locked !== named && locked !== withoutLocal(named)) {
        throw invalid(`The wheel filename "${input.filename}" does not match the package version ${input.packageVersion}`);
      }
    }
    if (parsed.variant !== null) return null;
    wheelTags = parsed.tags;
    buildTag = parsed.buildTag;
  } else if (!isSdistName(input.filename, input.packageName)) {
    // Not `{name}-{version}.{ext}`: acceptable only where any archive name is.
    const acceptable =
      input.lenientSdistName && unsafeFilenameReason(input.filename) === null && sdistExtension(input.filename) !== null;
    if (!acceptable) throw invalid(sdistFailure(input.filename, input.packageName));
  }
  if (input.url !== null && /^file:/i.test(input.url) && fileUrlPath(input.url) === null) {
    throw lockError(
      'LOCK_INVALID_FIELD',
      file,
      child({ keys: where.keys, package: where.package }, 'url'),
      `expected a file:// URL of a local path, with valid percent-escapes, found ${describeValue(input.url)}`,
      'a `%` in a path is written `%25`; regenerate the lock',
    );
  }
  return {
    kind: input.kind,
    filename: input.filename,
    url: input.url,
    path: input.path,
    hashes: input.hashes,
    size: input.size,
    uploadTime: input.uploadTime instanceof Date ? utcTimestamp(input.uploadTime) : input.uploadTime,
    wheelTags,
    buildTag,
    where: where.text ?? formatPath(where.keys),
  };
}

/** Characters of a marker shown on each side of the spot: a lock may hold a marker of any length, a message must not. */
const MARKER_WINDOW = 60;

/**
 * The marker around `position`, indented, with a caret under the spot; a
 * long marker is cut with `…` on either side, and control characters are
 * shown as \uXXXX (what a lock holds reaches a terminal only as text).
 */
export function markerExcerpt(text: string, position: number): string {
  const spot = Math.max(0, Math.min(position, text.length));
  const from = Math.max(0, spot - MARKER_WINDOW);
  const to = Math.min(text.length, spot + MARKER_WINDOW);
  const visible = (part: string): string => escapeControls(part);
  const head = from > 0 ? '…' : '';
  const shown = `${head}${visible(text.slice(from, to))}${to < text.length ? '…' : ''}`;
  return `    ${shown}\n    ${' '.repeat(head.length + visible(text.slice(from, spot)).length)}^`;
}
