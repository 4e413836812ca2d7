import { describe, expect, it } from 'vitest';
import { parseLock } from '../../src/lock/parse.js';
import { makeSdist, makeWheel } from './artifacts.js';
import { fileUrl, fixturePylock, fixtureUvLock } from './fixture-lock.js';

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
