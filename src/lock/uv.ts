/**
 * uv.lock → LockGraph: validate the wire shape (uv-schema.ts), then convert
 * and cross-check in one pass, as uv's `TryFrom<LockWire> for Lock` does:
 * every dependency edge resolves to exactly one locked package, every
 * artifact's file name is derived once and checked, every marker is parsed.
 */
import { formatPath } from '../errors.js';
import type {
  Artifact,
  ConflictItem,
  Dependency,
  LockGraph,
  ManifestRequirement,
  Package,
  Source,
} from '../model.js';
import type { Marker } from '../python/markers.js';
import { canonicalizeName, isValidProjectName, normalizeVersion, pathFilename, urlFilename } from '../python/names.js';
import {
  type ConflictItemWire,
  type DependencyWire,
  LockWire,
  type PackageWire,
  type RequirementWire,
  type SdistWire,
  type WheelWire,
} from './uv-schema.js';
import { convertSource, describeSource, isUrl, sourceKey } from './uv-source.js';
import {
  type LockFile,
  MarkerCache,
  TOP,
  type Where,
  child,
  describeValue,
  lockError,
  makeArtifact,
  parseHashString,
  requiresPython,
  schemaError,
  variantWarning,
} from './wire.js';

/** The lock format version lockhouse reads (uv's `VERSION`); revisions within it are additive. */
const SUPPORTED_VERSION = 1;

/** Convert a parsed uv.lock document. Throws LockhouseError. */
export function uvLockFromToml(document: Record<string, unknown>, path: string): LockGraph {
  const file: LockFile = { path };
  checkVersion(file, document);
  const parsed = LockWire.safeParse(document);
  if (!parsed.success) throw schemaError(file, document, parsed.error, ['package', 'distribution']);
  return convertLock(file, parsed.data);
}

/** Like uv's `LockVersion`: look at `version` alone first, so a future format is refused clearly even if nothing else reads. */
function checkVersion(file: LockFile, document: Record<string, unknown>): void {
  const version = document.version;
  const where = child(TOP, 'version');
  if (version === undefined) {
    const pylock = 'lock-version' in document;
    throw lockError('LOCK_INVALID_FIELD', file, where, 'expected an integer, but the key is missing', pylock
      ? 'this looks like a PEP 751 lock (it has `lock-version`): name it pylock.toml or pylock.<name>.toml'
      : 'a uv.lock starts with `version = 1`; regenerate it with `uv lock`');
  }
  if (typeof version !== 'number' || !Number.isInteger(version)) {
    throw lockError('LOCK_INVALID_FIELD', file, where, `expected an integer, found ${describeValue(version)}`);
  }
  if (version !== SUPPORTED_VERSION) {
    const hint =
      version > SUPPORTED_VERSION
        ? 'this lock was written by a newer uv; upgrade lockhouse, or collect from `uv export --format pylock.toml` instead'
        : 'regenerate the lock with `uv lock`';
    const message = `format version ${version} is not supported (lockhouse reads version ${SUPPORTED_VERSION})`;
    throw lockError('LOCK_UNSUPPORTED_VERSION', file, where, message, hint);
  }
}

/** What identifies a locked package for dependency edges: name, version, source. */
interface Identity {
  readonly name: string;
  readonly version: string | null;
  /** normalizeVersion(version), to compare edges written with another spelling. */
  readonly versionKey: string | null;
  readonly source: Source;
  readonly sourceKey: string;
  readonly where: Where;
}

function convertLock(file: LockFile, wire: LockWire): LockGraph {
  if (wire.package && wire.distribution) {
    const message = 'has both [[package]] and [[distribution]] tables; uv writes one or the other';
    throw lockError('LOCK_INVALID_FIELD', file, TOP, message);
  }
  const legacyDistribution = wire.distribution !== undefined && wire.package === undefined;
  const listKey = legacyDistribution ? 'distribution' : 'package';
  const list = wire.package ?? wire.distribution ?? [];
  const markers = new MarkerCache(file);
  const warnings: string[] = [];

  const identities = list.map((wirePackage, index): Identity => {
    const label = wirePackage.version === undefined ? wirePackage.name : `${wirePackage.name} ${wirePackage.version}`;
    const where: Where = { keys: [listKey, index], package: label };
    if (!isValidProjectName(wirePackage.name)) {
      const message = `expected a project name, found ${describeValue(wirePackage.name)}`;
      throw lockError('LOCK_INVALID_FIELD', file, child(where, 'name'), message);
    }
    const source = convertSource(file, wirePackage.source, child(where, 'source'));
    const version = wirePackage.version ?? null;
    // As uv: only local source trees may leave the version out (it is dynamic).
    if (version === null && source.kind === 'registry') {
      const message = 'expected a string (a package from a registry has a version), but the key is missing';
      throw lockError('LOCK_INVALID_FIELD', file, child(where, 'version'), message);
    }
    return {
      name: canonicalizeName(wirePackage.name),
      version,
      versionKey: version === null ? null : (normalizeVersion(version) ?? version),
      source,
      sourceKey: sourceKey(source),
      where,
    };
  });
  const byName = new Map<string, number[]>();
  for (const [index, identity] of identities.entries()) {
    const same = byName.get(identity.name);
    if (same) same.push(index);
    else byName.set(identity.name, [index]);
  }

  // The earliest locks put a marker on the distribution instead of on the
  // edges into it (uv evaluated it on every edge). Folding it into those edges
  // keeps one meaning for markers: edges decide.
  const packageMarkers = list.map((p) => p.marker);

  const resolver = new EdgeResolver(file, identities, byName);
  const edge = (dep: DependencyWire, where: Where): Dependency => {
    const target = resolver.resolve(dep, where);
    const folded = packageMarkers[target];
    const text = folded === undefined ? dep.marker : dep.marker === undefined ? folded : `(${dep.marker}) and (${folded})`;
    return {
      name: identities[target]?.name ?? canonicalizeName(dep.name),
      target,
      extras: extrasOf(dep.extra),
      marker: text === undefined ? null : markers.parse(text, where, 'marker'),
    };
  };
  const edges = (deps: readonly DependencyWire[] | undefined, where: Where): Dependency[] =>
    (deps ?? []).map((dep, i) => edge(dep, child(where, i)));
  const edgeTable = (table: Record<string, DependencyWire[]> | undefined, where: Where): Map<string, Dependency[]> => {
    const out = new Map<string, Dependency[]>();
    for (const [key, deps] of Object.entries(table ?? {})) {
      const name = canonicalizeName(key);
      out.set(name, [...(out.get(name) ?? []), ...edges(deps, child(where, key))]);
    }
    return out;
  };

  const packages = list.map((wirePackage, index): Package => {
    const identity = identities[index] as Identity;
    const where = identity.where;
    const groupsKey = wirePackage['dev-dependencies'] !== undefined ? 'dev-dependencies' : 'dependency-groups';
    const artifacts = convertArtifacts(file, wirePackage, identity, warnings);
    const metadata = wirePackage.metadata;
    const requiresDev = metadata?.['requires-dev'] ?? metadata?.['dependency-groups'];
    return {
      index,
      name: identity.name,
      displayName: wirePackage.name,
      version: identity.version,
      source: identity.source,
      dependencies: edges(wirePackage.dependencies, child(where, 'dependencies')),
      optionalDependencies: edgeTable(wirePackage['optional-dependencies'], child(where, 'optional-dependencies')),
      dependencyGroups: edgeTable(wirePackage[groupsKey], child(where, groupsKey)),
      sdist: artifacts.sdist,
      wheels: artifacts.wheels,
      marker: null,
      requiresPython: null,
      where: `${listKey}[${index}]`,
      declaredExtras: metadata?.['provides-extras']?.map(canonicalizeName) ?? null,
      declaredGroups: requiresDev === undefined ? null : Object.keys(requiresDev).map(canonicalizeName),
      resolutionMarkers: markerList(markers, wirePackage['resolution-markers'], child(where, 'resolution-markers')),
    };
  });

  const manifest = wire.manifest;
  const manifestWhere = child(TOP, 'manifest');
  const manifestGroups = new Map<string, ManifestRequirement[]>();
  for (const [group, requirements] of Object.entries(manifest?.['dependency-groups'] ?? {})) {
    const where = child(manifestWhere, 'dependency-groups', group);
    manifestGroups.set(canonicalizeName(group), requirements.map((r, i) => requirement(markers, r, child(where, i))));
  }

  return {
    format: 'uv.lock',
    path: file.path,
    requiresPython: requiresPython(file, child(TOP, 'requires-python'), wire['requires-python']),
    packages,
    uv: {
      version: wire.version,
      revision: wire.revision ?? 0,
      legacyDistribution,
      members: (manifest?.members ?? []).map(canonicalizeName),
      requirements: (manifest?.requirements ?? []).map((r, i) =>
        requirement(markers, r, child(manifestWhere, 'requirements', i)),
      ),
      dependencyGroups: manifestGroups,
      conflicts: (wire.conflicts ?? []).map((set, i) =>
        set.map((item, j) => conflictItem(file, item, child(TOP, 'conflicts', i, j))),
      ),
      resolutionMarkers: markerList(markers, wire['resolution-markers'], child(TOP, 'resolution-markers')),
      supportedMarkers: markerList(markers, wire['supported-markers'], child(TOP, 'supported-markers')),
      requiredMarkers: markerList(markers, wire['required-markers'], child(TOP, 'required-markers')),
    },
    pylock: null,
    warnings,
  };
}

function markerList(markers: MarkerCache, texts: readonly string[] | undefined, where: Where): Marker[] {
  return (texts ?? []).map((text, i) => markers.parse(text, child(where, i)));
}

function extrasOf(extra: string | string[] | undefined): string[] {
  if (extra === undefined) return [];
  return (typeof extra === 'string' ? [extra] : extra).map(canonicalizeName);
}

function requirement(markers: MarkerCache, wire: RequirementWire, where: Where): ManifestRequirement {
  return {
    name: canonicalizeName(wire.name),
    extras: (wire.extras ?? []).map(canonicalizeName),
    marker: markers.optional(wire.marker, child(where, 'marker')),
  };
}

function conflictItem(file: LockFile, wire: ConflictItemWire, where: Where): ConflictItem {
  const pkg = canonicalizeName(wire.package);
  if (wire.extra !== undefined && wire.group !== undefined) {
    const message = `expected \`extra\` or \`group\`, found both ("${wire.extra}" and "${wire.group}")`;
    throw lockError('LOCK_INVALID_FIELD', file, where, message);
  }
  if (wire.extra !== undefined) return { package: pkg, kind: 'extra', name: canonicalizeName(wire.extra) };
  if (wire.group !== undefined) return { package: pkg, kind: 'group', name: canonicalizeName(wire.group) };
  return { package: pkg, kind: 'project' };
}

// ---------------------------------------------------------------------------
// Dependency edges

/** Resolves an edge the way uv does: by name; by version and source where the name is locked more than once. */
class EdgeResolver {
  constructor(
    readonly file: LockFile,
    readonly identities: readonly Identity[],
    readonly byName: ReadonlyMap<string, readonly number[]>,
  ) {}

  resolve(dep: DependencyWire, where: Where): number {
    const name = canonicalizeName(dep.name);
    const candidates = this.byName.get(name) ?? [];
    if (candidates.length === 0) {
      const message = `depends on "${dep.name}", but the lock has no package named "${name}"`;
      const hint = 'the lock is incomplete or was edited by hand; regenerate it with `uv lock`';
      throw lockError('LOCK_MISSING_PACKAGE', this.file, where, message, hint);
    }
    let matches = candidates;
    if (dep.version !== undefined) {
      const wanted = normalizeVersion(dep.version) ?? dep.version;
      matches = matches.filter((i) => this.identities[i]?.versionKey === wanted);
    }
    if (dep.source !== undefined) {
      const wanted = sourceKey(convertSource(this.file, dep.source, child(where, 'source')));
      matches = matches.filter((i) => this.identities[i]?.sourceKey === wanted);
    }
    const [only] = matches;
    if (matches.length === 1 && only !== undefined) return only;
    const locked = candidates.map((i) => this.describe(i)).join('; ');
    if (matches.length === 0) {
      const source = dep.source === undefined ? undefined : describeSource(convertSource(this.file, dep.source, where));
      const asked = [dep.version, source].filter((part) => part !== undefined).join(' from ');
      const message = `depends on "${dep.name}" ${asked}, which is not locked (locked: ${locked})`;
      throw lockError('LOCK_MISSING_PACKAGE', this.file, where, message, 'the lock is inconsistent; regenerate it with `uv lock`');
    }
    const which = matches.map((i) => this.describe(i)).join('; ');
    const message = `depends on "${dep.name}", which is locked ${matches.length} times (${which}), and the edge does not say which`;
    const hint = 'uv writes `version` and `source` on every edge to a name locked more than once; regenerate the lock with `uv lock`';
    throw lockError('LOCK_AMBIGUOUS_DEPENDENCY', this.file, where, message, hint);
  }

  describe(index: number): string {
    const identity = this.identities[index];
    if (!identity) return `#${index}`;
    return `${identity.version ?? '(no version)'} from ${describeSource(identity.source)} at ${formatPath(identity.where.keys)}`;
  }
}

// ---------------------------------------------------------------------------
// Artifacts

/**
 * Local source trees and git checkouts are built, never downloaded: their
 * artifact tables (old locks wrote some) mean nothing here.
 */
const NO_ARTIFACTS: ReadonlySet<Source['kind']> = new Set(['vcs', 'directory', 'editable', 'virtual']);

function joinIndexPath(source: Source, path: string): string {
  if (source.kind !== 'registry' || source.index === null || isUrl(source.index)) return path;
  if (/^(?:[/\\]|[A-Za-z]:[/\\])/.test(path)) return path;
  return `${source.index.replace(/[/\\]+$/, '')}/${path}`;
}

function convertArtifacts(
  file: LockFile,
  wire: PackageWire,
  identity: Identity,
  warnings: string[],
): { sdist: Artifact | null; wheels: Artifact[] } {
  const { source, where } = identity;
  if (NO_ARTIFACTS.has(source.kind)) return { sdist: null, wheels: [] };
  const sourceUrl = source.kind === 'url' ? source.url : null;
  const sourcePath = source.kind === 'path' ? source.path : null;
  const lenientSdistName = source.kind !== 'registry';
  /** The fields a wheel and an sdist table share, read the same way. */
  const artifact = (kind: 'wheel' | 'sdist', at: Where, raw: WheelWire | SdistWire, filename: string, url: string | null, path: string | null): Artifact | null =>
    makeArtifact(file, at, {
      kind,
      filename,
      url,
      path,
      hashes: raw.hash === undefined ? {} : parseHashString(file, at, 'hash', raw.hash),
      size: raw.size ?? null,
      uploadTime: raw['upload-time'] ?? raw.upload_time ?? null,
      packageName: wire.name,
      packageKey: identity.name,
      packageVersion: identity.version,
      lenientSdistName,
    });

  const wheels: Artifact[] = [];
  const variants: string[] = [];
  const base = formatPath(where.keys);
  const wireWheels = wire.wheels ?? [];
  for (let i = 0; i < wireWheels.length; i++) {
    const wheel = wireWheels[i] as WheelWire;
    const at: Where = { keys: where.keys.concat('wheels', i), package: where.package, text: `${base}.wheels[${i}]` };
    const url = wheel.url ?? (wheel.path === undefined ? sourceUrl : null);
    const path = wheel.path !== undefined ? joinIndexPath(source, wheel.path) : wheel.url === undefined ? sourcePath : null;
    const filename = wheel.filename ?? (url !== null ? urlFilename(url) : path !== null ? pathFilename(path) : undefined);
    if (filename === undefined) {
      throw lockError('LOCK_INVALID_FIELD', file, at, 'expected `url`, `path` or `filename`, found none of them');
    }
    const made = artifact('wheel', at, wheel, filename, url, path);
    if (made) wheels.push(made);
    else variants.push(filename);
  }
  if (variants.length > 0) warnings.push(variantWarning(file, wire.name, variants));

  let sdist: Artifact | null = null;
  if (wire.sdist) {
    const at = child(where, 'sdist');
    const raw = wire.sdist;
    const url = raw.url ?? (raw.path === undefined ? sourceUrl : null);
    const path = raw.path !== undefined ? joinIndexPath(source, raw.path) : raw.url === undefined ? sourcePath : null;
    const filename = url !== null ? urlFilename(url) : path !== null ? pathFilename(path) : undefined;
    if (filename === undefined) {
      const message = `expected \`url\` or \`path\` (a ${source.kind} package's sdist has neither)`;
      throw lockError('LOCK_INVALID_FIELD', file, at, message);
    }
    sdist = artifact('sdist', at, raw, filename, url, path);
  }
  return { sdist, wheels };
}
