/**
 * The in-tree backend's five kinds, built by real pip from synthesized sdists
 * (`pip wheel --no-deps --no-index`: nothing from any index), and the host
 * tag checked against packaging's own `sys_tags()` where packaging is there.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Artifact, builtWheelFilename, makeSdist, moduleName, type BackendKind } from './artifacts.js';
import { pipEnv, pipMissing, PYTHON, run } from './pip.js';
import { BACKEND_KINDS, backendPy, BACKEND_PY, FAIL_LINES, failLine, FAIL_MESSAGE, hostWheelTag, wrongName, wrongVersion } from './sdist-backend.js';
import { removeFolder, tempFolder, testdir } from './testdir.js';

const noPip = pipMissing();

/** What Python's zipfile reads in a wheel: its names, METADATA, WHEEL, and the files RECORD gets wrong. */
const READ_WHEEL = String.raw`
import base64, hashlib, json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
names = z.namelist()
info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/RECORD"))
bad = []
for line in z.read(info + "/RECORD").decode().splitlines():
    name, digest, size = line.rsplit(",", 2)
    if name == info + "/RECORD":
        continue
    data = z.read(name)
    if digest != "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode() or int(size) != len(data):
        bad.append(name)
print(json.dumps({"names": names, "metadata": z.read(info + "/METADATA").decode(), "wheel": z.read(info + "/WHEEL").decode(), "bad_record": bad}))
`;

interface WheelSeen {
  readonly names: string[];
  readonly metadata: string;
  readonly wheel: string;
  readonly bad_record: string[];
}

async function readWheel(path: string): Promise<WheelSeen> {
  const seen = await run(PYTHON, ['-c', READ_WHEEL, path]);
  expect(seen.stderr).toBe('');
  return JSON.parse(seen.stdout) as WheelSeen;
}

/** `pip wheel --no-deps --no-index --no-cache-dir -w OUT SOURCE…`, with no pip configuration from the machine. */
function pipWheel(sources: readonly string[], out: string): ReturnType<typeof run> {
  return run(PYTHON, ['-m', 'pip', 'wheel', '--no-deps', '--no-index', '--no-cache-dir', '-w', out, ...sources], { env: pipEnv() });
}

describe('backend kinds', () => {
  it('wrong names and versions', () => {
    expect(wrongName('Demo.Pkg')).toBe('Demo.Pkg-impostor');
    expect(['1.0', '1.0rc1', '1!2.0.post3', '2.5.0+cpu', '9'].map(wrongVersion)).toEqual(['1.1', '1.1', '1!2.1', '2.5.1', '10']);
    expect(() => wrongVersion('x')).toThrow('does not start with a release number');
  });

  it('one backend text, the KIND line differs; the pure one is BACKEND_PY', () => {
    expect(backendPy()).toBe(BACKEND_PY);
    expect(BACKEND_PY).toContain('\nKIND = "pure"\n');
    for (const kind of BACKEND_KINDS) {
      expect(backendPy(kind).replace(`KIND = "${kind}"`, 'KIND = "pure"')).toBe(BACKEND_PY);
    }
    expect(() => backendPy('odd' as BackendKind)).toThrow('unknown backend kind "odd"');
  });

  it('makeSdist gives the same bytes for the same spec, other bytes for another kind', () => {
    const sha = (backend?: BackendKind) => makeSdist({ name: 'demo', version: '1.0', ...(backend ? { backend } : {}) }).sha256;
    expect(sha()).toBe(sha('pure'));
    for (const kind of BACKEND_KINDS) expect(sha(kind)).toBe(sha(kind));
    expect(new Set(BACKEND_KINDS.map(sha)).size).toBe(BACKEND_KINDS.length);
  });

  it('names the wheel each kind builds', () => {
    const spec = { name: 'Demo.Pkg', version: '1.0' };
    expect(builtWheelFilename(spec)).toBe('demo_pkg-1.0-py3-none-any.whl');
    expect(builtWheelFilename({ ...spec, backend: 'platform' }, 'cp312-cp312-win_amd64')).toBe('demo_pkg-1.0-cp312-cp312-win_amd64.whl');
    expect(builtWheelFilename({ ...spec, backend: 'fail' })).toBeNull();
    expect(builtWheelFilename({ ...spec, backend: 'hang' })).toBeNull();
    expect(builtWheelFilename({ ...spec, backend: 'wrong-name' })).toBe('demo_pkg_impostor-1.0-py3-none-any.whl');
    expect(builtWheelFilename({ ...spec, backend: 'wrong-version' })).toBe('demo_pkg-1.1-py3-none-any.whl');
  });
});

describe.skipIf(noPip)('pip builds each kind from the sdist, with no index', () => {
  // The four kinds that build are built by one pip run (pip starts once,
  // not four times: most of a build's time is pip starting); their names
  // differ so that pip takes them together. The tests below read its result.
  const KINDS = ['pure', 'platform', 'wrong-name', 'wrong-version'] as const;
  type Built = (typeof KINDS)[number];
  const specOf = (backend: Built) => {
    const name = `Demo.${backend.replace(/(?:^|-)(.)/g, (_, c: string) => c.toUpperCase())}`; // Demo.Pure, Demo.WrongName
    return { name, version: '1.0', backend, requiresDist: ['idna>=2', 'rich; extra == "cli"'], files: { [`${moduleName(name)}/more.py`]: 'X = 1\n' } };
  };
  const sdists = Object.fromEntries(KINDS.map((kind) => [kind, makeSdist(specOf(kind))])) as Record<Built, Artifact>;
  let dir: string | undefined;
  let build: Awaited<ReturnType<typeof run>>;
  const out = (): string => join(dir!, 'out');
  const wheelOf = (kind: Built): string => builtWheelFilename(specOf(kind))!;

  beforeAll(async () => {
    dir = tempFolder(Object.fromEntries(KINDS.map((kind) => [sdists[kind].filename, sdists[kind].bytes])));
    build = await pipWheel(KINDS.map((kind) => join(dir!, sdists[kind].filename)), out());
  }, 120_000);
  afterAll(() => removeFolder(dir));

  it.each(KINDS)('%s', async (backend) => {
    expect(build.code, build.stderr).toBe(0);
    const spec = specOf(backend);
    const filename = wheelOf(backend);
    expect(readdirSync(out()).sort()).toEqual(KINDS.map(wheelOf).sort());

    const seen = await readWheel(join(out(), filename));
    expect(seen.bad_record).toEqual([]);
    const name = backend === 'wrong-name' ? `${spec.name}-impostor` : spec.name;
    const version = backend === 'wrong-version' ? '1.1' : '1.0';
    const info = `${filename.split('-').slice(0, 2).join('-')}.dist-info`;
    const module = moduleName(spec.name);
    expect(seen.names).toEqual([`${module}/__init__.py`, `${module}/more.py`, `${info}/METADATA`, `${info}/WHEEL`, `${info}/RECORD`]);
    expect(seen.metadata).toMatch(new RegExp(`^Metadata-Version: 2.1\nName: ${name.replace(/\./g, '\\.')}\nVersion: ${version}\n`));
    expect(seen.metadata).toContain('Requires-Dist: idna>=2\nRequires-Dist: rich; extra == "cli"\nProvides-Extra: cli\n');
    const tag = backend === 'platform' ? hostWheelTag() : 'py3-none-any';
    expect(seen.wheel).toBe(`Wheel-Version: 1.0\nGenerator: lockhouse-test-backend (1.0)\nRoot-Is-Purelib: ${backend !== 'platform'}\nTag: ${tag}\n`);
  });

  it('platform: the wheel is for this interpreter only', async () => {
    const tag = hostWheelTag();
    expect(tag).toMatch(/^[a-z]+[0-9]+-[a-z0-9_]+-[a-z0-9_]+$/);
    expect(tag).not.toMatch(/-any$/);
    expect(build.code, build.stderr).toBe(0);
    expect(wheelOf('platform')).toBe(`demo_platform-1.0-${tag}.whl`);
    // pip takes it for this interpreter, and for no other platform (--no-deps: its idna is not there).
    const other = tag.endsWith('win_amd64') ? 'manylinux_2_17_x86_64' : 'win_amd64';
    const [here, elsewhere] = await Promise.all([
      run(PYTHON, ['-m', 'pip', 'install', '--dry-run', '--ignore-installed', '--no-deps', '--no-index', '--find-links', out(), 'demo.platform'], { env: pipEnv() }),
      run(
        PYTHON,
        ['-m', 'pip', 'download', '--no-deps', '--no-index', '--find-links', out(), '--only-binary=:all:', '--platform', other, '-d', join(dir!, 'dl'), 'demo.platform'],
        { env: pipEnv() },
      ),
    ]);
    expect(here.code, here.stderr).toBe(0);
    expect(here.stdout).toContain('Would install Demo.Platform-1.0');
    expect(elsewhere.code).not.toBe(0);
    expect(elsewhere.stderr).toContain('No matching distribution found for demo.platform');
  });

  it('builds the same wheel bytes twice', async () => {
    expect(build.code, build.stderr).toBe(0);
    const again = join(dir!, 'again');
    const second = await pipWheel([join(dir!, sdists.platform.filename)], again);
    expect(second.code, second.stderr).toBe(0);
    const wheel = wheelOf('platform');
    expect(readdirSync(again)).toEqual([wheel]);
    expect(readFileSync(join(out(), wheel)).equals(readFileSync(join(again, wheel)))).toBe(true);
  });

  it('fail: pip fails, showing the numbered lines, and writes no wheel', async () => {
    const sdist = makeSdist({ name: 'broken', version: '0.1', backend: 'fail' });
    const dir = testdir({ [sdist.filename]: sdist.bytes });
    const build = await pipWheel([join(dir, sdist.filename)], join(dir, 'out'));
    expect(build.code).not.toBe(0);
    expect(existsSync(join(dir, 'out')) ? readdirSync(join(dir, 'out')) : []).toEqual([]);
    // pip shows the hook's output, stdout then stderr, then the exception.
    const lines = `${build.stdout}\n${build.stderr}`.split('\n').map((line) => line.trim());
    const numbered = lines.filter((line) => line.startsWith('lockhouse-test-backend: build output line'));
    expect(numbered).toEqual(Array.from({ length: FAIL_LINES }, (_, i) => failLine(i + 1)));
    const end = lines.findIndex((line) => line.startsWith(FAIL_MESSAGE));
    expect(lines[end]).toBe(`${FAIL_MESSAGE} (broken 0.1)`);
    const tail = lines.slice(0, end + 1).slice(-20);
    expect(tail).toContain(failLine(FAIL_LINES));
    expect(tail).not.toContain(failLine(1));
  });

  it('fail: the hook itself prints half on stdout, half on stderr', () => {
    const script = `${backendPy('fail')}\nimport os, sys\nos.chdir(sys.argv[1])\nbuild_wheel(sys.argv[1])\n`;
    const dir = testdir({ 'PKG-INFO': 'Metadata-Version: 2.1\nName: broken\nVersion: 0.1\n\n' });
    const hook = spawnSync(PYTHON, ['-c', script, dir], { encoding: 'utf8', env: pipEnv() });
    expect(hook.status).toBe(1);
    const half = FAIL_LINES / 2;
    expect(hook.stdout).toBe(Array.from({ length: half }, (_, i) => `${failLine(i + 1)}\n`).join(''));
    expect(hook.stderr.startsWith(Array.from({ length: half }, (_, i) => `${failLine(half + i + 1)}\n`).join(''))).toBe(true);
    expect(hook.stderr.trimEnd().endsWith(`${FAIL_MESSAGE} (broken 0.1)`)).toBe(true);
  });
});

describe.skipIf(noPip)('the host tag', () => {
  const packaging = spawnSync(PYTHON, ['-c', 'from packaging.tags import sys_tags; print(next(iter(sys_tags())))'], { encoding: 'utf8', env: pipEnv() });
  it.skipIf(packaging.status !== 0)("is what packaging's sys_tags() puts first", () => {
    expect(hostWheelTag()).toBe(packaging.stdout.trim());
  });
});
