/**
 * Targets: uv's `--python-platform` names, pip's `--platform` / `--abi` /
 * `--implementation` spellings and `--python-version` values → the
 * `Target`s a run collects for (marker environment + ordered tags), and the
 * host as a target. Pure: the caller reads the environment and the host's
 * interpreter, and passes what it found.
 */
import { LockhouseError } from '../errors.js';
import type { Target } from '../model.js';
import type { MarkerEnvironment } from './markers.js';
import { cpythonAbis, cpythonTags, linuxPlatforms, macPlatforms, tagSet, type VersionPair } from './tags.js';

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

type Os = 'linux' | 'darwin' | 'windows' | 'other';

/** Where a target runs: the part of a target that does not depend on Python. */
interface Platform {
  /** The name the target shows: a uv name, pip's first tag, or the host's. */
  readonly name: string;
  readonly os: Os;
  /** `platform_machine` as CPython reports it there. */
  readonly machine: string;
  /** Platform tags, best first. */
  readonly tags: readonly string[];
}

// ---------------------------------------------------------------------------
// uv's --python-platform names
//
// Taken from uv's crates/uv-configuration/src/target_triple.rs, with uv's
// defaults: `linux` = x86_64 manylinux_2_28, musl = musllinux_1_2, darwin =
// macOS 13.0 unless MACOSX_DEPLOYMENT_TARGET, riscv64 = manylinux_2_39. Also
// uv's aliases (`manylinux_2_28_x86_64`, `manylinux2014_aarch64`,
// `arm64-pc-windows-msvc`). Left out: Android, iOS and Pyodide (no CPython
// wheels to collect for them yet) and uv's `x8664-…` config-file spellings.
//
// Wider than uv, because it costs one pattern: `<arch>-manylinux_2_<N>` for
// any N from 17 (uv lists 17, 28 and 31–40, but 2_24 and 2_27 are real
// images, and a host with glibc 2.41 needs a name too) and for every Linux
// architecture packaging knows, and `<arch>-musllinux_1_<N>`, so that a host
// target's name can be passed back as a flag.

const LINUX_ARCHES = ['x86_64', 'aarch64', 'i686', 'armv7l', 'ppc64le', 's390x', 'riscv64'] as const;
const MANYLINUX_MIN_MINOR = 17;
/** uv's default: the least-recent macOS that is not end-of-life. */
const MACOS_DEFAULT: VersionPair = [13, 0];

type Spec =
  | { readonly os: 'linux'; readonly arch: string; readonly glibc?: VersionPair; readonly musl?: VersionPair }
  | { readonly os: 'darwin'; readonly arch: 'arm64' | 'x86_64' }
  | { readonly os: 'windows'; readonly tag: keyof typeof WINDOWS_MACHINE };

/**
 * What CPython's platform.machine() says on Windows. x64 is "AMD64", as real
 * CPython reports it; uv says "x86_64" there (uv issues 15060 and 16576), so
 * `platform_machine == 'AMD64'` markers select differently in uv — a
 * deliberate difference, in the docs.
 */
const WINDOWS_MACHINE = { win_amd64: 'AMD64', win_arm64: 'ARM64', win32: 'x86' } as const;

const UV_NAMES: ReadonlyMap<string, Spec> = new Map<string, Spec>([
  ['linux', { os: 'linux', arch: 'x86_64', glibc: [2, 28] }],
  ['x86_64-unknown-linux-gnu', { os: 'linux', arch: 'x86_64', glibc: [2, 28] }],
  ['aarch64-unknown-linux-gnu', { os: 'linux', arch: 'aarch64', glibc: [2, 28] }],
  ['riscv64-unknown-linux', { os: 'linux', arch: 'riscv64', glibc: [2, 39] }],
  ['x86_64-unknown-linux-musl', { os: 'linux', arch: 'x86_64', musl: [1, 2] }],
  ['aarch64-unknown-linux-musl', { os: 'linux', arch: 'aarch64', musl: [1, 2] }],
  ['x86_64-manylinux2014', { os: 'linux', arch: 'x86_64', glibc: [2, 17] }],
  ['aarch64-manylinux2014', { os: 'linux', arch: 'aarch64', glibc: [2, 17] }],
  ['macos', { os: 'darwin', arch: 'arm64' }],
  ['aarch64-apple-darwin', { os: 'darwin', arch: 'arm64' }],
  ['x86_64-apple-darwin', { os: 'darwin', arch: 'x86_64' }],
  ['windows', { os: 'windows', tag: 'win_amd64' }],
  ['x86_64-pc-windows-msvc', { os: 'windows', tag: 'win_amd64' }],
  ['aarch64-pc-windows-msvc', { os: 'windows', tag: 'win_arm64' }],
  ['i686-pc-windows-msvc', { os: 'windows', tag: 'win32' }],
]);

const UV_ALIASES: ReadonlyMap<string, string> = new Map([
  ['arm64-pc-windows-msvc', 'aarch64-pc-windows-msvc'],
  ['manylinux2014_x86_64', 'x86_64-manylinux2014'],
  ['manylinux2014_aarch64', 'aarch64-manylinux2014'],
]);

const ARCH_PATTERN = LINUX_ARCHES.join('|');
const MANYLINUX_NAME = new RegExp(`^(${ARCH_PATTERN})-manylinux_2_(\\d+)$`);
const MANYLINUX_ALIAS = new RegExp(`^manylinux_2_(\\d+)_(${ARCH_PATTERN})$`);
const MUSLLINUX_NAME = new RegExp(`^(${ARCH_PATTERN})-musllinux_1_(\\d+)$`);

/** A --python-platform name → its canonical name and meaning, or null if unknown. */
function uvSpec(name: string): { name: string; spec: Spec } | null {
  const canonical = UV_ALIASES.get(name) ?? name.replace(MANYLINUX_ALIAS, '$2-manylinux_2_$1');
  const fixed = UV_NAMES.get(canonical);
  if (fixed) return { name: canonical, spec: fixed };
  const many = MANYLINUX_NAME.exec(canonical);
  if (many?.[1] && Number(many[2]) >= MANYLINUX_MIN_MINOR) {
    return { name: canonical, spec: { os: 'linux', arch: many[1], glibc: [2, Number(many[2])] } };
  }
  const musl = MUSLLINUX_NAME.exec(canonical);
  if (musl?.[1]) return { name: canonical, spec: { os: 'linux', arch: musl[1], musl: [1, Number(musl[2])] } };
  return null;
}

function platformFromSpec(name: string, spec: Spec, macos: () => VersionPair): Platform {
  switch (spec.os) {
    case 'linux':
      return { name, os: 'linux', machine: spec.arch, tags: linuxPlatforms(spec.arch, spec) };
    case 'darwin':
      return { name, os: 'darwin', machine: spec.arch, tags: macPlatforms(macos(), spec.arch) };
    case 'windows':
      return { name, os: 'windows', machine: WINDOWS_MACHINE[spec.tag], tags: [spec.tag] };
  }
}

function unknownPythonPlatform(name: string): LockhouseError {
  const names = [...UV_NAMES.keys()].join(', ');
  return new LockhouseError(
    'TARGET_UNKNOWN_PLATFORM',
    `Unknown --python-platform "${name}". Valid names: ${names}, <arch>-manylinux_2_<N> (N ≥ 17, e.g. ` +
      `x86_64-manylinux_2_28), <arch>-musllinux_1_<N>, where <arch> is ${LINUX_ARCHES.join(', ')}.`,
    { hint: "pip's platform tags (manylinux2014_x86_64, macosx_11_0_arm64, win_amd64…) go to --platform." },
  );
}

/** MACOSX_DEPLOYMENT_TARGET: "14", "14.2", "10.9"; uv reads major and minor, minor 0 if absent. */
function parseMacosVersion(text: string): VersionPair {
  const match = /^(\d+)(?:\.(\d+))?(?:\.\d+)?$/.exec(text.trim());
  const major = Number(match?.[1]);
  if (!match || major < 10) {
    throw new LockhouseError('USAGE', `MACOSX_DEPLOYMENT_TARGET "${text}" is not a macOS version such as 13.0 or 10.9.`, {
      hint: 'unset it to target macOS 13.0, as uv does',
    });
  }
  return [major, Number(match[2] ?? 0)];
}

// ---------------------------------------------------------------------------
// pip's --platform tags

const PIP_LINUX_ARCHES = '(x86_64|i686|aarch64|armv7l|ppc64|ppc64le|s390x|riscv64|loongarch64)';
const PIP_LINUX = new RegExp(`^(?:manylinux_\\d+_\\d+|manylinux1|manylinux2010|manylinux2014|musllinux_\\d+_\\d+|linux)_${PIP_LINUX_ARCHES}$`);
const PIP_MACOS = /^macosx_(\d+)_(\d+)_(arm64|universal2|x86_64|intel|fat64|fat32|fat3|fat|universal|i386|ppc64|ppc)$/;

/**
 * The machine a macOS binary format stands for. `universal2` (arm64 +
 * x86_64) says arm64: Apple silicon is the default Mac, as in uv's `macos`.
 */
const MAC_MACHINE: Readonly<Record<string, string>> = {
  arm64: 'arm64',
  universal2: 'arm64',
  x86_64: 'x86_64',
  intel: 'x86_64',
  fat64: 'x86_64',
  fat32: 'x86_64',
  fat3: 'x86_64',
  universal: 'x86_64',
  fat: 'i386',
  i386: 'i386',
  ppc64: 'ppc64',
  ppc: 'ppc',
};

function pipOs(tag: string): { os: Os; machine: string } | null {
  const linux = PIP_LINUX.exec(tag);
  if (linux?.[1]) return { os: 'linux', machine: linux[1] };
  const mac = PIP_MACOS.exec(tag);
  if (mac?.[3]) return { os: 'darwin', machine: MAC_MACHINE[mac[3]] ?? mac[3] };
  if (tag in WINDOWS_MACHINE) return { os: 'windows', machine: WINDOWS_MACHINE[tag as keyof typeof WINDOWS_MACHINE] };
  return null;
}

/**
 * One --platform tag as pip expands it (pip's `_get_custom_platforms`): a
 * macOS tag becomes mac_platforms(version, arch); manylinux2014 adds
 * manylinux2010 and manylinux1 (x86 only), manylinux2010 adds manylinux1.
 * Everything else stands alone — pip does NOT walk `manylinux_2_28_x86_64`
 * down to older glibc levels, so pip scripts list several `--platform`s.
 */
function pipExpansion(tag: string): string[] {
  const mac = PIP_MACOS.exec(tag);
  if (mac?.[3]) return macPlatforms([Number(mac[1]), Number(mac[2])], mac[3]);
  const cut = tag.indexOf('_');
  const prefix = tag.slice(0, cut);
  const arch = tag.slice(cut + 1);
  if (prefix === 'manylinux2014') {
    return arch === 'x86_64' || arch === 'i686' ? [tag, `manylinux2010_${arch}`, `manylinux1_${arch}`] : [tag];
  }
  if (prefix === 'manylinux2010') return [tag, `manylinux1_${arch}`];
  return [tag];
}

/**
 * pip's --platform tags → platforms. pip merges all its `--platform`s into
 * one list for one environment; we do the same for the tags of one OS and
 * machine (`--platform manylinux_2_28_x86_64 --platform manylinux2014_x86_64`
 * is one target, as in pip), and make each other OS / machine its own target,
 * since a target has one marker environment. Named by its first tag.
 */
function pipPlatforms(tags: readonly string[]): Platform[] {
  const groups = new Map<string, { name: string; os: Os; machine: string; tags: string[] }>();
  for (const raw of tags) {
    const tag = raw.toLowerCase();
    const where = pipOs(tag);
    if (!where) throw unknownPipPlatform(raw);
    const key = `${where.os}/${where.machine}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { name: tag, ...where, tags: [] }));
    for (const expanded of pipExpansion(tag)) if (!group.tags.includes(expanded)) group.tags.push(expanded);
  }
  return [...groups.values()];
}

function unknownPipPlatform(tag: string): LockhouseError {
  return new LockhouseError(
    'TARGET_UNKNOWN_PLATFORM',
    `Unknown --platform "${tag}". Valid tags: manylinux_<X>_<Y>_<arch>, manylinux2014_<arch>, manylinux2010_<arch>, ` +
      `manylinux1_<arch>, musllinux_<X>_<Y>_<arch>, linux_<arch>, macosx_<X>_<Y>_<arch>, win_amd64, win_arm64, win32.`,
    { hint: 'uv\'s names ("linux", "x86_64-manylinux_2_28", "aarch64-apple-darwin"…) go to --python-platform.' },
  );
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

function pythonMarkers(version: PythonVersion) {
  const full = `${version.major}.${version.minor}.${version.patch}`;
  return {
    implementation_name: 'cpython',
    implementation_version: full,
    platform_python_implementation: 'CPython',
    python_full_version: full,
    python_version: `${version.major}.${version.minor}`,
  };
}

function makeTarget(
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
function abiOverride(abis: readonly string[] | undefined): string[] | null {
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
  // Read only when a darwin name needs it, as uv does: a stray value must not break a Linux run.
  let macos: VersionPair | undefined;
  const macosVersion = (): VersionPair =>
    (macos ??= flags.macosDeploymentTarget ? parseMacosVersion(flags.macosDeploymentTarget) : MACOS_DEFAULT);

  const platforms = [
    ...flags.pythonPlatforms.map((name) => {
      const found = uvSpec(name);
      if (!found) throw unknownPythonPlatform(name);
      return platformFromSpec(found.name, found.spec, macosVersion);
    }),
    ...pipPlatforms(flags.platforms),
  ];
  const abis = abiOverride(flags.abis);

  const targets = new Map<string, Target>();
  for (const platform of platforms) {
    for (const version of versions) {
      const target = makeTarget(platform, version, abis, crossMarkers(platform, version));
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
  }
  return [...targets.values()];
}

// ---------------------------------------------------------------------------
// The host

/**
 * What a few lines of Python report about the host interpreter (the caller
 * runs them; see io/python.ts). Each field names the expression that fills it.
 */
export interface HostInfo {
  /** The eleven marker values: packaging.markers.default_environment(), or the same by hand from os, sys, platform. */
  readonly markers: MarkerEnvironment;
  /** sys.version_info[:3] */
  readonly pythonVersion: readonly [number, number, number];
  /** bool(sysconfig.get_config_var("Py_GIL_DISABLED")) */
  readonly freeThreaded: boolean;
  /** sys.implementation.name: "cpython", "pypy"… */
  readonly implementation: string;
  /** sysconfig.get_platform(): "linux-x86_64", "macosx-11.0-arm64", "win-amd64", "win32"… */
  readonly sysconfigPlatform: string;
  /** struct.calcsize("P") * 8: a 32-bit interpreter on a 64-bit OS takes 32-bit wheels. */
  readonly pointerBits: number;
  /** os.confstr("CS_GNU_LIBC_VERSION") without "glibc ": "2.35"; null without glibc. */
  readonly glibcVersion: string | null;
  /** The musl loader's "Version 1.2.4"; null without musl. */
  readonly muslVersion: string | null;
  /** platform.mac_ver()[0]: "14.5" (ask with SYSTEM_VERSION_COMPAT=0, or old builds say 10.16); null elsewhere. */
  readonly macosVersion: string | null;
}

/** "2.35", "2.20-2014.11", "1.2.4" → [major, minor], as packaging's regexes read them; null if unreadable. */
function versionPair(text: string | null): VersionPair | null {
  const match = /^(\d+)\.(\d+)/.exec(text ?? '');
  return match ? [Number(match[1]), Number(match[2])] : null;
}

/** sysconfig's platform as a tag: "linux-x86_64" → "linux_x86_64" (packaging's `_normalize_string`). */
const normalize = (text: string): string => text.replace(/[.\- ]/g, '_');

/** The host's platform, as packaging's `platform_tags()` sees it there. */
function hostPlatform(info: HostInfo): Platform {
  const is32 = info.pointerBits === 32;
  const generic = normalize(info.sysconfigPlatform);
  switch (info.markers.sys_platform) {
    case 'linux': {
      if (!generic.startsWith('linux_')) return { name: generic, os: 'other', machine: info.markers.platform_machine, tags: [generic] };
      let arch = generic.slice('linux_'.length);
      // A 32-bit interpreter on a 64-bit kernel: packaging's i686 / armv8l
      // (we name the latter armv7l, the tag its wheels carry).
      if (is32 && arch === 'x86_64') arch = 'i686';
      if (is32 && arch === 'aarch64') arch = 'armv7l';
      const glibc = versionPair(info.glibcVersion);
      const musl = versionPair(info.muslVersion);
      const name = glibc
        ? `${arch}-manylinux_${glibc[0]}_${glibc[1]}`
        : musl
          ? `${arch}-musllinux_${musl[0]}_${musl[1]}`
          : `linux_${arch}`;
      return { name, os: 'linux', machine: info.markers.platform_machine, tags: linuxPlatforms(arch, { glibc, musl }) };
    }
    case 'darwin': {
      const version = versionPair(info.macosVersion);
      if (!version) throw hostUnknown(info, `macOS version "${info.macosVersion ?? ''}" is unreadable`);
      const machine = info.markers.platform_machine;
      const arch = is32 ? (machine.startsWith('ppc') ? 'ppc' : 'i386') : machine;
      const name =
        arch === 'arm64' ? 'aarch64-apple-darwin' : arch === 'x86_64' ? 'x86_64-apple-darwin' : `macosx_${version[0]}_${version[1]}_${arch}`;
      return { name, os: 'darwin', machine, tags: macPlatforms(version, arch) };
    }
    case 'win32': {
      const names: Record<string, string> = {
        win_amd64: 'x86_64-pc-windows-msvc',
        win_arm64: 'aarch64-pc-windows-msvc',
        win32: 'i686-pc-windows-msvc',
      };
      return { name: names[generic] ?? generic, os: 'windows', machine: info.markers.platform_machine, tags: [generic] };
    }
    default:
      // FreeBSD, Cygwin…: packaging's generic platform, sysconfig's own name.
      return { name: generic, os: 'other', machine: info.markers.platform_machine, tags: [generic] };
  }
}

function hostUnknown(info: HostInfo, why: string): LockhouseError {
  return new LockhouseError('TARGET_HOST_UNKNOWN', `Cannot describe this machine as a target: ${why} (sysconfig platform "${info.sysconfigPlatform}").`, {
    hint: 'name the target with --python-platform and --python-version',
  });
}

/**
 * The host as a target, with its interpreter's real marker values. With
 * `pythonVersion`, the host's platform for another CPython (the Python
 * markers then describe that version; the OS ones stay the host's). `abis`
 * is pip's --abi, as in buildTargets.
 */
export function hostTarget(
  info: HostInfo,
  options: { readonly pythonVersion?: string | undefined; readonly abis?: readonly string[] | undefined } = {},
): Target {
  const platform = hostPlatform(info);
  const abis = abiOverride(options.abis);
  if (options.pythonVersion !== undefined) {
    const version = parsePythonVersion(options.pythonVersion);
    return makeTarget(platform, version, abis, { ...info.markers, ...pythonMarkers(version) });
  }
  if (info.implementation !== 'cpython') {
    throw new LockhouseError(
      'TARGET_HOST_UNKNOWN',
      `The host interpreter is "${info.implementation}"; lockhouse computes tags for CPython only.`,
      { hint: 'name a CPython target with --python-version (and --python-platform)' },
    );
  }
  const [major, minor, patch] = info.pythonVersion;
  const version: PythonVersion = {
    major,
    minor,
    patch,
    freeThreaded: info.freeThreaded,
    text: `${major}.${minor}.${patch}${info.freeThreaded ? 't' : ''}`,
  };
  return makeTarget(platform, version, abis, info.markers);
}

/** Node's process.arch → the architecture in uv's names. */
const NODE_LINUX_ARCH: Readonly<Record<string, string>> = {
  x64: 'x86_64',
  arm64: 'aarch64',
  ia32: 'i686',
  arm: 'armv7l',
  // Node builds for Linux on POWER are little-endian only.
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
};

/**
 * The host as a --python-platform name when there is no interpreter to ask:
 * from Node's process.platform, process.arch and the glibc version of
 * process.report (null on musl). Linux with glibc names its exact glibc
 * level ("x86_64-manylinux_2_35"); musl is uv's musllinux_1_2.
 */
export function nodeHostPlatform(host: { platform: string; arch: string; glibcVersion: string | null | undefined }): string {
  const unknown = (): LockhouseError =>
    new LockhouseError(
      'TARGET_HOST_UNKNOWN',
      `Cannot name a --python-platform for this machine (platform "${host.platform}", arch "${host.arch}", glibc "${host.glibcVersion ?? 'none'}").`,
      { hint: 'pass --python-platform, or --python PATH to ask an interpreter' },
    );
  const byArch = (names: Readonly<Record<string, string>>): string => {
    const name = names[host.arch];
    if (!name) throw unknown();
    return name;
  };
  switch (host.platform) {
    case 'darwin':
      return byArch({ x64: 'x86_64-apple-darwin', arm64: 'aarch64-apple-darwin' });
    case 'win32':
      return byArch({ x64: 'x86_64-pc-windows-msvc', arm64: 'aarch64-pc-windows-msvc', ia32: 'i686-pc-windows-msvc' });
    case 'linux': {
      const arch = NODE_LINUX_ARCH[host.arch];
      if (!arch) throw unknown();
      if (!host.glibcVersion) return byArch({ x64: 'x86_64-unknown-linux-musl', arm64: 'aarch64-unknown-linux-musl' });
      const glibc = versionPair(host.glibcVersion);
      if (!glibc || glibc[0] !== 2 || glibc[1] < MANYLINUX_MIN_MINOR) throw unknown();
      return `${arch}-manylinux_2_${glibc[1]}`;
    }
    default:
      throw unknown();
  }
}
