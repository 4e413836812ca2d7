/**
 * Project names (PEP 503), versions as they appear in file names (PEP 440),
 * and distribution file names: wheels (PEP 427, the binary distribution
 * format) and sdists (PEP 625 `.tar.gz` and the legacy extensions real locks
 * still contain).
 *
 * Errors quote the file name the way uv does
 * (`The wheel filename "foo.rs" is invalid: Must end with .whl`), so a user can
 * search for either tool's wording.
 */
import { escapeControls } from '../errors.js';
import { removeUserinfo } from '../secrets.js';
import type { WheelTags } from './tags.js';

/** PEP 503: lower case, every run of `-`, `_` and `.` becomes one `-`. */
export function canonicalizeName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

const PROJECT_NAME = /^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i;

/** A valid PEP 508 project name (before normalization). */
export function isValidProjectName(name: string): boolean {
  return PROJECT_NAME.test(name);
}

// PEP 440's version grammar, with its permitted spellings (`1.0-1`, `1.0.RC1`,
// a leading `v`). Group names are used by normalizeVersion.
const VERSION = new RegExp(
  '^\\s*v?' +
    '(?:(?<epoch>[0-9]+)!)?' +
    '(?<release>[0-9]+(?:\\.[0-9]+)*)' +
    '(?:[-_.]?(?<preL>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?<preN>[0-9]+)?)?' +
    '(?:-(?<postN1>[0-9]+)|[-_.]?(?<postL>post|rev|r)[-_.]?(?<postN2>[0-9]+)?)?' +
    '(?:[-_.]?(?<devL>dev)[-_.]?(?<devN>[0-9]+)?)?' +
    '(?:\\+(?<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?' +
    '\\s*$',
  'i',
);

const PRE_SPELLINGS: Readonly<Record<string, string>> = {
  a: 'a',
  alpha: 'a',
  b: 'b',
  beta: 'b',
  c: 'rc',
  rc: 'rc',
  pre: 'rc',
  preview: 'rc',
};

/** A valid PEP 440 version. */
function isValidVersion(version: string): boolean {
  return VERSION.test(version);
}

/** Digits without leading zeros ("007" → "7"; absent → "0"), exact for any length. */
function number(digits: string | undefined): string {
  return (digits ?? '0').replace(/^0+(?=[0-9])/, '');
}

/**
 * The canonical PEP 440 form of a version (`1.0.0` → `1`, `1.0-1` →
 * `1.post1`, `2.0RC1` → `2rc1`), or null when it is not a valid version.
 * Two versions are equal exactly when their canonical forms are.
 */
export function normalizeVersion(version: string): string | null {
  const m = VERSION.exec(version);
  const g = m?.groups;
  if (!g || g.release === undefined) return null;
  let out = '';
  if (g.epoch !== undefined && number(g.epoch) !== '0') out += `${number(g.epoch)}!`;
  const release = g.release.split('.').map(number);
  while (release.length > 1 && release[release.length - 1] === '0') release.pop();
  out += release.join('.');
  if (g.preL !== undefined) out += `${PRE_SPELLINGS[g.preL.toLowerCase()]}${number(g.preN)}`;
  if (g.postN1 !== undefined) out += `.post${number(g.postN1)}`;
  else if (g.postL !== undefined) out += `.post${number(g.postN2)}`;
  if (g.devL !== undefined) out += `.dev${number(g.devN)}`;
  if (g.local !== undefined) {
    out += `+${g.local.toLowerCase().split(/[-_.]/).map((p) => (/^[0-9]+$/.test(p) ? number(p) : p)).join('.')}`;
  }
  return out;
}

/** A version's canonical form without its local part (`1.0+cpu` → `1`). */
export function withoutLocal(normalized: string): string {
  const plus = normalized.indexOf('+');
  return plus < 0 ? normalized : normalized.slice(0, plus);
}

/** A distribution file name that does not follow its grammar, with the reason in uv's wording. */
export class InvalidFilenameError extends Error {
  constructor(
    message: string,
    readonly filename: string,
    readonly reason: string,
  ) {
    super(message);
    this.name = 'InvalidFilenameError';
  }
}

// C0 controls, DEL and C1 controls (U+009B is CSI on terminals that read
// 8-bit controls): never in a file name, and a way to forge terminal output
// when one is printed. The same set as io/store/safe-paths.ts refuses.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Why a file name is unsafe to write under a directory, or null when it is
 * safe: no path separators, no `..`, no NUL or other control characters.
 */
export function unsafeFilenameReason(filename: string): string | null {
  // One test for the common (safe) case; the reasons below only on failure.
  if (filename !== '' && !/[/\\\u0000-\u001f\u007f-\u009f]|\.\./.test(filename)) return null;
  if (filename === '') return 'Must not be empty';
  if (filename.includes('/')) return 'Must not contain "/"';
  if (filename.includes('\\')) return 'Must not contain "\\"';
  if (filename.includes('..')) return 'Must not contain ".."';
  if (CONTROL.test(filename)) return 'Must not contain control characters';
  return null;
}

/**
 * `"text"` for a message: control characters shown as `\u001b` escapes, so
 * that a name from a lock (untrusted) printed in an error cannot move the
 * cursor, clear the screen or start a line of its own; anything else as
 * written.
 */
export function quoteName(text: string): string {
  return `"${escapeControls(text)}"`;
}

export interface WheelFilename {
  /** Normalized (PEP 503). */
  readonly name: string;
  /** As written in the file name. */
  readonly version: string;
  /** The optional build tag as (leading number, rest). */
  readonly buildTag: readonly [number, string] | null;
  /** The python, abi and platform tag sets, lower case. */
  readonly tags: WheelTags;
  /**
   * A wheel-variant label (`…-py3-none-any-cu128.whl`, uv's preview of the
   * wheel-variant proposal), or null. Installers that do not know variants
   * refuse such names.
   */
  readonly variant: string | null;
}

const TAG_COMPONENT = /^[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*$/;
/**
 * A build tag: digits, then anything else. The rest may not start with a
 * digit, so the split is found one way only: `([0-9]+)([A-Za-z0-9_.]*)` also
 * tried every split of a long run of digits, quadratic time on a failing
 * name (found by test/fuzz).
 */
const BUILD_TAG = /^([0-9]+)([A-Za-z_.][A-Za-z0-9_.]*)?$/;
const VARIANT_LABEL = /^[a-z0-9_.]{1,16}$/;
/**
 * A (possibly dotted) Python tag: `py3`, `cp312`, `pp310`, `graalpy311`, `py2.py3`.
 * One character class after the prefix: `[0-9]*[a-z0-9_]*` matched the same
 * names, but in two ways per dotted part, so a long name that failed
 * (`py3py2.py3py2.…[`) took exponential time (found by test/fuzz).
 */
const PYTHON_TAG = /^(?:py|cp|pp|ip|jy|gp|graalpy)[a-z0-9_]*(?:\.(?:py|cp|pp|ip|jy|gp|graalpy)[a-z0-9_]*)*$/i;

function wheelError(filename: string, reason: string, how = 'is invalid'): InvalidFilenameError {
  const message = `The wheel filename ${quoteName(filename)} ${how}${reason ? `: ${reason}` : ''}`;
  return new InvalidFilenameError(message, filename, reason || how.replace(/^has an /, ''));
}

function tagSet(component: string, filename: string): string[] {
  if (!TAG_COMPONENT.test(component)) {
    throw wheelError(filename, 'Tag components must contain only ASCII letters, digits, underscores, and periods');
  }
  return component.toLowerCase().split('.');
}

/**
 * Parse `{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl`.
 * Throws InvalidFilenameError.
 *
 * @example parseWheelFilename('foo-1.0-py2.py3-none-any.whl').tags.python // ['py2', 'py3']
 */
export function parseWheelFilename(filename: string): WheelFilename {
  const unsafe = unsafeFilenameReason(filename);
  if (unsafe) throw wheelError(filename, unsafe);
  if (!filename.endsWith('.whl')) throw wheelError(filename, 'Must end with .whl');
  const parts = filename.slice(0, -'.whl'.length).split('-');
  const missing = ['Must have a version', 'Must have a Python tag', 'Must have an ABI tag', 'Must have a platform tag'];
  if (parts.length < 5) throw wheelError(filename, missing[parts.length - 1] ?? 'Must have a version');
  if (parts.length > 7) throw wheelError(filename, 'Must have 5 to 7 components, but has more');
  const [name = '', version = ''] = parts;
  let build: string | undefined;
  let variant: string | undefined;
  let tags = parts.slice(2);
  if (parts.length === 7) {
    build = tags[0];
    variant = tags[4];
    tags = tags.slice(1, 4);
  } else if (parts.length === 6) {
    // Six parts: a build tag, or (uv's wheel-variant preview) a variant label
    // after the platform. As uv does, it is a variant only when the third part
    // reads as a Python tag; otherwise it must be a build tag.
    if (PYTHON_TAG.test(tags[0] ?? '')) {
      variant = tags[3];
      tags = tags.slice(0, 3);
    } else {
      build = tags[0];
      tags = tags.slice(1);
    }
  }
  if (!isValidProjectName(name)) throw wheelError(filename, '', 'has an invalid package name');
  if (!isValidVersion(version)) {
    throw wheelError(filename, `"${version}" is not a valid PEP 440 version`, 'has an invalid version');
  }
  let buildTag: readonly [number, string] | null = null;
  if (build !== undefined) {
    const m = BUILD_TAG.exec(build);
    if (!m) {
      const reason =
        build === ''
          ? 'must not be empty'
          : /^[0-9]/.test(build)
            ? 'must contain only ASCII letters, digits, underscores, and periods'
            : 'must start with a digit';
      throw wheelError(filename, reason, 'has an invalid build tag');
    }
    buildTag = [Number(m[1]), m[2] ?? ''];
  }
  if (variant !== undefined && !VARIANT_LABEL.test(variant)) {
    const reason = 'a variant label must be 1 to 16 lower-case letters, digits, underscores or periods';
    throw wheelError(filename, reason, 'has an invalid variant label');
  }
  const [python = '', abi = '', platform = ''] = tags;
  return {
    name: canonicalizeName(name),
    version,
    buildTag,
    tags: { python: tagSet(python, filename), abi: tagSet(abi, filename), platform: tagSet(platform, filename) },
    variant: variant ?? null,
  };
}

/**
 * Source distribution extensions, longest first so `.tar.gz` wins over
 * `.gz`. PEP 625 mandates `.tar.gz`; the others are what older sdists (and
 * uv, for backwards compatibility) still use.
 */
export const SDIST_EXTENSIONS = [
  'tar.gz',
  'tar.bz2',
  'tar.lzma',
  'tar.zst',
  'tar.xz',
  'tar.lz',
  'zip',
  'tar',
  'tgz',
  'tbz',
  'txz',
  'tlz',
] as const;
export type SdistExtension = (typeof SDIST_EXTENSIONS)[number];

/** The sdist extension a file name ends with, or null. */
export function sdistExtension(filename: string): SdistExtension | null {
  for (const extension of SDIST_EXTENSIONS) {
    if (filename.endsWith(`.${extension}`)) return extension;
  }
  return null;
}

export interface SdistFilename {
  /** Normalized (PEP 503). */
  readonly name: string;
  /** As written in the file name. */
  readonly version: string;
  readonly extension: SdistExtension;
}

function sdistError(filename: string, reason: string): InvalidFilenameError {
  return new InvalidFilenameError(`The source distribution filename ${quoteName(filename)} is invalid: ${reason}`, filename, reason);
}

/**
 * Parse `{name}-{version}.{extension}`. Legacy names are ambiguous
 * (`a-1-1.zip`), so, as uv does, the split follows the project name when it is
 * known: the name part is the prefix that normalizes to `projectName`.
 * Without it, the version is what follows the last `-`.
 * Throws InvalidFilenameError.
 */
export function parseSdistFilename(filename: string, projectName?: string): SdistFilename {
  const unsafe = unsafeFilenameReason(filename);
  if (unsafe) throw sdistError(filename, unsafe);
  const extension = sdistExtension(filename);
  if (!extension) {
    const legacy = SDIST_EXTENSIONS.filter((e) => e !== 'tar.gz' && e !== 'zip').map((e) => `.${e}`);
    throw sdistError(filename, `Must end with .tar.gz or .zip (or a legacy ${legacy.join(', ')})`);
  }
  const stem = filename.slice(0, -(extension.length + 1));
  if (projectName !== undefined) {
    const wanted = canonicalizeName(projectName);
    // Normalizing the prefix before every `-` is quadratic (found by
    // test/fuzz: a 40 KB name took seconds), so the prefix's normalized
    // length is counted as the loop goes. It never shrinks, and prefixes of
    // equal normalized length (within one run of separators) normalize alike:
    // one comparison decides.
    let length = 0; // canonicalizeName(stem.slice(0, scanned)).length
    let scanned = 0;
    let inSeparators = false;
    for (let dash = stem.indexOf('-'); dash > 0; dash = stem.indexOf('-', dash + 1)) {
      for (const char of stem.slice(scanned, dash)) {
        const separator = char === '-' || char === '_' || char === '.';
        if (!separator) length += char.toLowerCase().length;
        else if (!inSeparators) length++;
        inSeparators = separator;
      }
      scanned = dash;
      if (length < wanted.length) continue;
      if (length > wanted.length || canonicalizeName(stem.slice(0, dash)) !== wanted) break;
      const version = stem.slice(dash + 1);
      if (!isValidVersion(version)) {
        throw sdistError(filename, `"${version}" is not a valid PEP 440 version`);
      }
      return { name: wanted, version, extension };
    }
    throw sdistError(filename, `Name doesn't start with package name ${wanted}`);
  }
  const dash = stem.lastIndexOf('-');
  if (dash <= 0) throw sdistError(filename, 'Missing name-version separator');
  const name = stem.slice(0, dash);
  const version = stem.slice(dash + 1);
  if (!isValidProjectName(name)) throw sdistError(filename, `"${name}" is not a valid package name`);
  if (!isValidVersion(version)) throw sdistError(filename, `"${version}" is not a valid PEP 440 version`);
  return { name: canonicalizeName(name), version, extension };
}

/**
 * Decode percent-escapes once (`torch-2.11.0%2Bcpu-…whl` →
 * `torch-2.11.0+cpu-…whl`). Escapes that do not form valid UTF-8 stay as
 * written, as uv leaves them.
 */
export function percentDecodeOnce(text: string): string {
  if (!text.includes('%')) return text;
  return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

/**
 * The last segment of a URL's path (query and fragment removed), percent-
 * decoded once. Its userinfo goes first, by the rule that keeps it out of
 * messages (src/secrets.ts): a password with an unencoded `/` or `#`
 * (`https://u:pa/ss#x@host/files/f.whl`) must not become the file's name,
 * and so be printed.
 */
export function urlFilename(text: string): string {
  const url = removeUserinfo(text);
  let end = url.length;
  for (const stop of ['?', '#']) {
    const at = url.indexOf(stop);
    if (at >= 0 && at < end) end = at;
  }
  const path = url.slice(0, end);
  return percentDecodeOnce(path.slice(path.lastIndexOf('/') + 1));
}

/** The last segment of a path, whether written with `/` or `\`. */
export function pathFilename(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

/** `name version` for messages, or the name alone for a package locked without a version (a local project). */
export function packageLabel(name: string, version: string | null): string {
  return version === null ? name : `${name} ${version}`;
}
