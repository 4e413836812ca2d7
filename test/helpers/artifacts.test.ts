import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { expandTags, makeSdist, makeWheel, normalizeVersion, seededBytes } from './artifacts.js';
import { installOffline, pipEnv, pipMissing, PYTHON, run } from './pip.js';
import { testdir } from './testdir.js';

const noPip = pipMissing();

describe('file names', () => {
  it.each([
    [{ name: 'Foo.Bar', version: '1.0' }, 'foo_bar-1.0-py3-none-any.whl'],
    [{ name: 'zope-interface', version: '01.02-RC1', tags: 'cp312-cp312-win_amd64' }, 'zope_interface-1.2rc1-cp312-cp312-win_amd64.whl'],
    [{ name: 'six', version: '1.16.0', tags: 'py2.py3-none-any', build: '1' }, 'six-1.16.0-1-py2.py3-none-any.whl'],
    [{ name: 'torch', version: '2.5.0+CPU' }, 'torch-2.5.0+cpu-py3-none-any.whl'],
  ])('wheel %j → %s', (spec, filename) => {
    expect((makeWheel(spec)).filename).toBe(filename);
  });

  it.each([
    [{ name: 'Django_Extensions', version: '3.0' }, 'django_extensions-3.0.tar.gz'],
    [{ name: 'a.b-c', version: 'v1.0.post' }, 'a_b_c-1.0.post0.tar.gz'],
  ])('sdist %j → %s', (spec, filename) => {
    expect((makeSdist(spec)).filename).toBe(filename);
  });

  it.each([
    ['1.0', '1.0'],
    ['1.0.0-1', '1.0.0.post1'],
    ['1!2.0a.dev', '1!2.0a0.dev0'],
    ['0!1.0-preview2', '1.0rc2'],
    ['1.0+Ubuntu-1', '1.0+ubuntu.1'],
  ])('normalizes version %s → %s', (version, normalized) => {
    expect(normalizeVersion(version)).toBe(normalized);
  });

  it('expands compressed tag sets in file-name order', () => {
    expect(expandTags('cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64')).toEqual([
      'cp312-cp312-manylinux_2_17_x86_64',
      'cp312-cp312-manylinux2014_x86_64',
    ]);
    expect(() => expandTags('py3-none')).toThrow('"py3-none" is not a python-abi-platform tag set');
  });
});

describe('determinism', () => {
  it('gives the same bytes and sha256 for the same inputs', () => {
    const spec = { name: 'stable', version: '1.0', requiresDist: ['idna>=2'], files: { 'stable/data.txt': 'x' } };
    const [a, b] = [makeWheel(spec), makeWheel(spec)];
    expect(a.sha256).toBe(b.sha256);
    expect(a.bytes.equals(b.bytes)).toBe(true);
    const [c, d] = [makeSdist(spec), makeSdist(spec)];
    expect(c.sha256).toBe(d.sha256);
    expect(c.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(c.size).toBe(c.bytes.length);
  });

  it('gives different bytes for different inputs', () => {
    expect((makeWheel({ name: 'x', version: '1' })).sha256).not.toBe((makeWheel({ name: 'x', version: '2' })).sha256);
  });

  it('pads to about sizeBytes with incompressible bytes', () => {
    const wheel = makeWheel({ name: 'big', version: '1.0', sizeBytes: 1_000_000 });
    expect(wheel.size).toBe(1_000_000);
    expect(gzipSync(wheel.bytes).length).toBeGreaterThan(990_000);
    const sdist = makeSdist({ name: 'big', version: '1.0', sizeBytes: 300_000 });
    expect(Math.abs(sdist.size - 300_000)).toBeLessThan(1_000);
    expect(seededBytes('a', 64).equals(seededBytes('a', 64))).toBe(true);
    expect(seededBytes('a', 64).equals(seededBytes('b', 64))).toBe(false);
  });
});

// Checks the archives with Python's own zipfile, tarfile and packaging: what
// pip will read, read by the code pip uses.
const INSPECT = String.raw`
import base64, hashlib, io, json, sys, tarfile, zipfile
kind, path = sys.argv[1], sys.argv[2]
out = {}
if kind == "wheel":
    z = zipfile.ZipFile(path)
    out["names"] = z.namelist()
    record = next(n for n in z.namelist() if n.endswith(".dist-info/RECORD"))
    bad = []
    for line in z.read(record).decode().splitlines():
        name, digest, size = line.rsplit(",", 2)
        if name == record:
            continue
        data = z.read(name)
        want = "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        if digest != want or int(size) != len(data):
            bad.append(name)
    out["bad_record"] = bad
    out["record_covers"] = sorted(l.rsplit(",", 2)[0] for l in z.read(record).decode().splitlines())
    out["wheel"] = z.read(next(n for n in z.namelist() if n.endswith(".dist-info/WHEEL"))).decode()
    out["metadata"] = z.read(next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))).decode()
    out["dates"] = sorted({str(i.date_time) for i in z.infolist()})
    try:
        from packaging.utils import parse_wheel_filename
        name, version, build, tags = parse_wheel_filename(path.rsplit("/", 1)[-1])
        out["parsed"] = [str(name), str(version), list(build), sorted(str(t) for t in tags)]
    except ImportError:
        pass
else:
    t = tarfile.open(path)
    out["names"] = t.getnames()
    out["mtimes"] = sorted({m.mtime for m in t.getmembers()})
    out["pyproject"] = t.extractfile([n for n in t.getnames() if n.endswith("/pyproject.toml")][0]).read().decode()
print(json.dumps(out))
`;

async function inspect(kind: 'wheel' | 'sdist', dir: string, filename: string): Promise<Record<string, unknown>> {
  const result = await run(PYTHON, ['-c', INSPECT, kind, join(dir, filename)]);
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

describe.skipIf(noPip)('what Python reads', () => {
  it('wheel: RECORD covers every file with the right digests; WHEEL has one Tag per tag', async () => {
    const wheel = makeWheel({
      name: 'Foo.Bar',
      version: '1.0',
      tags: 'cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64',
      build: '2',
      requiresDist: ['idna>=2', 'rich; extra == "cli"'],
      requiresPython: '>=3.9',
      files: { 'foo_bar/data.bin': Buffer.from([0, 1, 2]) },
      sizeBytes: 50_000,
    });
    const dir = testdir({ [wheel.filename]: wheel.bytes });
    const seen = await inspect('wheel', dir, wheel.filename);
    expect(seen['bad_record']).toEqual([]);
    expect(seen['record_covers']).toEqual([...(seen['names'] as string[])].sort());
    expect(seen['names']).toEqual([
      'foo_bar/__init__.py',
      'foo_bar/_pad.bin',
      'foo_bar/data.bin',
      'foo_bar-1.0.dist-info/METADATA',
      'foo_bar-1.0.dist-info/WHEEL',
      'foo_bar-1.0.dist-info/RECORD',
    ]);
    expect(seen['wheel']).toBe(
      'Wheel-Version: 1.0\nGenerator: lockhouse-test-helpers (1.0)\nRoot-Is-Purelib: false\nBuild: 2\n' +
        'Tag: cp312-cp312-manylinux_2_17_x86_64\nTag: cp312-cp312-manylinux2014_x86_64\n',
    );
    expect(seen['metadata']).toContain('Requires-Python: >=3.9\nRequires-Dist: idna>=2\nRequires-Dist: rich; extra == "cli"\nProvides-Extra: cli\n');
    expect(seen['dates']).toEqual(['(1980, 1, 1, 0, 0, 0)']);
    if (seen['parsed']) {
      expect(seen['parsed']).toEqual(['foo-bar', '1.0', [2, ''], ['cp312-cp312-manylinux2014_x86_64', 'cp312-cp312-manylinux_2_17_x86_64']]);
    }
  });

  it('sdist: one root folder, fixed mtimes, an in-tree backend', async () => {
    const sdist = makeSdist({ name: 'Foo.Bar', version: '1.0', files: { 'foo_bar/extra.py': 'X = 1\n' } });
    const seen = await inspect('sdist', testdir({ [sdist.filename]: sdist.bytes }), sdist.filename);
    expect(seen['names']).toEqual([
      'foo_bar-1.0/PKG-INFO',
      'foo_bar-1.0/pyproject.toml',
      'foo_bar-1.0/_backend/backend.py',
      'foo_bar-1.0/foo_bar/__init__.py',
      'foo_bar-1.0/foo_bar/extra.py',
    ]);
    expect(seen['mtimes']).toEqual([315532800]);
    expect(seen['pyproject']).toContain('backend-path = ["_backend"]');
  });

  it('pip installs a synthesized wheel and its dependency offline into a venv', async () => {
    const app = makeWheel({ name: 'Demo-App', version: '2.0', requiresDist: ['demo.lib>=1; python_version >= "3"'] });
    const lib = makeWheel({ name: 'demo.lib', version: '1.1', tags: 'py2.py3-none-any' });
    const dir = testdir({ [`wheels/${app.filename}`]: app.bytes, [`wheels/${lib.filename}`]: lib.bytes });
    const { python, installed: install } = await installOffline(join(dir, 'venv'), join(dir, 'wheels'), ['demo-app']);
    expect(install.stderr).toBe('');
    expect(install.code).toBe(0);
    const check = await run(python, ['-c', 'import demo_app, demo_lib; print(demo_app.__version__, demo_lib.__version__)']);
    expect(check.stdout.trim()).toBe('2.0 1.1');
    const pipCheck = await run(python, ['-m', 'pip', 'check']);
    expect(pipCheck.stdout.trim()).toBe('No broken requirements found.');
  });

  it('pip builds a synthesized sdist with no index (isolated build, requires = [])', async () => {
    const sdist = makeSdist({ name: 'Built.Pkg', version: '3.0', requiresDist: ['idna'], files: { 'built_pkg/more.py': 'Y = 2\n' } });
    const dir = testdir({ [sdist.filename]: sdist.bytes });
    const out = join(dir, 'out');
    const build = await run(PYTHON, ['-m', 'pip', 'wheel', '--no-deps', '--no-index', '-w', out, join(dir, sdist.filename)], { env: pipEnv() });
    expect(build.code, build.stderr).toBe(0);
    expect(readdirSync(out)).toEqual(['built_pkg-3.0-py3-none-any.whl']);
    const seen = await inspect('wheel', out, 'built_pkg-3.0-py3-none-any.whl');
    expect(seen['bad_record']).toEqual([]);
    expect(seen['names']).toEqual(expect.arrayContaining(['built_pkg/__init__.py', 'built_pkg/more.py', 'built_pkg-3.0.dist-info/METADATA']));
    expect(seen['metadata']).toContain('Requires-Dist: idna\n');
  });
});
