/**
 * The host as a target: from what its interpreter reports (HostInfo), or,
 * with no interpreter to ask, as a --python-platform name from what Node
 * knows. Pure: the caller (io/python.ts, app/targets.ts) asks the host and
 * passes what it found.
 */
import { LockhouseError } from '../errors.js';
import type { Target } from '../model.js';
import type { MarkerEnvironment } from './markers.js';
import type { Platform } from './platform.js';
import { linuxPlatforms, macPlatforms, type VersionPair } from './tags.js';
import { type PythonVersion, abiOverride, makeTarget, parsePythonVersion, pythonMarkers } from './targets.js';
import { MANYLINUX_MIN_MINOR } from './uv-platforms.js';

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
