import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLock } from '../../src/lock/parse.js';
import { PlanJsonSchema } from '../../src/report/plan-json.js';
import { makeSdist, makeWheel } from './artifacts.js';
import { runCli } from './cli.js';
import { fileUrl, fixturePylock, fixtureUvLock } from './fixture-lock.js';
import { testdir } from './testdir.js';

const BASE = 'http://127.0.0.1:9';

function artifacts() {
  return [
    makeWheel({ name: 'Demo.App', version: '1.0', requiresDist: ['demo-lib>=1', 'pywin32; sys_platform == "win32"', 'rich; extra == "cli"'] }),
    makeSdist({ name: 'Demo.App', version: '1.0' }),
    makeWheel({ name: 'demo_lib', version: '2.0+local' }),
    makeWheel({ name: 'pywin32', version: '306', tags: 'cp312-cp312-win_amd64' }),
  ];
}

describe('fixture locks', () => {
  it('writes a uv.lock lockhouse reads, with real hashes, sizes and URLs on the server', () => {
    const files = artifacts();
    const text = fixtureUvLock(files, { base: BASE, markers: { pywin32: "sys_platform == 'win32'" } });
    expect(text).toContain('version = 1\nrevision = 3\nrequires-python = ">=3.9"\n');
    const graph = parseLock(text, 'uv.lock');
    expect(graph.packages.map((pkg) => [pkg.name, pkg.version, pkg.source.kind])).toEqual([
      ['app', '0.1.0', 'virtual'],
      ['demo-app', '1.0', 'registry'],
      ['demo-lib', '2.0+local', 'registry'],
      ['pywin32', '306', 'registry'],
    ]);
    const [app, demo, lib] = graph.packages;
    expect(app!.dependencies.map((dep) => [dep.name, dep.marker === null])).toEqual([
      ['demo-app', true],
      ['demo-lib', true],
      ['pywin32', false],
    ]);
    // Edges from Requires-Dist: the marker is kept, the extra's requirement left out (rich is not locked anyway).
    expect(demo!.dependencies.map((dep) => dep.name)).toEqual(['demo-lib', 'pywin32']);
    expect(demo!.source).toEqual({ kind: 'registry', index: `${BASE}/simple` });
    expect(demo!.sdist).toMatchObject({ filename: 'demo_app-1.0.tar.gz', url: `${BASE}/files/demo_app-1.0.tar.gz`, hashes: { sha256: files[1]!.sha256 }, size: files[1]!.size });
    expect(lib!.wheels[0]).toMatchObject({ url: `${BASE}/files/demo_lib-2.0%2Blocal-py3-none-any.whl`, hashes: { sha256: files[2]!.sha256 } });
  });

  it('writes a pylock.toml lockhouse reads', () => {
    const files = artifacts();
    const graph = parseLock(fixturePylock(files, { base: BASE, markers: { pywin32: "sys_platform == 'win32'" } }), 'pylock.toml');
    expect(graph.format).toBe('pylock');
    expect(graph.packages.map((pkg) => [pkg.name, pkg.wheels.length, pkg.sdist?.size ?? null, pkg.marker === null])).toEqual([
      ['demo-app', 1, files[1]!.size, true],
      ['demo-lib', 1, null, true],
      ['pywin32', 1, null, false],
    ]);
    expect(graph.packages[2]!.wheels[0]).toMatchObject({ filename: files[3]!.filename, url: fileUrl(BASE, files[3]!.filename), size: files[3]!.size });
  });
});

describe('fixture locks with packages to build', () => {
  const COMMIT = '0123456789abcdef0123456789abcdef01234567';
  const REPO = 'file:///srv/repos/gitdep.git';
  const TARGETS = ['--python-platform', 'x86_64-manylinux_2_28', '--python-platform', 'x86_64-pc-windows-msvc', '--python-version', '3.12'];

  function buildFixture(lock: 'uv.lock' | 'pylock.toml') {
    const idna = makeWheel({ name: 'idna', version: '3.7' });
    const sdistOnly = makeSdist({ name: 'Only.Sdist', version: '0.5', requiresDist: ['idna'] });
    const options = {
      base: BASE,
      git: [{ name: 'GitDep', version: '1.0', url: REPO, commit: COMMIT, subdirectory: 'python/gitdep', dependencies: ['idna'] }],
      directories: [{ name: 'vendored', path: 'vendor/vendored' }],
      editables: [{ name: 'lib', version: '1.0', path: 'packages/lib', dependencies: ['only-sdist'] }],
      members: ['app', 'lib'],
    };
    return { idna, sdistOnly, text: lock === 'uv.lock' ? fixtureUvLock([idna, sdistOnly], options) : fixturePylock([idna, sdistOnly], options) };
  }

  it('writes git, directory and editable sources as uv does, beside an sdist-only registry package', () => {
    const { text, sdistOnly } = buildFixture('uv.lock');
    expect(text).toContain('[manifest]\nmembers = [\n    "app",\n    "lib",\n]\n');
    expect(text).toContain(`[[package]]\nname = "gitdep"\nversion = "1.0"\nsource = { git = "${REPO}?subdirectory=python%2Fgitdep&rev=${COMMIT}#${COMMIT}" }\ndependencies = [\n    { name = "idna" },\n]\n`);
    expect(text).toContain('[[package]]\nname = "vendored"\nsource = { directory = "vendor/vendored" }\n');
    expect(text).toContain('[[package]]\nname = "lib"\nversion = "1.0"\nsource = { editable = "packages/lib" }\ndependencies = [\n    { name = "only-sdist" },\n]\n');
    expect(text).toContain(`{ name = "gitdep", git = "${REPO}?subdirectory=python%2Fgitdep&rev=${COMMIT}" }, { name = "idna" }, { name = "lib", editable = "packages/lib" }`);

    const graph = parseLock(text, 'uv.lock');
    expect(graph.packages.map((pkg) => [pkg.name, pkg.version, pkg.source.kind, pkg.wheels.length, pkg.sdist !== null])).toEqual([
      ['app', '0.1.0', 'virtual', 0, false],
      ['gitdep', '1.0', 'vcs', 0, false],
      ['idna', '3.7', 'registry', 1, false],
      ['lib', '1.0', 'editable', 0, false],
      ['only-sdist', '0.5', 'registry', 0, true],
      ['vendored', null, 'directory', 0, false],
    ]);
    expect(graph.packages[1]!.source).toEqual({ kind: 'vcs', vcs: 'git', url: REPO, path: null, commit: COMMIT, reference: { kind: 'rev', value: COMMIT }, subdirectory: 'python/gitdep' });
    expect(graph.packages[4]!.sdist).toMatchObject({ filename: sdistOnly.filename, hashes: { sha256: sdistOnly.sha256 } });
    expect(graph.packages[4]!.dependencies.map((dep) => dep.name)).toEqual(['idna']);
  });

  it('writes a pylock.toml with vcs and directory packages', () => {
    const graph = parseLock(buildFixture('pylock.toml').text, 'pylock.toml');
    expect(graph.packages.map((pkg) => [pkg.name, pkg.version, pkg.source])).toEqual([
      ['idna', '3.7', { kind: 'registry', index: `${BASE}/simple` }],
      ['only-sdist', '0.5', { kind: 'registry', index: `${BASE}/simple` }],
      ['gitdep', '1.0', { kind: 'vcs', vcs: 'git', url: REPO, path: null, commit: COMMIT, reference: expect.anything(), subdirectory: 'python/gitdep' }],
      ['vendored', null, { kind: 'directory', path: 'vendor/vendored' }],
      ['lib', '1.0', { kind: 'editable', path: 'packages/lib' }],
    ]);
  });

  it.each(['uv.lock', 'pylock.toml'] as const)('%s: lockhouse plan builds the sdist-only package, the git checkout and the local projects', async (lock) => {
    const dir = testdir({ [lock]: buildFixture(lock).text });
    const run = await runCli(['plan', '--lock', join(dir, lock), ...TARGETS, '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const plan = PlanJsonSchema.parse(JSON.parse(run.stdout));
    const items = plan.artifacts.map((item) => [item.package, item.kind, item.build, item.filename ?? item.path ?? item.url, item.targets.length]);
    expect(items.sort((a, b) => String(a[0]).localeCompare(String(b[0])))).toEqual([
      ['gitdep', 'vcs', true, REPO, 2],
      ['idna', 'wheel', false, 'idna-3.7-py3-none-any.whl', 2],
      ['lib', 'directory', true, 'packages/lib', 2],
      ['only-sdist', 'sdist', true, 'only_sdist-0.5.tar.gz', 2],
      ['vendored', 'directory', true, 'vendor/vendored', 2],
    ]);
    expect(plan.summary).toMatchObject({ builds: 4, wheels: 1 });
  });
});
