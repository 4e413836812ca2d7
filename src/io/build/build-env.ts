/**
 * The environment every frontend (and every frontend probe) runs with.
 *
 * A build's inputs are the sdist (or tree), the interpreter, and build
 * requirements from exactly two places: the package's own index (or its
 * mirror, or none) and the find-links directories lockhouse names (DIR, the
 * user's --find-links). Nothing ambient may add a third: a pip.conf or
 * PIP_EXTRA_INDEX_URL pointing at another index, a constraints file that
 * pins a backend to another version, a find-links directory of whatever
 * happens to be on this machine. Such a build would succeed here and fail on
 * the next machine, or quietly take a backend from an index nobody vetted.
 *
 * So the caller's env is kept (PATH, HOME, proxies, CA settings such as
 * PIP_CERT and SSL_CERT_FILE, compiler flags, SOURCE_DATE_EPOCH for
 * reproducible wheels), but:
 */
import { devNull } from 'node:os';

/** Removed from the caller's env, each for the reason beside it. */
const DROPPED: ReadonlyArray<readonly [string, string]> = [
  // pip (also what `python -m build` installs build requirements with)
  ['PIP_INDEX_URL', 'the index is the lock’s, given on the command line'],
  ['PIP_EXTRA_INDEX_URL', 'a second index the lock never named'],
  ['PIP_FIND_LINKS', 'local directories the lock never named'],
  ['PIP_NO_INDEX', 'lockhouse says --no-index itself when there is no index'],
  ['PIP_CONSTRAINT', 'pins build requirements to versions the lock never saw'],
  ['PIP_BUILD_CONSTRAINT', 'the same, for build requirements only (pip 25.2+)'],
  ['PIP_REQUIRE_VIRTUALENV', 'makes pip refuse to run outside a venv, as the build interpreter usually is'],
  ['PIP_NO_BUILD_ISOLATION', 'isolation is --no-build-isolation’s to decide (and pip reads this variable backwards)'],
  // uv: --no-config covers uv.toml and pyproject settings, not its environment variables
  ['UV_INDEX', 'a second index'],
  ['UV_INDEX_URL', 'the index is given on the command line'],
  ['UV_DEFAULT_INDEX', 'the index is given on the command line'],
  ['UV_EXTRA_INDEX_URL', 'a second index'],
  ['UV_FIND_LINKS', 'local directories the lock never named'],
  ['UV_NO_INDEX', 'lockhouse says --no-index itself'],
  ['UV_CONSTRAINT', 'pins build requirements'],
  ['UV_BUILD_CONSTRAINT', 'pins build requirements'],
  ['UV_OVERRIDE', 'replaces build requirements'],
  ['UV_CONFIG_FILE', 'a configuration file (--no-config also refuses it)'],
  ['UV_NO_BUILD_ISOLATION', 'isolation is --no-build-isolation’s to decide'],
  ['UV_PYTHON', 'the interpreter is given with --python'],
];

/**
 * Removed by name pattern: credentials lockhouse reads for its own
 * downloads. A build backend is the package's own code, and it inherits the
 * frontend's environment; the one credential a build needs (its index's)
 * reaches the frontend in a netrc file instead (index-netrc.ts).
 */
const DROPPED_PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^UV_INDEX_.+_(?:USERNAME|PASSWORD)$/, 'index credentials: the build’s own reach the frontend in a netrc file'],
  [/^LOCKHOUSE_INDEX_.+_(?:USERNAME|PASSWORD)$/, 'index credentials: the build’s own reach the frontend in a netrc file'],
  [/^LOCKHOUSE_MIRROR$/, 'mirror URLs, which may carry credentials'],
];

/** What every frontend gets, whatever the caller's env says. */
const SET_VARIABLES: Readonly<Record<string, string>> = {
  // pip reads no configuration file at all (user, site or global) when this
  // is os.devnull; this machine's pip.conf names local indexes and a
  // constraints file, and a user's may name anything.
  PIP_CONFIG_FILE: devNull,
  // No "a new pip is available" request to PyPI in the middle of an offline build.
  PIP_DISABLE_PIP_VERSION_CHECK: '1',
  // Never wait for an answer at a prompt nobody sees (credentials, confirmations).
  PIP_NO_INPUT: '1',
  // Packages in ~/.local would leak into a --no-build-isolation build (and into
  // the frontend itself): the interpreter's own site-packages only.
  PYTHONNOUSERSITE: '1',
};

const DROPPED_VARIABLES: ReadonlySet<string> = new Set(DROPPED.map(([name]) => name));

/** Is the caller's variable `key` kept out of a build? (Windows environment names are case-insensitive.) */
function isDropped(key: string): boolean {
  const name = process.platform === 'win32' ? key.toUpperCase() : key;
  return DROPPED_VARIABLES.has(name) || DROPPED_PATTERNS.some(([pattern]) => pattern.test(name));
}

/** The caller's env with the policy above applied. Pure: a new object each time. */
export function buildEnv(callerEnv: NodeJS.ProcessEnv, extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(callerEnv)) {
    if (value === undefined || isDropped(key)) continue;
    env[key] = value;
  }
  return { ...env, ...SET_VARIABLES, ...extra };
}

/** For a log: what buildEnv changed, "set A=1 B=2; removed C D" (values of removed variables are never shown). */
export function describeEnvChanges(callerEnv: NodeJS.ProcessEnv, extra: Readonly<Record<string, string>> = {}): string {
  const set = Object.entries({ ...SET_VARIABLES, ...extra }).map(([key, value]) => `${key}=${value}`);
  const present = (name: string): boolean => callerEnv[name] !== undefined;
  const byPattern = Object.keys(callerEnv)
    .filter((name) => present(name) && !DROPPED_VARIABLES.has(name) && isDropped(name))
    .sort();
  const removed = [...[...DROPPED_VARIABLES].filter(present), ...byPattern];
  return `the caller's, with ${set.join(' ')}${removed.length ? `; without ${removed.join(' ')}` : ''}`;
}
