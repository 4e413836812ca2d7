/**
 * uv.lock and pylock.toml texts naming synthesized artifacts where a test's
 * index server serves them: `{ registry = "<base>/simple" }`, file URLs
 * `<base>/files/<filename>`, and the artifacts' real sha256 and size, so
 * `collect` can fetch and verify every file.
 *
 *   const server = await startIndexServer({ artifacts: [wheel, sdist] });
 *   const dir = testdir({ 'uv.lock': fixtureUvLock([wheel, sdist], { base: server.url }) });
 *
 * Artifacts of one name and version make one package. Dependency edges come
 * from the artifacts' Requires-Dist (those naming a locked package, extras
 * left out), so the lock agrees with the metadata pip reads. A package with
 * only an sdist among the artifacts is locked with only an sdist: it needs a
 * build.
 *
 * Packages built from source trees come from options, as uv writes them:
 * `git` (`source = { git = "<url>?subdirectory=<dir>&rev=<commit>#<commit>" }`,
 * see source-tree.ts `makeGitRepo` / `lockedGit`), `directories`
 * (`{ directory = "<path>" }`) and `editables` (`{ editable = "<path>" }`),
 * paths relative to the lock's folder; `members` writes `[manifest] members`
 * (uv lists the root project there too). The root stays the virtual project
 * at "." and depends on every package.
 *
 *   fixtureUvLock([wheel, sdistOnly], {
 *     base: server.url,
 *     git: [lockedGit(repo)],
 *     directories: [{ name: 'vendored', version: '2.0', path: 'vendor/vendored' }],
 *     editables: [{ name: 'lib', version: '1.0', path: 'packages/lib' }],
 *     members: ['app', 'lib'],
 *   });
 */
import type { Artifact } from './artifacts.js';
import { normalizeVersion } from './artifacts.js';
import { tomlString } from './toml.js';

export interface FixtureLockOptions {
  /** The server's base URL (`server.url`); any string, for a lock pointing elsewhere (a `--mirror` FROM). */
  base: string;
  /** uv.lock: the virtual project at "." that depends on every package. Default "app". */
  project?: string;
  requiresPython?: string;
  /** Package name → environment marker: on the project's edge (uv.lock), as the package's `marker` (pylock). */
  markers?: Record<string, string>;
  /** Packages built from a git commit. */
  git?: readonly GitPackage[];
  /** Local projects built from their folder: `directory` sources. */
  directories?: readonly LocalPackage[];
  /** Local projects installed editable (workspace members): `editable` sources (pylock: `directory` with `editable = true`). */
  editables?: readonly LocalPackage[];
  /** uv.lock `[manifest] members`: the workspace members, the root project's name among them. */
  members?: readonly string[];
}

/** A package built from a commit of a git repository. */
export interface GitPackage {
  name: string;
  version: string;
  /** The repository's URL, e.g. `file:///…/repo.git`. */
  url: string;
  /** The full commit id: requested (`rev=`) and locked (`#`). */
  commit: string;
  /** The project's folder in the repository, '/'-separated. */
  subdirectory?: string;
  /** Names of locked packages it depends on. */
  dependencies?: string[];
}

/** A local project. */
export interface LocalPackage {
  name: string;
  /** Left out of the lock when absent, as uv does for a dynamic version. */
  version?: string;
  /** Relative to the lock's folder, '/'-separated. */
  path: string;
  /** Names of locked packages it depends on. */
  dependencies?: string[];
}

interface LockedPackage {
  readonly name: string;
  readonly version: string;
  readonly wheels: Artifact[];
  sdist?: Artifact;
  readonly requiresDist: Set<string>;
}

/** PEP 503 normalized name. */
export const canonicalName = (name: string): string => name.replace(/[-_.]+/g, '-').toLowerCase();

/** The file's URL on an index server at `base` (names percent-encoded: `+` of a local version is `%2B`). */
export const fileUrl = (base: string, filename: string): string => `${base.replace(/\/$/, '')}/files/${encodeURIComponent(filename)}`;

function packagesOf(artifacts: readonly Artifact[]): LockedPackage[] {
  const byKey = new Map<string, LockedPackage>();
  for (const artifact of artifacts) {
    const name = canonicalName(artifact.name);
    const version = normalizeVersion(artifact.version);
    const key = `${name}==${version}`;
    let pkg = byKey.get(key);
    if (!pkg) byKey.set(key, (pkg = { name, version, wheels: [], requiresDist: new Set() }));
    if (artifact.kind === 'sdist') {
      if (pkg.sdist && pkg.sdist.filename !== artifact.filename) throw new Error(`${key} has two sdists`);
      pkg.sdist = artifact;
    } else if (!pkg.wheels.some((wheel) => wheel.filename === artifact.filename)) {
      pkg.wheels.push(artifact);
    }
    for (const requirement of artifact.requiresDist) pkg.requiresDist.add(requirement);
  }
  return [...byKey.values()].sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}

/** Requires-Dist → `[name, marker?]` for the locked packages it names; extras' requirements are left out. */
function edges(pkg: LockedPackage, locked: ReadonlySet<string>): Array<[string, string | undefined]> {
  const out: Array<[string, string | undefined]> = [];
  for (const requirement of pkg.requiresDist) {
    const [spec, marker] = requirement.split(';', 2).map((part) => part.trim());
    const name = canonicalName(/^[A-Za-z0-9][A-Za-z0-9._-]*/.exec(spec ?? '')?.[0] ?? '');
    if (!locked.has(name) || /\bextra\b/.test(marker ?? '')) continue;
    out.push([name, marker ? marker.replace(/"/g, "'") : undefined]);
  }
  return out;
}

const edgeTable = ([name, marker]: [string, string | undefined]): string =>
  `{ name = ${tomlString(name)}${marker ? `, marker = ${tomlString(marker)}` : ''} }`;

const list = (items: readonly string[]): string => `[\n${items.map((item) => `    ${item},\n`).join('')}]`;

/** The git URL uv locks: the repository, `subdirectory` then `rev` in the query (form-encoded: `/` is `%2F`), the commit as fragment. */
export function uvGitUrl(pkg: GitPackage): string {
  const query = new URLSearchParams();
  if (pkg.subdirectory) query.append('subdirectory', pkg.subdirectory);
  query.append('rev', pkg.commit);
  return `${pkg.url}?${query.toString()}#${pkg.commit}`;
}

interface SourcePackage {
  readonly name: string;
  readonly version: string | undefined;
  /** `git = "…"`, `directory = "…"`: the inline table's key and value. */
  readonly key: 'git' | 'directory' | 'editable';
  readonly value: string;
  readonly dependencies: readonly string[];
}

function sourcePackages(options: FixtureLockOptions): SourcePackage[] {
  const local = (key: 'directory' | 'editable') => (pkg: LocalPackage): SourcePackage => ({
    name: canonicalName(pkg.name),
    version: pkg.version === undefined ? undefined : normalizeVersion(pkg.version),
    key,
    value: pkg.path,
    dependencies: (pkg.dependencies ?? []).map(canonicalName),
  });
  return [
    ...(options.git ?? []).map((pkg): SourcePackage => ({
      name: canonicalName(pkg.name),
      version: normalizeVersion(pkg.version),
      key: 'git',
      value: uvGitUrl(pkg),
      dependencies: (pkg.dependencies ?? []).map(canonicalName),
    })),
    ...(options.directories ?? []).map(local('directory')),
    ...(options.editables ?? []).map(local('editable')),
  ];
}

/** A uv.lock (version 1, revision 3) with a virtual project at "." depending on every package. */
export function fixtureUvLock(artifacts: readonly Artifact[], options: FixtureLockOptions): string {
  const packages = packagesOf(artifacts);
  const sources = sourcePackages(options);
  const locked = new Set([...packages.map((pkg) => pkg.name), ...sources.map((pkg) => pkg.name)]);
  for (const pkg of sources) {
    const missing = pkg.dependencies.filter((name) => !locked.has(name));
    if (missing.length) throw new Error(`${pkg.name} depends on ${missing.join(', ')}, which the lock does not have`);
  }
  const project = canonicalName(options.project ?? 'app');
  const file = (artifact: Artifact): string =>
    `{ url = ${tomlString(fileUrl(options.base, artifact.filename))}, hash = "sha256:${artifact.sha256}", size = ${artifact.size} }`;
  const rootEdges = [...packages, ...sources]
    .map((pkg): [string, string | undefined] => [pkg.name, options.markers?.[pkg.name]])
    .sort((a, b) => a[0].localeCompare(b[0]));
  // What the project asked for (uv's requires-dist): a source package's requirement names its source.
  const asked = new Map(sources.map((pkg) => [pkg.name, pkg]));
  const requirement = (edge: [string, string | undefined]): string => {
    const pkg = asked.get(edge[0]);
    const how = !pkg ? '' : pkg.key === 'git' ? `, git = ${tomlString(pkg.value.replace(/#.*$/, ''))}` : `, ${pkg.key} = ${tomlString(pkg.value)}`;
    return `{ name = ${tomlString(edge[0])}${edge[1] ? `, marker = ${tomlString(edge[1])}` : ''}${how} }`;
  };

  const tables = [
    [
      '[[package]]',
      `name = ${tomlString(project)}`,
      'version = "0.1.0"',
      'source = { virtual = "." }',
      `dependencies = ${list(rootEdges.map(edgeTable))}`,
      '',
      '[package.metadata]',
      `requires-dist = [${rootEdges.map(requirement).join(', ')}]`,
    ],
    ...packages.map((pkg) => {
      const deps = edges(pkg, locked);
      return [
        '[[package]]',
        `name = ${tomlString(pkg.name)}`,
        `version = ${tomlString(pkg.version)}`,
        `source = { registry = ${tomlString(`${options.base.replace(/\/$/, '')}/simple`)} }`,
        ...(deps.length ? [`dependencies = ${list(deps.map(edgeTable))}`] : []),
        ...(pkg.sdist ? [`sdist = ${file(pkg.sdist)}`] : []),
        ...(pkg.wheels.length ? [`wheels = ${list(pkg.wheels.map(file))}`] : []),
      ];
    }),
    ...sources.map((pkg) => [
      '[[package]]',
      `name = ${tomlString(pkg.name)}`,
      ...(pkg.version === undefined ? [] : [`version = ${tomlString(pkg.version)}`]),
      `source = { ${pkg.key} = ${tomlString(pkg.value)} }`,
      ...(pkg.dependencies.length ? [`dependencies = ${list(pkg.dependencies.map((name) => edgeTable([name, undefined])))}`] : []),
    ]),
  ].sort((a, b) => a[1]!.localeCompare(b[1]!));

  const header = ['version = 1', 'revision = 3', `requires-python = ${tomlString(options.requiresPython ?? '>=3.9')}`];
  const manifest = options.members?.length
    ? [['[manifest]', `members = ${list([...new Set(options.members.map(canonicalName))].sort().map(tomlString))}`]]
    : [];
  return [header, ...manifest, ...tables].map((lines) => `${lines.join('\n')}\n`).join('\n');
}

/**
 * A PEP 751 pylock.toml listing every package. Source-tree packages are
 * `vcs = { type = "git", … }` and `directory = { path, editable }` tables;
 * their dependencies and `members` have no place in a pylock and are left out.
 */
export function fixturePylock(artifacts: readonly Artifact[], options: FixtureLockOptions): string {
  const packages = packagesOf(artifacts);
  const file = (artifact: Artifact): string =>
    `{ name = ${tomlString(artifact.filename)}, url = ${tomlString(fileUrl(options.base, artifact.filename))}, size = ${artifact.size}, hashes = { sha256 = "${artifact.sha256}" } }`;
  const tables = packages.map((pkg) => {
    const marker = options.markers?.[pkg.name];
    return [
      '[[packages]]',
      `name = ${tomlString(pkg.name)}`,
      `version = ${tomlString(pkg.version)}`,
      ...(marker ? [`marker = ${tomlString(marker)}`] : []),
      `index = ${tomlString(`${options.base.replace(/\/$/, '')}/simple`)}`,
      ...(pkg.sdist ? [`sdist = ${file(pkg.sdist)}`] : []),
      ...(pkg.wheels.length ? [`wheels = ${list(pkg.wheels.map(file))}`] : []),
    ];
  });
  const marker = (name: string): string[] => {
    const text = options.markers?.[canonicalName(name)];
    return text ? [`marker = ${tomlString(text)}`] : [];
  };
  const version = (text: string | undefined): string[] => (text === undefined ? [] : [`version = ${tomlString(normalizeVersion(text))}`]);
  for (const pkg of options.git ?? []) {
    const subdirectory = pkg.subdirectory ? `, subdirectory = ${tomlString(pkg.subdirectory)}` : '';
    tables.push([
      '[[packages]]',
      `name = ${tomlString(canonicalName(pkg.name))}`,
      ...version(pkg.version),
      ...marker(pkg.name),
      `vcs = { type = "git", url = ${tomlString(pkg.url)}, requested-revision = ${tomlString(pkg.commit)}, commit-id = ${tomlString(pkg.commit)}${subdirectory} }`,
    ]);
  }
  for (const [editable, local] of [[false, options.directories], [true, options.editables]] as const) {
    for (const pkg of local ?? []) {
      tables.push([
        '[[packages]]',
        `name = ${tomlString(canonicalName(pkg.name))}`,
        ...version(pkg.version),
        ...marker(pkg.name),
        `directory = { path = ${tomlString(pkg.path)}${editable ? ', editable = true' : ''} }`,
      ]);
    }
  }
  const header = ['lock-version = "1.0"', 'created-by = "lockhouse-tests"', `requires-python = ${tomlString(options.requiresPython ?? '>=3.9')}`];
  return [header, ...tables].map((lines) => `${lines.join('\n')}\n`).join('\n');
}

/** The lock text for a file name: `uv.lock` or a `pylock*.toml`. */
export function fixtureLock(file: 'uv.lock' | `pylock${string}.toml`, artifacts: readonly Artifact[], options: FixtureLockOptions): string {
  return file === 'uv.lock' ? fixtureUvLock(artifacts, options) : fixturePylock(artifacts, options);
}
