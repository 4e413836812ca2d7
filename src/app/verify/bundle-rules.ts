/**
 * The rules `verify --bundle` holds a bundle to, as pure functions: the
 * installer's own (bundle/__main__.py — which entries it extracts, how it
 * reads SHA256SUMS and bundle.json; test/bundle/installer.test.ts holds the
 * two to the same cases), and what this lockhouse would write for the
 * bundle's manifest and targets (output/bundle-contents.ts), entry by entry.
 */
import { createHash } from 'node:crypto';
import { isLockhouseError } from '../../errors.js';
import type { MarkerEnvironment, Target } from '../../model.js';
import { bundleContents, SUMS_FILE } from '../../output/bundle-contents.js';
import type { Manifest } from '../../output/manifest.js';
import { tagSet } from '../../python/tags.js';
import { buildTargets } from '../../python/targets.js';

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
/** What zipfile reads: it refuses a zip with an entry that needs a newer version (NotImplementedError). */
export const MAX_EXTRACT_VERSION = 63;

/** An entry as the installer's `entry_kind` sees it. */
export interface EntryFacts {
  readonly name: string;
  readonly mode: number;
  readonly uncompressedSize: number;
  readonly encrypted: boolean;
}

/** 'file' or 'dir', or why the installer refuses the entry (bundle/__main__.py `entry_kind`). */
export function entryKind(entry: EntryFacts): 'file' | 'dir' | { readonly refused: string } {
  const kind = entry.mode & S_IFMT;
  const octal = kind.toString(8);
  if (entry.name.endsWith('/')) {
    if (kind !== 0 && kind !== S_IFDIR) return { refused: `a directory name with file type ${octal}` };
    if (entry.uncompressedSize) return { refused: 'a directory entry with data' };
    return 'dir';
  }
  if (kind === S_IFLNK) return { refused: 'a symbolic link' };
  if (kind === S_IFDIR) return { refused: 'a directory mode on a file name' };
  if (kind !== 0 && kind !== S_IFREG) return { refused: `not a regular file (file type ${octal})` };
  if (entry.encrypted) return { refused: 'encrypted' };
  return 'file';
}

/** Python's str.splitlines() separators: what the installer splits SHA256SUMS on. */
const PYTHON_LINE_BREAKS = /\r\n|[\n\r\v\f\u001c\u001d\u001e\u0085\u2028\u2029]/;

export interface Sums {
  /** Listed name → lower-case sha256. */
  readonly listed: ReadonlyMap<string, string>;
  /** Why lines are unusable, as the installer says it. */
  readonly problems: readonly string[];
}

/** SHA256SUMS as the installer reads it (`read_sums`): UTF-8, one `<sha256> <mark><path>` a line, no line listing itself or a path twice. */
export function parseSums(bytes: Buffer): Sums {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { listed: new Map(), problems: [`${SUMS_FILE} cannot be read: it is not UTF-8`] };
  }
  const listed = new Map<string, string>();
  const problems: string[] = [];
  text.split(PYTHON_LINE_BREAKS).forEach((line, index) => {
    if (line.trim() === '') return;
    const match = /^([0-9A-Fa-f]{64}) [ *](.+)$/.exec(line);
    if (!match) problems.push(`${SUMS_FILE} line ${index + 1} is not '<sha256>  <path>': ${JSON.stringify(line.slice(0, 120))}`);
    else if (match[2] === SUMS_FILE) problems.push(`${SUMS_FILE} lists itself (line ${index + 1})`);
    else if (listed.has(match[2]!)) problems.push(`${SUMS_FILE} lists ${JSON.stringify(match[2])} twice`);
    else listed.set(match[2]!, match[1]!.toLowerCase());
  });
  return { listed, problems };
}

/** A target of bundle.json, as the installer matches it (its markers) and as lockhouse wrote it. */
interface BundleTarget {
  readonly id: string;
  readonly pythonPlatform: string;
  readonly pythonVersion: string;
  readonly markers: Readonly<Record<string, string>>;
  readonly tags: readonly string[];
}

const isStringRecord = (value: unknown): value is Record<string, string> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((item) => typeof item === 'string');

/** bundle.json's targets, or why it is not one lockhouse wrote. */
export function readBundleTargets(bytes: Buffer): readonly BundleTarget[] | { readonly refused: string } {
  let data: unknown;
  try {
    data = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    return { refused: `it is not JSON: ${(error as Error).message}` };
  }
  const targets = (data as { targets?: unknown } | null)?.targets;
  if (!Array.isArray(targets) || targets.length === 0) return { refused: 'it has no targets' };
  const read: BundleTarget[] = [];
  for (const target of targets as unknown[]) {
    const { id, pythonPlatform, pythonVersion, markers, tags } = (target ?? {}) as Record<string, unknown>;
    if (typeof id !== 'string' || typeof pythonPlatform !== 'string' || typeof pythonVersion !== 'string' || !isStringRecord(markers)) {
      return { refused: 'a target without an id, platform, Python version and markers' };
    }
    if (!Array.isArray(tags) || !tags.every((tag) => typeof tag === 'string')) return { refused: `target ${id} has no list of tags` };
    read.push({ id, pythonPlatform, pythonVersion, markers, tags });
  }
  return read;
}

/** The markers the installer matches on, from a target's platform and version; what cannot be known from them is left out. */
function expectedMarkers(target: BundleTarget): Record<string, string> {
  try {
    const [built] = buildTargets({ pythonPlatforms: [target.pythonPlatform], pythonVersions: [target.pythonVersion], platforms: [] });
    if (built && built.id === target.id) {
      const { sys_platform, platform_machine, implementation_name, python_version } = built.markers;
      return { sys_platform, platform_machine, implementation_name, python_version };
    }
  } catch {
    // A host platform uv has no name for (FreeBSD…): its Python markers at least.
  }
  const version = /^(\d+)\.(\d+)/.exec(target.pythonVersion);
  return { implementation_name: 'cpython', ...(version ? { python_version: `${version[1]}.${version[2]}` } : {}) };
}

/** Why bundle.json's targets are not the manifest's, or their markers not their platforms' and versions', or null. */
export function targetsProblem(targets: readonly BundleTarget[], manifest: Manifest): string | null {
  const described = (list: ReadonlyArray<{ id: string; pythonPlatform: string; pythonVersion: string }>): string =>
    JSON.stringify(list.map((target) => [target.id, target.pythonPlatform, target.pythonVersion]));
  if (described(targets) !== described(manifest.targets)) return "its targets are not the manifest's";
  for (const target of targets) {
    for (const [key, value] of Object.entries(expectedMarkers(target))) {
      if (target.markers[key] !== value) return `target ${target.id} says ${key} == ${JSON.stringify(target.markers[key])}, not ${JSON.stringify(value)} as its platform and Python version have`;
    }
  }
  return null;
}

const FINE_MARKERS: readonly (keyof MarkerEnvironment)[] = [
  'implementation_version',
  'os_name',
  'platform_python_implementation',
  'platform_release',
  'platform_system',
  'platform_version',
  'python_full_version',
];

/**
 * Targets as bundleContents takes them, from bundle.json: its markers are
 * the coarse ones, which are all the emitted files' markers use for
 * targets one run can collect for (targets that differ only in finer
 * markers would share an id); the finer ones are left empty.
 */
function renderTargets(targets: readonly BundleTarget[]): Target[] {
  return targets.map((target) => ({
    id: target.id,
    pythonPlatform: target.pythonPlatform,
    pythonVersion: target.pythonVersion,
    markers: { ...Object.fromEntries(FINE_MARKERS.map((key) => [key, ''])), ...target.markers } as unknown as MarkerEnvironment,
    tags: tagSet(target.tags),
  }));
}

/** The requires-python line of an emitted pylock.toml (tomlString writes JSON-compatible escapes), or null. */
export function pylockRequiresPython(bytes: Buffer): string | null {
  const match = /^requires-python = ("(?:[^"\\\n]|\\.)*")$/m.exec(bytes.toString('utf8'));
  if (!match) return null;
  try {
    return JSON.parse(match[1]!) as string;
  } catch {
    return null;
  }
}

export interface Rendered {
  /** Entry name → the sha256 this lockhouse writes there (the data entries: not wheels/). */
  readonly sha256: ReadonlyMap<string, string>;
}

/**
 * What this lockhouse writes in a bundle with this manifest, these targets,
 * requires-python and installer: every entry but the wheels, by sha256. A
 * manifest that cannot be rendered (EMIT_AMBIGUOUS) is a reason instead.
 */
export function renderBundle(input: {
  manifest: Manifest;
  targets: readonly BundleTarget[];
  requiresPython: string | null;
  installer: Buffer;
  /** The bundle's own SBOM, carried as it is: it is made from the lock, which the bundle does not carry (verify/bundle-sbom.ts checks it). */
  sbom?: Buffer | null;
}): Rendered | { readonly refused: string } {
  try {
    const entries = bundleContents({
      manifest: input.manifest,
      targets: renderTargets(input.targets),
      requiresPython: input.requiresPython,
      lockName: input.manifest.lock.path,
      installer: input.installer,
      sbom: input.sbom ?? null,
    });
    return {
      sha256: new Map(entries.flatMap((entry) => ('data' in entry ? [[entry.name, createHash('sha256').update(entry.data).digest('hex')] as const] : []))),
    };
  } catch (error) {
    if (isLockhouseError(error)) return { refused: error.message };
    throw error;
  }
}
