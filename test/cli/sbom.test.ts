/**
 * The SBOM (docs/sbom.md) as a user gets it: `collect --emit-sbom`,
 * `bundle --emit-sbom` and `lockhouse sbom -o FILE DIR`, for a uv workspace
 * with wheels per platform, a build from an sdist, a git source, a local
 * directory project and an editable member, collected for three targets.
 * Each SBOM is validated against the CycloneDX 1.6 schema the CycloneDX
 * library ships, and read back: its components are the manifest's files one
 * to one, and every way of making it gives the same bytes. Skipped, saying
 * why, without python3 and pip (builds) or git.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { Manifest } from '../../src/output/manifest.js';
import { makeSdist, makeWheel } from '../helpers/artifacts.js';
import { runCli } from '../helpers/cli.js';
import { cyclonedxErrors, dependsOnOf, hashOf, parseCdx, propertyValues, type CdxDocument } from '../helpers/cyclonedx.js';
import { fixturePylock, fixtureUvLock } from '../helpers/fixture-lock.js';
import { startIndexServer, type IndexServer } from '../helpers/index-server.js';
import { pipMissing } from '../helpers/pip.js';
import { readZip } from '../helpers/read-zip.js';
import { gitMissing, lockedGit, makeGitRepo, writeProject, type GitRepo } from '../helpers/source-tree.js';
import { tempFolder, removeFolder, testdir } from '../helpers/testdir.js';

const why = pipMissing() ?? gitMissing();
const TARGETS = ['x86_64-manylinux_2_28-cp311', 'aarch64-apple-darwin-cp311', 'x86_64-pc-windows-msvc-cp311'];
const THREE = [
  '--python-platform', 'x86_64-manylinux_2_28',
  '--python-platform', 'aarch64-apple-darwin',
  '--python-platform', 'x86_64-pc-windows-msvc',
  '--python-version', '3.11',
];

const pure = makeWheel({ name: 'pure', version: '1.0' });
const natives = ['cp38-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64', 'cp38-abi3-macosx_11_0_arm64', 'cp38-abi3-win_amd64'].map((tags) =>
  makeWheel({ name: 'native', version: '2.0', tags, requiresDist: ['pure'] }),
);
const winOnly = makeWheel({ name: 'winonly', version: '1.0' });
const srcOnly = makeSdist({ name: 'srconly', version: '1.0', requiresDist: ['pure'] });
const artifacts = [pure, ...natives, winOnly, srcOnly];

describe.skipIf(why !== null)(`SBOM of a uv workspace with builds, git and path sources, three targets (${why ?? 'python3, pip and git'})`, () => {
  let server: IndexServer;
  let root: string;
  let project: string;
  let repo: GitRepo;
  let out: string;
  let manifest: Manifest;
  let text: string;
  let sbom: CdxDocument;

  beforeAll(async () => {
    server = await startIndexServer({ artifacts });
    root = tempFolder();
    project = join(root, 'project');
    repo = makeGitRepo(join(root, 'repos'), { name: 'from-git', version: '1.0' });
    writeProject(join(project, 'packages', 'member'), { name: 'member', version: '0.3.0' });
    writeProject(join(project, 'vendor', 'local-lib'), { name: 'local-lib', version: '2.0' });
    writeFileSync(
      join(project, 'uv.lock'),
      fixtureUvLock(artifacts, {
        base: server.url,
        markers: { winonly: "sys_platform == 'win32'" },
        git: [lockedGit(repo, 0, ['pure'])],
        directories: [{ name: 'local-lib', version: '2.0', path: 'vendor/local-lib' }],
        editables: [{ name: 'member', version: '0.3.0', path: 'packages/member', dependencies: ['native'] }],
        members: ['app', 'member'],
      }),
    );
    out = join(root, 'wheelhouse');
    const run = await collect(out, '--emit-sbom', join(root, 'first.cdx.json'));
    expect(run.code, run.stderr).toBe(0);
    manifest = Manifest.parse(JSON.parse(readFileSync(join(out, 'lockhouse.json'), 'utf8')));
    text = readFileSync(join(root, 'first.cdx.json'), 'utf8');
    sbom = parseCdx(text);
  });
  afterAll(async () => {
    await server?.close();
    if (root) removeFolder(root);
  });

  const collect = (dir: string, ...flags: string[]) =>
    runCli(['collect', '--lock', join(project, 'uv.lock'), '-o', dir, '--cache-dir', join(root, 'cache'), ...THREE, ...flags]);
  const component = (filename: string) => sbom.components.find((c) => c['bom-ref'] === filename)!;
  const built = (name: string) => manifest.artifacts.find((a) => a.kind === 'built-wheel' && a.package === name)!;

  it('is CycloneDX 1.6, valid against the schema the CycloneDX library ships', async () => {
    expect(sbom).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.6', version: 1 });
    expect(await cyclonedxErrors(text)).toBeNull();
  });

  it('has one component per file of the manifest, with its purl, sha256 and the targets it serves', () => {
    expect(manifest.artifacts.map((a) => a.kind).sort()).toEqual(['built-wheel', 'built-wheel', 'built-wheel', 'built-wheel', 'wheel', 'wheel', 'wheel', 'wheel', 'wheel']);
    expect(sbom.components.map((c) => c['bom-ref']).sort()).toEqual(manifest.artifacts.map((a) => a.filename).sort());
    for (const artifact of manifest.artifacts) {
      const found = component(artifact.filename);
      expect(found.type).toBe('library');
      expect(found.version).toBe(artifact.version);
      expect(hashOf(found, 'SHA-256'), artifact.filename).toBe(artifact.sha256);
      // This test's index is not PyPI: its URL is the repository_url; a git package's commit is the vcs_url.
      const qualifiers = ['srconly', 'pure', 'native', 'winonly'].includes(artifact.package)
        ? `&repository_url=${encodeURIComponent(`${server.url}/simple`)}`
        : artifact.package === 'from-git'
          ? `&vcs_url=${encodeURIComponent(`git+${repo.url}@${repo.commits[0]}`)}`
          : '';
      expect(found.purl).toBe(`pkg:pypi/${artifact.package}@${artifact.version}?file_name=${encodeURIComponent(artifact.filename)}${qualifiers}`);
      expect(propertyValues(found, 'lockhouse:target').sort()).toEqual([...artifact.targets].sort());
      expect(propertyValues(found, 'lockhouse:kind')).toEqual([artifact.kind]);
    }
    // Downloaded files say where from; the index is this test's, not PyPI, yet a registry's own URL: the download link.
    const linux = natives[0]!;
    expect(component(linux.filename).externalReferences).toEqual([{ type: 'distribution', url: `${server.url}/files/${linux.filename}` }]);
    expect(propertyValues(component(winOnly.filename), 'lockhouse:target')).toEqual(['x86_64-pc-windows-msvc-cp311']);
  });

  it('links each built wheel to what it was built from: the sdist, the git commit, the local project', () => {
    const fromSdist = component(built('srconly').filename).pedigree!.ancestors![0]!;
    expect(fromSdist).toMatchObject({
      name: 'srconly',
      version: '1.0',
      purl: `pkg:pypi/srconly@1.0?file_name=${srcOnly.filename}&repository_url=${encodeURIComponent(`${server.url}/simple`)}`,
    });
    expect(hashOf(fromSdist, 'SHA-256')).toBe(srcOnly.sha256);
    expect(fromSdist.externalReferences).toEqual([{ type: 'source-distribution', url: `${server.url}/files/${srcOnly.filename}` }]);

    const fromGit = component(built('from-git').filename).pedigree!.ancestors![0]!;
    expect(fromGit.purl).toBe(`pkg:pypi/from-git@1.0?vcs_url=${encodeURIComponent(`git+${repo.url}@${repo.commits[0]}`)}`);
    expect(fromGit.externalReferences).toEqual([{ type: 'vcs', url: repo.url }]);
    expect(propertyValues(fromGit, 'lockhouse:commit')).toEqual([repo.commits[0]]);
    expect(component(built('from-git').filename).purl).toContain('vcs_url=');

    const fromDir = component(built('local-lib').filename).pedigree!.ancestors![0]!;
    expect(propertyValues(fromDir, 'lockhouse:path')).toEqual(['vendor/local-lib']);
    expect(propertyValues(component(built('member').filename).pedigree!.ancestors![0]!, 'lockhouse:path')).toEqual(['packages/member']);
    // The frontend and interpreter that built it, without the interpreter's path.
    expect(propertyValues(component(built('srconly').filename), 'lockhouse:build-frontend')).toEqual([expect.stringMatching(/^(pip|build|uv) [0-9][^ ]*$/)]);
    expect(propertyValues(component(built('srconly').filename), 'lockhouse:build-python')).toEqual([built('srconly').builtFrom!.python]);
    // Nothing of this machine: no absolute path (builtFrom records one for local projects).
    expect(text).not.toContain(project);
    // Plain wheels have no pedigree.
    expect(component(pure.filename).pedigree).toBeUndefined();
  });

  it('the root project is metadata.component, the other member nested in it; lockhouse is the tool', () => {
    const rootComponent = sbom.metadata.component;
    expect(rootComponent).toMatchObject({ type: 'application', name: 'app', version: '0.1.0', 'bom-ref': 'member:app' });
    expect(propertyValues(rootComponent, 'lockhouse:source')).toEqual(['virtual .']);
    expect(rootComponent.components).toEqual([
      expect.objectContaining({ type: 'application', name: 'member', version: '0.3.0', 'bom-ref': 'member:member' }),
    ]);
    expect(sbom.metadata.tools.components).toEqual([{ type: 'application', name: 'lockhouse', version: JSON.parse(readFileSync('package.json', 'utf8')).version }]);
    expect(sbom.metadata.timestamp).toBeUndefined();
    expect(propertyValues(sbom.metadata, 'lockhouse:target')).toEqual(TARGETS);
    expect(propertyValues(sbom.metadata, 'lockhouse:lock-sha256')).toEqual([manifest.lock.sha256]);
  });

  it("its dependencies are the lock's edges the selection took, per target, between the files collected", () => {
    const graph = dependsOnOf(sbom);
    // The root depends on every package; the Windows-only wheel is among them (its marker holds for one target).
    expect(graph.get('member:app')).toEqual(
      [pure, ...natives, winOnly].map((a) => a.filename).concat(['from-git', 'local-lib', 'member', 'srconly'].map((name) => built(name).filename)).sort(),
    );
    // Each native wheel depends on pure (its one target's edge); pure depends on nothing.
    for (const native of natives) expect(graph.get(native.filename)).toEqual([pure.filename]);
    expect(graph.get(pure.filename)).toEqual([]);
    // A member depends on the files of what it depends on, for the targets it serves: all three native wheels.
    expect(graph.get('member:member')).toEqual(natives.map((a) => a.filename).sort());
    expect(graph.get(built('member').filename)).toEqual(natives.map((a) => a.filename).sort());
    expect(graph.get(built('srconly').filename)).toEqual([pure.filename]);
    expect(graph.get(built('from-git').filename)).toEqual([pure.filename]);
    // Every ref the graph names is a component (or the root, or the member).
    const refs = new Set([...sbom.components.map((c) => c['bom-ref']), 'member:app', 'member:member']);
    for (const [ref, on] of graph) for (const target of [ref, ...on]) expect(refs.has(target), target).toBe(true);
  });

  it('is byte-identical on a re-run, from the cache into another directory, and from lockhouse sbom DIR', async () => {
    expect(sbom.serialNumber).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const again = await collect(out, '--emit-sbom', join(root, 'again.cdx.json'));
    expect(again.code, again.stderr).toBe(0);
    expect(readFileSync(join(root, 'again.cdx.json'), 'utf8')).toBe(text);

    const other = join(root, 'other');
    const fromCache = await collect(other, '--emit-sbom', join(other, 'sbom.cdx.json'));
    expect(fromCache.code, fromCache.stderr).toBe(0);
    const otherManifest = Manifest.parse(JSON.parse(readFileSync(join(other, 'lockhouse.json'), 'utf8')));
    expect(otherManifest.artifacts.some((a) => a.origin === 'cache')).toBe(true);
    expect(readFileSync(join(other, 'sbom.cdx.json'), 'utf8')).toBe(text);
    // Inside DIR, it is one of the files collect emitted: verify explains it.
    expect(otherManifest.emitted).toEqual(['sbom.cdx.json']);
    expect((await runCli(['verify', '--lock', join(project, 'uv.lock'), '-o', other])).code).toBe(0);

    const later = await runCli(['sbom', '-o', join(root, 'later.cdx.json'), '--lock', join(project, 'uv.lock'), out]);
    expect(later.code, later.stderr).toBe(0);
    expect(later.stderr).toContain(`${manifest.artifacts.length} component(s)`);
    expect(readFileSync(join(root, 'later.cdx.json'), 'utf8')).toBe(text);
  });

  it('a bundle carries the same SBOM, and verify --bundle accepts it; an SBOM that lists other files is refused', async () => {
    const bundle = join(root, 'app.pyz');
    const run = await runCli(['bundle', '--lock', join(project, 'uv.lock'), '-o', bundle, '--cache-dir', join(root, 'cache'), ...THREE, '--emit-sbom', join(root, 'bundle.cdx.json')]);
    expect(run.code, run.stderr).toBe(0);
    const entries = await readZip(bundle);
    const carried = entries.find((entry) => entry.name === 'sbom.cdx.json')!;
    expect(carried.data.toString('utf8')).toBe(readFileSync(join(root, 'bundle.cdx.json'), 'utf8'));
    expect(carried.data.toString('utf8')).toBe(text);
    expect(entries.find((entry) => entry.name === 'SHA256SUMS')!.data.toString('utf8')).toMatch(/^[0-9a-f]{64} {2}sbom\.cdx\.json$/m);

    const verified = await runCli(['verify', '--bundle', bundle]);
    expect(verified.code, verified.stdout).toBe(0);
    expect((await runCli(['verify', '--bundle', bundle, '--lock', join(project, 'uv.lock')])).code).toBe(0);

    // An SBOM that leaves a file out, with SHA256SUMS rewritten to match: what SHA256SUMS vouches for is not the bundle's files.
    const document = JSON.parse(carried.data.toString('utf8')) as { components: unknown[] };
    const lying = Buffer.from(`${JSON.stringify({ ...document, components: document.components.slice(1) }, null, 2)}\n`);
    const sums = entries.find((entry) => entry.name === 'SHA256SUMS')!.data.toString('utf8').replace(/^[0-9a-f]{64}(?= {2}sbom\.cdx\.json$)/m, sha256(lying));
    const tampered = join(root, 'tampered.pyz');
    await rewrite(
      entries.map((entry) => (entry.name === 'sbom.cdx.json' ? { ...entry, data: lying } : entry.name === 'SHA256SUMS' ? { ...entry, data: Buffer.from(sums) } : entry)),
      tampered,
    );
    const refused = await runCli(['verify', '--bundle', tampered, '--json']);
    expect(refused.code).toBe(1);
    const report = JSON.parse(refused.stdout) as { altered: Array<{ entry: string; reason: string }>; missing: unknown[]; extra: unknown[] };
    expect(report.altered).toEqual([
      { entry: 'sbom.cdx.json', reason: `it does not describe the bundle's files: it does not list ${manifest.artifacts[0]!.filename}, which the manifest does` },
    ]);
    expect([report.missing, report.extra]).toEqual([[], []]);
  });

  it('lockhouse sbom refuses a DIR without a manifest, and a lock that is not the one DIR was collected from', async () => {
    const empty = join(root, 'empty');
    mkdirSync(empty, { recursive: true });
    const none = await runCli(['sbom', '-o', join(root, 'none.cdx.json'), '--lock', join(project, 'uv.lock'), empty]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('error[SBOM_NO_MANIFEST]');
    expect(existsSync(join(root, 'none.cdx.json'))).toBe(false);

    const otherLock = join(root, 'other-project', 'uv.lock');
    mkdirSync(join(root, 'other-project'));
    writeFileSync(otherLock, fixtureUvLock([pure], { base: server.url }));
    const mismatch = await runCli(['sbom', '-o', join(root, 'mismatch.cdx.json'), '--lock', otherLock, out]);
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr).toContain('error[SBOM_LOCK_MISMATCH]');
    expect(existsSync(join(root, 'mismatch.cdx.json'))).toBe(false);
  });
});

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** A copy of a bundle with other entries (written with yazl, as lockhouse writes them). */
function rewrite(entries: ReadonlyArray<{ name: string; data: Buffer; mode: number }>, path: string): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const entry of entries) zip.addBuffer(entry.data, entry.name, { compress: false, mode: entry.mode || 0o100644 });
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on('end', () => {
      writeFileSync(path, Buffer.concat(chunks));
      resolve();
    });
    zip.outputStream.on('error', reject);
  });
}

describe('SBOM of a pylock', () => {
  let server: IndexServer;
  beforeAll(async () => {
    server = await startIndexServer({ artifacts: [pure, ...natives] });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('the lock is the root, and every file a direct requirement of it (a pylock has no edges)', async () => {
    const dir = testdir({ 'pylock.toml': fixturePylock([pure, ...natives], { base: server.url }) });
    const target = join(dir, 'sbom.cdx.json');
    const run = await runCli(['collect', '--lock', join(dir, 'pylock.toml'), '-o', join(dir, 'out'), '--no-cache', ...THREE, '--emit-sbom', target]);
    expect(run.code, run.stderr).toBe(0);
    const text = readFileSync(target, 'utf8');
    expect(await cyclonedxErrors(text)).toBeNull();
    const document = parseCdx(text);
    expect(document.metadata.component).toMatchObject({ type: 'application', name: 'pylock.toml', 'bom-ref': 'lock' });
    expect(hashOf(document.metadata.component, 'SHA-256')).toBe(propertyValues(document.metadata, 'lockhouse:lock-sha256')[0]);
    expect(dependsOnOf(document).get('lock')).toEqual([pure, ...natives].map((a) => a.filename).sort());
    expect(document.components.map((c) => c['bom-ref']).sort()).toEqual([pure, ...natives].map((a) => a.filename).sort());
  });
});
