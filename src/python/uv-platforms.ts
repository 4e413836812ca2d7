/**
 * uv's --python-platform names → platforms.
 *
 * Taken from uv's crates/uv-configuration/src/target_triple.rs, with uv's
 * defaults: `linux` = x86_64 manylinux_2_28, musl = musllinux_1_2, darwin =
 * macOS 13.0 unless MACOSX_DEPLOYMENT_TARGET, riscv64 = manylinux_2_39. Also
 * uv's aliases (`manylinux_2_28_x86_64`, `manylinux2014_aarch64`,
 * `arm64-pc-windows-msvc`). Left out: Android, iOS and Pyodide (no CPython
 * wheels to collect for them yet) and uv's `x8664-…` config-file spellings.
 *
 * Wider than uv, because it costs one pattern: `<arch>-manylinux_2_<N>` for
 * any N from 17 (uv lists 17, 28 and 31–40, but 2_24 and 2_27 are real
 * images, and a host with glibc 2.41 needs a name too) and for every Linux
 * architecture packaging knows, and `<arch>-musllinux_1_<N>`, so that a host
 * target's name can be passed back as a flag.
 */
import { LockhouseError } from '../errors.js';
import { type Platform, WINDOWS_MACHINE } from './platform.js';
import { linuxPlatforms, macPlatforms, type VersionPair } from './tags.js';

const LINUX_ARCHES = ['x86_64', 'aarch64', 'i686', 'armv7l', 'ppc64le', 's390x', 'riscv64'] as const;
/** The oldest glibc a `<arch>-manylinux_2_<N>` name may name (manylinux2014). */
export const MANYLINUX_MIN_MINOR = 17;
/** uv's default: the least-recent macOS that is not end-of-life. */
const MACOS_DEFAULT: VersionPair = [13, 0];

type Spec =
  | { readonly os: 'linux'; readonly arch: string; readonly glibc?: VersionPair; readonly musl?: VersionPair }
  | { readonly os: 'darwin'; readonly arch: 'arm64' | 'x86_64' }
  | { readonly os: 'windows'; readonly tag: keyof typeof WINDOWS_MACHINE };

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

/**
 * The platforms of uv's --python-platform names, in the order given.
 * MACOSX_DEPLOYMENT_TARGET is read only when a darwin name needs it, as uv
 * does: a stray value must not break a Linux run.
 */
export function uvPlatforms(names: readonly string[], macosDeploymentTarget: string | undefined): Platform[] {
  let macos: VersionPair | undefined;
  const macosVersion = (): VersionPair => (macos ??= macosDeploymentTarget ? parseMacosVersion(macosDeploymentTarget) : MACOS_DEFAULT);
  return names.map((name) => {
    const found = uvSpec(name);
    if (!found) throw unknownPythonPlatform(name);
    return platformFromSpec(found.name, found.spec, macosVersion);
  });
}
