/**
 * What the SBOM says, before CycloneDX (output/sbom-facts.ts): a manifest,
 * its lock and the selection → files, members and edges. Small locks
 * inline; the manifests are what a collect of them records.
 */
import { describe, expect, it } from 'vitest';
import type { LockGraph, Target } from '../../src/model.js';
import type { Manifest, ManifestArtifact, ManifestSelection } from '../../src/output/manifest.js';
import { sbomFacts, type SbomFacts } from '../../src/output/sbom-facts.js';
import { select } from '../../src/select/index.js';
import { LINUX, WINDOWS, fakeHash, graphOf, pkg, uvLock } from '../helpers/uv-lock.js';

const PRIVATE = 'https://robot:tok3n@nexus.example/simple';

/** A workspace: the root project app at ".", a member lib; requests from a private index (with credentials in the lock), srconly built from its sdist. */
const workspace = graphOf(
  uvLock(
    { members: ['app', 'lib'] },
    pkg('app', { source: '{ editable = "." }', version: '0.1.0', deps: ['requests', 'lib', 'srconly', '{ name = "winonly", marker = "sys_platform == \'win32\'" }'] }),
    pkg('lib', { source: '{ editable = "packages/lib" }', version: '0.2.0', deps: ['idna'] }),
    pkg('requests', { source: `{ registry = "${PRIVATE}" }`, deps: ['idna'] }),
    pkg('idna'),
    pkg('winonly'),
    pkg('srconly', { sdist: true, deps: ['idna'] }),
  ),
);

const wheel = (name: string, targets: readonly Target[], url: string | null = `https://files.example.org/${name}-1.0.0-py3-none-any.whl`): ManifestArtifact => ({
  package: name,
  version: '1.0.0',
  filename: `${name}-1.0.0-py3-none-any.whl`,
  kind: 'wheel',
  origin: 'download',
  url,
  sha256: fakeHash(`${name}-1.0.0-py3-none-any.whl`),
  size: 100,
  mtimeMs: 1,
  targets: targets.map((target) => target.id),
});

const built = (name: string, version: string, builtFrom: NonNullable<ManifestArtifact['builtFrom']>, targets: readonly Target[]): ManifestArtifact => ({
  ...wheel(name, targets, null),
  version,
  filename: `${name}-${version}-py3-none-any.whl`,
  kind: 'built-wheel',
  origin: 'build',
  sha256: 'b'.repeat(64),
  builtFrom,
});

const FRONTEND = { source: null, key: null, frontend: 'pip 24.0 in /home/me/.venv/bin/python3.12', python: '3.12.1 manylinux_2_36_x86_64' };

function manifestOf(targets: readonly Target[], artifacts: ManifestArtifact[], extra: Partial<Manifest> = {}): Manifest {
  return {
    manifestVersion: 1,
    generator: 'lockhouse 0.1.0',
    lock: { path: '/home/me/project/uv.lock', format: 'uv.lock', sha256: 'c'.repeat(64) },
    allPlatforms: false,
    targets: targets.map((target) => ({ id: target.id, pythonPlatform: target.pythonPlatform, pythonVersion: target.pythonVersion })),
    artifacts,
    skipped: [],
    failures: [],
    ...extra,
  };
}

function factsOf(graph: LockGraph, targets: readonly Target[], artifacts: ManifestArtifact[], extra: Partial<Manifest> = {}): SbomFacts {
  const manifest = manifestOf(targets, artifacts, extra);
  const selection = select(graph, targets, manifest.selection ? { packages: manifest.selection.packages } : {});
  return sbomFacts({ manifest, graph, selection, lockName: 'uv.lock' });
}

const BOTH = [LINUX, WINDOWS];
const collected = [
  wheel('requests', BOTH, 'https://files.example.org/requests-1.0.0-py3-none-any.whl'),
  wheel('idna', BOTH),
  wheel('winonly', [WINDOWS]),
  built('srconly', '1.0.0', { kind: 'sdist', ref: 'srconly-1.0.0.tar.gz', ...FRONTEND }, BOTH),
  built('lib', '0.2.0', { kind: 'directory', ref: '/home/me/project/packages/lib', ...FRONTEND }, BOTH),
  built('app', '0.1.0', { kind: 'directory', ref: '/home/me/project', ...FRONTEND }, BOTH),
];

describe('files', () => {
  const facts = factsOf(workspace, BOTH, collected);
  const file = (name: string) => facts.files.find((f) => f.name === name)!;

  it('one per artifact, by file name, in file-name order', () => {
    expect(facts.files.map((f) => f.ref)).toEqual(collected.map((a) => a.filename).sort());
  });

  it("a private index is the purl's repository_url, without the lock's credentials; PyPI is not named", () => {
    expect(file('requests').purl.qualifiers).toEqual({ file_name: 'requests-1.0.0-py3-none-any.whl', repository_url: 'https://nexus.example/simple' });
    expect(file('idna').purl.qualifiers).toEqual({ file_name: 'idna-1.0.0-py3-none-any.whl' });
    expect(JSON.stringify(facts)).not.toMatch(/tok3n|robot/);
  });

  it('a built wheel: its ancestor is the locked sdist (its URL and hash), or the local project by its path in the lock', () => {
    expect(file('srconly').ancestor).toMatchObject({
      name: 'srconly',
      purl: { qualifiers: { file_name: 'srconly-1.0.0.tar.gz' } },
      hashes: [{ alg: 'SHA-256', content: fakeHash('srconly-1.0.0.tar.gz') }],
      references: [{ type: 'source-distribution', url: 'https://files.example.org/srconly-1.0.0.tar.gz' }],
    });
    expect(file('lib').ancestor!.properties).toEqual([['lockhouse:kind', 'directory'], ['lockhouse:path', 'packages/lib']]);
    expect(file('app').ancestor!.properties).toEqual([['lockhouse:kind', 'directory'], ['lockhouse:path', '.']]);
    // The frontend and the interpreter's version, never its path on this machine (nor the project's).
    expect(file('lib').properties).toContainEqual(['lockhouse:build-frontend', 'pip 24.0']);
    expect(JSON.stringify(facts)).not.toContain('/home/me');
  });

  it('each file depends on the files of what its package depends on, for the targets it serves', () => {
    expect(file('requests').dependsOn).toEqual(['idna-1.0.0-py3-none-any.whl']);
    expect(file('lib').dependsOn).toEqual(['idna-1.0.0-py3-none-any.whl']);
    expect(file('idna').dependsOn).toEqual([]);
  });
});

describe('the root and the members', () => {
  it('the project at "." is the root; the other members are nested in it, each with its own edges', () => {
    const facts = factsOf(workspace, BOTH, collected);
    expect(facts.root).toMatchObject({ ref: 'member:app', name: 'app', version: '0.1.0', properties: [['lockhouse:source', 'editable .']] });
    // The Windows-only wheel is among the root's dependencies: its edge holds for one of the targets.
    expect(facts.root.dependsOn).toEqual(['lib-0.2.0-py3-none-any.whl', 'requests-1.0.0-py3-none-any.whl', 'srconly-1.0.0-py3-none-any.whl', 'winonly-1.0.0-py3-none-any.whl']);
    expect(facts.members.map((member) => [member.ref, member.dependsOn])).toEqual([['member:lib', ['idna-1.0.0-py3-none-any.whl']]]);
  });

  it('for Linux alone, the Windows-only edge is not taken', () => {
    const facts = factsOf(workspace, [LINUX], collected.filter((a) => a.package !== 'winonly').map((a) => ({ ...a, targets: [LINUX.id] })));
    expect(facts.root.dependsOn).not.toContain('winonly-1.0.0-py3-none-any.whl');
  });

  it('a member that has no file (--only-deps, a virtual project) is its node: what depends on it points there', () => {
    const facts = factsOf(workspace, BOTH, collected.filter((a) => a.package !== 'lib'));
    expect(facts.root.dependsOn).toContain('member:lib');
  });

  it('--package lib: the one member collected from is the root', () => {
    const facts = factsOf(workspace, BOTH, [wheel('idna', BOTH)], { selection: { packages: ['lib'] } as ManifestSelection });
    expect(facts.root).toMatchObject({ ref: 'member:lib', dependsOn: ['idna-1.0.0-py3-none-any.whl'] });
    expect(facts.members).toEqual([]);
  });

  it('members and no project at the root: the lock stands for the collection, the members nested in it', () => {
    const graph = graphOf(
      uvLock(
        { members: ['one', 'two'] },
        pkg('one', { source: '{ editable = "packages/one" }', version: '1.0', deps: ['idna'] }),
        pkg('two', { source: '{ editable = "packages/two" }', version: '2.0' }),
        pkg('idna'),
      ),
    );
    const facts = factsOf(graph, [LINUX], [wheel('idna', [LINUX])]);
    expect(facts.root).toMatchObject({ ref: 'lock', name: 'uv.lock', hashes: [{ alg: 'SHA-256', content: 'c'.repeat(64) }], dependsOn: ['member:one', 'member:two'] });
    expect(facts.members.map((member) => member.ref)).toEqual(['member:one', 'member:two']);
  });
});

describe('--all-platforms', () => {
  it('nothing is walked: every edge of the lock between the files collected, whatever its marker', () => {
    const everywhere = collected.map((artifact) => ({ ...artifact, targets: [] }));
    const manifest = manifestOf([], everywhere, { allPlatforms: true });
    const facts = sbomFacts({ manifest, graph: workspace, selection: select(workspace, [], { allPlatforms: true }), lockName: 'uv.lock' });
    expect(facts.root.dependsOn).toContain('winonly-1.0.0-py3-none-any.whl');
    expect(facts.files.find((f) => f.name === 'requests')!.dependsOn).toEqual(['idna-1.0.0-py3-none-any.whl']);
    expect(facts.properties).toContainEqual(['lockhouse:all-platforms', 'true']);
  });
});

describe('metadata', () => {
  it('the lock by name and sha256, the targets, and how many artifacts failed when some did', () => {
    const failure = { code: 'FETCH_HTTP_STATUS' as const, package: 'idna', version: '1.0.0', filename: null, target: null, url: null, reason: '404' };
    const facts = factsOf(workspace, BOTH, collected, { failures: [failure] });
    expect(facts.properties).toEqual([
      ['lockhouse:collected-by', 'lockhouse 0.1.0'],
      ['lockhouse:lock', 'uv.lock'],
      ['lockhouse:lock-format', 'uv.lock'],
      ['lockhouse:lock-sha256', 'c'.repeat(64)],
      ['lockhouse:failures', '1'],
      ['lockhouse:target', LINUX.id],
      ['lockhouse:target', WINDOWS.id],
    ]);
  });
});

describe('a pylock', () => {
  const pylock = graphOf(
    [
      'lock-version = "1.0"',
      'created-by = "test"',
      '',
      '[[packages]]',
      'name = "idna"',
      'version = "1.0.0"',
      `wheels = [{ name = "idna-1.0.0-py3-none-any.whl", url = "https://files.example.org/idna-1.0.0-py3-none-any.whl", hashes = { sha512 = "${'E'.repeat(128)}", sha256 = "${'a'.repeat(64)}", md5 = "${'d'.repeat(32)}" } }]`,
      '',
    ].join('\n'),
    'pylock.toml',
  );

  it("the lock's other hashes, after its sha256; the lock as the root, depending on every file", () => {
    const artifact = { ...wheel('idna', [LINUX]), sha256: 'a'.repeat(64) };
    const facts = sbomFacts({
      manifest: manifestOf([LINUX], [artifact], { lock: { path: 'pylock.toml', format: 'pylock', sha256: 'd'.repeat(64) } }),
      graph: pylock,
      selection: select(pylock, [LINUX]),
      lockName: 'pylock.toml',
    });
    expect(facts.files[0]!.hashes).toEqual([
      { alg: 'SHA-256', content: 'a'.repeat(64) },
      { alg: 'MD5', content: 'd'.repeat(32) },
      // Lower-case, as CycloneDX's pattern wants.
      { alg: 'SHA-512', content: 'e'.repeat(128) },
    ]);
    expect(facts.root).toMatchObject({ ref: 'lock', name: 'pylock.toml', dependsOn: ['idna-1.0.0-py3-none-any.whl'] });
  });
});
