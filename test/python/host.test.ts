import { describe, expect, it } from 'vitest';
import { hostTarget, nodeHostPlatform, type HostInfo } from '../../src/python/host.js';
import type { MarkerEnvironment } from '../../src/python/markers.js';
import { buildTargets } from '../../src/python/targets.js';
import { flags, one, thrown } from '../helpers/target-flags.js';

describe('hostTarget', () => {
  const markers = (over: Partial<MarkerEnvironment>): MarkerEnvironment => ({
    implementation_name: 'cpython',
    implementation_version: '3.11.7',
    os_name: 'posix',
    platform_machine: 'x86_64',
    platform_python_implementation: 'CPython',
    platform_release: '6.8.0-45-generic',
    platform_version: '#45-Ubuntu SMP PREEMPT_DYNAMIC',
    platform_system: 'Linux',
    python_full_version: '3.11.7',
    python_version: '3.11',
    sys_platform: 'linux',
    ...over,
  });
  const linuxHost: HostInfo = {
    markers: markers({}),
    pythonVersion: [3, 11, 7],
    freeThreaded: false,
    implementation: 'cpython',
    sysconfigPlatform: 'linux-x86_64',
    pointerBits: 64,
    glibcVersion: '2.35',
    muslVersion: null,
    macosVersion: null,
  };

  it("keeps the interpreter's own markers, platform_release and platform_version included", () => {
    const target = hostTarget(linuxHost);
    expect(target.markers).toEqual(linuxHost.markers);
    expect(target.id).toBe('x86_64-manylinux_2_35-cp311');
    expect(target.pythonVersion).toBe('3.11.7');
    expect(target.tags.ordered[0]).toBe('cp311-cp311-manylinux_2_35_x86_64');
    expect(target.tags.ordered).toContain('cp311-cp311-linux_x86_64');
  });

  it('names its platform so that it can be passed back as --python-platform', () => {
    const host = hostTarget(linuxHost);
    const again = one({ pythonPlatforms: [host.pythonPlatform], pythonVersions: ['3.11'] });
    expect(again.tags.ordered).toEqual(host.tags.ordered);
  });

  it('describes a musl host', () => {
    const target = hostTarget({ ...linuxHost, glibcVersion: null, muslVersion: '1.2.4' });
    expect(target.pythonPlatform).toBe('x86_64-musllinux_1_2');
    expect(target.tags.ordered[0]).toBe('cp311-cp311-musllinux_1_2_x86_64');
  });

  it('takes 32-bit wheels for a 32-bit interpreter on a 64-bit kernel', () => {
    const target = hostTarget({ ...linuxHost, pointerBits: 32 });
    expect(target.tags.ordered[0]).toBe('cp311-cp311-manylinux_2_35_i686');
  });

  it('describes a Mac from its running architecture and macOS version', () => {
    const target = hostTarget({
      ...linuxHost,
      markers: markers({ sys_platform: 'darwin', platform_system: 'Darwin', platform_machine: 'arm64' }),
      sysconfigPlatform: 'macosx-10.9-universal2',
      glibcVersion: null,
      macosVersion: '14.5',
    });
    expect(target.id).toBe('aarch64-apple-darwin-cp311');
    expect(target.tags.ordered[0]).toBe('cp311-cp311-macosx_14_0_arm64');
  });

  it('describes a Windows host from sysconfig (a 32-bit Python on x64 takes win32 wheels)', () => {
    const windows = { ...linuxHost, markers: markers({ sys_platform: 'win32', platform_machine: 'AMD64', os_name: 'nt' }), glibcVersion: null };
    expect(hostTarget({ ...windows, sysconfigPlatform: 'win-amd64' }).id).toBe('x86_64-pc-windows-msvc-cp311');
    expect(hostTarget({ ...windows, sysconfigPlatform: 'win32' }).tags.ordered[0]).toBe('cp311-cp311-win32');
  });

  it('marks a free-threaded host', () => {
    const target = hostTarget({ ...linuxHost, pythonVersion: [3, 13, 1], freeThreaded: true });
    expect(target.id).toBe('x86_64-manylinux_2_35-cp313t');
    expect(target.pythonVersion).toBe('3.13.1t');
    expect(target.tags.ordered[0]).toBe('cp313-cp313t-manylinux_2_35_x86_64');
  });

  it('can target another CPython on the host platform', () => {
    const target = hostTarget({ ...linuxHost, implementation: 'pypy' }, { pythonVersion: '3.12' });
    expect(target.id).toBe('x86_64-manylinux_2_35-cp312');
    expect(target.markers).toMatchObject({ python_full_version: '3.12.0', platform_release: '6.8.0-45-generic' });
  });

  it('refuses a host interpreter that is not CPython', () => {
    const error = thrown(() => hostTarget({ ...linuxHost, implementation: 'pypy' }));
    expect(error.code).toBe('TARGET_HOST_UNKNOWN');
    expect(error.message).toMatchInlineSnapshot(`"The host interpreter is "pypy"; lockhouse computes tags for CPython only."`);
  });
});

describe('nodeHostPlatform', () => {
  it.each([
    ['linux', 'x64', '2.35', 'x86_64-manylinux_2_35'],
    ['linux', 'arm64', '2.28', 'aarch64-manylinux_2_28'],
    ['linux', 'x64', null, 'x86_64-unknown-linux-musl'],
    ['linux', 'arm64', undefined, 'aarch64-unknown-linux-musl'],
    ['darwin', 'arm64', undefined, 'aarch64-apple-darwin'],
    ['darwin', 'x64', undefined, 'x86_64-apple-darwin'],
    ['win32', 'x64', undefined, 'x86_64-pc-windows-msvc'],
    ['win32', 'arm64', undefined, 'aarch64-pc-windows-msvc'],
    ['win32', 'ia32', undefined, 'i686-pc-windows-msvc'],
  ])('%s %s glibc %s → %s', (platform, arch, glibcVersion, name) => {
    const triple = nodeHostPlatform({ platform, arch, glibcVersion });
    expect(triple).toBe(name);
    expect(buildTargets(flags({ pythonPlatforms: [triple] }))).toHaveLength(1);
  });

  it.each([
    ['freebsd', 'x64', undefined],
    ['linux', 'mips', '2.31'],
    ['linux', 's390x', null],
  ])('cannot name %s %s (glibc %s)', (platform, arch, glibcVersion) => {
    expect(thrown(() => nodeHostPlatform({ platform, arch, glibcVersion })).code).toBe('TARGET_HOST_UNKNOWN');
  });
});
