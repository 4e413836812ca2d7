import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPythonCandidates, findBuildPython, parseWanted, probeBuildPython } from '../../../src/io/build/build-python.js';
import { testdir } from '../../helpers/testdir.js';
import { fakeProgram, pathWith, realPython, testEnv } from './helpers.js';

const python = realPython();
const withPython = typeof python === 'string' ? it.skip : it;

/** A fake interpreter that answers the probe as CPython `version` on glibc 2.28 x86_64 would, counting its runs. */
function fakeInterpreter(dir: string, name: string, version: [number, number, number], freeThreaded: boolean): string {
  const path = join(dir, name);
  const info = {
    executable: path,
    markers: {
      implementation_name: 'cpython',
      implementation_version: version.join('.'),
      os_name: 'posix',
      platform_machine: 'x86_64',
      platform_release: '6.1.0',
      platform_system: 'Linux',
      platform_version: '#1 SMP',
      python_full_version: version.join('.'),
      platform_python_implementation: 'CPython',
      python_version: `${version[0]}.${version[1]}`,
      sys_platform: 'linux',
    },
    pythonVersion: version,
    freeThreaded,
    implementation: 'cpython',
    sysconfigPlatform: 'linux-x86_64',
    pointerBits: 64,
    glibcVersion: '2.28',
    muslVersion: null,
    macosVersion: null,
  };
  // Shell builtins only: the tests run these with a PATH of nothing else.
  return fakeProgram(dir, name, `echo run >> "${path}.runs"\nprintf '%s\\n' '${JSON.stringify(info)}'`);
}

describe('buildPythonCandidates', () => {
  it.each([
    [{}, ['python3', 'python']],
    [{ version: '3.12' }, ['python3.12', 'python3', 'python']],
    [{ version: '3.12.4' }, ['python3.12', 'python3', 'python']],
    [{ version: '3.13t' }, ['python3.13t', 'python3.13', 'python3', 'python']],
    [{ version: '3.12', explicit: '/opt/py/bin/python' }, ['/opt/py/bin/python']],
  ])('%j → %j', (options, expected) => {
    expect(buildPythonCandidates(options)).toEqual(expected);
  });

  it('reads X.Y, X.Y.Z and X.Yt', () => {
    expect(parseWanted('3.12')).toEqual([3, 12, false]);
    expect(parseWanted('3.11.7')).toEqual([3, 11, false]);
    expect(parseWanted('3.13t')).toEqual([3, 13, true]);
    expect(parseWanted('cp312')).toBeNull();
  });
});

describe('findBuildPython', () => {
  withPython('finds the real python3 and asks it what it is', async () => {
    const real = python as Exclude<typeof python, string>;
    const found = await findBuildPython({ env: testEnv() });
    expect(found).not.toBeNull();
    expect(found!.command).toBe(real.executable);
    expect(found!.version).toEqual(real.version);
    expect(found!.freeThreaded).toBe(false);
    expect(found!.host?.pythonVersion).toEqual(real.version);
    // packaging's first platform tag: on glibc Linux the newest manylinux tag.
    if (found!.host?.glibcVersion) expect(found!.platform).toMatch(/^manylinux_\d+_\d+_/);
    else expect(found!.platform).toMatch(/^[a-z0-9_]+$/);
  });

  withPython('takes an explicit interpreter by path', async () => {
    const real = python as Exclude<typeof python, string>;
    const found = await findBuildPython({ explicit: real.executable, version: '3.99', env: testEnv() });
    expect(found?.command).toBe(real.executable);
    expect(found?.version).toEqual(real.version);
  });

  withPython('skips a pythonX.Y that exists but fails to run (a pyenv shim) and falls back to python3', async () => {
    const bin = testdir();
    const shim = fakeProgram(bin, 'python3.12', `echo "pyenv: python3.12: command not found" >&2\necho run >> "${bin}/shim.runs"\nexit 127`);
    const env = testEnv({ PATH: pathWith(bin) });
    const probe = await probeBuildPython('python3.12', env);
    expect(probe).toMatchObject({ ok: false, reason: expect.stringContaining(`${shim} exited with code 127`) });
    const found = await findBuildPython({ version: '3.12', env });
    expect(found).not.toBeNull();
    expect(found!.command).not.toContain(bin);
    expect(found!.version).toEqual((python as Exclude<typeof python, string>).version);
    // Probed once per process, however often it is asked.
    expect(readFileSync(join(bin, 'shim.runs'), 'utf8')).toBe('run\n');
  });

  it('prefers the exact Python asked for, free-threaded included, and asks each interpreter once', async () => {
    const bin = testdir();
    fakeInterpreter(bin, 'python3.13t', [3, 13, 1], true);
    fakeInterpreter(bin, 'python3', [3, 11, 2], false);
    const env = testEnv({ PATH: bin });
    const found = await findBuildPython({ version: '3.13t', env });
    expect(found).toMatchObject({ command: join(bin, 'python3.13t'), version: [3, 13, 1], freeThreaded: true, platform: 'manylinux_2_28_x86_64' });
    await findBuildPython({ version: '3.13t', env });
    expect(readFileSync(join(bin, 'python3.13t.runs'), 'utf8')).toBe('run\n');
    // No python3.12 here: python3 it is, whatever its version.
    expect(await findBuildPython({ version: '3.12', env })).toMatchObject({ command: join(bin, 'python3'), version: [3, 11, 2] });
  });

  it('returns null when nothing runs', async () => {
    const bin = testdir();
    fakeProgram(bin, 'python3', 'exit 1');
    fakeProgram(bin, 'python', 'echo "not JSON"');
    expect(await findBuildPython({ version: '3.12', env: testEnv({ PATH: bin }) })).toBeNull();
    expect(await findBuildPython({ explicit: join(bin, 'missing'), env: testEnv({ PATH: bin }) })).toBeNull();
    expect(await probeBuildPython('python', testEnv({ PATH: bin }))).toMatchObject({ ok: false, reason: expect.stringContaining('not JSON') });
  });
});
