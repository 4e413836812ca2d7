/**
 * PEP 751 pylock.toml → LockGraph, as written by uv, pip and pdm. Follows
 * packaging's `Pylock.from_dict` (packaging/pylock.py), with two leniencies
 * real locks need: a wheel without `name` whose URL ends in a percent-encoded
 * file name (`torch-2.11.0%2Bcpu-…whl`, uv), and `hashes = {}` (uv, for flat
 * find-links pages that had no hash).
 */
import type { Artifact, Hashes, LockGraph, Package, Source } from '../model.js';
import { canonicalizeName, isValidProjectName, pathFilename, urlFilename } from '../python/names.js';
import { type ArchiveWire, type FileWire, type PackageWire, PylockWire } from './pylock-schema.js';
import { type LockFile, MarkerCache, TOP, type Where, child, describeValue, hashProblem, lockError, makeArtifact, requiresPython, schemaError, variantWarning } from './wire.js';

/** Convert a parsed pylock.toml document. Throws LockhouseError. */
export function pylockFromToml(document: Record<string, unknown>, path: string): LockGraph {
  const file: LockFile = { path };
  const warnings: string[] = [];
  checkLockVersion(file, document, warnings);
  const parsed = PylockWire.safeParse(document);
  if (!parsed.success) throw schemaError(file, document, parsed.error, ['packages']);
  const wire = parsed.data;
  const markers = new MarkerCache(file);
  const packages = wire.packages.map((p, index) => convertPackage(file, markers, p, index, warnings));
  return {
    format: 'pylock',
    path: file.path,
    requiresPython: requiresPython(file, child(TOP, 'requires-python'), wire['requires-python']),
    packages,
    uv: null,
    pylock: {
      lockVersion: wire['lock-version'],
      createdBy: wire['created-by'] ?? null,
      environments: wire.environments?.map((text, i) => markers.parse(text, child(TOP, 'environments', i))) ?? null,
      extras: wire.extras ?? [],
      dependencyGroups: wire['dependency-groups'] ?? [],
      defaultGroups: wire['default-groups'] ?? [],
    },
    warnings,
  };
}

/**
 * PEP 751: a lock-version whose major version is not 1 is refused; a newer
 * minor version is read as far as it is known, with a warning.
 */
function checkLockVersion(file: LockFile, document: Record<string, unknown>, warnings: string[]): void {
  const where = child(TOP, 'lock-version');
  const version = document['lock-version'];
  if (version === undefined) {
    throw lockError('LOCK_INVALID_FIELD', file, where, 'expected a string like "1.0", but the key is missing',
      'version' in document ? 'this looks like a uv.lock (it has `version`): name it uv.lock' : undefined);
  }
  const m = typeof version === 'string' ? /^\s*v?([0-9]+)(?:\.([0-9]+))?(?:\.[0-9]+)*\s*$/i.exec(version) : null;
  if (!m) {
    throw lockError('LOCK_INVALID_FIELD', file, where, `expected a version string like "1.0", found ${describeValue(version)}`);
  }
  const major = Number(m[1]);
  const minor = Number(m[2] ?? '0');
  if (major !== 1) {
    const hint =
      major > 1
        ? 'this lock was written for a newer PEP 751 format; upgrade lockhouse, or regenerate it with the tool that wrote it'
        : 'regenerate the lock';
    throw lockError('LOCK_UNSUPPORTED_VERSION', file, where, `version ${String(version)} is not supported (lockhouse reads 1.x)`, hint);
  }
  if (minor > 0) {
    warnings.push(`${file.path}: lock-version ${String(version)} is newer than 1.0; reading the fields lockhouse knows`);
  }
}

function convertPackage(file: LockFile, markers: MarkerCache, wire: PackageWire, index: number, warnings: string[]): Package {
  const label = wire.version === undefined ? wire.name : `${wire.name} ${wire.version}`;
  const where: Where = { keys: ['packages', index], package: label };
  if (!isValidProjectName(wire.name)) {
    const message = `expected a project name, found ${describeValue(wire.name)}`;
    throw lockError('LOCK_INVALID_FIELD', file, child(where, 'name'), message);
  }
  const distributions = (wire.sdist ? 1 : 0) + (wire.wheels?.length ?? 0);
  const direct = (['vcs', 'directory', 'archive'] as const).filter((key) => wire[key] !== undefined);
  if (distributions > 0 && direct.length > 0) {
    const message = `has ${direct.join(' and ')} as well as sdist or wheels; a package has one kind of source`;
    throw lockError('LOCK_INVALID_FIELD', file, where, message);
  }
  if (distributions === 0 && direct.length !== 1) {
    const message =
      direct.length === 0
        ? 'has no source: expected one of vcs, directory, archive, or sdist / wheels'
        : `has ${direct.join(' and ')}; expected exactly one`;
    throw lockError('LOCK_INVALID_FIELD', file, where, message);
  }
  const artifactBase = { packageName: wire.name, packageKey: canonicalizeName(wire.name), packageVersion: wire.version ?? null };
  let source: Source;
  let sdist: Artifact | null = null;
  const wheels: Artifact[] = [];
  if (wire.vcs) {
    const vcs = wire.vcs;
    if (vcs.url === undefined && vcs.path === undefined) {
      throw lockError('LOCK_INVALID_FIELD', file, child(where, 'vcs'), 'expected `url` or `path`, found neither');
    }
    const revision = vcs['requested-revision'];
    source = {
      kind: 'vcs',
      vcs: vcs.type,
      url: vcs.url ?? null,
      path: vcs.path ?? null,
      commit: vcs['commit-id'],
      reference: revision === undefined ? null : { kind: 'rev', value: revision },
      subdirectory: vcs.subdirectory ?? null,
    };
  } else if (wire.directory) {
    const { path, editable, subdirectory } = wire.directory;
    const full = subdirectory === undefined ? path : `${path.replace(/[/\\]+$/, '')}/${subdirectory}`;
    source = { kind: editable ? 'editable' : 'directory', path: full };
  } else if (wire.archive) {
    const at = child(where, 'archive');
    const archive = wire.archive;
    const artifact = fileArtifact(file, at, archive, 'archive', artifactBase);
    source =
      archive.url !== undefined
        ? { kind: 'url', url: archive.url, subdirectory: archive.subdirectory ?? null }
        : { kind: 'path', path: archive.path ?? '' };
    if (artifact?.kind === 'wheel') wheels.push(artifact);
    else if (artifact) sdist = artifact;
    else warnings.push(variantWarning(file, wire.name, [fileName(archive) ?? '']));
  } else {
    source = { kind: 'registry', index: wire.index ?? null };
    if (wire.sdist) sdist = fileArtifact(file, child(where, 'sdist'), wire.sdist, 'sdist', artifactBase);
    const variants: string[] = [];
    for (const [i, wheel] of (wire.wheels ?? []).entries()) {
      const artifact = fileArtifact(file, child(where, 'wheels', i), wheel, 'wheel', artifactBase);
      if (artifact) wheels.push(artifact);
      else variants.push(fileName(wheel) ?? '');
    }
    if (variants.length > 0) warnings.push(variantWarning(file, wire.name, variants));
  }
  return {
    index,
    name: canonicalizeName(wire.name),
    displayName: wire.name,
    version: wire.version ?? null,
    source,
    dependencies: [],
    optionalDependencies: new Map(),
    dependencyGroups: new Map(),
    sdist,
    wheels,
    marker: markers.optional(wire.marker, child(where, 'marker')),
    requiresPython: requiresPython(file, child(where, 'requires-python'), wire['requires-python']),
    where: `packages[${index}]`,
  };
}

/** packaging's `PackageWheel.filename`: `name`, else the path's last segment, else the URL's (percent-decoded once). */
function fileName(wire: { name?: string | undefined; path?: string | undefined; url?: string | undefined }): string | undefined {
  if (wire.name !== undefined) return wire.name;
  if (wire.path !== undefined) return pathFilename(wire.path);
  if (wire.url !== undefined) return urlFilename(wire.url);
  return undefined;
}

function convertHashes(file: LockFile, where: Where, hashes: Record<string, string>): Hashes {
  const out: Record<string, string> = {};
  for (const [algorithm, digest] of Object.entries(hashes)) {
    const name = algorithm.toLowerCase();
    const problem = hashProblem(name, digest);
    if (problem) throw lockError('LOCK_INVALID_FIELD', file, child(where, 'hashes', algorithm), problem);
    out[name] = digest.toLowerCase();
  }
  return out;
}

interface ArtifactBase {
  readonly packageName: string;
  readonly packageKey: string;
  readonly packageVersion: string | null;
}

/**
 * One file of a package: a wheel or an sdist, or an archive, which is a
 * wheel when its name ends in `.whl` and an sdist otherwise (and may carry
 * any safe archive name, as direct URLs do).
 */
function fileArtifact(
  file: LockFile,
  where: Where,
  wire: FileWire | ArchiveWire,
  kind: 'wheel' | 'sdist' | 'archive',
  base: ArtifactBase,
): Artifact | null {
  if (wire.url === undefined && wire.path === undefined) {
    throw lockError('LOCK_INVALID_FIELD', file, where, 'expected `url` or `path`, found neither');
  }
  const filename = fileName(wire) ?? '';
  return makeArtifact(file, where, {
    kind: kind !== 'archive' ? kind : filename.endsWith('.whl') ? 'wheel' : 'sdist',
    filename,
    url: wire.url ?? null,
    path: wire.path ?? null,
    hashes: convertHashes(file, where, wire.hashes),
    size: wire.size ?? null,
    uploadTime: wire['upload-time'] ?? null,
    packageName: base.packageName,
    packageKey: base.packageKey,
    packageVersion: base.packageVersion,
    lenientSdistName: kind === 'archive',
  });
}
