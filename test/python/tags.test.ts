import { describe, expect, it } from 'vitest';
import {
  cpythonAbis,
  cpythonTags,
  linuxPlatforms,
  macPlatforms,
  manylinuxPlatforms,
  musllinuxPlatforms,
  splitTagTriple,
  tagSet,
  wheelCompatibility,
} from '../../src/python/tags.js';

describe('manylinuxPlatforms', () => {
  it('walks x86_64 down to manylinux_2_5, each legacy alias right after its glibc level', () => {
    const tags = manylinuxPlatforms('x86_64', [2, 28]);
    expect(tags.slice(0, 2)).toEqual(['manylinux_2_28_x86_64', 'manylinux_2_27_x86_64']);
    expect(tags.slice(11, 14)).toEqual(['manylinux_2_17_x86_64', 'manylinux2014_x86_64', 'manylinux_2_16_x86_64']);
    expect(tags.slice(-3)).toEqual(['manylinux_2_6_x86_64', 'manylinux_2_5_x86_64', 'manylinux1_x86_64']);
    expect(tags.indexOf('manylinux2010_x86_64')).toBe(tags.indexOf('manylinux_2_12_x86_64') + 1);
  });

  it.each(['aarch64', 'ppc64le', 's390x', 'armv7l', 'riscv64'])('stops at manylinux_2_17 (manylinux2014) for %s', (arch) => {
    expect(manylinuxPlatforms(arch, [2, 20]).slice(-2)).toEqual([`manylinux_2_17_${arch}`, `manylinux2014_${arch}`]);
  });

  it('has no manylinux tags for an architecture manylinux does not define', () => {
    expect(manylinuxPlatforms('armv6l', [2, 31])).toEqual([]);
  });

  it('is empty below the floor', () => {
    expect(manylinuxPlatforms('aarch64', [2, 12])).toEqual([]);
  });

  it('crosses into glibc 2.50 and down from a glibc 3 (packaging’s guess at the last 2.x)', () => {
    const tags = manylinuxPlatforms('x86_64', [3, 1]);
    expect(tags.slice(0, 3)).toEqual(['manylinux_3_1_x86_64', 'manylinux_3_0_x86_64', 'manylinux_2_50_x86_64']);
  });
});

describe('linuxPlatforms', () => {
  it('puts linux_<arch> last (packaging 26.2; 26.3 moved it first)', () => {
    expect(linuxPlatforms('aarch64', { glibc: [2, 17] })).toEqual([
      'manylinux_2_17_aarch64',
      'manylinux2014_aarch64',
      'linux_aarch64',
    ]);
  });

  it('walks musl down to musllinux_1_0', () => {
    expect(linuxPlatforms('x86_64', { musl: [1, 2] })).toEqual([
      'musllinux_1_2_x86_64',
      'musllinux_1_1_x86_64',
      'musllinux_1_0_x86_64',
      'linux_x86_64',
    ]);
    expect(musllinuxPlatforms('aarch64', [1, 0])).toEqual(['musllinux_1_0_aarch64']);
  });

  it('is linux_<arch> alone without a libc', () => {
    expect(linuxPlatforms('x86_64', {})).toEqual(['linux_x86_64']);
  });
});

describe('macPlatforms', () => {
  it('steps arm64 by major from 11 on, then takes universal2 builds back to 10.4', () => {
    const tags = macPlatforms([13, 0], 'arm64');
    expect(tags.slice(0, 7)).toEqual([
      'macosx_13_0_arm64',
      'macosx_13_0_universal2',
      'macosx_12_0_arm64',
      'macosx_12_0_universal2',
      'macosx_11_0_arm64',
      'macosx_11_0_universal2',
      'macosx_10_16_universal2',
    ]);
    expect(tags.at(-1)).toBe('macosx_10_4_universal2');
    expect(tags).toHaveLength(6 + 13);
  });

  it('drops the minor of macOS 11 and later: 14.2 starts at macosx_14_0', () => {
    expect(macPlatforms([14, 2], 'arm64')[0]).toBe('macosx_14_0_arm64');
  });

  it('gives x86_64 its intel, fat and universal formats, and every 10.x down to 10.4', () => {
    const tags = macPlatforms([10, 9], 'x86_64');
    expect(tags.slice(0, 6)).toEqual([
      'macosx_10_9_x86_64',
      'macosx_10_9_intel',
      'macosx_10_9_fat64',
      'macosx_10_9_fat32',
      'macosx_10_9_universal2',
      'macosx_10_9_universal',
    ]);
    expect(tags.at(-1)).toBe('macosx_10_4_universal');
    expect(tags).toHaveLength(6 * 6);
  });

  it('gives x86_64 on macOS 11+ every 10.x release too', () => {
    expect(macPlatforms([12, 0], 'x86_64')).toContain('macosx_10_9_x86_64');
  });
});

describe('cpythonAbis', () => {
  it.each([
    [[3, 12], false, 'cp312'],
    [[3, 13], true, 'cp313t'],
    [[3, 7], false, 'cp37m'],
  ] as const)('CPython %j (free-threaded: %s) → %s', (version, freeThreaded, abi) => {
    expect(cpythonAbis(version, freeThreaded)).toEqual([abi]);
  });
});

describe('cpythonTags', () => {
  it('orders a Windows CPython 3.12 as packaging.tags.sys_tags does', () => {
    const abi3 = Array.from({ length: 10 }, (_, i) => `cp3${11 - i}-abi3-win_amd64`);
    const pyPlatform = ['py312', 'py3', ...Array.from({ length: 12 }, (_, i) => `py3${11 - i}`)];
    expect(cpythonTags({ pythonVersion: [3, 12], abis: ['cp312'], platforms: ['win_amd64'] })).toEqual([
      'cp312-cp312-win_amd64',
      'cp312-abi3-win_amd64',
      'cp312-none-win_amd64',
      ...abi3, // down to cp32, the first stable ABI
      ...pyPlatform.map((py) => `${py}-none-win_amd64`),
      'cp312-none-any',
      ...pyPlatform.map((py) => `${py}-none-any`),
    ]);
  });

  it('varies the platform fastest within each interpreter-abi pair', () => {
    const tags = cpythonTags({ pythonVersion: [3, 12], abis: ['cp312'], platforms: ['a', 'b'] });
    expect(tags.slice(0, 4)).toEqual(['cp312-cp312-a', 'cp312-cp312-b', 'cp312-abi3-a', 'cp312-abi3-b']);
  });

  it('gives free-threaded builds abi3t and never abi3', () => {
    const tags = cpythonTags({ pythonVersion: [3, 13], abis: ['cp313t'], platforms: ['win_amd64'] });
    expect(tags.slice(0, 4)).toEqual([
      'cp313-cp313t-win_amd64',
      'cp313-abi3t-win_amd64',
      'cp313-none-win_amd64',
      'cp312-abi3t-win_amd64',
    ]);
    expect(tags.some((tag) => tag.includes('-abi3-'))).toBe(false);
    expect(tags).toContain('cp313-none-any');
  });

  it('keeps abi3 and none at their own ranks whatever --abi says (pip --abi none)', () => {
    const tags = cpythonTags({ pythonVersion: [3, 10], abis: ['none'], platforms: ['win_amd64'] });
    expect(tags.slice(0, 3)).toEqual(['cp310-abi3-win_amd64', 'cp310-none-win_amd64', 'cp39-abi3-win_amd64']);
  });
});

describe('tagSet', () => {
  it('ranks by position and keeps the first rank of a repeated tag', () => {
    const tags = tagSet(['a-b-c', 'py3-none-any', 'a-b-c', 'x-y-z']);
    expect(tags.ordered).toEqual(['a-b-c', 'py3-none-any', 'x-y-z']);
    expect(tags.priority.get('x-y-z')).toBe(2);
  });
});

describe('wheelCompatibility', () => {
  const linux = tagSet(
    cpythonTags({ pythonVersion: [3, 12], abis: ['cp312'], platforms: linuxPlatforms('x86_64', { glibc: [2, 28] }) }),
  );
  const rank = (tag: string): number => linux.priority.get(tag)!;

  it.each([
    ['cp312-cp312-manylinux_2_28_x86_64', rank('cp312-cp312-manylinux_2_28_x86_64')],
    // Dotted parts expand; the best of them counts.
    ['cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64', rank('cp312-cp312-manylinux_2_17_x86_64')],
    ['cp39-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64', rank('cp39-abi3-manylinux_2_17_x86_64')],
    ['py2.py3-none-any', rank('py3-none-any')],
    ['CP312-CP312-MANYLINUX_2_28_X86_64', 0],
  ])('%s is compatible with priority %i', (triple, priority) => {
    expect(wheelCompatibility(splitTagTriple(triple), linux)).toEqual({ compatible: true, priority });
  });

  it('prefers the wheel built for the newest glibc the target has', () => {
    const newer = wheelCompatibility(splitTagTriple('cp312-cp312-manylinux_2_28_x86_64'), linux);
    const older = wheelCompatibility(splitTagTriple('cp312-cp312-manylinux_2_17_x86_64'), linux);
    expect(newer.compatible && older.compatible && newer.priority < older.priority).toBe(true);
  });

  // uv's rule (uv-platform-tags `Tags::compatibility`): the closest miss wins.
  it.each([
    ['pp310-pypy310_pp73-manylinux_2_17_x86_64', 'python'],
    ['py2-none-any', 'python'],
    ['cp311-cp311-manylinux_2_17_x86_64', 'abi'], // cp311 is known (cp311-abi3-…), cp311 abi is not
    ['cp312-cp312t-manylinux_2_17_x86_64', 'abi'],
    ['cp312-cp312-manylinux_2_34_x86_64', 'platform'], // needs a newer glibc
    ['cp312-cp312-win_amd64', 'platform'],
    ['cp312-cp312-musllinux_1_2_x86_64', 'platform'],
    ['cp311.cp312-cp312-win_amd64', 'platform'], // one python part fits, so it is the platform
  ] as const)('%s is incompatible: %s', (triple, reason) => {
    expect(wheelCompatibility(splitTagTriple(triple), linux)).toEqual({ compatible: false, reason });
  });

  describe('on free-threaded Python', () => {
    const threaded = tagSet(cpythonTags({ pythonVersion: [3, 13], abis: ['cp313t'], platforms: ['win_amd64'] }));

    it('takes cp313t, abi3t and pure wheels', () => {
      for (const triple of ['cp313-cp313t-win_amd64', 'cp312-abi3t-win_amd64', 'py3-none-any']) {
        expect(wheelCompatibility(splitTagTriple(triple), threaded).compatible).toBe(true);
      }
    });

    it('blames the ABI of a wheel it could never load, before its python tag (as uv)', () => {
      expect(wheelCompatibility(splitTagTriple('cp39-abi3-win_amd64'), threaded)).toEqual({ compatible: false, reason: 'abi' });
      expect(wheelCompatibility(splitTagTriple('cp27-cp27m-win_amd64'), threaded)).toEqual({ compatible: false, reason: 'abi' });
      expect(wheelCompatibility(splitTagTriple('cp27-cp27t-win_amd64'), threaded)).toEqual({ compatible: false, reason: 'python' });
    });
  });

  it('works on a TagSet written by hand', () => {
    const tags = { ordered: ['py3-none-any'], priority: new Map([['py3-none-any', 0]]) };
    expect(wheelCompatibility(splitTagTriple('py2.py3-none-any'), tags)).toEqual({ compatible: true, priority: 0 });
  });
});
