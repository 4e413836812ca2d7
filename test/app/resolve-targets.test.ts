/**
 * Target flags → targets, with the host described by a stand-in for
 * python3 (the real probe is exercised in test/cli/plan.test.ts).
 */
import { describe, expect, it, vi } from 'vitest';
import { resolveTargets, type TargetRequest } from '../../src/app/resolve-targets.js';
import { PythonProbeError } from '../../src/io/host-python.js';
import type { HostInfo } from '../../src/python/host.js';

const linuxHost: HostInfo = {
  markers: {
    implementation_name: 'cpython',
    implementation_version: '3.11.7',
    os_name: 'posix',
    platform_machine: 'x86_64',
    platform_python_implementation: 'CPython',
    platform_release: '6.1.0',
    platform_system: 'Linux',
    platform_version: '#1 SMP',
    python_full_version: '3.11.7',
    python_version: '3.11',
    sys_platform: 'linux',
  },
  pythonVersion: [3, 11, 7],
  freeThreaded: false,
  implementation: 'cpython',
  sysconfigPlatform: 'linux-x86_64',
  pointerBits: 64,
  glibcVersion: '2.36',
  muslVersion: null,
  macosVersion: null,
};

const none: TargetRequest = { pythonPlatforms: [], pythonVersions: [], platforms: [], abis: [] };
const probe = vi.fn(async () => linuxHost);
const missing = async (python: string): Promise<HostInfo> => {
  throw new PythonProbeError(`cannot ask ${python} about the host: not found`, python, true);
};
const ids = async (request: Partial<TargetRequest>, env: NodeJS.ProcessEnv = {}, ask: (python: string) => Promise<HostInfo> = probe) =>
  (await resolveTargets({ ...none, ...request }, { env, probe: ask })).map((target) => target.id);

describe('the host and the target flags', () => {
  it('no flags: the host, named after what the interpreter reported, with its real markers', async () => {
    const [host] = await resolveTargets(none, { env: {}, probe });
    expect(host!.id).toBe('x86_64-manylinux_2_36-cp311');
    expect(host!.markers.platform_release).toBe('6.1.0');
    expect(host!.tags.ordered[0]).toBe('cp311-cp311-manylinux_2_36_x86_64');
  });

  it('--python-version alone: the host platform with that Python', async () => {
    expect(await ids({ pythonVersions: ['3.12', '3.13t'] })).toEqual(['x86_64-manylinux_2_36-cp312', 'x86_64-manylinux_2_36-cp313t']);
  });

  it("--python-platform alone: that platform with the interpreter's Python", async () => {
    expect(await ids({ pythonPlatforms: ['aarch64-apple-darwin', 'windows'] })).toEqual(['aarch64-apple-darwin-cp311', 'windows-cp311']);
  });

  it('both: every platform × version, without asking any interpreter', async () => {
    probe.mockClear();
    expect(await ids({ pythonPlatforms: ['linux', 'macos'], pythonVersions: ['3.12', '3.13'] })).toEqual([
      'linux-cp312',
      'linux-cp313',
      'macos-cp312',
      'macos-cp313',
    ]);
    expect(probe).not.toHaveBeenCalled();
  });

  it('MACOSX_DEPLOYMENT_TARGET sets the macOS version of the darwin names', async () => {
    const [mac] = await resolveTargets({ ...none, pythonPlatforms: ['aarch64-apple-darwin'], pythonVersions: ['3.12'] }, { env: { MACOSX_DEPLOYMENT_TARGET: '14.0' }, probe });
    expect(mac!.tags.ordered[0]).toBe('cp312-cp312-macosx_14_0_arm64');
  });

  it('no interpreter: --python-version and a platform derived from Node, or a clear error', async () => {
    const [fromNode] = await ids({ pythonVersions: ['3.12'] }, {}, missing);
    expect(fromNode).toMatch(/-cp312$/);
    await expect(ids({}, {}, missing)).rejects.toThrow(
      expect.objectContaining({ code: 'TARGET_HOST_UNKNOWN', message: 'cannot ask python3 about the host: not found, and no --python-version says which Python to collect for' }),
    );
  });

  it('two Pythons that would be one target are a usage error', async () => {
    await expect(ids({ pythonVersions: ['3.12', '3.12.4'] })).rejects.toThrow(expect.objectContaining({ code: 'USAGE' }));
  });

  it('--all-platforms has no targets, and takes no target flags', async () => {
    expect(await ids({ allPlatforms: true })).toEqual([]);
    await expect(ids({ allPlatforms: true, pythonVersions: ['3.12'] })).rejects.toThrow(expect.objectContaining({ code: 'USAGE' }));
  });
});

describe('--python as uv takes it: a path, or a version request', () => {
  it('3.12 asks python3.12 on PATH, and the target is that Python', async () => {
    const asked: string[] = [];
    const ask = async (python: string): Promise<HostInfo> => {
      asked.push(python);
      return linuxHost;
    };
    expect(await ids({ python: '3.12' }, {}, ask)).toEqual(['x86_64-manylinux_2_36-cp312']);
    expect(await ids({ python: 'cpython3.13t' }, {}, ask)).toEqual(['x86_64-manylinux_2_36-cp313t']);
    expect(asked).toEqual(['python3.12', 'python3.13t']);
  });

  it('with no such interpreter: this machine’s platform, from Node, with that Python (not "cannot ask 3.12")', async () => {
    const [target] = await resolveTargets({ ...none, python: '3.12' }, { env: {}, probe: missing });
    expect(target!.pythonVersion).toBe('3.12');
    expect(target!.id).toMatch(/-cp312$/);
  });

  it('a path or a command name is an interpreter, as before; --python-version wins over the request', async () => {
    const asked: string[] = [];
    const ask = async (python: string): Promise<HostInfo> => {
      asked.push(python);
      return linuxHost;
    };
    await ids({ python: '/opt/py/bin/python3' }, {}, ask);
    await ids({ python: 'python3' }, {}, ask);
    expect(await ids({ python: '3.12', pythonVersions: ['3.11'] }, {}, ask)).toEqual(['x86_64-manylinux_2_36-cp311']);
    expect(asked).toEqual(['/opt/py/bin/python3', 'python3', 'python3.12']);
  });
});
