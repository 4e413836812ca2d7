/**
 * pip's --platform tags → platforms, grouped and expanded as pip does.
 */
import { LockhouseError } from '../errors.js';
import { type Os, type Platform, WINDOWS_MACHINE } from './platform.js';
import { macPlatforms } from './tags.js';

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
export function pipPlatforms(tags: readonly string[]): Platform[] {
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
