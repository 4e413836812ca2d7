/**
 * Targets: uv's `--python-platform` names, pip's `--platform` / `--abi` /
 * `--implementation` spellings and `--python-version` values → the
 * `Target`s a run collects for (marker environment + ordered tags). The
 * names and tags become platforms in uv-platforms.ts and pip-platforms.ts;
 * the host's target is built in host.ts. Pure: the caller reads the
 * environment and passes what it found.
 */
import { LockhouseError } from '../errors.js';
import type { Target } from '../model.js';
import type { MarkerEnvironment } from './markers.js';
import { pipPlatforms } from './pip-platforms.js';
import type { Platform } from './platform.js';
import { cpythonAbis, cpythonTags, tagSet, type VersionPair } from './tags.js';
import { uvPlatforms } from './uv-platforms.js';

/** The target flags of DESIGN.md's "Target flags" table, as the CLI read them. */
export interface TargetFlags {
  /** uv's `--python-platform` names. */
  readonly pythonPlatforms: readonly string[];
  /** `--python-version`: "3.12", "3.12.4", "3.13t" (pip's "312" too). */
  readonly pythonVersions: readonly string[];
  /** pip's `--platform` tags. */
  readonly platforms: readonly string[];
  /** pip's `--implementation`; only "cp". */
  readonly implementation?: string | undefined;
  /** pip's `--abi`: replaces each target's ABI list, as pip's `get_supported(abis=…)` does. */
  readonly abis?: readonly string[] | undefined;
  /** The value of MACOSX_DEPLOYMENT_TARGET, if set: the macOS version of uv's darwin names. */
  readonly macosDeploymentTarget?: string | undefined;
}

// ---------------------------------------------------------------------------
// Python versions

/** A parsed --python-version. */
export interface PythonVersion {
  readonly major: number;
  readonly minor: number;
  /** 0 when not given: markers then say X.Y.0. */
  readonly patch: number;
  readonly freeThreaded: boolean;
  /** As the target shows it: "3.12", "3.12.4", "3.13t". */
  readonly text: string;
}

/**
 * "3.12", "3.12.4", "3.13t", "3.13.1t", and pip's "312". CPython 3.3 and
 * newer (older ones need ABI flags we do not model); free-threaded from 3.13,
 * the first release that had it.
 */
export function parsePythonVersion(text: string): PythonVersion {
  const dotted = /^(\d+)\.(\d+)(?:\.(\d+))?(t?)$/.exec(text);
  const nodot = /^(\d)(\d+)$/.exec(text);
  const parts = dotted ?? (nodot ? [text, nodot[1], nodot[2], undefined, ''] : null);
  const invalid = (why: string): LockhouseError =>
    new LockhouseError('TARGET_INVALID_VERSION', `Invalid --python-version "${text}": ${why}.`, {
      hint: 'write X.Y, X.Y.Z or X.Yt, e.g. 3.12, 3.12.4, 3.13t',
    });
  if (!parts) throw invalid('expected X.Y, X.Y.Z or X.Yt');
  const [major, minor, patch] = [Number(parts[1]), Number(parts[2]), Number(parts[3] ?? 0)];
  const freeThreaded = parts[4] === 't';
  if (major !== 3 || minor < 3) throw invalid('lockhouse targets CPython 3.3 and newer');
  if (freeThreaded && minor < 13) throw invalid('free-threaded CPython starts at 3.13');
  const shown = `${major}.${minor}${parts[3] === undefined ? '' : `.${patch}`}${freeThreaded ? 't' : ''}`;
  return { major, minor, patch, freeThreaded, text: shown };
}

// ---------------------------------------------------------------------------
// Targets

const OS_MARKERS = {
  linux: { sys_platform: 'linux', platform_system: 'Linux', os_name: 'posix' },
  darwin: { sys_platform: 'darwin', platform_system: 'Darwin', os_name: 'posix' },
  windows: { sys_platform: 'win32', platform_system: 'Windows', os_name: 'nt' },
} as const;

/**
 * DESIGN.md's marker table. platform_release and platform_version are the
 * empty string, as uv sets them for every --python-platform target: a cross
 * target has no kernel release to report, and "" makes a marker such as
 * `platform_release >= '6'` false rather than guessed.
 */
function crossMarkers(platform: Platform, version: PythonVersion): MarkerEnvironment {
  if (platform.os === 'other') throw new Error(`no marker table for ${platform.name}`);
  return {
    ...OS_MARKERS[platform.os],
    platform_machine: platform.machine,
    platform_release: '',
    platform_version: '',
    ...pythonMarkers(version),
  };
}

/** The marker values that depend on the Python version alone (CPython's). */
export function pythonMarkers(version: PythonVersion) {
  const full = `${version.major}.${version.minor}.${version.patch}`;
  return {
    implementation_name: 'cpython',
    implementation_version: full,
    platform_python_implementation: 'CPython',
    python_full_version: full,
    python_version: `${version.major}.${version.minor}`,
  };
}

/** One platform × one CPython → the target, with `abis` (pip's --abi) in place of CPython's own when given. */
export function makeTarget(
  platform: Platform,
  version: PythonVersion,
  abis: readonly string[] | null,
  markers: MarkerEnvironment,
): Target {
  const pythonVersion: VersionPair = [version.major, version.minor];
  const ordered = cpythonTags({
    pythonVersion,
    abis: abis ?? cpythonAbis(pythonVersion, version.freeThreaded),
    platforms: platform.tags,
  });
  return {
    id: `${platform.name}-cp${version.major}${version.minor}${version.freeThreaded ? 't' : ''}`,
    pythonPlatform: platform.name,
    pythonVersion: version.text,
    markers,
    tags: tagSet(ordered),
  };
}

/** pip's --abi list, lower-cased as packaging's Tag does; null when not given. */
export function abiOverride(abis: readonly string[] | undefined): string[] | null {
  const list = (abis ?? []).map((abi) => abi.trim().toLowerCase()).filter(Boolean);
  return list.length > 0 ? list : null;
}

/**
 * The targets the flags ask for: every platform × every Python version, uv
 * names first, then pip's tags, each in the order given; versions vary
 * fastest. The same target asked for twice is built once.
 */
export function buildTargets(flags: TargetFlags): Target[] {
  if (flags.implementation !== undefined && flags.implementation !== 'cp') {
    throw new LockhouseError(
      'USAGE',
      `--implementation "${flags.implementation}" is not supported: lockhouse computes tags for CPython ("cp") only.`,
    );
  }
  if (flags.pythonVersions.length === 0) {
    throw new LockhouseError('USAGE', 'No Python version to collect for.', { hint: 'add --python-version, e.g. 3.12' });
  }
  if (flags.pythonPlatforms.length === 0 && flags.platforms.length === 0) {
    throw new LockhouseError('USAGE', 'No platform to collect for.', { hint: 'add --python-platform or --platform' });
  }
  const versions = flags.pythonVersions.map(parsePythonVersion);
  const platforms = [...uvPlatforms(flags.pythonPlatforms, flags.macosDeploymentTarget), ...pipPlatforms(flags.platforms)];
  const abis = abiOverride(flags.abis);

  return uniqueTargets(
    platforms.flatMap((platform) => versions.map((version) => makeTarget(platform, version, abis, crossMarkers(platform, version)))),
  );
}

/** Exact duplicates are one target; two Pythons that would share a target id are a usage error. */
export function uniqueTargets(all: readonly Target[]): Target[] {
  const targets = new Map<string, Target>();
  for (const target of all) {
    const twin = targets.get(target.id);
    if (!twin) targets.set(target.id, target);
    else if (twin.markers.python_full_version !== target.markers.python_full_version) {
      throw new LockhouseError(
        'USAGE',
        `--python-version "${twin.pythonVersion}" and "${target.pythonVersion}" would both be target "${target.id}".`,
        { hint: 'give one version per Python minor release' },
      );
    }
  }
  return [...targets.values()];
}

