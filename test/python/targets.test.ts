import { describe, expect, it } from 'vitest';
import { buildTargets, parsePythonVersion } from '../../src/python/targets.js';
import { flags, one, thrown } from '../helpers/target-flags.js';

describe('--python-platform', () => {
  it.each([
    // name, platform_machine, sys_platform, platform_system, os_name, best platform tag
    ['linux', 'x86_64', 'linux', 'Linux', 'posix', 'manylinux_2_28_x86_64'],
    ['x86_64-unknown-linux-gnu', 'x86_64', 'linux', 'Linux', 'posix', 'manylinux_2_28_x86_64'],
    ['aarch64-unknown-linux-gnu', 'aarch64', 'linux', 'Linux', 'posix', 'manylinux_2_28_aarch64'],
    ['x86_64-unknown-linux-musl', 'x86_64', 'linux', 'Linux', 'posix', 'musllinux_1_2_x86_64'],
    ['aarch64-unknown-linux-musl', 'aarch64', 'linux', 'Linux', 'posix', 'musllinux_1_2_aarch64'],
    ['riscv64-unknown-linux', 'riscv64', 'linux', 'Linux', 'posix', 'manylinux_2_39_riscv64'],
    ['x86_64-manylinux2014', 'x86_64', 'linux', 'Linux', 'posix', 'manylinux_2_17_x86_64'],
    ['aarch64-manylinux_2_40', 'aarch64', 'linux', 'Linux', 'posix', 'manylinux_2_40_aarch64'],
    ['x86_64-manylinux_2_24', 'x86_64', 'linux', 'Linux', 'posix', 'manylinux_2_24_x86_64'],
    ['macos', 'arm64', 'darwin', 'Darwin', 'posix', 'macosx_13_0_arm64'],
    ['aarch64-apple-darwin', 'arm64', 'darwin', 'Darwin', 'posix', 'macosx_13_0_arm64'],
    ['x86_64-apple-darwin', 'x86_64', 'darwin', 'Darwin', 'posix', 'macosx_13_0_x86_64'],
    // Real CPython says AMD64 on x64 Windows; uv says x86_64 (uv issues 15060, 16576).
    ['windows', 'AMD64', 'win32', 'Windows', 'nt', 'win_amd64'],
    ['x86_64-pc-windows-msvc', 'AMD64', 'win32', 'Windows', 'nt', 'win_amd64'],
    ['aarch64-pc-windows-msvc', 'ARM64', 'win32', 'Windows', 'nt', 'win_arm64'],
    ['i686-pc-windows-msvc', 'x86', 'win32', 'Windows', 'nt', 'win32'],
  ])('%s: platform_machine %s on %s', (name, machine, sysPlatform, system, osName, best) => {
    const target = one({ pythonPlatforms: [name] });
    expect(target.id).toBe(`${name}-cp312`);
    expect(target.markers).toMatchObject({
      platform_machine: machine,
      sys_platform: sysPlatform,
      platform_system: system,
      os_name: osName,
      platform_release: '',
      platform_version: '',
    });
    expect(target.tags.ordered[0]).toBe(`cp312-cp312-${best}`);
  });

  it.each([
    ['manylinux_2_28_x86_64', 'x86_64-manylinux_2_28'],
    ['manylinux2014_aarch64', 'aarch64-manylinux2014'],
    ['arm64-pc-windows-msvc', 'aarch64-pc-windows-msvc'],
  ])("accepts uv's alias %s as %s", (alias, canonical) => {
    expect(one({ pythonPlatforms: [alias] }).pythonPlatform).toBe(canonical);
  });

  it('rejects an unknown name, listing the valid ones', () => {
    const error = thrown(() => buildTargets(flags({ pythonPlatforms: ['linux-gnu'] })));
    expect(error.code).toBe('TARGET_UNKNOWN_PLATFORM');
    expect(error.message).toMatchInlineSnapshot(
      `"Unknown --python-platform "linux-gnu". Valid names: linux, x86_64-unknown-linux-gnu, aarch64-unknown-linux-gnu, riscv64-unknown-linux, x86_64-unknown-linux-musl, aarch64-unknown-linux-musl, x86_64-manylinux2014, aarch64-manylinux2014, macos, aarch64-apple-darwin, x86_64-apple-darwin, windows, x86_64-pc-windows-msvc, aarch64-pc-windows-msvc, i686-pc-windows-msvc, <arch>-manylinux_2_<N> (N ≥ 17, e.g. x86_64-manylinux_2_28), <arch>-musllinux_1_<N>, where <arch> is x86_64, aarch64, i686, armv7l, ppc64le, s390x, riscv64."`,
    );
  });

  it.each(['x86_64-manylinux_2_12', 'sparc-manylinux_2_28', 'win_amd64'])('rejects %s', (name) => {
    expect(thrown(() => buildTargets(flags({ pythonPlatforms: [name] }))).code).toBe('TARGET_UNKNOWN_PLATFORM');
  });
});

describe('MACOSX_DEPLOYMENT_TARGET', () => {
  it.each([
    ['14.2', 'macosx_14_0_arm64'],
    ['15', 'macosx_15_0_arm64'],
    ['11.0', 'macosx_11_0_arm64'],
  ])('%s → first tag %s', (value, best) => {
    const target = one({ pythonPlatforms: ['macos'], macosDeploymentTarget: value });
    expect(target.tags.ordered[0]).toBe(`cp312-cp312-${best}`);
  });

  it('rejects a value that is not a macOS version, quoting it', () => {
    const error = thrown(() => buildTargets(flags({ pythonPlatforms: ['macos'], macosDeploymentTarget: 'sonoma' })));
    expect(error.code).toBe('USAGE');
    expect(error.message).toMatchInlineSnapshot(`"MACOSX_DEPLOYMENT_TARGET "sonoma" is not a macOS version such as 13.0 or 10.9."`);
  });

  it('is not read when no target is a Mac', () => {
    expect(one({ pythonPlatforms: ['linux'], macosDeploymentTarget: 'sonoma' }).id).toBe('linux-cp312');
  });
});

describe('--python-version', () => {
  it.each([
    ['3.12', '3.12', '3.12.0', false],
    ['3.12.4', '3.12.4', '3.12.4', false],
    ['3.13t', '3.13t', '3.13.0', true],
    ['3.13.1t', '3.13.1t', '3.13.1', true],
    ['312', '3.12', '3.12.0', false], // pip's spelling
  ])('%s → %s, python_full_version %s', (text, shown, full, freeThreaded) => {
    const version = parsePythonVersion(text);
    expect(version.text).toBe(shown);
    expect(version.freeThreaded).toBe(freeThreaded);
    const target = one({ pythonPlatforms: ['linux'], pythonVersions: [text] });
    expect(target.pythonVersion).toBe(shown);
    expect(target.markers).toMatchObject({
      python_full_version: full,
      implementation_version: full,
      python_version: shown.split('.').slice(0, 2).join('.').replace('t', ''),
      implementation_name: 'cpython',
      platform_python_implementation: 'CPython',
    });
  });

  it('names free-threaded targets cp313t', () => {
    expect(one({ pythonPlatforms: ['linux'], pythonVersions: ['3.13t'] }).id).toBe('linux-cp313t');
  });

  it.each([
    ['3', 'expected X.Y, X.Y.Z or X.Yt'],
    ['3.x', 'expected X.Y, X.Y.Z or X.Yt'],
    ['3.12rc1', 'expected X.Y, X.Y.Z or X.Yt'],
    ['2.7', 'lockhouse targets CPython 3.3 and newer'],
    ['3.12t', 'free-threaded CPython starts at 3.13'],
  ])('rejects "%s": %s', (text, why) => {
    const error = thrown(() => parsePythonVersion(text));
    expect(error.code).toBe('TARGET_INVALID_VERSION');
    expect(error.message).toBe(`Invalid --python-version "${text}": ${why}.`);
  });

  it('is required', () => {
    expect(thrown(() => buildTargets(flags({ pythonPlatforms: ['linux'], pythonVersions: [] }))).code).toBe('USAGE');
  });
});

describe('buildTargets', () => {
  it('makes one target per platform × version, platform-major, uv names before pip tags', () => {
    const targets = buildTargets(
      flags({ pythonPlatforms: ['linux', 'macos'], platforms: ['win_amd64'], pythonVersions: ['3.11', '3.12'] }),
    );
    expect(targets.map((t) => t.id)).toEqual([
      'linux-cp311',
      'linux-cp312',
      'macos-cp311',
      'macos-cp312',
      'win_amd64-cp311',
      'win_amd64-cp312',
    ]);
  });

  it('builds a target asked for twice once', () => {
    const targets = buildTargets(flags({ pythonPlatforms: ['linux', 'linux'], pythonVersions: ['3.12', '312'] }));
    expect(targets.map((t) => t.id)).toEqual(['linux-cp312']);
  });

  it('refuses two patch releases of one minor, which would share an id', () => {
    const error = thrown(() => buildTargets(flags({ pythonPlatforms: ['linux'], pythonVersions: ['3.12', '3.12.4'] })));
    expect(error.code).toBe('USAGE');
    expect(error.message).toMatchInlineSnapshot(`"--python-version "3.12" and "3.12.4" would both be target "linux-cp312"."`);
  });

  it('needs a platform', () => {
    expect(thrown(() => buildTargets(flags({}))).code).toBe('USAGE');
  });

  it('replaces the ABI list with --abi, lower-cased', () => {
    const target = one({ pythonPlatforms: ['windows'], abis: ['CP311'] });
    expect(target.tags.ordered.slice(0, 2)).toEqual(['cp312-cp311-win_amd64', 'cp312-abi3-win_amd64']);
  });

  it('supports CPython only', () => {
    const error = thrown(() => buildTargets(flags({ platforms: ['win_amd64'], implementation: 'pp' })));
    expect(error.code).toBe('USAGE');
    expect(error.message).toMatchInlineSnapshot(
      `"--implementation "pp" is not supported: lockhouse computes tags for CPython ("cp") only."`,
    );
    expect(one({ platforms: ['win_amd64'], implementation: 'cp' }).id).toBe('win_amd64-cp312');
  });
});

describe('--platform (pip)', () => {
  it('expands manylinux2014 to manylinux2010 and manylinux1 on x86, as pip does', () => {
    const target = one({ platforms: ['manylinux2014_x86_64'] });
    expect(target.tags.ordered.slice(0, 3)).toEqual([
      'cp312-cp312-manylinux2014_x86_64',
      'cp312-cp312-manylinux2010_x86_64',
      'cp312-cp312-manylinux1_x86_64',
    ]);
  });

  it('does not walk manylinux_2_X down (pip does not either)', () => {
    const target = one({ platforms: ['manylinux_2_28_x86_64'] });
    expect(target.tags.ordered.slice(0, 2)).toEqual(['cp312-cp312-manylinux_2_28_x86_64', 'cp312-abi3-manylinux_2_28_x86_64']);
  });

  it('expands a macOS tag like mac_platforms', () => {
    const target = one({ platforms: ['macosx_11_0_arm64'] });
    expect(target.tags.ordered.slice(0, 3)).toEqual([
      'cp312-cp312-macosx_11_0_arm64',
      'cp312-cp312-macosx_11_0_universal2',
      'cp312-cp312-macosx_10_16_universal2',
    ]);
    expect(target.markers).toMatchObject({ sys_platform: 'darwin', platform_machine: 'arm64' });
  });

  it('merges the tags of one OS and machine into one target, in the order given, like pip', () => {
    const targets = buildTargets(
      flags({
        platforms: ['manylinux_2_28_x86_64', 'win_amd64', 'manylinux2014_x86_64', 'manylinux_2_28_aarch64'],
      }),
    );
    expect(targets.map((t) => t.id)).toEqual([
      'manylinux_2_28_x86_64-cp312',
      'win_amd64-cp312',
      'manylinux_2_28_aarch64-cp312',
    ]);
    expect(targets[0]!.tags.ordered.slice(0, 4)).toEqual([
      'cp312-cp312-manylinux_2_28_x86_64',
      'cp312-cp312-manylinux2014_x86_64',
      'cp312-cp312-manylinux2010_x86_64',
      'cp312-cp312-manylinux1_x86_64',
    ]);
    expect(targets[1]!.markers.platform_machine).toBe('AMD64');
  });

  it('rejects a tag it cannot place on an OS, quoting it', () => {
    const error = thrown(() => buildTargets(flags({ platforms: ['linux'] })));
    expect(error.code).toBe('TARGET_UNKNOWN_PLATFORM');
    expect(error.message).toMatchInlineSnapshot(
      `"Unknown --platform "linux". Valid tags: manylinux_<X>_<Y>_<arch>, manylinux2014_<arch>, manylinux2010_<arch>, manylinux1_<arch>, musllinux_<X>_<Y>_<arch>, linux_<arch>, macosx_<X>_<Y>_<arch>, win_amd64, win_arm64, win32."`,
    );
    expect(error.hint).toContain('--python-platform');
  });
});
