/**
 * The emitted pylock and requirements, as pure functions of the collected
 * artifacts and the targets: markers that tell exactly the collected
 * targets apart (coarse variables first), one entry per package version,
 * byte-identical output, and TOML that reads back as written.
 */
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { evaluateMarker, parseMarker } from '../../src/python/markers.js';
import { buildTargets } from '../../src/python/targets.js';
import { emittedPackages } from '../../src/output/emitted-packages.js';
import { renderPylock } from '../../src/output/emit-pylock.js';
import { renderRequirements } from '../../src/output/emit-requirements.js';
import type { ManifestArtifact } from '../../src/output/manifest.js';
import { groupTargets, markerForGroups } from '../../src/output/target-markers.js';
import { tomlString } from '../../src/output/toml-text.js';

const targets = buildTargets({
  pythonPlatforms: ['x86_64-manylinux_2_28', 'aarch64-manylinux_2_28', 'x86_64-pc-windows-msvc'],
  pythonVersions: ['3.12', '3.13'],
  platforms: [],
});
const ids = targets.map((t) => t.id);
const idsWhere = (test: (id: string) => boolean): string[] => ids.filter(test);

function artifact(over: Partial<ManifestArtifact> & Pick<ManifestArtifact, 'package' | 'filename' | 'targets'>): ManifestArtifact {
  return {
    version: '1.0',
    kind: 'wheel',
    origin: 'download',
    url: `https://files.example/${over.filename}`,
    sha256: (over.filename.length.toString(16) + 'ab').repeat(32).slice(0, 64),
    size: 100,
    mtimeMs: 1,
    ...over,
  };
}

describe('target groups and their markers', () => {
  it('uses only the variables the targets differ in', () => {
    const groups = groupTargets(targets);
    expect(groups.keys).toEqual(['sys_platform', 'platform_machine', 'python_version']);
    expect(groups.groups).toHaveLength(6);
    expect(groups.environments[0]).toBe("sys_platform == 'linux' and platform_machine == 'x86_64' and implementation_name == 'cpython' and python_version == '3.12'");
  });

  it('a single target needs no marker, and its environment still names it', () => {
    const groups = groupTargets(targets.slice(0, 1));
    expect(groups.keys).toEqual([]);
    expect(markerForGroups(groups, new Set([0]))).toBeNull();
    expect(groups.environments).toHaveLength(1);
  });

  it('targets no marker tells apart form one group', () => {
    const two = buildTargets({ pythonPlatforms: ['x86_64-manylinux_2_17', 'x86_64-manylinux_2_28', 'x86_64-unknown-linux-musl'], pythonVersions: ['3.12'], platforms: [] });
    const groups = groupTargets(two);
    expect(groups.groups).toEqual([two.map((t) => t.id)]);
  });

  it('one variable picks a set out where it can; else one clause per group; each marker is true exactly on its groups', () => {
    const groups = groupTargets(targets);
    const linux = new Set(idsWhere((id) => id.includes('linux')).map((id) => groups.groupOf.get(id)!));
    expect(markerForGroups(groups, linux)).toBe("sys_platform == 'linux'");
    const py313 = new Set(idsWhere((id) => id.endsWith('313')).map((id) => groups.groupOf.get(id)!));
    expect(markerForGroups(groups, py313)).toBe("python_version == '3.13'");
    const odd = new Set([0, 3]);
    const marker = markerForGroups(groups, odd)!;
    expect(marker).toContain(' or ');
    // Every subset of groups: its marker holds on exactly its targets.
    for (let mask = 1; mask < 1 << 6; mask++) {
      const chosen = new Set([0, 1, 2, 3, 4, 5].filter((i) => mask & (1 << i)));
      const text = markerForGroups(groups, chosen);
      for (const target of targets) {
        const holds = text === null || evaluateMarker(parseMarker(text), target.markers);
        expect(holds).toBe(chosen.has(groups.groupOf.get(target.id)!));
      }
    }
  });
});

describe('emitted packages', () => {
  const artifacts = [
    artifact({ package: 'pure', filename: 'pure-1.0-py3-none-any.whl', targets: ids }),
    artifact({ package: 'Native_Lib', filename: 'native_lib-1.0-cp312-abi3-manylinux_2_17_x86_64.whl', targets: idsWhere((id) => id.startsWith('x86_64-manylinux')) }),
    artifact({ package: 'Native_Lib', filename: 'native_lib-1.0-cp312-abi3-win_amd64.whl', targets: idsWhere((id) => id.includes('windows')) }),
    artifact({ package: 'fork', version: '1.0', filename: 'fork-1.0-py3-none-any.whl', targets: idsWhere((id) => id.endsWith('312')) }),
    artifact({ package: 'fork', version: '2.0', filename: 'fork-2.0-py3-none-any.whl', targets: idsWhere((id) => id.endsWith('313')) }),
    artifact({ package: 'built', filename: 'built-1.0-py3-none-any.whl', kind: 'built-wheel', origin: 'build', url: null, targets: ids }),
    artifact({ package: 'built', filename: 'built-1.0.tar.gz', kind: 'sdist', targets: ids }),
  ];

  it('one entry per package version, normalized names, markers only where needed', () => {
    const { packages } = emittedPackages(targets, artifacts);
    expect(packages.map((p) => [p.name, p.version, p.marker])).toEqual([
      ['built', '1.0', null],
      ['fork', '1.0', "python_version == '3.12'"],
      ['fork', '2.0', "python_version == '3.13'"],
      ['native-lib', '1.0', "platform_machine == 'AMD64' or platform_machine == 'x86_64'"],
      ['pure', '1.0', null],
    ]);
    const native = packages.find((p) => p.name === 'native-lib')!;
    for (const target of targets) {
      const holds = evaluateMarker(parseMarker(native.marker!), target.markers);
      expect(holds).toBe(target.id.startsWith('x86_64-manylinux') || target.id.includes('windows'));
    }
    expect(packages.find((p) => p.name === 'built')!.sdist!.filename).toBe('built-1.0.tar.gz');
  });

  it('two versions of a package for targets no marker tells apart are refused', () => {
    const same = buildTargets({ pythonPlatforms: ['x86_64-manylinux_2_17', 'x86_64-manylinux_2_28'], pythonVersions: ['3.12'], platforms: [] });
    const clash = [
      artifact({ package: 'x', version: '1.0', filename: 'x-1.0-py3-none-any.whl', targets: [same[0]!.id] }),
      artifact({ package: 'x', version: '2.0', filename: 'x-2.0-py3-none-any.whl', targets: [same[1]!.id] }),
    ];
    expect(() => emittedPackages(same, clash)).toThrow(expect.objectContaining({ code: 'EMIT_AMBIGUOUS' }));
  });

  it('the pylock reads back as PEP 751 with relative paths, urls beside them, and the same bytes every time', () => {
    const input = { emitted: emittedPackages(targets, artifacts), targets: ids, requiresPython: '>=3.12', filesPrefix: 'wheels/' };
    const text = renderPylock(input);
    expect(renderPylock({ ...input, emitted: emittedPackages(targets, [...artifacts].reverse()) })).toBe(text);
    const doc = parse(text) as Record<string, any>;
    expect(doc['lock-version']).toBe('1.0');
    expect(doc['created-by']).toBe('lockhouse');
    expect(doc['requires-python']).toBe('>=3.12');
    expect(doc['environments']).toHaveLength(6);
    expect(doc['tool'].lockhouse.targets).toEqual(ids);
    const built = doc['packages'].find((p: any) => p.name === 'built');
    expect(built.wheels).toEqual([{ name: 'built-1.0-py3-none-any.whl', path: 'wheels/built-1.0-py3-none-any.whl', size: 100, hashes: { sha256: artifacts[5]!.sha256 } }]);
    expect(built.sdist.path).toBe('wheels/built-1.0.tar.gz');
    const pure = doc['packages'].find((p: any) => p.name === 'pure');
    expect(pure.wheels[0].url).toBe('https://files.example/pure-1.0-py3-none-any.whl');
    expect(renderPylock({ ...input, filesPrefix: '' })).toContain('path = "./pure-1.0-py3-none-any.whl"');
  });

  it('requirements pin every version with every hash, and markers where targets differ', () => {
    const text = renderRequirements({ emitted: emittedPackages(targets, artifacts), targets: ids, lockName: 'uv.lock', findLinks: 'wheel house' });
    expect(text).toContain("--find-links 'wheel house'\n");
    expect(text).toContain('--no-index\n');
    expect(text).toContain(`built==1.0 \\\n    --hash=sha256:${[artifacts[5]!.sha256, artifacts[6]!.sha256].sort()[0]} \\\n`);
    expect(text).toContain(`fork==2.0 ; python_version == '3.13' \\\n    --hash=sha256:${artifacts[4]!.sha256}\n`);
    expect(text.split('\n').filter((line) => /^[a-z]/.test(line)).map((line) => line.split(' ')[0])).toEqual(['built==1.0', 'fork==1.0', 'fork==2.0', 'native-lib==1.0', 'pure==1.0']);
  });
});

describe('TOML strings', () => {
  it('escape what TOML requires and read back unchanged', () => {
    for (const value of ['plain', 'quote " and \\ backslash', 'tab\tnew\nline', 'del \u007f nul \u0000', 'ünïcödé']) {
      expect((parse(`v = ${tomlString(value)}`) as { v: string }).v).toBe(value);
    }
  });
});
