/**
 * Every error lockhouse reports on purpose is a LockhouseError: a stable code
 * (never reassigned: users search for it, docs/errors.md is keyed by it), a
 * message that says what and where, an optional hint that says what to do,
 * and the exit code DESIGN.md gives it. Layers add data in subclasses only
 * where callers branch on the class (FetchError, BuildError).
 *
 * This file is the one registry of the codes lockhouse prints or writes:
 * - ErrorCodes: errors thrown, failures in lockhouse.json, plan problems and
 *   warnings, each with its exit code;
 * - VerifyCodes: what `lockhouse verify` reports about a file (report kinds,
 *   never thrown).
 * Node's errno-style codes (ENOENT, ELOOP, and ENOTREG, which the hashing
 * code raises for "not a regular file") belong to the fs layer and are not
 * lockhouse codes: they are read with errnoCode (io/store/store-error.ts)
 * and never reach a report. test/errors.test.ts fails on a code used in
 * src/ that is in neither list, or that docs/errors.md does not explain.
 *
 * `clipanion: {type: 'none'}` makes clipanion print the message without a
 * stack trace, should one ever reach it; lockhouse's own handler prints these
 * errors itself (see cli/base-command.ts).
 */

import { scrubSecrets } from './secrets.js';

/** Exit codes, as DESIGN.md "Exit codes" defines them. */
export const ExitCode = {
  OK: 0,
  /** Some artifacts failed; the rest were collected. */
  PARTIAL: 1,
  /** Bad usage, or a lock that cannot be read. */
  USAGE: 2,
  /** A hash mismatch or another integrity failure. */
  INTEGRITY: 3,
  /** Stopped by SIGINT (the CLI exits 128 + the signal's number: 130 for SIGINT, 143 for SIGTERM). */
  INTERRUPTED: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * Stable error codes. Append only: a code, once published, keeps its meaning.
 * Each maps to its exit code.
 */
export const ErrorCodes = {
  // Reading the lock (exit 2)
  LOCK_NOT_FOUND: 2,
  LOCK_NOT_TOML: 2,
  LOCK_LOOKS_LIKE_REQUIREMENTS: 2,
  LOCK_UNKNOWN_FORMAT: 2,
  LOCK_UNSUPPORTED_VERSION: 2,
  LOCK_INVALID_FIELD: 2,
  LOCK_MISSING_PACKAGE: 2,
  LOCK_AMBIGUOUS_DEPENDENCY: 2,
  LOCK_INVALID_FILENAME: 2,
  LOCK_INVALID_MARKER: 2,
  PYPROJECT_INVALID: 2,
  // Targets and selection (exit 2)
  TARGET_UNKNOWN_PLATFORM: 2,
  TARGET_INVALID_VERSION: 2,
  TARGET_HOST_UNKNOWN: 2,
  TARGET_REQUIRES_PYTHON: 2,
  TARGET_UNSUPPORTED_ENVIRONMENT: 2,
  SELECT_UNKNOWN_PACKAGE: 2,
  SELECT_UNKNOWN_EXTRA: 2,
  SELECT_UNKNOWN_GROUP: 2,
  SELECT_UNKNOWN_INDEX: 2,
  SELECT_CONFLICT: 2,
  SELECT_DUPLICATE_PACKAGE: 2,
  SELECT_EMPTY: 2,
  USAGE: 2,
  // Planning: reported per package and target; the rest of the plan stands (exit 1)
  PLAN_NO_ARTIFACT: 1,
  PLAN_BUILD_FORBIDDEN: 1,
  // Collecting: the sources, checked before anything is fetched (exit 2)
  MIRROR_UNUSED: 2,
  // Collecting: the output directory and the cache
  OUTPUT_UNSAFE_PATH: 2,
  OUTPUT_CLEAN_REFUSED: 2,
  OUTPUT_NOT_WRITABLE: 1,
  CACHE_UNWRITABLE: 1,
  /** A symbolic link (or a file) where the cache keeps a folder of its own: never followed; that entry is not used. */
  CACHE_UNSAFE_PATH: 1,
  // Collecting: per file, listed in the manifest's failures; the rest are still collected
  BUILD_FAILED: 1,
  BUILD_WRONG_WHEEL: 1,
  BUILD_WRONG_PLATFORM: 1,
  BUILD_NO_PYTHON: 1,
  BUILD_NO_FRONTEND: 1,
  BUILD_NO_SOURCE: 1,
  GIT_NOT_FOUND: 1,
  GIT_FAILED: 1,
  HASH_MISSING: 1,
  HASH_WEAK: 1,
  OUTPUT_NAME_CLASH: 1,
  OFFLINE_MISSING: 1,
  LOCAL_UNREADABLE: 1,
  /** A local file or project the lock names outside the lock's folder, --project and their repository: not read without --allow-outside-paths. */
  LOCAL_OUTSIDE: 1,
  MIRROR_MISSING: 1,
  INTEGRITY_MISMATCH: 3,
  // lockhouse index: warnings; the index is still written, without what they name
  INDEX_NO_METADATA: 1,
  INDEX_SKIPPED_FILE: 1,
  // Emitting a pylock or requirements file (--emit-pylock, --emit-requirements)
  EMIT_AMBIGUOUS: 1,
  EMIT_INCOMPLETE: 1,
  // A run stopped by SIGINT or SIGTERM (the CLI exits 128 + the signal's number: 130, 143)
  INTERRUPTED: 130,
  // Verifying a wheelhouse (lockhouse verify)
  OUTPUT_NOT_FOUND: 2,
  BUNDLE_UNREADABLE: 1,
  // Deltas (--since OLD on collect and bundle): the base cannot be read (exit 2, before anything is collected)
  SINCE_UNREADABLE: 2,
  // Planning: a warning, listed in the plan's warnings; the exit code is not changed
  PLAN_UNBUILT: 0,
  // Merging parts into one wheelhouse (lockhouse merge): refusals, checked before DIR is touched (exit 2) …
  /** A part that cannot be merged: no such folder, no manifest lockhouse reads, no recorded selection, two parts of one name. */
  MERGE_PART_INVALID: 2,
  /** A part collected from another lock: its manifest's lock sha256 is not the lock's. */
  MERGE_LOCK_MISMATCH: 2,
  /** A part collected with another selection (groups, extras, packages, filters, build flags): the parts must agree. */
  MERGE_SELECTION_MISMATCH: 2,
  /** The parts' targets together are not a set the target flags can name: the merged targets must be given. */
  MERGE_TARGETS_UNCLEAR: 2,
  /** Two different files under one name in the parts. */
  MERGE_NAME_CLASH: 2,
  // … a part's file that is not what the lock (or its manifest) says: nothing lands (exit 3) …
  MERGE_PART_ALTERED: 3,
  // … and, in the merged manifest's failures, what no part provides for a target (exit 1).
  MERGE_MISSING: 1,
  // bundle --from DIR: DIR is not complete and intact for the lock (lockhouse verify's problems), so no bundle is written
  BUNDLE_SOURCE_INCOMPLETE: 1,
  // Downloading (FetchError, io/http): per file, in the manifest's failures
  /** The server answered with an error status (after retries, for those that are retried). */
  FETCH_HTTP_STATUS: 1,
  /** The connection failed: refused, reset, DNS, closed mid-body. */
  FETCH_NETWORK: 1,
  /** TLS failed: an untrusted, expired or mismatched certificate, a protocol error. Never retried. */
  FETCH_TLS: 1,
  /** Connecting, waiting for headers or waiting for body bytes took longer than the timeout. */
  FETCH_TIMEOUT: 1,
  /** More than 10 redirects, or a redirect to something that is not http(s). */
  FETCH_TOO_MANY_REDIRECTS: 1,
  /** More bytes than the response announced, or a page above its size limit. */
  FETCH_BODY_TOO_LONG: 1,
  /** An answer that cannot be used: a 206 for another range, a 416, a malformed Content-Range. */
  FETCH_BAD_RESPONSE: 1,
  /** A URL lockhouse cannot fetch (not http or https, or not a URL). */
  FETCH_BAD_URL: 1,
  /** The caller's AbortSignal fired. */
  FETCH_ABORTED: 1,
  /**
   * A download larger than it may be: past the size the lock gives the file,
   * or, where the lock gives none, past --max-file-size. Not retried.
   */
  FETCH_TOO_LARGE: 1,
  /** A body that arrived slower than --min-rate over a window of --timeout (a stalled or dripping server). */
  FETCH_TOO_SLOW: 1,
  /**
   * A bug: an error that is not a LockhouseError. It ends a command with exit
   * 2 (cli/base-command.ts); met while collecting one file, it is that file's
   * failure in the manifest and the rest are still collected.
   */
  INTERNAL: 2,
  // lockhouse sbom: what the SBOM of a wheelhouse is made from (exit 2: nothing is written)
  SBOM_NO_MANIFEST: 2,
  SBOM_LOCK_MISMATCH: 2,
} as const;
export type ErrorCode = keyof typeof ErrorCodes;

/**
 * What `lockhouse verify` says about one file in DIR (missing[].code,
 * extra[].code in `--json`), or about the lock it checks against
 * (LOCK_CHANGED, `lockChanged` in `--json`). Report kinds, not errors:
 * nothing is thrown with them, and any of them makes verify exit 1
 * (ExitCode.PARTIAL).
 * Stable like ErrorCodes: append only.
 */
export const VerifyCodes = [
  /** Missing: the file is not in DIR. */
  'ABSENT',
  /** Missing or extra: a symbolic link is where a file should be, or in DIR at all (never followed). */
  'SYMLINK',
  /** Missing or extra: a directory, FIFO, socket or device is where a file should be, or in DIR. */
  'NOT_REGULAR',
  /** Missing: the file is there but cannot be read. */
  'UNREADABLE',
  /** Missing: the lock names a file that is not a plain file name; nothing is looked up under it. */
  'UNSAFE_NAME',
  /** Missing: a build for which the manifest records no wheel (for one target, or for all). */
  'NOT_BUILT',
  /** Extra: a file nothing explains for these targets and flags. */
  'UNEXPLAINED',
  /** The lock given is not the one DIR (or the bundle) was collected from: its sha256 differs from the manifest's. */
  'LOCK_CHANGED',
] as const;
export type VerifyCode = (typeof VerifyCodes)[number];

// C0 controls, DEL and C1 controls (U+009B is CSI on terminals that read
// 8-bit controls, as ESC [ is on all of them).
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;
const CONTROLS_BUT_LINE_BREAKS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * Text from a lock or a server made safe to print: control characters shown
 * as `\u009b`-style escapes, so that it cannot move the cursor, recolour or
 * clear the screen, or start a line of its own; anything else as written.
 * The one escaping function: `quoteName` (python/names.ts) quotes file names
 * with it, and every LockhouseError's message and hint pass through it (with
 * `keepLineBreaks`, for the `\n` and tab that messages such as a marker's
 * caret line put there themselves), so server- or lock-supplied text reaches
 * stderr, logs, `--json` and lockhouse.json escaped wherever it was
 * interpolated. Text that may hold a line break of its own (a server's page)
 * is escaped without `keepLineBreaks` where it is interpolated.
 */
export function escapeControls(text: string, keepLineBreaks = false): string {
  const pattern = keepLineBreaks ? CONTROLS_BUT_LINE_BREAKS : CONTROLS;
  pattern.lastIndex = 0;
  if (!pattern.test(text)) return text;
  pattern.lastIndex = 0;
  return text.replace(pattern, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export interface LockhouseErrorOptions {
  hint?: string;
  cause?: unknown;
}

export class LockhouseError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly exitCode: number;
  /** Tells clipanion to print the message only, never a stack trace. */
  readonly clipanion = { type: 'none' } as const;

  constructor(code: ErrorCode, message: string, options: LockhouseErrorOptions = {}) {
    // Escaped, and scrubbed of secrets (secrets.ts): a library caller that prints an error prints none.
    super(scrubSecrets(escapeControls(message, true)), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LockhouseError';
    this.code = code;
    this.hint = options.hint === undefined ? undefined : scrubSecrets(escapeControls(options.hint, true));
    this.exitCode = ErrorCodes[code];
  }

  /** `error[LOCK_NOT_TOML]: message` and, on the next line, `  hint: …`. */
  format(): string {
    const head = `error[${this.code}]: ${this.message}`;
    return this.hint ? `${head}\n  hint: ${this.hint}` : head;
  }
}

export function isLockhouseError(value: unknown): value is LockhouseError {
  return value instanceof LockhouseError;
}

/**
 * Turn a path of keys and indexes into the dotted form users see in messages,
 * as packaging's PylockValidationError does: ['packages', 12, 'wheels', 3,
 * 'hash'] → "packages[12].wheels[3].hash".
 */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else {
      const text = String(key);
      const bare = /^[A-Za-z0-9_-]+$/.test(text);
      out += bare ? (out ? `.${text}` : text) : `[${JSON.stringify(text)}]`;
    }
  }
  return out;
}
