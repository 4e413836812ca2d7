/**
 * Wheel tags (PEP 425): a target's compatible tags in priority order, and
 * ranking a wheel against them.
 *
 * The order is the one packaging.tags 26.2 yields for a CPython interpreter
 * (`sys_tags` = `cpython_tags` then `compatible_tags`), and the platform lists
 * are the ones its `_manylinux`, `_musllinux` and `mac_platforms` produce for
 * a given glibc, musl or macOS version. test/golden/tags.json pins all of it
 * against packaging itself (scripts/golden/tags.py).
 */
import type { TagSet, WheelTags } from '../model.js';

export type { TagSet, WheelTags };

/**
 * How a wheel fits a target: compatible with the priority of its best tag
 * (lower is better), or incompatible with the first part that failed, in
 * uv's order: python, then abi, then platform.
 */
export type WheelCompatibility =
  | { readonly compatible: true; readonly priority: number }
  | { readonly compatible: false; readonly reason: 'python' | 'abi' | 'platform' };

/** [major, minor] of a Python or libc or macOS version. */
export type VersionPair = readonly [major: number, minor: number];

/** What packaging's `cpython_tags` and `compatible_tags` take. */
export interface InterpreterSpec {
  readonly pythonVersion: VersionPair;
  /** The interpreter's own ABIs, best first: ["cp312"], ["cp313t"], ["cp37m"], or pip's `--abi` list. */
  readonly abis: readonly string[];
  /** Platform tags, best first; never empty. */
  readonly platforms: readonly string[];
}

// ---------------------------------------------------------------------------
// Platform lists

/**
 * Architectures packaging will emit manylinux tags for (`_ALLOWED_ARCHS`, plus
 * i686 and armv7l, which it allows after checking the interpreter's ELF
 * header — a check a cross target takes as passed).
 */
const MANYLINUX_ARCHES = new Set([
  'x86_64', 'i686', 'aarch64', 'armv7l', 'ppc64', 'ppc64le', 's390x', 'loongarch64', 'riscv64',
]);

/** PEP 600 legacy names, emitted right after the manylinux_2_N tag they alias. */
const LEGACY_MANYLINUX = new Map([
  [17, 'manylinux2014'],
  [12, 'manylinux2010'],
  [5, 'manylinux1'],
]);

/**
 * packaging guesses glibc 2.x ends at 2.50 should glibc 3 ever ship
 * (`_LAST_GLIBC_MINOR`), so a 3.x target also accepts 2.50 down.
 */
const LAST_GLIBC_MINOR = 50;

/**
 * manylinux tags for a glibc, newest first, down to 2_5 on x86 (manylinux1's
 * baseline) and 2_17 elsewhere (manylinux2014 was the first to define other
 * architectures).
 */
export function manylinuxPlatforms(arch: string, glibc: VersionPair): string[] {
  if (!MANYLINUX_ARCHES.has(arch)) return [];
  const floor = arch === 'x86_64' || arch === 'i686' ? 5 : 17;
  const out: string[] = [];
  for (let major = glibc[0]; major >= 2; major--) {
    const top = major === glibc[0] ? glibc[1] : LAST_GLIBC_MINOR;
    const bottom = major === 2 ? floor : 0;
    for (let minor = top; minor >= bottom; minor--) {
      out.push(`manylinux_${major}_${minor}_${arch}`);
      const legacy = major === 2 ? LEGACY_MANYLINUX.get(minor) : undefined;
      if (legacy) out.push(`${legacy}_${arch}`);
    }
  }
  return out;
}

/** musllinux tags for a musl version, newest minor first, down to musllinux_X_0. */
export function musllinuxPlatforms(arch: string, musl: VersionPair): string[] {
  const out: string[] = [];
  for (let minor = musl[1]; minor >= 0; minor--) out.push(`musllinux_${musl[0]}_${minor}_${arch}`);
  return out;
}

/**
 * A Linux machine's platform tags: manylinux (if glibc), musllinux (if musl),
 * then `linux_<arch>` LAST. That is packaging 26.2's order (and uv's); 26.3
 * moved `linux_<arch>` ahead of manylinux. We follow 26.2 so that a locally
 * built `linux_*` wheel never beats a portable one from the index.
 */
export function linuxPlatforms(arch: string, libc: { glibc?: VersionPair | null; musl?: VersionPair | null }): string[] {
  return [
    ...(libc.glibc ? manylinuxPlatforms(arch, libc.glibc) : []),
    ...(libc.musl ? musllinuxPlatforms(arch, libc.musl) : []),
    `linux_${arch}`,
  ];
}

const before = (a: VersionPair, b: VersionPair): boolean => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);

/** The binary formats a macOS version runs for an architecture (packaging's `_mac_binary_formats`). */
function macBinaryFormats(version: VersionPair, arch: string): string[] {
  const formats = [arch];
  // Fat and intel binaries date from 10.4; older systems ran none of these x86 builds.
  if (arch === 'x86_64') {
    if (before(version, [10, 4])) return [];
    formats.push('intel', 'fat64', 'fat32');
  } else if (arch === 'i386') {
    if (before(version, [10, 4])) return [];
    formats.push('intel', 'fat32', 'fat');
  } else if (arch === 'ppc64') {
    if (before([10, 5], version) || before(version, [10, 4])) return [];
    formats.push('fat64');
  } else if (arch === 'ppc') {
    if (before([10, 6], version)) return [];
    formats.push('fat32', 'fat');
  }
  if (arch === 'arm64' || arch === 'x86_64') formats.push('universal2');
  if (arch === 'x86_64' || arch === 'i386' || arch === 'ppc64' || arch === 'ppc' || arch === 'intel') {
    formats.push('universal');
  }
  return formats;
}

/**
 * macOS platform tags, as packaging's `mac_platforms(version, arch)`:
 * - before 11, every yearly release bumped the minor: 10.N down to 10.0;
 * - from 11, it bumps the major, so X.0 down to 11.0 (a minor such as 14.2
 *   is dropped: wheels name the major only);
 * - then 10.16 down to 10.4: x86_64 runs old Intel builds, and other
 *   architectures accept `universal2` wheels whose x86_64 half targets them.
 */
export function macPlatforms(version: VersionPair, arch: string): string[] {
  const out: string[] = [];
  const push = (major: number, minor: number, formats: readonly string[]): void => {
    for (const format of formats) out.push(`macosx_${major}_${minor}_${format}`);
  };
  if (version[0] === 10) {
    for (let minor = version[1]; minor >= 0; minor--) push(10, minor, macBinaryFormats([10, minor], arch));
  }
  if (version[0] >= 11) {
    for (let major = version[0]; major >= 11; major--) push(major, 0, macBinaryFormats([major, 0], arch));
    for (let minor = 16; minor >= 4; minor--) {
      push(10, minor, arch === 'x86_64' ? macBinaryFormats([10, minor], arch) : ['universal2']);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Tag order

/**
 * The default ABI list of a release build of CPython X.Y, as packaging's
 * `_cpython_abis` computes it: "cp312", "cp313t" when free-threaded, and
 * "cp37m" before 3.8 (pymalloc builds, the norm; 3.8 dropped the flag).
 */
export function cpythonAbis(pythonVersion: VersionPair, freeThreaded: boolean): string[] {
  const [major, minor] = pythonVersion;
  const pymalloc = major === 3 && minor < 8 ? 'm' : '';
  return [`cp${major}${minor}${freeThreaded ? 't' : ''}${pymalloc}`];
}

/**
 * Every tag a CPython interpreter accepts, best first: packaging's
 * `cpython_tags(python_version, abis, platforms)` followed by
 * `compatible_tags(python_version, "cpXY", platforms)`, which is `sys_tags`
 * on CPython. Repeats are possible (pip's `--platform any`); `tagSet` drops
 * them.
 */
export function cpythonTags(spec: InterpreterSpec): string[] {
  const [major, minor] = spec.pythonVersion;
  const { platforms } = spec;
  const interpreter = `cp${major}${minor}`;
  const out: string[] = [];
  const add = (python: string, abi: string): void => {
    for (const platform of platforms) out.push(`${python}-${abi}-${platform}`);
  };

  // packaging adds abi3 and none itself, at their own ranks; it removes one
  // occurrence of each from the list it is given.
  const abis = [...spec.abis];
  for (const explicit of ['abi3', 'none']) {
    const at = abis.indexOf(explicit);
    if (at >= 0) abis.splice(at, 1);
  }
  for (const abi of abis) add(interpreter, abi);

  // Free-threaded builds (a "t" in the first ABI's flags) cannot load abi3
  // extensions; they take abi3t (PEP 803) at the same ranks instead.
  const threaded = isThreadedCpythonAbi(abis[0] ?? '');
  const stable = major > 3 || (major === 3 && minor >= 2) ? (threaded ? 'abi3t' : 'abi3') : null;
  if (stable) add(interpreter, stable);
  add(interpreter, 'none');
  // The stable ABI is forward compatible: cp39-abi3 runs on 3.12. It began with 3.2.
  if (stable) for (let older = minor - 1; older >= 2; older--) add(`cp${major}${older}`, stable);

  // compatible_tags: pure-Python tags, platform-specific first, then "any".
  const pythons = [`py${major}${minor}`, `py${major}`];
  for (let older = minor - 1; older >= 0; older--) pythons.push(`py${major}${older}`);
  for (const python of pythons) add(python, 'none');
  out.push(`${interpreter}-none-any`);
  for (const python of pythons) out.push(`${python}-none-any`);
  return out;
}

/** "cp313t", "cp313td": a "t" among the flags after the version (packaging's `_is_threaded_cpython`). */
function isThreadedCpythonAbi(abi: string): boolean {
  return /^cp\d+(.*)$/.exec(abi)?.[1]?.includes('t') === true;
}

/**
 * A TagSet from tags in priority order. A repeated tag keeps its first rank,
 * as in packaging's `create_compatible_tags_selector`.
 */
export function tagSet(ordered: readonly string[]): TagSet {
  const unique: string[] = [];
  const priority = new Map<string, number>();
  for (const tag of ordered) {
    if (priority.has(tag)) continue;
    priority.set(tag, unique.length);
    unique.push(tag);
  }
  return { ordered: unique, priority };
}

// ---------------------------------------------------------------------------
// Ranking wheels

/**
 * python → abi → platform → priority, as uv's `Tags` keeps them: ranking a
 * wheel is then a few map lookups on the strings it already has, never
 * building "a-b-c" strings, and the first lookup that fails says which part
 * of the wheel's tag is wrong.
 */
interface TagIndex {
  readonly tree: Map<string, Map<string, Map<string, number>>>;
  readonly freeThreaded: boolean;
}

/** Built once per TagSet, on first use, so a TagSet stays a plain value anyone can write. */
const indexes = new WeakMap<TagSet, TagIndex>();

function indexOf(tags: TagSet): TagIndex {
  let index = indexes.get(tags);
  if (index) return index;
  const tree: TagIndex['tree'] = new Map();
  for (const [tag, rank] of tags.priority) {
    const [python = '', abi = '', platform = ''] = tag.split('-');
    let abis = tree.get(python);
    if (!abis) tree.set(python, (abis = new Map()));
    let platforms = abis.get(abi);
    if (!platforms) abis.set(abi, (platforms = new Map()));
    const known = platforms.get(platform);
    if (known === undefined || rank < known) platforms.set(platform, rank);
  }
  // The best tag carries the interpreter's own ABI: "cp313t" on a free-threaded build.
  index = { tree, freeThreaded: isThreadedCpythonAbi(tags.ordered[0]?.split('-')[1] ?? '') };
  indexes.set(tags, index);
  return index;
}

/** An ABI a free-threaded interpreter can load (uv's `is_freethreaded_compatible_abi`). */
function isFreeThreadedAbi(abi: string): boolean {
  return abi === 'none' || abi === 'abi3t' || isThreadedCpythonAbi(abi);
}

const UPPER = /[A-Z]/;

/** Map lookup, retried in lower case: packaging's Tag lower-cases every part. */
function lookup<V>(map: ReadonlyMap<string, V>, key: string): V | undefined {
  const found = map.get(key);
  return found !== undefined || !UPPER.test(key) ? found : map.get(key.toLowerCase());
}

/**
 * Rank a wheel's tags against a target's. Compatible: the best (lowest)
 * priority over every python × abi × platform the wheel's dotted parts
 * expand to. Incompatible: the closest miss, as uv's `Tags::compatibility`
 * reports it — 'platform' if some python and abi matched, else 'abi' if some
 * python matched, else 'python'. Like uv, a free-threaded target reports
 * 'abi' first for a wheel with no ABI it could load (abi3, cp312…).
 */
export function wheelCompatibility(wheel: WheelTags, tags: TagSet): WheelCompatibility {
  const index = indexOf(tags);
  let best = Infinity;
  let reason: 'python' | 'abi' | 'platform' = 'python';
  for (const python of wheel.python) {
    const abis = lookup(index.tree, python);
    if (!abis) continue;
    if (reason === 'python') reason = 'abi';
    for (const abi of wheel.abi) {
      const platforms = lookup(abis, abi);
      if (!platforms) continue;
      reason = 'platform';
      for (const platform of wheel.platform) {
        const rank = lookup(platforms, platform);
        if (rank !== undefined && rank < best) best = rank;
      }
    }
  }
  if (best !== Infinity) return { compatible: true, priority: best };
  if (index.freeThreaded && !wheel.abi.some(isFreeThreadedAbi)) return { compatible: false, reason: 'abi' };
  return { compatible: false, reason };
}

/** "py2.py3-none-any" → its dotted parts; for tests and messages. */
export function splitTagTriple(triple: string): WheelTags {
  const [python = '', abi = '', platform = ''] = triple.split('-');
  return { python: python.split('.'), abi: abi.split('.'), platform: platform.split('.') };
}
