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
 * left out), so the lock agrees with the metadata pip reads.
 */
import type { Artifact } from './artifacts.js';
import { normalizeVersion } from './artifacts.js';

export interface FixtureLockOptions {
  /** The server's base URL (`server.url`); any string, for a lock pointing elsewhere (a `--mirror` FROM). */
  base: string;
  /** uv.lock: the virtual project at "." that depends on every package. Default "app". */
  project?: string;
  requiresPython?: string;
  /** Package name → environment marker: on the project's edge (uv.lock), as the package's `marker` (pylock). */
  markers?: Record<string, string>;
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

const str = (text: string): string => JSON.stringify(text); // a TOML basic string

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
  `{ name = ${str(name)}${marker ? `, marker = ${str(marker)}` : ''} }`;

const list = (items: readonly string[]): string => `[\n${items.map((item) => `    ${item},\n`).join('')}]`;

/** A uv.lock (version 1, revision 3) with a virtual project at "." depending on every package. */
export function fixtureUvLock(artifacts: readonly Artifact[], options: FixtureLockOptions): string {
  const packages = packagesOf(artifacts);
  const locked = new Set(packages.map((pkg) => pkg.name));
  const project = canonicalName(options.project ?? 'app');
  const file = (artifact: Artifact): string =>
    `{ url = ${str(fileUrl(options.base, artifact.filename))}, hash = "sha256:${artifact.sha256}", size = ${artifact.size} }`;
  const rootEdges = packages.map((pkg): [string, string | undefined] => [pkg.name, options.markers?.[pkg.name]]);

  const tables = [
    [
      '[[package]]',
      `name = ${str(project)}`,
      'version = "0.1.0"',
      'source = { virtual = "." }',
      `dependencies = ${list(rootEdges.map(edgeTable))}`,
      '',
      '[package.metadata]',
      `requires-dist = [${rootEdges.map(edgeTable).join(', ')}]`,
    ],
    ...packages.map((pkg) => {
      const deps = edges(pkg, locked);
      return [
        '[[package]]',
        `name = ${str(pkg.name)}`,
        `version = ${str(pkg.version)}`,
        `source = { registry = ${str(`${options.base.replace(/\/$/, '')}/simple`)} }`,
        ...(deps.length ? [`dependencies = ${list(deps.map(edgeTable))}`] : []),
        ...(pkg.sdist ? [`sdist = ${file(pkg.sdist)}`] : []),
        ...(pkg.wheels.length ? [`wheels = ${list(pkg.wheels.map(file))}`] : []),
      ];
    }),
  ].sort((a, b) => a[1]!.localeCompare(b[1]!));

  const header = ['version = 1', 'revision = 3', `requires-python = ${str(options.requiresPython ?? '>=3.9')}`];
  return [header, ...tables].map((lines) => `${lines.join('\n')}\n`).join('\n');
}

/** A PEP 751 pylock.toml listing every package. */
export function fixturePylock(artifacts: readonly Artifact[], options: FixtureLockOptions): string {
  const packages = packagesOf(artifacts);
  const file = (artifact: Artifact): string =>
    `{ name = ${str(artifact.filename)}, url = ${str(fileUrl(options.base, artifact.filename))}, size = ${artifact.size}, hashes = { sha256 = "${artifact.sha256}" } }`;
  const tables = packages.map((pkg) => {
    const marker = options.markers?.[pkg.name];
    return [
      '[[packages]]',
      `name = ${str(pkg.name)}`,
      `version = ${str(pkg.version)}`,
      ...(marker ? [`marker = ${str(marker)}`] : []),
      `index = ${str(`${options.base.replace(/\/$/, '')}/simple`)}`,
      ...(pkg.sdist ? [`sdist = ${file(pkg.sdist)}`] : []),
      ...(pkg.wheels.length ? [`wheels = ${list(pkg.wheels.map(file))}`] : []),
    ];
  });
  const header = ['lock-version = "1.0"', 'created-by = "lockhouse-tests"', `requires-python = ${str(options.requiresPython ?? '>=3.9')}`];
  return [header, ...tables].map((lines) => `${lines.join('\n')}\n`).join('\n');
}

/** The lock text for a file name: `uv.lock` or a `pylock*.toml`. */
export function fixtureLock(file: 'uv.lock' | `pylock${string}.toml`, artifacts: readonly Artifact[], options: FixtureLockOptions): string {
  return file === 'uv.lock' ? fixtureUvLock(artifacts, options) : fixturePylock(artifacts, options);
}
