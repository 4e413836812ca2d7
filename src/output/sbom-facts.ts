/**
 * What the SBOM says (docs/sbom.md), as plain data: a collection's manifest,
 * its lock and the selection replayed from the manifest → one entry per
 * collected file, the workspace members, and who depends on whom. Pure; the
 * CycloneDX document itself is written from these facts by output/sbom.ts.
 *
 * Nothing here may vary between two renderings of one collection: no
 * origin (download or cache), no mtime, no path of the machine (a built
 * local project's directory is the lock's relative path, never the
 * absolute one builtFrom records), so `collect --emit-sbom`, the SBOM in a
 * bundle and `lockhouse sbom DIR` write the same bytes. Every URL goes
 * through redactUrl: no userinfo ever reaches the document.
 */
import { byText, compareText } from '../compare.js';
import { redactUrl } from '../redact.js';
import type { Artifact, LockGraph, Package } from '../model.js';
import { canonicalizeName } from '../python/names.js';
import { packageIndex, PYPI } from '../select/filters.js';
import type { SelectedEdge, Selection } from '../select/selection.js';
import { workspaceRoots } from '../select/uv-roots.js';
import type { Manifest, ManifestArtifact } from './manifest.js';

/** The algorithms CycloneDX names, by the lock's spelling of them. */
const HASH_NAMES: Readonly<Record<string, SbomHashAlgorithm>> = {
  md5: 'MD5',
  sha1: 'SHA-1',
  sha256: 'SHA-256',
  sha384: 'SHA-384',
  sha512: 'SHA-512',
  sha3_256: 'SHA3-256',
  sha3_384: 'SHA3-384',
  sha3_512: 'SHA3-512',
  blake2b: 'BLAKE2b-512',
};
export type SbomHashAlgorithm = 'MD5' | 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512' | 'SHA3-256' | 'SHA3-384' | 'SHA3-512' | 'BLAKE2b-512';

export interface SbomHash {
  readonly alg: SbomHashAlgorithm;
  readonly content: string;
}

export interface SbomReference {
  readonly type: 'distribution' | 'source-distribution' | 'vcs';
  readonly url: string;
}

/** A name-value pair under the `lockhouse:` namespace; a name may repeat (one `lockhouse:target` per target). */
export type SbomProperty = readonly [name: string, value: string];

/** A PyPI package as a purl names it: `pkg:pypi/name@version?qualifiers`. */
export interface SbomPurl {
  readonly name: string;
  readonly version: string | null;
  /** file_name, repository_url, vcs_url: as purl-spec's PyPI and generic qualifiers. */
  readonly qualifiers: Readonly<Record<string, string>>;
}

/** What a built wheel was built from: CycloneDX's pedigree ancestor. */
export interface SbomAncestor {
  readonly name: string;
  readonly version: string | null;
  readonly purl: SbomPurl;
  readonly hashes: readonly SbomHash[];
  readonly references: readonly SbomReference[];
  readonly properties: readonly SbomProperty[];
}

/** One collected file. */
export interface SbomFile {
  /** The bom-ref: the file name (unique in a wheelhouse). */
  readonly ref: string;
  readonly name: string;
  readonly version: string | null;
  readonly purl: SbomPurl;
  readonly hashes: readonly SbomHash[];
  readonly references: readonly SbomReference[];
  readonly properties: readonly SbomProperty[];
  readonly ancestor: SbomAncestor | null;
  /** bom-refs, sorted. */
  readonly dependsOn: readonly string[];
}

/** A workspace member, or the synthetic root that stands for the lock. */
export interface SbomProject {
  readonly ref: string;
  readonly name: string;
  readonly version: string | null;
  readonly hashes: readonly SbomHash[];
  readonly properties: readonly SbomProperty[];
  readonly dependsOn: readonly string[];
}

export interface SbomFacts {
  /** metadata.component. */
  readonly root: SbomProject;
  /** The other members, nested in the root (metadata.component.components). */
  readonly members: readonly SbomProject[];
  /** components: one per artifact of the manifest, by file name. */
  readonly files: readonly SbomFile[];
  /** metadata.properties. */
  readonly properties: readonly SbomProperty[];
}

export interface SbomFactsInput {
  readonly manifest: Manifest;
  /** The lock the manifest was collected from (its sha256 is the manifest's). */
  readonly graph: LockGraph;
  /** The manifest's selection, replayed on the lock: its targets' walks give the edges. */
  readonly selection: Selection;
  /** The lock's file name (no path: the same in DIR, in a bundle and on another machine). */
  readonly lockName: string;
}

/** The bom-ref of the synthetic root (when the members are not one project). */
export const LOCK_REF = 'lock';
const memberRef = (pkg: Package): string => `member:${pkg.name}`;
/** The key of "whatever the target": the union of every target's edges and files (a target id is never empty). */
const ALL = '';

export function sbomFacts(input: SbomFactsInput): SbomFacts {
  const { manifest, graph } = input;
  const artifacts = [...manifest.artifacts].sort(byText((artifact) => artifact.filename));
  const packageOf = packageFinder(graph);
  const owners = new Map(artifacts.map((artifact) => [artifact.filename, packageOf(artifact)]));
  const members = rootMembers(graph, manifest);
  const memberIndexes = new Set(members.map((pkg) => pkg.index));

  // Package → target (ALL with --all-platforms) → the files serving it.
  const filesOf = new Map<number, Map<string, string[]>>();
  for (const artifact of artifacts) {
    const pkg = owners.get(artifact.filename);
    if (!pkg) continue;
    const byTarget = filesOf.get(pkg.index) ?? new Map<string, string[]>();
    for (const target of [ALL, ...artifact.targets]) byTarget.set(target, [...(byTarget.get(target) ?? []), artifact.filename]);
    filesOf.set(pkg.index, byTarget);
  }
  const targetIds = manifest.targets.map((target) => target.id);
  const edges = edgesByTarget(graph, input.selection, targetIds);
  /** What `from` depends on for these targets: the files of each package an edge leads to, or its member node when it has no file there. */
  const dependsOn = (from: number | null, targets: readonly string[]): string[] => {
    const refs = new Set<string>();
    for (const target of targets.length ? targets : [ALL]) {
      for (const to of edges.get(target)?.get(from) ?? []) {
        const files = filesOf.get(to)?.get(target) ?? [];
        for (const file of files) refs.add(file);
        if (files.length === 0 && memberIndexes.has(to)) refs.add(memberRef(graph.packages[to]!));
      }
    }
    return [...refs].sort(compareText);
  };

  const files = artifacts.map((artifact) => fileFacts(artifact, owners.get(artifact.filename) ?? null, dependsOn));
  const projects = members.map((pkg) => memberFacts(pkg, dependsOn(pkg.index, targetIds)));
  const atRoot = members.find((pkg) => isAtRoot(pkg));
  let root: SbomProject;
  let nested: SbomProject[];
  if (members.length === 1 || atRoot) {
    const chosen = atRoot ?? members[0]!;
    root = projects[members.indexOf(chosen)]!;
    nested = projects.filter((project) => project !== root);
  } else {
    // No one project: the lock stands for the collection (a workspace without a root project, a pylock, a script's lock).
    const fromLock = dependsOn(null, targetIds);
    // No edge from the lock is known (a pylock's packages come without edges): each file is then a direct requirement of the lock.
    const direct = members.length ? [...projects.map((project) => project.ref), ...fromLock] : fromLock.length ? fromLock : files.map((file) => file.ref);
    root = {
      ref: LOCK_REF,
      name: input.lockName,
      version: null,
      hashes: [{ alg: 'SHA-256', content: manifest.lock.sha256 }],
      properties: [['lockhouse:lock-format', manifest.lock.format]],
      dependsOn: [...new Set(direct)].sort(compareText),
    };
    nested = projects;
  }
  return {
    root,
    members: [...nested].sort(byText((project) => project.ref)),
    files,
    properties: [
      ['lockhouse:collected-by', manifest.generator],
      ['lockhouse:lock', input.lockName],
      ['lockhouse:lock-format', manifest.lock.format],
      ['lockhouse:lock-sha256', manifest.lock.sha256],
      ...(manifest.allPlatforms ? [['lockhouse:all-platforms', 'true'] as const] : []),
      // A collection with failures lacks what failed: said, so that no reader takes the list for complete.
      ...(manifest.failures.length ? [['lockhouse:failures', String(manifest.failures.length)] as const] : []),
      ...targetIds.map((id) => ['lockhouse:target', id] as const),
    ],
  };
}

/** The members the collection started from: the workspace's (narrowed by --package), none for a pylock. */
function rootMembers(graph: LockGraph, manifest: Manifest): Package[] {
  if (!graph.uv) return [];
  const named = new Set(manifest.selection?.packages ?? []);
  return workspaceRoots(graph, graph.uv)
    .filter((pkg) => named.size === 0 || named.has(pkg.name))
    .sort(byText((pkg) => pkg.name));
}

/** The project at the workspace's root (source path "."): the one the repository is named after. */
function isAtRoot(pkg: Package): boolean {
  const source = pkg.source;
  return (source.kind === 'editable' || source.kind === 'virtual' || source.kind === 'directory') && /^\.?\/?$/.test(source.path);
}

/** Target id → package index (null: the lock itself) → the packages its selected edges lead to; ALL: every target's, or with --all-platforms every edge of the lock. */
function edgesByTarget(graph: LockGraph, selection: Selection, targetIds: readonly string[]): Map<string, Map<number | null, Set<number>>> {
  const edges = new Map<string, Map<number | null, Set<number>>>();
  const add = (target: string, edge: SelectedEdge): void => {
    const byFrom = edges.get(target) ?? new Map<number | null, Set<number>>();
    byFrom.set(edge.from, (byFrom.get(edge.from) ?? new Set<number>()).add(edge.to));
    edges.set(target, byFrom);
  };
  if (selection.allPlatforms) {
    // No target to walk for: every edge of the lock (the caller keeps those between packages with files).
    for (const pkg of graph.packages) {
      for (const dep of [...pkg.dependencies, ...[...pkg.optionalDependencies.values()].flat(), ...[...pkg.dependencyGroups.values()].flat()]) {
        add(ALL, { from: pkg.index, to: dep.target });
      }
    }
    return edges;
  }
  // By the manifest's target ids: the replayed targets are the recorded ones, in order (a host target is recorded by its flags, and its id could differ in spelling).
  const ids = selection.targets.length === targetIds.length ? targetIds : selection.targets.map((chosen) => chosen.target.id);
  selection.targets.forEach((chosen, i) => {
    for (const edge of chosen.edges ?? []) {
      add(ids[i]!, edge);
      add(ALL, edge);
    }
  });
  return edges;
}

/** A manifest artifact → its package in the lock (by name and version; by file or build source where a name and version are locked twice), or null. */
function packageFinder(graph: LockGraph): (artifact: ManifestArtifact) => Package | null {
  const byKey = new Map<string, Package[]>();
  for (const pkg of graph.packages) {
    const key = `${pkg.name}\0${pkg.version ?? ''}`;
    byKey.set(key, [...(byKey.get(key) ?? []), pkg]);
  }
  return (artifact) => {
    const candidates = byKey.get(`${canonicalizeName(artifact.package)}\0${artifact.version ?? ''}`) ?? [];
    if (candidates.length <= 1) return candidates[0] ?? null;
    const built = artifact.builtFrom;
    return (
      candidates.find((pkg) => lockArtifact(pkg, artifact.filename) !== null) ??
      candidates.find((pkg) => built?.kind === 'sdist' && pkg.sdist?.filename === built.ref) ??
      candidates.find((pkg) => built?.kind === 'vcs' && pkg.source.kind === 'vcs' && built.ref.endsWith(`#${pkg.source.commit}`)) ??
      candidates[0]!
    );
  };
}

function lockArtifact(pkg: Package, filename: string): Artifact | null {
  return [...pkg.wheels, ...(pkg.sdist ? [pkg.sdist] : [])].find((artifact) => artifact.filename === filename) ?? null;
}

/** The index a registry package came from, when it is not PyPI: purl's repository_url (only URLs; a flat find-links path is not one). */
function repositoryUrl(pkg: Package | null): string | null {
  const index = pkg ? packageIndex(pkg) : null;
  if (index === null || index === PYPI || !/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(index)) return null;
  return redactUrl(index);
}

/** A file's hashes as the lock gives them (those CycloneDX names), SHA-256 first, then by name; `sha256` (the manifest's, which the lock's matched) wins. */
function hashesOf(lockHashes: Readonly<Record<string, string>>, sha256: string | null = null): SbomHash[] {
  const all = new Map(Object.entries(lockHashes).filter(([algorithm]) => HASH_NAMES[algorithm] !== undefined));
  if (sha256 !== null) all.set('sha256', sha256);
  return [...all]
    .sort(([a], [b]) => (a === 'sha256' ? -1 : b === 'sha256' ? 1 : compareText(a, b)))
    .map(([algorithm, digest]) => ({ alg: HASH_NAMES[algorithm]!, content: digest.toLowerCase() }));
}

function fileFacts(artifact: ManifestArtifact, pkg: Package | null, dependsOn: (from: number | null, targets: readonly string[]) => string[]): SbomFile {
  const locked = pkg ? lockArtifact(pkg, artifact.filename) : null;
  const repository = repositoryUrl(pkg);
  const url = artifact.url ?? locked?.url ?? null;
  const properties: SbomProperty[] = [['lockhouse:kind', artifact.kind]];
  if (locked?.path && !locked.url) properties.push(['lockhouse:path', locked.path]);
  if (artifact.builtFrom) {
    // "pip 23.2.1 in /usr/bin/python3.11" → "pip 23.2.1": the interpreter's path is this machine's.
    const frontend = artifact.builtFrom.frontend.replace(/ (?:in|on) .*$/, '');
    properties.push(['lockhouse:build-frontend', frontend], ['lockhouse:build-python', artifact.builtFrom.python]);
  }
  // A merged wheelhouse (lockhouse merge): which part — which CI runner — brought the file.
  if (artifact.part) properties.push(['lockhouse:part', artifact.part]);
  for (const target of artifact.targets) properties.push(['lockhouse:target', target]);
  return {
    ref: artifact.filename,
    name: pkg?.displayName ?? artifact.package,
    version: artifact.version,
    purl: {
      name: artifact.package,
      version: artifact.version,
      qualifiers: { file_name: artifact.filename, ...(repository ? { repository_url: repository } : {}), ...vcsQualifier(pkg) },
    },
    hashes: hashesOf(artifact.kind === 'built-wheel' ? {} : (locked?.hashes ?? {}), artifact.sha256),
    references: url ? [{ type: artifact.kind === 'sdist' ? 'source-distribution' : 'distribution', url: redactUrl(url) }] : [],
    properties,
    ancestor: artifact.builtFrom ? ancestorOf(artifact, pkg, repository) : null,
    dependsOn: pkg ? dependsOn(pkg.index, artifact.targets) : [],
  };
}

/** purl's vcs_url for a package locked from git: `git+<url>@<commit>`. */
function vcsQualifier(pkg: Package | null): Record<string, string> {
  const source = pkg?.source;
  if (source?.kind !== 'vcs' || !source.url) return {};
  const url = redactUrl(source.url);
  return { vcs_url: `${url.startsWith(`${source.vcs}+`) ? '' : `${source.vcs}+`}${url}@${source.commit}` };
}

/** What a built wheel was built from: the locked sdist, git commit or local project. */
function ancestorOf(artifact: ManifestArtifact, pkg: Package | null, repository: string | null): SbomAncestor {
  const built = artifact.builtFrom!;
  const name = pkg?.displayName ?? artifact.package;
  const base = { name, version: artifact.version };
  const purl = (qualifiers: Record<string, string>): SbomPurl => ({ name: artifact.package, version: artifact.version, qualifiers });
  if (built.kind === 'sdist') {
    const sdist = pkg?.sdist?.filename === built.ref ? pkg.sdist : null;
    return {
      ...base,
      purl: purl({ file_name: built.ref, ...(repository ? { repository_url: repository } : {}) }),
      hashes: hashesOf(sdist?.hashes ?? {}),
      references: sdist?.url ? [{ type: 'source-distribution', url: redactUrl(sdist.url) }] : [],
      properties: [['lockhouse:kind', 'sdist'], ...(sdist?.path && !sdist.url ? [['lockhouse:path', sdist.path] as const] : [])],
    };
  }
  const source = pkg?.source;
  if (built.kind === 'vcs') {
    const vcs = source?.kind === 'vcs' ? source : null;
    const url = vcs?.url ? redactUrl(vcs.url) : null;
    return {
      ...base,
      purl: purl(vcsQualifier(pkg)),
      hashes: [],
      references: url ? [{ type: 'vcs', url }] : [],
      properties: [
        ['lockhouse:kind', 'vcs'],
        ...(vcs ? [['lockhouse:commit', vcs.commit] as const] : []),
        ...(vcs?.path ? [['lockhouse:path', vcs.path] as const] : []),
        ...(vcs?.subdirectory ? [['lockhouse:subdirectory', vcs.subdirectory] as const] : []),
      ],
    };
  }
  // A local project: the lock's own (relative) path, not builtFrom.ref, which is this machine's absolute path.
  const path = source && 'path' in source && source.kind !== 'vcs' ? source.path : null;
  return {
    ...base,
    purl: purl({}),
    hashes: [],
    references: [],
    properties: [['lockhouse:kind', 'directory'], ...(path !== null ? [['lockhouse:path', path] as const] : [])],
  };
}

function memberFacts(pkg: Package, dependsOn: readonly string[]): SbomProject {
  const source = pkg.source;
  const where = 'path' in source && source.path !== null ? `${source.kind} ${source.path}` : source.kind;
  return { ref: memberRef(pkg), name: pkg.displayName, version: pkg.version, hashes: [], properties: [['lockhouse:source', where]], dependsOn };
}
